//! The SCALE energy head → ONNX.
//!
//! Inputs: `feature` `[B, F]` (the encoder's raw output) and the class-prior cache as tensors,
//! `enc_h` `[K, H]`, `dec_h` `[K, H]`, `prior_mu` `[K, Z]`, `prior_logvar` `[K, Z]`.
//! Output: `energy` `[B, K]`. Because the classes are inputs, a new class set needs only a new
//! prior cache, never a new graph.

use crate::model::cvae::CvaeWeights;
use crate::model::shift_gcn::Linear;
use crate::onnx::{Attr, Dim, GraphBuilder};

pub const FEATURE: &str = "feature";
pub const ENC_H: &str = "enc_h";
pub const DEC_H: &str = "dec_h";
pub const PRIOR_MU: &str = "prior_mu";
pub const PRIOR_LOGVAR: &str = "prior_logvar";
pub const ENERGY: &str = "energy";

fn matmul_add(g: &mut GraphBuilder, x: &str, l: &Linear, name: &str, bias: bool) -> String {
    let w = g.weight(&format!("{name}.w"), &[l.inp as i64, l.out as i64], &l.w);
    let y = g.node("MatMul", &[x, &w], &[]);
    if !bias {
        return y;
    }
    let b = g.weight(&format!("{name}.b"), &[l.out as i64], &l.b);
    g.node("Add", &[&y, &b], &[])
}

/// Writes the energy-head graph. An ensemble's graph runs each member on its own columns of
/// the class-prior inputs and outputs the members' mean energy.
pub fn export(w: &CvaeWeights) -> Result<Vec<u8>, String> {
    let c = &w.config;
    let (f, hd, z) = (c.feature_dim as i64, c.hidden as i64, c.latent as i64);
    let mut g = GraphBuilder::new("scale_energy_head");
    let feature = g.input(FEATURE, &[Dim::from("batch"), f.into()]);
    let enc_h = g.input(ENC_H, &[Dim::from("classes"), hd.into()]);
    let dec_h = g.input(DEC_H, &[Dim::from("classes"), hd.into()]);
    let prior_mu = g.input(PRIOR_MU, &[Dim::from("classes"), z.into()]);
    let prior_lv = g.input(PRIOR_LOGVAR, &[Dim::from("classes"), z.into()]);

    // Standardise: x = (feature − mean) / std.
    let mean = g.weight("feature_mean", &[f], &w.feature_mean);
    let inv: Vec<f32> = w.feature_std.iter().map(|s| 1.0 / s).collect();
    let inv = g.weight("feature_inv_std", &[f], &inv);
    let centred = g.node("Sub", &[&feature, &mean], &[]);
    let x = g.node("Mul", &[&centred, &inv], &[]);

    // Each member on its columns of the class tensors (all of them for a single CVAE), its
    // weights named as in `cvae.safetensors` (member 1 unprefixed); the mean of their energies.
    let inputs = [enc_h, dec_h, prior_mu, prior_lv];
    let mut sum = None::<String>;
    let (mut h_at, mut z_at) = (0i64, 0i64);
    for (m, mw) in w.members().enumerate() {
        let (mh, mz) = (mw.enc2.out as i64, (mw.enc3.out / 2) as i64);
        let own = if c.members <= 1 {
            inputs.clone()
        } else {
            [
                columns(&mut g, &inputs[0], h_at, mh),
                columns(&mut g, &inputs[1], h_at, mh),
                columns(&mut g, &inputs[2], z_at, mz),
                columns(&mut g, &inputs[3], z_at, mz),
            ]
        };
        let prefix = crate::model::cvae::member_prefix(m);
        let e = member_energy(&mut g, &x, mw, c.scoring_beta(), &prefix, &own);
        sum = Some(match sum {
            None => e,
            Some(s) => g.node("Add", &[&s, &e], &[]),
        });
        h_at += mh;
        z_at += mz;
    }
    let mut energy = sum.expect("at least one member");
    if c.members > 1 {
        let inv_m = g.const_f32(&[], &[1.0 / c.members as f32]);
        energy = g.node("Mul", &[&energy, &inv_m], &[]);
    }
    g.output(&energy, ENERGY, &[Dim::from("batch"), Dim::from("classes")]);
    g.metadata("model", "SCALE energy head (scale)");
    g.metadata("class_conditioned", &c.class_conditioned.to_string());
    if c.members > 1 {
        g.metadata("members", &c.members.to_string());
    }
    Ok(g.to_bytes())
}

/// Columns `from..from + n` of a `[K, ·]` class tensor.
fn columns(g: &mut GraphBuilder, input: &str, from: i64, n: i64) -> String {
    let starts = g.const_i64(&[1], &[from]);
    let ends = g.const_i64(&[1], &[from + n]);
    let axes = g.const_i64(&[1], &[1]);
    g.node("Slice", &[input, &starts, &ends, &axes], &[])
}

/// One CVAE's energy `[B, K]` of the standardised feature `x` against the class-prior tensors
/// `[enc_h, dec_h, prior_mu, prior_logvar]` (this member's columns), its weights named with
/// `prefix`.
fn member_energy(
    g: &mut GraphBuilder,
    x: &str,
    w: &CvaeWeights,
    beta: f32,
    prefix: &str,
    inputs: &[String; 4],
) -> String {
    let [enc_h, dec_h, prior_mu, prior_lv] = inputs;
    let z = (w.enc3.out / 2) as i64;
    let name = |n: &str| format!("{prefix}{n}");
    // Encoder: relu(W_x x + enc_h[k]) → relu(enc2) → enc3, for every (b, k).
    // In the unconditioned variant q(z|x) runs once per window ([B, 1, ·]) and broadcasts over
    // the classes below; `enc_h` is then unused (kept so both variants take the same inputs).
    let ex = matmul_add(g, x, &w.enc1_x, &name("enc1_x"), true);
    let axis1 = g.const_i64(&[1], &[1]);
    let ex3 = g.node("Unsqueeze", &[&ex, &axis1], &[]); // [B, 1, H]
    let a = if w.config.class_conditioned {
        g.node("Add", &[&ex3, enc_h], &[])
    } else {
        ex3
    }; // [B, K or 1, H]
    let a = g.node("Relu", &[&a], &[]);
    let b = matmul_add(g, &a, &w.enc2, &name("enc2"), true);
    let b = g.node("Relu", &[&b], &[]);
    let q = matmul_add(g, &b, &w.enc3, &name("enc3"), true); // [B, K, 2Z]
    let split = g.const_i64(&[2], &[z, z]);
    let parts = g.node_n("Split", &[&q, &split], &[("axis", Attr::Int(2))], 2);
    let (mu_q, lv_q) = (&parts[0], &parts[1]);

    // Decoder: relu(W_z μ_q + dec_h[k]) → dec2 → x̂ [B, K, F].
    let d = matmul_add(g, mu_q, &w.dec1_z, &name("dec1_z"), false);
    let d = g.node("Add", &[&d, dec_h], &[]);
    let d = g.node("Relu", &[&d], &[]);
    let xh = matmul_add(g, &d, &w.dec2, &name("dec2"), true);
    let x3 = g.node("Unsqueeze", &[x, &axis1], &[]); // [B, 1, F]
    let diff = g.node("Sub", &[&xh, &x3], &[]);
    let sq = g.node("Mul", &[&diff, &diff], &[]);
    let rec = g.node(
        "ReduceMean",
        &[&sq],
        &[("axes", Attr::Ints(vec![2])), ("keepdims", Attr::Int(0))],
    );

    // KL(q ‖ p) per dimension, averaged over the latent: ½(lv_p − lv_q + (e^{lv_q} + (μ_q − μ_p)²)/e^{lv_p} − 1).
    let dmu = g.node("Sub", &[mu_q, prior_mu], &[]);
    let dmu2 = g.node("Mul", &[&dmu, &dmu], &[]);
    let var_q = g.node("Exp", &[lv_q], &[]);
    let num = g.node("Add", &[&var_q, &dmu2], &[]);
    let neg_lv_p = g.node("Neg", &[prior_lv], &[]);
    let inv_var_p = g.node("Exp", &[&neg_lv_p], &[]);
    let ratio = g.node("Mul", &[&num, &inv_var_p], &[]);
    let lv_diff = g.node("Sub", &[prior_lv, lv_q], &[]);
    let s = g.node("Add", &[&lv_diff, &ratio], &[]);
    let one = g.const_f32(&[], &[1.0]);
    let s = g.node("Sub", &[&s, &one], &[]);
    let kl = g.node(
        "ReduceMean",
        &[&s],
        &[("axes", Attr::Ints(vec![2])), ("keepdims", Attr::Int(0))],
    );
    let half_beta = g.const_f32(&[], &[0.5 * beta]);
    let kl = g.node("Mul", &[&kl, &half_beta], &[]);
    g.node("Add", &[&rec, &kl], &[])
}
