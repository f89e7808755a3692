//! The Kinect-like sensor noise of the generator, also applied to other clean sources (motion
//! capture, `crate::mocap`): per-joint Gaussian jitter (about 1 cm on the body, more on hands
//! and feet) and, on the distal joints, short bursts of a constant offset during which the joint
//! is reported as inferred (tracking state 1), as a depth sensor does when a hand or foot is
//! occluded or moves fast.
//!
//! The random draws, and their order, are part of the generator's output: `synth::generate`
//! calls [`SensorNoise::joint`] for each joint of each body in index order, once per frame.

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

/// The noise state of one tracked body: the inferred-joint bursts under way (frames left and
/// the burst's offset, per joint).
#[derive(Clone, Debug, PartialEq)]
pub struct SensorNoise {
    bursts: [(usize, [f32; 3]); NUM_JOINTS],
}

impl Default for SensorNoise {
    fn default() -> Self {
        SensorNoise::new()
    }
}

impl SensorNoise {
    /// A body with no burst under way.
    pub fn new() -> SensorNoise {
        SensorNoise {
            bursts: [(0, [0.0; 3]); NUM_JOINTS],
        }
    }

    /// Adds one frame's noise to joint `v` (0-based, [`Joint`] order) at `position`. A distal
    /// joint starts a burst of 4–12 frames with probability 0.004 per frame (an offset of
    /// σ = 4 cm per axis). Returns true while the joint is in a burst (report it as inferred).
    pub fn joint(&mut self, rng: &mut Rng, v: usize, position: &mut [f32; 3]) -> bool {
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
