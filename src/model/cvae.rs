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
    /// Members of an ensemble (`scale train scale --members`): M independently trained CVAEs
    /// whose energies are averaged, which is one CVAE with block-diagonal weights. `hidden`,
    /// `latent` and `cond_dim` are then the ensemble's (M × a member's), so that the class-prior
    /// cache is `[K, hidden]` like any model's; [`CvaeConfig::member`] is a member's config.
    /// 1 (and absent from the file): a single CVAE.
    #[serde(default = "one_member", skip_serializing_if = "is_one_member")]
    pub members: usize,
}

/// `serde` default of a member count: one.
pub(crate) fn one_member() -> usize {
    1
}

fn is_one_member(m: &usize) -> bool {
    *m == 1
}

/// All CVAE weights, plus the feature standardisation learnt on the seen training features.
///
/// The layers are those of one CVAE (an ensemble's first member); `others` holds the further
/// members of an ensemble (each a single CVAE with the same feature standardisation), empty for
/// a single model. `config` is the whole model's: every computation on one member reads the
/// member's sizes from its layers, never from `config`.
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
    /// Members 2…M of an ensemble.
    pub others: Vec<CvaeWeights>,
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

    /// Member `m`'s part (0-based) of an ensemble's cache: its columns of every row, where each
    /// member has `hidden` and `latent` columns.
    pub fn member(&self, m: usize, hidden: usize, latent: usize) -> ClassPriors {
        let cols = |v: &[f32], n: usize| -> Vec<f32> {
            let row = v.len() / self.len().max(1);
            v.chunks_exact(row.max(1))
                .flat_map(|r| r[m * n..(m + 1) * n].iter().copied())
                .collect()
        };
        ClassPriors {
            ids: self.ids.clone(),
            names: self.names.clone(),
            enc_h: cols(&self.enc_h, hidden),
            dec_h: cols(&self.dec_h, hidden),
            prior_mu: cols(&self.prior_mu, latent),
            prior_logvar: cols(&self.prior_logvar, latent),
        }
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
    /// `h_c` of a text vector (of this member; an ensemble's other members have their own).
    pub fn project_text(&self, text: &[f32]) -> Vec<f32> {
        let mut h = vec![0.0; self.proj1.out];
        affine(&self.proj1, text, &mut h);
        relu(&mut h);
        let mut c = vec![0.0; self.proj2.out];
        affine(&self.proj2, &h, &mut c);
        c
    }

    /// The members of the model: itself alone, or an ensemble's M.
    pub fn members(&self) -> impl Iterator<Item = &CvaeWeights> {
        std::iter::once(self).chain(&self.others)
    }

    /// An ensemble of single CVAEs trained on the same features (same configuration and
    /// standardisation): its energy is the mean of theirs.
    pub fn ensemble(members: Vec<CvaeWeights>) -> Result<CvaeWeights, String> {
        let mut it = members.into_iter();
        let mut first = it.next().ok_or("an ensemble needs at least one member")?;
        let others: Vec<CvaeWeights> = it.collect();
        for (i, o) in others.iter().enumerate() {
            if o.config != first.config
                || o.feature_mean != first.feature_mean
                || o.feature_std != first.feature_std
            {
                return Err(format!(
                    "ensemble member {} differs from member 1 in its configuration or feature standardisation",
                    i + 2
                ));
            }
            if !o.others.is_empty() || o.config.members != 1 {
                return Err(format!("ensemble member {} is itself an ensemble", i + 2));
            }
        }
        if first.config.members != 1 || !first.others.is_empty() {
            return Err("ensemble member 1 is itself an ensemble".into());
        }
        let m = 1 + others.len();
        let c = &mut first.config;
        c.members = m;
        c.hidden *= m;
        c.latent *= m;
        c.cond_dim *= m;
        first.others = others;
        Ok(first)
    }

    /// The class-prior cache of a class set from its text vectors. An ensemble's rows are its
    /// members' rows side by side (member 1's `hidden/M` values, then member 2's, …).
    pub fn class_priors(&self, ids: &[u32], names: &[String], texts: &[Vec<f32>]) -> ClassPriors {
        let mut p = ClassPriors {
            ids: ids.to_vec(),
            names: names.to_vec(),
            enc_h: vec![],
            dec_h: vec![],
            prior_mu: vec![],
            prior_logvar: vec![],
        };
        for t in texts {
            let mut lvs = vec![];
            for w in self.members() {
                let (hd, z) = (w.enc2.out, w.enc3.out / 2);
                let h = w.project_text(t);
                let mut e = vec![0.0; hd];
                if let Some(l) = &w.enc1_h {
                    affine(l, &h, &mut e);
                }
                let mut d = vec![0.0; hd];
                affine(&w.dec1_h, &h, &mut d);
                let mut pr = vec![0.0; 2 * z];
                affine(&w.prior, &h, &mut pr);
                p.enc_h.extend(e);
                p.dec_h.extend(d);
                p.prior_mu.extend_from_slice(&pr[..z]);
                lvs.extend_from_slice(&pr[z..]);
            }
            p.prior_logvar.extend(lvs);
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
    /// posterior mean and log-variance and the prior's. For an ensemble: the members' mean
    /// reconstruction error and their latents side by side (`[M·z]`, as in the prior cache).
    fn each_class(
        &self,
        feature: &[f32],
        priors: &ClassPriors,
        mut each: impl FnMut(usize, f32, &[f32], &[f32], &[f32], &[f32]),
    ) {
        let c = &self.config;
        let (hd_all, z_all, f) = (c.hidden, c.latent, c.feature_dim);
        let x: Vec<f32> = feature
            .iter()
            .zip(&self.feature_mean)
            .zip(&self.feature_std)
            .map(|((v, m), s)| (v - m) / s)
            .collect();
        let members: Vec<&CvaeWeights> = self.members().collect();
        let ex: Vec<Vec<f32>> = members
            .iter()
            .map(|w| {
                let mut ex = vec![0.0; w.enc1_x.out];
                affine(&w.enc1_x, &x, &mut ex);
                ex
            })
            .collect();
        let (mut mu_all, mut lv_all) = (vec![0.0; z_all], vec![0.0; z_all]);
        // Every member has the same sizes (`CvaeWeights::ensemble` checks it).
        let (hd, z) = (self.enc2.out, self.enc3.out / 2);
        let (mut a, mut b, mut q, mut d1, mut xh) = (
            vec![0.0; hd],
            vec![0.0; hd],
            vec![0.0; 2 * z],
            vec![0.0; hd],
            vec![0.0; f],
        );
        for k in 0..priors.len() {
            let (mut h_at, mut z_at, mut rec_sum) = (k * hd_all, 0, 0.0f32);
            for (w, ex) in members.iter().zip(&ex) {
                for ((a, e), h) in a.iter_mut().zip(ex).zip(&priors.enc_h[h_at..h_at + hd]) {
                    *a = e + h;
                }
                relu(&mut a);
                affine(&w.enc2, &a, &mut b);
                relu(&mut b);
                affine(&w.enc3, &b, &mut q);
                let (mu, lv) = q.split_at(z);
                mu_all[z_at..z_at + z].copy_from_slice(mu);
                lv_all[z_at..z_at + z].copy_from_slice(lv);
                affine(&w.dec1_z, mu, &mut d1);
                for (d, h) in d1.iter_mut().zip(&priors.dec_h[h_at..h_at + hd]) {
                    *d += h;
                }
                relu(&mut d1);
                affine(&w.dec2, &d1, &mut xh);
                rec_sum += x
                    .iter()
                    .zip(&xh)
                    .map(|(u, v)| (u - v) * (u - v))
                    .sum::<f32>()
                    / f as f32;
                h_at += hd;
                z_at += z;
            }
            let pmu = &priors.prior_mu[k * z_all..(k + 1) * z_all];
            let plv = &priors.prior_logvar[k * z_all..(k + 1) * z_all];
            each(
                k,
                rec_sum / members.len() as f32,
                &mu_all,
                &lv_all,
                pmu,
                plv,
            );
        }
    }

    /// The weights as named tensors: member 1's under their own names, member m's (m ≥ 2) under
    /// `m{m}.` + the same names.
    pub fn to_tensors(&self) -> NamedTensors {
        let mut t = NamedTensors::default();
        let f = self.config.feature_dim;
        t.insert("feature_mean", vec![f], self.feature_mean.clone());
        t.insert("feature_std", vec![f], self.feature_std.clone());
        for (m, w) in self.members().enumerate() {
            w.save_layers(&mut t, &member_prefix(m));
        }
        t
    }

    fn save_layers(&self, t: &mut NamedTensors, p: &str) {
        self.proj1.save(t, &format!("{p}proj1"));
        self.proj2.save(t, &format!("{p}proj2"));
        self.prior.save(t, &format!("{p}prior"));
        self.enc1_x.save(t, &format!("{p}enc1_x"));
        if let Some(l) = &self.enc1_h {
            l.save(t, &format!("{p}enc1_h"));
        }
        self.enc2.save(t, &format!("{p}enc2"));
        self.enc3.save(t, &format!("{p}enc3"));
        self.dec1_z.save(t, &format!("{p}dec1_z"));
        self.dec1_h.save(t, &format!("{p}dec1_h"));
        self.dec2.save(t, &format!("{p}dec2"));
    }

    pub fn from_tensors(config: &CvaeConfig, t: &NamedTensors) -> Result<CvaeWeights, String> {
        let f = config.feature_dim;
        let mean = t.take("feature_mean", &[f])?;
        let std = t.take("feature_std", &[f])?;
        let member = config.member()?;
        let mut members = Vec::with_capacity(config.members);
        for m in 0..config.members {
            members.push(Self::load_layers(
                &member,
                t,
                &member_prefix(m),
                mean.clone(),
                std.clone(),
            )?);
        }
        let w = CvaeWeights::ensemble(members)?;
        if w.config != *config {
            return Err(format!(
                "the CVAE configuration does not describe {} members",
                config.members
            ));
        }
        Ok(w)
    }

    fn load_layers(
        c: &CvaeConfig,
        t: &NamedTensors,
        p: &str,
        feature_mean: Vec<f32>,
        feature_std: Vec<f32>,
    ) -> Result<CvaeWeights, String> {
        let (f, hd, z, cd) = (c.feature_dim, c.hidden, c.latent, c.cond_dim);
        let l = |name: &str, inp, out| Linear::load(t, &format!("{p}{name}"), inp, out);
        Ok(CvaeWeights {
            config: c.clone(),
            feature_mean,
            feature_std,
            proj1: l("proj1", c.text_dim, hd)?,
            proj2: l("proj2", hd, cd)?,
            prior: l("prior", cd, 2 * z)?,
            enc1_x: l("enc1_x", f, hd)?,
            enc1_h: if c.class_conditioned {
                Some(l("enc1_h", cd, hd)?)
            } else {
                None
            },
            enc2: l("enc2", hd, hd)?,
            enc3: l("enc3", hd, 2 * z)?,
            dec1_z: l("dec1_z", z, hd)?,
            dec1_h: l("dec1_h", cd, hd)?,
            dec2: l("dec2", hd, f)?,
            others: vec![],
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

    /// A member's configuration: the whole model's for a single CVAE, an ensemble's sizes
    /// divided by its M otherwise.
    pub fn member(&self) -> Result<CvaeConfig, String> {
        let m = self.members;
        if m == 0
            || !self.hidden.is_multiple_of(m)
            || !self.latent.is_multiple_of(m)
            || !self.cond_dim.is_multiple_of(m)
        {
            return Err(format!(
                "a CVAE of {m} members needs hidden ({}), latent ({}) and cond_dim ({}) divisible by {m}",
                self.hidden, self.latent, self.cond_dim
            ));
        }
        Ok(CvaeConfig {
            hidden: self.hidden / m,
            latent: self.latent / m,
            cond_dim: self.cond_dim / m,
            members: 1,
            ..self.clone()
        })
    }

    /// Multiply–accumulates of the energy head for one window against `k` classes (every
    /// member's).
    pub fn macs_per_window(&self, k: usize) -> u64 {
        let m = self.members.max(1);
        let (f, hd, z) = (self.feature_dim, self.hidden / m, self.latent / m);
        let (m, f, hd, z, k) = (m as u64, f as u64, hd as u64, z as u64, k as u64);
        let enc_rows = if self.class_conditioned { k } else { 1 };
        m * (f * hd + enc_rows * (hd * hd + hd * 2 * z) + k * (z * hd + hd * f))
    }
}

/// The tensor-name prefix of ensemble member `m` (0-based): none for the first.
pub fn member_prefix(m: usize) -> String {
    if m == 0 {
        String::new()
    } else {
        format!("m{}.", m + 1)
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
            members: 1,
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
        others: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A single CVAE with pseudo-random weights (F 3, text 4, cond 3, hidden 5, latent 2).
    fn random_weights(seed: u64) -> CvaeWeights {
        let mut rng = crate::rng::Rng::new(seed);
        let mut lin = |inp: usize, out: usize| Linear {
            inp,
            out,
            w: (0..inp * out).map(|_| rng.range(-0.6, 0.6)).collect(),
            b: (0..out).map(|_| rng.range(-0.06, 0.06)).collect(),
        };
        CvaeWeights {
            config: CvaeConfig {
                feature_dim: 3,
                text_dim: 4,
                cond_dim: 3,
                hidden: 5,
                latent: 2,
                beta: 1.0,
                class_conditioned: true,
                score_beta: Some(3.0),
                members: 1,
            },
            feature_mean: vec![0.1, -0.2, 0.0],
            feature_std: vec![1.0, 2.0, 0.5],
            proj1: lin(4, 5),
            proj2: lin(5, 3),
            prior: lin(3, 4),
            enc1_x: lin(3, 5),
            enc1_h: Some(lin(3, 5)),
            enc2: lin(5, 5),
            enc3: lin(5, 4),
            dec1_z: lin(2, 5),
            dec1_h: lin(3, 5),
            dec2: lin(5, 3),
            others: vec![],
        }
    }

    fn texts() -> (Vec<u32>, Vec<String>, Vec<Vec<f32>>) {
        (
            vec![4, 7, 9],
            vec!["a".into(), "b".into(), "c".into()],
            vec![
                vec![0.5, -0.1, 0.3, 0.9],
                vec![-0.4, 0.8, 0.0, 0.2],
                vec![0.1, 0.1, -0.7, 0.5],
            ],
        )
    }

    #[test]
    fn an_ensembles_energy_is_the_mean_of_its_members() {
        let members: Vec<CvaeWeights> = (1..=3).map(random_weights).collect();
        let ens = CvaeWeights::ensemble(members.clone()).unwrap();
        assert_eq!(
            (
                ens.config.members,
                ens.config.hidden,
                ens.config.latent,
                ens.config.cond_dim
            ),
            (3, 15, 6, 9)
        );
        assert_eq!(ens.config.member().unwrap(), members[0].config);
        let (ids, names, t) = texts();
        let pri = ens.class_priors(&ids, &names, &t);
        assert_eq!(pri.enc_h.len(), 3 * 15);
        assert_eq!(pri.prior_logvar.len(), 3 * 6);
        for x in [[0.3f32, -1.0, 0.7], [2.0, 0.5, -0.2]] {
            let own: Vec<Vec<f32>> = members
                .iter()
                .enumerate()
                .map(|(m, w)| {
                    // The member's columns of the ensemble's cache are its own cache.
                    let mine = w.class_priors(&ids, &names, &t);
                    assert_eq!(pri.member(m, 5, 2), mine);
                    w.energies(&x, &mine)
                })
                .collect();
            let e = ens.energies(&x, &pri);
            for k in 0..3 {
                let mean = own.iter().map(|v| v[k]).sum::<f32>() / 3.0;
                assert!((e[k] - mean).abs() < 1e-5, "class {k}: {} vs {mean}", e[k]);
            }
            // Parts side by side: the mean reconstruction, every member's KL dimensions.
            let parts = ens.parts(&x, &pri);
            assert_eq!(parts.kl.len(), 3 * 6);
            let p0 = members[0].parts(&x, &members[0].class_priors(&ids, &names, &t));
            assert_eq!(&parts.kl[..2], &p0.kl[..2]);
            assert_eq!(&parts.mu[..2], &p0.mu[..2]);
        }
        assert!(ens.macs_per_window(40) == 3 * members[0].macs_per_window(40));
    }

    #[test]
    fn an_ensemble_round_trips_through_its_tensors() {
        let ens = CvaeWeights::ensemble((1..=2).map(random_weights).collect()).unwrap();
        let t = ens.to_tensors();
        assert!(t.0.contains_key("m2.enc2.w") && t.0.contains_key("enc2.w"));
        let back = CvaeWeights::from_tensors(&ens.config, &t).unwrap();
        assert_eq!(back, ens);
        // A single model's tensors keep their names.
        let one = random_weights(5);
        assert!(!one.to_tensors().0.keys().any(|k| k.starts_with("m2.")));
        assert_eq!(
            CvaeWeights::from_tensors(&one.config, &one.to_tensors()).unwrap(),
            one
        );
        // A configuration that claims a third member whose tensors are missing.
        let mut three = ens.config.clone();
        three.members = 3;
        three.hidden = 15;
        three.latent = 6;
        three.cond_dim = 9;
        let err = CvaeWeights::from_tensors(&three, &t).unwrap_err();
        assert!(err.contains("m3."), "{err}");
    }

    #[test]
    fn members_that_differ_do_not_make_an_ensemble() {
        let mut b = random_weights(2);
        b.feature_std[0] = 3.0;
        let err = CvaeWeights::ensemble(vec![random_weights(1), b]).unwrap_err();
        assert!(err.contains("member 2"), "{err}");
        let mut c = random_weights(2);
        c.config.latent = 4;
        assert!(CvaeWeights::ensemble(vec![random_weights(1), c]).is_err());
        let nested = CvaeWeights::ensemble(vec![random_weights(1), random_weights(2)]).unwrap();
        assert!(CvaeWeights::ensemble(vec![random_weights(3), nested]).is_err());
        assert!(CvaeWeights::ensemble(vec![]).is_err());
        let mut odd = random_weights(1).config;
        odd.members = 2;
        assert!(odd.member().unwrap_err().contains("divisible by 2"));
    }
}
