//! Shift-GCN → ONNX: input `skeleton` `[B, 3, T, 25, M]` → output `feature` `[B, C_last]`.
//!
//! Computes exactly what the trainer's module computes in inference mode, laid out for ONNX
//! Runtime's CPU kernels rather than like the trainer:
//!
//! - activations are `[B, C, V·M, T]` (channels first, bodies beside the joints), so that every
//!   pointwise linear layer is a 1×1 `Conv` that runs in ONNX Runtime's blocked-layout kernels;
//! - the spatial shifts permute whole rows of `M·T` values with one `Gather` on the (channel,
//!   joint) axis, instead of gathering single floats on the last axis (which cost ~7 ns each);
//! - the temporal shift is a depthwise `Conv` with a one-hot 1×3 kernel per channel (zero
//!   padding at the window's ends, as in the trainer), and the second shift, the stride and the
//!   output BatchNorm are one strided depthwise `Conv`;
//! - BatchNorms are folded into the adjacent weights where that is exact (not `bn_in`, whose
//!   output is zero-padded by the shift that follows: it stays a per-channel scale and shift);
//! - the mean over joints, bodies and frames is one `ReduceMean` (every body has the same
//!   number of joints and frames, so it equals the trainer's mean over bodies of per-body means).
//!
//! The parity tests compare it with the trainer's forward pass (`tests/export_parity.rs`).
//!
//! [`export_one_body`] writes the same network for one body slot (`[B, 3, T, 25, 1]` →
//! `body_feature`, the mean over that body's joints and frames). Nothing in the network mixes
//! the bodies before the final mean, so a window whose second slot is all zeros (one person in
//! view) has the feature `½ · body_feature(slot 0) + ½ · g₁(0)`, where `g₁(0)` is the second
//! slot's constant response to zeros: the streaming engine runs this graph, half the encoder's
//! work, for such windows (`stream::engine`).

use crate::model::shift_gcn::{
    BatchNorm, Linear, Residual, ShiftGcnWeights, shift_in_index, shift_out_index, temporal_groups,
};
use crate::onnx::{Attr, Dim, GraphBuilder};
use crate::skeleton::NUM_JOINTS;

pub const INPUT: &str = "skeleton";
pub const OUTPUT: &str = "feature";
/// Output of the one-body graph ([`export_one_body`]).
pub const BODY_OUTPUT: &str = "body_feature";

/// `w` of a linear layer (`[in, out]`, for `x · w`) as a 1×1 convolution weight
/// `[out, in, 1, 1]`, each output row scaled by `scale[o]`.
fn conv_weight(l: &Linear, scale: Option<&[f32]>) -> Vec<f32> {
    let mut out = vec![0.0; l.inp * l.out];
    for o in 0..l.out {
        let s = scale.map_or(1.0, |s| s[o]);
        for i in 0..l.inp {
            out[o * l.inp + i] = l.w[i * l.out + o] * s;
        }
    }
    out
}

/// A 1×1 convolution on `[B, in, H, W]` (optionally strided along W).
fn conv1x1(
    g: &mut GraphBuilder,
    x: &str,
    l: &Linear,
    bn: Option<&BatchNorm>,
    name: &str,
    stride: usize,
) -> String {
    let (scale, shift) = match bn {
        Some(b) => {
            let (s, h) = b.affine();
            (Some(s), Some(h))
        }
        None => (None, None),
    };
    let w = g.weight(
        &format!("{name}.w"),
        &[l.out as i64, l.inp as i64, 1, 1],
        &conv_weight(l, scale.as_deref()),
    );
    let bias: Vec<f32> = (0..l.out)
        .map(|o| match (&scale, &shift) {
            (Some(s), Some(h)) => l.b[o] * s[o] + h[o],
            _ => l.b[o],
        })
        .collect();
    let b = g.weight(&format!("{name}.b"), &[l.out as i64], &bias);
    g.node(
        "Conv",
        &[x, &w, &b],
        &[
            ("kernel_shape", Attr::Ints(vec![1, 1])),
            ("strides", Attr::Ints(vec![1, stride as i64])),
        ],
    )
}

/// The fixed temporal shift as a depthwise 1×3 convolution on `[B, C, H, T]`: channel group
/// `k` of [`temporal_groups`] reads frame `t − 1 + k` (zeros outside the window). With `bn`,
/// its scale multiplies the kernel and its shift is the bias; `stride` keeps every
/// `stride`-th frame from the first.
fn temporal_shift(
    g: &mut GraphBuilder,
    x: &str,
    channels: usize,
    bn: Option<&BatchNorm>,
    name: &str,
    stride: usize,
) -> String {
    let (a, b) = temporal_groups(channels);
    let (scale, shift) = match bn {
        Some(bn) => bn.affine(),
        None => (vec![1.0; channels], vec![0.0; channels]),
    };
    let mut kernel = vec![0.0; channels * 3];
    for c in 0..channels {
        let tap = if c < a {
            0
        } else if c < b {
            1
        } else {
            2
        };
        kernel[c * 3 + tap] = scale[c];
    }
    let w = g.weight(&format!("{name}.w"), &[channels as i64, 1, 1, 3], &kernel);
    let bias = g.weight(&format!("{name}.b"), &[channels as i64], &shift);
    g.node(
        "Conv",
        &[x, &w, &bias],
        &[
            ("kernel_shape", Attr::Ints(vec![1, 3])),
            ("pads", Attr::Ints(vec![0, 1, 0, 1])),
            ("strides", Attr::Ints(vec![1, stride as i64])),
            ("group", Attr::Int(channels as i64)),
        ],
    )
}

/// A per-channel scale and shift on `[B, C, H, W]` as a depthwise 1×1 convolution.
fn channel_affine(g: &mut GraphBuilder, x: &str, bn: &BatchNorm, name: &str) -> String {
    let (scale, shift) = bn.affine();
    let n = scale.len() as i64;
    let w = g.weight(&format!("{name}.scale"), &[n, 1, 1, 1], &scale);
    let b = g.weight(&format!("{name}.shift"), &[n], &shift);
    g.node(
        "Conv",
        &[x, &w, &b],
        &[
            ("kernel_shape", Attr::Ints(vec![1, 1])),
            ("group", Attr::Int(n)),
        ],
    )
}

/// Writes the encoder graph.
pub fn export(w: &ShiftGcnWeights) -> Result<Vec<u8>, String> {
    graph(w, w.config.bodies, OUTPUT)
}

/// Writes the encoder for body slot 0 alone: input `[B, 3, T, 25, 1]`, output
/// [`BODY_OUTPUT`] `[B, C_last]`, the mean over the body's joints and frames (the module
/// docs say how the full feature follows from it).
pub fn export_one_body(w: &ShiftGcnWeights) -> Result<Vec<u8>, String> {
    graph(w, 1, BODY_OUTPUT)
}

/// The encoder on the first `m` body slots (the data BatchNorm's rows of those slots).
fn graph(w: &ShiftGcnWeights, m: usize, output: &str) -> Result<Vec<u8>, String> {
    let cfg = &w.config;
    cfg.validate()?;
    if m == 0 || m > cfg.bodies {
        return Err(format!(
            "an encoder of {} bodies has no graph for {m}",
            cfg.bodies
        ));
    }
    let v = NUM_JOINTS;
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

    // [B, 3, T, V, M] → [B, 3, V, M, T]; data BN over (m, v, c); → [B, 3, V·M, T].
    let x = g.node(
        "Transpose",
        &[&input],
        &[("perm", Attr::Ints(vec![0, 1, 3, 4, 2]))],
    );
    let (scale, shift) = w.data_bn.affine();
    let reorder = |a: &[f32]| -> Vec<f32> {
        let mut out = vec![0.0; 3 * v * m];
        for c in 0..3 {
            for j in 0..v {
                for b in 0..m {
                    out[(c * v + j) * m + b] = a[(b * v + j) * 3 + c];
                }
            }
        }
        out
    };
    let s = g.weight(
        "data_bn.scale",
        &[3, v as i64, m as i64, 1],
        &reorder(&scale),
    );
    let b = g.weight(
        "data_bn.shift",
        &[3, v as i64, m as i64, 1],
        &reorder(&shift),
    );
    let y = g.node("Mul", &[&x, &s], &[]);
    let y = g.node("Add", &[&y, &b], &[]);
    let shape = g.const_i64(&[4], &[0, 3, (v * m) as i64, t as i64]);
    let mut x = g.node("Reshape", &[&y, &shape], &[]);

    let mut c_in = 3usize;
    for (i, u) in w.units.iter().enumerate() {
        let p = format!("units.{i}");
        let c = u.spatial.linear.out;
        let mt = m * t;
        // Spatial block as one grouped convolution. Gather the shifted input joint-major
        // (group j' holds joint j''s c_in shifted channels), one 1-D convolution with a group
        // per joint computes mask × linear × BN (+ the identity residual) for every output
        // (joint, channel) in the order the shift-out reads them, and a Gather puts the rows
        // back channel-first.
        let flat = g.const_i64(&[3], &[0, (c_in * v) as i64, mt as i64]);
        let xf = g.node("Reshape", &[&x, &flat], &[]);
        let sin = shift_in_index(c_in);
        let gather_in: Vec<i64> = sin
            .iter()
            .map(|&s| {
                let s = s as usize;
                ((s % c_in) * v + s / c_in) as i64
            })
            .collect();
        let gin = g.const_i64(&[(v * c_in) as i64], &gather_in);
        let grouped = g.node("Gather", &[&xf, &gin], &[("axis", Attr::Int(1))]);
        let factor: Vec<f32> = u.spatial.mask.iter().map(|m| m.tanh() + 1.0).collect();
        let lin = &u.spatial.linear;
        let (bs, bb) = u.spatial.bn.affine();
        let sout = shift_out_index(c);
        // Conv row k = j'·c + o computes the output (j, o) whose shift-out reads (j', o).
        let mut weight = vec![0.0f32; v * c * c_in];
        let mut bias = vec![0.0f32; v * c];
        let mut back = vec![0i64; v * c];
        let down_bias = u.spatial.down.as_ref().map(|(l, dbn)| {
            let (ds, dh) = dbn.affine();
            (0..c).map(|o| l.b[o] * ds[o] + dh[o]).collect::<Vec<f32>>()
        });
        for j in 0..v {
            for o in 0..c {
                let cl = j * c + o;
                let k = sout[cl] as usize;
                let jp = k / c;
                for ci in 0..c_in {
                    weight[k * c_in + ci] = bs[cl] * lin.w[ci * c + o] * factor[jp * c_in + ci];
                }
                bias[k] = bb[cl] + bs[cl] * lin.b[o] + down_bias.as_ref().map_or(0.0, |d| d[o]);
                back[o * v + j] = k as i64;
                if u.spatial.down.is_none() {
                    // The unit's own residual: x at (j, o) is the shifted input (j', o).
                    let src = sin[jp * c_in + o] as usize;
                    if src != j * c_in + o {
                        return Err(format!(
                            "{p}: shift-in and shift-out are not inverse at joint {j}, channel {o}"
                        ));
                    }
                    weight[k * c_in + o] += 1.0;
                }
            }
        }
        let gw = g.weight(
            &format!("{p}.spatial.grouped.w"),
            &[(v * c) as i64, c_in as i64, 1],
            &weight,
        );
        let gb = g.weight(&format!("{p}.spatial.grouped.b"), &[(v * c) as i64], &bias);
        let conv = |g: &mut GraphBuilder| {
            g.node(
                "Conv",
                &[&grouped, &gw, &gb],
                &[
                    ("kernel_shape", Attr::Ints(vec![1])),
                    ("group", Attr::Int(v as i64)),
                ],
            )
        };
        let gback = g.const_i64(&[(v * c) as i64], &back);
        let sp = match &u.spatial.down {
            None => {
                let z = conv(&mut g);
                let z = g.node("Relu", &[&z], &[]);
                g.node("Gather", &[&z, &gback], &[("axis", Attr::Int(1))])
            }
            Some((l, dbn)) => {
                let z = conv(&mut g);
                let z = g.node("Gather", &[&z, &gback], &[("axis", Attr::Int(1))]);
                let (ds, _) = dbn.affine();
                let dw = g.weight(
                    &format!("{p}.spatial.down.w"),
                    &[c as i64, c_in as i64, 1, 1],
                    &conv_weight(l, Some(&ds)),
                );
                let d = g.node(
                    "Conv",
                    &[&x, &dw],
                    &[("kernel_shape", Attr::Ints(vec![1, 1]))],
                );
                let flat_out = g.const_i64(&[3], &[0, (c * v) as i64, mt as i64]);
                let d = g.node("Reshape", &[&d, &flat_out], &[]);
                let z = g.node("Add", &[&z, &d], &[]);
                g.node("Relu", &[&z], &[])
            }
        };
        let unit_shape = g.const_i64(&[4], &[0, c as i64, (v * m) as i64, t as i64]);
        let sp = g.node("Reshape", &[&sp, &unit_shape], &[]);

        // Temporal block: BN, shift, 1×1 conv, ReLU, shift + stride + BN.
        let tm = &u.temporal;
        let y = channel_affine(&mut g, &sp, &tm.bn_in, &format!("{p}.temporal.bn_in"));
        let y = temporal_shift(&mut g, &y, c, None, &format!("{p}.temporal.shift1"), 1);
        let y = conv1x1(&mut g, &y, &tm.conv, None, &format!("{p}.temporal.conv"), 1);
        let y = g.node("Relu", &[&y], &[]);
        let y = temporal_shift(
            &mut g,
            &y,
            c,
            Some(&tm.bn_out),
            &format!("{p}.temporal.shift2_bn_out"),
            tm.stride,
        );

        // Residual and output.
        let out = match &u.residual {
            Residual::None => y,
            Residual::Identity => g.node("Add", &[&y, &x], &[]),
            Residual::Project {
                linear: l,
                bn: b,
                stride,
            } => {
                let r = conv1x1(&mut g, &x, l, Some(b), &format!("{p}.residual"), *stride);
                g.node("Add", &[&y, &r], &[])
            }
        };
        x = g.node("Relu", &[&out], &[]);
        t /= tm.stride;
        c_in = c;
    }

    // Mean over joints, bodies and frames.
    let feature = g.node(
        "ReduceMean",
        &[&x],
        &[("axes", Attr::Ints(vec![2, 3])), ("keepdims", Attr::Int(0))],
    );
    g.output(
        &feature,
        output,
        &[Dim::from("batch"), (c_in as i64).into()],
    );
    g.metadata(
        "model",
        if m == cfg.bodies {
            "Shift-GCN encoder (scale)"
        } else {
            "Shift-GCN encoder, body slot 0 alone (scale)"
        },
    );
    g.metadata("window", &cfg.window.to_string());
    g.metadata("width", &cfg.width.to_string());
    Ok(g.to_bytes())
}
