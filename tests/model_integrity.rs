//! Model folders are sealed by a `SHA256SUMS` manifest: the bundled model carries one, and a
//! missing, truncated or altered file is refused with its name before anything runs.

mod common;

use scale::inference::Recognizer;
use scale::model::folder::{self, Manifest};
use scale::runtime::SessionOptions;
use std::path::Path;
use std::process::Command;

fn load_error(dir: &Path) -> String {
    match Recognizer::load(dir, SessionOptions::default()) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn the_bundled_model_is_sealed_and_loads() {
    let m = folder::verify(&common::bundled_model()).unwrap();
    let names: Vec<&str> = m.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, folder::SEALED);
    for (name, hash) in &m.files {
        assert_eq!(
            &scale::wheel::sha256_file(&common::bundled_model().join(name)).unwrap(),
            hash,
            "{name}"
        );
    }
    let rec = Recognizer::load(
        common::copy_of_bundled_model().path(),
        SessionOptions::default(),
    );
    assert_eq!(rec.unwrap().priors.len(), 40);
}

#[test]
fn a_truncated_file_is_refused_by_name() {
    let dir = common::copy_of_bundled_model();
    let p = dir.path().join(folder::ENCODER_ONNX);
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let e = load_error(dir.path());
    assert!(e.contains("encoder.onnx") && e.contains("truncated"), "{e}");
    assert!(e.contains(&format!("{} bytes", bytes.len() / 2)), "{e}");
}

#[test]
fn an_altered_byte_is_refused_by_name() {
    for name in [
        folder::CLASS_PRIORS,
        folder::MODEL_JSON,
        folder::ENERGY_HEAD_ONNX,
    ] {
        let dir = common::copy_of_bundled_model();
        let p = dir.path().join(name);
        let mut bytes = std::fs::read(&p).unwrap();
        let i = bytes.len() - 3;
        bytes[i] ^= 0x01;
        std::fs::write(&p, &bytes).unwrap();
        let e = load_error(dir.path());
        assert!(e.contains(name) && e.contains("altered"), "{name}: {e}");
    }
}

#[test]
fn a_missing_file_or_manifest_is_refused_by_name() {
    let dir = common::copy_of_bundled_model();
    std::fs::remove_file(dir.path().join(folder::CVAE_WEIGHTS)).unwrap();
    let e = load_error(dir.path());
    assert!(
        e.contains("cvae.safetensors") && e.contains("SHA256SUMS"),
        "{e}"
    );

    let dir = common::copy_of_bundled_model();
    std::fs::remove_file(dir.path().join(folder::MANIFEST)).unwrap();
    let e = load_error(dir.path());
    assert!(
        e.contains("SHA256SUMS") && e.contains("scale export"),
        "{e}"
    );

    // A manifest that leaves out a file the folder cannot run without.
    let dir = common::copy_of_bundled_model();
    let p = dir.path().join(folder::MANIFEST);
    let kept: String = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with("class_priors.safetensors"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&p, kept).unwrap();
    let e = load_error(dir.path());
    assert!(e.contains("does not list class_priors.safetensors"), "{e}");
}

#[test]
fn manifest_lines_are_checked_with_their_line_number() {
    let h = "ab".repeat(32);
    let ok = Manifest::parse(&format!("{h}  model.json\n{h} *encoder.onnx\n"), "S").unwrap();
    assert_eq!(
        ok.files,
        vec![
            ("model.json".to_string(), h.clone()),
            ("encoder.onnx".to_string(), h.clone())
        ]
    );
    assert_eq!(
        ok.to_text(),
        format!("{h}  model.json\n{h}  encoder.onnx\n")
    );
    for (text, want) in [
        (format!("{h}  a\n{}  b\n", "AB".repeat(32)), "S:2:"),
        (format!("{h} a\n"), "S:1: expected"),
        (format!("{h}  ../model.json\n"), "not a file name"),
        (format!("{h}  a\n{h}  a\n"), "listed twice"),
        ("\n".to_string(), "S:1:"),
        (format!("{}  a\n", &h[..63]), "S:1:"),
        (format!("{}é  a\n", &h[..63]), "S:1:"),
    ] {
        let e = Manifest::parse(&text, "S").unwrap_err();
        assert!(e.contains(want), "{text:?}: {e}");
    }
}

#[test]
fn export_seals_a_folder_without_a_manifest() {
    let dir = common::copy_of_bundled_model();
    std::fs::remove_file(dir.path().join(folder::MANIFEST)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["export", "--model", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = folder::verify(dir.path()).unwrap();
    assert_eq!(m.files.len(), folder::SEALED.len());
    // The graphs, weights and model.json are re-exported byte for byte; the class priors are
    // recomputed from the text embeddings and agree to float rounding.
    let bundled = folder::verify(&common::bundled_model()).unwrap();
    for (name, hash) in &m.files {
        if name != folder::CLASS_PRIORS {
            assert!(
                bundled.files.contains(&(name.clone(), hash.clone())),
                "{name}"
            );
        }
    }
    let info = folder::ModelInfo::load(&common::bundled_model()).unwrap();
    let (h, z) = (info.cvae.hidden, info.cvae.latent);
    let (a, _) = folder::load_priors(&dir.path().join(folder::CLASS_PRIORS), h, z).unwrap();
    let (b, _) =
        folder::load_priors(&common::bundled_model().join(folder::CLASS_PRIORS), h, z).unwrap();
    assert_eq!((&a.ids, &a.names), (&b.ids, &b.names));
    let worst = a
        .prior_mu
        .iter()
        .chain(&a.enc_h)
        .zip(b.prior_mu.iter().chain(&b.enc_h))
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(worst < 1e-4, "priors differ by {worst}");
}
