//! The training protocol's validation classes: a fold encoder leaves out exactly the classes
//! `scale train scale` validates on, and a fold encoder trained on other classes is refused.

use scale::catalog::Catalog;
use scale::synth::{self, SynthConfig};
use scale::train::data::Dataset;
use scale::train::encoder::seen_samples;
use scale::train::pipeline::validation_classes;
use std::path::PathBuf;
use std::process::Command;

fn tiny_synthetic_set(dir: &std::path::Path) {
    let catalog = Catalog::builtin();
    let config = SynthConfig::every_class(&catalog, 3, 6);
    synth::write_dataset(&catalog, &config, dir).unwrap();
}

#[test]
fn validation_classes_are_evenly_spread_seen_classes() {
    let seen: Vec<u32> = (1..=35).collect();
    assert_eq!(validation_classes(&seen, 5), [4, 11, 18, 25, 32]);
    assert_eq!(validation_classes(&seen, 1), [18]);
    assert_eq!(validation_classes(&seen[..3], 5), [1, 2, 3]);
}

#[test]
fn a_fold_leaves_out_exactly_the_validation_classes() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_synthetic_set(tmp.path());
    let data = Dataset::load(tmp.path()).unwrap();
    let (all, _, _) = seen_samples(&data, "synth-35/5", None).unwrap();
    let (fold, train, held) = seen_samples(&data, "synth-35/5", Some(5)).unwrap();
    assert_eq!(all.len(), 35);
    let val = validation_classes(&all, 5);
    assert_eq!(fold.len(), 30);
    assert!(fold.iter().all(|c| !val.contains(c)));
    assert!(all.iter().all(|c| fold.contains(c) || val.contains(c)));
    assert!(
        train
            .iter()
            .chain(&held)
            .all(|s| fold.contains(&s.class_id))
    );
}

#[test]
fn a_fold_encoder_of_other_classes_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_synthetic_set(tmp.path());
    // The bundled model's encoder saw all 35 seen classes: it is no fold encoder.
    let encoder =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default/encoder.safetensors");
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["train", "scale", "--split", "synth-35/5", "--epochs", "1"])
        .arg("--data")
        .arg(tmp.path())
        .arg("--encoder")
        .arg(&encoder)
        .arg("--fold-encoder")
        .arg(&encoder)
        .arg("--out")
        .arg(tmp.path().join("model"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fold encoder") && err.contains("--fold 5"),
        "{err}"
    );
}
