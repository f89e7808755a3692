//! Kinect v1 (Kinect for Windows SDK 1.x, and OpenNI/NiTE in the same order): 20 joints, and
//! how they become the 25 Kinect v2 joints every model uses.
//!
//! Seventeen joints are copied by name. Kinect v1's `ShoulderCenter` is the joint between the
//! shoulders at the base of the neck, Kinect v2's `SpineShoulder`; `HipCenter` is `SpineBase`
//! and `Spine` is `SpineMid`. The five Kinect v2 joints that Kinect v1 lacks are placed by fixed
//! rules, with ratios measured on the Kinect v2 recordings of NTU RGB+D (medians over 1,137
//! frames of the development clips; a model should still be trained to tolerate them, by joint
//! dropout):
//!
//! | Kinect v2 joint | from Kinect v1 |
//! |---|---|
//! | SpineBase (0) | HipCenter (0) |
//! | SpineMid (1) | Spine (1) |
//! | Neck (2) | **placed**: ShoulderCenter + 0.34 × (Head − ShoulderCenter) |
//! | Head (3) | Head (3) |
//! | ShoulderLeft … HandLeft (4–7) | ShoulderLeft … HandLeft (4–7) |
//! | ShoulderRight … HandRight (8–11) | ShoulderRight … HandRight (8–11) |
//! | HipLeft … FootLeft (12–15) | HipLeft … FootLeft (12–15) |
//! | HipRight … FootRight (16–19) | HipRight … FootRight (16–19) |
//! | SpineShoulder (20) | ShoulderCenter (2) |
//! | HandTipLeft (21) | **placed**: HandLeft + 0.7 × (HandLeft − WristLeft) |
//! | ThumbLeft (22) | **placed**: HandLeft + 0.1 × (HandLeft − WristLeft) |
//! | HandTipRight (23) | **placed**: HandRight + 0.7 × (HandRight − WristRight) |
//! | ThumbRight (24) | **placed**: HandRight + 0.1 × (HandRight − WristRight) |
//!
//! The thumb's sideways offset (about 4 cm in NTU) cannot be known without a hand orientation,
//! so the thumb sits on the wrist→hand line. Coordinates are the same as Kinect v2's: metres,
//! camera space, y up, z away from the sensor.

use super::joints::{Joint, Joints, NUM_JOINTS};

/// Number of joints in the Kinect v1 skeleton.
pub const NUM_KINECT_V1_JOINTS: usize = 20;

/// Kinect for Windows SDK 1.x joint names (`NUI_SKELETON_POSITION_*`), in index order.
pub const KINECT_V1_JOINT_NAMES: [&str; NUM_KINECT_V1_JOINTS] = [
    "HipCenter",
    "Spine",
    "ShoulderCenter",
    "Head",
    "ShoulderLeft",
    "ElbowLeft",
    "WristLeft",
    "HandLeft",
    "ShoulderRight",
    "ElbowRight",
    "WristRight",
    "HandRight",
    "HipLeft",
    "KneeLeft",
    "AnkleLeft",
    "FootLeft",
    "HipRight",
    "KneeRight",
    "AnkleRight",
    "FootRight",
];

/// For each Kinect v2 joint (0-based), the Kinect v1 joint it is copied from, or `None` for the
/// five joints placed by rule.
pub const KINECT_FROM_V1: [Option<usize>; NUM_JOINTS] = [
    Some(0),
    Some(1),
    None,
    Some(3),
    Some(4),
    Some(5),
    Some(6),
    Some(7),
    Some(8),
    Some(9),
    Some(10),
    Some(11),
    Some(12),
    Some(13),
    Some(14),
    Some(15),
    Some(16),
    Some(17),
    Some(18),
    Some(19),
    Some(2),
    None,
    None,
    None,
    None,
];

/// Where Neck sits between ShoulderCenter (0) and Head (1) in Kinect v2 (NTU median).
pub const NECK_FRACTION: f32 = 0.34;
/// How far the hand tip extends past the hand, in units of the wrist→hand bone (NTU median).
pub const HAND_TIP_EXTENSION: f32 = 0.7;
/// How far the thumb sits past the hand along the wrist→hand bone (NTU median).
pub const THUMB_EXTENSION: f32 = 0.1;

fn along(from: [f32; 3], to: [f32; 3], t: f32) -> [f32; 3] {
    std::array::from_fn(|k| from[k] + t * (to[k] - from[k]))
}

/// Turns a 20-joint Kinect v1 body into the 25 Kinect v2 joints (same units and axes).
pub fn kinect_v1_to_kinect(v1: &[[f32; 3]; NUM_KINECT_V1_JOINTS]) -> Joints {
    let mut out = [[0.0; 3]; NUM_JOINTS];
    for (dst, src) in out.iter_mut().zip(KINECT_FROM_V1) {
        if let Some(s) = src {
            *dst = v1[s];
        }
    }
    use Joint::*;
    let j = |x: Joint| out[x.index()];
    let neck = along(j(SpineShoulder), j(Head), NECK_FRACTION);
    // Past the hand: `along` with t > 1 from the wrist.
    let tip = |w: Joint, h: Joint, e: f32| along(j(w), j(h), 1.0 + e);
    let placed = [
        (Neck, neck),
        (HandTipLeft, tip(WristLeft, HandLeft, HAND_TIP_EXTENSION)),
        (ThumbLeft, tip(WristLeft, HandLeft, THUMB_EXTENSION)),
        (HandTipRight, tip(WristRight, HandRight, HAND_TIP_EXTENSION)),
        (ThumbRight, tip(WristRight, HandRight, THUMB_EXTENSION)),
    ];
    for (joint, p) in placed {
        out[joint.index()] = p;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::joints::JOINT_NAMES;

    #[test]
    fn copied_joints_keep_their_names_and_each_v1_joint_is_used_once() {
        let renames = [
            ("SpineBase", "HipCenter"),
            ("SpineMid", "Spine"),
            ("SpineShoulder", "ShoulderCenter"),
        ];
        let mut used = [false; NUM_KINECT_V1_JOINTS];
        for (k, src) in KINECT_FROM_V1.iter().enumerate() {
            let Some(s) = *src else { continue };
            let (v2, v1) = (JOINT_NAMES[k], KINECT_V1_JOINT_NAMES[s]);
            assert!(v2 == v1 || renames.contains(&(v2, v1)), "{v2} <- {v1}");
            assert!(!used[s]);
            used[s] = true;
        }
        assert!(used.iter().all(|&u| u), "all 20 joints are used");
        assert_eq!(KINECT_FROM_V1.iter().filter(|s| s.is_none()).count(), 5);
    }

    #[test]
    fn placed_joints_follow_the_documented_rules() {
        let mut v1 = [[0.0f32; 3]; NUM_KINECT_V1_JOINTS];
        v1[2] = [0.0, 0.4, 3.0]; // ShoulderCenter
        v1[3] = [0.0, 0.6, 3.0]; // Head
        v1[6] = [-0.3, 0.0, 3.0]; // WristLeft
        v1[7] = [-0.4, 0.0, 3.0]; // HandLeft
        v1[10] = [0.3, 0.0, 3.0]; // WristRight
        v1[11] = [0.3, -0.1, 3.0]; // HandRight
        let k = kinect_v1_to_kinect(&v1);
        let close = |a: [f32; 3], b: [f32; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
        assert!(close(k[Joint::Neck.index()], [0.0, 0.468, 3.0]));
        assert!(close(k[Joint::SpineShoulder.index()], v1[2]));
        assert!(close(k[Joint::HandTipLeft.index()], [-0.47, 0.0, 3.0]));
        assert!(close(k[Joint::ThumbLeft.index()], [-0.41, 0.0, 3.0]));
        assert!(close(k[Joint::HandTipRight.index()], [0.3, -0.17, 3.0]));
        assert!(close(k[Joint::ThumbRight.index()], [0.3, -0.11, 3.0]));
    }
}
