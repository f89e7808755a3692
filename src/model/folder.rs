//! The model folder that `scale train scale` / `scale export` write and the server and
//! `scale eval` read:
//!
//! | file | what |
//! |---|---|
//! | `encoder.onnx` | `skeleton [B,3,T,25,2]` → `feature [B,F]` |
//! | `energy_head.onnx` | `feature [B,F]` + class tensors `[K,…]` → `energy [B,K]` |
//! | `class_priors.safetensors` | the class tensors of every catalogue class (+ ids, names) |
//! | `class_text.json` | the class text embeddings they were made from |
//! | `cvae.safetensors`, `encoder.safetensors` | the weights, to rebuild priors or re-export |
//! | `model.json` | [`ModelInfo`]: window, normalisation, statistics, catalogue hash, split, accuracies |

use super::cvae::{ClassPriors, CvaeConfig, CvaeWeights};
use super::shift_gcn::ShiftGcnConfig;
use super::tensors::NamedTensors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const ENCODER_ONNX: &str = "encoder.onnx";
pub const ENERGY_HEAD_ONNX: &str = "energy_head.onnx";
pub const CLASS_PRIORS: &str = "class_priors.safetensors";
pub const CLASS_TEXT: &str = "class_text.json";
pub const CVAE_WEIGHTS: &str = "cvae.safetensors";
pub const ENCODER_WEIGHTS: &str = "encoder.safetensors";
pub const MODEL_JSON: &str = "model.json";

/// Accuracies measured when the model was made (fractions in [0, 1]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Accuracies {
    pub zsl_top1: f32,
    pub zsl_top5: f32,
    pub gzsl_seen: f32,
    pub gzsl_unseen: f32,
    pub gzsl_h: f32,
    /// Held-out accuracy of the encoder's own classifier on the seen classes.
    pub encoder_heldout: f32,
    /// Test samples behind the ZSL figure.
    pub n: usize,
}

/// `model.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub format: u32,
    pub encoder: ShiftGcnConfig,
    pub cvae: CvaeConfig,
    /// Frames per window (= encoder.window) and the normalisation applied before the encoder.
    pub window: usize,
    pub normalisation: String,
    /// Feature statistics (also inside the energy head): mean and std of the seen training features.
    pub feature_mean: Vec<f32>,
    pub feature_std: Vec<f32>,
    pub catalog: String,
    pub catalog_hash: String,
    pub data: String,
    pub split: String,
    pub seen: Vec<u32>,
    pub unseen: Vec<u32>,
    /// Added to the energies of seen classes in generalised zero-shot ranking (calibrated on the
    /// seen-class validation split).
    pub gzsl_offset: f32,
    /// A window whose best energy is above this is reported as unknown (95th percentile of the
    /// best energy of held-out seen-class windows).
    pub unknown_threshold: f32,
    pub accuracies: Accuracies,
    /// Free-form provenance: commands, seeds, training time.
    pub provenance: BTreeMap<String, String>,
}

impl ModelInfo {
    pub fn load(dir: &Path) -> Result<ModelInfo, String> {
        let p = dir.join(MODEL_JSON);
        let text = std::fs::read_to_string(&p).map_err(|e| {
            format!(
                "{}: cannot read: {e} (is {} a model folder?)",
                p.display(),
                dir.display()
            )
        })?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    }

    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let p = dir.join(MODEL_JSON);
        std::fs::write(
            &p,
            serde_json::to_string_pretty(self).expect("serialises") + "\n",
        )
        .map_err(|e| format!("{}: {e}", p.display()))
    }
}

/// Writes a class-prior cache.
pub fn save_priors(
    p: &ClassPriors,
    hidden: usize,
    latent: usize,
    catalog_hash: &str,
    path: &Path,
) -> Result<(), String> {
    let k = p.len();
    let mut t = NamedTensors::default();
    t.insert("enc_h", vec![k, hidden], p.enc_h.clone());
    t.insert("dec_h", vec![k, hidden], p.dec_h.clone());
    t.insert("prior_mu", vec![k, latent], p.prior_mu.clone());
    t.insert("prior_logvar", vec![k, latent], p.prior_logvar.clone());
    let mut meta = BTreeMap::new();
    meta.insert(
        "ids".into(),
        serde_json::to_string(&p.ids).expect("serialises"),
    );
    meta.insert(
        "names".into(),
        serde_json::to_string(&p.names).expect("serialises"),
    );
    meta.insert("catalog_hash".into(), catalog_hash.to_string());
    t.save(path, &meta)
}

/// Reads a class-prior cache and the hash of the catalogue it was made from.
pub fn load_priors(
    path: &Path,
    hidden: usize,
    latent: usize,
) -> Result<(ClassPriors, String), String> {
    let (t, meta) = NamedTensors::load(path)?;
    let field = |k: &str| {
        meta.get(k)
            .ok_or_else(|| format!("{}: no {k} in the metadata", path.display()))
    };
    let ids: Vec<u32> = serde_json::from_str(field("ids")?).map_err(|e| e.to_string())?;
    let names: Vec<String> = serde_json::from_str(field("names")?).map_err(|e| e.to_string())?;
    let k = ids.len();
    Ok((
        ClassPriors {
            ids,
            names,
            enc_h: t.take("enc_h", &[k, hidden])?,
            dec_h: t.take("dec_h", &[k, hidden])?,
            prior_mu: t.take("prior_mu", &[k, latent])?,
            prior_logvar: t.take("prior_logvar", &[k, latent])?,
        },
        field("catalog_hash")?.clone(),
    ))
}

/// Reads a folder's CVAE weights (`cvae.safetensors`, with its config in the metadata).
pub fn load_cvae(dir: &Path) -> Result<CvaeWeights, String> {
    let path = dir.join(CVAE_WEIGHTS);
    let (t, meta) = NamedTensors::load(&path)?;
    let cfg: CvaeConfig = serde_json::from_str(
        meta.get("cvae_config")
            .ok_or_else(|| format!("{}: no cvae_config", path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    CvaeWeights::from_tensors(&cfg, &t)
}
