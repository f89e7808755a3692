//! The one-body encoder (`encoder_1body.onnx`): a one-person window through it gets the full
//! encoder's feature, energies and ranking; a two-person window never takes it; a folder
//! without it labels as before; one whose one-body graph does not match its encoder is refused
//! naming the file; an unsealed one is left alone.

mod common;

use scale::export::shift_gcn;
use scale::model::folder;
use scale::runtime::SessionOptions;
use scale::stream::engine::LabelEngine;
use scale::stream::window::{WindowAssembler, WindowConfig};
use std::path::Path;

/// Normalised windows of a synthetic recording of `class` (stride 4, the model's T).
fn windows(class: &str, seed: u64) -> Vec<Vec<f32>> {
    let frames = common::synthetic_recording(class, 9, 2, seed);
    let mut asm = WindowAssembler::new(WindowConfig {
        window: 32,
        model_frames: 32,
        stride: 4,
        expire_after: 30,
    });
    let mut out = Vec::new();
    for f in &frames {
        if asm.push(f).unwrap().is_some() {
            out.push(asm.data().to_vec());
        }
    }
    assert!(out.len() >= 5, "{class}: {} windows", out.len());
    out
}

/// Feature, energies and order of a window, and whether the one-body encoder ran.
fn run(engine: &mut LabelEngine, w: &[f32]) -> (Vec<f32>, Vec<f32>, Vec<usize>, bool) {
    engine.encode(w).unwrap();
    let one = engine.last_one_body();
    engine.score().unwrap();
    engine.rank();
    (
        engine.feature().to_vec(),
        engine.energies().to_vec(),
        engine.order().to_vec(),
        one,
    )
}

fn max_diff(a: &[f32], b: &[f32]) -> (f32, f32) {
    let d = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    let scale = b.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    (d, scale)
}

#[test]
fn one_person_windows_through_the_one_body_encoder_match_the_full_encoder() {
    let mut fast =
        LabelEngine::load(&common::bundled_model(), SessionOptions::default(), 5).unwrap();
    assert!(
        fast.has_one_body(),
        "the bundled model has encoder_1body.onnx"
    );
    let mut full =
        LabelEngine::load(&common::bundled_model(), SessionOptions::default(), 5).unwrap();
    full.set_one_body(false);
    let mut checked = 0;
    for (class, seed) in [
        ("hand waving", 3),
        ("sitting down", 4),
        ("kicking something", 5),
    ] {
        for w in windows(class, seed) {
            assert!(w.iter().skip(1).step_by(2).all(|&v| v == 0.0), "one body");
            let (fa, ea, oa, one_a) = run(&mut fast, &w);
            let (fb, eb, ob, one_b) = run(&mut full, &w);
            assert!(one_a && !one_b, "{class}: {one_a} {one_b}");
            let (d, scale) = max_diff(&fa, &fb);
            assert!(
                d <= 1e-5 * scale.max(1.0),
                "{class}: feature {d} at {scale}"
            );
            let (d, scale) = max_diff(&ea, &eb);
            assert!(d <= 1e-4 * scale.max(1.0), "{class}: energy {d} at {scale}");
            assert_eq!(oa[..5], ob[..5], "{class}: top 5");
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} windows");
}

#[test]
fn two_person_windows_take_the_full_encoder() {
    let mut engine =
        LabelEngine::load(&common::bundled_model(), SessionOptions::default(), 5).unwrap();
    let ws = windows("handshaking", 6);
    for w in &ws {
        assert!(w.iter().skip(1).step_by(2).any(|&v| v != 0.0), "two bodies");
        engine.encode(w).unwrap();
        assert!(!engine.last_one_body());
    }
    // A second body present in a single value of the window is enough.
    let mut w = windows("hand waving", 7).remove(0);
    engine.encode(&w).unwrap();
    assert!(engine.last_one_body());
    w[1] = 0.25;
    engine.encode(&w).unwrap();
    assert!(!engine.last_one_body());
}

#[test]
fn a_folder_without_the_one_body_encoder_labels_as_before() {
    let dir = common::copy_of_bundled_model();
    std::fs::remove_file(dir.path().join(folder::ENCODER_ONE_BODY_ONNX)).unwrap();
    folder::write_manifest(dir.path()).unwrap();
    let mut old = LabelEngine::load(dir.path(), SessionOptions::default(), 5).unwrap();
    assert!(!old.has_one_body());
    old.set_one_body(true);
    let mut fast =
        LabelEngine::load(&common::bundled_model(), SessionOptions::default(), 5).unwrap();
    for w in windows("hand waving", 8) {
        let (fa, _, oa, one_a) = run(&mut fast, &w);
        let (fb, _, ob, one_b) = run(&mut old, &w);
        assert!(one_a && !one_b);
        let (d, scale) = max_diff(&fa, &fb);
        assert!(d <= 1e-5 * scale.max(1.0), "feature {d} at {scale}");
        assert_eq!(oa[0], ob[0]);
    }
}

fn load_error(dir: &Path) -> String {
    match LabelEngine::load(dir, SessionOptions::default(), 5) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn a_one_body_encoder_of_other_weights_is_refused_by_name() {
    let dir = common::copy_of_bundled_model();
    let (mut w, _) =
        scale::train::encoder::load_checkpoint(&dir.path().join(folder::ENCODER_WEIGHTS)).unwrap();
    w.units[3]
        .spatial
        .linear
        .w
        .iter_mut()
        .for_each(|x| *x *= 1.5);
    std::fs::write(
        dir.path().join(folder::ENCODER_ONE_BODY_ONNX),
        shift_gcn::export_one_body(&w).unwrap(),
    )
    .unwrap();
    folder::write_manifest(dir.path()).unwrap();
    let e = load_error(dir.path());
    assert!(
        e.contains("encoder_1body.onnx") && e.contains("does not compute encoder.onnx"),
        "{e}"
    );

    // The full graph in its place: refused by name too (its input has two body slots).
    std::fs::copy(
        dir.path().join(folder::ENCODER_ONNX),
        dir.path().join(folder::ENCODER_ONE_BODY_ONNX),
    )
    .unwrap();
    folder::write_manifest(dir.path()).unwrap();
    let e = load_error(dir.path());
    assert!(e.contains("encoder_1body.onnx"), "{e}");
}

#[test]
fn an_unsealed_one_body_encoder_is_left_alone() {
    let dir = common::copy_of_bundled_model();
    std::fs::remove_file(dir.path().join(folder::ENCODER_ONE_BODY_ONNX)).unwrap();
    folder::write_manifest(dir.path()).unwrap();
    // Put back after sealing: not in the manifest, so not loaded (and not an error).
    std::fs::write(
        dir.path().join(folder::ENCODER_ONE_BODY_ONNX),
        b"not a graph",
    )
    .unwrap();
    let engine = LabelEngine::load(dir.path(), SessionOptions::default(), 5).unwrap();
    assert!(!engine.has_one_body());
}
