//! The Kinect-like sensor noise of the generator, also applied to other clean sources (motion
//! capture, `crate::mocap`): per-joint Gaussian jitter (about 1 cm on the body, more on hands
//! and feet) and, on the distal joints, short bursts of a constant offset during which the joint
//! is reported as inferred (tracking state 1), as a depth sensor does when a hand or foot is
//! occluded or moves fast.
//!
//! The random draws, and their order, are part of the generator's output: `synth::generate`
//! calls [`SensorNoise::joint`] for each joint of each body in index order, once per frame.
//!
//! Two models. [`NoiseModel::Uniform`] is the generator's first one (white jitter of 7–18 mm,
//! rare 4–12-frame bursts on distal joints). [`NoiseModel::Measured`] follows what
//! `scripts/sensor_stats.py` measured on real Kinect v2 recordings (`docs/synthetic.md`): under
//! a millimetre of white jitter on the body, a slow per-joint drift (the bone-length
//! fluctuation), fast AR(1) jitter on wrists, hands, tips and thumbs, depth noisier than x and
//! y, and frequent short inferred bursts on the arms, mostly with a small displacement.

use crate::rng::Rng;
use crate::skeleton::{Joint, Joints, NUM_JOINTS};

/// Per-joint noise (metres): about 1 cm on the body, more on hands, hand tips, thumbs and feet.
pub fn noise_sigma(v: usize) -> f32 {
    use Joint::*;
    match Joint::ALL[v] {
        HandTipLeft | HandTipRight | ThumbLeft | ThumbRight => 0.018,
        HandLeft | HandRight | WristLeft | WristRight => 0.012,
        FootLeft | FootRight | AnkleLeft | AnkleRight => 0.011,
        _ => 0.007,
    }
}

/// Joints that the Kinect most often reports as inferred.
pub fn is_distal(v: usize) -> bool {
    use Joint::*;
    matches!(
        Joint::ALL[v],
        HandLeft
            | HandRight
            | HandTipLeft
            | HandTipRight
            | ThumbLeft
            | ThumbRight
            | FootLeft
            | FootRight
            | WristLeft
            | WristRight
    )
}

/// Which sensor model the generator applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum NoiseModel {
    /// White jitter of 7–18 mm and rare distal bursts (generator version 1).
    #[default]
    Uniform,
    /// The levels measured on real Kinect v2 recordings (see the module doc).
    Measured,
}

impl NoiseModel {
    pub fn is_uniform(&self) -> bool {
        *self == NoiseModel::Uniform
    }
}

/// Per joint, the measured model's parameters (metres; rates per frame).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeasuredJoint {
    /// White jitter σ.
    pub white: f32,
    /// Fast AR(1) jitter: coefficient and stationary σ (0: none).
    pub fast: (f32, f32),
    /// Slow drift (AR(1), coefficient [`SLOW_AR`]): stationary σ.
    pub slow: f32,
    /// Chance per frame that an inferred burst starts.
    pub infer_rate: f32,
    /// σ of the displacement held during a burst.
    pub step: f32,
    /// Depth (z) noise relative to x and y.
    pub depth: f32,
}

/// AR(1) coefficient of the slow drift (a time constant of about a second at 30 fps).
pub const SLOW_AR: f32 = 0.97;

/// The measured model's parameters of joint `v` (`docs/synthetic.md`, NTU clips).
pub fn measured(v: usize) -> MeasuredJoint {
    use Joint::*;
    let j = |white, fast, slow, infer_rate, step, depth| MeasuredJoint {
        white,
        fast,
        slow,
        infer_rate,
        step,
        depth,
    };
    match Joint::ALL[v] {
        SpineBase | SpineMid | SpineShoulder | Neck | Head => {
            j(0.0004, (0.0, 0.0), 0.003, 0.0, 0.0, 1.5)
        }
        ShoulderLeft | ShoulderRight | ElbowLeft | ElbowRight => {
            j(0.0006, (0.0, 0.0), 0.005, 0.022, 0.01, 1.5)
        }
        WristLeft | WristRight => j(0.001, (0.67, 0.006), 0.008, 0.04, 0.015, 1.0),
        HandLeft | HandRight => j(0.001, (0.58, 0.006), 0.010, 0.06, 0.015, 1.3),
        HandTipLeft | HandTipRight => j(0.002, (0.45, 0.009), 0.010, 0.017, 0.06, 1.3),
        ThumbLeft | ThumbRight => j(0.002, (0.26, 0.010), 0.010, 0.022, 0.06, 1.1),
        HipLeft | HipRight | KneeLeft | KneeRight => j(0.0006, (0.0, 0.0), 0.004, 0.002, 0.01, 1.5),
        AnkleLeft | AnkleRight => j(0.0015, (0.0, 0.0), 0.005, 0.012, 0.02, 1.5),
        FootLeft | FootRight => j(0.003, (0.0, 0.0), 0.008, 0.005, 0.05, 2.5),
    }
}

/// The noise state of one tracked body: the inferred-joint bursts under way (frames left and
/// the burst's offset, per joint), and the measured model's drift and fast jitter.
#[derive(Clone, Debug, PartialEq)]
pub struct SensorNoise {
    model: NoiseModel,
    bursts: [(usize, [f32; 3]); NUM_JOINTS],
    slow: [[f32; 3]; NUM_JOINTS],
    fast: [[f32; 3]; NUM_JOINTS],
    started: bool,
}

impl Default for SensorNoise {
    fn default() -> Self {
        SensorNoise::new()
    }
}

impl SensorNoise {
    /// A body with no burst under way, under the generator's first model.
    pub fn new() -> SensorNoise {
        SensorNoise::with_model(NoiseModel::Uniform)
    }

    /// A body with no burst under way, under `model`.
    pub fn with_model(model: NoiseModel) -> SensorNoise {
        SensorNoise {
            model,
            bursts: [(0, [0.0; 3]); NUM_JOINTS],
            slow: [[0.0; 3]; NUM_JOINTS],
            fast: [[0.0; 3]; NUM_JOINTS],
            started: false,
        }
    }

    /// The measured model's step for joint `v` (see [`measured`]).
    fn measured_joint(&mut self, rng: &mut Rng, v: usize, position: &mut [f32; 3]) -> bool {
        let m = measured(v);
        if !self.started {
            // Start the AR(1) states in their stationary distribution.
            for k in 0..3 {
                self.slow[v][k] = m.slow * rng.normal();
                self.fast[v][k] = m.fast.1 * rng.normal();
            }
        }
        let burst = &mut self.bursts[v];
        if burst.0 == 0 && m.infer_rate > 0.0 && rng.chance(m.infer_rate) {
            // Mostly one or two frames (geometric, median 2), sometimes 5–20.
            let len = if rng.chance(0.8) {
                let mut n = 1;
                while n < 8 && rng.chance(0.45) {
                    n += 1;
                }
                n
            } else {
                5 + rng.below(16)
            };
            *burst = (len, std::array::from_fn(|_| m.step * rng.normal()));
        }
        let slow_innov = m.slow * (1.0 - SLOW_AR * SLOW_AR).sqrt();
        let (a, fs) = m.fast;
        let fast_innov = fs * (1.0 - a * a).sqrt();
        for (k, p) in position.iter_mut().enumerate() {
            let (slow, fast) = (&mut self.slow[v][k], &mut self.fast[v][k]);
            *slow = SLOW_AR * *slow + slow_innov * rng.normal();
            *fast = a * *fast + fast_innov * rng.normal();
            let scale = if k == 2 { m.depth } else { 1.0 };
            *p += scale * (*slow + *fast + m.white * rng.normal());
        }
        if v == NUM_JOINTS - 1 {
            self.started = true;
        }
        if burst.0 > 0 {
            burst.0 -= 1;
            for (x, d) in position.iter_mut().zip(burst.1) {
                *x += d;
            }
            return true;
        }
        false
    }

    /// Adds one frame's noise to joint `v` (0-based, [`Joint`] order) at `position`. A distal
    /// joint starts a burst of 4–12 frames with probability 0.004 per frame (an offset of
    /// σ = 4 cm per axis). Returns true while the joint is in a burst (report it as inferred).
    pub fn joint(&mut self, rng: &mut Rng, v: usize, position: &mut [f32; 3]) -> bool {
        if self.model == NoiseModel::Measured {
            return self.measured_joint(rng, v, position);
        }
        let sigma = noise_sigma(v);
        let burst = &mut self.bursts[v];
        if burst.0 == 0 && is_distal(v) && rng.chance(0.004) {
            *burst = (
                4 + rng.below(9),
                [
                    0.04 * rng.normal(),
                    0.04 * rng.normal(),
                    0.04 * rng.normal(),
                ],
            );
        }
        for x in position.iter_mut() {
            *x += sigma * rng.normal();
        }
        if burst.0 > 0 {
            burst.0 -= 1;
            for (x, d) in position.iter_mut().zip(burst.1) {
                *x += d;
            }
            return true;
        }
        false
    }

    /// One frame of one body: every joint in index order; a joint in a burst gets tracking
    /// state 1 in `tracking`, the others keep theirs.
    pub fn frame(&mut self, rng: &mut Rng, joints: &mut Joints, tracking: &mut [u8]) {
        for (v, p) in joints.iter_mut().enumerate() {
            if self.joint(rng, v, p)
                && let Some(t) = tracking.get_mut(v)
            {
                *t = 1;
            }
        }
    }
}
