//! Motion-capture skeletons → the 25 Kinect v2 joints, by joint name.
//!
//! Names are matched after [`normalize_name`]: anything up to the last `:` (a namespace such as
//! `mixamorig:`) is dropped, a leading `CC_Base_`, `mixamorig`, `Bip01`/`Bip001` is dropped,
//! case is ignored and so are `_`, `-`, `.` and spaces (`CC_Base_L_Thigh` → `lthigh`,
//! `mixamorig:LeftUpLeg` → `leftupleg`). A BVH `End Site` is named `<joint>_End`
//! (`lefthandindex1end`). In ASF a bone's *position* is its end point, so the ASF column names
//! bone ends: `lfemur` is the knee, `ltibia` the ankle, `root` the root's position.
//!
//! Each cell lists the candidates in order; the first whose points all exist is used.
//! `a + b` is the midpoint of `a` and `b`. Right-side joints mirror the left (`l…` → `r…`,
//! `L_` → `R_`, `Left…` → `Right…`).
//!
//! | Kinect joint | ASF (CMU, HDM05) | BVH `CC_Base_*` (Reallusion, CMU retarget) | BVH common (CMU-BVH, Mixamo, …) |
//! |---|---|---|---|
//! | SpineBase | `lhipjoint + rhipjoint` | `L_Thigh + R_Thigh` | `LeftUpLeg + RightUpLeg`; `Hips` |
//! | SpineMid | `lowerback + upperback` | `Spine02` | `Spine1`; `Spine` |
//! | Neck | `lowerneck` | `NeckTwist01` | `Neck1`; `Neck` |
//! | Head | `upperneck + head` | `L_Eye + R_Eye`; `Head` | `Head + Head_End`; `Head + HeadTop_End`; `Head` |
//! | ShoulderLeft | `lclavicle` | `L_Upperarm` | `LeftArm` |
//! | ElbowLeft | `lhumerus` | `L_Forearm` | `LeftForeArm` |
//! | WristLeft | `lwrist` | `L_Hand` | `LeftFingerBase`; `LeftHand` |
//! | HandLeft | `lhand` | `L_Hand + L_Mid1` | `LeftHand + LeftHandMiddle1`; `LeftHandIndex1`; `LeftHand + LeftHand_End` |
//! | HipLeft | `lhipjoint` | `L_Thigh` | `LeftUpLeg` |
//! | KneeLeft | `lfemur` | `L_Calf` | `LeftLeg` |
//! | AnkleLeft | `ltibia` | `L_Foot` | `LeftFoot` |
//! | FootLeft | `lfoot` | `L_ToeBase` | `LeftToeBase` |
//! | SpineShoulder | `lclavicle + rclavicle` | `L_Upperarm + R_Upperarm` | `LeftArm + RightArm` |
//! | HandTipLeft | `lfingers`; rule | `L_Mid3_End`; `L_Mid3`; rule | `LeftHandIndex1_End`; `LeftHandMiddle4`; `LeftHandMiddle3_End`; `LeftHandMiddle3`; `LeftHand_End`; rule |
//! | ThumbLeft | `lthumb`; rule | `L_Thumb3_End`; `L_Thumb3`; rule | `LThumb_End`; `LeftHandThumb4`; `LeftHandThumb3_End`; `LeftHandThumb3`; rule |
//!
//! Rules, for skeletons without finger joints (their joints get tracking state 1, inferred; every
//! other joint is 2, tracked):
//! - HandTip = Hand + (Hand − Wrist): the wrist→hand segment extended once more.
//! - Thumb = the midpoint of Hand and HandTip.
//!
//! Why these:
//! - In the Acclaim skeleton `lwrist` turns only about the forearm (`dof ry`, its twist), so its
//!   end is the wrist (elbow → `lwrist` end ≈ 25 cm), and `lhand` (`dof rx rz`, the wrist's
//!   bend) ends at the knuckles. CMU's own BVH conversion keeps those bones: its `LeftHand` is
//!   the `lradius` end, `LeftFingerBase` the wrist and `LeftHandIndex1` the knuckles.
//! - Kinect's SpineBase lies between the hip joints at their height, SpineShoulder between the
//!   shoulders at their height, Neck a few centimetres above SpineShoulder, Head at the centre of
//!   the head, and Hand in the palm (measured on NTU RGB+D). ASF's head centre is halfway from
//!   the skull base (`upperneck` end) to the top (`head` end); `CC_Base_Head` is the skull base,
//!   so the eyes' midpoint stands in for the centre.
//!
//! A skeleton whose names leave some Kinect joint without a source is refused, naming those
//! Kinect joints and listing the file's joint names.

use super::math::{self, V3};
use crate::skeleton::{Joint, NUM_JOINTS};
use std::collections::HashMap;

/// Where a Kinect joint is read from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Source {
    /// A joint (BVH) or bone end (ASF) of the file, by normalised name.
    Point(&'static str),
    /// The midpoint of two.
    Mid(&'static str, &'static str),
}

use Source::{Mid, Point};

/// One skeleton family's column of the table: candidates per Kinect joint, [`Joint`] order.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub rows: [&'static [Source]; NUM_JOINTS],
}

/// CMU / HDM05 Acclaim skeletons (31 bones); names are bone ends.
pub static ASF: Table = Table {
    name: "asf",
    rows: [
        &[Mid("lhipjoint", "rhipjoint")],
        &[Mid("lowerback", "upperback")],
        &[Point("lowerneck")],
        &[Mid("upperneck", "head")],
        &[Point("lclavicle")],
        &[Point("lhumerus")],
        &[Point("lwrist")],
        &[Point("lhand")],
        &[Point("rclavicle")],
        &[Point("rhumerus")],
        &[Point("rwrist")],
        &[Point("rhand")],
        &[Point("lhipjoint")],
        &[Point("lfemur")],
        &[Point("ltibia")],
        &[Point("lfoot")],
        &[Point("rhipjoint")],
        &[Point("rfemur")],
        &[Point("rtibia")],
        &[Point("rfoot")],
        &[Mid("lclavicle", "rclavicle")],
        &[Point("lfingers")],
        &[Point("lthumb")],
        &[Point("rfingers")],
        &[Point("rthumb")],
    ],
};

/// Reallusion Character Creator skeletons (`CC_Base_*`), as in the CMU retargets here.
pub static CC_BASE: Table = Table {
    name: "cc_base",
    rows: [
        &[Mid("lthigh", "rthigh")],
        &[Point("spine02")],
        &[Point("necktwist01")],
        &[Mid("leye", "reye"), Point("head")],
        &[Point("lupperarm")],
        &[Point("lforearm")],
        &[Point("lhand")],
        &[Mid("lhand", "lmid1")],
        &[Point("rupperarm")],
        &[Point("rforearm")],
        &[Point("rhand")],
        &[Mid("rhand", "rmid1")],
        &[Point("lthigh")],
        &[Point("lcalf")],
        &[Point("lfoot")],
        &[Point("ltoebase")],
        &[Point("rthigh")],
        &[Point("rcalf")],
        &[Point("rfoot")],
        &[Point("rtoebase")],
        &[Mid("lupperarm", "rupperarm")],
        &[Point("lmid3end"), Point("lmid3")],
        &[Point("lthumb3end"), Point("lthumb3")],
        &[Point("rmid3end"), Point("rmid3")],
        &[Point("rthumb3end"), Point("rthumb3")],
    ],
};

/// The common BVH naming: CMU's own BVH conversion (`LHipJoint`, `LeftFingerBase`,
/// `LeftHandIndex1`, `LThumb`), Mixamo and most exporters (`Hips`, `Spine1`, `LeftUpLeg`, …).
pub static COMMON: Table = Table {
    name: "common",
    rows: [
        &[Mid("leftupleg", "rightupleg"), Point("hips")],
        &[Point("spine1"), Point("spine")],
        &[Point("neck1"), Point("neck")],
        &[
            Mid("head", "headend"),
            Mid("head", "headtopend"),
            Point("head"),
        ],
        &[Point("leftarm")],
        &[Point("leftforearm")],
        &[Point("leftfingerbase"), Point("lefthand")],
        &[
            Mid("lefthand", "lefthandmiddle1"),
            Point("lefthandindex1"),
            Mid("lefthand", "lefthandend"),
        ],
        &[Point("rightarm")],
        &[Point("rightforearm")],
        &[Point("rightfingerbase"), Point("righthand")],
        &[
            Mid("righthand", "righthandmiddle1"),
            Point("righthandindex1"),
            Mid("righthand", "righthandend"),
        ],
        &[Point("leftupleg")],
        &[Point("leftleg")],
        &[Point("leftfoot")],
        &[Point("lefttoebase")],
        &[Point("rightupleg")],
        &[Point("rightleg")],
        &[Point("rightfoot")],
        &[Point("righttoebase")],
        &[Mid("leftarm", "rightarm")],
        &[
            Point("lefthandindex1end"),
            Point("lefthandmiddle4"),
            Point("lefthandmiddle3end"),
            Point("lefthandmiddle3"),
            Point("lefthandend"),
        ],
        &[
            Point("lthumbend"),
            Point("lefthandthumb4"),
            Point("lefthandthumb3end"),
            Point("lefthandthumb3"),
        ],
        &[
            Point("righthandindex1end"),
            Point("righthandmiddle4"),
            Point("righthandmiddle3end"),
            Point("righthandmiddle3"),
            Point("righthandend"),
        ],
        &[
            Point("rthumbend"),
            Point("righthandthumb4"),
            Point("righthandthumb3end"),
            Point("righthandthumb3"),
        ],
    ],
};

/// The BVH tables, tried in this order.
pub static BVH_TABLES: [&Table; 2] = [&CC_BASE, &COMMON];

/// The comparable form of a joint name (see the module documentation).
pub fn normalize_name(name: &str) -> String {
    let tail = name.rsplit(':').next().unwrap_or(name);
    let mut s: String = tail
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    for prefix in ["ccbase", "mixamorig", "bip001", "bip01"] {
        if s.len() > prefix.len()
            && let Some(rest) = s.strip_prefix(prefix)
        {
            s = rest.to_string();
            break;
        }
    }
    s
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Recipe {
    Point(usize),
    Mid(usize, usize),
    /// HandTip rule: Hand + (Hand − Wrist), from Kinect joints.
    Extend {
        wrist: usize,
        hand: usize,
    },
    /// Thumb rule: midpoint of Hand and HandTip, from Kinect joints.
    Between {
        hand: usize,
        tip: usize,
    },
}

/// How one file's points become the 25 Kinect joints.
#[derive(Clone, Debug, PartialEq)]
pub struct Retarget {
    /// The table used.
    pub table: &'static str,
    recipes: [Recipe; NUM_JOINTS],
    /// Tracking state per joint: 2 when read from the file, 1 when placed by a rule.
    pub tracking: [u8; NUM_JOINTS],
}

const HAND_RULES: [(Joint, Joint, Joint); 2] = [
    (Joint::HandTipLeft, Joint::WristLeft, Joint::HandLeft),
    (Joint::HandTipRight, Joint::WristRight, Joint::HandRight),
];
const THUMB_RULES: [(Joint, Joint, Joint); 2] = [
    (Joint::ThumbLeft, Joint::HandLeft, Joint::HandTipLeft),
    (Joint::ThumbRight, Joint::HandRight, Joint::HandTipRight),
];

/// The recipe for `names` from `table`, or the Kinect joints left without a source.
fn plan_one(index: &HashMap<String, usize>, table: &'static Table) -> Result<Retarget, Vec<Joint>> {
    let mut recipes = [Recipe::Point(0); NUM_JOINTS];
    let mut tracking = [2u8; NUM_JOINTS];
    let mut missing = Vec::new();
    for (v, candidates) in table.rows.iter().enumerate() {
        let found = candidates.iter().find_map(|s| match *s {
            Point(a) => index.get(a).map(|&a| Recipe::Point(a)),
            Mid(a, b) => match (index.get(a), index.get(b)) {
                (Some(&a), Some(&b)) => Some(Recipe::Mid(a, b)),
                _ => None,
            },
        });
        match found {
            Some(r) => recipes[v] = r,
            None => missing.push(Joint::ALL[v]),
        }
    }
    // Hand tips and thumbs may be placed by rule when their hand is there.
    for (tip, wrist, hand) in HAND_RULES {
        if missing.contains(&tip) && !missing.contains(&wrist) && !missing.contains(&hand) {
            missing.retain(|j| *j != tip);
            recipes[tip.index()] = Recipe::Extend {
                wrist: wrist.index(),
                hand: hand.index(),
            };
            tracking[tip.index()] = 1;
        }
    }
    for (thumb, hand, tip) in THUMB_RULES {
        if missing.contains(&thumb) && !missing.contains(&hand) && !missing.contains(&tip) {
            missing.retain(|j| *j != thumb);
            recipes[thumb.index()] = Recipe::Between {
                hand: hand.index(),
                tip: tip.index(),
            };
            tracking[thumb.index()] = 1;
        }
    }
    if missing.is_empty() {
        Ok(Retarget {
            table: table.name,
            recipes,
            tracking,
        })
    } else {
        Err(missing)
    }
}

/// Chooses the first of `tables` that gives every Kinect joint a source from `names` (the
/// file's joint or bone names). The error names the Kinect joints left without a source (by the
/// closest table) and lists the file's names.
pub fn plan(names: &[String], tables: &[&'static Table]) -> Result<Retarget, String> {
    let mut index = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        index.entry(normalize_name(n)).or_insert(i);
    }
    let mut best: Option<(&Table, Vec<Joint>)> = None;
    for &t in tables {
        match plan_one(&index, t) {
            Ok(r) => return Ok(r),
            Err(missing) => {
                if best.as_ref().is_none_or(|(_, m)| missing.len() < m.len()) {
                    best = Some((t, missing));
                }
            }
        }
    }
    let (table, missing) = best.unwrap_or((&COMMON, Joint::ALL.to_vec()));
    let missing: Vec<&str> = missing.iter().map(|j| j.name()).collect();
    Err(format!(
        "the skeleton's joint names are not in the retargeting table (closest: the {} column): no source for the Kinect joints {}; the file's joints are: {}",
        table.name,
        missing.join(", "),
        names.join(", ")
    ))
}

impl Retarget {
    /// The 25 Kinect joints from one frame's `points` (indexed like the names given to
    /// [`plan`]).
    pub fn apply(&self, points: &[V3]) -> [V3; NUM_JOINTS] {
        let get = |i: usize| points.get(i).copied().unwrap_or([0.0; 3]);
        let mut out = [[0.0; 3]; NUM_JOINTS];
        // Points first, then the rules (tips before thumbs, which use them).
        for pass in 0..3 {
            for v in 0..NUM_JOINTS {
                out[v] = match (self.recipes[v], pass) {
                    (Recipe::Point(a), 0) => get(a),
                    (Recipe::Mid(a, b), 0) => math::mid(get(a), get(b)),
                    (Recipe::Extend { wrist, hand }, 1) => {
                        math::add(out[hand], math::sub(out[hand], out[wrist]))
                    }
                    (Recipe::Between { hand, tip }, 2) => math::mid(out[hand], out[tip]),
                    _ => continue,
                };
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalize_name("CC_Base_L_Thigh"), "lthigh");
        assert_eq!(normalize_name("mixamorig:LeftUpLeg"), "leftupleg");
        assert_eq!(normalize_name("mixamorig_LeftUpLeg"), "leftupleg");
        assert_eq!(normalize_name("Bip01 L Thigh"), "lthigh");
        assert_eq!(normalize_name("LeftHandIndex1_End"), "lefthandindex1end");
        assert_eq!(normalize_name("lfemur"), "lfemur");
    }

    #[test]
    fn every_table_row_mirrors_left_and_right() {
        for t in [&ASF, &CC_BASE, &COMMON] {
            let pairs = [
                (Joint::ShoulderLeft, Joint::ShoulderRight),
                (Joint::ElbowLeft, Joint::ElbowRight),
                (Joint::WristLeft, Joint::WristRight),
                (Joint::HandLeft, Joint::HandRight),
                (Joint::HipLeft, Joint::HipRight),
                (Joint::KneeLeft, Joint::KneeRight),
                (Joint::AnkleLeft, Joint::AnkleRight),
                (Joint::FootLeft, Joint::FootRight),
                (Joint::HandTipLeft, Joint::HandTipRight),
                (Joint::ThumbLeft, Joint::ThumbRight),
            ];
            let side = |s: &str| {
                s.replacen("left", "right", 1).replacen(
                    "l",
                    "r",
                    usize::from(!s.starts_with("left")),
                )
            };
            for (l, r) in pairs {
                let left = t.rows[l.index()];
                let right = t.rows[r.index()];
                assert_eq!(left.len(), right.len(), "{} {l:?}", t.name);
                for (a, b) in left.iter().zip(right) {
                    let ((Point(a), Point(b)) | (Mid(a, _), Mid(b, _))) = (*a, *b) else {
                        panic!("{} {l:?}: {a:?} vs {b:?}", t.name);
                    };
                    assert_eq!(side(a), b, "{} {l:?}", t.name);
                }
            }
        }
    }

    #[test]
    fn rules_place_hand_tips_and_thumbs() {
        let names: Vec<String> = [
            "Hips",
            "Spine",
            "Spine1",
            "Neck",
            "Head",
            "LeftArm",
            "LeftForeArm",
            "LeftHand",
            "RightArm",
            "RightForeArm",
            "RightHand",
            "LeftUpLeg",
            "LeftLeg",
            "LeftFoot",
            "LeftToeBase",
            "RightUpLeg",
            "RightLeg",
            "RightFoot",
            "RightToeBase",
            "LeftHandMiddle1",
            "RightHandMiddle1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let r = plan(&names, &BVH_TABLES).unwrap();
        assert_eq!(r.table, "common");
        assert_eq!(r.tracking[Joint::HandTipLeft.index()], 1);
        assert_eq!(r.tracking[Joint::ThumbRight.index()], 1);
        assert_eq!(r.tracking[Joint::HandLeft.index()], 2);
        let mut points = vec![[0.0; 3]; names.len()];
        points[7] = [1.0, 0.0, 0.0]; // LeftHand (wrist)
        points[19] = [1.2, 0.0, 0.0]; // LeftHandMiddle1
        let k = r.apply(&points);
        assert_eq!(k[Joint::WristLeft.index()], [1.0, 0.0, 0.0]);
        let hand = k[Joint::HandLeft.index()];
        assert!((hand[0] - 1.1).abs() < 1e-12);
        assert!((k[Joint::HandTipLeft.index()][0] - 1.2).abs() < 1e-12);
        assert!((k[Joint::ThumbLeft.index()][0] - 1.15).abs() < 1e-12);
    }

    #[test]
    fn an_unknown_skeleton_names_what_is_missing() {
        let names: Vec<String> = ["pelvis", "thigh_l", "Head"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = plan(&names, &BVH_TABLES).unwrap_err();
        assert!(e.contains("SpineBase"), "{e}");
        assert!(e.contains("KneeLeft"), "{e}");
        assert!(e.contains("pelvis, thigh_l, Head"), "{e}");
        assert!(!e.contains("the Kinect joints Head,"), "{e}");
    }
}
