//! Synthetic data generation speed: one sequence (generate + NTU text), averaged over classes.

use criterion::{Criterion, criterion_group, criterion_main};
use scale::catalog::Catalog;
use scale::ntu::format::LineEnding;
use scale::synth::{self, SampleSpec};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    let mut i = 0usize;
    c.bench_function("synth_sequence_generate_and_format", |b| {
        b.iter(|| {
            let class = &catalog.classes[i % catalog.classes.len()];
            i += 1;
            let spec = SampleSpec {
                class_id: class.id,
                subject: 1 + (i % 10) as u16,
                camera: 1 + (i % 3) as u16,
                replication: 1,
            };
            let seq = synth::generate(class, &spec, black_box(5)).unwrap();
            black_box(seq.to_text(LineEnding::Crlf))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
