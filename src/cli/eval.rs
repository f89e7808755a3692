//! `scale eval`: ZSL and GZSL accuracy of a model folder, run through ONNX Runtime exactly as
//! deployed.

use super::CliResult;
use crate::catalog::Catalog;
use crate::evaluation::{self, Labeller};
use crate::inference::Recognizer;
use crate::rng::Rng;
use crate::runtime::SessionOptions;
use crate::stream::engine::LabelEngine;
use crate::synth::{self, SynthConfig};
use crate::train::data::{Augment, Dataset, Sample, windows};
use crate::train::pipeline::{TestSet, score};
use std::path::{Path, PathBuf};

/// Flags of `scale eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Model folder.
    #[arg(long, default_value = "models/default")]
    pub model: PathBuf,
    /// Zero-shot split (its unseen classes are the ZSL candidates); not used with --catalog.
    #[arg(long)]
    pub split: Option<String>,
    /// Test data: a labelled folder (with --catalog), or a synthetic or NTU folder (for NTU the
    /// cross-subject test set is used for GZSL).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The candidate classes for a labelled folder: a catalogue whose class names are the
    /// labels of labels.csv (descriptions optional).
    #[arg(long, requires = "data")]
    pub catalog: Option<PathBuf>,
    /// Labelled folder: sensor frames per window (default 64, as `scale serve`).
    #[arg(long)]
    pub window: Option<usize>,
    /// Labelled folder: a window every this many frames (as `scale serve`).
    #[arg(long, default_value_t = 4)]
    pub stride: usize,
    /// Labelled folder: write the confusion matrix as this PNG and as JSON beside it.
    #[arg(long, value_name = "FILE.png")]
    pub confusion: Option<PathBuf>,
    #[arg(long, default_value_t = 1000)]
    pub eval_seed: u64,
    /// Sequences per class of the generated test set.
    #[arg(long, default_value_t = 20)]
    pub per_class: usize,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Synthetic split: also rank the unseen classes by each part of the energy on the same
    /// weights (reconstruction, KL, KL without log-variances, latent distance, cosine), raw and
    /// per-class calibrated (minus each class's mean score over the seen-class test samples).
    #[arg(long, conflicts_with = "catalog")]
    pub scoring: bool,
    #[command(flatten)]
    pub recording: super::RecordingOpts,
}

fn features(rec: &mut Recognizer, samples: &[&Sample]) -> Result<(Vec<f32>, Vec<u32>), String> {
    let mut rng = Rng::new(0);
    let mut x = Vec::new();
    for chunk in samples.chunks(64) {
        let w = windows(
            chunk,
            rec.info.window,
            Augment::NONE.with_input(&rec.info.encoder),
            &mut rng,
        )?;
        x.extend(rec.features(&w, chunk.len())?);
    }
    Ok((x, samples.iter().map(|s| s.class_id).collect()))
}

pub fn run(args: EvalArgs) -> CliResult {
    if let (Some(data), Some(catalog)) = (&args.data, &args.catalog) {
        return labelled(&args, data, catalog);
    }
    let split_name = args.split.clone().ok_or(
        "give --split (a zero-shot split of the model's catalogue), or --data DIR --catalog FILE for a labelled folder",
    )?;
    let mut rec = Recognizer::load(
        &args.model,
        SessionOptions {
            intra_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            ..Default::default()
        },
    )?;
    // Without --data: a fresh synthetic test set (new performers and variations), all of it unseen by training.
    let temp;
    let (data_dir, all_test) = match &args.data {
        Some(d) => (d.clone(), false),
        None => {
            temp = tempfile_dir()?;
            // The model's own catalogue, when it is one the generator knows.
            let extended = synth::compose::extended_catalog();
            let catalog = if rec.priors_catalog_hash == extended.hash {
                std::fs::write(
                    temp.0.join(synth::CATALOG_FILE),
                    synth::compose::extended_catalog_text(),
                )?;
                extended
            } else {
                Catalog::builtin()
            };
            let config = SynthConfig::every_class(&catalog, args.eval_seed, args.per_class);
            synth::write_dataset(&catalog, &config, &temp.0)?;
            (temp.0.clone(), true)
        }
    };
    let data = Dataset::load(&data_dir)?;
    if data.catalog.hash != rec.priors_catalog_hash {
        return Err(format!(
            "{} holds class priors for another catalogue (sha256 {}…) than the data's ({}, {}…): class ids would not mean the same classes. \
             Evaluate on data of the model's catalogue, or give the model this catalogue's classes with `scale classes --model {} --catalog FILE`",
            args.model.display(),
            rec.priors_catalog_hash.chars().take(12).collect::<String>(),
            data.catalog.name,
            data.catalog.hash.chars().take(12).collect::<String>(),
            args.model.display()
        )
        .into());
    }
    let split = data.catalog.split(&split_name)?.clone();
    let seen = data.catalog.seen_ids(&split);
    let unseen = split.unseen.clone();
    let seen_test: Vec<&Sample> = data
        .samples
        .iter()
        .filter(|s| seen.contains(&s.class_id) && (all_test || !data.is_train(s)))
        .collect();
    let unseen_test: Vec<&Sample> = data
        .samples
        .iter()
        .filter(|s| unseen.contains(&s.class_id))
        .collect();
    let (sx, sy) = features(&mut rec, &seen_test)?;
    let (ux, uy) = features(&mut rec, &unseen_test)?;
    let priors = rec.priors.clone();
    let (hd, z) = (rec.info.cvae.hidden, rec.info.cvae.latent);
    let offset = rec.info.gzsl_offset;
    let mut energy = |x: &[f32], ids: &[u32]| -> Result<Vec<f32>, String> {
        rec.energies(x, &priors.subset(ids, hd, z)?)
    };
    let test = TestSet {
        seen_x: &sx,
        seen_y: &sy,
        unseen_x: &ux,
        unseen_y: &uy,
    };
    let s = score(&mut energy, &seen, &unseen, &test, offset)?;
    let variants = if args.scoring {
        let cvae = crate::model::folder::load_cvae(&args.model)?;
        let unseen_priors = priors.subset(&unseen, hd, z)?;
        scoring_variants(&cvae, &unseen_priors, &unseen, &ux, &uy, &sx)
    } else {
        Vec::new()
    };
    if args.json {
        let v = serde_json::json!({
            "split": split_name,
            "zsl_top1": s.zsl_top1,
            "zsl_top5": s.zsl_top5,
            "gzsl_seen": s.gzsl_seen,
            "gzsl_unseen": s.gzsl_unseen,
            "gzsl_h": s.gzsl_h,
            "n": uy.len(),
            "n_seen": sy.len(),
            "chance": 1.0 / unseen.len() as f64,
            "data": if args.data.is_some() { data_dir.display().to_string() } else { format!("fresh synthetic set, seed {}, {} per class", args.eval_seed, args.per_class) },
            "scoring": variants,
        });
        println!("{v}");
    } else {
        println!(
            "split        {} ({} seen, {} unseen classes; chance {:.3})",
            split_name,
            seen.len(),
            unseen.len(),
            1.0 / unseen.len() as f64
        );
        println!(
            "ZSL          top-1 {:.3}  top-5 {:.3}  ({} unseen-class samples)",
            s.zsl_top1,
            s.zsl_top5,
            uy.len()
        );
        println!(
            "GZSL         seen {:.3}  unseen {:.3}  H {:.3}  ({} seen-class samples)",
            s.gzsl_seen,
            s.gzsl_unseen,
            s.gzsl_h,
            sy.len()
        );
        if !variants.is_empty() {
            println!(
                "scoring on the same weights, ZSL top-1 (share of the most-predicted class; chance {:.3}):",
                1.0 / unseen.len() as f64
            );
            println!("  {:<32} {:>15} {:>22}", "", "raw", "per-class calibrated");
            for v in &variants {
                println!(
                    "  {:<32} {:>6.3} ({:.2}) {:>13.3} ({:.2})",
                    v.name, v.zsl_top1, v.top_share, v.calibrated_top1, v.calibrated_top_share
                );
            }
        }
    }
    Ok(())
}

/// ZSL with one way of scoring, raw and per-class calibrated.
#[derive(Debug, serde::Serialize)]
pub struct ScoringResult {
    pub scoring: crate::model::cvae::Scoring,
    pub name: &'static str,
    pub zsl_top1: f32,
    /// Share of the unseen-class samples given the most-predicted class (1 / classes when
    /// balanced; near 1 when one class absorbs everything).
    pub top_share: f32,
    pub calibrated_top1: f32,
    pub calibrated_top_share: f32,
}

/// Each scoring variant on the unseen-class features `ux` (labels `uy`) against the unseen
/// classes' priors; calibration subtracts each class's mean score over the seen-class
/// features `sx` (no unseen-class data).
fn scoring_variants(
    cvae: &crate::model::cvae::CvaeWeights,
    priors: &crate::model::cvae::ClassPriors,
    unseen: &[u32],
    ux: &[f32],
    uy: &[u32],
    sx: &[f32],
) -> Vec<ScoringResult> {
    let f = cvae.config.feature_dim;
    let k = unseen.len();
    let judge = |scores: &[Vec<f32>], offsets: &[f32]| -> (f32, f32) {
        let mut counts = vec![0usize; k];
        let mut right = 0usize;
        for (row, y) in scores.iter().zip(uy) {
            let best = (0..k)
                .min_by(|&a, &b| (row[a] - offsets[a]).total_cmp(&(row[b] - offsets[b])))
                .unwrap_or(0);
            counts[best] += 1;
            right += usize::from(unseen[best] == *y);
        }
        let n = uy.len().max(1) as f32;
        (
            right as f32 / n,
            *counts.iter().max().unwrap_or(&0) as f32 / n,
        )
    };
    crate::model::cvae::Scoring::ALL
        .iter()
        .map(|&scoring| {
            let scores: Vec<Vec<f32>> = ux
                .chunks_exact(f)
                .map(|x| cvae.scores_with(x, priors, scoring))
                .collect();
            let mut offsets = vec![0.0f32; k];
            let n_seen = sx.len() / f;
            for x in sx.chunks_exact(f) {
                for (o, s) in offsets.iter_mut().zip(cvae.scores_with(x, priors, scoring)) {
                    *o += s / n_seen.max(1) as f32;
                }
            }
            let (zsl_top1, top_share) = judge(&scores, &vec![0.0; k]);
            let (calibrated_top1, calibrated_top_share) = judge(&scores, &offsets);
            ScoringResult {
                scoring,
                name: scoring.name(),
                zsl_top1,
                top_share,
                calibrated_top1,
                calibrated_top_share,
            }
        })
        .collect()
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir() -> Result<TempDir, String> {
    let base = std::env::temp_dir().join(format!("scale-eval-{}", std::process::id()));
    std::fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    Ok(TempDir(base))
}

/// `scale eval --data DIR --catalog FILE`: a labelled folder, clip by clip, as `scale serve`
/// would label it.
fn labelled(args: &EvalArgs, data: &Path, catalog_path: &Path) -> CliResult {
    let catalog = super::catalog_arg(catalog_path)?.0;
    let clips = crate::recording::labels::read(data)?;
    if args.stride == 0 || args.window.is_some_and(|w| w < 2) {
        return Err("--stride must be at least 1 and --window at least 2 frames".into());
    }
    let engine = LabelEngine::load_with(&args.model, SessionOptions::default(), 5, Some(&catalog))?;
    let mut labeller = Labeller::new(engine, args.window, args.stride);
    let source = data.join("labels.csv").display().to_string();
    let report = evaluation::evaluate(
        &mut labeller,
        &catalog,
        &clips,
        &source,
        &args.recording.read_options()?,
    )?;
    if let Some(png) = &args.confusion {
        evaluation::confusion::write(&report, png)?;
    }
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["data"] = data.display().to_string().into();
        v["model"] = args.model.display().to_string().into();
        v["window"] = labeller.window().into();
        v["stride"] = args.stride.into();
        println!("{v}");
        return Ok(());
    }
    let k = report.classes.len();
    println!(
        "data         {} ({} clips; {} candidate classes of catalogue {})",
        data.display(),
        report.clips,
        k,
        report.catalog
    );
    println!(
        "per clip     top-1 {:.3} (chance {:.3})  top-3 {:.3} (chance {:.3})",
        report.top1, report.chance_top1, report.top3, report.chance_top3
    );
    println!(
        "per window   top-1 {:.3} (chance {:.3}) over {} windows of {} frames every {}",
        report.window_top1,
        report.chance_top1,
        report.windows,
        labeller.window(),
        args.stride
    );
    if report.clips_padded > 0 || report.clips_without_windows > 0 {
        println!(
            "             {} clips shorter than a window (padded, held still), {} without any window (counted wrong)",
            report.clips_padded, report.clips_without_windows
        );
    }
    println!("per class    clips  top-1  top-3  most often predicted");
    for c in &report.per_class {
        let t = report
            .classes
            .iter()
            .position(|n| *n == c.name)
            .unwrap_or(0);
        let row = &report.confusion[t];
        let most = (0..k)
            .max_by_key(|&p| (row[p], usize::MAX - p))
            .unwrap_or(0);
        println!(
            "  {:<32} {:>4}  {:.3}  {:.3}  {}",
            c.name, c.clips, c.top1, c.top3, report.classes[most]
        );
    }
    if let Some(png) = &args.confusion {
        println!(
            "confusion    {} and {}",
            png.display(),
            png.with_extension("json").display()
        );
    }
    Ok(())
}
