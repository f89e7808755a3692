//! Text encoder throughput: sentences per second at batch 1 and batch 32.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scale::catalog::Catalog;
use scale::text::TextEncoder;

fn bench(c: &mut Criterion) {
    let mut enc = TextEncoder::load().expect("text model (run once with network access)");
    let catalog = Catalog::builtin();
    let texts: Vec<&str> = catalog
        .classes
        .iter()
        .flat_map(|k| k.descriptions.iter().map(String::as_str))
        .collect();
    let mut group = c.benchmark_group("text_embed");
    for batch in [1usize, 32] {
        group.throughput(Throughput::Elements(batch as u64));
        let mut i = 0;
        group.bench_function(format!("batch_{batch}"), |b| {
            b.iter(|| {
                let chunk: Vec<&str> = (0..batch).map(|k| texts[(i + k) % texts.len()]).collect();
                i += batch;
                enc.embed(&chunk).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
