//! Shift-GCN as a burn module, for training. Mirrors `model::shift_gcn` exactly (channel-last
//! layout, the same shifts, BatchNorms, residuals and pooling); [`ShiftGcn::to_weights`] and
//! [`ShiftGcn::from_weights`] convert to and from the plain weights the exporter reads.

use crate::model::shift_gcn::{
    self as plain, BN_EPS, Residual, STRIDES, ShiftGcnConfig, ShiftGcnWeights, shift_in_index,
    shift_out_index, temporal_groups,
};
use crate::skeleton::NUM_JOINTS;
use burn::module::{Param, RunningState};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::ops::PadMode;

fn bn(n: usize, device: &Device) -> BatchNorm {
    BatchNormConfig::new(n)
        .with_epsilon(f64::from(BN_EPS))
        .with_momentum(0.1)
        .init(device)
}

fn int_tensor(v: &[i64], device: &Device) -> Tensor<1, Int> {
    Tensor::<1, Int>::from_data(TensorData::new(v.to_vec(), [v.len()]), device)
}

/// BatchNorm over the last dimension of a channel-last tensor.
fn bn_last<const D: usize>(bn: &BatchNorm, x: Tensor<D>) -> Tensor<D> {
    let dims = x.dims();
    let c = dims[D - 1];
    let flat: Tensor<2> = x.reshape([-1, c as i32]);
    bn.forward(flat).reshape(dims)
}

#[derive(Module, Debug)]
pub struct SpatialBlock {
    pub mask: Param<Tensor<1>>,
    pub linear: Linear,
    pub bn: BatchNorm,
    pub down: Option<Linear>,
    pub down_bn: Option<BatchNorm>,
    #[module(skip)]
    pub c_in: usize,
    #[module(skip)]
    pub c_out: usize,
}

impl SpatialBlock {
    fn new(c_in: usize, c_out: usize, device: &Device) -> SpatialBlock {
        let v = NUM_JOINTS;
        SpatialBlock {
            mask: Param::from_tensor(Tensor::zeros([v * c_in], device)),
            linear: LinearConfig::new(c_in, c_out).init(device),
            bn: bn(v * c_out, device),
            down: (c_in != c_out).then(|| LinearConfig::new(c_in, c_out).init(device)),
            down_bn: (c_in != c_out).then(|| bn(c_out, device)),
            c_in,
            c_out,
        }
    }

    /// `[N, T, V, C_in]` → `[N, T, V, C_out]`.
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [n, t, v, _] = x.dims();
        let device = x.device();
        let flat: Tensor<2> = x.clone().reshape([n * t, v * self.c_in]);
        let shifted = flat.select(1, int_tensor(&shift_in_index(self.c_in), &device));
        let factor = self.mask.val().tanh() + 1.0;
        let masked = shifted * factor.unsqueeze::<2>();
        let y = self.linear.forward(masked.reshape([n * t * v, self.c_in]));
        let y: Tensor<2> = y.reshape([n * t, v * self.c_out]);
        let y = y.select(1, int_tensor(&shift_out_index(self.c_out), &device));
        let y = self.bn.forward(y).reshape([n, t, v, self.c_out]);
        let residual = match (&self.down, &self.down_bn) {
            (Some(l), Some(b)) => bn_last(b, l.forward(x)),
            _ => x,
        };
        relu(y + residual)
    }
}

/// The fixed temporal shift on `[N, T, V, C]`.
fn temporal_shift(x: Tensor<4>) -> Tensor<4> {
    let [n, t, v, c] = x.dims();
    let (a, b) = temporal_groups(c);
    let p = x.pad([(1, 1), (0, 0), (0, 0)], PadMode::Constant(0.0));
    let mut parts = Vec::new();
    for (c0, c1, t0) in [(0, a, 0), (a, b, 1), (b, c, 2)] {
        if c1 > c0 {
            parts.push(p.clone().slice([0..n, t0..t0 + t, 0..v, c0..c1]));
        }
    }
    Tensor::cat(parts, 3)
}

fn subsample(x: Tensor<4>, stride: usize) -> Tensor<4> {
    if stride == 1 {
        return x;
    }
    let t = x.dims()[1];
    let idx: Vec<i64> = (0..t).step_by(stride).map(|i| i as i64).collect();
    let device = x.device();
    x.select(1, int_tensor(&idx, &device))
}

#[derive(Module, Debug)]
pub struct TemporalBlock {
    pub bn_in: BatchNorm,
    pub conv: Linear,
    pub bn_out: BatchNorm,
    #[module(skip)]
    pub stride: usize,
}

impl TemporalBlock {
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = temporal_shift(bn_last(&self.bn_in, x));
        let y = relu(self.conv.forward(y));
        let y = subsample(temporal_shift(y), self.stride);
        bn_last(&self.bn_out, y)
    }
}

#[derive(Module, Debug)]
pub struct ShiftUnit {
    pub spatial: SpatialBlock,
    pub temporal: TemporalBlock,
    pub residual: Option<Linear>,
    pub residual_bn: Option<BatchNorm>,
    #[module(skip)]
    pub identity: bool,
}

impl ShiftUnit {
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = self.temporal.forward(self.spatial.forward(x.clone()));
        let out = match (&self.residual, &self.residual_bn) {
            (Some(l), Some(b)) => y + bn_last(b, l.forward(subsample(x, self.temporal.stride))),
            _ if self.identity => y + x,
            _ => y,
        };
        relu(out)
    }
}

#[derive(Module, Debug)]
pub struct ShiftGcn {
    pub data_bn: BatchNorm,
    pub units: Vec<ShiftUnit>,
    pub classifier: Linear,
    #[module(skip)]
    pub config: ShiftGcnConfig,
}

impl ShiftGcn {
    /// A freshly initialised encoder (mask 0, BatchNorm identity, linear layers Kaiming-uniform).
    pub fn new(config: &ShiftGcnConfig, device: &Device) -> ShiftGcn {
        let mut units = Vec::new();
        let mut c_in = 3;
        for (i, (&c, &s)) in config.channels().iter().zip(&STRIDES).enumerate() {
            let project = i > 0 && (c_in != c || s != 1);
            units.push(ShiftUnit {
                spatial: SpatialBlock::new(c_in, c, device),
                temporal: TemporalBlock {
                    bn_in: bn(c, device),
                    conv: LinearConfig::new(c, c).init(device),
                    bn_out: bn(c, device),
                    stride: s,
                },
                residual: project.then(|| LinearConfig::new(c_in, c).init(device)),
                residual_bn: project.then(|| bn(c, device)),
                identity: i > 0 && !project,
            });
            c_in = c;
        }
        ShiftGcn {
            data_bn: bn(config.bodies * NUM_JOINTS * 3, device),
            units,
            classifier: LinearConfig::new(c_in, config.num_classes).init(device),
            config: config.clone(),
        }
    }

    /// `[N, 3, T, V, M]` → features `[N, C_last]`.
    pub fn features(&self, x: Tensor<5>) -> Tensor<2> {
        let [n, c, t, v, m] = x.dims();
        let y = x.permute([0, 4, 3, 1, 2]).reshape([n, m * v * c, t]);
        let y: Tensor<5> = self.data_bn.forward(y).reshape([n, m, v, c, t]);
        let mut h: Tensor<4> = y.permute([0, 1, 4, 2, 3]).reshape([n * m, t, v, c]);
        for u in &self.units {
            h = u.forward(h);
        }
        let [_, t2, v2, ch] = h.dims();
        let pooled: Tensor<2> = h
            .reshape([n * m, t2 * v2, ch])
            .mean_dim(1)
            .reshape([n * m, ch]);
        pooled.reshape([n, m, ch]).mean_dim(1).reshape([n, ch])
    }

    /// Features and classifier logits.
    pub fn forward(&self, x: Tensor<5>) -> (Tensor<2>, Tensor<2>) {
        let f = self.features(x);
        let logits = self.classifier.forward(f.clone());
        (f, logits)
    }

    /// The plain weights (running BatchNorm statistics included).
    pub fn to_weights(&self) -> ShiftGcnWeights {
        let lin = linear_weights;
        let units = self
            .units
            .iter()
            .map(|u| plain::Unit {
                spatial: plain::Spatial {
                    mask: vec_of(u.spatial.mask.val()),
                    linear: lin(&u.spatial.linear),
                    bn: bn_weights(&u.spatial.bn),
                    down: u
                        .spatial
                        .down
                        .as_ref()
                        .zip(u.spatial.down_bn.as_ref())
                        .map(|(l, b)| (lin(l), bn_weights(b))),
                },
                temporal: plain::Temporal {
                    bn_in: bn_weights(&u.temporal.bn_in),
                    conv: lin(&u.temporal.conv),
                    bn_out: bn_weights(&u.temporal.bn_out),
                    stride: u.temporal.stride,
                },
                residual: match (&u.residual, &u.residual_bn) {
                    (Some(l), Some(b)) => Residual::Project {
                        linear: lin(l),
                        bn: bn_weights(b),
                        stride: u.temporal.stride,
                    },
                    _ if u.identity => Residual::Identity,
                    _ => Residual::None,
                },
            })
            .collect();
        ShiftGcnWeights {
            config: self.config.clone(),
            data_bn: bn_weights(&self.data_bn),
            units,
            classifier: lin(&self.classifier),
        }
    }

    /// An encoder holding the given weights.
    pub fn from_weights(w: &ShiftGcnWeights, device: &Device) -> ShiftGcn {
        let mut m = ShiftGcn::new(&w.config, device);
        set_bn(&mut m.data_bn, &w.data_bn, device);
        for (u, pw) in m.units.iter_mut().zip(&w.units) {
            u.spatial.mask = Param::from_tensor(tensor1(&pw.spatial.mask, device));
            set_linear(&mut u.spatial.linear, &pw.spatial.linear, device);
            set_bn(&mut u.spatial.bn, &pw.spatial.bn, device);
            if let (Some(l), Some(b), Some((pl, pb))) = (
                u.spatial.down.as_mut(),
                u.spatial.down_bn.as_mut(),
                pw.spatial.down.as_ref(),
            ) {
                set_linear(l, pl, device);
                set_bn(b, pb, device);
            }
            set_bn(&mut u.temporal.bn_in, &pw.temporal.bn_in, device);
            set_linear(&mut u.temporal.conv, &pw.temporal.conv, device);
            set_bn(&mut u.temporal.bn_out, &pw.temporal.bn_out, device);
            if let (Some(l), Some(b), Residual::Project { linear, bn, .. }) =
                (u.residual.as_mut(), u.residual_bn.as_mut(), &pw.residual)
            {
                set_linear(l, linear, device);
                set_bn(b, bn, device);
            }
        }
        set_linear(&mut m.classifier, &w.classifier, device);
        m
    }
}

/// The plain weights of a burn linear layer (`w` is `[inp, out]` in both).
pub fn linear_weights(l: &Linear) -> plain::Linear {
    let [inp, out] = l.weight.dims();
    let b = l
        .bias
        .as_ref()
        .map(|b| vec_of(b.val()))
        .unwrap_or_else(|| vec![0.0; out]);
    plain::Linear {
        inp,
        out,
        w: vec_of(l.weight.val()),
        b,
    }
}

/// Values of a float tensor, row-major.
pub fn vec_of<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap_or_default()
}

pub fn tensor1(v: &[f32], device: &Device) -> Tensor<1> {
    Tensor::<1>::from_data(TensorData::new(v.to_vec(), [v.len()]), device)
}

pub fn bn_weights(b: &BatchNorm) -> plain::BatchNorm {
    plain::BatchNorm {
        gamma: vec_of(b.gamma.val()),
        beta: vec_of(b.beta.val()),
        mean: vec_of(b.running_mean.value_sync()),
        var: vec_of(b.running_var.value_sync()),
    }
}

pub fn set_bn(b: &mut BatchNorm, w: &plain::BatchNorm, device: &Device) {
    b.gamma = Param::from_tensor(tensor1(&w.gamma, device));
    b.beta = Param::from_tensor(tensor1(&w.beta, device));
    b.running_mean = RunningState::new(tensor1(&w.mean, device));
    b.running_var = RunningState::new(tensor1(&w.var, device));
}

pub fn set_linear(l: &mut Linear, w: &plain::Linear, device: &Device) {
    l.weight = Param::from_tensor(Tensor::<2>::from_data(
        TensorData::new(w.w.clone(), [w.inp, w.out]),
        device,
    ));
    l.bias = Some(Param::from_tensor(tensor1(&w.b, device)));
}
