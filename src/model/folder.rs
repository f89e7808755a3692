//! The model folder that `scale train scale` / `scale export` write and the server and
//! `scale eval` read:
//!
//! | file | what |
//! |---|---|
//! | `encoder.onnx` | `skeleton [B,3,T,25,2]` → `feature [B,F]` |
//! | `encoder_1body.onnx` | optional: `skeleton [B,3,T,25,1]` → `body_feature [B,F]`, the same encoder on body slot 0 alone, which the streaming engine runs for one-person windows (`export::shift_gcn::export_one_body`) |
//! | `energy_head.onnx` | `feature [B,F]` + class tensors `[K,…]` → `energy [B,K]` |
//! | `class_priors.safetensors` | the class tensors of every catalogue class (+ ids, names) |
//! | `class_text.json` | the class text embeddings they were made from |
//! | `cvae.safetensors`, `encoder.safetensors` | the weights, to rebuild priors or re-export |
//! | `model.json` | [`ModelInfo`]: window, normalisation, statistics, catalogue hash, split, accuracies |
//! | `SHA256SUMS` | [`Manifest`]: the sha256 of each file above, in `sha256sum`'s format |
//!
//! Everything that writes a folder seals it last ([`write_manifest`]); [`ModelInfo::load`],
//! the entry of every reader, checks the manifest first ([`verify`]), so a missing, truncated
//! or altered file is refused by name before anything is run with it. A README or training log
//! beside them is not sealed: people edit those.

use super::cvae::{ClassPriors, CvaeConfig, CvaeWeights};
use super::shift_gcn::ShiftGcnConfig;
use super::tensors::NamedTensors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const ENCODER_ONNX: &str = "encoder.onnx";
pub const ENCODER_ONE_BODY_ONNX: &str = "encoder_1body.onnx";
pub const ENERGY_HEAD_ONNX: &str = "energy_head.onnx";
pub const CLASS_PRIORS: &str = "class_priors.safetensors";
pub const CLASS_TEXT: &str = "class_text.json";
pub const CVAE_WEIGHTS: &str = "cvae.safetensors";
pub const ENCODER_WEIGHTS: &str = "encoder.safetensors";
pub const MODEL_JSON: &str = "model.json";
pub const MANIFEST: &str = "SHA256SUMS";

/// The files a manifest seals: everything a reader of the folder loads.
pub const SEALED: [&str; 8] = [
    ENCODER_ONNX,
    ENCODER_ONE_BODY_ONNX,
    ENERGY_HEAD_ONNX,
    CLASS_PRIORS,
    CLASS_TEXT,
    CVAE_WEIGHTS,
    ENCODER_WEIGHTS,
    MODEL_JSON,
];

/// The files a manifest must list: a folder cannot be run without them.
const REQUIRED: [&str; 4] = [ENCODER_ONNX, ENERGY_HEAD_ONNX, CLASS_PRIORS, MODEL_JSON];

/// `SHA256SUMS`: one line per sealed file, `<sha256 in lowercase hex>  <file name>`, the
/// format of coreutils' `sha256sum` (so `sha256sum -c SHA256SUMS` checks a folder too).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    /// (file name, sha256 hex), in the file's order.
    pub files: Vec<(String, String)>,
}

impl Manifest {
    /// Parses a manifest; `source` names it in errors (with the line number).
    pub fn parse(text: &str, source: &str) -> Result<Manifest, String> {
        let mut files: Vec<(String, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let at = |m: String| format!("{source}:{}: {m}", i + 1);
            let (hash, name) = match (line.get(..64), line.get(64..66), line.get(66..)) {
                (Some(h), Some("  " | " *"), Some(n)) => (h, n),
                _ => {
                    return Err(at(format!(
                        "expected `<64 hex digits>  <file name>`, got {:?}",
                        line.chars().take(80).collect::<String>()
                    )));
                }
            };
            if !hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(at(format!("{hash:?} is not a lowercase hex sha256")));
            }
            if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
                return Err(at(format!("{name:?} is not a file name of the folder")));
            }
            if files.iter().any(|(n, _)| n == name) {
                return Err(at(format!("{name} is listed twice")));
            }
            files.push((name.to_string(), hash.to_string()));
        }
        Ok(Manifest { files })
    }

    /// Whether the manifest seals `name` (a file that is there but not listed was not sealed
    /// with the folder, so readers leave an optional one alone).
    pub fn lists(&self, name: &str) -> bool {
        self.files.iter().any(|(n, _)| n == name)
    }

    pub fn to_text(&self) -> String {
        self.files
            .iter()
            .map(|(name, hash)| format!("{hash}  {name}\n"))
            .collect()
    }
}

/// Seals a model folder: writes `SHA256SUMS` with the digest of each sealed file that is
/// present. Called last by everything that writes a folder.
pub fn write_manifest(dir: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    for name in SEALED {
        let p = dir.join(name);
        if p.is_file() {
            files.push((name.to_string(), crate::wheel::sha256_file(&p)?));
        }
    }
    let p = dir.join(MANIFEST);
    std::fs::write(&p, Manifest { files }.to_text()).map_err(|e| format!("{}: {e}", p.display()))
}

/// Checks a model folder against its manifest: every file it lists must be there with the same
/// sha256, and the files a folder cannot run without must be listed. The error names the first
/// file that is missing, truncated or altered.
pub fn verify(dir: &Path) -> Result<Manifest, String> {
    let p = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&p).map_err(|e| {
        format!(
            "{}: cannot read: {e} (a model folder carries a manifest of its files; \
             `scale export --model {}` re-exports the folder from its weights and writes one)",
            p.display(),
            dir.display()
        )
    })?;
    let m = Manifest::parse(&text, &p.display().to_string())?;
    for (name, want) in &m.files {
        let f = dir.join(name);
        let bytes = std::fs::metadata(&f).map_err(|e| {
            format!(
                "{}: cannot read: {e} (listed in {})",
                f.display(),
                p.display()
            )
        })?;
        let got = crate::wheel::sha256_file(&f)?;
        if &got != want {
            return Err(format!(
                "{}: its sha256 differs from the one in {} (the file is truncated or was \
                 altered; it now has {} bytes)",
                f.display(),
                p.display(),
                bytes.len()
            ));
        }
    }
    if let Some(name) = REQUIRED
        .iter()
        .find(|name| !m.files.iter().any(|(n, _)| n == *name))
    {
        return Err(format!("{}: does not list {name}", p.display()));
    }
    Ok(m)
}

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
    /// Reads `model.json` of a folder after checking the folder against its manifest.
    pub fn load(dir: &Path) -> Result<ModelInfo, String> {
        Ok(ModelInfo::load_sealed(dir)?.0)
    }

    /// [`ModelInfo::load`], with the checked manifest (which optional files the folder seals).
    pub fn load_sealed(dir: &Path) -> Result<(ModelInfo, Manifest), String> {
        if !dir.join(MODEL_JSON).is_file() && !dir.join(MANIFEST).is_file() {
            return Err(format!(
                "{}: no {MODEL_JSON} (is {} a model folder?)",
                dir.join(MODEL_JSON).display(),
                dir.display()
            ));
        }
        let manifest = verify(dir)?;
        Ok((ModelInfo::load_unverified(dir)?, manifest))
    }

    /// Reads `model.json` without the manifest check (`scale export`, which rewrites the
    /// folder and seals it anew).
    pub fn load_unverified(dir: &Path) -> Result<ModelInfo, String> {
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
