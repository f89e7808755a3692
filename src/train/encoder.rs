//! `scale train encoder`: Shift-GCN pre-training by cross-entropy on the seen classes only.
//!
//! No skeleton of an unseen class is ever loaded into a batch. Augmentation: a random temporal
//! crop keeping 50–100 % of the sequence (resampled to T by the shared normaliser) and random
//! rotations of up to ±10° about each axis. AdamW with a cosine learning-rate schedule.

use super::data::{
    Augment, AugmentPreset, Dataset, Mirrors, Sample, check_mirror, labelled_windows, windows,
};
use super::shift_gcn::{ShiftGcn, vec_of};
use crate::model::shift_gcn::{ShiftGcnConfig, ShiftGcnWeights};
use crate::model::tensors::NamedTensors;
use crate::rng::Rng;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to train.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EncoderTrainConfig {
    pub data: PathBuf,
    /// A labelled folder whose clips join the training data (`Dataset::load_training`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_data: Option<PathBuf>,
    /// Times each extra clip joins, each copy under other sensor noise.
    #[serde(default = "super::one", skip_serializing_if = "super::is_one")]
    pub extra_copies: usize,
    pub split: String,
    pub window: usize,
    pub width: f32,
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    /// Train on windows of this many sensor frames, as `scale serve` cuts them (`None`: whole
    /// recordings).
    pub sensor_window: Option<usize>,
    /// Augmentation preset of the training windows.
    #[serde(default)]
    pub augment: AugmentPreset,
    /// Scale every window to one body size (normalisation step 6); the model keeps it.
    #[serde(default)]
    pub body_scale: bool,
    /// Where each window's origin is taken (normalisation step 3); the model keeps it.
    #[serde(default)]
    pub centring: crate::skeleton::normalize::Centring,
    /// A fold encoder: trained without the split's this many validation classes, for
    /// `scale train scale --fold-encoder`.
    #[serde(default)]
    pub fold: Option<usize>,
    /// Chance per training window of mirroring it left to right, with the label of the
    /// mirror class (`data::Mirrors`; 0: off).
    #[serde(default, skip_serializing_if = "super::is_zero")]
    pub mirror: f32,
}

/// One epoch's numbers (a row of the CSV log).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EpochLog {
    pub epoch: usize,
    pub train_loss: f32,
    pub train_acc: f32,
    pub heldout_acc: f32,
    pub samples_per_s: f32,
    pub seconds: f32,
}

/// The result of a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EncoderReport {
    pub config: EncoderTrainConfig,
    pub seen_classes: Vec<u32>,
    pub train_samples: usize,
    pub heldout_samples: usize,
    pub epochs: Vec<EpochLog>,
    pub checkpoint: PathBuf,
}

/// Seen class ids, seen-class training samples and seen-class held-out samples.
pub type SeenSamples<'a> = (Vec<u32>, Vec<&'a Sample>, Vec<&'a Sample>);

/// Seen-class training and held-out samples of a split; with `fold` = Some(n), without the
/// split's `n` validation classes (`pipeline::validation_classes`).
pub fn seen_samples<'a>(
    data: &'a Dataset,
    split: &str,
    fold: Option<usize>,
) -> Result<SeenSamples<'a>, String> {
    let split = data.catalog.split(split).map_err(|e| e.to_string())?;
    let mut seen = data.catalog.seen_ids(split);
    if let Some(n) = fold {
        let val = super::pipeline::validation_classes(&seen, n);
        seen.retain(|c| !val.contains(c));
    }
    let is_seen = |s: &&Sample| seen.contains(&s.class_id);
    let train: Vec<&Sample> = data
        .samples
        .iter()
        .filter(is_seen)
        .filter(|s| data.is_train(s))
        .collect();
    let held: Vec<&Sample> = data
        .samples
        .iter()
        .filter(is_seen)
        .filter(|s| !data.is_train(s))
        .collect();
    if train.is_empty() {
        return Err("no training samples of the seen classes in the data folder".into());
    }
    Ok((seen, train, held))
}

fn labels(class_ids: &[u32], seen: &[u32]) -> Vec<i64> {
    class_ids
        .iter()
        .map(|id| seen.iter().position(|c| c == id).unwrap_or(0) as i64)
        .collect()
}

/// Top-1 accuracy of the classifier on `samples` (inference mode, no augmentation).
pub fn accuracy(
    model: &ShiftGcn,
    samples: &[&Sample],
    seen: &[u32],
    input: &ShiftGcnConfig,
) -> Result<f32, String> {
    if samples.is_empty() {
        return Ok(0.0);
    }
    let dev = super::device(false);
    let mut correct = 0usize;
    let mut rng = Rng::new(0);
    for chunk in samples.chunks(64) {
        let window = input.window;
        let x = windows(chunk, window, Augment::NONE.with_input(input), &mut rng)?;
        let x = Tensor::<5>::from_data(TensorData::new(x, [chunk.len(), 3, window, 25, 2]), &dev);
        let (_, logits) = model.forward(x);
        let pred = logits
            .argmax(1)
            .into_data()
            .convert::<i64>()
            .try_into_vec::<i64>()
            .map_err(|e| format!("{e:?}"))?;
        correct += pred
            .iter()
            .zip(labels(
                &chunk.iter().map(|s| s.class_id).collect::<Vec<_>>(),
                seen,
            ))
            .filter(|(p, y)| **p == *y)
            .count();
    }
    Ok(correct as f32 / samples.len() as f32)
}

/// Saves encoder weights with their configuration in the file's metadata.
pub fn save_checkpoint(
    w: &ShiftGcnWeights,
    path: &Path,
    extra: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mut meta = extra.clone();
    meta.insert(
        "shift_gcn_config".into(),
        serde_json::to_string(&w.config).expect("config serialises"),
    );
    w.to_tensors().save(path, &meta)
}

/// Loads encoder weights saved by [`save_checkpoint`].
pub fn load_checkpoint(path: &Path) -> Result<(ShiftGcnWeights, BTreeMap<String, String>), String> {
    let (t, meta) = NamedTensors::load(path)?;
    let cfg: ShiftGcnConfig = serde_json::from_str(
        meta.get("shift_gcn_config")
            .ok_or_else(|| format!("{}: not an encoder checkpoint", path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((ShiftGcnWeights::from_tensors(&cfg, &t)?, meta))
}

/// Trains the encoder; writes `encoder.safetensors` and `encoder_log.csv` into `out`.
pub fn train(
    data: &Dataset,
    cfg: &EncoderTrainConfig,
    out: &Path,
    progress: bool,
) -> Result<EncoderReport, String> {
    let (seen, train, held) = seen_samples(data, &cfg.split, cfg.fold)?;
    let config = ShiftGcnConfig {
        width: cfg.width,
        window: cfg.window,
        bodies: 2,
        num_classes: seen.len(),
        sensor_window: cfg.sensor_window,
        body_scale: cfg.body_scale,
        centring: cfg.centring,
    };
    config.validate()?;
    check_mirror(cfg.mirror)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let dev = super::device(true);
    dev.seed(cfg.seed);
    let mut model = ShiftGcn::new(&config, &dev);
    let mut optim = AdamWConfig::new().with_weight_decay(1e-4).init();
    let ce = CrossEntropyLossConfig::new().init(&dev);
    // Mirror pairs within the classes trained on: a mirrored window never takes the label of
    // an unseen (or, for a fold encoder, a validation) class.
    let mirrors = Mirrors::of_classes(&data.catalog, &seen);
    let mut rng = Rng::new(cfg.seed ^ 0xE7C0);
    let steps_per_epoch = train.len().div_ceil(cfg.batch);
    let total_steps = (steps_per_epoch * cfg.epochs).max(1);
    let mut log_file = std::fs::File::create(out.join("encoder_log.csv"))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    writeln!(
        log_file,
        "epoch,train_loss,train_acc,heldout_acc,samples_per_s,seconds"
    )
    .map_err(|e| e.to_string())?;
    let mut epochs = Vec::new();
    let mut step = 0usize;
    for epoch in 1..=cfg.epochs {
        let started = Instant::now();
        let mut order: Vec<&Sample> = train.clone();
        rng.shuffle(&mut order);
        let bar = if progress {
            ProgressBar::new(order.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(format!("{epoch}/{}", cfg.epochs));
        let (mut loss_sum, mut correct, mut seen_n) = (0.0f32, 0usize, 0usize);
        for batch in order.chunks(cfg.batch) {
            let lr = cfg.lr
                * 0.5
                * (1.0 + (std::f64::consts::PI * step as f64 / total_steps as f64).cos());
            let (x, ids) = labelled_windows(
                batch,
                cfg.window,
                cfg.augment
                    .augment()
                    .with_input(&config)
                    .with_mirror(cfg.mirror),
                Some(&mirrors),
                &mut rng,
            )?;
            let x = Tensor::<5>::from_data(
                TensorData::new(x, [batch.len(), 3, cfg.window, 25, 2]),
                &dev,
            );
            let y = labels(&ids, &seen);
            let yt = Tensor::<1, Int>::from_data(TensorData::new(y.clone(), [batch.len()]), &dev);
            let (_, logits) = model.forward(x);
            let pred = logits
                .clone()
                .argmax(1)
                .into_data()
                .convert::<i64>()
                .try_into_vec::<i64>()
                .unwrap_or_default();
            let loss = ce.forward(logits, yt);
            let loss_value = vec_of(loss.clone())[0];
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
            step += 1;
            loss_sum += loss_value * batch.len() as f32;
            correct += pred.iter().zip(&y).filter(|(p, t)| p == t).count();
            seen_n += batch.len();
            bar.inc(batch.len() as u64);
            bar.set_message(format!(
                "loss {:.3} acc {:.3} {:.1} samples/s",
                loss_sum / seen_n as f32,
                correct as f32 / seen_n as f32,
                seen_n as f32 / started.elapsed().as_secs_f32()
            ));
        }
        bar.finish_and_clear();
        let train_secs = started.elapsed().as_secs_f32();
        let eval = model.valid();
        let heldout_acc = accuracy(&eval, &held, &seen, &config)?;
        let e = EpochLog {
            epoch,
            train_loss: loss_sum / seen_n.max(1) as f32,
            train_acc: correct as f32 / seen_n.max(1) as f32,
            heldout_acc,
            samples_per_s: seen_n as f32 / train_secs,
            seconds: started.elapsed().as_secs_f32(),
        };
        writeln!(
            log_file,
            "{},{:.5},{:.4},{:.4},{:.2},{:.1}",
            e.epoch, e.train_loss, e.train_acc, e.heldout_acc, e.samples_per_s, e.seconds
        )
        .map_err(|e| e.to_string())?;
        if progress {
            eprintln!(
                "epoch {epoch}/{}: loss {:.3}, train acc {:.3}, held-out acc {:.3}, {:.1} samples/s, {:.0} s",
                cfg.epochs, e.train_loss, e.train_acc, e.heldout_acc, e.samples_per_s, e.seconds
            );
        }
        epochs.push(e);
    }
    let weights = model.valid().to_weights();
    let checkpoint = out.join("encoder.safetensors");
    let mut meta = BTreeMap::new();
    meta.insert(
        "train_config".into(),
        serde_json::to_string(cfg).expect("serialises"),
    );
    meta.insert(
        "seen_classes".into(),
        serde_json::to_string(&seen).expect("serialises"),
    );
    save_checkpoint(&weights, &checkpoint, &meta)?;
    Ok(EncoderReport {
        config: cfg.clone(),
        seen_classes: seen,
        train_samples: train.len(),
        heldout_samples: held.len(),
        epochs,
        checkpoint,
    })
}
