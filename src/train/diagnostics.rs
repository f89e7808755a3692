//! What the CVAE has learnt, beyond its accuracy (`scale_log.csv` and the `--json` report of
//! `scale train scale`): the loss terms of each epoch, and on a set of samples the KL of the
//! true class per latent dimension, the active latent units, how far the classes' mean
//! reconstruction and KL energies spread (a class cheap for every sample is a "hub"), the share
//! of predictions the most-predicted class takes and the confusion between classes. These tell
//! a collapsed posterior (no active units, KL near 0 in every dimension) and hub classes apart
//! from plain under-training (docs/training.md, "Diagnostics").

use crate::model::cvae::{ClassPriors, CvaeWeights};
use serde::{Deserialize, Serialize};

/// A latent dimension is active when its posterior mean varies across samples by more than
/// this (variance; Burda, Grosse & Salakhutdinov's criterion for active units).
pub const ACTIVE_UNIT_VARIANCE: f32 = 0.01;

/// The loss terms of one epoch, means per sample (unweighted: `kl` before β and warm-up,
/// `list` and `proto` before α and η).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochTerms {
    /// The objective that was minimised (weighted sum).
    pub loss: f32,
    pub rec: f32,
    pub kl: f32,
    /// Listwise energy loss; 0 when it is switched off.
    pub list: f32,
    /// Prototype contrast; 0 when it is switched off.
    pub proto: f32,
}

/// Diagnostics of a model on labelled samples, ranked among `classes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    pub samples: usize,
    pub classes: Vec<String>,
    /// Top-1 by the shipped energy (no GZSL offset).
    pub top1: f32,
    /// Mean KL of the true class per latent dimension, nats.
    pub kl_per_dim: Vec<f32>,
    /// Latent dimensions whose true-class posterior mean has a variance across samples above
    /// [`ACTIVE_UNIT_VARIANCE`].
    pub active_units: usize,
    /// The same criterion on the variance within each class (pooled): dimensions whose
    /// posterior mean depends on the sample beyond its class. A posterior that copies the
    /// class code has many active units and none within classes.
    #[serde(default)]
    pub active_units_within_class: usize,
    /// Mean true-class reconstruction error and KL (per dimension) over the samples.
    pub rec_true: f32,
    pub kl_true: f32,
    /// Standard deviation over classes of each class's mean reconstruction error, and of its
    /// mean KL, over all samples.
    pub rec_class_spread: f32,
    pub kl_class_spread: f32,
    /// Share of the samples predicted as the class predicted most often.
    pub top_class_share: f32,
    /// `confusion[t][p]`: samples of class `t` predicted as `p`.
    pub confusion: Vec<Vec<u32>>,
}

impl Diagnostics {
    /// The median of `kl_per_dim` (0 when empty).
    pub fn kl_dim_median(&self) -> f32 {
        let mut v = self.kl_per_dim.clone();
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }
}

/// Diagnostics of `weights` on raw features `x` `[n, F]` of classes `truth` (indices into
/// `priors`), ranked by the energy the model ships.
pub fn diagnose(
    weights: &CvaeWeights,
    x: &[f32],
    truth: &[usize],
    priors: &ClassPriors,
) -> Diagnostics {
    let (f, z, k) = (
        weights.config.feature_dim,
        weights.config.latent,
        priors.len(),
    );
    let n = truth.len().min(x.len() / f.max(1));
    let beta = weights.config.scoring_beta();
    let mut kl_dims = vec![0.0f64; z];
    let (mut mu_sum, mut mu_sq) = (vec![0.0f64; z], vec![0.0f64; z]);
    let (mut rec_class, mut kl_class) = (vec![0.0f64; k], vec![0.0f64; k]);
    let (mut rec_true, mut kl_true) = (0.0f64, 0.0f64);
    let mut confusion = vec![vec![0u32; k]; k];
    let (mut class_sum, mut class_sq, mut class_n) =
        (vec![0.0f64; k * z], vec![0.0f64; k * z], vec![0usize; k]);
    let mut correct = 0usize;
    for (row, &t) in x.chunks_exact(f).zip(truth).take(n) {
        let p = weights.parts(row, priors);
        let mut best = (f32::INFINITY, 0usize);
        for c in 0..k {
            let kl: f32 = p.kl[c * z..(c + 1) * z].iter().sum::<f32>() / z as f32;
            rec_class[c] += f64::from(p.rec[c]);
            kl_class[c] += f64::from(kl);
            let e = p.rec[c] + beta * kl;
            if e < best.0 {
                best = (e, c);
            }
        }
        if t < k {
            confusion[t][best.1] += 1;
            correct += usize::from(best.1 == t);
            rec_true += f64::from(p.rec[t]);
            kl_true += f64::from(p.kl[t * z..(t + 1) * z].iter().sum::<f32>() / z as f32);
            for j in 0..z {
                kl_dims[j] += f64::from(p.kl[t * z + j]);
                let m = f64::from(p.mu[t * z + j]);
                mu_sum[j] += m;
                mu_sq[j] += m * m;
                class_sum[t * z + j] += m;
                class_sq[t * z + j] += m * m;
            }
            class_n[t] += 1;
        }
    }
    let nf = n.max(1) as f64;
    let active_units = (0..z)
        .filter(|&j| {
            let mean = mu_sum[j] / nf;
            mu_sq[j] / nf - mean * mean > f64::from(ACTIVE_UNIT_VARIANCE)
        })
        .count();
    let active_units_within_class = (0..z)
        .filter(|&j| {
            let within: f64 = (0..k)
                .filter(|&c| class_n[c] > 0)
                .map(|c| {
                    let n = class_n[c] as f64;
                    let mean = class_sum[c * z + j] / n;
                    class_sq[c * z + j] - n * mean * mean
                })
                .sum::<f64>()
                / nf;
            within > f64::from(ACTIVE_UNIT_VARIANCE)
        })
        .count();
    let spread = |v: &[f64]| -> f32 {
        let means: Vec<f64> = v.iter().map(|s| s / nf).collect();
        let m = means.iter().sum::<f64>() / means.len().max(1) as f64;
        (means.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / means.len().max(1) as f64).sqrt()
            as f32
    };
    let predicted: Vec<u32> = (0..k)
        .map(|p| confusion.iter().map(|row| row[p]).sum())
        .collect();
    Diagnostics {
        samples: n,
        classes: priors.names.clone(),
        top1: correct as f32 / nf as f32,
        kl_per_dim: kl_dims.iter().map(|s| (s / nf) as f32).collect(),
        active_units,
        active_units_within_class,
        rec_true: (rec_true / nf) as f32,
        kl_true: (kl_true / nf) as f32,
        rec_class_spread: spread(&rec_class),
        kl_class_spread: spread(&kl_class),
        top_class_share: predicted.iter().copied().max().unwrap_or(0) as f32 / nf as f32,
        confusion,
    }
}

/// The header of `scale_log.csv`.
pub const LOG_HEADER: &str = "phase,epoch,loss,rec,kl,list,proto,on,samples,top1,active_units,active_units_within_class,kl_dim_min,kl_dim_median,kl_dim_max,rec_class_spread,kl_class_spread,top_class_share";

/// One line of `scale_log.csv` (without the newline): the epoch's terms and, when given, the
/// diagnostics on the samples named by `on`.
pub fn log_line(phase: &str, epoch: usize, t: &EpochTerms, on: &str, d: &Diagnostics) -> String {
    let min = d.kl_per_dim.iter().copied().fold(f32::INFINITY, f32::min);
    let max = d.kl_per_dim.iter().copied().fold(0.0f32, f32::max);
    format!(
        "{phase},{epoch},{:.5},{:.5},{:.5},{:.5},{:.5},{on},{},{:.4},{},{},{:.5},{:.5},{:.5},{:.5},{:.5},{:.4}",
        t.loss,
        t.rec,
        t.kl,
        t.list,
        t.proto,
        d.samples,
        d.top1,
        d.active_units,
        d.active_units_within_class,
        if min.is_finite() { min } else { 0.0 },
        d.kl_dim_median(),
        max,
        d.rec_class_spread,
        d.kl_class_spread,
        d.top_class_share
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cvae::tiny_weights as weights;

    #[test]
    fn a_constant_latent_dimension_is_inactive_and_its_kl_is_the_prior_gap() {
        let priors = ClassPriors {
            ids: vec![1, 2],
            names: vec!["a".into(), "b".into()],
            enc_h: vec![0.0; 4],
            dec_h: vec![0.0; 4],
            prior_mu: vec![0.5, 0.5, 2.0, 0.5],
            prior_logvar: vec![0.0; 4],
        };
        let x = [0.5, 0.0, 2.0, 0.0, 0.5, 0.0];
        let d = diagnose(&weights(), &x, &[0, 1, 0], &priors);
        assert_eq!(d.samples, 3);
        assert_eq!(d.top1, 1.0);
        assert_eq!(d.confusion, vec![vec![2, 0], vec![0, 1]]);
        assert!((d.top_class_share - 2.0 / 3.0).abs() < 1e-6);
        // Dimension 0 follows x₀ onto the true prior mean (KL 0); dimension 1 is stuck at 0,
        // half a unit from every prior mean: KL ½ · 0.5² = 0.125, no variance, not active.
        assert!(d.kl_per_dim[0].abs() < 1e-6, "{:?}", d.kl_per_dim);
        assert!((d.kl_per_dim[1] - 0.125).abs() < 1e-6, "{:?}", d.kl_per_dim);
        assert_eq!(d.active_units, 1);
        // Within class a, μ₀ is 0.5 both times: no variance left once the class is known.
        assert_eq!(d.active_units_within_class, 0);
        assert!(d.rec_true.abs() < 1e-6 && d.rec_class_spread.abs() < 1e-6);
        assert!((d.kl_true - 0.0625).abs() < 1e-6);
        // Class a: KL (0 + 0.125)/2 twice and (1.125 + 0.125)/2 once; class b the reverse.
        let a = (0.0625 * 2.0 + 0.625) / 3.0;
        let b = (0.625 * 2.0 + 0.0625) / 3.0;
        assert!(
            (d.kl_class_spread - (b - a) / 2.0).abs() < 1e-5,
            "{}",
            d.kl_class_spread
        );
        let line = log_line("validation", 3, &EpochTerms::default(), "x", &d);
        assert_eq!(line.split(',').count(), LOG_HEADER.split(',').count());
        assert!(line.starts_with("validation,3,"));
    }
}
