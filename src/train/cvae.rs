//! The SCALE CVAE as a burn module (DESIGN §5), with the energy over many classes at once and
//! the conversion to the plain weights (`model::cvae`) that the exporter and the class-prior
//! cache use.

use super::shift_gcn::{linear_weights, set_linear};
use crate::model::cvae::{CvaeConfig, CvaeWeights};
use crate::model::shift_gcn as plain;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

#[derive(Module, Debug)]
pub struct Cvae {
    pub proj1: Linear,
    pub proj2: Linear,
    pub prior: Linear,
    /// On `[x; h]` (class-conditioned) or `x` alone.
    pub enc1: Linear,
    pub enc2: Linear,
    pub enc3: Linear,
    /// On `[z; h]`.
    pub dec1: Linear,
    pub dec2: Linear,
    #[module(skip)]
    pub config: CvaeConfig,
}

/// Energies and posteriors of a batch against a set of classes.
pub struct Energies {
    /// `[B, K]`.
    pub energy: Tensor<2>,
    /// `[B, K, Z]` (the unconditioned variant repeats one posterior over K).
    pub mu_q: Tensor<3>,
    pub logvar_q: Tensor<3>,
}

/// Per-element KL(N(μq, e^{lq}) ‖ N(μp, e^{lp})).
pub fn kl(mu_q: Tensor<2>, lv_q: Tensor<2>, mu_p: Tensor<2>, lv_p: Tensor<2>) -> Tensor<2> {
    let d = mu_q - mu_p;
    ((lv_p.clone() - lv_q.clone()) + (lv_q.exp() + d.clone() * d) * (lv_p.neg()).exp() - 1.0) * 0.5
}

impl Cvae {
    pub fn new(config: &CvaeConfig, device: &Device) -> Cvae {
        let c = config;
        let enc_in = if c.class_conditioned {
            c.feature_dim + c.cond_dim
        } else {
            c.feature_dim
        };
        Cvae {
            proj1: LinearConfig::new(c.text_dim, c.hidden).init(device),
            proj2: LinearConfig::new(c.hidden, c.cond_dim).init(device),
            prior: LinearConfig::new(c.cond_dim, 2 * c.latent).init(device),
            enc1: LinearConfig::new(enc_in, c.hidden).init(device),
            enc2: LinearConfig::new(c.hidden, c.hidden).init(device),
            enc3: LinearConfig::new(c.hidden, 2 * c.latent).init(device),
            dec1: LinearConfig::new(c.latent + c.cond_dim, c.hidden).init(device),
            dec2: LinearConfig::new(c.hidden, c.feature_dim).init(device),
            config: c.clone(),
        }
    }

    /// `h_c` of text vectors `[K, text]` → `[K, cond]`.
    pub fn condition(&self, text: Tensor<2>) -> Tensor<2> {
        self.proj2.forward(relu(self.proj1.forward(text)))
    }

    /// Prior mean and log-variance `[K, Z]` of conditions `[K, cond]`.
    pub fn prior(&self, h: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let p = self.prior.forward(h);
        let z = self.config.latent;
        (p.clone().narrow(1, 0, z), p.narrow(1, z, z))
    }

    /// Posterior of rows `x` `[N, F]` under conditions `h` `[N, cond]` (ignored when unconditioned).
    pub fn encode(&self, x: Tensor<2>, h: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        let input = match h {
            Some(h) if self.config.class_conditioned => Tensor::cat(vec![x, h], 1),
            _ => x,
        };
        let q = self
            .enc3
            .forward(relu(self.enc2.forward(relu(self.enc1.forward(input)))));
        let z = self.config.latent;
        (q.clone().narrow(1, 0, z), q.narrow(1, z, z))
    }

    /// Reconstruction `[N, F]` of latents `[N, Z]` under conditions `[N, cond]`.
    pub fn decode(&self, z: Tensor<2>, h: Tensor<2>) -> Tensor<2> {
        self.dec2
            .forward(relu(self.dec1.forward(Tensor::cat(vec![z, h], 1))))
    }

    /// Energies of standardised features `x` `[B, F]` against classes with conditions `h`
    /// `[K, cond]` and priors `[K, Z]`: `‖x − Dec([μ_q; h])‖²/F + β·KL(q‖p)/Z`.
    pub fn energies(
        &self,
        x: Tensor<2>,
        h: Tensor<2>,
        prior_mu: Tensor<2>,
        prior_lv: Tensor<2>,
    ) -> Energies {
        let [b, f] = x.dims();
        let [k, cd] = h.dims();
        let z = self.config.latent;
        let h_rep: Tensor<2> = h
            .unsqueeze_dim::<3>(0)
            .repeat_dim(0, b)
            .reshape([b * k, cd]);
        let x_rep: Tensor<2> = x
            .clone()
            .unsqueeze_dim::<3>(1)
            .repeat_dim(1, k)
            .reshape([b * k, f]);
        let (mu, lv) = if self.config.class_conditioned {
            self.encode(x_rep.clone(), Some(h_rep.clone()))
        } else {
            let (m, l) = self.encode(x, None);
            let rep = |t: Tensor<2>| -> Tensor<2> {
                t.unsqueeze_dim::<3>(1).repeat_dim(1, k).reshape([b * k, z])
            };
            (rep(m), rep(l))
        };
        let xh = self.decode(mu.clone(), h_rep);
        let rec = (xh - x_rep).powf_scalar(2.0).mean_dim(1); // [B·K, 1]
        let pm: Tensor<2> = prior_mu
            .unsqueeze_dim::<3>(0)
            .repeat_dim(0, b)
            .reshape([b * k, z]);
        let pl: Tensor<2> = prior_lv
            .unsqueeze_dim::<3>(0)
            .repeat_dim(0, b)
            .reshape([b * k, z]);
        let kl = kl(mu.clone(), lv.clone(), pm, pl).mean_dim(1); // [B·K, 1]
        let energy = (rec + kl * f64::from(self.config.beta)).reshape([b, k]);
        Energies {
            energy,
            mu_q: mu.reshape([b, k, z]),
            logvar_q: lv.reshape([b, k, z]),
        }
    }

    /// The plain weights, with the given feature standardisation.
    pub fn to_weights(&self, feature_mean: Vec<f32>, feature_std: Vec<f32>) -> CvaeWeights {
        let c = &self.config;
        let lin = linear_weights;
        // Split a first layer over [a; h] into its a-rows (no bias) and its h-rows (+ bias).
        let split = |l: &plain::Linear, a: usize| {
            let out = l.out;
            let first = plain::Linear {
                inp: a,
                out,
                w: l.w[..a * out].to_vec(),
                b: vec![0.0; out],
            };
            let second = plain::Linear {
                inp: l.inp - a,
                out,
                w: l.w[a * out..].to_vec(),
                b: l.b.clone(),
            };
            (first, second)
        };
        let enc1 = lin(&self.enc1);
        let (enc1_x, enc1_h) = if c.class_conditioned {
            let (x, h) = split(&enc1, c.feature_dim);
            (x, Some(h))
        } else {
            (enc1, None)
        };
        let (dec1_z, dec1_h) = split(&lin(&self.dec1), c.latent);
        CvaeWeights {
            config: c.clone(),
            feature_mean,
            feature_std,
            proj1: lin(&self.proj1),
            proj2: lin(&self.proj2),
            prior: lin(&self.prior),
            enc1_x,
            enc1_h,
            enc2: lin(&self.enc2),
            enc3: lin(&self.enc3),
            dec1_z,
            dec1_h,
            dec2: lin(&self.dec2),
            others: vec![],
        }
    }

    /// A module holding plain weights (for continued training or checks): a single CVAE, or an
    /// ensemble's first member.
    pub fn from_weights(w: &CvaeWeights, device: &Device) -> Cvae {
        let config = w
            .config
            .member()
            .expect("a model's configuration is checked at load");
        let mut m = Cvae::new(&config, device);
        let join = |a: &plain::Linear, b: &plain::Linear| plain::Linear {
            inp: a.inp + b.inp,
            out: a.out,
            w: [a.w.clone(), b.w.clone()].concat(),
            b: a.b.iter().zip(&b.b).map(|(x, y)| x + y).collect(),
        };
        set_linear(&mut m.proj1, &w.proj1, device);
        set_linear(&mut m.proj2, &w.proj2, device);
        set_linear(&mut m.prior, &w.prior, device);
        match &w.enc1_h {
            Some(h) => set_linear(&mut m.enc1, &join(&w.enc1_x, h), device),
            None => set_linear(&mut m.enc1, &w.enc1_x, device),
        }
        set_linear(&mut m.enc2, &w.enc2, device);
        set_linear(&mut m.enc3, &w.enc3, device);
        set_linear(&mut m.dec1, &join(&w.dec1_z, &w.dec1_h), device);
        set_linear(&mut m.dec2, &w.dec2, device);
        m
    }
}
