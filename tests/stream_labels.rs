//! A synthetic recording streamed frame by frame through the window assembler and the label
//! engine with the bundled model gives label messages with the documented fields.

use scale::catalog::Catalog;
use scale::protocol::LabelMessage;
use scale::runtime::SessionOptions;
use scale::stream::engine::{LabelEngine, WindowTiming};
use scale::stream::window::{WindowAssembler, WindowConfig};
use scale::synth::{self, SampleSpec};
use std::time::Instant;

#[test]
fn a_streamed_recording_gives_well_formed_labels() {
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default");
    let mut engine = LabelEngine::load(&model, SessionOptions::default(), 5).unwrap();
    let catalog = Catalog::builtin();
    let class = catalog
        .classes
        .iter()
        .find(|c| c.name == "hand waving")
        .unwrap();
    let seq = synth::generate(
        class,
        &SampleSpec {
            class_id: class.id,
            subject: 9,
            camera: 2,
            replication: 1,
        },
        77,
    )
    .unwrap();
    let frames = seq.to_frames(1_700_000_000_000_000, 30.0);
    let mut asm = WindowAssembler::new(WindowConfig {
        window: engine.model_frames(),
        model_frames: engine.model_frames(),
        stride: 8,
        expire_after: 30,
    });
    let mut labels: Vec<LabelMessage> = Vec::new();
    for f in &frames {
        let arrived = Instant::now();
        if let Some(info) = asm.push(f).unwrap() {
            let normalise_us = arrived.elapsed().as_micros() as u32;
            labels.push(
                engine
                    .label(
                        &info,
                        asm.data(),
                        WindowTiming {
                            arrived,
                            normalise_us,
                        },
                    )
                    .unwrap(),
            );
        }
    }
    let expected = (frames.len() - engine.model_frames()) / 8 + 1;
    assert_eq!(labels.len(), expected);
    let id = frames[0].bodies[0].id;
    for m in &labels {
        assert_eq!((m.v, m.bodies.as_slice()), (1, [id].as_slice()));
        assert_eq!(m.seq_last - m.seq_first + 1, engine.model_frames() as u64);
        assert_eq!(m.top.len(), 5);
        // Ranked by calibrated energy, so scores fall; the reported energies are raw.
        assert!(m.top.windows(2).all(|w| w[0].score >= w[1].score));
        assert!((0.0..1.0).contains(&m.top.iter().map(|r| r.score).sum::<f32>()));
        assert!(m.top.iter().all(|r| (0.0..=1.0).contains(&r.score)
            && catalog.by_id(r.id).is_some_and(|c| c.name == r.name)));
        let l = m.latency_us;
        assert!(l.total >= l.encoder + l.energy_head && l.encoder > 0);
        // The message round-trips through its JSON form.
        assert_eq!(&LabelMessage::from_json(&m.to_json()).unwrap(), m);
    }
    let top1_waving = labels
        .iter()
        .filter(|m| m.top[0].name == "hand waving")
        .count();
    eprintln!(
        "{} windows, top-1 'hand waving' in {top1_waving}",
        labels.len()
    );
}
