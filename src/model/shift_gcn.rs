//! The Shift-GCN skeleton encoder as plain data: configuration, weights, FLOP count and the
//! shift patterns. The trainer's burn module, its checkpoints and the ONNX exporter all follow
//! this one struct tree (names such as `units.4.temporal.conv.w`).
//!
//! Layout conventions (channel-last, as the trainer and the exported graph compute):
//! input `[N, C=3, T, V=25, M]` → data BatchNorm over the `M·V·C` channels → `[N·M, T, V, C]`
//! → ten units → mean over T and V → mean over the M bodies → feature `[N, C_last]`.
//!
//! A unit is `relu(temporal(spatial(x)) + residual(x))`:
//! - spatial (C_in → C_out): shift-in (channel c of joint v reads joint (v + c) mod V), multiply by
//!   `tanh(mask) + 1`, a shared linear C_in → C_out, shift-out (channel c of joint v reads joint
//!   (v − c) mod V), BatchNorm over V·C_out, plus its own residual (identity, or linear + BN
//!   when C_in ≠ C_out), ReLU;
//! - temporal (C → C, stride s): BN → fixed temporal shift (the first third of the channels
//!   reads frame t−1, the middle third frame t, the last third frame t+1, zero padded) → linear
//!   (1×1 conv) → ReLU → the same shift, then every s-th frame → BN;
//! - residual: none in unit 1, identity where the shape is kept, else every s-th frame → linear → BN.

use super::tensors::NamedTensors;
use crate::skeleton::NUM_JOINTS;
use crate::skeleton::normalize::{Centring, Options as NormalizeOptions};
use serde::{Deserialize, Serialize};

/// Output channels of the ten units at width 1.
pub const BASE_CHANNELS: [usize; 10] = [64, 64, 64, 64, 128, 128, 128, 256, 256, 256];
/// Temporal stride of the ten units.
pub const STRIDES: [usize; 10] = [1, 1, 1, 1, 2, 1, 1, 2, 1, 1];
/// BatchNorm epsilon everywhere.
pub const BN_EPS: f32 = 1e-5;

/// Encoder configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftGcnConfig {
    /// Width multiplier of every unit's channels (1.0 = the paper's 64…256).
    pub width: f32,
    /// Window length T in frames (a multiple of 4).
    pub window: usize,
    /// Bodies per window (M).
    pub bodies: usize,
    /// Classes of the pre-training classifier (the seen classes).
    pub num_classes: usize,
    /// Sensor frames (at 30 fps) that one window covers in training, as `scale serve` windows
    /// do (resampled to `window`); `None`: each training sample is a whole recording (models
    /// made before this option).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_window: Option<usize>,
    /// Windows are scaled to one body size before the encoder (normalisation step 6,
    /// `skeleton::normalize`); `false` for models made before this option.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_scale: bool,
    /// Where each window's origin is taken (normalisation step 3); `window` for models made
    /// before this option.
    #[serde(default, skip_serializing_if = "Centring::is_window")]
    pub centring: Centring,
}

impl ShiftGcnConfig {
    /// The normalisation the encoder takes its windows with.
    pub fn input(&self) -> NormalizeOptions {
        NormalizeOptions {
            body_scale: self.body_scale,
            centring: self.centring,
        }
    }

    pub fn channels(&self) -> [usize; 10] {
        BASE_CHANNELS.map(|c| ((c as f32 * self.width).round() as usize).max(6))
    }

    pub fn feature_dim(&self) -> usize {
        self.channels()[9]
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.window < 4 || !self.window.is_multiple_of(4) {
            return Err(format!(
                "window must be a positive multiple of 4 (two stride-2 units), got {}",
                self.window
            ));
        }
        if !(self.width > 0.0 && self.width <= 4.0) {
            return Err(format!(
                "width multiplier must be in (0, 4], got {}",
                self.width
            ));
        }
        if self.bodies == 0 || self.num_classes == 0 {
            return Err("bodies and num_classes must be positive".into());
        }
        Ok(())
    }

    /// Multiply–accumulates of one forward pass for one window with `bodies` bodies (the
    /// linear layers; BatchNorm, masks and pooling are element-wise and left out).
    pub fn macs_per_window(&self, bodies: usize) -> u64 {
        let v = NUM_JOINTS as u64;
        let mut t = self.window as u64;
        let mut c_in = 3u64;
        let mut total = 0u64;
        for (u, (&c, &s)) in self.channels().iter().zip(&STRIDES).enumerate() {
            let c = c as u64;
            let s = s as u64;
            total += t * v * c_in * c; // spatial linear
            if c_in != c {
                total += t * v * c_in * c; // spatial residual linear
            }
            total += t * v * c * c; // temporal 1×1 conv, before the stride
            if u > 0 && (c_in != c || s != 1) {
                total += (t / s) * v * c_in * c; // strided residual linear
            }
            t /= s;
            c_in = c;
        }
        total * bodies as u64
    }
}

/// Shift-in gather indices over a flattened `V·C` axis: entry `v·C + c` reads `((v + c) mod V)·C + c`.
pub fn shift_in_index(channels: usize) -> Vec<i64> {
    let v = NUM_JOINTS;
    (0..v * channels)
        .map(|i| (((i / channels + i % channels) % v) * channels + i % channels) as i64)
        .collect()
}

/// Shift-out gather indices: entry `v·C + c` reads `((v − c) mod V)·C + c`.
pub fn shift_out_index(channels: usize) -> Vec<i64> {
    let v = NUM_JOINTS;
    (0..v * channels)
        .map(|i| {
            let (j, c) = (i / channels, i % channels);
            (((j + v * channels - c % v) % v) * channels + c) as i64
        })
        .collect()
}

/// Channel groups of the fixed temporal shift: `[0, a)` reads t−1, `[a, b)` reads t, `[b, C)` reads t+1.
pub fn temporal_groups(channels: usize) -> (usize, usize) {
    (channels / 3, 2 * channels / 3)
}

/// BatchNorm in inference form: per channel `(x − mean) / sqrt(var + eps) · gamma + beta`.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub mean: Vec<f32>,
    pub var: Vec<f32>,
}

impl BatchNorm {
    /// Identity statistics (a freshly initialised layer).
    pub fn identity(n: usize) -> BatchNorm {
        BatchNorm {
            gamma: vec![1.0; n],
            beta: vec![0.0; n],
            mean: vec![0.0; n],
            var: vec![1.0; n],
        }
    }

    /// `(scale, shift)` with `y = x · scale + shift`.
    pub fn affine(&self) -> (Vec<f32>, Vec<f32>) {
        let scale: Vec<f32> = self
            .gamma
            .iter()
            .zip(&self.var)
            .map(|(g, v)| g / (v + BN_EPS).sqrt())
            .collect();
        let shift = self
            .beta
            .iter()
            .zip(&self.mean)
            .zip(&scale)
            .map(|((b, m), s)| b - m * s)
            .collect();
        (scale, shift)
    }

    fn save(&self, t: &mut NamedTensors, p: &str) {
        let n = self.gamma.len();
        t.insert(format!("{p}.gamma"), vec![n], self.gamma.clone());
        t.insert(format!("{p}.beta"), vec![n], self.beta.clone());
        t.insert(format!("{p}.mean"), vec![n], self.mean.clone());
        t.insert(format!("{p}.var"), vec![n], self.var.clone());
    }

    fn load(t: &NamedTensors, p: &str, n: usize) -> Result<BatchNorm, String> {
        Ok(BatchNorm {
            gamma: t.take(&format!("{p}.gamma"), &[n])?,
            beta: t.take(&format!("{p}.beta"), &[n])?,
            mean: t.take(&format!("{p}.mean"), &[n])?,
            var: t.take(&format!("{p}.var"), &[n])?,
        })
    }
}

/// A linear layer `y = x · w + b`, `w` stored `[inp, out]` row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    pub inp: usize,
    pub out: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

impl Linear {
    pub fn save(&self, t: &mut NamedTensors, p: &str) {
        t.insert(format!("{p}.w"), vec![self.inp, self.out], self.w.clone());
        t.insert(format!("{p}.b"), vec![self.out], self.b.clone());
    }

    pub fn load(t: &NamedTensors, p: &str, inp: usize, out: usize) -> Result<Linear, String> {
        Ok(Linear {
            inp,
            out,
            w: t.take(&format!("{p}.w"), &[inp, out])?,
            b: t.take(&format!("{p}.b"), &[out])?,
        })
    }
}

/// Spatial shift block weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Spatial {
    /// `[V·C_in]`, used as `tanh(mask) + 1`.
    pub mask: Vec<f32>,
    pub linear: Linear,
    /// Over `V·C_out`.
    pub bn: BatchNorm,
    /// When C_in ≠ C_out.
    pub down: Option<(Linear, BatchNorm)>,
}

/// Temporal shift block weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Temporal {
    pub bn_in: BatchNorm,
    pub conv: Linear,
    pub bn_out: BatchNorm,
    pub stride: usize,
}

/// The residual path of a unit.
#[derive(Clone, Debug, PartialEq)]
pub enum Residual {
    None,
    Identity,
    /// Every `stride`-th frame → linear → BN.
    Project {
        linear: Linear,
        bn: BatchNorm,
        stride: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub spatial: Spatial,
    pub temporal: Temporal,
    pub residual: Residual,
}

/// All weights of the encoder (and its pre-training classifier).
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftGcnWeights {
    pub config: ShiftGcnConfig,
    /// Over `M·V·C` channels, ordered (m, v, c).
    pub data_bn: BatchNorm,
    pub units: Vec<Unit>,
    pub classifier: Linear,
}

impl ShiftGcnWeights {
    pub fn to_tensors(&self) -> NamedTensors {
        let mut t = NamedTensors::default();
        self.data_bn.save(&mut t, "data_bn");
        for (i, u) in self.units.iter().enumerate() {
            let p = format!("units.{i}");
            t.insert(
                format!("{p}.spatial.mask"),
                vec![u.spatial.mask.len()],
                u.spatial.mask.clone(),
            );
            u.spatial
                .linear
                .save(&mut t, &format!("{p}.spatial.linear"));
            u.spatial.bn.save(&mut t, &format!("{p}.spatial.bn"));
            if let Some((l, b)) = &u.spatial.down {
                l.save(&mut t, &format!("{p}.spatial.down"));
                b.save(&mut t, &format!("{p}.spatial.down_bn"));
            }
            u.temporal
                .bn_in
                .save(&mut t, &format!("{p}.temporal.bn_in"));
            u.temporal.conv.save(&mut t, &format!("{p}.temporal.conv"));
            u.temporal
                .bn_out
                .save(&mut t, &format!("{p}.temporal.bn_out"));
            if let Residual::Project { linear, bn, .. } = &u.residual {
                linear.save(&mut t, &format!("{p}.residual"));
                bn.save(&mut t, &format!("{p}.residual_bn"));
            }
        }
        self.classifier.save(&mut t, "classifier");
        t
    }

    pub fn from_tensors(
        config: &ShiftGcnConfig,
        t: &NamedTensors,
    ) -> Result<ShiftGcnWeights, String> {
        config.validate()?;
        let v = NUM_JOINTS;
        let data_bn = BatchNorm::load(t, "data_bn", config.bodies * v * 3)?;
        let mut units = Vec::new();
        let mut c_in = 3;
        for (i, (&c, &s)) in config.channels().iter().zip(&STRIDES).enumerate() {
            let p = format!("units.{i}");
            let down = if c_in != c {
                Some((
                    Linear::load(t, &format!("{p}.spatial.down"), c_in, c)?,
                    BatchNorm::load(t, &format!("{p}.spatial.down_bn"), c)?,
                ))
            } else {
                None
            };
            let spatial = Spatial {
                mask: t.take(&format!("{p}.spatial.mask"), &[v * c_in])?,
                linear: Linear::load(t, &format!("{p}.spatial.linear"), c_in, c)?,
                bn: BatchNorm::load(t, &format!("{p}.spatial.bn"), v * c)?,
                down,
            };
            let temporal = Temporal {
                bn_in: BatchNorm::load(t, &format!("{p}.temporal.bn_in"), c)?,
                conv: Linear::load(t, &format!("{p}.temporal.conv"), c, c)?,
                bn_out: BatchNorm::load(t, &format!("{p}.temporal.bn_out"), c)?,
                stride: s,
            };
            let residual = if i == 0 {
                Residual::None
            } else if c_in == c && s == 1 {
                Residual::Identity
            } else {
                Residual::Project {
                    linear: Linear::load(t, &format!("{p}.residual"), c_in, c)?,
                    bn: BatchNorm::load(t, &format!("{p}.residual_bn"), c)?,
                    stride: s,
                }
            };
            units.push(Unit {
                spatial,
                temporal,
                residual,
            });
            c_in = c;
        }
        let classifier = Linear::load(t, "classifier", c_in, config.num_classes)?;
        Ok(ShiftGcnWeights {
            config: config.clone(),
            data_bn,
            units,
            classifier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_are_permutations_and_inverse_of_each_other() {
        for c in [3usize, 8, 64] {
            let a = shift_in_index(c);
            let b = shift_out_index(c);
            let mut seen = vec![false; a.len()];
            for &i in &a {
                assert!(!seen[i as usize]);
                seen[i as usize] = true;
            }
            // out(in(x)) = x: composing the two gathers gives the identity.
            for i in 0..a.len() {
                assert_eq!(a[b[i] as usize] as usize, i);
            }
        }
        // Channel 1 of joint 0 reads joint 1.
        assert_eq!(shift_in_index(4)[1], 4 + 1);
    }

    #[test]
    fn the_normalisation_options_travel_in_the_config_and_old_configs_read_as_window_centred() {
        let old = r#"{"width":0.25,"window":32,"bodies":2,"num_classes":35}"#;
        let c: ShiftGcnConfig = serde_json::from_str(old).unwrap();
        assert_eq!(c.input(), NormalizeOptions::DEFAULT);
        // The defaults are not written, so older readers and older files agree.
        assert_eq!(serde_json::to_string(&c).unwrap(), old);
        let framed = ShiftGcnConfig {
            centring: Centring::Frame,
            body_scale: true,
            ..c
        };
        let text = serde_json::to_string(&framed).unwrap();
        assert!(text.contains(r#""centring":"frame""#), "{text}");
        let back: ShiftGcnConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back.input(),
            NormalizeOptions {
                body_scale: true,
                centring: Centring::Frame
            }
        );
    }

    #[test]
    fn flops_match_the_design_estimate() {
        let c = ShiftGcnConfig {
            sensor_window: None,
            body_scale: false,
            centring: Centring::Window,
            width: 1.0,
            window: 64,
            bodies: 2,
            num_classes: 35,
        };
        let g = c.macs_per_window(1) as f64 / 1e9;
        assert!((0.3..0.45).contains(&g), "{g} GMAC");
        assert_eq!(c.macs_per_window(2), 2 * c.macs_per_window(1));
        assert_eq!(c.feature_dim(), 256);
        assert!(ShiftGcnConfig { window: 30, ..c }.validate().is_err());
    }
}
