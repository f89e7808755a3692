//! `scale train scale`: the SCALE CVAE on frozen skeleton features, with its four ingredients
//! (DESIGN §5), each switchable for the ablation:
//! 1. `L_gen` — the ELBO of the true class with a reparameterised sample (KL warm-up);
//! 2. `L_list` — listwise energy loss over all seen classes, logits `(−E + λ_s·s(y,c))/τ` for
//!    c ≠ y (semantic bias) and `(−E_y − m(x))/τ` for the true class;
//! 3. uncertainty: margin `m(x) = m_0·(1 − u(x))` and weight `w(x) ∝ (1 − u(x))^γ` from the
//!    posterior variance, `u = v/(v + median_batch v)`;
//! 4. `L_proto` — InfoNCE between `μ_q(x,y)` and the prior means of all seen classes.
//!
//! Model selection never looks at the unseen test classes: a validation split of the *seen*
//! classes is carved out, trained without, and used to pick the epoch count, the GZSL seen-class
//! energy offset and the "unknown" threshold; then the final model trains on all seen classes.

use super::cvae::Cvae;
use super::shift_gcn::vec_of;
use crate::model::cvae::{CvaeConfig, CvaeWeights};
use crate::rng::Rng;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use serde::{Deserialize, Serialize};

/// Loss switches and hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleLoss {
    /// Weight of the listwise term (0 disables it).
    pub alpha: f32,
    /// Semantic-similarity bias λ_s on negatives (0 = ablation "−semantic").
    pub lambda_s: f32,
    pub tau: f32,
    /// Use posterior uncertainty for the margin and the sample weights ("−uncertainty" when false:
    /// constant margin m_0/2, unit weights).
    pub uncertainty: bool,
    pub margin: f32,
    pub gamma: f32,
    /// Weight of the prototype contrast (0 = ablation "−prototype").
    pub eta: f32,
    pub tau_p: f32,
    /// Epochs of linear KL warm-up in `L_gen`.
    pub warmup: usize,
}

impl Default for ScaleLoss {
    fn default() -> ScaleLoss {
        ScaleLoss {
            alpha: 1.0,
            lambda_s: 0.05,
            tau: 0.1,
            uncertainty: true,
            margin: 0.1,
            gamma: 1.0,
            eta: 0.5,
            tau_p: 0.1,
            warmup: 5,
        }
    }
}

/// Training data for the CVAE: standardised features and class indices into `texts`.
pub struct FitData<'a> {
    pub x: &'a [f32],
    pub y: &'a [usize],
    /// Text vectors of the training classes `[K, 384]`, row per class index.
    pub texts: &'a [Vec<f32>],
}

/// Optimisation settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitSettings {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
}

fn t2(data: Vec<f32>, shape: [usize; 2], dev: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(data, shape), dev)
}

fn cosine_matrix(texts: &[Vec<f32>]) -> Vec<f32> {
    let k = texts.len();
    let mut s = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            s[i * k + j] = crate::text::cosine(&texts[i], &texts[j]);
        }
    }
    s
}

/// Trains a CVAE; after every epoch `on_epoch(epoch, &weights)` may evaluate and returns whether
/// to keep going. Returns the final module.
pub fn fit(
    config: &CvaeConfig,
    loss: &ScaleLoss,
    data: &FitData<'_>,
    settings: &FitSettings,
    feature_mean: &[f32],
    feature_std: &[f32],
    mut on_epoch: impl FnMut(usize, &CvaeWeights, f32) -> bool,
) -> Cvae {
    let dev = super::device(true);
    dev.seed(settings.seed);
    let (f, z) = (config.feature_dim, config.latent);
    let k = data.texts.len();
    let n = data.y.len();
    let mut model = Cvae::new(config, &dev);
    let mut optim = AdamWConfig::new().with_weight_decay(1e-4).init();
    let texts = t2(data.texts.concat(), [k, config.text_dim], &dev);
    let sim = cosine_matrix(data.texts);
    let mut rng = Rng::new(settings.seed ^ 0xC4AE);
    let mut order: Vec<usize> = (0..n).collect();
    for epoch in 1..=settings.epochs {
        rng.shuffle(&mut order);
        let warm = if loss.warmup == 0 {
            1.0
        } else {
            (epoch as f32 / loss.warmup as f32).min(1.0)
        };
        let mut total = 0.0f32;
        for batch in order.chunks(settings.batch) {
            let b = batch.len();
            let x: Vec<f32> = batch
                .iter()
                .flat_map(|&i| data.x[i * f..(i + 1) * f].iter().copied())
                .collect();
            let y: Vec<usize> = batch.iter().map(|&i| data.y[i]).collect();
            let xt = t2(x, [b, f], &dev);
            let yi = Tensor::<1, Int>::from_data(
                TensorData::new(y.iter().map(|&v| v as i64).collect::<Vec<_>>(), [b]),
                &dev,
            );
            let h_all = model.condition(texts.clone());
            let (pmu, plv) = model.prior(h_all.clone());

            // 1. ELBO of the true class.
            let h_y = h_all.clone().select(0, yi.clone());
            let (mu, lv) = model.encode(xt.clone(), Some(h_y.clone()));
            let eps =
                Tensor::<2>::random([b, z], burn::tensor::Distribution::Normal(0.0, 1.0), &dev);
            let zs = mu.clone() + (lv.clone() * 0.5).exp() * eps;
            let rec = (model.decode(zs, h_y) - xt.clone()).powf_scalar(2.0).mean();
            let kl_y = super::cvae::kl(
                mu.clone(),
                lv.clone(),
                pmu.clone().select(0, yi.clone()),
                plv.clone().select(0, yi.clone()),
            )
            .mean();
            let mut objective = rec + kl_y * f64::from(config.beta * warm);

            // 2–3. Listwise energy loss with semantic bias and uncertainty-adaptive margin/weights.
            if loss.alpha > 0.0 {
                let e = model.energies(xt.clone(), h_all.clone(), pmu.clone(), plv.clone());
                let v: Vec<f32> = vec_of(lv.clone().detach().exp().mean_dim(1));
                let (margins, weights) = uncertainty_terms(&v, loss);
                let mut bias = vec![0.0f32; b * k];
                for (r, &yc) in y.iter().enumerate() {
                    for c in 0..k {
                        bias[r * k + c] = if c == yc {
                            -margins[r]
                        } else {
                            loss.lambda_s * sim[yc * k + c]
                        };
                    }
                }
                let logits = (e.energy.neg() + t2(bias, [b, k], &dev)) / f64::from(loss.tau);
                let nll = log_softmax(logits, 1)
                    .gather(1, yi.clone().reshape([b, 1]))
                    .neg();
                let l_list = (nll * t2(weights, [b, 1], &dev)).mean();
                objective = objective + l_list * f64::from(loss.alpha);
            }

            // 4. Latent prototype contrast.
            if loss.eta > 0.0 {
                let norm = |t: Tensor<2>| {
                    let n = t.clone().powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-6);
                    t / n
                };
                let logits = norm(mu).matmul(norm(pmu).transpose()) / f64::from(loss.tau_p);
                let l_proto = log_softmax(logits, 1)
                    .gather(1, yi.reshape([b, 1]))
                    .neg()
                    .mean();
                objective = objective + l_proto * f64::from(loss.eta);
            }
            total += vec_of(objective.clone())[0] * b as f32;
            let grads = GradientsParams::from_grads(objective.backward(), &model);
            model = optim.step(settings.lr, model, grads);
        }
        let weights = model
            .valid()
            .to_weights(feature_mean.to_vec(), feature_std.to_vec());
        if !on_epoch(epoch, &weights, total / n.max(1) as f32) {
            break;
        }
    }
    model
}

/// Per-sample margins and weights (batch mean 1) from posterior variances `v`.
pub fn uncertainty_terms(v: &[f32], loss: &ScaleLoss) -> (Vec<f32>, Vec<f32>) {
    if !loss.uncertainty {
        return (vec![0.5 * loss.margin; v.len()], vec![1.0; v.len()]);
    }
    let mut sorted = v.to_vec();
    sorted.sort_by(f32::total_cmp);
    let median = sorted[sorted.len() / 2].max(1e-12);
    let u: Vec<f32> = v.iter().map(|x| x / (x + median)).collect();
    let margins = u.iter().map(|u| loss.margin * (1.0 - u)).collect();
    let raw: Vec<f32> = u
        .iter()
        .map(|u| (1.0 - u).max(1e-6).powf(loss.gamma))
        .collect();
    let mean = raw.iter().sum::<f32>() / raw.len() as f32;
    (margins, raw.iter().map(|w| w / mean).collect())
}

/// Rows `[n, F]` standardised per feature: `(x − mean) / std`.
pub fn standardise(x: &[f32], mean: &[f32], std: &[f32]) -> Vec<f32> {
    let f = mean.len().max(1);
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks_exact(f) {
        out.extend(row.iter().zip(mean).zip(std).map(|((v, m), s)| (v - m) / s));
    }
    out
}

/// Mean and standard deviation (floored) of each feature over rows `[n, F]`.
pub fn standardisation(x: &[f32], f: usize) -> (Vec<f32>, Vec<f32>) {
    let n = (x.len() / f).max(1) as f32;
    let mut mean = vec![0.0f32; f];
    for row in x.chunks_exact(f) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v / n;
        }
    }
    let mut var = vec![0.0f32; f];
    for row in x.chunks_exact(f) {
        for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
            *s += (v - m) * (v - m) / n;
        }
    }
    (mean, var.iter().map(|v| v.sqrt().max(1e-3)).collect())
}

/// Energies `[n, K]` of raw features against cached class priors, in inference mode (burn),
/// computed the way the exported energy head computes them.
pub fn energies(
    weights: &CvaeWeights,
    x_raw: &[f32],
    priors: &crate::model::cvae::ClassPriors,
) -> Vec<f32> {
    let dev = super::device(false);
    let model = Cvae::from_weights(weights, &dev);
    let f = weights.config.feature_dim;
    let std = standardise(x_raw, &weights.feature_mean, &weights.feature_std);
    let mut out = Vec::with_capacity(std.len() / f * priors.len());
    for chunk in std.chunks(256 * f) {
        let x = t2(chunk.to_vec(), [chunk.len() / f, f], &dev);
        out.extend(vec_of(energy_from_priors(&model, x, priors, &dev)));
    }
    out
}

/// `[B, K]` energies using the cached class tensors (`enc_h`, `dec_h`, priors), exactly as the
/// exported energy head does.
fn energy_from_priors(
    model: &Cvae,
    x: Tensor<2>,
    p: &crate::model::cvae::ClassPriors,
    dev: &Device,
) -> Tensor<2> {
    let c = &model.config;
    let (hd, z, k) = (c.hidden, c.latent, p.len());
    let [b, f] = x.dims();
    let enc_h = t2(p.enc_h.clone(), [k, hd], dev);
    let dec_h = t2(p.dec_h.clone(), [k, hd], dev);
    let pmu = t2(p.prior_mu.clone(), [k, z], dev);
    let plv = t2(p.prior_logvar.clone(), [k, z], dev);
    // First encoder layer split: W_x·x (+0) and the cached class part.
    let w1 = model.enc1.weight.val();
    let wx = w1.clone().narrow(0, 0, f);
    let ex = x.clone().matmul(wx); // [B, H]
    let a: Tensor<2> = if c.class_conditioned {
        (ex.unsqueeze_dim::<3>(1) + enc_h.unsqueeze_dim::<3>(0)).reshape([b * k, hd])
    } else {
        let bias = model
            .enc1
            .bias
            .as_ref()
            .map(|b| b.val())
            .expect("enc1 has a bias");
        (ex + bias.unsqueeze_dim::<2>(0))
            .unsqueeze_dim::<3>(1)
            .repeat_dim(1, k)
            .reshape([b * k, hd])
    };
    let a = burn::tensor::activation::relu(a);
    let q = model
        .enc3
        .forward(burn::tensor::activation::relu(model.enc2.forward(a)));
    let mu = q.clone().narrow(1, 0, z);
    let lv = q.narrow(1, z, z);
    let wz = model.dec1.weight.val().narrow(0, 0, z);
    let d: Tensor<2> = (mu.clone().matmul(wz).reshape([b, k, hd]) + dec_h.unsqueeze_dim::<3>(0))
        .reshape([b * k, hd]);
    let xh = model.dec2.forward(burn::tensor::activation::relu(d));
    let x_rep: Tensor<2> = x.unsqueeze_dim::<3>(1).repeat_dim(1, k).reshape([b * k, f]);
    let rec = (xh - x_rep).powf_scalar(2.0).mean_dim(1);
    let pm: Tensor<2> = pmu
        .unsqueeze_dim::<3>(0)
        .repeat_dim(0, b)
        .reshape([b * k, z]);
    let pl: Tensor<2> = plv
        .unsqueeze_dim::<3>(0)
        .repeat_dim(0, b)
        .reshape([b * k, z]);
    let kl = super::cvae::kl(mu, lv, pm, pl).mean_dim(1);
    (rec + kl * f64::from(c.scoring_beta())).reshape([b, k])
}

/// Top-1 and top-5 accuracy of energies `[n, K]` (lower is better) against true column indices.
pub fn topk(energy: &[f32], k: usize, truth: &[usize]) -> (f32, f32) {
    let n = truth.len();
    let (mut t1, mut t5) = (0usize, 0usize);
    for (row, &y) in energy.chunks_exact(k).zip(truth) {
        let better = row.iter().filter(|&&e| e < row[y]).count();
        t1 += usize::from(better == 0);
        t5 += usize::from(better < 5);
    }
    (t1 as f32 / n.max(1) as f32, t5 as f32 / n.max(1) as f32)
}
