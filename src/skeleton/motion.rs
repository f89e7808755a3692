//! How much a body moves within a span of frames, in metres: the test the stream uses to tell a
//! person at rest from one doing something (`docs/protocol.md`, "Standing still").
//!
//! A body's motion is the [`MOTION_RANK`]-th largest, over its joints, of the joint's spread
//! about its mean position (the root of the summed per-axis variances, in sensor space). The
//! hand tips and thumbs are left out: on a Kinect they flick and swap while the hand is at
//! rest. Taking the third largest rather than the largest keeps a glitch of one or two joints
//! from counting as motion, yet a one-handed action still moves wrist, hand and elbow. A walk
//! counts too: the spread is taken in sensor space, before any normalisation.

use super::joints::{Joint, NUM_JOINTS};
use super::normalize::BodyTrack;

/// Which largest joint spread is the body's motion (1 = the largest).
pub const MOTION_RANK: usize = 3;

/// Whether joint `v` counts towards motion (all but the hand tips and thumbs).
pub const fn counts_for_motion(v: usize) -> bool {
    !matches!(v, 21..=24)
}

const _: () = assert!(
    Joint::HandTipLeft as usize == 21
        && Joint::ThumbLeft as usize == 22
        && Joint::HandTipRight as usize == 23
        && Joint::ThumbRight as usize == 24
);

/// The motion of `track` over its frames (metres), or `None` when it is present in fewer than
/// two frames. Allocation-free. Non-finite coordinates make the result non-finite.
pub fn motion(track: &dyn BodyTrack) -> Option<f32> {
    let mut n = 0usize;
    let mut mean = [[0.0f64; 3]; NUM_JOINTS];
    for t in 0..track.frames() {
        let Some(j) = track.joints(t) else { continue };
        n += 1;
        for (m, p) in mean.iter_mut().zip(j) {
            for (m, &p) in m.iter_mut().zip(p) {
                *m += f64::from(p);
            }
        }
    }
    if n < 2 {
        return None;
    }
    for m in mean.iter_mut().flatten() {
        *m /= n as f64;
    }
    // Two passes (mean, then squared deviations): positions are metres from the sensor and
    // the spreads millimetres, too far apart for sums of squares.
    let mut var = [0.0f64; NUM_JOINTS];
    for t in 0..track.frames() {
        let Some(j) = track.joints(t) else { continue };
        for ((v, m), p) in var.iter_mut().zip(&mean).zip(j) {
            *v += (0..3)
                .map(|c| (f64::from(p[c]) - m[c]).powi(2))
                .sum::<f64>();
        }
    }
    let mut top = [f64::NEG_INFINITY; MOTION_RANK];
    for (v, &s) in var.iter().enumerate() {
        if !counts_for_motion(v) {
            continue;
        }
        let s = if s.is_nan() { f64::INFINITY } else { s };
        if let Some(k) = top.iter().position(|&x| s > x) {
            top.copy_within(k..MOTION_RANK - 1, k + 1);
            top[k] = s;
        }
    }
    Some((top[MOTION_RANK - 1] / n as f64).sqrt() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::Joints;

    fn standing() -> Joints {
        std::array::from_fn(|v| [0.1 * (v % 5) as f32, 0.08 * v as f32, 3.0])
    }

    fn track(n: usize, f: impl Fn(usize, &mut Joints)) -> Vec<Option<Joints>> {
        (0..n)
            .map(|t| {
                let mut j = standing();
                f(t, &mut j);
                Some(j)
            })
            .collect()
    }

    #[test]
    fn a_frozen_body_does_not_move_and_one_frame_is_not_enough() {
        let still = track(64, |_, _| {});
        assert_eq!(motion(&still.as_slice()), Some(0.0));
        let mut one = track(64, |_, _| {});
        one.iter_mut().skip(1).for_each(|f| *f = None);
        assert_eq!(motion(&one.as_slice()), None);
        assert_eq!(motion(&Vec::<Option<Joints>>::new().as_slice()), None);
    }

    #[test]
    fn motion_is_the_third_largest_joint_spread() {
        // Joints 0..5 oscillate along x with amplitudes 1..5 cm: a ±a square wave has spread a.
        let t = track(64, |t, j| {
            for (v, p) in j.iter_mut().take(5).enumerate() {
                let a = 0.01 * (v + 1) as f32;
                p[0] += if t % 2 == 0 { a } else { -a };
            }
        });
        let m = motion(&t.as_slice()).unwrap();
        assert!((m - 0.03).abs() < 1e-6, "{m}");
    }

    #[test]
    fn hand_tips_and_thumbs_and_two_glitching_joints_do_not_count() {
        let t = track(64, |t, j| {
            for v in [21, 22, 23, 24] {
                j[v][1] += 0.2 * (t % 2) as f32;
            }
            if t == 10 {
                j[Joint::HandLeft as usize][2] += 0.5;
                j[Joint::FootRight as usize][0] -= 0.5;
            }
        });
        assert_eq!(motion(&t.as_slice()), Some(0.0));
    }

    #[test]
    fn a_walk_and_a_waving_hand_move_absent_frames_are_skipped() {
        // Walking 1 m/s for 64 frames at 30 fps: every joint's spread ≈ 0.62 m.
        let mut walk = track(64, |t, j| {
            j.iter_mut().for_each(|p| p[2] -= t as f32 / 30.0)
        });
        let m = motion(&walk.as_slice()).unwrap();
        assert!((m - 0.6158).abs() < 1e-3, "{m}");
        walk[5] = None;
        walk[40] = None;
        assert!(motion(&walk.as_slice()).unwrap() > 0.5);
        // Elbow, wrist, hand of one arm swinging ±10 cm (a wave).
        let wave = track(64, |t, j| {
            let dx = 0.1 * (t as f32 * 0.8).sin();
            for v in [Joint::ElbowRight, Joint::WristRight, Joint::HandRight] {
                j[v as usize][0] += dx;
            }
        });
        let m = motion(&wave.as_slice()).unwrap();
        assert!(m > 0.06 && m < 0.08, "{m}");
    }

    #[test]
    fn a_non_finite_coordinate_is_not_still() {
        let t = track(8, |t, j| {
            if t == 3 {
                j.iter_mut().take(3).for_each(|p| p[0] = f32::NAN);
            }
        });
        assert!(!motion(&t.as_slice()).unwrap().is_finite());
    }
}
