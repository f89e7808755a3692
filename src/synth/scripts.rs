//! The motion scripts of the synthetic catalogue: one function per `motion` name, returning the
//! keyframes of each body taking part (one, or two for interactions).
//!
//! Scripts are written for the right hand or foot; [`Motion::mirrorable`] says whether the
//! generator may mirror a sample to the other side.

use super::pose::{Pose, Script, Side};
use Side::{Left as L, Right as R};

/// A scripted action.
#[derive(Clone, Debug)]
pub struct Motion {
    /// One script per body.
    pub bodies: Vec<Script>,
    /// Whether the action may be performed with either hand/foot (left-handed samples).
    pub mirrorable: bool,
    /// Initial distance between two performers (metres), for interactions.
    pub pair_distance: f32,
    /// Whether the action is defined by a contact (hands together, hand on the head, …): its
    /// amplitude then varies by ±5 % instead of ±20 %, so the contact still happens.
    pub contact: bool,
}

/// The script of a performer standing at rest, in no catalogue class.
pub const STAND_STILL: &str = "stand_still";

fn n() -> Pose {
    Pose::neutral()
}

fn one(script: Script, mirrorable: bool) -> Motion {
    Motion {
        bodies: vec![script],
        mirrorable,
        pair_distance: 0.0,
        contact: false,
    }
}

/// A one-body action defined by a contact.
fn touching(script: Script, mirrorable: bool) -> Motion {
    Motion {
        contact: true,
        ..one(script, mirrorable)
    }
}

/// Walking in place of the legs and arms for `steps` steps of `step_time` seconds, advancing
/// the root by `stride` metres per step along z (negative: backwards), starting from `from`.
fn walk(mut s: Script, from: Pose, steps: usize, step_time: f32, stride: f32) -> Script {
    let mut t = s.duration();
    let z0 = from.0[super::pose::ROOT_Z];
    for k in 0..steps {
        let (fwd, back) = if k % 2 == 0 { (L, R) } else { (R, L) };
        let z = z0 + stride * (k as f32 + 1.0);
        let mid = from
            .leg(fwd, 28.0, 4.0, 25.0)
            .leg(back, -12.0, 4.0, 10.0)
            .arm(fwd, 15.0, -30.0, 15.0)
            .arm(back, 15.0, 40.0, 25.0)
            .root(from.0[super::pose::ROOT_X], z - 0.5 * stride);
        t += step_time * 0.5;
        s = s.key(t, mid);
        t += step_time * 0.5;
        s = s.key(t, from.root(from.0[super::pose::ROOT_X], z));
    }
    s
}

/// The script of a motion name, or `None` for an unknown name.
pub fn motion(name: &str) -> Option<Motion> {
    let m = match name {
        "drink_water" => {
            let lift = n().arm(R, 35.0, 80.0, 90.0);
            let sip = n().arm(R, 40.0, 75.0, 145.0).roll(R, 10.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, lift)
                    .key(1.1, sip.head(-10.0, 0.0))
                    .key(1.8, sip.head(-20.0, 0.0))
                    .key(2.4, lift)
                    .key(3.0, n()),
                true,
            )
        }
        "eat_snack" => {
            let low = n().arm(R, 30.0, 80.0, 70.0);
            let mouth = n().arm(R, 40.0, 75.0, 140.0).roll(R, 15.0).head(5.0, 0.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.4, low)
                    .oscillate(mouth, low, 0.35, 3)
                    .key(2.9, n()),
                true,
            )
        }
        "brush_teeth" => {
            let a = n().arm(R, 50.0, 60.0, 140.0).roll(R, 20.0);
            let b = n().arm(R, 45.0, 80.0, 140.0).roll(R, 35.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, a)
                    .oscillate(b, a, 0.13, 8)
                    .key(3.2, n()),
                true,
            )
        }
        "brush_hair" => {
            let front = n().arm(R, 140.0, 40.0, 115.0).roll(R, 40.0);
            let back = n().arm(R, 150.0, 0.0, 135.0).roll(R, 50.0).head(8.0, 0.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, front)
                    .oscillate(back, front, 0.3, 4)
                    .key(3.6, n()),
                true,
            )
        }
        "pickup" => {
            let down = n()
                .trunk(65.0, 0.0, 0.0)
                .leg(L, 30.0, 6.0, 45.0)
                .leg(R, 30.0, 6.0, 45.0)
                .arm(R, 75.0, 90.0, 10.0)
                .head(10.0, 0.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(1.0, down)
                    .key(1.4, down.arm(R, 70.0, 90.0, 30.0))
                    .key(2.4, n()),
                true,
            )
        }
        "throw" => {
            let wind = n()
                .arm(R, 120.0, -40.0, 90.0)
                .trunk(-5.0, 0.0, -25.0)
                .leg(L, 15.0, 6.0, 10.0)
                .arm(L, 40.0, 60.0, 20.0);
            let release = n()
                .arm(R, 100.0, 90.0, 10.0)
                .trunk(15.0, 0.0, 20.0)
                .leg(L, 20.0, 6.0, 15.0)
                .arm(L, 20.0, -20.0, 20.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.8, wind)
                    .key(1.1, release)
                    .key(1.5, release.arm(R, 50.0, 90.0, 20.0))
                    .key(2.3, n()),
                true,
            )
        }
        "sit_down" => {
            let mid = n()
                .trunk(35.0, 0.0, 0.0)
                .leg(L, 60.0, 8.0, 70.0)
                .leg(R, 60.0, 8.0, 70.0)
                .arm(L, 25.0, 80.0, 30.0)
                .arm(R, 25.0, 80.0, 30.0)
                .root(0.0, -0.1);
            let seated = seated();
            one(
                Script::new()
                    .key(0.0, n())
                    .key(1.0, mid)
                    .key(1.8, seated)
                    .key(2.8, seated),
                false,
            )
        }
        "stand_up" => {
            let seated = seated();
            let lean = seated
                .trunk(40.0, 0.0, 0.0)
                .arm(L, 30.0, 80.0, 30.0)
                .arm(R, 30.0, 80.0, 30.0);
            let mid = n()
                .trunk(25.0, 0.0, 0.0)
                .leg(L, 50.0, 8.0, 55.0)
                .leg(R, 50.0, 8.0, 55.0)
                .root(0.0, -0.1);
            one(
                Script::new()
                    .key(0.0, seated)
                    .key(0.6, seated)
                    .key(1.2, lean)
                    .key(1.9, mid)
                    .key(2.8, n()),
                false,
            )
        }
        "clapping" => {
            let apart = n().arms(45.0, 52.0, 75.0, 30.0);
            let together = n().arms(45.0, 72.0, 85.0, 60.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.5, apart)
                    .oscillate(together, apart, 0.2, 6)
                    .key(3.3, n()),
                false,
            )
        }
        "cheer_up" => {
            let up = n().arms(160.0, 20.0, 25.0, 0.0).head(-10.0, 0.0);
            let high = n().arms(175.0, 20.0, 5.0, 0.0).head(-15.0, 0.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.5, up)
                    .oscillate(high, up, 0.25, 3)
                    .key(2.6, n()),
                false,
            )
        }
        "hand_waving" => {
            let up = n().arm(R, 100.0, 15.0, 85.0).roll(R, -40.0);
            let other = n().arm(R, 100.0, 15.0, 85.0).roll(R, 10.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, up)
                    .oscillate(other, up, 0.25, 4)
                    .key(3.0, n()),
                true,
            )
        }
        "kick_something" => {
            let back = n()
                .leg(R, -20.0, 4.0, 60.0)
                .arm(L, 25.0, 60.0, 20.0)
                .arm(R, 25.0, -20.0, 20.0);
            let kick = n()
                .leg(R, 70.0, 4.0, 5.0)
                .trunk(-10.0, 0.0, 0.0)
                .arm(L, 35.0, 30.0, 20.0)
                .arm(R, 30.0, -30.0, 20.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, back)
                    .key(0.85, kick)
                    .key(1.2, n().leg(R, 20.0, 4.0, 35.0))
                    .key(1.8, n()),
                true,
            )
        }
        "hopping" => {
            let stand = n()
                .leg(L, 45.0, 5.0, 85.0)
                .arm(L, 30.0, 20.0, 40.0)
                .arm(R, 30.0, 20.0, 40.0);
            let up = stand.lift(0.13).leg(R, 5.0, 4.0, 5.0);
            let down = stand.leg(R, 15.0, 4.0, 25.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.5, down)
                    .oscillate(up, down, 0.22, 5)
                    .key(3.0, n()),
                true,
            )
        }
        "jump_up" => {
            let crouch = n()
                .leg(L, 40.0, 5.0, 60.0)
                .leg(R, 40.0, 5.0, 60.0)
                .trunk(25.0, 0.0, 0.0)
                .arms(25.0, -40.0, 20.0, 0.0);
            let push = n().lift(0.05).arms(140.0, 60.0, 15.0, 0.0);
            let apex = n()
                .lift(0.32)
                .arms(160.0, 60.0, 15.0, 0.0)
                .leg(L, 10.0, 5.0, 20.0)
                .leg(R, 10.0, 5.0, 20.0);
            let land = crouch.lift(0.0).arms(40.0, 60.0, 30.0, 0.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, crouch)
                    .key(0.85, push)
                    .key(1.05, apex)
                    .key(1.25, push)
                    .key(1.45, land)
                    .key(2.2, n()),
                false,
            )
        }
        "pointing" => {
            let point = n().arm(R, 90.0, 75.0, 5.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, point)
                    .key(2.2, point.arm(R, 88.0, 78.0, 5.0))
                    .key(3.0, n()),
                true,
            )
        }
        "check_time" => {
            let look = n()
                .arm(L, 45.0, 90.0, 105.0)
                .roll(L, 65.0)
                .head(30.0, -10.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, look)
                    .key(2.2, look.head(35.0, -12.0))
                    .key(2.9, n()),
                false,
            )
        }
        "rub_hands" => {
            let a = n().arms(30.0, 72.0, 90.0, 60.0);
            let b = n()
                .arm(L, 32.0, 76.0, 86.0)
                .arm(R, 28.0, 68.0, 94.0)
                .roll(L, 64.0)
                .roll(R, 56.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, a)
                    .oscillate(b, a, 0.15, 7)
                    .key(3.3, n()),
                false,
            )
        }
        "bow" => {
            let bow = n()
                .trunk(45.0, 0.0, 0.0)
                .head(20.0, 0.0)
                .arms(10.0, 60.0, 15.0, 0.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.8, bow)
                    .key(1.4, bow)
                    .key(2.2, n()),
                false,
            )
        }
        "salute" => {
            let salute = n().arm(R, 85.0, 15.0, 140.0).roll(R, 35.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.5, salute)
                    .key(2.0, salute)
                    .key(2.7, n()),
                false,
            )
        }
        "palms_together" => {
            let joined = n().arms(35.0, 75.0, 105.0, 65.0).head(8.0, 0.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.8, joined)
                    .key(2.2, joined.trunk(5.0, 0.0, 0.0))
                    .key(3.0, n()),
                false,
            )
        }
        "cross_hands" => {
            let cross = n()
                .arm(L, 65.0, 105.0, 65.0)
                .arm(R, 62.0, 108.0, 68.0)
                .roll(L, 45.0)
                .roll(R, 50.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, cross)
                    .key(2.2, cross)
                    .key(2.9, n()),
                false,
            )
        }
        "falling" => {
            let stagger = n()
                .tilt(-8.0, 8.0)
                .trunk(0.0, 10.0, 0.0)
                .arms(60.0, 10.0, 30.0, 0.0)
                .leg(R, 15.0, 10.0, 20.0);
            let going = n()
                .tilt(-55.0, 10.0)
                .leg(L, 20.0, 8.0, 40.0)
                .leg(R, 30.0, 8.0, 50.0)
                .arms(70.0, 40.0, 40.0, 0.0)
                .root(0.0, -0.3);
            let down = n()
                .tilt(-88.0, 5.0)
                .leg(L, 15.0, 10.0, 20.0)
                .leg(R, 20.0, 10.0, 30.0)
                .arms(40.0, 0.0, 20.0, 0.0)
                .head(15.0, 0.0)
                .root(0.0, -0.6);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(0.6, stagger)
                    .key(1.1, going)
                    .key(1.5, down)
                    .key(2.8, down),
                true,
            )
        }
        "touch_head" => {
            let hold = n()
                .arm(R, 120.0, 45.0, 130.0)
                .roll(R, 30.0)
                .head(10.0, 0.0)
                .trunk(5.0, 0.0, 0.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, hold)
                    .key(2.3, hold.head(15.0, 5.0))
                    .key(3.0, n()),
                true,
            )
        }
        "touch_chest" => {
            let hold = n()
                .arm(R, 25.0, 85.0, 120.0)
                .roll(R, 75.0)
                .trunk(15.0, 0.0, 0.0)
                .head(10.0, 0.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, hold)
                    .key(2.3, hold.trunk(20.0, 0.0, 0.0))
                    .key(3.0, n()),
                true,
            )
        }
        "touch_neck" => {
            let hold = n()
                .arm(R, 110.0, 20.0, 150.0)
                .roll(R, 45.0)
                .head(20.0, -10.0);
            let rub = hold.arm(R, 115.0, 10.0, 148.0);
            touching(
                Script::new()
                    .key(0.0, n())
                    .key(0.7, hold)
                    .oscillate(rub, hold, 0.3, 3)
                    .key(3.2, n()),
                true,
            )
        }
        "push" => {
            let ready = n()
                .arms(75.0, 90.0, 90.0, 20.0)
                .root(0.0, 0.25)
                .leg(L, 20.0, 5.0, 10.0);
            let shove = n()
                .arms(85.0, 90.0, 10.0, 10.0)
                .root(0.0, 0.35)
                .trunk(15.0, 0.0, 0.0)
                .leg(L, 25.0, 5.0, 15.0);
            let a = Script::new()
                .key(0.0, n())
                .key(0.8, ready)
                .key(1.1, shove)
                .key(1.6, shove)
                .key(2.4, n().root(0.0, 0.3));
            let hit = n()
                .trunk(-15.0, 0.0, 0.0)
                .arms(45.0, 60.0, 40.0, 0.0)
                .root(0.0, -0.35)
                .leg(R, -15.0, 5.0, 10.0);
            let b = Script::new()
                .key(0.0, n())
                .key(1.05, n())
                .key(1.4, hit)
                .key(2.4, n().root(0.0, -0.45));
            Motion {
                bodies: vec![a, b],
                mirrorable: true,
                pair_distance: 1.3,
                contact: true,
            }
        }
        "hug" => {
            let wrap = n()
                .arms(80.0, 105.0, 60.0, 65.0)
                .root(0.0, 0.32)
                .trunk(8.0, 0.0, 0.0);
            let a = walk(Script::new().key(0.0, n()), n(), 2, 0.5, 0.12)
                .key(1.5, wrap)
                .key(2.6, wrap.trunk(10.0, 0.0, 5.0))
                .key(3.4, n().root(0.0, 0.3));
            Motion {
                bodies: vec![a.clone(), a],
                mirrorable: false,
                pair_distance: 1.3,
                contact: true,
            }
        }
        "handshake" => {
            // Right hands cross towards the midline (azimuth > 90°) to meet between the two.
            let reach = n().arm(R, 45.0, 112.0, 30.0).root(0.0, 0.05);
            let up = reach.arm(R, 52.0, 112.0, 28.0);
            let down = reach.arm(R, 38.0, 112.0, 32.0);
            let a = Script::new()
                .key(0.0, n())
                .key(0.8, reach)
                .oscillate(up, down, 0.18, 3)
                .key(2.6, reach)
                .key(3.2, n().root(0.0, 0.05));
            Motion {
                bodies: vec![a.clone(), a],
                mirrorable: false,
                pair_distance: 1.0,
                contact: true,
            }
        }
        "walk_towards" => {
            let a =
                walk(Script::new().key(0.0, n()), n(), 6, 0.5, 0.12).key(3.4, n().root(0.0, 0.72));
            Motion {
                bodies: vec![a.clone(), a],
                mirrorable: false,
                pair_distance: 2.4,
                contact: false,
            }
        }
        "walk_apart" => {
            let turned = n().yaw(180.0);
            let a = walk(
                Script::new().key(0.0, n()).key(0.7, turned),
                turned,
                6,
                0.5,
                -0.12,
            )
            .key(4.2, turned.root(0.0, -0.72));
            Motion {
                bodies: vec![a.clone(), a],
                mirrorable: false,
                pair_distance: 0.9,
                contact: false,
            }
        }
        "raise_left_side" => one(raise(L, 0.0, false), false),
        "raise_right_side" => one(raise(R, 0.0, false), false),
        "raise_both_side" => one(raise(L, 0.0, true), false),
        "raise_left_forward" => one(raise(L, 90.0, false), false),
        "raise_right_forward" => one(raise(R, 90.0, false), false),
        "lift_left_knee" => one(knee_lift(L), false),
        "lift_right_knee" => one(knee_lift(R), false),
        "squat" => {
            let down = n()
                .leg(L, 100.0, 12.0, 125.0)
                .leg(R, 100.0, 12.0, 125.0)
                .trunk(30.0, 0.0, 0.0)
                .arms(80.0, 90.0, 10.0, 0.0);
            one(
                Script::new()
                    .key(0.0, n())
                    .key(1.2, down)
                    .key(1.7, down)
                    .key(2.8, n()),
                false,
            )
        }
        "lean_left" => one(lean(L), false),
        "lean_right" => one(lean(R), false),
        // Not a catalogue action: the performer at rest (breathing sway only), for the
        // standing still between actions in tools and tests.
        STAND_STILL => one(Script::new().key(0.0, n()).key(4.0, n()), false),
        // `compose:MOVEMENT:SIDE:REPS`: the compositional classes.
        _ => return super::compose::motion(name),
    };
    Some(m)
}

/// Sitting on a seat: hips and knees at right angles, pelvis moved back onto the seat.
fn seated() -> Pose {
    n().trunk(8.0, 0.0, 0.0)
        .leg(L, 88.0, 8.0, 88.0)
        .leg(R, 88.0, 8.0, 88.0)
        .arm(L, 15.0, 60.0, 50.0)
        .arm(R, 15.0, 60.0, 50.0)
        .root(0.0, -0.2)
}

fn raise(side: Side, azimuth: f32, both: bool) -> Script {
    let mut up = n().arm(side, 90.0, azimuth, 5.0);
    if both {
        up = up.arm(side.other(), 90.0, azimuth, 5.0);
    }
    Script::new()
        .key(0.0, n())
        .key(1.0, up)
        .key(1.7, up)
        .key(2.7, n())
}

/// One knee raised to hip height, the arms balancing (also `compose`'s knee lifts).
pub(super) fn knee_up(side: Side) -> Pose {
    n().leg(side, 90.0, 5.0, 100.0)
        .arm(side.other(), 25.0, 60.0, 30.0)
        .arm(side, 20.0, -20.0, 20.0)
}

fn knee_lift(side: Side) -> Script {
    let up = knee_up(side);
    Script::new()
        .key(0.0, n())
        .key(0.8, up)
        .key(1.5, up)
        .key(2.3, n())
}

/// The trunk bent sideways, the other arm raised a little (also `compose`'s side leans).
pub(super) fn leaning(side: Side) -> Pose {
    n().trunk(0.0, 30.0 * side.sign(), 0.0)
        .arm(side.other(), 40.0, 0.0, 10.0)
}

fn lean(side: Side) -> Script {
    let bent = leaning(side);
    Script::new()
        .key(0.0, n())
        .key(1.0, bent)
        .key(1.6, bent)
        .key(2.6, n())
}

impl Side {
    /// The opposite side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}
