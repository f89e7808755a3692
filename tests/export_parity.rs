//! Exported graphs compute what the trainer computes: train a few steps on seeded data, export
//! with the project's ONNX writer, run in ONNX Runtime, compare with burn's forward.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use ndarray::Array;
use ort::value::TensorRef;
use scale::export;
use scale::model::shift_gcn::ShiftGcnConfig;
use scale::runtime::{self, SessionOptions};
use scale::train::{self, shift_gcn::ShiftGcn};

fn seeded(n: usize, seed: u64) -> Vec<f32> {
    let mut r = scale::rng::Rng::new(seed);
    (0..n).map(|_| r.normal() * 0.5).collect()
}

#[test]
fn shift_gcn_onnx_matches_burn_at_batch_1_and_8() {
    let config = ShiftGcnConfig {
        sensor_window: None,
        body_scale: false,
        centring: Default::default(),
        width: 0.25,
        window: 16,
        bodies: 2,
        num_classes: 5,
    };
    let dev = train::device(true);
    dev.seed(3);
    let mut model = ShiftGcn::new(&config, &dev);
    let mut opt = AdamWConfig::new().init();
    let n = 6;
    let shape = [n, 3, config.window, 25, 2];
    for step in 0..3 {
        let x = Tensor::<5>::from_data(
            TensorData::new(seeded(shape.iter().product(), step), shape),
            &dev,
        );
        let y = Tensor::<1, Int>::from_data(
            TensorData::new((0..n as i64).map(|i| i % 5).collect::<Vec<_>>(), [n]),
            &dev,
        );
        let (_, logits) = model.forward(x);
        let loss = CrossEntropyLossConfig::new().init(&dev).forward(logits, y);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = opt.step(1e-2, model, grads);
    }
    let eval = model.valid();
    let weights = eval.to_weights();
    // The running statistics moved away from their initial values, so BN folding is exercised.
    assert!(weights.data_bn.mean.iter().any(|m| m.abs() > 1e-3));
    let onnx = export::shift_gcn::export(&weights).unwrap();
    let mut session = runtime::cpu_session(&onnx, SessionOptions::default()).unwrap();
    let plain = train::device(false);
    for batch in [1usize, 8] {
        let shape = [batch, 3, config.window, 25, 2];
        let data = seeded(shape.iter().product(), 100 + batch as u64);
        let burn_out = train::shift_gcn::vec_of(eval.features(Tensor::<5>::from_data(
            TensorData::new(data.clone(), shape),
            &plain,
        )));
        let input = Array::from_shape_vec(shape, data).unwrap();
        let out = session.run(ort::inputs![export::shift_gcn::INPUT => TensorRef::from_array_view(&input).unwrap()]).unwrap();
        let (s, ort_out) = out[export::shift_gcn::OUTPUT]
            .try_extract_tensor::<f32>()
            .unwrap();
        assert_eq!(s.to_vec(), vec![batch as i64, config.feature_dim() as i64]);
        let diff = burn_out
            .iter()
            .zip(ort_out)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        eprintln!("shift-gcn parity, batch {batch}: max abs diff {diff:.2e}");
        assert!(diff <= 1e-4, "batch {batch}: max abs diff {diff}");
    }

    // The one-body graph against the same forward: with the second slot empty, the trainer's
    // feature moves by half of what body slot 0's feature moves (nothing mixes the bodies
    // before their mean), so 2 · (burn(x, 0) − burn(0, 0)) = one_body(x) − one_body(0).
    let onnx = export::shift_gcn::export_one_body(&weights).unwrap();
    let mut one = runtime::cpu_session(&onnx, SessionOptions::default()).unwrap();
    let batch = 4;
    let shape = [batch, 3, config.window, 25, 2];
    let mut data = seeded(shape.iter().product(), 200);
    data.iter_mut().skip(1).step_by(2).for_each(|v| *v = 0.0);
    let zeros = vec![0.0; data.len()];
    let burn = |d: &[f32]| {
        train::shift_gcn::vec_of(eval.features(Tensor::<5>::from_data(
            TensorData::new(d.to_vec(), shape),
            &plain,
        )))
    };
    let body = |one: &mut ort::session::Session, d: Vec<f32>| {
        let input = Array::from_shape_vec([batch, 3, config.window, 25, 1], d).unwrap();
        let out = one
            .run(ort::inputs![export::shift_gcn::INPUT => TensorRef::from_array_view(&input).unwrap()])
            .unwrap();
        let (s, v) = out[export::shift_gcn::BODY_OUTPUT]
            .try_extract_tensor::<f32>()
            .unwrap();
        assert_eq!(s.to_vec(), vec![batch as i64, config.feature_dim() as i64]);
        v.to_vec()
    };
    let (bx, b0) = (burn(&data), burn(&zeros));
    let ox = body(&mut one, data.iter().step_by(2).copied().collect());
    let o0 = body(&mut one, vec![0.0; data.len() / 2]);
    let diff = (0..bx.len())
        .map(|i| (2.0 * (bx[i] - b0[i]) - (ox[i] - o0[i])).abs())
        .fold(0.0f32, f32::max);
    let moved = (0..bx.len())
        .map(|i| (ox[i] - o0[i]).abs())
        .fold(0.0f32, f32::max);
    eprintln!(
        "one-body parity, batch {batch}: max abs diff {diff:.2e} (features move by up to {moved:.2e})"
    );
    assert!(moved > 1e-2, "the probe moves the feature ({moved})");
    assert!(diff <= 1e-4, "one-body graph: max abs diff {diff}");
}

use scale::model::cvae::{ClassPriors, CvaeConfig, CvaeWeights};
use scale::train::scale::{FitData, FitSettings, ScaleLoss};

/// Classes of the energy-head checks, and the standardisation of their features.
const CLASSES: usize = 4;
const MEAN: f32 = 0.1;
const STD: f32 = 1.5;

/// A small CVAE (F 24, hidden 40, latent 8) with the ranking β given.
fn small_config(class_conditioned: bool, score_beta: Option<f32>) -> CvaeConfig {
    CvaeConfig {
        feature_dim: 24,
        text_dim: 384,
        cond_dim: 32,
        hidden: 40,
        latent: 8,
        beta: 1.0,
        score_beta,
        class_conditioned,
        members: 1,
    }
}

/// The class texts of the checks.
fn class_texts() -> Vec<Vec<f32>> {
    (0..CLASSES).map(|c| seeded(384, 50 + c as u64)).collect()
}

/// A few training steps on seeded data (32 samples of 4 classes).
fn trained(config: &CvaeConfig, epochs: usize, seed: u64) -> CvaeWeights {
    let n = 32usize;
    let x = seeded(n * config.feature_dim, 7);
    let y: Vec<usize> = (0..n).map(|i| i % CLASSES).collect();
    let (mean, std) = (
        vec![MEAN; config.feature_dim],
        vec![STD; config.feature_dim],
    );
    let settings = FitSettings {
        epochs,
        batch: 8,
        lr: 1e-2,
        seed,
    };
    let data = FitData {
        x: &x,
        y: &y,
        texts: &class_texts(),
        views: &[],
    };
    scale::train::scale::fit(
        config,
        &ScaleLoss::default(),
        &data,
        &settings,
        &mean,
        &std,
        |_, _, _| true,
    )
    .valid()
    .to_weights(mean, std)
}

/// The class-prior cache of the checks' classes.
fn priors_of(w: &CvaeWeights) -> ClassPriors {
    let names: Vec<String> = (0..CLASSES).map(|c| format!("class {c}")).collect();
    let ids: Vec<u32> = (1..=CLASSES as u32).collect();
    w.class_priors(&ids, &names, &class_texts())
}

/// The exported energy head's energies `[batch, K]` in ONNX Runtime.
fn onnx_energies(w: &CvaeWeights, priors: &ClassPriors, feats: &[f32], batch: usize) -> Vec<f32> {
    let c = &w.config;
    let onnx = export::energy_head::export(w).unwrap();
    let mut session = runtime::cpu_session(&onnx, SessionOptions::default()).unwrap();
    let arr = |v: &[f32], r: usize, cols: usize| {
        ndarray::Array2::from_shape_vec((r, cols), v.to_vec()).unwrap()
    };
    let k = priors.len();
    let x = arr(feats, batch, c.feature_dim);
    let enc_h = arr(&priors.enc_h, k, c.hidden);
    let dec_h = arr(&priors.dec_h, k, c.hidden);
    let mu = arr(&priors.prior_mu, k, c.latent);
    let lv = arr(&priors.prior_logvar, k, c.latent);
    let out = session
        .run(ort::inputs![
            export::energy_head::FEATURE => TensorRef::from_array_view(&x).unwrap(),
            export::energy_head::ENC_H => TensorRef::from_array_view(&enc_h).unwrap(),
            export::energy_head::DEC_H => TensorRef::from_array_view(&dec_h).unwrap(),
            export::energy_head::PRIOR_MU => TensorRef::from_array_view(&mu).unwrap(),
            export::energy_head::PRIOR_LOGVAR => TensorRef::from_array_view(&lv).unwrap(),
        ])
        .unwrap();
    let (shape, e) = out[export::energy_head::ENERGY]
        .try_extract_tensor::<f32>()
        .unwrap();
    assert_eq!(shape.to_vec(), vec![batch as i64, k as i64]);
    e.to_vec()
}

/// Largest absolute difference of two equally long vectors.
fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max)
}

/// `score_beta`: the ranking energy's own KL weight (the training graph keeps β = 1, so it is
/// compared only without one).
fn energy_head_parity(class_conditioned: bool, score_beta: Option<f32>) {
    let config = small_config(class_conditioned, None);
    let k = CLASSES;
    let texts = class_texts();
    let mut w = trained(&config, 3, 1);
    let beta_one = w.clone();
    w.config.score_beta = score_beta;
    let priors = priors_of(&w);
    for batch in [1usize, 8] {
        let feats = seeded(batch * config.feature_dim, 200 + batch as u64);
        let ort_e = onnx_energies(&w, &priors, &feats, batch);
        let burn_e = scale::train::scale::energies(&w, &feats, &priors);
        let plain_e: Vec<f32> = feats
            .chunks_exact(config.feature_dim)
            .flat_map(|f| w.energies(f, &priors))
            .collect();
        // Burn's own training-graph energies agree too (conditions from the text projection).
        let dev = train::device(false);
        let m = scale::train::cvae::Cvae::from_weights(&w, &dev);
        let std_x: Vec<f32> = feats
            .chunks_exact(config.feature_dim)
            .flat_map(|r| r.iter().map(|v| (v - MEAN) / STD).collect::<Vec<_>>())
            .collect();
        let h = m.condition(Tensor::<2>::from_data(
            TensorData::new(texts.concat(), [k, 384]),
            &dev,
        ));
        let (pm, pl) = m.prior(h.clone());
        let train_e = train::shift_gcn::vec_of(
            m.energies(
                Tensor::<2>::from_data(TensorData::new(std_x, [batch, config.feature_dim]), &dev),
                h,
                pm,
                pl,
            )
            .energy,
        );
        let mut others = vec![("burn (cached priors)", &burn_e), ("plain Rust", &plain_e)];
        if score_beta.is_none() {
            others.push(("burn (training graph)", &train_e));
        } else {
            // The ranking β changes the energies: they are not those of β = 1.
            let e1 = scale::train::scale::energies(&beta_one, &feats, &priors);
            let moved = max_diff(&e1, &plain_e);
            assert!(moved > 1e-3, "score_beta had no effect ({moved})");
        }
        for (name, other) in others {
            let diff = max_diff(&ort_e, other);
            eprintln!(
                "energy head parity ({}conditioned, ranking β {:?}), batch {batch}, ONNX vs {name}: {diff:.2e}",
                if class_conditioned { "" } else { "un" },
                score_beta
            );
            assert!(diff <= 1e-4, "{name}, batch {batch}: {diff}");
        }
        assert!(ort_e.iter().all(|e| e.is_finite()));
    }
}

#[test]
fn energy_head_onnx_matches_burn_and_the_plain_reference_at_batch_1_and_8() {
    energy_head_parity(true, None);
    energy_head_parity(false, None);
    energy_head_parity(true, Some(10.0));
}

/// An ensemble's energy head (each member on its columns of the cache, the mean of their
/// energies) against the plain reference, burn, and the mean of the members' own graphs.
#[test]
fn an_ensembles_energy_head_is_the_mean_of_its_members_in_onnx_too() {
    let config = small_config(true, Some(3.0));
    let members: Vec<CvaeWeights> = (0..3u64).map(|seed| trained(&config, 2, seed)).collect();
    let ens = CvaeWeights::ensemble(members.clone()).unwrap();
    let pri = priors_of(&ens);
    for batch in [1usize, 5] {
        let feats = seeded(batch * config.feature_dim, 300 + batch as u64);
        let onnx = onnx_energies(&ens, &pri, &feats, batch);
        let each: Vec<Vec<f32>> = members
            .iter()
            .map(|w| onnx_energies(w, &priors_of(w), &feats, batch))
            .collect();
        let mean_of_members: Vec<f32> = (0..batch * CLASSES)
            .map(|i| each.iter().map(|e| e[i]).sum::<f32>() / 3.0)
            .collect();
        let plain: Vec<f32> = feats
            .chunks_exact(config.feature_dim)
            .flat_map(|f| ens.energies(f, &pri))
            .collect();
        let burn = scale::train::scale::energies(&ens, &feats, &pri);
        for (name, other) in [
            ("mean of the members' graphs", &mean_of_members),
            ("plain Rust", &plain),
            ("burn", &burn),
        ] {
            let diff = max_diff(&onnx, other);
            eprintln!("ensemble of 3, batch {batch}, ONNX vs {name}: {diff:.2e}");
            assert!(diff <= 1e-4, "{name}, batch {batch}: {diff}");
        }
        // The members differ, so the mean is not any one of them.
        let spread = max_diff(&each[0], &each[1]);
        assert!(spread > 1e-3, "members identical ({spread})");
    }
}
