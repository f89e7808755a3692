//! `scale train encoder` and `scale train scale`.

use super::CliResult;
use crate::train::data::Dataset;
use crate::train::encoder::{self, EncoderTrainConfig};
use std::path::Path;

pub fn encoder(cfg: EncoderTrainConfig, out: &Path) -> CliResult {
    let started = std::time::Instant::now();
    let data = Dataset::load_training(&cfg.data, cfg.extra_data.as_deref(), cfg.extra_copies)?;
    eprintln!(
        "loaded {} recordings from {} in {:.1} s",
        data.samples.len(),
        cfg.data.display(),
        started.elapsed().as_secs_f32()
    );
    let report = encoder::train(&data, &cfg, out, true)?;
    let last = report.epochs.last();
    eprintln!(
        "trained on {} samples of {} seen classes ({} held out): held-out accuracy {:.3}; checkpoint {}",
        report.train_samples,
        report.seen_classes.len(),
        report.heldout_samples,
        last.map_or(0.0, |e| e.heldout_acc),
        report.checkpoint.display()
    );
    Ok(())
}

/// Opens `--zsl-scores FILE` before training, so that a path that cannot be written fails at
/// once rather than after the run.
fn open_zsl_scores(path: Option<&Path>) -> CliResult {
    if let Some(path) = path {
        std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Writes the zero-shot test's energies (`--zsl-scores FILE`) as one JSON object.
fn write_zsl_scores(zsl: &crate::train::pipeline::ZslEnergies, path: Option<&Path>) -> CliResult {
    if let Some(path) = path {
        let text = serde_json::to_string(zsl)?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

pub fn scale(
    cfg: crate::train::pipeline::ScaleTrainConfig,
    out: &Path,
    json: bool,
    zsl_scores: Option<&Path>,
) -> CliResult {
    open_zsl_scores(zsl_scores)?;
    let (report, _) = crate::train::pipeline::train_scale(&cfg, out, !json)?;
    write_zsl_scores(&report.zsl, zsl_scores)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let a = &report.accuracies;
        eprintln!(
            "model written to {}: ZSL top-1 {:.3}, top-5 {:.3} on {} unseen samples; GZSL seen {:.3}, unseen {:.3}, H {:.3}; best epoch {} (validation top-1 {:.3}), ranking β {}; {:.0} s",
            out.display(),
            a.zsl_top1,
            a.zsl_top5,
            a.n,
            a.gzsl_seen,
            a.gzsl_unseen,
            a.gzsl_h,
            report.best_epoch,
            report.val_zsl_top1,
            report.score_beta,
            report.seconds
        );
        if let Some(d) = &report.diagnostics {
            for (what, d) in [
                ("validation classes, selected epoch", &d.validation),
                ("final fit, its training samples", &d.final_training),
            ] {
                eprintln!(
                    "  diagnostics on {what} ({} samples, {} classes): top-1 {:.3}; {} of {} latent units active, {} within classes; KL per dimension median {:.4}, max {:.4}; class spread of reconstruction {:.4}, of KL {:.4}; most-predicted class takes {:.1} %",
                    d.samples,
                    d.classes.len(),
                    d.top1,
                    d.active_units,
                    d.kl_per_dim.len(),
                    d.active_units_within_class,
                    d.kl_dim_median(),
                    d.kl_per_dim.iter().copied().fold(0.0f32, f32::max),
                    d.rec_class_spread,
                    d.kl_class_spread,
                    100.0 * d.top_class_share
                );
            }
            eprintln!(
                "  every epoch's loss terms and diagnostics: {}",
                out.join(crate::train::pipeline::SCALE_LOG).display()
            );
        }
    }
    Ok(())
}

pub fn alignment(
    cfg: crate::train::pipeline::ScaleTrainConfig,
    out: &Path,
    json: bool,
    zsl_scores: Option<&Path>,
) -> CliResult {
    std::fs::create_dir_all(out)?;
    open_zsl_scores(zsl_scores)?;
    let report =
        crate::train::pipeline::train_alignment(&cfg, &out.join(crate::model::folder::CLASS_TEXT))?;
    write_zsl_scores(&report.zsl, zsl_scores)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        eprintln!(
            "alignment baseline: ZSL top-1 {:.3}, top-5 {:.3} on {} unseen samples (best epoch {}, validation top-1 {:.3})",
            report.accuracies.zsl_top1,
            report.accuracies.zsl_top5,
            report.accuracies.n,
            report.best_epoch,
            report.val_zsl_top1
        );
    }
    Ok(())
}
