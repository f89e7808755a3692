//! The streaming hot path: window assembly per frame, ranking, and a whole labelled window
//! (encoder + energy head + ranking + JSON) with the bundled model. Decoding and normalisation
//! are in `benches/formats.rs`.

use criterion::{Criterion, criterion_group, criterion_main};
use scale::catalog::Catalog;
use scale::runtime::SessionOptions;
use scale::stream::engine::{LabelEngine, WindowTiming};
use scale::stream::window::{WindowAssembler, WindowConfig};
use scale::synth::{self, SampleSpec};
use std::hint::black_box;
use std::time::Instant;

fn bench(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    let class = catalog
        .classes
        .iter()
        .find(|c| c.name == "hugging other person")
        .expect("an interaction class");
    let spec = SampleSpec {
        class_id: class.id,
        subject: 2,
        camera: 2,
        replication: 1,
    };
    let frames = synth::generate(class, &spec, 5).unwrap().to_frames(0, 30.0);
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default");
    let mut engine = LabelEngine::load(&model, SessionOptions::default(), 5).unwrap();
    let config = WindowConfig {
        window: 64,
        model_frames: engine.model_frames(),
        stride: 4,
        expire_after: 30,
    };

    // One frame into the assembler (two bodies); every 4th completes and normalises a window.
    c.bench_function("window_assembly_per_frame_2_bodies", |b| {
        let mut asm = WindowAssembler::new(config);
        let mut seq = 0u64;
        b.iter(|| {
            let mut f = frames[(seq as usize) % frames.len()].clone();
            seq += 1;
            f.seq = seq;
            black_box(asm.push(black_box(&f)).unwrap());
        })
    });

    let mut asm = WindowAssembler::new(config);
    let mut info = None;
    for f in &frames {
        if let Some(w) = asm.push(f).unwrap() {
            info = Some(w);
        }
    }
    let info = info.expect("a window");
    let data = asm.data().to_vec();
    engine.encode(&data).unwrap();
    engine.score().unwrap();
    c.bench_function("rank_40_classes", |b| b.iter(|| black_box(engine.rank())));

    let mut out = Vec::with_capacity(4096);
    c.bench_function("label_window_encoder_head_rank_json", |b| {
        b.iter(|| {
            let timing = WindowTiming {
                arrived: Instant::now(),
                normalise_us: 0,
            };
            black_box(engine.label_into(&info, &data, timing, &mut out).unwrap());
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
