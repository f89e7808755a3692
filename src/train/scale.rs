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
use super::diagnostics::EpochTerms;
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
    /// Free bits: in `L_gen` each latent dimension's batch-mean KL counts as at least this
    /// (nats; 0 = off), so that the ELBO gains nothing by collapsing a dimension below it.
    #[serde(default)]
    pub free_bits: f32,
    /// What the class priors' variances may be (`PriorVariance`).
    #[serde(default)]
    pub prior_variance: PriorVariance,
    /// The prototype contrast sees μ_q(x, y) computed with `h_y` detached, so its gradient
    /// cannot make the posterior copy the class code.
    #[serde(default)]
    pub proto_detach: bool,
    /// Text views: in each batch every class is conditioned on one of its texts drawn at
    /// random (the mean vector, its name alone, or one description alone) instead of always
    /// the mean, so that the text → prior map is fitted on several phrasings of each class.
    /// Scoring and every prior written out still use the mean vector.
    #[serde(default)]
    pub text_views: bool,
}

/// The class priors' log-variances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum PriorVariance {
    /// Each class's own, from its text (the method as published).
    #[default]
    Free,
    /// One per latent dimension shared by every class: the mean over the training classes
    /// (no class pays less for a mismatch than another).
    Shared,
    /// Unit variance for every class and dimension.
    Unit,
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
            free_bits: 0.0,
            prior_variance: PriorVariance::Free,
            proto_detach: false,
            text_views: false,
        }
    }
}

/// Training data for the CVAE: standardised features and class indices into `texts`.
pub struct FitData<'a> {
    pub x: &'a [f32],
    pub y: &'a [usize],
    /// Text vectors of the training classes `[K, 384]`, row per class index.
    pub texts: &'a [Vec<f32>],
    /// Each training class's alternative text vectors (its name's, each description's; row
    /// per class index as `texts`), drawn from with `ScaleLoss::text_views`; empty: none.
    pub views: &'a [Vec<Vec<f32>>],
}

/// One text vector per class for a batch: class c's canonical vector `texts[c]` or one of its
/// `views[c]`, each with equal chance; concatenated `[K · dim]`.
pub fn draw_views(texts: &[Vec<f32>], views: &[Vec<Vec<f32>>], rng: &mut Rng) -> Vec<f32> {
    let mut out = Vec::with_capacity(texts.len() * texts.first().map_or(0, Vec::len));
    for (c, canonical) in texts.iter().enumerate() {
        let alternatives = views.get(c).map_or(&[][..], Vec::as_slice);
        let pick = rng.below(1 + alternatives.len());
        out.extend_from_slice(if pick == 0 {
            canonical
        } else {
            &alternatives[pick - 1]
        });
    }
    out
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

/// Trains a CVAE; after every epoch `on_epoch(epoch, &weights, &terms)` may evaluate and
/// returns whether to keep going. Returns the final module.
pub fn fit(
    config: &CvaeConfig,
    loss: &ScaleLoss,
    data: &FitData<'_>,
    settings: &FitSettings,
    feature_mean: &[f32],
    feature_std: &[f32],
    mut on_epoch: impl FnMut(usize, &CvaeWeights, &EpochTerms) -> bool,
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
    // Its own stream, so that a run without text views draws exactly what it drew before.
    let mut view_rng = Rng::new(settings.seed ^ 0x7E47);
    debug_assert!(!loss.text_views || data.views.len() == k);
    let mut order: Vec<usize> = (0..n).collect();
    for epoch in 1..=settings.epochs {
        rng.shuffle(&mut order);
        let warm = if loss.warmup == 0 {
            1.0
        } else {
            (epoch as f32 / loss.warmup as f32).min(1.0)
        };
        let mut sums = EpochTerms::default();
        let scalar = |t: &Tensor<1>| vec_of(t.clone().detach())[0];
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
            let h_all = if loss.text_views {
                let drawn = draw_views(data.texts, data.views, &mut view_rng);
                model.condition(t2(drawn, [k, config.text_dim], &dev))
            } else {
                model.condition(texts.clone())
            };
            let (pmu, plv) = model.prior(h_all.clone());
            let plv = match loss.prior_variance {
                PriorVariance::Free => plv,
                PriorVariance::Shared => plv.mean_dim(0).repeat_dim(0, k),
                PriorVariance::Unit => plv.zeros_like(),
            };

            // 1. ELBO of the true class.
            let h_y = h_all.clone().select(0, yi.clone());
            let (mu, lv) = model.encode(xt.clone(), Some(h_y.clone()));
            let eps =
                Tensor::<2>::random([b, z], burn::tensor::Distribution::Normal(0.0, 1.0), &dev);
            let zs = mu.clone() + (lv.clone() * 0.5).exp() * eps;
            let rec = (model.decode(zs, h_y.clone()) - xt.clone())
                .powf_scalar(2.0)
                .mean();
            let kl_dims = super::cvae::kl(
                mu.clone(),
                lv.clone(),
                pmu.clone().select(0, yi.clone()),
                plv.clone().select(0, yi.clone()),
            );
            let kl_y = kl_dims.clone().mean();
            // Free bits: the ELBO's KL with each dimension's batch mean floored.
            let kl_gen = if loss.free_bits > 0.0 {
                kl_dims
                    .mean_dim(0)
                    .clamp_min(f64::from(loss.free_bits))
                    .mean()
            } else {
                kl_y.clone()
            };
            let bf = b as f32;
            sums.rec += scalar(&rec) * bf;
            sums.kl += scalar(&kl_y) * bf;
            let mut objective = rec + kl_gen * f64::from(config.beta * warm);

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
                sums.list += scalar(&l_list) * bf;
                objective = objective + l_list * f64::from(loss.alpha);
            }

            // 4. Latent prototype contrast.
            if loss.eta > 0.0 {
                let norm = |t: Tensor<2>| {
                    let n = t.clone().powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-6);
                    t / n
                };
                let mu = if loss.proto_detach {
                    model.encode(xt.clone(), Some(h_y.clone().detach())).0
                } else {
                    mu
                };
                let logits = norm(mu).matmul(norm(pmu).transpose()) / f64::from(loss.tau_p);
                let l_proto = log_softmax(logits, 1)
                    .gather(1, yi.reshape([b, 1]))
                    .neg()
                    .mean();
                sums.proto += scalar(&l_proto) * bf;
                objective = objective + l_proto * f64::from(loss.eta);
            }
            sums.loss += scalar(&objective) * bf;
            let grads = GradientsParams::from_grads(objective.backward(), &model);
            model = optim.step(settings.lr, model, grads);
        }
        let mut weights = model
            .valid()
            .to_weights(feature_mean.to_vec(), feature_std.to_vec());
        fix_prior_variance(&mut weights, loss.prior_variance, data.texts);
        let per = 1.0 / n.max(1) as f32;
        let terms = EpochTerms {
            loss: sums.loss * per,
            rec: sums.rec * per,
            kl: sums.kl * per,
            list: sums.list * per,
            proto: sums.proto * per,
        };
        if !on_epoch(epoch, &weights, &terms) {
            break;
        }
    }
    model
}

/// Makes the weights' prior log-variances what `variance` says for every class, new ones
/// included: the log-variance half of the prior layer becomes a constant (its weights 0, its
/// bias the training classes' mean for `Shared`, 0 for `Unit`). `Free` changes nothing.
pub fn fix_prior_variance(weights: &mut CvaeWeights, variance: PriorVariance, texts: &[Vec<f32>]) {
    let z = weights.config.latent;
    let constant: Vec<f32> = match variance {
        PriorVariance::Free => return,
        PriorVariance::Unit => vec![0.0; z],
        PriorVariance::Shared => {
            let mut mean = vec![0.0f32; z];
            let mut out = vec![0.0f32; 2 * z];
            for t in texts {
                let h = weights.project_text(t);
                crate::model::cvae::affine(&weights.prior, &h, &mut out);
                for (m, v) in mean.iter_mut().zip(&out[z..]) {
                    *m += v / texts.len().max(1) as f32;
                }
            }
            mean
        }
    };
    let prior = &mut weights.prior;
    for row in prior.w.chunks_exact_mut(prior.out) {
        row[z..].iter_mut().for_each(|w| *w = 0.0);
    }
    prior.b[z..].copy_from_slice(&constant);
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
    let f = weights.config.feature_dim;
    let std = standardise(x_raw, &weights.feature_mean, &weights.feature_std);
    let members = weights.config.members.max(1);
    let mut out = vec![0.0f32; std.len() / f * priors.len()];
    // An ensemble's energy is its members' mean, each on its own columns of the cache.
    for (m, w) in weights.members().enumerate() {
        let model = Cvae::from_weights(w, &dev);
        let own = if members == 1 {
            std::borrow::Cow::Borrowed(priors)
        } else {
            std::borrow::Cow::Owned(priors.member(m, w.enc2.out, w.enc3.out / 2))
        };
        let mut at = 0;
        for chunk in std.chunks(256 * f) {
            let x = t2(chunk.to_vec(), [chunk.len() / f, f], &dev);
            for e in vec_of(energy_from_priors(&model, x, &own, &dev)) {
                out[at] += e / members as f32;
                at += 1;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cvae::{test_linear, tiny_weights};

    #[test]
    fn text_views_draw_each_of_a_classs_texts_equally_often_and_only_its_own() {
        let texts = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let views = vec![vec![vec![2.0, 0.0], vec![3.0, 0.0]], vec![vec![0.0, 2.0]]];
        let mut rng = Rng::new(5);
        let mut counts = [[0usize; 4]; 2];
        let draws = 6000;
        for _ in 0..draws {
            let d = draw_views(&texts, &views, &mut rng);
            assert_eq!(d.len(), 4);
            // Class 0's row is one of its own vectors (x only), class 1's of its own (y only).
            assert_eq!((d[1], d[2]), (0.0, 0.0), "{d:?}");
            counts[0][d[0] as usize] += 1;
            counts[1][d[3] as usize] += 1;
        }
        // Class 0: canonical, 2 views (a third each); class 1: canonical, 1 view (a half each).
        for &c in &counts[0][1..4] {
            assert!(
                (c as f32 / draws as f32 - 1.0 / 3.0).abs() < 0.03,
                "{counts:?}"
            );
        }
        for &c in &counts[1][1..3] {
            assert!((c as f32 / draws as f32 - 0.5).abs() < 0.03, "{counts:?}");
        }
        // No views: always the canonical vectors.
        assert_eq!(draw_views(&texts, &[], &mut rng), vec![1.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn shared_and_unit_prior_variances_hold_for_every_class_new_ones_too() {
        // Prior log-variance (h₀, 2·h₁) of h = text: the two texts give (1, 0) and (0, 2).
        let mut w = tiny_weights();
        w.prior = test_linear(2, 4, &[0.3, 0.0, 1.0, 0.0, 0.0, 0.7, 0.0, 2.0]);
        let texts = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let new = vec![vec![0.4, 0.9]];
        let names = |n: usize| (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        let before = w.class_priors(&[1, 2], &names(2), &texts);
        assert_eq!(before.prior_logvar, [1.0, 0.0, 0.0, 2.0]);

        let mut free = w.clone();
        fix_prior_variance(&mut free, PriorVariance::Free, &texts);
        assert_eq!(free, w);

        let mut shared = w.clone();
        fix_prior_variance(&mut shared, PriorVariance::Shared, &texts);
        let after = shared.class_priors(&[1, 2], &names(2), &texts);
        assert_eq!(after.prior_logvar, [0.5, 1.0, 0.5, 1.0]);
        assert_eq!(after.prior_mu, before.prior_mu, "the means are untouched");
        let unseen = shared.class_priors(&[3], &names(1), &new);
        assert_eq!(unseen.prior_logvar, [0.5, 1.0]);

        let mut unit = w.clone();
        fix_prior_variance(&mut unit, PriorVariance::Unit, &texts);
        let after = unit.class_priors(&[1, 2, 3], &names(3), &[texts, new].concat());
        assert!(after.prior_logvar.iter().all(|&v| v == 0.0));
    }
}
