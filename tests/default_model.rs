//! The bundled default model: it recognises unseen classes well above chance, and its two ONNX
//! graphs run in Python's onnxruntime too, giving the numbers scale's runtime gives.

mod common;

use scale::catalog::Catalog;
use scale::inference::Recognizer;
use scale::runtime::SessionOptions;
use scale::synth::{self, SampleSpec};
use scale::train::data::{Augment, Dataset, windows};
use std::path::{Path, PathBuf};
use std::process::Command;

fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default")
}

/// `scale eval --json` of the bundled model on a fresh synthetic set (8 per class).
fn eval_json(extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["eval", "--model", model_dir().to_str().unwrap()])
        .args(["--split", "synth-35/5", "--per-class", "8", "--json"])
        .args(extra)
        .output()
        .unwrap();
    common::last_json_line(&out)
}

#[test]
fn scoring_variants_rank_on_the_same_weights() {
    let v = eval_json(&["--scoring"]);
    let variants = v["scoring"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|x| x["scoring"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "energy",
            "reconstruction",
            "kl",
            "kl_means",
            "latent_distance",
            "cosine"
        ]
    );
    // The shipped energy, computed in plain Rust, ranks exactly as the ONNX energy head.
    assert_eq!(variants[0]["zsl_top1"], v["zsl_top1"]);
    for x in variants {
        for key in ["zsl_top1", "calibrated_top1"] {
            assert!((0.0..=1.0).contains(&x[key].as_f64().unwrap()), "{x}");
        }
        for key in ["top_share", "calibrated_top_share"] {
            let share = x[key].as_f64().unwrap();
            assert!((0.2 - 1e-6..=1.0).contains(&share), "{x}");
        }
    }
}

#[test]
fn eval_json_reports_zsl_well_above_chance() {
    let v = eval_json(&[]);
    for key in ["zsl_top1", "zsl_top5", "gzsl_seen", "gzsl_unseen", "gzsl_h"] {
        let x = v[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{key} = {x}");
    }
    assert_eq!(
        (v["split"].as_str(), v["n"].as_u64()),
        (Some("synth-35/5"), Some(40))
    );
    let top1 = v["zsl_top1"].as_f64().unwrap();
    assert!(
        top1 >= 0.4,
        "ZSL top-1 {top1} is not well above the 5-way chance of 0.2"
    );
}

fn python() -> Option<String> {
    common::python_with("onnxruntime, numpy", "SCALE_REQUIRE_PYTHON_ORT")
}

#[test]
fn graphs_run_in_python_onnxruntime_with_the_same_numbers() {
    let Some(py) = python() else { return };
    let dir = model_dir();
    let mut rec = Recognizer::load(&dir, SessionOptions::default()).unwrap();
    // Two real windows of a synthetic recording.
    let catalog = Catalog::builtin();
    let tmp = tempfile::tempdir().unwrap();
    for (i, name) in ["drink water", "hand waving"].iter().enumerate() {
        let class = catalog.classes.iter().find(|c| c.name == *name).unwrap();
        let seq = synth::generate(
            class,
            &SampleSpec {
                class_id: class.id,
                subject: 1,
                camera: 2,
                replication: i as u16 + 1,
            },
            5,
        )
        .unwrap();
        seq.write(&tmp.path().join(format!(
                "{}.skeleton",
                SampleSpec {
                    class_id: class.id,
                    subject: 1,
                    camera: 2,
                    replication: i as u16 + 1
                }
                .sample_id()
            )))
        .unwrap();
    }
    std::fs::write(tmp.path().join("manifest.json"), "{}").unwrap();
    let data = Dataset::load(tmp.path()).unwrap();
    let refs: Vec<_> = data.samples.iter().collect();
    let w = windows(
        &refs,
        rec.info.window,
        Augment::NONE,
        &mut scale::rng::Rng::new(0),
    )
    .unwrap();
    let feats = rec.features(&w, 2).unwrap();
    let priors = rec.priors.clone();
    let energy = rec.energies(&feats, &priors).unwrap();
    let (k, hd, z) = (priors.len(), rec.info.cvae.hidden, rec.info.cvae.latent);
    let input = serde_json::json!({
        "skeleton": w, "skeleton_shape": [2, 3, rec.info.window, 25, 2],
        "enc_h": priors.enc_h, "enc_h_shape": [k, hd],
        "dec_h": priors.dec_h, "dec_h_shape": [k, hd],
        "prior_mu": priors.prior_mu, "prior_mu_shape": [k, z],
        "prior_logvar": priors.prior_logvar, "prior_logvar_shape": [k, z],
    });
    let input_path = tmp.path().join("input.json");
    std::fs::write(&input_path, input.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/onnx_check.py");
    let out = Command::new(&py)
        .arg(script)
        .arg(&dir)
        .arg(&input_path)
        .output()
        .unwrap();
    let v = common::last_json_line(&out);
    let vals = |key: &str| -> Vec<f32> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect()
    };
    let max_diff = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    assert_eq!(vals("feature").len(), feats.len());
    assert_eq!(vals("energy").len(), energy.len());
    let (df, de) = (
        max_diff(&vals("feature"), &feats),
        max_diff(&vals("energy"), &energy),
    );
    eprintln!(
        "python onnxruntime {}: feature diff {df:.2e}, energy diff {de:.2e}",
        v["onnxruntime"]
    );
    assert!(df < 1e-4 && de < 1e-4);
}

#[test]
fn eval_refuses_data_of_another_catalogue() {
    let Some(a1) = common::fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&a1, dir.path().join("S001C001P001R001A001.skeleton")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args([
            "eval",
            "--model",
            model_dir().to_str().unwrap(),
            "--split",
            "ntu60-55/5",
            "--data",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another catalogue") && err.contains("scale classes"),
        "{err}"
    );
}
