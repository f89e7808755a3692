//! Shift-GCN → ONNX: input `skeleton` `[B, 3, T, 25, M]` → output `feature` `[B, C_last]`.
//!
//! Computes exactly what the trainer's module computes in inference mode (BatchNorms folded
//! into per-channel scale and shift), in the same channel-last layout.

use crate::model::shift_gcn::{
    BatchNorm, Linear, Residual, ShiftGcnWeights, shift_in_index, shift_out_index, temporal_groups,
};
use crate::onnx::{Attr, Dim, GraphBuilder};
use crate::skeleton::NUM_JOINTS;

pub const INPUT: &str = "skeleton";
pub const OUTPUT: &str = "feature";

fn bn(g: &mut GraphBuilder, x: &str, bn: &BatchNorm, name: &str) -> String {
    let (scale, shift) = bn.affine();
    let n = scale.len() as i64;
    let s = g.weight(&format!("{name}.scale"), &[n], &scale);
    let b = g.weight(&format!("{name}.shift"), &[n], &shift);
    let y = g.node("Mul", &[x, &s], &[]);
    g.node("Add", &[&y, &b], &[])
}

fn linear(g: &mut GraphBuilder, x: &str, l: &Linear, name: &str) -> String {
    let w = g.weight(&format!("{name}.w"), &[l.inp as i64, l.out as i64], &l.w);
    let b = g.weight(&format!("{name}.b"), &[l.out as i64], &l.b);
    let y = g.node("MatMul", &[x, &w], &[]);
    g.node("Add", &[&y, &b], &[])
}

/// The fixed temporal shift on `[N, T, V, C]`: channel groups read frames t−1, t, t+1 (zeros
/// outside the window).
fn temporal_shift(g: &mut GraphBuilder, x: &str, frames: usize, channels: usize) -> String {
    let (a, b) = temporal_groups(channels);
    let pads = g.const_i64(&[8], &[0, 1, 0, 0, 0, 1, 0, 0]);
    let padded = g.node("Pad", &[x, &pads], &[]);
    let t = frames as i64;
    let mut parts = Vec::new();
    for (c0, c1, t0) in [(0, a, 0i64), (a, b, 1), (b, channels, 2)] {
        if c1 == c0 {
            continue;
        }
        let starts = g.const_i64(&[2], &[t0, c0 as i64]);
        let ends = g.const_i64(&[2], &[t0 + t, c1 as i64]);
        let axes = g.const_i64(&[2], &[1, 3]);
        parts.push(g.node("Slice", &[&padded, &starts, &ends, &axes], &[]));
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    g.node("Concat", &refs, &[("axis", Attr::Int(3))])
}

/// Every `stride`-th frame of `[N, T, V, C]`.
fn subsample(g: &mut GraphBuilder, x: &str, frames: usize, stride: usize) -> String {
    if stride == 1 {
        return x.to_string();
    }
    let idx: Vec<i64> = (0..frames).step_by(stride).map(|t| t as i64).collect();
    let i = g.const_i64(&[idx.len() as i64], &idx);
    g.node("Gather", &[x, &i], &[("axis", Attr::Int(1))])
}

/// Writes the encoder graph.
pub fn export(w: &ShiftGcnWeights) -> Result<Vec<u8>, String> {
    let cfg = &w.config;
    cfg.validate()?;
    let (v, m) = (NUM_JOINTS, cfg.bodies);
    let mut t = cfg.window;
    let mut g = GraphBuilder::new("shift_gcn");
    let input = g.input(
        INPUT,
        &[
            Dim::from("batch"),
            3.into(),
            (t as i64).into(),
            (v as i64).into(),
            (m as i64).into(),
        ],
    );

    // Data BN over (m, v, c), then [B·M, T, V, C].
    let mvct = g.node(
        "Transpose",
        &[&input],
        &[("perm", Attr::Ints(vec![0, 4, 3, 1, 2]))],
    );
    let (scale, shift) = w.data_bn.affine();
    let s = g.weight("data_bn.scale", &[m as i64, v as i64, 3, 1], &scale);
    let b = g.weight("data_bn.shift", &[m as i64, v as i64, 3, 1], &shift);
    let y = g.node("Mul", &[&mvct, &s], &[]);
    let y = g.node("Add", &[&y, &b], &[]);
    let y = g.node(
        "Transpose",
        &[&y],
        &[("perm", Attr::Ints(vec![0, 1, 4, 2, 3]))],
    );
    let shape = g.const_i64(&[4], &[-1, t as i64, v as i64, 3]);
    let mut x = g.node("Reshape", &[&y, &shape], &[]);

    let mut c_in = 3usize;
    for (i, u) in w.units.iter().enumerate() {
        let p = format!("units.{i}");
        let c = u.spatial.linear.out;
        // Spatial block.
        let flat = g.const_i64(&[3], &[-1, t as i64, (v * c_in) as i64]);
        let xf = g.node("Reshape", &[&x, &flat], &[]);
        let idx_in = g.const_i64(&[(v * c_in) as i64], &shift_in_index(c_in));
        let shifted = g.node("Gather", &[&xf, &idx_in], &[("axis", Attr::Int(2))]);
        let factor: Vec<f32> = u.spatial.mask.iter().map(|m| m.tanh() + 1.0).collect();
        let f = g.weight(
            &format!("{p}.spatial.mask_factor"),
            &[(v * c_in) as i64],
            &factor,
        );
        let masked = g.node("Mul", &[&shifted, &f], &[]);
        let joints = g.const_i64(&[4], &[-1, t as i64, v as i64, c_in as i64]);
        let masked = g.node("Reshape", &[&masked, &joints], &[]);
        let lin = linear(
            &mut g,
            &masked,
            &u.spatial.linear,
            &format!("{p}.spatial.linear"),
        );
        let flat_out = g.const_i64(&[3], &[-1, t as i64, (v * c) as i64]);
        let lf = g.node("Reshape", &[&lin, &flat_out], &[]);
        let idx_out = g.const_i64(&[(v * c) as i64], &shift_out_index(c));
        let back = g.node("Gather", &[&lf, &idx_out], &[("axis", Attr::Int(2))]);
        let normed = bn(&mut g, &back, &u.spatial.bn, &format!("{p}.spatial.bn"));
        let joints_out = g.const_i64(&[4], &[-1, t as i64, v as i64, c as i64]);
        let sp = g.node("Reshape", &[&normed, &joints_out], &[]);
        let down = match &u.spatial.down {
            Some((l, b)) => {
                let d = linear(&mut g, &x, l, &format!("{p}.spatial.down"));
                bn(&mut g, &d, b, &format!("{p}.spatial.down_bn"))
            }
            None => x.clone(),
        };
        let sp = g.node("Add", &[&sp, &down], &[]);
        let sp = g.node("Relu", &[&sp], &[]);

        // Temporal block.
        let tm = &u.temporal;
        let y = bn(&mut g, &sp, &tm.bn_in, &format!("{p}.temporal.bn_in"));
        let y = temporal_shift(&mut g, &y, t, c);
        let y = linear(&mut g, &y, &tm.conv, &format!("{p}.temporal.conv"));
        let y = g.node("Relu", &[&y], &[]);
        let y = temporal_shift(&mut g, &y, t, c);
        let y = subsample(&mut g, &y, t, tm.stride);
        let y = bn(&mut g, &y, &tm.bn_out, &format!("{p}.temporal.bn_out"));

        // Residual and output.
        let out = match &u.residual {
            Residual::None => y,
            Residual::Identity => g.node("Add", &[&y, &x], &[]),
            Residual::Project {
                linear: l,
                bn: b,
                stride,
            } => {
                let r = subsample(&mut g, &x, t, *stride);
                let r = linear(&mut g, &r, l, &format!("{p}.residual"));
                let r = bn(&mut g, &r, b, &format!("{p}.residual_bn"));
                g.node("Add", &[&y, &r], &[])
            }
        };
        x = g.node("Relu", &[&out], &[]);
        t /= tm.stride;
        c_in = c;
    }

    // Mean over time and joints, then over the bodies.
    let pooled = g.node(
        "ReduceMean",
        &[&x],
        &[("axes", Attr::Ints(vec![1, 2])), ("keepdims", Attr::Int(0))],
    );
    let per_body = g.const_i64(&[3], &[-1, m as i64, c_in as i64]);
    let pooled = g.node("Reshape", &[&pooled, &per_body], &[]);
    let feature = g.node(
        "ReduceMean",
        &[&pooled],
        &[("axes", Attr::Ints(vec![1])), ("keepdims", Attr::Int(0))],
    );
    g.output(
        &feature,
        OUTPUT,
        &[Dim::from("batch"), (c_in as i64).into()],
    );
    g.metadata("model", "Shift-GCN encoder (scale)");
    g.metadata("window", &cfg.window.to_string());
    g.metadata("width", &cfg.width.to_string());
    Ok(g.to_bytes())
}
