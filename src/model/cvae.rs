//! The SCALE conditional VAE as plain data: configuration, weights, the class-prior cache, and
//! the energy, computed here in plain Rust as the reference that the trainer and the exported
//! energy head are tested against.
//!
//! Notation (DESIGN §5): `x` the standardised skeleton feature, `t_c` the class text vector,
//! `h_c = P(t_c)` its projection; prior `p(z|c) = N(μ_p(h_c), σ²_p(h_c))`; encoder
//! `q(z|x,c) = Enc([x; h_c])` (or `Enc(x)` in the cheaper unconditioned variant); decoder
//! `x̂ = Dec([z; h_c])`. Energy (deterministic, `z = μ_q`):
//! `E(x,c) = ‖x − Dec([μ_q; h_c])‖² / F + β · KL(q ‖ p) / d_z`.

use super::shift_gcn::Linear;
use super::tensors::NamedTensors;
use serde::{Deserialize, Serialize};

/// Ways to rank classes on the same trained weights (`scale eval --scoring`): the SCALE
/// energy, and each of its parts, for the diagnostics of `docs/training.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Reconstruction error + β · KL(q(z|x,c) ‖ p(z|c)) / d_z: what the model ships.
    Energy,
    /// The reconstruction term alone.
    Reconstruction,
    /// The KL term alone (per latent dimension).
    Kl,
    /// The KL without its log-variance terms: ½ (μ_q − μ_p)² / σ_p², per dimension.
    KlMeans,
    /// Squared distance of the means, no variances: (μ_q − μ_p)², per dimension.
    LatentDistance,
    /// −cos(μ_q, μ_p).
    Cosine,
}

impl Scoring {
    pub const ALL: [Scoring; 6] = [
        Scoring::Energy,
        Scoring::Reconstruction,
        Scoring::Kl,
        Scoring::KlMeans,
        Scoring::LatentDistance,
        Scoring::Cosine,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Scoring::Energy => "energy (shipped)",
            Scoring::Reconstruction => "reconstruction only",
            Scoring::Kl => "KL only",
            Scoring::KlMeans => "KL without log-variance terms",
            Scoring::LatentDistance => "latent distance ‖μ_q − μ_p‖²",
            Scoring::Cosine => "cosine −cos(μ_q, μ_p)",
        }
    }
}

/// CVAE configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvaeConfig {
    /// Skeleton feature size F.
    pub feature_dim: usize,
    /// Text embedding size.
    pub text_dim: usize,
    /// Size of `h_c`.
    pub cond_dim: usize,
    /// Hidden width of the encoder, decoder and text projection.
    pub hidden: usize,
    /// Latent size d_z.
    pub latent: usize,
    /// Weight of the KL term in the training objective (and in the energy, unless
    /// `score_beta` says otherwise).
    pub beta: f32,
    /// `q(z|x,c)` (the paper's) when true, `q(z|x)` (K times cheaper at inference) when false.
    pub class_conditioned: bool,
    /// Weight of the KL term in the energy that ranks classes (the exported energy head),
    /// when it differs from the training β: chosen on the validation classes by
    /// `scale train scale --select-score-beta`. `None` (models made before): β.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_beta: Option<f32>,
}

/// All CVAE weights, plus the feature standardisation learnt on the seen training features.
#[derive(Clone, Debug, PartialEq)]
pub struct CvaeWeights {
    pub config: CvaeConfig,
    pub feature_mean: Vec<f32>,
    pub feature_std: Vec<f32>,
    /// Text projection: `text → hidden` (ReLU) `→ cond`.
    pub proj1: Linear,
    pub proj2: Linear,
    /// `cond → 2·latent`: prior mean and log-variance.
    pub prior: Linear,
    /// Encoder first layer, split into its feature part (`F → hidden`) and its class part
    /// (`cond → hidden`, absent in the unconditioned variant; holds the bias when present).
    pub enc1_x: Linear,
    pub enc1_h: Option<Linear>,
    pub enc2: Linear,
    /// `hidden → 2·latent`: posterior mean and log-variance.
    pub enc3: Linear,
    /// Decoder first layer, split the same way: `latent → hidden` and `cond → hidden` (+ bias).
    pub dec1_z: Linear,
    pub dec1_h: Linear,
    pub dec2: Linear,
}

/// What the energy head needs per class, computed once per class set.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassPriors {
    pub ids: Vec<u32>,
    pub names: Vec<String>,
    /// `[K, hidden]`: the class part of the encoder's first layer (zeros when unconditioned).
    pub enc_h: Vec<f32>,
    /// `[K, hidden]`: the class part of the decoder's first layer, bias included.
    pub dec_h: Vec<f32>,
    /// `[K, latent]` each.
    pub prior_mu: Vec<f32>,
    pub prior_logvar: Vec<f32>,
}

impl ClassPriors {
    /// No classes (rows are appended).
    pub fn empty() -> ClassPriors {
        ClassPriors {
            ids: vec![],
            names: vec![],
            enc_h: vec![],
            dec_h: vec![],
            prior_mu: vec![],
            prior_logvar: vec![],
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The priors of a subset of classes, in the order given.
    pub fn subset(&self, ids: &[u32], hidden: usize, latent: usize) -> Result<ClassPriors, String> {
        let mut out = ClassPriors::empty();
        for id in ids {
            let k = self
                .ids
                .iter()
                .position(|x| x == id)
                .ok_or_else(|| format!("class {id} has no prior"))?;
            out.ids.push(*id);
            out.names.push(self.names[k].clone());
            out.enc_h
                .extend_from_slice(&self.enc_h[k * hidden..(k + 1) * hidden]);
            out.dec_h
                .extend_from_slice(&self.dec_h[k * hidden..(k + 1) * hidden]);
            out.prior_mu
                .extend_from_slice(&self.prior_mu[k * latent..(k + 1) * latent]);
            out.prior_logvar
                .extend_from_slice(&self.prior_logvar[k * latent..(k + 1) * latent]);
        }
        Ok(out)
    }
}

/// The energy's parts of one feature against each class ([`CvaeWeights::parts`]).
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyParts {
    /// Reconstruction error per class `[K]`.
    pub rec: Vec<f32>,
    /// KL(q(z|x,c) ‖ p(z|c)) per class and latent dimension `[K, z]`.
    pub kl: Vec<f32>,
    /// Posterior means `[K, z]`.
    pub mu: Vec<f32>,
}

/// KL of one latent dimension, N(μ_q, e^lv_q) against N(μ_p, e^lv_p).
fn kl_dim(mu: f32, lv: f32, mp: f32, lp: f32) -> f32 {
    0.5 * (lp - lv + (lv.exp() + (mu - mp) * (mu - mp)) / lp.exp() - 1.0)
}

/// `x · W + b` for one row.
pub fn affine(l: &Linear, x: &[f32], out: &mut [f32]) {
    out.copy_from_slice(&l.b);
    for (i, &xi) in x.iter().enumerate() {
        if xi == 0.0 {
            continue;
        }
        let row = &l.w[i * l.out..(i + 1) * l.out];
        for (o, w) in out.iter_mut().zip(row) {
            *o += xi * w;
        }
    }
}

fn relu(v: &mut [f32]) {
    v.iter_mut().for_each(|x| *x = x.max(0.0));
}

impl CvaeWeights {
    /// `h_c` of a text vector.
    pub fn project_text(&self, text: &[f32]) -> Vec<f32> {
        let mut h = vec![0.0; self.config.hidden];
        affine(&self.proj1, text, &mut h);
        relu(&mut h);
        let mut c = vec![0.0; self.config.cond_dim];
        affine(&self.proj2, &h, &mut c);
        c
    }

    /// The class-prior cache of a class set from its text vectors.
    pub fn class_priors(&self, ids: &[u32], names: &[String], texts: &[Vec<f32>]) -> ClassPriors {
        let (hd, z) = (self.config.hidden, self.config.latent);
        let mut p = ClassPriors {
            ids: ids.to_vec(),
            names: names.to_vec(),
            enc_h: vec![],
            dec_h: vec![],
            prior_mu: vec![],
            prior_logvar: vec![],
        };
        for t in texts {
            let h = self.project_text(t);
            let mut e = vec![0.0; hd];
            if let Some(l) = &self.enc1_h {
                affine(l, &h, &mut e);
            }
            let mut d = vec![0.0; hd];
            affine(&self.dec1_h, &h, &mut d);
            let mut pr = vec![0.0; 2 * z];
            affine(&self.prior, &h, &mut pr);
            p.enc_h.extend(e);
            p.dec_h.extend(d);
            p.prior_mu.extend_from_slice(&pr[..z]);
            p.prior_logvar.extend_from_slice(&pr[z..]);
        }
        p
    }

    /// Energies of one raw (unstandardised) feature against every class, in plain Rust.
    pub fn energies(&self, feature: &[f32], priors: &ClassPriors) -> Vec<f32> {
        self.scores_with(feature, priors, Scoring::Energy)
    }

    /// What `scoring` makes of one raw feature against every class (lower = more compatible),
    /// in plain Rust: the SCALE energy or one of its parts, on the same weights.
    pub fn scores_with(&self, feature: &[f32], priors: &ClassPriors, scoring: Scoring) -> Vec<f32> {
        let z = self.config.latent;
        let mut out = Vec::with_capacity(priors.len());
        self.each_class(feature, priors, |_, rec, mu, lv, pmu, plv| {
            let kl = |j: usize| kl_dim(mu[j], lv[j], pmu[j], plv[j]);
            let value = match scoring {
                Scoring::Energy => {
                    rec + self.config.scoring_beta() * (0..z).map(kl).sum::<f32>() / z as f32
                }
                Scoring::Reconstruction => rec,
                Scoring::Kl => (0..z).map(kl).sum::<f32>() / z as f32,
                Scoring::KlMeans => {
                    (0..z)
                        .map(|j| 0.5 * (mu[j] - pmu[j]) * (mu[j] - pmu[j]) / plv[j].exp())
                        .sum::<f32>()
                        / z as f32
                }
                Scoring::LatentDistance => {
                    (0..z)
                        .map(|j| (mu[j] - pmu[j]) * (mu[j] - pmu[j]))
                        .sum::<f32>()
                        / z as f32
                }
                Scoring::Cosine => {
                    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
                    for (m, mp) in mu.iter().zip(pmu) {
                        dot += m * mp;
                        na += m * m;
                        nb += mp * mp;
                    }
                    -dot / (na.sqrt() * nb.sqrt()).max(1e-12)
                }
            };
            out.push(value);
        });
        out
    }

    /// The energy's parts of one raw feature against every class: the reconstruction error
    /// per class `[K]`, the KL per class and latent dimension `[K, z]` and the posterior
    /// means `[K, z]` (for the training diagnostics).
    pub fn parts(&self, feature: &[f32], priors: &ClassPriors) -> EnergyParts {
        let z = self.config.latent;
        let mut p = EnergyParts {
            rec: Vec::with_capacity(priors.len()),
            kl: Vec::with_capacity(priors.len() * z),
            mu: Vec::with_capacity(priors.len() * z),
        };
        self.each_class(feature, priors, |_, rec, mu, lv, pmu, plv| {
            p.rec.push(rec);
            p.kl.extend((0..z).map(|j| kl_dim(mu[j], lv[j], pmu[j], plv[j])));
            p.mu.extend_from_slice(mu);
        });
        p
    }

    /// Runs the CVAE of one raw feature for every class of `priors`, in plain Rust; `each` gets
    /// the class index, the reconstruction error (mean over features, standardised), the
    /// posterior mean and log-variance and the prior's.
    fn each_class(
        &self,
        feature: &[f32],
        priors: &ClassPriors,
        mut each: impl FnMut(usize, f32, &[f32], &[f32], &[f32], &[f32]),
    ) {
        let c = &self.config;
        let (hd, z, f) = (c.hidden, c.latent, c.feature_dim);
        let x: Vec<f32> = feature
            .iter()
            .zip(&self.feature_mean)
            .zip(&self.feature_std)
            .map(|((v, m), s)| (v - m) / s)
            .collect();
        let mut ex = vec![0.0; hd];
        affine(&self.enc1_x, &x, &mut ex);
        let (mut a, mut b, mut q, mut d1, mut xh) = (
            vec![0.0; hd],
            vec![0.0; hd],
            vec![0.0; 2 * z],
            vec![0.0; hd],
            vec![0.0; f],
        );
        for k in 0..priors.len() {
            for ((a, e), h) in a
                .iter_mut()
                .zip(&ex)
                .zip(&priors.enc_h[k * hd..(k + 1) * hd])
            {
                *a = e + h;
            }
            relu(&mut a);
            affine(&self.enc2, &a, &mut b);
            relu(&mut b);
            affine(&self.enc3, &b, &mut q);
            let (mu, lv) = q.split_at(z);
            affine(&self.dec1_z, mu, &mut d1);
            for (d, h) in d1.iter_mut().zip(&priors.dec_h[k * hd..(k + 1) * hd]) {
                *d += h;
            }
            relu(&mut d1);
            affine(&self.dec2, &d1, &mut xh);
            let rec: f32 = x
                .iter()
                .zip(&xh)
                .map(|(u, v)| (u - v) * (u - v))
                .sum::<f32>()
                / f as f32;
            let pmu = &priors.prior_mu[k * z..(k + 1) * z];
            let plv = &priors.prior_logvar[k * z..(k + 1) * z];
            each(k, rec, mu, lv, pmu, plv);
        }
    }

    pub fn to_tensors(&self) -> NamedTensors {
        let mut t = NamedTensors::default();
        let f = self.config.feature_dim;
        t.insert("feature_mean", vec![f], self.feature_mean.clone());
        t.insert("feature_std", vec![f], self.feature_std.clone());
        self.proj1.save(&mut t, "proj1");
        self.proj2.save(&mut t, "proj2");
        self.prior.save(&mut t, "prior");
        self.enc1_x.save(&mut t, "enc1_x");
        if let Some(l) = &self.enc1_h {
            l.save(&mut t, "enc1_h");
        }
        self.enc2.save(&mut t, "enc2");
        self.enc3.save(&mut t, "enc3");
        self.dec1_z.save(&mut t, "dec1_z");
        self.dec1_h.save(&mut t, "dec1_h");
        self.dec2.save(&mut t, "dec2");
        t
    }

    pub fn from_tensors(config: &CvaeConfig, t: &NamedTensors) -> Result<CvaeWeights, String> {
        let c = config;
        let (f, hd, z, cd) = (c.feature_dim, c.hidden, c.latent, c.cond_dim);
        Ok(CvaeWeights {
            config: c.clone(),
            feature_mean: t.take("feature_mean", &[f])?,
            feature_std: t.take("feature_std", &[f])?,
            proj1: Linear::load(t, "proj1", c.text_dim, hd)?,
            proj2: Linear::load(t, "proj2", hd, cd)?,
            prior: Linear::load(t, "prior", cd, 2 * z)?,
            enc1_x: Linear::load(t, "enc1_x", f, hd)?,
            enc1_h: if c.class_conditioned {
                Some(Linear::load(t, "enc1_h", cd, hd)?)
            } else {
                None
            },
            enc2: Linear::load(t, "enc2", hd, hd)?,
            enc3: Linear::load(t, "enc3", hd, 2 * z)?,
            dec1_z: Linear::load(t, "dec1_z", z, hd)?,
            dec1_h: Linear::load(t, "dec1_h", cd, hd)?,
            dec2: Linear::load(t, "dec2", hd, f)?,
        })
    }

    /// Multiply–accumulates of the energy head for one window against `k` classes.
    pub fn macs_per_window(&self, k: usize) -> u64 {
        self.config.macs_per_window(k)
    }
}

impl CvaeConfig {
    /// The KL weight of the ranking energy.
    pub fn scoring_beta(&self) -> f32 {
        self.score_beta.unwrap_or(self.beta)
    }

    /// Multiply–accumulates of the energy head for one window against `k` classes.
    pub fn macs_per_window(&self, k: usize) -> u64 {
        let c = self;
        let (f, hd, z) = (c.feature_dim as u64, c.hidden as u64, c.latent as u64);
        let k = k as u64;
        let enc_rows = if c.class_conditioned { k } else { 1 };
        f * hd + enc_rows * (hd * hd + hd * 2 * z) + k * (z * hd + hd * f)
    }
}

/// A layer with weights `w` (`[inp, out]`, row-major) and no bias, for tests.
#[cfg(test)]
pub(crate) fn test_linear(inp: usize, out: usize, w: &[f32]) -> Linear {
    Linear {
        inp,
        out,
        w: w.to_vec(),
        b: vec![0.0; out],
    }
}

/// Hand-made weights for tests of code that reads CVAE weights.
/// F = hidden = latent = 2: μ = (x₀, 0), log-variance 0, x̂ = x whatever the class.
#[cfg(test)]
pub(crate) fn tiny_weights() -> CvaeWeights {
    let id = [1.0, 0.0, 0.0, 1.0];
    CvaeWeights {
        config: CvaeConfig {
            feature_dim: 2,
            text_dim: 2,
            cond_dim: 2,
            hidden: 2,
            latent: 2,
            beta: 1.0,
            class_conditioned: true,
            score_beta: None,
        },
        feature_mean: vec![0.0; 2],
        feature_std: vec![1.0; 2],
        proj1: test_linear(2, 2, &id),
        proj2: test_linear(2, 2, &id),
        prior: test_linear(2, 4, &[0.0; 8]),
        enc1_x: test_linear(2, 2, &id),
        enc1_h: Some(test_linear(2, 2, &[0.0; 4])),
        enc2: test_linear(2, 2, &id),
        enc3: test_linear(2, 4, &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        dec1_z: test_linear(2, 2, &id),
        dec1_h: test_linear(2, 2, &[0.0; 4]),
        dec2: test_linear(2, 2, &id),
    }
}
