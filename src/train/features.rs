//! Skeleton features for the CVAE: windows of the dataset through the exported encoder in
//! ONNX Runtime (the same graph the server runs), clean and augmented.

use super::data::{Augment, Mirrors, Sample, labelled_windows};
use crate::export;
use crate::model::shift_gcn::ShiftGcnWeights;
use crate::rng::Rng;
use crate::runtime::{self, SessionOptions};
use ndarray::Array;
use ort::session::Session;
use ort::value::TensorRef;

/// An encoder session over the exported graph of some weights.
pub struct FeatureExtractor {
    session: Session,
    pub window: usize,
    /// Sensor frames per window the encoder was trained on (`None`: whole recordings).
    pub span: Option<usize>,
    /// The normalisation the encoder takes its windows with.
    pub input: crate::skeleton::normalize::Options,
    pub dim: usize,
}

impl FeatureExtractor {
    pub fn new(weights: &ShiftGcnWeights, threads: usize) -> Result<FeatureExtractor, String> {
        let onnx = export::shift_gcn::export(weights)?;
        let session = runtime::cpu_session(
            &onnx,
            SessionOptions {
                intra_threads: threads,
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
        Ok(FeatureExtractor {
            session,
            window: weights.config.window,
            span: weights.config.sensor_window,
            input: weights.config.input(),
            dim: weights.config.feature_dim(),
        })
    }

    /// Features `[n, F]` of normalised windows `[n, 3, T, 25, 2]`.
    pub fn run(&mut self, windows: Vec<f32>, n: usize) -> Result<Vec<f32>, String> {
        let input = Array::from_shape_vec([n, 3, self.window, 25, 2], windows)
            .map_err(|e| e.to_string())?;
        let out = self
            .session
            .run(ort::inputs![export::shift_gcn::INPUT => TensorRef::from_array_view(&input).map_err(|e| e.to_string())?])
            .map_err(|e| e.to_string())?;
        let (_, data) = out[export::shift_gcn::OUTPUT]
            .try_extract_tensor::<f32>()
            .map_err(|e| e.to_string())?;
        Ok(data.to_vec())
    }

    /// Features of samples, in batches of 64, over the windows the encoder was trained on, and
    /// the class each stands for: its sample's, or the mirror class's where `aug.mirror`
    /// mirrored the window (`data::labelled_windows`).
    pub fn features(
        &mut self,
        samples: &[&Sample],
        aug: Augment,
        mirrors: Option<&Mirrors>,
        rng: &mut Rng,
    ) -> Result<(Vec<f32>, Vec<u32>), String> {
        let mut out = Vec::with_capacity(samples.len() * self.dim);
        let mut labels = Vec::with_capacity(samples.len());
        for chunk in samples.chunks(64) {
            let aug = Augment {
                span: self.span,
                input: self.input,
                ..aug
            };
            let (w, y) = labelled_windows(chunk, self.window, aug, mirrors, rng)?;
            out.extend(self.run(w, chunk.len())?);
            labels.extend(y);
        }
        Ok((out, labels))
    }
}
