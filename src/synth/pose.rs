//! A body pose as a vector of joint angles (degrees) and root offsets (metres), and keyframe
//! scripts that interpolate smoothly between poses.
//!
//! Conventions, in the body's own frame (x to the person's left, y up, z forward):
//! - arm `elevation`: 0° hanging down, 90° horizontal, 180° straight up;
//! - arm `azimuth`: 0° out to the side, 90° straight ahead, above 90° across the body;
//! - `elbow`: flexion, 0° straight; `roll`: turns the elbow's bending direction from forward
//!   (0°) towards the body's midline (+90°);
//! - leg `flex`: hip flexion, + thigh forward; `abduct`: + thigh outwards; `knee`: flexion;
//! - trunk `pitch` + bends forward, `roll` + leans to the left, `twist` + turns the shoulders left;
//! - whole-body `tilt` pitches (+ forward) or rolls (+ left) the entire body about the pelvis;
//! - `root` moves the pelvis over the floor, `lift` raises the body off the floor (jumps).

/// Number of pose parameters.
pub const P: usize = 25;

pub const ROOT_X: usize = 0;
pub const ROOT_Z: usize = 1;
pub const LIFT: usize = 2;
pub const YAW: usize = 3;
pub const TILT_PITCH: usize = 4;
pub const TILT_ROLL: usize = 5;
pub const TRUNK_PITCH: usize = 6;
pub const TRUNK_ROLL: usize = 7;
pub const TRUNK_TWIST: usize = 8;
pub const HEAD_PITCH: usize = 9;
pub const HEAD_YAW: usize = 10;
/// First index of the left arm's four parameters; the right arm's follow.
pub const ARMS: usize = 11;
/// First index of the left leg's three parameters; the right leg's follow.
pub const LEGS: usize = 19;

/// Which side of the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left = 0,
    Right = 1,
}

impl Side {
    /// +1 for left (the +x side of the body frame), −1 for right.
    pub fn sign(self) -> f32 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }
}

/// One pose.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose(pub [f32; P]);

impl Pose {
    /// Standing relaxed: arms hanging slightly away from the body, elbows and knees soft.
    pub fn neutral() -> Pose {
        let mut p = [0.0; P];
        for s in 0..2 {
            p[ARMS + 4 * s] = 8.0;
            p[ARMS + 4 * s + 2] = 12.0;
            p[LEGS + 3 * s + 1] = 4.0;
            p[LEGS + 3 * s + 2] = 3.0;
        }
        Pose(p)
    }

    pub fn arm(mut self, side: Side, elevation: f32, azimuth: f32, elbow: f32) -> Pose {
        let i = ARMS + 4 * side as usize;
        self.0[i] = elevation;
        self.0[i + 1] = azimuth;
        self.0[i + 2] = elbow;
        self
    }

    pub fn roll(mut self, side: Side, roll: f32) -> Pose {
        self.0[ARMS + 4 * side as usize + 3] = roll;
        self
    }

    /// The same arm pose on both sides.
    pub fn arms(self, elevation: f32, azimuth: f32, elbow: f32, roll: f32) -> Pose {
        self.arm(Side::Left, elevation, azimuth, elbow)
            .arm(Side::Right, elevation, azimuth, elbow)
            .roll(Side::Left, roll)
            .roll(Side::Right, roll)
    }

    pub fn leg(mut self, side: Side, flex: f32, abduct: f32, knee: f32) -> Pose {
        let i = LEGS + 3 * side as usize;
        self.0[i] = flex;
        self.0[i + 1] = abduct;
        self.0[i + 2] = knee;
        self
    }

    pub fn trunk(mut self, pitch: f32, roll: f32, twist: f32) -> Pose {
        self.0[TRUNK_PITCH] = pitch;
        self.0[TRUNK_ROLL] = roll;
        self.0[TRUNK_TWIST] = twist;
        self
    }

    pub fn head(mut self, pitch: f32, yaw: f32) -> Pose {
        self.0[HEAD_PITCH] = pitch;
        self.0[HEAD_YAW] = yaw;
        self
    }

    pub fn root(mut self, x: f32, z: f32) -> Pose {
        self.0[ROOT_X] = x;
        self.0[ROOT_Z] = z;
        self
    }

    pub fn lift(mut self, y: f32) -> Pose {
        self.0[LIFT] = y;
        self
    }

    pub fn yaw(mut self, deg: f32) -> Pose {
        self.0[YAW] = deg;
        self
    }

    pub fn tilt(mut self, pitch: f32, roll: f32) -> Pose {
        self.0[TILT_PITCH] = pitch;
        self.0[TILT_ROLL] = roll;
        self
    }

    /// The left–right mirror image (the same action done with the other hand or foot).
    pub fn mirrored(self) -> Pose {
        let mut p = self.0;
        for k in 0..4 {
            p.swap(ARMS + k, ARMS + 4 + k);
        }
        for k in 0..3 {
            p.swap(LEGS + k, LEGS + 3 + k);
        }
        for i in [ROOT_X, YAW, TILT_ROLL, TRUNK_ROLL, TRUNK_TWIST, HEAD_YAW] {
            p[i] = -p[i];
        }
        Pose(p)
    }

    /// Scales every parameter's distance from the neutral pose by `amp`.
    pub fn amplified(self, amp: f32) -> Pose {
        let n = Pose::neutral().0;
        let mut p = self.0;
        for (x, n) in p.iter_mut().zip(n) {
            *x = n + (*x - n) * amp;
        }
        Pose(p)
    }
}

/// A motion: poses at times (seconds at normal speed), interpolated with Catmull–Rom splines.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub keys: Vec<(f32, Pose)>,
}

impl Script {
    pub fn new() -> Script {
        Script { keys: Vec::new() }
    }

    /// Adds a key at `t` seconds; keys must be added in time order.
    pub fn key(mut self, t: f32, pose: Pose) -> Script {
        debug_assert!(
            self.keys.last().is_none_or(|(last, _)| *last < t),
            "keys in time order"
        );
        self.keys.push((t, pose));
        self
    }

    /// Adds keys alternating between `a` and `b` every `half_period` seconds, `cycles` times,
    /// starting after the last key.
    pub fn oscillate(mut self, a: Pose, b: Pose, half_period: f32, cycles: usize) -> Script {
        let mut t = self.duration();
        for _ in 0..cycles {
            t += half_period;
            self.keys.push((t, a));
            t += half_period;
            self.keys.push((t, b));
        }
        self
    }

    /// Time of the last key.
    pub fn duration(&self) -> f32 {
        self.keys.last().map_or(0.0, |k| k.0)
    }

    /// The pose at time `t` (clamped to the script).
    pub fn sample(&self, t: f32) -> Pose {
        let k = &self.keys;
        match k.len() {
            0 => return Pose::neutral(),
            1 => return k[0].1,
            _ => {}
        }
        if t <= k[0].0 {
            return k[0].1;
        }
        if t >= k[k.len() - 1].0 {
            return k[k.len() - 1].1;
        }
        let i = k
            .windows(2)
            .position(|w| t >= w[0].0 && t < w[1].0)
            .unwrap_or(0);
        let u = (t - k[i].0) / (k[i + 1].0 - k[i].0);
        let p0 = k[i.saturating_sub(1)].1.0;
        let p1 = k[i].1.0;
        let p2 = k[i + 1].1.0;
        let p3 = k[(i + 2).min(k.len() - 1)].1.0;
        let (u2, u3) = (u * u, u * u * u);
        let mut out = [0.0; P];
        for j in 0..P {
            out[j] = 0.5
                * ((2.0 * p1[j])
                    + (-p0[j] + p2[j]) * u
                    + (2.0 * p0[j] - 5.0 * p1[j] + 4.0 * p2[j] - p3[j]) * u2
                    + (-p0[j] + 3.0 * p1[j] - 3.0 * p2[j] + p3[j]) * u3);
        }
        Pose(out)
    }
}

impl Default for Script {
    fn default() -> Script {
        Script::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_passes_through_keys_and_mirroring_is_an_involution() {
        let a = Pose::neutral();
        let b = Pose::neutral()
            .arm(Side::Right, 90.0, 0.0, 5.0)
            .trunk(10.0, 5.0, -3.0);
        let s = Script::new().key(0.0, a).key(1.0, b).key(2.0, a);
        assert_eq!(s.sample(1.0), b);
        assert_eq!(s.sample(-1.0), a);
        assert_eq!(s.sample(5.0), a);
        let mid = s.sample(0.5).0[ARMS + 4];
        assert!(mid > 8.0 && mid < 90.0);
        assert_eq!(b.mirrored().mirrored(), b);
        assert_eq!(b.mirrored().0[ARMS], 90.0);
        assert_eq!(b.amplified(1.0), b);
    }
}
