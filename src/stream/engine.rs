//! From a normalised window to a label message: the encoder and the energy head of a model
//! folder (ONNX Runtime), ranking against the cached class priors, scores, the unknown flag and
//! per-stage latencies. The streaming server's inference thread will own one of these.

use super::window::WindowInfo;
use crate::inference::Recognizer;
use crate::model::cvae::ClassPriors;
use crate::protocol::{LABEL_VERSION, LabelMessage, RankedClass, StageLatency};
use crate::runtime::SessionOptions;
use std::path::Path;
use std::time::Instant;

/// When a window's last frame arrived and how long normalising it took.
#[derive(Clone, Copy, Debug)]
pub struct WindowTiming {
    pub arrived: Instant,
    pub normalise_us: u32,
}

/// Ranks windows against a class set.
pub struct LabelEngine {
    recognizer: Recognizer,
    candidates: ClassPriors,
    top_k: usize,
    threshold: f32,
}

fn micros(from: Instant, to: Instant) -> u32 {
    to.saturating_duration_since(from)
        .as_micros()
        .min(u128::from(u32::MAX)) as u32
}

impl LabelEngine {
    /// Loads a model folder; candidates are all classes of its prior cache.
    pub fn load(
        model: &Path,
        options: SessionOptions,
        top_k: usize,
    ) -> Result<LabelEngine, String> {
        let recognizer = Recognizer::load(model, options)?;
        let candidates = recognizer.priors.clone();
        if candidates.is_empty() {
            return Err(format!(
                "{}: the class-prior cache is empty",
                model.display()
            ));
        }
        let threshold = recognizer.info.unknown_threshold;
        Ok(LabelEngine {
            recognizer,
            candidates,
            top_k: top_k.max(1),
            threshold,
        })
    }

    /// Frames per window the model expects.
    pub fn window(&self) -> usize {
        self.recognizer.info.window
    }

    /// Labels one window (`data` as produced by the window assembler).
    pub fn label(
        &mut self,
        info: &WindowInfo,
        data: &[f32],
        timing: WindowTiming,
    ) -> Result<LabelMessage, String> {
        let start = Instant::now();
        let feature = self.recognizer.features(data, 1)?;
        let encoded = Instant::now();
        let energy = self.recognizer.energies(&feature, &self.candidates)?;
        let ranked = Instant::now();
        // Scores: softmax of −energy over all candidates (shifted by the best for stability).
        let best = energy.iter().copied().fold(f32::INFINITY, f32::min);
        let weights: Vec<f32> = energy.iter().map(|e| (best - e).exp()).collect();
        let total: f32 = weights.iter().sum();
        let mut order: Vec<usize> = (0..energy.len()).collect();
        order.sort_by(|&a, &b| energy[a].total_cmp(&energy[b]));
        let top = order
            .iter()
            .take(self.top_k)
            .map(|&k| RankedClass {
                id: self.candidates.ids[k],
                name: self.candidates.names[k].clone(),
                energy: energy[k],
                score: weights[k] / total,
            })
            .collect();
        let done = Instant::now();
        Ok(LabelMessage {
            v: LABEL_VERSION,
            bodies: info.bodies.iter().flatten().copied().collect(),
            seq_first: info.seq_first,
            seq_last: info.seq_last,
            t_first_us: info.t_first_us,
            t_us: info.t_last_us,
            top,
            unknown: best > self.threshold,
            latency_us: StageLatency {
                queue: micros(timing.arrived, start).saturating_sub(timing.normalise_us),
                normalise: timing.normalise_us,
                encoder: micros(start, encoded),
                energy_head: micros(encoded, ranked),
                total: micros(timing.arrived, done),
            },
        })
    }
}
