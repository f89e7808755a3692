//! The window scores behind the event thresholds' defaults (`docs/protocol.md`, "Events"):
//! two synthetic recordings of every catalogue class by held-out performers, each followed by
//! 4 s of standing still (the last pose held, with the measured sensor model's noise), through
//! the server's per-frame step with a model (64-frame windows every 4 frames). Prints
//! percentiles of the best class's score for windows whose best class is right, wrong, and
//! for windows wholly inside the standing still, those the still test lets through (which
//! could start an event) apart from those it flags. Windows the still test flags start no
//! event and are left out of the right and wrong rows (they are counted at the end). Then the
//! events the default thresholds give: per class, in how many of its recordings an event of
//! that class started, and how many events named another class.
//!
//! `cargo run --release --example event_scores [-- MODEL_DIR [ENTER EXIT]]` (the event
//! thresholds default to `scale serve`'s).

use scale::catalog::Catalog;
use scale::protocol::EventKind;
use scale::runtime::SessionOptions;
use scale::stream::engine::LabelEngine;
use scale::stream::events::EventConfig;
use scale::stream::server::Core;
use scale::stream::stats::Counters;
use scale::stream::window::WindowConfig;
use scale::synth::{self, SampleSpec, noise::NoiseModel};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("models/default"), PathBuf::from);
    let mut config = EventConfig::default();
    if let (Some(enter), Some(exit)) = (std::env::args().nth(2), std::env::args().nth(3)) {
        config.enter = enter.parse()?;
        config.exit = exit.parse()?;
        config.validate()?;
    }
    let catalog = Catalog::builtin();
    let (mut right, mut wrong, mut still) = (Vec::new(), Vec::new(), Vec::new());
    let (mut unknown_right, mut unknown_wrong) = (0, 0);
    let (mut still_right, mut still_wrong, mut flagged) = (0, 0, 0);
    // Per class: recordings with an event of the class, events of other classes.
    let mut detected: Vec<(&str, u32, u32)> = Vec::new();
    for class in &catalog.classes {
        let (mut found, mut other) = (0, 0);
        for rep in 0..2u16 {
            let spec = SampleSpec {
                class_id: class.id,
                subject: 9 + rep,
                camera: 1 + rep,
                replication: 1,
            };
            let mut frames =
                synth::generate(class, &spec, 1000 + u64::from(rep))?.to_frames(0, 30.0);
            let n = frames.len();
            let last = frames.last().ok_or("an empty recording")?.clone();
            frames.extend(synth::hold_still(&last, 120, 7, NoiseModel::Measured));
            let engine = LabelEngine::load(&model, SessionOptions::default(), 5)?;
            let t = engine.model_frames();
            let window = WindowConfig {
                window: 64,
                model_frames: t,
                stride: 4,
                expire_after: 30,
            };
            let mut core =
                Core::new(engine, window, Arc::new(Counters::default())).with_events(config);
            let mut out = Vec::new();
            let mut hit = false;
            for f in &frames {
                let step = core.on_frame(f, Instant::now(), &mut out)?;
                core.take_events(|e, ids, _| {
                    if e.kind == EventKind::Start {
                        if ids[e.class] == class.id {
                            hit = true;
                        } else {
                            other += 1;
                        }
                    }
                });
                let Some(s) = step else {
                    continue;
                };
                let score = core.engine().scores()[s.best];
                if s.window.seq_first as usize > n {
                    if s.window.still {
                        flagged += 1;
                    } else {
                        still.push(score);
                    }
                } else if core.engine().class_ids()[s.best] == class.id {
                    if s.window.still {
                        still_right += 1;
                    } else {
                        right.push(score);
                        unknown_right += usize::from(s.unknown);
                    }
                } else if s.window.still {
                    still_wrong += 1;
                } else {
                    wrong.push(score);
                    unknown_wrong += usize::from(s.unknown);
                }
            }
            found += u32::from(hit);
        }
        detected.push((&class.name, found, other));
    }
    println!("best-class score of 64-frame windows, {}:", model.display());
    for (name, v) in [
        ("right", &mut right),
        ("wrong", &mut wrong),
        ("still, not flagged", &mut still),
    ] {
        v.sort_by(f32::total_cmp);
        if v.is_empty() {
            println!("  {name:<18} no windows");
            continue;
        }
        let q = |p: f32| v[((v.len() - 1) as f32 * p) as usize];
        println!(
            "  {name:<18} {:>5} windows  p10 {:.3}  p25 {:.3}  median {:.3}  p75 {:.3}  p90 {:.3}",
            v.len(),
            q(0.1),
            q(0.25),
            q(0.5),
            q(0.75),
            q(0.9)
        );
    }
    println!("  unknown among right {unknown_right}, among wrong {unknown_wrong}");
    println!(
        "  flagged still: {flagged} of {} standing-still windows, {still_right} right and {still_wrong} wrong action windows",
        flagged + still.len()
    );
    println!(
        "events (--event-enter {} --event-exit {} --event-min-windows {}), per class: recordings with its event (of 2), events of other classes",
        config.enter, config.exit, config.min_windows
    );
    let found: u32 = detected.iter().map(|d| d.1).sum();
    let other: u32 = detected.iter().map(|d| d.2).sum();
    println!(
        "  in all: {found} of {} recordings gave an event of their class; {other} events named another class",
        2 * detected.len()
    );
    detected.sort_by_key(|&(_, found, other)| (std::cmp::Reverse(found), other));
    for row in detected.chunks(4) {
        let cells: Vec<String> = row
            .iter()
            .map(|(name, found, other)| format!("{:<28.28} {found} {other}", name))
            .collect();
        println!("  {}", cells.join("  "));
    }
    Ok(())
}
