//! Recordings labelled offline, through exactly what `scale serve` runs, and accuracy on
//! labelled folders (`scale eval --data DIR --catalog FILE`, `scale label`).
//!
//! A recording's frames go through the server's per-frame step ([`Core`]: the window assembler
//! with its ring buffers, the shared normaliser, the encoder and the energy head in ONNX Runtime,
//! the calibrated ranking), one stream per clip. A clip shorter than a window is padded as a
//! live stream would see it: the person standing still in their first pose before and in their
//! last pose after. A clip's prediction is the mean of its windows' normalised scores.

pub mod confusion;

use crate::catalog::Catalog;
use crate::protocol::SkeletonFrame;
use crate::recording::labels::LabelledClip;
use crate::recording::{self, ReadOptions};
use crate::stream::engine::LabelEngine;
use crate::stream::server::{Core, DEFAULT_WINDOW};
use crate::stream::stats::Counters;
use crate::stream::window::{WindowAssembler, WindowConfig, WindowInfo};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// One labelled window of a recording.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowLabel {
    /// First and last frame of the window, 0-based positions in the recording (padding frames
    /// are outside `0..frames`: negative before, `frames` and on after).
    pub first: i64,
    pub last: i64,
    /// Capture times of the first and last frame (µs, the recording's clock).
    pub t_first_us: u64,
    pub t_last_us: u64,
    /// Normalised score of every candidate class (summing to 1), in [`Labeller::class_names`] order.
    pub scores: Vec<f32>,
    /// Candidate indices, best first (all of them).
    pub order: Vec<usize>,
    pub unknown: bool,
    /// The most a body of the window moves (metres) and whether that is below the still
    /// threshold (`docs/protocol.md`, "Standing still").
    pub motion: f32,
    pub still: bool,
    /// Tracking ids of the bodies in the window (one, or two for an interaction; with more than
    /// two people in view, a frame range has a window per two of them).
    pub bodies: Vec<u64>,
}

/// The windows of one recording.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordingLabels {
    pub windows: Vec<WindowLabel>,
    /// Frames of padding before and after (a recording shorter than a window).
    pub padded: (usize, usize),
    /// Mean of the windows' scores (empty when no window formed: no body in enough frames).
    pub mean: Vec<f32>,
}

impl RecordingLabels {
    /// Candidate indices by mean score, best first.
    pub fn ranked(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.mean.len()).collect();
        idx.sort_by(|&a, &b| self.mean[b].total_cmp(&self.mean[a]).then(a.cmp(&b)));
        idx
    }
}

/// Labels recordings window by window with a model's engine, as the server does.
pub struct Labeller {
    core: Core,
    window: usize,
    out: Vec<u8>,
}

impl Labeller {
    /// `window` sensor frames per window (`None`: as the server chooses, the model's training
    /// window or 64), a window every `stride` frames.
    pub fn new(engine: LabelEngine, window: Option<usize>, stride: usize) -> Labeller {
        let window = window
            .or(engine.sensor_window())
            .unwrap_or(DEFAULT_WINDOW)
            .max(2);
        let config = WindowConfig {
            window,
            model_frames: engine.model_frames(),
            stride: stride.max(1),
            // A recording's body never expires mid-clip unless it really leaves.
            expire_after: 30,
        };
        Labeller {
            core: Core::new(engine, config, Arc::new(Counters::default())),
            window,
            out: Vec::with_capacity(4096),
        }
    }

    /// Sensor frames per window.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Names of the candidate classes, in score order.
    pub fn class_names(&self) -> &[String] {
        self.core.engine().class_names()
    }

    /// Labels one recording (a new stream: nothing carries over from the previous one).
    pub fn label(&mut self, frames: &[SkeletonFrame]) -> Result<RecordingLabels, String> {
        self.core.reset();
        let (stream, padded) = padded_stream(frames, self.window);
        let pre = padded.0 as i64;
        let mut windows = Vec::new();
        for f in &stream {
            let mut next = self.core.on_frame(f, Instant::now(), &mut self.out)?;
            while let Some(summary) = next {
                let engine = self.core.engine();
                let w = summary.window;
                windows.push(WindowLabel {
                    first: w.seq_first as i64 - 1 - pre,
                    last: w.seq_last as i64 - 1 - pre,
                    t_first_us: w.t_first_us,
                    t_last_us: w.t_last_us,
                    scores: engine.scores().to_vec(),
                    order: engine.order().to_vec(),
                    unknown: summary.unknown,
                    motion: w.motion,
                    still: w.still,
                    bodies: w.bodies.iter().flatten().copied().collect(),
                });
                next = self.core.next_window(Instant::now(), &mut self.out)?;
            }
        }
        let k = self.class_names().len();
        let mut mean = vec![0.0f32; if windows.is_empty() { 0 } else { k }];
        for w in &windows {
            for (m, s) in mean.iter_mut().zip(&w.scores) {
                *m += s / windows.len() as f32;
            }
        }
        Ok(RecordingLabels {
            windows,
            padded,
            mean,
        })
    }
}

/// The windows the server would form over a recording (padded as [`Labeller::label`] pads it),
/// without running a model: their frames, bodies and motion.
pub fn windows_of(frames: &[SkeletonFrame], config: WindowConfig) -> Vec<WindowInfo> {
    let mut assembler = WindowAssembler::new(config);
    let (stream, _) = padded_stream(frames, config.window);
    let mut out = Vec::new();
    for f in &stream {
        let Ok(mut next) = assembler.push(f) else {
            continue;
        };
        while let Some(w) = next {
            out.push(w);
            next = assembler.next_window();
        }
    }
    out
}

/// The frames as one stream: `seq` renumbered from 1, and, when there are fewer than `window`,
/// the first frame held before and the last held after (as many as needed, split evenly) at
/// the recording's frame interval. Returns the frames and the padding (before, after).
pub fn padded_stream(
    frames: &[SkeletonFrame],
    window: usize,
) -> (Vec<SkeletonFrame>, (usize, usize)) {
    let missing = window.saturating_sub(frames.len());
    let (pre, post) = if frames.is_empty() {
        (0, 0)
    } else {
        (missing / 2, missing - missing / 2)
    };
    let step = match frames {
        [a, b, ..] => b.t_us.saturating_sub(a.t_us).max(1),
        _ => 33_333,
    };
    let mut out = Vec::with_capacity(frames.len() + missing);
    if let (Some(first), Some(last)) = (frames.first(), frames.last()) {
        for i in 0..pre {
            let mut f = first.clone();
            f.t_us = first.t_us.saturating_sub(step * (pre - i) as u64);
            out.push(f);
        }
        out.extend(frames.iter().cloned());
        for i in 0..post {
            let mut f = last.clone();
            f.t_us = last.t_us.saturating_add(step * (i + 1) as u64);
            out.push(f);
        }
    }
    for (i, f) in out.iter_mut().enumerate() {
        f.seq = i as u64 + 1;
    }
    (out, (pre, post))
}

/// One clip's result in an evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClipResult {
    pub file: String,
    /// 0-based inclusive frame range of the clip in its file.
    pub range: (usize, usize),
    pub label: String,
    /// Index of the true class among the candidates.
    pub truth: usize,
    /// The best three candidates by mean score (names), best first; empty with no window.
    pub top: Vec<String>,
    pub top1: bool,
    pub top3: bool,
    pub windows: usize,
    /// Windows whose own top-1 is the true class.
    pub windows_top1: usize,
    pub padded: usize,
}

/// Per-class figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassResult {
    pub name: String,
    pub clips: usize,
    pub top1: f64,
    pub top3: f64,
}

/// Accuracy of a model on a labelled folder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub catalog: String,
    /// Candidate classes, in the confusion matrix's order.
    pub classes: Vec<String>,
    pub clips: usize,
    /// Per clip, by the mean of its windows' scores.
    pub top1: f64,
    pub top3: f64,
    pub chance_top1: f64,
    pub chance_top3: f64,
    /// Per window.
    pub window_top1: f64,
    pub windows: usize,
    /// Clips in which no window formed (counted as wrong).
    pub clips_without_windows: usize,
    /// Clips shorter than a window (padded).
    pub clips_padded: usize,
    /// Only the classes that have clips.
    pub per_class: Vec<ClassResult>,
    /// `confusion[true][predicted]` clip counts over all candidates.
    pub confusion: Vec<Vec<usize>>,
    pub per_clip: Vec<ClipResult>,
}

/// Evaluates `labeller` (whose candidates are the classes of `catalog`) on labelled clips.
/// Every label must name a candidate class; every segment must lie inside its file.
pub fn evaluate(
    labeller: &mut Labeller,
    catalog: &Catalog,
    clips: &[LabelledClip],
    source: &str,
    options: &ReadOptions,
) -> Result<Report, String> {
    let names = labeller.class_names().to_vec();
    let k = names.len();
    let mut cache: HashMap<(PathBuf, Option<PathBuf>), Vec<SkeletonFrame>> = HashMap::new();
    let mut per_clip = Vec::with_capacity(clips.len());
    let mut confusion = vec![vec![0usize; k]; k];
    let (mut windows, mut windows_right) = (0usize, 0usize);
    for clip in clips {
        let at = |msg: String| format!("{source}:{}: {msg}", clip.line);
        let truth = names.iter().position(|n| *n == clip.label).ok_or_else(|| {
            at(format!(
                "label {:?} is not a class of catalogue {} (its classes: {})",
                clip.label,
                catalog.name,
                names.join(", ")
            ))
        })?;
        let key = (clip.file.clone(), clip.skeleton.clone());
        if !cache.contains_key(&key) {
            let mut opts = options.clone();
            if clip.skeleton.is_some() {
                opts.asf = clip.skeleton.clone();
            }
            let frames = recording::read(&clip.file, &opts).map_err(at)?;
            cache.insert(key.clone(), frames);
        }
        let frames = &cache[&key];
        if frames.is_empty() {
            return Err(at(format!("{} has no frames", clip.file.display())));
        }
        let (s, e) = clip.range.unwrap_or((0, frames.len() - 1));
        if e >= frames.len() {
            return Err(at(format!(
                "end {e} is past the last frame of {} ({} frames, 0-based)",
                clip.file.display(),
                frames.len()
            )));
        }
        let labels = labeller.label(&frames[s..=e])?;
        let ranked = labels.ranked();
        let right = labels
            .windows
            .iter()
            .filter(|w| w.order.first() == Some(&truth))
            .count();
        windows += labels.windows.len();
        windows_right += right;
        if let Some(&p) = ranked.first() {
            confusion[truth][p] += 1;
        }
        per_clip.push(ClipResult {
            file: clip.file.display().to_string(),
            range: (s, e),
            label: clip.label.clone(),
            truth,
            top: ranked.iter().take(3).map(|&i| names[i].clone()).collect(),
            top1: ranked.first() == Some(&truth),
            top3: ranked.iter().take(3).any(|&i| i == truth),
            windows: labels.windows.len(),
            windows_top1: right,
            padded: labels.padded.0 + labels.padded.1,
        });
    }
    let n = per_clip.len().max(1) as f64;
    let frac =
        |f: &dyn Fn(&ClipResult) -> bool| per_clip.iter().filter(|c| f(c)).count() as f64 / n;
    let per_class = (0..k)
        .filter_map(|c| {
            let mine: Vec<&ClipResult> = per_clip.iter().filter(|r| r.truth == c).collect();
            (!mine.is_empty()).then(|| ClassResult {
                name: names[c].clone(),
                clips: mine.len(),
                top1: mine.iter().filter(|r| r.top1).count() as f64 / mine.len() as f64,
                top3: mine.iter().filter(|r| r.top3).count() as f64 / mine.len() as f64,
            })
        })
        .collect();
    Ok(Report {
        catalog: catalog.name.clone(),
        classes: names,
        clips: per_clip.len(),
        top1: frac(&|c| c.top1),
        top3: frac(&|c| c.top3),
        chance_top1: 1.0 / k as f64,
        chance_top3: 3.min(k) as f64 / k as f64,
        window_top1: windows_right as f64 / windows.max(1) as f64,
        windows,
        clips_without_windows: per_clip.iter().filter(|c| c.windows == 0).count(),
        clips_padded: per_clip.iter().filter(|c| c.padded > 0).count(),
        per_class,
        confusion,
        per_clip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{BodyFrame, Layout};

    fn frame(seq: u64, x: f32) -> SkeletonFrame {
        SkeletonFrame {
            seq,
            t_us: 1_000 + seq * 33_333,
            layout: Layout::KinectV2,
            bodies: vec![BodyFrame {
                id: 1,
                joints: vec![[x, 0.0, 3.0]; 25],
                tracking: None,
            }],
        }
    }

    #[test]
    fn short_clips_are_held_still_before_and_after() {
        let frames: Vec<_> = (10..15).map(|s| frame(s, s as f32)).collect();
        let (out, (pre, post)) = padded_stream(&frames, 10);
        assert_eq!((out.len(), pre, post), (10, 2, 3));
        assert!(out.iter().enumerate().all(|(i, f)| f.seq == i as u64 + 1));
        assert_eq!(out[0].bodies[0].joints[0][0], 10.0);
        assert_eq!(out[1].t_us, frames[0].t_us - 33_333);
        assert_eq!(
            out[2],
            SkeletonFrame {
                seq: 3,
                ..frames[0].clone()
            }
        );
        assert_eq!(out[9].bodies[0].joints[0][0], 14.0);
        assert_eq!(out[9].t_us, frames[4].t_us + 3 * 33_333);
        // Long enough: only renumbered.
        let (out, pad) = padded_stream(&frames, 5);
        assert_eq!((out.len(), pad, out[0].seq), (5, (0, 0), 1));
        assert_eq!(padded_stream(&[], 64).0.len(), 0);
    }
}
