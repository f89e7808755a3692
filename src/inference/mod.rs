//! Running a model folder in ONNX Runtime: the Shift-GCN encoder and the energy head against
//! the cached class priors, for batches (`scale eval`, feature extraction); the streaming server
//! runs the same sessions through `stream::engine::LabelEngine` with preallocated tensors.

use crate::catalog::Catalog;
use crate::export::{energy_head, shift_gcn};
use crate::model::cvae::ClassPriors;
use crate::model::folder::{self, ModelInfo};
use crate::runtime::{self, SessionOptions};
use ndarray::{Array, Array2};
use ort::session::Session;
use ort::value::TensorRef;
use std::path::Path;

/// What [`Recognizer::into_sessions`] hands over.
pub struct Sessions {
    pub info: ModelInfo,
    pub priors: ClassPriors,
    pub encoder: Session,
    pub head: Session,
    pub one_body: Option<Session>,
}

/// A loaded model folder.
pub struct Recognizer {
    pub info: ModelInfo,
    pub priors: ClassPriors,
    /// sha256 of the catalogue the priors were made from.
    pub priors_catalog_hash: String,
    encoder: Session,
    head: Session,
    /// The encoder on body slot 0 alone, when the folder has a sealed `encoder_1body.onnx`.
    one_body: Option<Session>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Recognizer {
    pub fn load(dir: &Path, options: SessionOptions) -> Result<Recognizer, String> {
        let (info, manifest) = ModelInfo::load_sealed(dir)?;
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let encoder = runtime::session(&read(folder::ENCODER_ONNX)?, options).map_err(err)?;
        let head = runtime::session(&read(folder::ENERGY_HEAD_ONNX)?, options).map_err(err)?;
        let one_body = if manifest.lists(folder::ENCODER_ONE_BODY_ONNX) {
            let p = dir.join(folder::ENCODER_ONE_BODY_ONNX);
            Some(
                runtime::session(&read(folder::ENCODER_ONE_BODY_ONNX)?, options).map_err(|e| {
                    format!(
                        "{}: {e} (re-export the folder with `scale export --model {}`)",
                        p.display(),
                        dir.display()
                    )
                })?,
            )
        } else {
            None
        };
        let (priors, priors_catalog_hash) = folder::load_priors(
            &dir.join(folder::CLASS_PRIORS),
            info.cvae.hidden,
            info.cvae.latent,
        )?;
        Ok(Recognizer {
            info,
            priors,
            priors_catalog_hash,
            encoder,
            head,
            one_body,
        })
    }

    /// The sessions (encoder, energy head, and the one-body encoder if the folder has one), for
    /// callers that run them with their own preallocated tensors.
    pub fn into_sessions(self) -> Sessions {
        Sessions {
            info: self.info,
            priors: self.priors,
            encoder: self.encoder,
            head: self.head,
            one_body: self.one_body,
        }
    }

    /// Features `[n, F]` of normalised windows `[n, 3, T, 25, 2]` (flattened).
    pub fn features(&mut self, windows: &[f32], n: usize) -> Result<Vec<f32>, String> {
        let input = Array::from_shape_vec([n, 3, self.info.window, 25, 2], windows.to_vec())
            .map_err(err)?;
        let out = self
            .encoder
            .run(ort::inputs![shift_gcn::INPUT => TensorRef::from_array_view(&input).map_err(err)?])
            .map_err(err)?;
        let (_, data) = out[shift_gcn::OUTPUT]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        Ok(data.to_vec())
    }

    /// Energies `[n, K]` of features `[n, F]` against `priors`.
    pub fn energies(&mut self, features: &[f32], priors: &ClassPriors) -> Result<Vec<f32>, String> {
        let c = &self.info.cvae;
        let (f, hd, z, k) = (c.feature_dim, c.hidden, c.latent, priors.len());
        let n = features.len() / f;
        let x = Array2::from_shape_vec((n, f), features.to_vec()).map_err(err)?;
        let enc_h = Array2::from_shape_vec((k, hd), priors.enc_h.clone()).map_err(err)?;
        let dec_h = Array2::from_shape_vec((k, hd), priors.dec_h.clone()).map_err(err)?;
        let mu = Array2::from_shape_vec((k, z), priors.prior_mu.clone()).map_err(err)?;
        let lv = Array2::from_shape_vec((k, z), priors.prior_logvar.clone()).map_err(err)?;
        let out = self
            .head
            .run(ort::inputs![
                energy_head::FEATURE => TensorRef::from_array_view(&x).map_err(err)?,
                energy_head::ENC_H => TensorRef::from_array_view(&enc_h).map_err(err)?,
                energy_head::DEC_H => TensorRef::from_array_view(&dec_h).map_err(err)?,
                energy_head::PRIOR_MU => TensorRef::from_array_view(&mu).map_err(err)?,
                energy_head::PRIOR_LOGVAR => TensorRef::from_array_view(&lv).map_err(err)?,
            ])
            .map_err(err)?;
        let (_, data) = out[energy_head::ENERGY]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        Ok(data.to_vec())
    }
}

/// Priors of every class of `catalog` for the model in `dir`: from the folder's cache when it
/// was made from this catalogue, else from the classes' text, embedded now (in memory; the
/// folder is not changed), exactly as `scale classes` would make them.
pub fn catalog_priors(dir: &Path, catalog: &Catalog) -> Result<ClassPriors, String> {
    let info = ModelInfo::load(dir)?;
    let (cached, hash) = folder::load_priors(
        &dir.join(folder::CLASS_PRIORS),
        info.cvae.hidden,
        info.cvae.latent,
    )?;
    if hash == catalog.hash {
        return Ok(cached);
    }
    let cvae = folder::load_cvae(dir)?;
    let mut encoder = crate::text::TextEncoder::load().map_err(err)?;
    let emb = crate::text::classes::ClassEmbeddings::build(catalog, &mut encoder).map_err(err)?;
    let ids: Vec<u32> = catalog.classes.iter().map(|c| c.id).collect();
    crate::train::pipeline::priors_for(&cvae, catalog, &emb, &ids)
}
