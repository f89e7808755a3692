//! Compositional classes: a body part, a movement and a repetition count, with a motion script
//! and text built from the same parts. They widen the catalogue past the hand-written classes
//! (`Catalog::extended`) so that unseen classes share body parts, directions and counts with
//! seen ones: "circle the left arm" is unseen, "circle the right arm" and "raise the left arm
//! overhead" are seen.
//!
//! A compositional class's `motion` names its parts: `compose:MOVEMENT:SIDE:REPS`, e.g.
//! `compose:arm_circle:left:3`; SIDE is `left`, `right`, `both` or `none`.

use super::pose::{Pose, Script, Side};
use super::scripts::{self, Motion};
use crate::catalog::{Catalog, CatalogSplit, ClassEntry};

/// Which side a movement is done with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limbs {
    Left,
    Right,
    Both,
    /// A movement of the trunk, the head or the whole body.
    None,
}

impl Limbs {
    fn parse(s: &str) -> Option<Limbs> {
        Some(match s {
            "left" => Limbs::Left,
            "right" => Limbs::Right,
            "both" => Limbs::Both,
            "none" => Limbs::None,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Limbs::Left => "left",
            Limbs::Right => "right",
            Limbs::Both => "both",
            Limbs::None => "none",
        }
    }

    fn sides(self) -> &'static [Side] {
        match self {
            Limbs::Left => &[Side::Left],
            Limbs::Right => &[Side::Right],
            Limbs::Both => &[Side::Left, Side::Right],
            Limbs::None => &[],
        }
    }

    /// "the left arm", "both arms".
    fn the(self, one: &str, two: &str) -> String {
        match self {
            Limbs::Left => format!("the left {one}"),
            Limbs::Right => format!("the right {one}"),
            Limbs::Both | Limbs::None => format!("both {two}"),
        }
    }
}

/// One movement: how it is named, described and scripted.
struct Movement {
    key: &'static str,
    /// The name, with `{arm}` ("the left arm" / "both arms"), `{leg}`, `{fist}`, `{side}`
    /// ("left" / "right") filled in.
    name: &'static str,
    /// Two descriptions, same placeholders.
    descriptions: [&'static str; 2],
    /// One cycle of keys from the neutral pose back to it: (seconds after the previous key,
    /// pose).
    cycle: fn(Limbs) -> Vec<(f32, Pose)>,
}

fn n() -> Pose {
    Pose::neutral()
}

/// `arm` on each side of `limbs`.
fn arms(mut p: Pose, limbs: Limbs, elevation: f32, azimuth: f32, elbow: f32) -> Pose {
    for &s in limbs.sides() {
        p = p.arm(s, elevation, azimuth, elbow);
    }
    p
}

fn side_of(limbs: Limbs) -> Side {
    if limbs == Limbs::Right {
        Side::Right
    } else {
        Side::Left
    }
}

fn hold(pose: Pose, rise: f32, stay: f32, fall: f32) -> Vec<(f32, Pose)> {
    vec![(rise, pose), (stay, pose), (fall, n())]
}

const MOVEMENTS: &[Movement] = &[
    Movement {
        key: "arm_overhead",
        name: "raise {arm} overhead",
        descriptions: [
            "{arm} lift up past the shoulder until pointing straight at the ceiling, then come down",
            "{arm} reach high above the head with the elbow straight, and lower again",
        ],
        cycle: |l| hold(arms(n(), l, 170.0, 30.0, 5.0), 0.8, 0.5, 0.8),
    },
    Movement {
        key: "arm_forward",
        name: "raise {arm} forward",
        descriptions: [
            "{arm} lift straight out in front to shoulder height, pause, and come down",
            "a front raise of {arm}, elbow straight, up to horizontal and back",
        ],
        cycle: |l| hold(arms(n(), l, 90.0, 90.0, 5.0), 0.8, 0.4, 0.8),
    },
    Movement {
        key: "arm_side",
        name: "raise {arm} sideways",
        descriptions: [
            "{arm} lift out to the side until horizontal, pause, and come down",
            "a sideways lateral raise of {arm}, elbow straight",
        ],
        cycle: |l| hold(arms(n(), l, 90.0, 0.0, 5.0), 0.8, 0.4, 0.8),
    },
    Movement {
        key: "arm_punch",
        name: "punch forward with {fist}",
        descriptions: [
            "{fist} pulled back at the waist shoots straight forward at shoulder height and returns",
            "a quick straight punch into the air in front, the elbow bent then fully extended",
        ],
        cycle: |l| {
            let twist = match l {
                Limbs::Left => -15.0,
                Limbs::Right => 15.0,
                _ => 0.0,
            };
            let chamber = arms(n(), l, 35.0, 90.0, 125.0);
            let hit = arms(n(), l, 88.0, 90.0, 5.0).trunk(0.0, 0.0, twist);
            vec![(0.4, chamber), (0.15, hit), (0.3, chamber), (0.4, n())]
        },
    },
    Movement {
        key: "arm_swing",
        name: "swing {arm} forward and back",
        descriptions: [
            "{arm} swing like a pendulum from the shoulder, forward to chest height and back behind the body",
            "loose straight-armed swings of {arm}, front and back",
        ],
        cycle: |l| {
            let fwd = arms(n(), l, 70.0, 90.0, 15.0);
            let back = arms(n(), l, 45.0, -90.0, 10.0);
            vec![(0.45, fwd), (0.55, back), (0.45, n())]
        },
    },
    Movement {
        key: "arm_circle",
        name: "circle {arm}",
        descriptions: [
            "{arm} turn in a full circle at the shoulder: forward, up over the head, back and down",
            "big straight-armed circles of {arm}, like a windmill",
        ],
        cycle: |l| {
            vec![
                (0.3, arms(n(), l, 90.0, 90.0, 5.0)),
                (0.3, arms(n(), l, 172.0, 60.0, 5.0)),
                (0.3, arms(n(), l, 100.0, -60.0, 5.0)),
                (0.3, arms(n(), l, 20.0, 0.0, 5.0)),
                (0.2, n()),
            ]
        },
    },
    Movement {
        key: "arm_curl",
        name: "curl {arm}",
        descriptions: [
            "the forearm of {arm} bends up at the elbow until the hand nears the shoulder, then lowers",
            "a biceps curl with {arm}, the upper arm still at the side",
        ],
        cycle: |l| hold(arms(n(), l, 20.0, 90.0, 140.0), 0.5, 0.15, 0.5),
    },
    Movement {
        key: "leg_kick",
        name: "kick forward with {leg}",
        descriptions: [
            "{leg} swings back, then kicks forward and up with the knee straightening, and returns",
            "a front kick of {leg} at knee height while standing on the other leg",
        ],
        cycle: |l| {
            let s = side_of(l);
            let back = n()
                .leg(s, -20.0, 4.0, 60.0)
                .arm(s.other(), 25.0, 60.0, 20.0);
            let kick =
                n().leg(s, 70.0, 4.0, 5.0)
                    .trunk(-10.0, 0.0, 0.0)
                    .arm(s.other(), 35.0, 30.0, 20.0);
            vec![
                (0.5, back),
                (0.25, kick),
                (0.4, n().leg(s, 20.0, 4.0, 35.0)),
                (0.5, n()),
            ]
        },
    },
    Movement {
        key: "leg_side_kick",
        name: "kick sideways with {leg}",
        descriptions: [
            "{leg} lifts with the knee bent, then kicks straight out to the side, the body tilting away",
            "a side kick of {leg}, the foot driven out sideways at hip height",
        ],
        cycle: |l| {
            let s = side_of(l);
            let roll = -8.0 * s.sign();
            let chamber = n().leg(s, 45.0, 25.0, 90.0).trunk(0.0, roll, 0.0);
            let kick = n()
                .leg(s, 15.0, 60.0, 5.0)
                .trunk(0.0, 2.0 * roll, 0.0)
                .arms(30.0, 0.0, 30.0, 0.0);
            vec![(0.45, chamber), (0.2, kick), (0.35, chamber), (0.45, n())]
        },
    },
    Movement {
        key: "leg_back_kick",
        name: "kick {leg} back towards the bottom",
        descriptions: [
            "the knee of {leg} bends sharply so the heel flicks up behind towards the bottom, then back down",
            "a butt kick with {leg}: the thigh stays down and the lower leg folds up behind",
        ],
        cycle: |l| {
            let s = side_of(l);
            vec![(0.35, n().leg(s, -10.0, 4.0, 125.0)), (0.35, n())]
        },
    },
    Movement {
        key: "leg_step_side",
        name: "step to the {side} and back",
        descriptions: [
            "the {side} foot steps out sideways, the weight shifts onto it, and it steps back in",
            "one sideways step to the {side} and a step back to the start",
        ],
        cycle: |l| {
            let s = side_of(l);
            let x = 0.3 * s.sign();
            let mid = n().leg(s, 15.0, 25.0, 25.0).root(0.4 * x, 0.0);
            let out = n()
                .leg(s, 0.0, 14.0, 5.0)
                .leg(s.other(), 0.0, 14.0, 5.0)
                .root(x, 0.0);
            vec![(0.4, mid), (0.3, out), (0.5, out), (0.4, mid), (0.3, n())]
        },
    },
    Movement {
        key: "leg_lunge",
        name: "lunge forward with {leg}",
        descriptions: [
            "{leg} takes a long step forward and the knee bends deep, then pushes back to standing",
            "a forward lunge on {leg}, the back knee bending towards the floor",
        ],
        cycle: |l| {
            let s = side_of(l);
            let mid = n().leg(s, 40.0, 4.0, 40.0).root(0.0, 0.15);
            let lunge = n()
                .leg(s, 55.0, 4.0, 80.0)
                .leg(s.other(), -20.0, 4.0, 45.0)
                .trunk(5.0, 0.0, 0.0)
                .root(0.0, 0.35);
            vec![
                (0.4, mid),
                (0.35, lunge),
                (0.5, lunge),
                (0.5, mid),
                (0.3, n()),
            ]
        },
    },
    Movement {
        key: "leg_knee",
        name: "lift {leg} knee",
        descriptions: [
            "the knee of {leg} rises up in front to hip height while the other leg stands, then lowers",
            "standing on one leg, the thigh of {leg} lifts to horizontal",
        ],
        cycle: |l| hold(scripts::knee_up(side_of(l)), 0.7, 0.4, 0.7),
    },
    Movement {
        key: "bend_forward",
        name: "bend forward",
        descriptions: [
            "the upper body bends forward at the hips to about forty degrees and straightens up",
            "a bow of the trunk forward with straight legs, arms hanging",
        ],
        cycle: |_| hold(n().trunk(40.0, 0.0, 0.0).head(15.0, 0.0), 0.9, 0.4, 0.9),
    },
    Movement {
        key: "lean_back",
        name: "lean back",
        descriptions: [
            "the upper body arches backwards, the head tipping back, then returns upright",
            "a backward bend of the trunk while the legs stay straight",
        ],
        cycle: |_| hold(n().trunk(-20.0, 0.0, 0.0).head(-15.0, 0.0), 0.9, 0.4, 0.9),
    },
    Movement {
        key: "lean_side",
        name: "lean to the {side}",
        descriptions: [
            "the upper body bends sideways to the {side} at the waist, then straightens",
            "a side bend of the trunk to the {side}, the other arm slightly raised",
        ],
        cycle: |l| hold(scripts::leaning(side_of(l)), 0.9, 0.4, 0.9),
    },
    Movement {
        key: "twist",
        name: "twist the upper body to the {side}",
        descriptions: [
            "the shoulders turn to the {side} while the hips face forward, then turn back",
            "a rotation of the trunk towards the {side}, the elbows bent and out",
        ],
        cycle: |l| {
            let s = side_of(l);
            let turned = n()
                .trunk(0.0, 0.0, 45.0 * s.sign())
                .head(0.0, 15.0 * s.sign())
                .arms(40.0, 45.0, 80.0, 0.0);
            hold(turned, 0.8, 0.4, 0.8)
        },
    },
    Movement {
        key: "shake_head",
        name: "shake head",
        descriptions: [
            "the head turns from side to side, left and right, as if saying no",
            "the head rotates left then right about the neck while the body stays still",
        ],
        cycle: |_| {
            vec![
                (0.25, n().head(0.0, 35.0)),
                (0.5, n().head(0.0, -35.0)),
                (0.25, n()),
            ]
        },
    },
    Movement {
        key: "turn_head",
        name: "turn the head to the {side}",
        descriptions: [
            "the head turns to look over the {side} shoulder, holds, and turns back",
            "the face rotates towards the {side} while the shoulders stay square",
        ],
        cycle: |l| hold(n().head(0.0, 65.0 * side_of(l).sign()), 0.6, 0.6, 0.6),
    },
    Movement {
        key: "look_up",
        name: "look up",
        descriptions: [
            "the head tips back to look up at the ceiling, holds, and comes level",
            "the chin lifts and the gaze goes upwards, the body still",
        ],
        cycle: |_| hold(n().head(-40.0, 0.0), 0.6, 0.7, 0.6),
    },
    Movement {
        key: "jumping_jacks",
        name: "jumping jacks",
        descriptions: [
            "small jumps in place where the feet spread apart and the arms swing up overhead, then back together",
            "star jumps: legs out and hands meeting above the head, then legs in and arms down",
        ],
        cycle: |_| {
            let air = n()
                .lift(0.08)
                .arms(90.0, 0.0, 5.0, 0.0)
                .leg(Side::Left, 0.0, 12.0, 5.0)
                .leg(Side::Right, 0.0, 12.0, 5.0);
            let open = n()
                .arms(165.0, 0.0, 5.0, 0.0)
                .leg(Side::Left, 0.0, 22.0, 10.0)
                .leg(Side::Right, 0.0, 22.0, 10.0);
            vec![(0.2, air), (0.2, open), (0.2, air), (0.2, n())]
        },
    },
    Movement {
        key: "run_in_place",
        name: "running on the spot",
        descriptions: [
            "jogging without moving forward: knees rise in turn and the bent arms pump",
            "running in place, alternate feet leaving the ground with quick steps",
        ],
        cycle: |_| {
            let bent = n().arms(25.0, 90.0, 85.0, 0.0);
            let step = |s: Side| {
                bent.lift(0.04)
                    .leg(s, 60.0, 4.0, 95.0)
                    .arm(s, 30.0, -60.0, 85.0)
                    .arm(s.other(), 45.0, 90.0, 85.0)
            };
            vec![
                (0.2, step(Side::Left)),
                (0.18, bent),
                (0.18, step(Side::Right)),
                (0.18, bent),
                (0.2, n()),
            ]
        },
    },
    Movement {
        key: "touch_toes",
        name: "touch the toes",
        descriptions: [
            "the body folds forward at the hips with straight legs and the hands reach down to the toes, then rises",
            "a deep forward bend, fingertips to the feet",
        ],
        cycle: |_| {
            let down = n()
                .trunk(80.0, 0.0, 0.0)
                .head(20.0, 0.0)
                .arms(85.0, 90.0, 5.0, 0.0);
            hold(down, 1.0, 0.5, 1.0)
        },
    },
    Movement {
        key: "stretch",
        name: "stretch oneself",
        descriptions: [
            "both arms reach high over the head and the back arches a little, a full-body stretch, then relax",
            "stretching upwards with the arms overhead and the head tipped back",
        ],
        cycle: |_| {
            let up = n()
                .arms(175.0, 30.0, 5.0, 0.0)
                .trunk(-12.0, 0.0, 0.0)
                .head(-15.0, 0.0);
            hold(up, 1.0, 0.8, 1.0)
        },
    },
    Movement {
        key: "cross_arms",
        name: "cross arms",
        descriptions: [
            "the forearms fold over each other in front of the chest and stay there, then drop",
            "arms crossed over the chest, each hand at the other elbow",
        ],
        cycle: |_| {
            let folded = n()
                .arm(Side::Left, 55.0, 110.0, 115.0)
                .arm(Side::Right, 50.0, 112.0, 120.0)
                .roll(Side::Left, 50.0)
                .roll(Side::Right, 55.0);
            hold(folded, 0.8, 1.0, 0.8)
        },
    },
    Movement {
        key: "shake_fist",
        name: "shake fist",
        descriptions: [
            "the right fist is raised in front of the head and shaken up and down angrily",
            "a clenched right hand held up and jerked back and forth",
        ],
        cycle: |_| {
            let up = n().arm(Side::Right, 115.0, 60.0, 95.0);
            let shake = n().arm(Side::Right, 128.0, 60.0, 75.0);
            vec![
                (0.4, up),
                (0.15, shake),
                (0.15, up),
                (0.15, shake),
                (0.4, n()),
            ]
        },
    },
    Movement {
        key: "boxing",
        name: "punch the air with both fists in turn",
        descriptions: [
            "shadow boxing: the left and right fists shoot forward one after the other from a guard",
            "alternating straight punches in front of the chest, left then right",
        ],
        cycle: |_| {
            let guard = n().arms(40.0, 90.0, 120.0, 0.0);
            let jab = |s: Side| {
                guard
                    .arm(s, 88.0, 90.0, 5.0)
                    .trunk(0.0, 0.0, -15.0 * s.sign())
            };
            vec![
                (0.35, guard),
                (0.15, jab(Side::Left)),
                (0.2, guard),
                (0.15, jab(Side::Right)),
                (0.2, guard),
                (0.35, n()),
            ]
        },
    },
];

fn movement(key: &str) -> Option<&'static Movement> {
    MOVEMENTS.iter().find(|m| m.key == key)
}

/// The script of a `compose:MOVEMENT:SIDE:REPS` motion name, or `None` when it is not one.
pub fn motion(name: &str) -> Option<Motion> {
    let mut parts = name.strip_prefix("compose:")?.split(':');
    let m = movement(parts.next()?)?;
    let limbs = Limbs::parse(parts.next()?)?;
    let reps: usize = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=5).contains(&reps) {
        return None;
    }
    let keys = (m.cycle)(limbs);
    let mut script = Script::new().key(0.0, n());
    let mut t = 0.0;
    for rep in 0..reps {
        // Repeats run a little faster than a single movement, as people do.
        let pace = if rep == 0 { 1.0 } else { 0.85 };
        for &(dt, pose) in &keys {
            t += dt * pace;
            script = script.key(t, pose);
        }
    }
    script = script.key(t + 0.3, n());
    Some(Motion {
        bodies: vec![script],
        mirrorable: false,
        pair_distance: 0.0,
        contact: false,
    })
}

/// One compositional class: (movement, side, repetitions, NTU RGB+D 120 id and name when it
/// is an NTU action).
type Spec = (&'static str, Limbs, usize, Option<(u16, &'static str)>);

/// The compositional classes of the extended catalogue, in id order.
const CLASSES: &[Spec] = {
    use Limbs::{Both as B, Left as L, None as N, Right as R};
    &[
        ("arm_overhead", L, 1, None),
        ("arm_overhead", R, 1, None),
        ("arm_overhead", B, 1, Some((95, "hands up (both hands)"))),
        ("arm_overhead", L, 3, None),
        ("arm_overhead", R, 3, None),
        ("arm_overhead", B, 3, None),
        ("arm_forward", B, 1, None),
        ("arm_forward", L, 3, None),
        ("arm_forward", R, 3, None),
        ("arm_forward", B, 3, None),
        ("arm_side", L, 3, None),
        ("arm_side", R, 3, None),
        ("arm_side", B, 3, None),
        ("arm_punch", L, 1, None),
        ("arm_punch", R, 1, None),
        ("arm_punch", B, 1, None),
        ("arm_punch", L, 3, None),
        ("arm_punch", R, 3, None),
        ("arm_punch", B, 3, None),
        ("arm_swing", L, 3, None),
        ("arm_swing", R, 3, None),
        ("arm_swing", B, 3, Some((98, "arm swings"))),
        ("arm_circle", L, 3, None),
        ("arm_circle", R, 3, None),
        ("arm_circle", B, 3, Some((97, "arm circles"))),
        ("arm_curl", L, 3, None),
        ("arm_curl", R, 3, None),
        ("arm_curl", B, 3, None),
        ("leg_kick", L, 1, None),
        ("leg_kick", R, 1, None),
        ("leg_side_kick", L, 1, None),
        ("leg_side_kick", R, 1, None),
        ("leg_side_kick", L, 3, None),
        ("leg_side_kick", R, 3, None),
        ("leg_back_kick", L, 3, None),
        ("leg_back_kick", R, 3, None),
        ("leg_step_side", L, 1, None),
        ("leg_step_side", R, 1, None),
        ("leg_lunge", L, 1, None),
        ("leg_lunge", R, 1, None),
        ("leg_knee", L, 3, None),
        ("leg_knee", R, 3, None),
        ("bend_forward", N, 1, None),
        ("bend_forward", N, 3, None),
        ("lean_back", N, 1, None),
        ("twist", L, 1, None),
        ("twist", R, 1, None),
        ("lean_side", L, 3, None),
        ("lean_side", R, 3, None),
        ("shake_head", N, 3, Some((36, "shake head"))),
        ("turn_head", L, 1, None),
        ("turn_head", R, 1, None),
        ("look_up", N, 1, None),
        ("jumping_jacks", N, 3, None),
        ("run_in_place", N, 3, Some((99, "running on the spot"))),
        ("touch_toes", N, 1, None),
        ("stretch", N, 1, Some((104, "stretch oneself"))),
        ("cross_arms", N, 1, Some((96, "cross arms"))),
        ("shake_fist", N, 2, Some((93, "shake fist"))),
        ("boxing", N, 3, None),
    ]
};

/// How many compositional classes the extended catalogue adds.
pub fn class_count() -> usize {
    CLASSES.len()
}

fn fill(template: &str, limbs: Limbs) -> String {
    let side = match limbs {
        Limbs::Right => "right",
        _ => "left",
    };
    template
        .replace("{arm}", &limbs.the("arm", "arms"))
        .replace("{leg}", &limbs.the("leg", "legs"))
        .replace("{fist}", &limbs.the("fist", "fists"))
        .replace("{side}", side)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

const COUNTS: [&str; 6] = [
    "",
    "once",
    "twice",
    "three times",
    "four times",
    "five times",
];

/// The compositional classes with ids from `first_id`: name, text and motion composed from
/// their parts ("kick sideways with the left leg three times").
pub fn classes(first_id: u32) -> Vec<ClassEntry> {
    CLASSES
        .iter()
        .enumerate()
        .map(|(i, &(key, limbs, reps, ntu))| {
            let m = movement(key).expect("every listed movement exists");
            let base = fill(m.name, limbs);
            let counted = if reps > 1 {
                format!("{base} {}", COUNTS[reps])
            } else {
                base.clone()
            };
            let name = ntu.map_or_else(|| counted.clone(), |(_, n)| n.to_string());
            let mut descriptions: Vec<String> = m
                .descriptions
                .iter()
                .map(|d| capitalised(&fill(d, limbs)))
                .collect();
            if reps > 1 {
                for d in &mut descriptions {
                    d.push_str(&format!(", {} in a row", COUNTS[reps]));
                }
                if ntu.is_some() {
                    descriptions.push(capitalised(&counted));
                }
            }
            ClassEntry {
                id: first_id + i as u32,
                name,
                ntu_id: ntu.map(|(id, _)| id),
                bodies: 1,
                motion: Some(format!("compose:{key}:{}:{reps}", limbs.word())),
                descriptions,
            }
        })
        .collect()
}

/// The compositional family of a class: its movement, so that the mirror side and other
/// repetition counts of one movement are siblings.
pub fn family(motion: &str) -> Option<&str> {
    motion.strip_prefix("compose:")?.split(':').next()
}

/// Name of the extended catalogue (`scale synth --catalog extended`).
pub const EXTENDED: &str = "extended";

/// The unseen classes of the extended catalogue's splits, in the order they are taken: the
/// unseen classes of synth-35/5, then one class of every compositional movement with
/// siblings, a second and a third of the larger ones (so at most half of a movement's
/// classes are ever unseen), the rest of synth-30/10, the single-class movements, and three
/// hand-written classes whose relatives stay seen.
fn unseen_order(catalog_classes: &[ClassEntry]) -> Vec<u32> {
    let mut order: Vec<u32> = vec![1, 7, 12, 27, 31];
    let mut families: Vec<(&str, Vec<u32>)> = Vec::new();
    for c in catalog_classes {
        if let Some(f) = c.motion.as_deref().and_then(family) {
            match families.iter_mut().find(|(k, _)| *k == f) {
                Some((_, ids)) => ids.push(c.id),
                None => families.push((f, vec![c.id])),
            }
        }
    }
    // Pass k takes the k-th pick of every family with more than max(1, 2k) members: first,
    // last, then the middle.
    for pass in 0..3 {
        for (_, ids) in &families {
            if ids.len() > 1 && ids.len() > 2 * pass {
                let pick = match pass {
                    0 => ids[0],
                    1 => ids[ids.len() - 1],
                    _ => ids[ids.len() / 2],
                };
                if !order.contains(&pick) {
                    order.push(pick);
                }
            }
        }
    }
    order.extend([9, 14, 23, 30, 36]);
    for (_, ids) in &families {
        if ids.len() == 1 {
            order.push(ids[0]);
        }
    }
    order.extend([2, 16, 38]);
    order
}

/// The extended catalogue's JSON text: the bundled catalogue's classes and the compositional
/// ones, with splits in NTU RGB+D 60's proportions (55/5, 48/12, 40/20, 30/30 there:
/// 8, 20, 33 and 50 % unseen) and `ext-95/5`, whose unseen classes are synth-35/5's.
pub fn extended_catalog_text() -> String {
    let base = Catalog::builtin();
    let mut classes = base.classes.clone();
    let first = classes.iter().map(|c| c.id).max().unwrap_or(0) + 1;
    classes.extend(self::classes(first));
    let order = unseen_order(&classes);
    let total = classes.len();
    let mut splits = serde_json::Map::new();
    let reason = |k: usize| {
        format!(
            "the first {k} of the extended catalogue's unseen order (src/synth/compose.rs): synth-35/5's unseen classes, then compositional classes whose mirror side or other repetition count stays seen"
        )
    };
    let mut add = |name: String, unseen: &[u32], reasoning: String| {
        let split = CatalogSplit {
            unseen: unseen.to_vec(),
            seen: None,
            reasoning: vec![reasoning],
        };
        splits.insert(
            name,
            serde_json::to_value(split).expect("a split serialises"),
        );
    };
    add(
        format!("ext-{}/5", total - 5),
        &order[..5],
        "synth-35/5's unseen classes, with all 95 others seen: the benchmark of the bundled model with a wider vocabulary".into(),
    );
    for percent in [8, 20, 33, 50] {
        let k = (total * percent).div_ceil(100);
        add(format!("ext-{}/{k}", total - k), &order[..k], reason(k));
    }
    let file = serde_json::json!({
        "catalog": EXTENDED,
        "version": 1,
        "note": "The bundled catalogue's 40 classes and compositional ones (body part x movement x repetitions, src/synth/compose.rs), written by `scale synth --catalog extended`. Ids 1-40 are the bundled catalogue's.",
        "classes": classes,
        "splits": splits,
    });
    serde_json::to_string_pretty(&file).expect("the catalogue serialises") + "\n"
}

/// The extended catalogue (`extended_catalog_text`).
pub fn extended_catalog() -> Catalog {
    Catalog::parse(&extended_catalog_text(), EXTENDED)
        .expect("the extended catalogue is valid (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_a_script_and_its_own_text() {
        let cs = classes(41);
        assert_eq!(cs.len(), class_count());
        for (i, c) in cs.iter().enumerate() {
            let m = motion(c.motion.as_deref().unwrap()).unwrap();
            let d = m.bodies[0].duration();
            assert!((1.0..8.0).contains(&d), "{}: {d} s", c.name);
            assert!(c.descriptions.len() >= 2, "{}", c.name);
            assert!(!c.name.contains('{') && !c.descriptions.concat().contains('{'));
            for other in &cs[..i] {
                assert_ne!(other.name, c.name);
                assert_ne!(other.motion, c.motion);
            }
        }
    }

    #[test]
    fn names_and_scripts_are_composed_from_the_parts() {
        let cs = classes(41);
        let by = |name: &str| cs.iter().find(|c| c.name == name).unwrap();
        let c = by("kick sideways with the left leg three times");
        assert_eq!(c.motion.as_deref(), Some("compose:leg_side_kick:left:3"));
        assert!(c.descriptions[0].ends_with("three times in a row"));
        assert_eq!(by("arm circles").ntu_id, Some(97));
        // Three repetitions last longer than one; the sides are mirror images.
        let one = motion("compose:arm_punch:left:1").unwrap().bodies[0].duration();
        let three = motion("compose:arm_punch:left:3").unwrap().bodies[0].duration();
        assert!(three > 2.0 * one, "{one} {three}");
        let l = motion("compose:arm_circle:left:1").unwrap().bodies[0].sample(0.6);
        let r = motion("compose:arm_circle:right:1").unwrap().bodies[0].sample(0.6);
        assert_eq!(l.mirrored(), r);
    }

    #[test]
    fn the_extended_catalogue_has_100_classes_and_close_unseen_ones() {
        let c = extended_catalog();
        assert_eq!(c.classes.len(), 100);
        assert_eq!(c.classes[..40], Catalog::builtin().classes[..]);
        let names: Vec<&str> = c.splits.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "ext-50/50",
                "ext-67/33",
                "ext-80/20",
                "ext-92/8",
                "ext-95/5"
            ]
        );
        assert_eq!(c.split("ext-95/5").unwrap().unseen, [1, 7, 12, 27, 31]);
        for split in c.splits.values() {
            let unseen = &split.unseen;
            let mut sorted = unseen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), unseen.len());
            // Every unseen compositional class of a movement with siblings keeps a seen one.
            for id in unseen {
                let class = c.by_id(*id).unwrap();
                let Some(f) = class.motion.as_deref().and_then(family) else {
                    continue;
                };
                let siblings: Vec<u32> = c
                    .classes
                    .iter()
                    .filter(|k| k.motion.as_deref().and_then(family) == Some(f))
                    .map(|k| k.id)
                    .collect();
                if siblings.len() > 1 {
                    assert!(
                        siblings.iter().any(|s| !unseen.contains(s)),
                        "{}",
                        class.name
                    );
                }
            }
        }
        // The smaller splits' unseen classes are the larger ones' first.
        let u8 = &c.split("ext-92/8").unwrap().unseen;
        let u50 = &c.split("ext-50/50").unwrap().unseen;
        assert_eq!(u8[..], u50[..8]);
        // Written and read back, it is the same catalogue.
        assert_eq!(
            Catalog::parse(&extended_catalog_text(), "x")
                .unwrap()
                .classes,
            c.classes
        );
    }

    #[test]
    fn malformed_names_are_not_motions() {
        for name in [
            "arm_circle:left:3",
            "compose:arm_circle:left",
            "compose:arm_circle:up:3",
            "compose:nothing:left:1",
            "compose:arm_circle:left:0",
            "compose:arm_circle:left:9",
            "compose:arm_circle:left:3:x",
        ] {
            assert!(motion(name).is_none(), "{name}");
        }
    }
}
