//! From an encoder checkpoint and a data folder to a finished model folder: features, class
//! texts, validation on seen classes (epoch count, GZSL offset, unknown threshold), final CVAE
//! training on all seen classes, evaluation on the unseen classes, export.

use super::data::{Augment, Dataset, Mirrors, Sample, check_mirror};
use super::diagnostics::{Diagnostics, LOG_HEADER, diagnose, log_line};
use super::encoder::load_checkpoint;
use super::features::FeatureExtractor;
use super::scale::{FitData, FitSettings, ScaleLoss, energies, fit, standardisation, topk};
use crate::catalog::Catalog;
use crate::export;
use crate::model::cvae::{ClassPriors, CvaeConfig, CvaeWeights};
use crate::model::folder::{self, Accuracies, ModelInfo};
use crate::rng::Rng;
use crate::text::classes::ClassEmbeddings;
use crate::text::{TEXT_DIM, TextEncoder};
use burn::module::Module;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything `scale train scale` needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScaleTrainConfig {
    pub encoder: PathBuf,
    pub data: PathBuf,
    /// A labelled folder whose clips join the training data (`Dataset::load_training`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_data: Option<PathBuf>,
    /// Times each extra clip joins, each copy under other sensor noise.
    #[serde(default = "super::one", skip_serializing_if = "super::is_one")]
    pub extra_copies: usize,
    pub split: String,
    pub hidden: usize,
    pub latent: usize,
    pub beta: f32,
    pub class_conditioned: bool,
    pub loss: ScaleLoss,
    pub max_epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    /// Augmented feature copies per training sample.
    pub feature_augment: usize,
    /// Chance of mirroring an augmented copy's window left to right, with the mirror class's
    /// label (`data::Mirrors`, pairs within the classes fitted by the validation run).
    #[serde(default, skip_serializing_if = "super::is_zero")]
    pub mirror: f32,
    /// Seen classes held out as pseudo-unseen for validation.
    pub val_classes: usize,
    /// KL weight of the ranking energy, when it is to differ from `beta`.
    #[serde(default)]
    pub score_beta: Option<f32>,
    /// Choose the ranking energy's KL weight from [`SCORE_BETAS`] on the validation classes,
    /// together with the epoch count.
    #[serde(default)]
    pub select_score_beta: bool,
    /// An encoder trained without the validation classes (`scale train encoder --fold N`):
    /// validation features come from it, so the pseudo-unseen classes are as new to it as the
    /// unseen classes are to the final encoder.
    #[serde(default)]
    pub fold_encoder: Option<PathBuf>,
    /// Stop validating after this many epochs without a better validation top-1.
    #[serde(default)]
    pub patience: Option<usize>,
    /// CVAEs in the model (an ensemble when above 1): member m trains with seed `seed + m`.
    #[serde(default = "crate::model::cvae::one_member")]
    pub members: usize,
}

/// The seen classes held out as pseudo-unseen for validation: `n` of them, evenly spread
/// (the same for `scale train encoder --fold` and `scale train scale`).
pub fn validation_classes(seen: &[u32], n: usize) -> Vec<u32> {
    let stride = (seen.len() / n.max(1)).max(1);
    seen.iter()
        .copied()
        .skip(stride / 2)
        .step_by(stride)
        .take(n)
        .collect()
}

/// The KL weights `--select-score-beta` tries for the ranking energy.
pub const SCORE_BETAS: [f32; 6] = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0];

/// What a run measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScaleReport {
    pub accuracies: Accuracies,
    pub best_epoch: usize,
    pub val_zsl_top1: f32,
    /// KL weight of the ranking energy (β unless chosen or set otherwise).
    #[serde(default)]
    pub score_beta: f32,
    pub gzsl_offset: f32,
    pub unknown_threshold: f32,
    pub feature_samples_per_s: f32,
    pub seconds: f32,
    pub val_curve: Vec<f32>,
    /// What the CVAE learnt (`train::diagnostics`); every epoch's figures are in
    /// `scale_log.csv`.
    #[serde(default)]
    pub diagnostics: Option<ScaleDiagnostics>,
    /// An ensemble's members (empty for a single CVAE); `best_epoch` and `val_curve` are then
    /// the first member's and `val_zsl_top1` the ensemble's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberReport>,
    /// The unseen test samples' energies against the unseen classes, from which the ZSL
    /// figures come (`scale train scale --zsl-scores FILE` writes them); not in the report.
    #[serde(skip)]
    pub zsl: ZslEnergies,
}

/// Energies `[n, K]` (lower is better) of `n` test samples against `K` classes, and each
/// sample's true class: what ranks the zero-shot test, kept so that two methods' rankings of
/// the same samples can be compared or combined afterwards (`scripts/benchmark_table.py`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ZslEnergies {
    /// Class ids, one per column.
    pub classes: Vec<u32>,
    /// Each sample's true class id.
    pub truth: Vec<u32>,
    /// One row of `classes.len()` energies per sample.
    pub energies: Vec<Vec<f32>>,
}

impl ZslEnergies {
    /// From a flat `[n, K]` energy array.
    pub fn new(classes: &[u32], truth: &[u32], flat: &[f32]) -> ZslEnergies {
        ZslEnergies {
            classes: classes.to_vec(),
            truth: truth.to_vec(),
            energies: flat
                .chunks_exact(classes.len().max(1))
                .map(<[f32]>::to_vec)
                .collect(),
        }
    }
}

/// One member of an ensemble, as its validation run chose it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MemberReport {
    pub seed: u64,
    pub best_epoch: usize,
    pub val_zsl_top1: f32,
}

/// One CVAE trained by [`train_member`].
struct Member {
    /// The weights at the validation run's best epoch, with its ranking β.
    val_weights: CvaeWeights,
    /// The final fit on all seen classes.
    weights: CvaeWeights,
    best_epoch: usize,
    val_acc: f32,
    curve: Vec<f32>,
    val_diagnostics: Diagnostics,
    final_diagnostics: Diagnostics,
}

/// Diagnostics of a trained SCALE model: on the validation classes at the selected epoch, and
/// of the final fit on its own training samples at its last epoch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScaleDiagnostics {
    pub validation: Diagnostics,
    pub final_training: Diagnostics,
}

/// The per-epoch log of `scale train scale` in the model folder.
pub const SCALE_LOG: &str = "scale_log.csv";
/// Training samples the final fit's diagnostics look at.
const DIAGNOSTIC_SAMPLES: usize = 300;

/// Features of samples: clean, plus `augment` augmented copies of each when asked, these
/// mirrored with chance `mirror` (`data::labelled_windows`) and labelled accordingly.
fn feats(
    fx: &mut FeatureExtractor,
    samples: &[&Sample],
    augment: usize,
    mirror: (f32, &Mirrors),
    rng: &mut Rng,
) -> Result<(Vec<f32>, Vec<u32>), String> {
    let (mut x, mut y) = fx.features(samples, Augment::NONE, None, rng)?;
    for _ in 0..augment {
        let (xa, ya) = fx.features(
            samples,
            Augment::TRAIN.with_mirror(mirror.0),
            Some(mirror.1),
            rng,
        )?;
        x.extend(xa);
        y.extend(ya);
    }
    Ok((x, y))
}

/// Text vectors of catalogue classes, by id.
pub fn class_texts(catalog: &Catalog, cache: &Path) -> Result<ClassEmbeddings, String> {
    ClassEmbeddings::load_or_build(catalog, cache, TextEncoder::load)
        .map(|(c, _)| c)
        .map_err(|e| e.to_string())
}

/// Each class's texts embedded one by one (`text::classes::class_views`), by id: the views
/// `ScaleLoss::text_views` trains on.
pub fn class_views(catalog: &Catalog) -> Result<BTreeMap<u32, Vec<Vec<f32>>>, String> {
    let mut encoder = TextEncoder::load().map_err(|e| e.to_string())?;
    catalog
        .classes
        .iter()
        .map(|c| {
            crate::text::classes::class_views(&mut encoder, &c.name, &c.descriptions)
                .map(|v| (c.id, v))
                .map_err(|e| format!("class {} ({}): {e}", c.id, c.name))
        })
        .collect()
}

/// The views of `ids`, in order (none for a class without views).
fn views_of(views: &BTreeMap<u32, Vec<Vec<f32>>>, ids: &[u32]) -> Vec<Vec<Vec<f32>>> {
    ids.iter()
        .map(|id| views.get(id).cloned().unwrap_or_default())
        .collect()
}

fn texts_of(emb: &ClassEmbeddings, ids: &[u32]) -> Result<Vec<Vec<f32>>, String> {
    ids.iter()
        .map(|id| {
            emb.get(*id)
                .map(<[f32]>::to_vec)
                .ok_or_else(|| format!("no text embedding for class {id}"))
        })
        .collect()
}

/// Priors of `ids` from a CVAE.
pub fn priors_for(
    w: &CvaeWeights,
    catalog: &Catalog,
    emb: &ClassEmbeddings,
    ids: &[u32],
) -> Result<ClassPriors, String> {
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            catalog
                .by_id(*id)
                .map_or_else(|| id.to_string(), |c| c.name.clone())
        })
        .collect();
    Ok(w.class_priors(ids, &names, &texts_of(emb, ids)?))
}

/// ZSL and GZSL figures from energies.
pub struct Scores {
    pub zsl_top1: f32,
    pub zsl_top5: f32,
    pub gzsl_seen: f32,
    pub gzsl_unseen: f32,
    pub gzsl_h: f32,
    /// The unseen samples' energies against the unseen classes (`[n, K]`), as ranked for ZSL.
    pub zsl_energies: Vec<f32>,
}

/// Energies `[n, K]` of raw features against the classes `ids`.
pub type EnergyFn<'a> = dyn FnMut(&[f32], &[u32]) -> Result<Vec<f32>, String> + 'a;

/// Test features with their class ids.
pub struct TestSet<'a> {
    pub seen_x: &'a [f32],
    pub seen_y: &'a [u32],
    pub unseen_x: &'a [f32],
    pub unseen_y: &'a [u32],
}

/// Scores of a test set: the unseen samples against the unseen classes (ZSL), and seen +
/// unseen samples against all classes (GZSL, seen energies + `offset`).
pub fn score(
    energy: &mut EnergyFn<'_>,
    seen_ids: &[u32],
    unseen_ids: &[u32],
    test: &TestSet<'_>,
    offset: f32,
) -> Result<Scores, String> {
    let col = |ids: &[u32], y: &[u32]| -> Vec<usize> {
        y.iter()
            .map(|c| ids.iter().position(|i| i == c).unwrap_or(0))
            .collect()
    };
    let e = energy(test.unseen_x, unseen_ids)?;
    let (zsl_top1, zsl_top5) = topk(&e, unseen_ids.len(), &col(unseen_ids, test.unseen_y));
    let all: Vec<u32> = seen_ids.iter().chain(unseen_ids).copied().collect();
    let mut acc = |x: &[f32], y: &[u32]| -> Result<f32, String> {
        if y.is_empty() {
            return Ok(0.0);
        }
        let mut e = energy(x, &all)?;
        for row in e.chunks_exact_mut(all.len()) {
            for v in row.iter_mut().take(seen_ids.len()) {
                *v += offset;
            }
        }
        Ok(topk(&e, all.len(), &col(&all, y)).0)
    };
    let gzsl_seen = acc(test.seen_x, test.seen_y)?;
    let gzsl_unseen = acc(test.unseen_x, test.unseen_y)?;
    let gzsl_h = if gzsl_seen + gzsl_unseen > 0.0 {
        2.0 * gzsl_seen * gzsl_unseen / (gzsl_seen + gzsl_unseen)
    } else {
        0.0
    };
    Ok(Scores {
        zsl_top1,
        zsl_top5,
        gzsl_seen,
        gzsl_unseen,
        gzsl_h,
        zsl_energies: e,
    })
}

/// The GZSL offset (added to seen energies) that maximises the harmonic mean on validation data.
fn calibrate_offset(
    e_seen: &[f32],
    y_seen: &[usize],
    e_val: &[f32],
    y_val: &[usize],
    k_seen: usize,
    k: usize,
) -> f32 {
    let acc = |e: &[f32], y: &[usize], off: f32| {
        let mut ok = 0;
        for (row, &t) in e.chunks_exact(k).zip(y) {
            let best = (0..k).min_by(|&a, &b| {
                let ea = row[a] + if a < k_seen { off } else { 0.0 };
                let eb = row[b] + if b < k_seen { off } else { 0.0 };
                ea.total_cmp(&eb)
            });
            ok += usize::from(best == Some(t));
        }
        ok as f32 / y.len().max(1) as f32
    };
    let spread = e_seen
        .iter()
        .chain(e_val)
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(1e-3);
    let mut best = (0.0f32, -1.0f32);
    for i in 0..=60 {
        let off = spread * (i as f32 / 60.0) * 0.5;
        let (s, u) = (acc(e_seen, y_seen, off), acc(e_val, y_val, off));
        let h = if s + u > 0.0 {
            2.0 * s * u / (s + u)
        } else {
            0.0
        };
        if h > best.1 {
            best = (off, h);
        }
    }
    best.0
}

/// Features, class texts and the seen/validation/unseen partitions of one run.
pub struct Prepared {
    pub data: Dataset,
    pub emb: ClassEmbeddings,
    /// Each class's texts one by one, by id, when the loss trains on text views; else empty.
    pub views: BTreeMap<u32, Vec<Vec<f32>>>,
    pub enc_weights: crate::model::shift_gcn::ShiftGcnWeights,
    pub enc_meta: BTreeMap<String, String>,
    pub f: usize,
    pub seen: Vec<u32>,
    pub unseen: Vec<u32>,
    /// Seen classes held out as pseudo-unseen, and the rest.
    pub val: Vec<u32>,
    pub fit_seen: Vec<u32>,
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    /// Standardisation of the validation features (the fold encoder's, when there is one).
    pub val_mean: Vec<f32>,
    pub val_std: Vec<f32>,
    /// Seen training features (clean first, then augmented copies), raw.
    pub xtr: Vec<f32>,
    pub ytr: Vec<u32>,
    /// Held-out seen features, raw.
    pub xho: Vec<f32>,
    pub yho: Vec<u32>,
    /// Unseen-class features, raw.
    pub xun: Vec<f32>,
    pub yun: Vec<u32>,
    /// Validation: pseudo-unseen samples (train + held-out samples of `val`), raw.
    pub val_x: Vec<f32>,
    pub val_y: Vec<u32>,
    /// Validation training rows (fit-seen classes), standardised, with indices into `fit_seen`.
    pub vx: Vec<f32>,
    pub vyi: Vec<usize>,
    /// Held-out samples of the fit-seen classes, raw.
    pub vs_x: Vec<f32>,
    pub vs_y: Vec<u32>,
    pub feature_rate: f32,
    /// Accuracy of the encoder's own classifier on the held-out seen samples.
    pub encoder_heldout: f32,
}

impl Prepared {
    pub fn standardise(&self, x: &[f32]) -> Vec<f32> {
        super::scale::standardise(x, &self.mean, &self.std)
    }

    /// Standardises validation features (`val_x`, `vs_x`).
    pub fn standardise_val(&self, x: &[f32]) -> Vec<f32> {
        super::scale::standardise(x, &self.val_mean, &self.val_std)
    }
}

fn rows(x: &[f32], y: &[u32], f: usize, keep: &dyn Fn(u32) -> bool) -> (Vec<f32>, Vec<u32>) {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for (r, &c) in x.chunks_exact(f).zip(y) {
        if keep(c) {
            xs.extend_from_slice(r);
            ys.push(c);
        }
    }
    (xs, ys)
}

/// Every seen class needs training recordings, and some seen classes held-out ones and the
/// unseen classes test ones: without them the CVAE would fit nothing and the GZSL offset and the
/// unknown threshold would be undefined (NaN), so the folder could not be loaded again.
fn check_coverage(
    data: &Path,
    split: &str,
    seen: &[u32],
    unseen: &[u32],
    train: &[&Sample],
    held: &[&Sample],
    test: &[&Sample],
) -> Result<(), String> {
    let missing: Vec<u32> = seen
        .iter()
        .copied()
        .filter(|c| !train.iter().any(|s| s.class_id == *c))
        .collect();
    let fix = "generate more recordings per class (`scale synth --per-class N`)";
    if !missing.is_empty() {
        return Err(format!(
            "{}: no training recordings (the first four fifths of the performers) of the seen classes {missing:?} of split {split}: {fix}",
            data.display()
        ));
    }
    if held.is_empty() {
        return Err(format!(
            "{}: no held-out recordings (the last fifth of the performers) of the seen classes of split {split}: {fix}",
            data.display()
        ));
    }
    if test.is_empty() {
        return Err(format!(
            "{}: no recordings of the unseen classes {unseen:?} of split {split}",
            data.display()
        ));
    }
    Ok(())
}

/// Loads data and encoder, extracts features and carves the validation split.
pub fn prepare(cfg: &ScaleTrainConfig, text_cache: &Path) -> Result<Prepared, String> {
    let data = Dataset::load_training(&cfg.data, cfg.extra_data.as_deref(), cfg.extra_copies)?;
    let (enc_weights, enc_meta) = load_checkpoint(&cfg.encoder)?;
    let split = data
        .catalog
        .split(&cfg.split)
        .map_err(|e| e.to_string())?
        .clone();
    let seen = data.catalog.seen_ids(&split);
    let unseen = split.unseen.clone();
    if let Some(trained) = enc_meta.get("seen_classes") {
        let enc_seen: Vec<u32> = serde_json::from_str(trained).map_err(|e| e.to_string())?;
        if enc_seen != seen {
            return Err(format!(
                "the encoder {} was trained on other seen classes than split {}",
                cfg.encoder.display(),
                cfg.split
            ));
        }
    }
    let emb = class_texts(&data.catalog, text_cache)?;
    let views = if cfg.loss.text_views {
        class_views(&data.catalog)?
    } else {
        BTreeMap::new()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut fx = FeatureExtractor::new(&enc_weights, threads)?;
    let f = fx.dim;
    let mut rng = Rng::new(cfg.seed ^ 0xFEA7);
    let by = |pred: &dyn Fn(&Sample) -> bool| -> Vec<&Sample> {
        data.samples.iter().filter(|s| pred(s)).collect()
    };
    let seen_train = by(&|s| seen.contains(&s.class_id) && data.is_train(s));
    let seen_held = by(&|s| seen.contains(&s.class_id) && !data.is_train(s));
    let unseen_all = by(&|s| unseen.contains(&s.class_id));
    check_coverage(
        &cfg.data,
        &cfg.split,
        &seen,
        &unseen,
        &seen_train,
        &seen_held,
        &unseen_all,
    )?;
    check_mirror(cfg.mirror)?;
    let val = validation_classes(&seen, cfg.val_classes);
    let fit_seen: Vec<u32> = seen.iter().copied().filter(|c| !val.contains(c)).collect();
    // Mirror pairs within the validation run's classes, so that neither run's training copies
    // carry the label of an unseen or a validation class, nor a validation class's motion.
    let mirrors = Mirrors::of_classes(&data.catalog, &fit_seen);
    let mirror = (cfg.mirror, &mirrors);
    let t0 = Instant::now();
    let (xtr, ytr) = feats(&mut fx, &seen_train, cfg.feature_augment, mirror, &mut rng)?;
    let feature_rate =
        (seen_train.len() * (1 + cfg.feature_augment)) as f32 / t0.elapsed().as_secs_f32();
    let (xho, yho) = feats(&mut fx, &seen_held, 0, mirror, &mut rng)?;
    let (xun, yun) = feats(&mut fx, &unseen_all, 0, mirror, &mut rng)?;
    let classifier = super::shift_gcn::ShiftGcn::from_weights(&enc_weights, &super::device(false));
    let encoder_heldout =
        super::encoder::accuracy(&classifier, &seen_held, &seen, &enc_weights.config)?;
    let n_clean = seen_train.len();
    let (mean, std) = standardisation(&xtr[..n_clean * f], f);
    // Validation features: from the fold encoder when there is one.
    let fold = match &cfg.fold_encoder {
        Some(path) => {
            let (w, meta) = load_checkpoint(path)?;
            let trained: Vec<u32> = meta
                .get("seen_classes")
                .map(|s| serde_json::from_str(s).map_err(|e| e.to_string()))
                .transpose()?
                .unwrap_or_default();
            if trained != fit_seen {
                return Err(format!(
                    "the fold encoder {} was trained on classes {trained:?}, not on the seen classes of {} without its {} validation classes {val:?}: train it with `scale train encoder --split {} --fold {}`",
                    path.display(),
                    cfg.split,
                    val.len(),
                    cfg.split,
                    cfg.val_classes
                ));
            }
            if w.config.feature_dim() != f {
                return Err(format!(
                    "the fold encoder {} gives {}-dimensional features, the encoder {f}",
                    path.display(),
                    w.config.feature_dim()
                ));
            }
            let mut fx = FeatureExtractor::new(&w, threads)?;
            let mut rng = Rng::new(cfg.seed ^ 0xF01D);
            Some((
                feats(&mut fx, &seen_train, cfg.feature_augment, mirror, &mut rng)?,
                feats(&mut fx, &seen_held, 0, mirror, &mut rng)?,
            ))
        }
        None => None,
    };
    let ((vtr, vytr), (vho, vyho)) = match &fold {
        Some((a, b)) => ((&a.0, &a.1), (&b.0, &b.1)),
        None => ((&xtr, &ytr), (&xho, &yho)),
    };
    let (val_mean, val_std) = match &fold {
        Some(_) => standardisation(&vtr[..n_clean * f], f),
        None => (mean.clone(), std.clone()),
    };
    let (vx_raw, vy) = rows(vtr, vytr, f, &|c| fit_seen.contains(&c));
    let vyi: Vec<usize> = vy
        .iter()
        .map(|c| fit_seen.iter().position(|x| x == c).unwrap_or(0))
        .collect();
    let (a, b) = rows(&vtr[..n_clean * f], &vytr[..n_clean], f, &|c| {
        val.contains(&c)
    });
    let (c, d) = rows(vho, vyho, f, &|c| val.contains(&c));
    let (vs_x, vs_y) = rows(vho, vyho, f, &|c| fit_seen.contains(&c));
    let mut p = Prepared {
        data,
        emb,
        views,
        enc_weights,
        enc_meta,
        f,
        seen,
        unseen,
        val,
        fit_seen,
        mean,
        std,
        val_mean,
        val_std,
        xtr,
        ytr,
        xho,
        yho,
        xun,
        yun,
        val_x: [a, c].concat(),
        val_y: [b, d].concat(),
        vx: Vec::new(),
        vyi,
        vs_x,
        vs_y,
        feature_rate,
        encoder_heldout,
    };
    p.vx = p.standardise_val(&vx_raw);
    Ok(p)
}

/// Trains the CVAE and writes the model folder `out`. `progress` prints per-epoch lines.
pub fn train_scale(
    cfg: &ScaleTrainConfig,
    out: &Path,
    progress: bool,
) -> Result<(ScaleReport, ModelInfo), String> {
    let started = Instant::now();
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let p = prepare(cfg, &out.join(folder::CLASS_TEXT))?;
    let (data, emb, f) = (&p.data, &p.emb, p.f);
    let (seen, unseen, val, fit_seen) = (&p.seen, &p.unseen, &p.val, &p.fit_seen);
    let (mean, std) = (&p.mean, &p.std);
    let mut config = CvaeConfig {
        feature_dim: f,
        text_dim: TEXT_DIM,
        cond_dim: 256,
        hidden: cfg.hidden,
        latent: cfg.latent,
        beta: cfg.beta,
        class_conditioned: cfg.class_conditioned,
        score_beta: cfg.score_beta,
        members: 1,
    };
    let (val_x, val_y, vs_x, vs_y) = (&p.val_x, &p.val_y, &p.vs_x, &p.vs_y);
    if cfg.members == 0 || (cfg.members > 1 && cfg.select_score_beta) {
        return Err(format!(
            "an ensemble of {} members: give --members 1 or more, and one ranking β for all \
             (--select-score-beta chooses one per member)",
            cfg.members
        ));
    }
    // Diagnostics of the final fit on (up to) 300 of its own training samples, spread over the
    // classes: the test classes and held-out samples stay unseen.
    let yi: Vec<usize> = p
        .ytr
        .iter()
        .map(|c| seen.iter().position(|x| x == c).unwrap_or(0))
        .collect();
    let every = (yi.len() / DIAGNOSTIC_SAMPLES).max(1);
    let diag_rows: Vec<usize> = (0..yi.len())
        .step_by(every)
        .take(DIAGNOSTIC_SAMPLES)
        .collect();
    let diag_x: Vec<f32> = diag_rows
        .iter()
        .flat_map(|&r| p.xtr[r * f..(r + 1) * f].iter().copied())
        .collect();
    let diag_y: Vec<usize> = diag_rows.iter().map(|&r| yi[r]).collect();
    let xs = p.standardise(&p.xtr);
    let texts = texts_of(emb, seen)?;
    let mut log = vec![LOG_HEADER.to_string()];
    let mut trained = Vec::with_capacity(cfg.members);
    for m in 0..cfg.members {
        let phase = |name: &str| {
            if cfg.members == 1 {
                name.to_string()
            } else {
                format!("{name} m{}", m + 1)
            }
        };
        let setup = MemberSetup {
            cfg,
            p: &p,
            config: &config,
            seed: cfg.seed + m as u64,
            xs: &xs,
            yi: &yi,
            texts: &texts,
            diag: (&diag_x, &diag_y),
            phases: (phase("validation"), phase("final")),
        };
        if progress && cfg.members > 1 {
            eprintln!(
                "ensemble member {} of {} (seed {})",
                m + 1,
                cfg.members,
                setup.seed
            );
        }
        trained.push(train_member(&setup, &mut log, progress)?);
    }
    let first = &trained[0];
    let (best_epoch, curve) = (first.best_epoch, first.curve.clone());
    let members: Vec<MemberReport> = if cfg.members == 1 {
        vec![]
    } else {
        trained
            .iter()
            .enumerate()
            .map(|(m, t)| MemberReport {
                seed: cfg.seed + m as u64,
                best_epoch: t.best_epoch,
                val_zsl_top1: t.val_acc,
            })
            .collect()
    };
    let single = cfg.members == 1;
    let (mut val_ws, mut final_ws) = (vec![], vec![]);
    let (mut val_diag, mut final_diag, mut val_acc) = (None, None, first.val_acc);
    for t in trained {
        if single {
            val_diag = Some(t.val_diagnostics);
            final_diag = Some(t.final_diagnostics);
        }
        val_ws.push(t.val_weights);
        final_ws.push(t.weights);
    }
    let val_weights = CvaeWeights::ensemble(val_ws)?;
    let weights = CvaeWeights::ensemble(final_ws)?;
    config = weights.config.clone();
    if !single {
        // The ensemble's own figures: validation top-1 and diagnostics at the members' chosen
        // epochs, and of the final fits.
        let truth: Vec<usize> = val_y
            .iter()
            .map(|c| val.iter().position(|x| x == c).unwrap_or(0))
            .collect();
        let pri = priors_for(&val_weights, &data.catalog, emb, val)?;
        val_acc = topk(&energies(&val_weights, val_x, &pri), val.len(), &truth).0;
        val_diag = Some(diagnose(&val_weights, val_x, &truth, &pri));
        let pri = priors_for(&weights, &data.catalog, emb, seen)?;
        final_diag = Some(diagnose(&weights, &diag_x, &diag_y, &pri));
    }

    // GZSL offset on the validation model: fit-seen held-out samples vs pseudo-unseen samples.
    let cal_ids: Vec<u32> = fit_seen.iter().chain(val).copied().collect();
    let pri = priors_for(&val_weights, &data.catalog, emb, &cal_ids)?;
    let col = |y: &[u32]| -> Vec<usize> {
        y.iter()
            .map(|c| cal_ids.iter().position(|x| x == c).unwrap_or(0))
            .collect()
    };
    let e_s = energies(&val_weights, vs_x, &pri);
    let e_v = energies(&val_weights, val_x, &pri);
    let offset = calibrate_offset(
        &e_s,
        &col(vs_y),
        &e_v,
        &col(val_y),
        fit_seen.len(),
        cal_ids.len(),
    );

    // Unknown threshold: 95th percentile of the best energy of held-out seen windows.
    let pri_seen = priors_for(&weights, &data.catalog, emb, seen)?;
    let e_held = energies(&weights, &p.xho, &pri_seen);
    let mut best_e: Vec<f32> = e_held
        .chunks_exact(seen.len())
        .map(|r| r.iter().copied().fold(f32::INFINITY, f32::min))
        .collect();
    best_e.sort_by(f32::total_cmp);
    let unknown_threshold = best_e
        .get(((best_e.len() as f32 * 0.95) as usize).min(best_e.len().saturating_sub(1)))
        .copied()
        .unwrap_or(f32::INFINITY);

    // Test: ZSL on the unseen classes, GZSL with held-out seen samples.
    let mut energy_fn = |x: &[f32], ids: &[u32]| -> Result<Vec<f32>, String> {
        Ok(energies(
            &weights,
            x,
            &priors_for(&weights, &data.catalog, emb, ids)?,
        ))
    };
    let test = TestSet {
        seen_x: &p.xho,
        seen_y: &p.yho,
        unseen_x: &p.xun,
        unseen_y: &p.yun,
    };
    let s = score(&mut energy_fn, seen, unseen, &test, offset)?;
    let accuracies = Accuracies {
        zsl_top1: s.zsl_top1,
        zsl_top5: s.zsl_top5,
        gzsl_seen: s.gzsl_seen,
        gzsl_unseen: s.gzsl_unseen,
        gzsl_h: s.gzsl_h,
        encoder_heldout: p.encoder_heldout,
        n: p.yun.len(),
    };

    // The model folder.
    let all_ids: Vec<u32> = data.catalog.classes.iter().map(|c| c.id).collect();
    let priors = priors_for(&weights, &data.catalog, emb, &all_ids)?;
    std::fs::write(
        out.join(folder::ENCODER_ONNX),
        export::shift_gcn::export(&p.enc_weights)?,
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        out.join(folder::ENCODER_ONE_BODY_ONNX),
        export::shift_gcn::export_one_body(&p.enc_weights)?,
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        out.join(folder::ENERGY_HEAD_ONNX),
        export::energy_head::export(&weights)?,
    )
    .map_err(|e| e.to_string())?;
    folder::save_priors(
        &priors,
        config.hidden,
        config.latent,
        &data.catalog.hash,
        &out.join(folder::CLASS_PRIORS),
    )?;
    let mut meta = BTreeMap::new();
    meta.insert(
        "cvae_config".into(),
        serde_json::to_string(&config).expect("serialises"),
    );
    weights
        .to_tensors()
        .save(&out.join(folder::CVAE_WEIGHTS), &meta)?;
    super::encoder::save_checkpoint(
        &p.enc_weights,
        &out.join(folder::ENCODER_WEIGHTS),
        &p.enc_meta,
    )?;
    let mut provenance = BTreeMap::new();
    provenance.insert(
        "train_scale_config".into(),
        serde_json::to_string(cfg).expect("serialises"),
    );
    if let Some(tc) = p.enc_meta.get("train_config") {
        provenance.insert("train_encoder_config".into(), tc.clone());
    }
    let info = ModelInfo {
        format: 1,
        encoder: p.enc_weights.config.clone(),
        cvae: config.clone(),
        window: p.enc_weights.config.window,
        normalisation: format!(
            "skeleton::normalize (DESIGN §3): 2 most active bodies, SpineMid origin{}, spine→z, shoulders→x, resampled to the window{}",
            if p.enc_weights.config.centring.is_window() {
                ""
            } else {
                " in every frame"
            },
            if p.enc_weights.config.body_scale {
                ", scaled to one body size (mean major-bone length 0.25 m)"
            } else {
                ""
            }
        ),
        feature_mean: mean.to_vec(),
        feature_std: std.to_vec(),
        catalog: data.catalog.name.clone(),
        catalog_hash: data.catalog.hash.clone(),
        data: cfg.data.display().to_string(),
        split: cfg.split.clone(),
        seen: seen.to_vec(),
        unseen: unseen.to_vec(),
        gzsl_offset: offset,
        unknown_threshold,
        accuracies: accuracies.clone(),
        provenance,
    };
    info.save(out)?;
    folder::write_manifest(out)?;
    let log_path = out.join(SCALE_LOG);
    std::fs::write(&log_path, log.join("\n") + "\n")
        .map_err(|e| format!("{}: {e}", log_path.display()))?;
    let diagnostics = ScaleDiagnostics {
        validation: val_diag.expect("one per validation epoch"),
        final_training: final_diag.expect("at least one epoch"),
    };
    let report = ScaleReport {
        diagnostics: Some(diagnostics),
        accuracies,
        best_epoch,
        val_zsl_top1: val_acc,
        score_beta: config.scoring_beta(),
        gzsl_offset: offset,
        unknown_threshold,
        feature_samples_per_s: p.feature_rate,
        seconds: started.elapsed().as_secs_f32(),
        val_curve: curve,
        members,
        zsl: ZslEnergies::new(unseen, &p.yun, &s.zsl_energies),
    };
    Ok((report, info))
}

/// What [`train_member`] trains one CVAE from.
struct MemberSetup<'a> {
    cfg: &'a ScaleTrainConfig,
    p: &'a Prepared,
    /// A single CVAE's configuration.
    config: &'a CvaeConfig,
    seed: u64,
    /// The standardised training rows, the class index (into the seen classes) of each, and
    /// the seen classes' text vectors.
    xs: &'a [f32],
    yi: &'a [usize],
    texts: &'a [Vec<f32>],
    /// The final fit's diagnostic samples and their class indices.
    diag: (&'a [f32], &'a [usize]),
    /// Names of the validation and final phases in the log.
    phases: (String, String),
}

/// One CVAE: the validation run on the fit-seen classes chooses its epoch count (and ranking
/// β), then the final fit on all seen classes runs that many epochs. Appends its epochs to `log`.
fn train_member(s: &MemberSetup, log: &mut Vec<String>, progress: bool) -> Result<Member, String> {
    let (cfg, p) = (s.cfg, s.p);
    let (data, emb) = (&p.data, &p.emb);
    let (seen, val, fit_seen) = (&p.seen, &p.val, &p.fit_seen);
    let mut config = s.config.clone();
    let betas: Vec<Option<f32>> = if cfg.select_score_beta {
        SCORE_BETAS.iter().map(|b| Some(*b)).collect()
    } else {
        vec![cfg.score_beta]
    };
    let settings = |epochs| FitSettings {
        epochs,
        batch: cfg.batch,
        lr: cfg.lr,
        seed: s.seed,
    };
    let vtexts = texts_of(emb, fit_seen)?;
    let vviews = views_of(&p.views, fit_seen);
    let (val_x, val_y) = (&p.val_x, &p.val_y);
    let mut curve = Vec::new();
    let mut val_diagnostics = Vec::new();
    let mut best = (0usize, -1.0f32, None::<CvaeWeights>);
    let mut best_beta = cfg.score_beta;
    fit(
        &config,
        &cfg.loss,
        &FitData {
            x: &p.vx,
            y: &p.vyi,
            texts: &vtexts,
            views: &vviews,
        },
        &settings(cfg.max_epochs),
        &p.val_mean,
        &p.val_std,
        |epoch, w, terms| {
            let loss = terms.loss;
            let truth: Vec<usize> = val_y
                .iter()
                .map(|c| val.iter().position(|x| x == c).unwrap_or(0))
                .collect();
            // Each candidate ranking β on these weights; ties keep the earlier epoch and the
            // smaller β.
            let mut epoch_best = (-1.0f32, cfg.score_beta);
            for &beta in &betas {
                let mut wb = w.clone();
                wb.config.score_beta = beta;
                let pri = priors_for(&wb, &data.catalog, emb, val).expect("texts exist");
                let acc = topk(&energies(&wb, val_x, &pri), val.len(), &truth).0;
                if acc > epoch_best.0 {
                    epoch_best = (acc, beta);
                }
                if acc > best.1 {
                    best = (epoch, acc, Some(wb));
                    best_beta = beta;
                }
            }
            let acc = epoch_best.0;
            curve.push(acc);
            let mut wb = w.clone();
            wb.config.score_beta = epoch_best.1;
            let pri = priors_for(&wb, &data.catalog, emb, val).expect("texts exist");
            let d = diagnose(&wb, val_x, &truth, &pri);
            log.push(log_line(
                &s.phases.0,
                epoch,
                terms,
                "validation classes",
                &d,
            ));
            val_diagnostics.push(d);
            if cfg.patience.is_some_and(|p| epoch >= best.0 + p) {
                if progress {
                    eprintln!(
                        "validation: no better epoch in {} epochs, stopping at {epoch}",
                        cfg.patience.unwrap_or_default()
                    );
                }
                return false;
            }
            if progress {
                let chosen = epoch_best
                    .1
                    .map_or(String::new(), |b| format!(" (ranking β {b})"));
                eprintln!(
                    "validation epoch {epoch}: loss {loss:.4}, ZSL top-1 on {} held-out seen classes {acc:.3}{chosen}",
                    val.len()
                );
            }
            true
        },
    );
    let (best_epoch, val_acc, val_weights) =
        (best.0.max(1), best.1, best.2.expect("at least one epoch"));
    config.score_beta = best_beta;

    // Final model on all seen classes, for the selected number of epochs.
    let (diag_x, diag_y) = s.diag;
    let mut final_diagnostics = None;
    let mut final_w = None;
    fit(
        &config,
        &cfg.loss,
        &FitData {
            x: s.xs,
            y: s.yi,
            texts: s.texts,
            views: &views_of(&p.views, seen),
        },
        &settings(best_epoch),
        &p.mean,
        &p.std,
        |epoch, w, terms| {
            let pri = priors_for(w, &data.catalog, emb, seen).expect("texts exist");
            let d = diagnose(w, diag_x, diag_y, &pri);
            if progress {
                eprintln!(
                    "final epoch {epoch}/{best_epoch}: loss {:.4} (rec {:.4}, KL {:.4}, list {:.4}, proto {:.4}); {} active latent units of {}",
                    terms.loss,
                    terms.rec,
                    terms.kl,
                    terms.list,
                    terms.proto,
                    d.active_units,
                    w.config.latent
                );
            }
            log.push(log_line(&s.phases.1, epoch, terms, "training samples", &d));
            final_diagnostics = Some(d);
            final_w = Some(w.clone());
            true
        },
    );
    Ok(Member {
        val_diagnostics: val_diagnostics
            .get(best_epoch - 1)
            .cloned()
            .expect("one per validation epoch"),
        final_diagnostics: final_diagnostics.expect("at least one epoch"),
        val_weights,
        weights: final_w.expect("at least one epoch"),
        best_epoch,
        val_acc,
        curve,
    })
}

/// The alignment baseline under the same protocol (epoch count chosen on the seen-class
/// validation split, final fit on all seen classes); ZSL figures only.
pub fn train_alignment(cfg: &ScaleTrainConfig, text_cache: &Path) -> Result<ScaleReport, String> {
    let started = Instant::now();
    let p = prepare(cfg, text_cache)?;
    let f = p.f;
    let col = |ids: &[u32], y: &[u32]| -> Vec<usize> {
        y.iter()
            .map(|c| ids.iter().position(|i| i == c).unwrap_or(0))
            .collect()
    };
    let vtexts = texts_of(&p.emb, &p.fit_seen)?;
    let val_texts = texts_of(&p.emb, &p.val)?;
    let val_x = p.standardise_val(&p.val_x);
    let mut curve = Vec::new();
    let mut best = (1usize, -1.0f32);
    super::baseline::fit(
        &p.vx,
        &p.vyi,
        &vtexts,
        f,
        cfg.max_epochs,
        cfg.seed,
        |epoch, m| {
            let acc = topk(
                &super::baseline::scores(m, &val_x, &val_texts, f),
                p.val.len(),
                &col(&p.val, &p.val_y),
            )
            .0;
            curve.push(acc);
            if acc > best.1 {
                best = (epoch, acc);
            }
        },
    );
    let yi = col(&p.seen, &p.ytr);
    let texts = texts_of(&p.emb, &p.seen)?;
    let model = super::baseline::fit(
        &p.standardise(&p.xtr),
        &yi,
        &texts,
        f,
        best.0,
        cfg.seed,
        |_, _| {},
    );
    let unseen_texts = texts_of(&p.emb, &p.unseen)?;
    let s = super::baseline::scores(&model.valid(), &p.standardise(&p.xun), &unseen_texts, f);
    let (zsl_top1, zsl_top5) = topk(&s, p.unseen.len(), &col(&p.unseen, &p.yun));
    Ok(ScaleReport {
        accuracies: Accuracies {
            zsl_top1,
            zsl_top5,
            n: p.yun.len(),
            ..Accuracies::default()
        },
        best_epoch: best.0,
        val_zsl_top1: best.1,
        score_beta: 0.0,
        gzsl_offset: 0.0,
        unknown_threshold: 0.0,
        feature_samples_per_s: p.feature_rate,
        seconds: started.elapsed().as_secs_f32(),
        val_curve: curve,
        diagnostics: None,
        members: vec![],
        // Negative similarities: lower is better, as energies.
        zsl: ZslEnergies::new(&p.unseen, &p.yun, &s),
    })
}
