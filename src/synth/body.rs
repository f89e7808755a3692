//! A synthetic performer's body and its forward kinematics onto the 25 Kinect v2 joints.
//!
//! Segment lengths are fractions of standing height taken from standard anthropometric
//! proportions, each jittered per subject. Forward kinematics works in the body's own frame
//! (x to the person's left, y up, z forward) with the pelvis (SpineBase) at the origin; the
//! generator then grounds the body on the floor and places it in front of a camera.

use super::pose::{
    ARMS, HEAD_PITCH, HEAD_YAW, LEGS, P, Pose, Side, TILT_PITCH, TILT_ROLL, TRUNK_PITCH,
    TRUNK_ROLL, TRUNK_TWIST, YAW,
};
use crate::rng::Rng;
use crate::skeleton::{Joint, Joints, NUM_JOINTS};

type V3 = [f32; 3];

/// The Kinect v2 skeleton against this generator's bodies: per segment, the mean length in
/// NTU RGB+D's recordings over the mean length in generated ones (`scripts/sensor_stats.py` on
/// the development clips and on `scale synth --per-class 60 --seed 0`). Kinect v2 places its
/// joints inside the body, so its bones are shorter (the upper arm 225 against 295 mm, the
/// thigh 330 against 410, the hips 67 against 101 from SpineBase) and its SpineBase sits at the
/// hips (0.8 cm below their midpoint), not 5 cm above them. Order: lower spine, upper spine,
/// neck, head, shoulder (half-width and drop), upper arm, forearm, hand, hand tip, thumb, hip
/// half-width, hip drop, thigh, shank, foot.
pub const KINECT_FACTORS: [f32; 15] = [
    1.068, 0.834, 0.839, 0.889, 0.798, 0.763, 0.882, 0.801, 0.630, 0.687, 0.659, -0.16, 0.805,
    0.778, 0.612,
];

/// Whose segment proportions the generated performers have.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Proportions {
    /// Standard anthropometric proportions (the default; the bundled model's data).
    #[default]
    Anthropometric,
    /// Those of the Kinect v2 skeleton tracker, measured on NTU RGB+D ([`KINECT_FACTORS`]).
    Kinect,
    /// Each performer somewhere between the two (uniformly at random).
    Mixed,
}

impl Proportions {
    pub fn is_anthropometric(&self) -> bool {
        *self == Proportions::Anthropometric
    }
}

/// Segment lengths of one performer, metres.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub height: f32,
    pub lower_spine: f32,
    pub upper_spine: f32,
    pub neck: f32,
    pub head: f32,
    pub shoulder_half: f32,
    pub shoulder_drop: f32,
    pub upper_arm: f32,
    pub forearm: f32,
    pub hand: f32,
    pub hand_tip: f32,
    pub thumb: f32,
    pub hip_half: f32,
    pub hip_drop: f32,
    pub thigh: f32,
    pub shank: f32,
    pub foot: f32,
    pub ankle_height: f32,
}

impl Body {
    /// A body of the given height with average proportions.
    pub fn average(height: f32) -> Body {
        let h = height;
        Body {
            height: h,
            lower_spine: 0.145 * h,
            upper_spine: 0.140 * h,
            neck: 0.045 * h,
            head: 0.080 * h,
            shoulder_half: 0.100 * h,
            shoulder_drop: 0.025 * h,
            upper_arm: 0.170 * h,
            forearm: 0.146 * h,
            hand: 0.045 * h,
            hand_tip: 0.045 * h,
            thumb: 0.035 * h,
            hip_half: 0.050 * h,
            hip_drop: 0.030 * h,
            thigh: 0.235 * h,
            shank: 0.246 * h,
            foot: 0.090 * h,
            ankle_height: 0.039 * h,
        }
    }

    /// A random performer: height 1.50–1.95 m, every segment jittered by about 4 %.
    pub fn random(rng: &mut Rng) -> Body {
        let mut b = Body::average(rng.range(1.50, 1.95));
        let mut j = |x: &mut f32| *x *= (1.0 + 0.04 * rng.normal()).clamp(0.9, 1.1);
        for x in [
            &mut b.lower_spine,
            &mut b.upper_spine,
            &mut b.neck,
            &mut b.head,
            &mut b.shoulder_half,
            &mut b.upper_arm,
            &mut b.forearm,
            &mut b.hand,
            &mut b.hip_half,
            &mut b.thigh,
            &mut b.shank,
            &mut b.foot,
        ] {
            j(x);
        }
        b
    }

    /// The body with its segments moved `t` of the way (0: as it is, 1: all the way) to the
    /// proportions of the Kinect v2 skeleton tracker ([`KINECT_FACTORS`]).
    pub fn towards_kinect(&self, t: f32) -> Body {
        let f = |k: f32| 1.0 + t * (k - 1.0);
        let [ls, us, n, hd, sh, ua, fa, ha, ht, th, hh, hdp, tg, sk, ft] = KINECT_FACTORS;
        Body {
            lower_spine: self.lower_spine * f(ls),
            upper_spine: self.upper_spine * f(us),
            neck: self.neck * f(n),
            head: self.head * f(hd),
            shoulder_half: self.shoulder_half * f(sh),
            shoulder_drop: self.shoulder_drop * f(sh),
            upper_arm: self.upper_arm * f(ua),
            forearm: self.forearm * f(fa),
            hand: self.hand * f(ha),
            hand_tip: self.hand_tip * f(ht),
            thumb: self.thumb * f(th),
            hip_half: self.hip_half * f(hh),
            hip_drop: self.hip_drop * f(hdp),
            thigh: self.thigh * f(tg),
            shank: self.shank * f(sk),
            foot: self.foot * f(ft),
            ..self.clone()
        }
    }

    /// The same proportions at another standing height.
    pub fn scaled_to(&self, height: f32) -> Body {
        let k = height / self.height;
        Body {
            height,
            lower_spine: self.lower_spine * k,
            upper_spine: self.upper_spine * k,
            neck: self.neck * k,
            head: self.head * k,
            shoulder_half: self.shoulder_half * k,
            shoulder_drop: self.shoulder_drop * k,
            upper_arm: self.upper_arm * k,
            forearm: self.forearm * k,
            hand: self.hand * k,
            hand_tip: self.hand_tip * k,
            thumb: self.thumb * k,
            hip_half: self.hip_half * k,
            hip_drop: self.hip_drop * k,
            thigh: self.thigh * k,
            shank: self.shank * k,
            foot: self.foot * k,
            ankle_height: self.ankle_height * k,
        }
    }

    /// Joint positions of `pose`, body frame, pelvis at the origin (before grounding).
    pub fn forward_kinematics(&self, pose: &Pose) -> Joints {
        let p = &pose.0;
        let mut j: Joints = [[0.0; 3]; NUM_JOINTS];
        let set = |j: &mut Joints, joint: Joint, v: V3| j[joint.index()] = v;

        // Spine: half of the trunk bend below SpineMid, all of it above.
        let half = mul(rot_x(p[TRUNK_PITCH] * 0.5), rot_z(p[TRUNK_ROLL] * 0.5));
        let full = mul(rot_x(p[TRUNK_PITCH]), rot_z(p[TRUNK_ROLL]));
        let upper = mul(full, rot_y(p[TRUNK_TWIST]));
        let base = [0.0, 0.0, 0.0];
        let mid = add(base, apply(half, [0.0, self.lower_spine, 0.0]));
        let top = add(mid, apply(full, [0.0, self.upper_spine, 0.0]));
        let neck = add(top, apply(upper, [0.0, self.neck, 0.0]));
        let head_rot = mul(upper, mul(rot_y(p[HEAD_YAW]), rot_x(p[HEAD_PITCH])));
        let head = add(neck, apply(head_rot, [0.0, self.head, 0.0]));
        set(&mut j, Joint::SpineBase, base);
        set(&mut j, Joint::SpineMid, mid);
        set(&mut j, Joint::SpineShoulder, top);
        set(&mut j, Joint::Neck, neck);
        set(&mut j, Joint::Head, head);

        for side in [Side::Left, Side::Right] {
            let s = side.sign();
            let a = ARMS + 4 * side as usize;
            let (el, az, elbow, roll) = (
                p[a].to_radians(),
                p[a + 1].to_radians(),
                p[a + 2].to_radians(),
                p[a + 3].to_radians(),
            );
            let shoulder = add(
                top,
                apply(upper, [s * self.shoulder_half, -self.shoulder_drop, 0.0]),
            );
            let d = [s * az.cos() * el.sin(), -el.cos(), az.sin() * el.sin()];
            // The elbow bends the forearm towards `bend`: forward and up, turned inwards by `roll`.
            let reference = [-s * roll.sin(), 0.8, roll.cos()];
            let bend = normalize(sub(reference, scale(d, dot(reference, d))), [0.0, 1.0, 0.0]);
            let f = add(scale(d, elbow.cos()), scale(bend, elbow.sin()));
            let inward = normalize(sub([-s, 0.0, 0.0], scale(f, -s * f[0])), bend);
            let elbow_pos = add(shoulder, apply(upper, scale(d, self.upper_arm)));
            let wrist = add(elbow_pos, apply(upper, scale(f, self.forearm)));
            let hand = add(wrist, apply(upper, scale(f, self.hand)));
            let tip = add(hand, apply(upper, scale(f, self.hand_tip)));
            let thumb = add(
                wrist,
                apply(
                    upper,
                    scale(normalize(add(f, scale(inward, 0.9)), f), self.thumb),
                ),
            );
            let (js, je, jw, jh, jt, jth) = match side {
                Side::Left => (
                    Joint::ShoulderLeft,
                    Joint::ElbowLeft,
                    Joint::WristLeft,
                    Joint::HandLeft,
                    Joint::HandTipLeft,
                    Joint::ThumbLeft,
                ),
                Side::Right => (
                    Joint::ShoulderRight,
                    Joint::ElbowRight,
                    Joint::WristRight,
                    Joint::HandRight,
                    Joint::HandTipRight,
                    Joint::ThumbRight,
                ),
            };
            set(&mut j, js, shoulder);
            set(&mut j, je, elbow_pos);
            set(&mut j, jw, wrist);
            set(&mut j, jh, hand);
            set(&mut j, jt, tip);
            set(&mut j, jth, thumb);

            let l = LEGS + 3 * side as usize;
            let (flex, abduct, knee) = (
                p[l].to_radians(),
                p[l + 1].to_radians(),
                p[l + 2].to_radians(),
            );
            let hip = [s * self.hip_half, -self.hip_drop, 0.0];
            let thigh = [
                s * abduct.sin(),
                -abduct.cos() * flex.cos(),
                abduct.cos() * flex.sin(),
            ];
            let a2 = flex - knee;
            let shank = [
                s * abduct.sin(),
                -abduct.cos() * a2.cos(),
                abduct.cos() * a2.sin(),
            ];
            let knee_pos = add(hip, scale(thigh, self.thigh));
            let ankle = add(knee_pos, scale(shank, self.shank));
            // The foot points forward, perpendicular to the shank, and sits a little below the
            // ankle along the shank: both offsets turn with the shank, so its length is constant.
            let drop = 0.6 * self.ankle_height;
            let foot = add(
                ankle,
                [
                    0.0,
                    self.foot * a2.sin() - drop * a2.cos(),
                    self.foot * a2.cos() + drop * a2.sin(),
                ],
            );
            let (jhip, jk, ja, jf) = match side {
                Side::Left => (
                    Joint::HipLeft,
                    Joint::KneeLeft,
                    Joint::AnkleLeft,
                    Joint::FootLeft,
                ),
                Side::Right => (
                    Joint::HipRight,
                    Joint::KneeRight,
                    Joint::AnkleRight,
                    Joint::FootRight,
                ),
            };
            set(&mut j, jhip, hip);
            set(&mut j, jk, knee_pos);
            set(&mut j, ja, ankle);
            set(&mut j, jf, foot);
        }

        // Whole-body tilt about the pelvis, then the turn.
        let whole = mul(
            rot_y(p[YAW]),
            mul(rot_x(p[TILT_PITCH]), rot_z(p[TILT_ROLL])),
        );
        for v in j.iter_mut() {
            *v = apply(whole, *v);
        }
        j
    }

    /// Height of the ankle joint above the sole, for grounding.
    pub fn sole_offset(&self) -> f32 {
        self.ankle_height
    }
}

/// Row-major 3×3 matrix.
pub type M3 = [[f32; 3]; 3];

/// Rotation about x (the body's left axis): + tips y towards z (bends forward).
pub fn rot_x(deg: f32) -> M3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]]
}

/// Rotation about y (up): + turns z (forward) towards x (left).
pub fn rot_y(deg: f32) -> M3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]]
}

/// Rotation about z (forward): + tips y towards x (leans left).
pub fn rot_z(deg: f32) -> M3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]]
}

pub fn mul(a: M3, b: M3) -> M3 {
    let mut m = [[0.0; 3]; 3];
    for (r, row) in m.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[r][k] * b[k][c]).sum();
        }
    }
    m
}

pub fn apply(m: M3, v: V3) -> V3 {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn scale(a: V3, s: f32) -> V3 {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn dot(a: V3, b: V3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// `a` normalised, or `fallback` when `a` is (nearly) zero.
fn normalize(a: V3, fallback: V3) -> V3 {
    let n = dot(a, a).sqrt();
    if n < 1e-6 {
        fallback
    } else {
        scale(a, 1.0 / n)
    }
}

const _: () = assert!(P == 25);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinect_proportions_shorten_the_limbs_and_put_spine_base_at_the_hips() {
        let b = Body::average(1.70);
        assert_eq!(b.towards_kinect(0.0), b);
        let k = b.towards_kinect(1.0);
        assert!((k.upper_arm / b.upper_arm - 0.763).abs() < 1e-6);
        assert!((k.thigh / b.thigh - 0.805).abs() < 1e-6);
        // The hips come up to SpineBase (slightly above it, as in NTU RGB+D).
        assert!(k.hip_drop < 0.0 && k.hip_drop > -0.01, "{}", k.hip_drop);
        let half = b.towards_kinect(0.5);
        assert!(half.upper_arm < b.upper_arm && half.upper_arm > k.upper_arm);
        assert_eq!((k.height, k.ankle_height), (b.height, b.ankle_height));
    }

    fn dist(a: V3, b: V3) -> f32 {
        let d = sub(a, b);
        dot(d, d).sqrt()
    }

    #[test]
    fn neutral_pose_is_an_upright_person_facing_forward() {
        let b = Body::average(1.75);
        let j = b.forward_kinematics(&Pose::neutral());
        let y = |k: Joint| j[k.index()][1];
        assert!(y(Joint::Head) > y(Joint::Neck) && y(Joint::Neck) > y(Joint::SpineMid));
        assert!(y(Joint::FootLeft) < y(Joint::KneeLeft) && y(Joint::KneeLeft) < y(Joint::HipLeft));
        // Left is +x, and feet point forward (+z).
        assert!(
            j[Joint::ShoulderLeft.index()][0] > 0.1 && j[Joint::ShoulderRight.index()][0] < -0.1
        );
        assert!(j[Joint::FootLeft.index()][2] > j[Joint::AnkleLeft.index()][2]);
        // Standing height from sole to head centre is close to the body's height less half a head.
        let standing = y(Joint::Head) - (y(Joint::AnkleLeft) - b.ankle_height);
        assert!((standing - 0.93 * 1.75).abs() < 0.1, "{standing}");
    }

    #[test]
    fn bones_keep_their_length_in_any_pose() {
        let b = Body::average(1.6);
        let a = b.forward_kinematics(&Pose::neutral());
        let wild = Pose::neutral()
            .arm(Side::Left, 150.0, 60.0, 120.0)
            .roll(Side::Left, 70.0)
            .leg(Side::Right, 80.0, 20.0, 110.0)
            .trunk(40.0, -20.0, 30.0)
            .tilt(-60.0, 10.0)
            .yaw(120.0);
        let w = b.forward_kinematics(&wild);
        for (c, p) in crate::skeleton::joints::bones() {
            assert!(
                (dist(a[c], a[p]) - dist(w[c], w[p])).abs() < 1e-4,
                "bone {c}-{p}"
            );
        }
    }

    #[test]
    fn raising_an_arm_sideways_puts_the_hand_at_shoulder_height_out_to_the_side() {
        let b = Body::average(1.75);
        let j = b.forward_kinematics(&Pose::neutral().arm(Side::Right, 90.0, 0.0, 0.0));
        let (s, h) = (j[Joint::ShoulderRight.index()], j[Joint::HandRight.index()]);
        assert!(
            (s[1] - h[1]).abs() < 0.02 && h[0] < s[0] - 0.5,
            "{s:?} {h:?}"
        );
    }
}
