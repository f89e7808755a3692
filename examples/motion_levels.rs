//! The window motion behind the still test's default (`docs/protocol.md`, "Standing still"):
//! percentiles of [`scale::skeleton::motion`] over 64-frame windows every 4 frames, through
//! the server's window assembler, for
//!
//! - synthetic standing still (the generator's rest script: breathing sway, sensor noise) under
//!   both sensor models, 40 performers each;
//! - synthetic actions, every catalogue class by two held-out performers, both sensor models;
//! - every labelled folder given (`labels.csv`, as `scale eval --data` reads them; e.g. the
//!   folders `scripts/real_sets.py` writes from the real development recordings).
//!
//! `cargo run --release --example motion_levels [-- LABELLED_DIR ...]`

use scale::catalog::Catalog;
use scale::evaluation::windows_of;
use scale::protocol::SkeletonFrame;
use scale::recording::{self, ReadOptions};
use scale::stream::window::WindowConfig;
use scale::synth::{self, Proportions, SampleSpec, Variation, noise::NoiseModel};
use std::path::Path;

const WINDOW: usize = 64;

/// The motion of every window of one recording, as the server forms them.
fn window_motion(frames: &[SkeletonFrame], out: &mut Vec<f32>) {
    let config = WindowConfig {
        window: WINDOW,
        model_frames: 32,
        stride: 4,
        expire_after: 30,
    };
    out.extend(windows_of(frames, config).iter().map(|w| w.motion));
}

fn print(name: &str, v: &mut [f32]) {
    if v.is_empty() {
        println!("  {name:<34} no windows");
        return;
    }
    v.sort_by(f32::total_cmp);
    let q = |p: f32| 1000.0 * v[((v.len() - 1) as f32 * p).round() as usize];
    println!(
        "  {name:<34} {:>6} windows  p1 {:5.1}  p5 {:5.1}  p10 {:5.1}  median {:5.1}  p90 {:5.1}  p99 {:5.1}",
        v.len(),
        q(0.01),
        q(0.05),
        q(0.1),
        q(0.5),
        q(0.9),
        q(0.99)
    );
    let below = |mm: f32| v.iter().filter(|&&m| m * 1000.0 < mm).count() as f32 / v.len() as f32;
    let shares: Vec<String> = CANDIDATES_MM
        .iter()
        .map(|&mm| format!("{mm:.0} mm {:.1} %", 100.0 * below(mm)))
        .collect();
    println!("    {:<32} below {}", "", shares.join(", "));
}

/// The four quietest of (motion, name), quietest first.
fn print_quietest(what: &str, mut v: Vec<(f32, String)>) {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quiet: Vec<String> = v
        .iter()
        .take(4)
        .map(|(m, n)| format!("{n} {:.0}", 1000.0 * m))
        .collect();
    println!("    quietest {what}: {}", quiet.join(", "));
}

/// Thresholds whose shares of still windows are printed.
const CANDIDATES_MM: [f32; 5] = [20.0, 25.0, 30.0, 35.0, 40.0];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("window motion (mm), {WINDOW}-frame windows every 4 frames:");
    let catalog = Catalog::builtin();
    for (model, label) in [
        (NoiseModel::Uniform, "uniform"),
        (NoiseModel::Measured, "measured"),
    ] {
        let mut still = Vec::new();
        for p in 0..40u16 {
            let spec = SampleSpec {
                class_id: 1,
                subject: 9 + p,
                camera: 1 + p % 3,
                replication: 1,
            };
            let seq =
                synth::stand_still(&spec, 2000, Variation::sensor(model, Proportions::Mixed))?;
            window_motion(&seq.to_frames(0, 30.0), &mut still);
        }
        print(&format!("synthetic standing still, {label}"), &mut still);
        let mut actions = Vec::new();
        let mut least: Vec<(f32, String)> = Vec::new();
        for class in &catalog.classes {
            let mut of_class = Vec::new();
            for rep in 0..2u16 {
                let spec = SampleSpec {
                    class_id: class.id,
                    subject: 9 + rep,
                    camera: 1 + rep,
                    replication: 1,
                };
                let seq = synth::generate_with(
                    class,
                    &spec,
                    1000,
                    Variation::sensor(model, Proportions::Mixed),
                )?;
                window_motion(&seq.to_frames(0, 30.0), &mut of_class);
            }
            of_class.sort_by(f32::total_cmp);
            least.push((of_class[of_class.len() / 2], class.name.clone()));
            actions.extend(of_class);
        }
        print(&format!("synthetic actions, {label}"), &mut actions);
        print_quietest("classes (median mm)", least);
    }
    for dir in std::env::args().skip(1) {
        let clips = recording::labels::read(Path::new(&dir))?;
        let mut v = Vec::new();
        let mut by_label: Vec<(String, Vec<f32>)> = Vec::new();
        for clip in &clips {
            let options = ReadOptions {
                asf: clip.skeleton.clone(),
                ..ReadOptions::default()
            };
            let frames = recording::read(&clip.file, &options)?;
            let (s, e) = clip.range.unwrap_or((0, frames.len().saturating_sub(1)));
            let mut of_clip = Vec::new();
            window_motion(&frames[s..=e.min(frames.len() - 1)], &mut of_clip);
            match by_label.iter_mut().find(|(l, _)| *l == clip.label) {
                Some((_, m)) => m.extend(&of_clip),
                None => by_label.push((clip.label.clone(), of_clip.clone())),
            }
            v.extend(of_clip);
        }
        print(&format!("{dir} ({} clips)", clips.len()), &mut v);
        let medians: Vec<(f32, String)> = by_label
            .into_iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(l, mut m)| {
                m.sort_by(f32::total_cmp);
                (m[m.len() / 10], l)
            })
            .collect();
        print_quietest("labels (p10 mm)", medians);
    }
    Ok(())
}
