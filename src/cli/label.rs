//! `scale label`: what a model says about recordings, window by window, then per file.

use super::stream::EngineOpts;
use super::{CliResult, RecordingOpts};
use crate::catalog::Catalog;
use crate::evaluation::{Labeller, RecordingLabels};
use crate::runtime::SessionOptions;
use crate::stream::engine::LabelEngine;
use serde_json::json;
use std::path::PathBuf;

/// Flags of `scale label`.
#[derive(Debug, clap::Args)]
pub struct LabelArgs {
    /// Recordings (`.skeleton`, `.jsonl`, `.bvh`, `.amc`), or folders of them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The candidates by name, comma-separated (e.g. "drink water,sit down"): known by their
    /// text alone.
    #[arg(long, conflicts_with = "catalog")]
    pub classes: Option<String>,
    /// The candidates: the classes of this catalogue (names and descriptions).
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// One JSON object per line: each window, then a summary per file.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineOpts,
    #[command(flatten)]
    pub recording: RecordingOpts,
}

fn top(labels: &[String], scores: &[f32], order: &[usize]) -> Vec<serde_json::Value> {
    order
        .iter()
        .map(|&i| json!({"name": labels[i], "score": scores[i]}))
        .collect()
}

fn line(labels: &[String], scores: &[f32], order: &[usize]) -> String {
    order
        .iter()
        .enumerate()
        .map(|(r, &i)| format!("{}. {} {:.2}", r + 1, labels[i], scores[i]))
        .collect::<Vec<_>>()
        .join("  ")
}

pub fn run(args: LabelArgs) -> CliResult {
    let catalog = match (&args.classes, &args.catalog) {
        (Some(names), _) => Some(Catalog::from_names(&names.split(',').collect::<Vec<_>>())?),
        (None, Some(path)) => Some(super::catalog_arg(path)?.0),
        (None, None) => None,
    };
    let e = &args.engine;
    if e.stride == 0 || e.window.is_some_and(|w| w < 2) {
        return Err("--stride must be at least 1 and --window at least 2 frames".into());
    }
    let options = args.recording.read_options()?;
    let engine = LabelEngine::load_with(
        &e.model,
        SessionOptions {
            intra_threads: e.threads.max(1),
            device: e.device,
        },
        e.top_k,
        catalog.as_ref(),
    )?;
    let mut labeller = Labeller::new(engine, e.window, e.stride);
    let names = labeller.class_names().to_vec();
    let k = e.top_k.clamp(1, names.len());
    let mut files = Vec::new();
    for f in &args.files {
        files.extend(crate::recording::files(f)?);
    }
    for file in &files {
        let frames = crate::recording::read(file, &options)?;
        let t0 = frames.first().map_or(0, |f| f.t_us);
        let labels: RecordingLabels = labeller.label(&frames)?;
        let secs = |t: u64| t.saturating_sub(t0) as f64 / 1e6;
        for w in &labels.windows {
            let order = &w.order[..k];
            if args.json {
                println!(
                    "{}",
                    json!({
                        "file": file.display().to_string(),
                        "first": w.first,
                        "last": w.last,
                        "t_first_s": secs(w.t_first_us),
                        "t_last_s": secs(w.t_last_us),
                        "bodies": w.bodies,
                        "top": top(&names, &w.scores, order),
                        "unknown": w.unknown,
                        "motion": w.motion,
                        "still": w.still,
                    })
                );
            } else {
                println!(
                    "{}  frames {:>5}..{:<5} {:>7.2}..{:<7.2} s  {}{}{}",
                    file.display(),
                    w.first,
                    w.last,
                    secs(w.t_first_us),
                    secs(w.t_last_us),
                    line(&names, &w.scores, order),
                    if w.unknown { "  (unknown)" } else { "" },
                    if w.still { "  (still)" } else { "" }
                );
            }
        }
        let ranked = labels.ranked();
        let order = &ranked[..k.min(ranked.len())];
        if args.json {
            println!(
                "{}",
                json!({
                    "file": file.display().to_string(),
                    "summary": true,
                    "frames": frames.len(),
                    "windows": labels.windows.len(),
                    "padded": labels.padded.0 + labels.padded.1,
                    "top": top(&names, &labels.mean, order),
                })
            );
        } else if labels.windows.is_empty() {
            println!(
                "{}: {} frames, no window (no body in enough frames)",
                file.display(),
                frames.len()
            );
        } else {
            println!(
                "{}: {} frames, {} windows{}; mean score  {}",
                file.display(),
                frames.len(),
                labels.windows.len(),
                if labels.padded != (0, 0) {
                    format!(
                        " (shorter than a window: held still for {} frames)",
                        labels.padded.0 + labels.padded.1
                    )
                } else {
                    String::new()
                },
                line(&names, &labels.mean, order)
            );
        }
    }
    Ok(())
}
