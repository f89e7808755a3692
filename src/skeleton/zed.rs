//! Stereolabs ZED SDK body tracking: the `BODY_34` and `BODY_38` formats, and how they become
//! the 25 Kinect v2 joints every model uses.
//!
//! Frames of layouts `zed_body_34` / `zed_body_38` carry `keypoint` (3-D) as the SDK gives it
//! with `InitParameters.coordinate_system = COORDINATE_SYSTEM.IMAGE` (x right, y down, z
//! forward, the SDK's default) and `coordinate_units = UNIT.METER` (the default is
//! millimetres: set it). `scale` turns them into Kinect camera space (x → −x, y → −y: a rotation
//! by 180° about the optical axis, so left stays left).
//!
//! `BODY_34` (SDK 3.x and 4.x) has the Azure Kinect's 32 joints in the same order, plus the two
//! heels (32, 33): the 25 Kinect joints are copied as from the Azure Kinect
//! (`super::azure::KINECT_FROM_AZURE`; face and clavicles and heels unused).
//!
//! `BODY_38` (SDK 4.x):
//!
//! | Kinect v2 joint | from `BODY_38` |
//! |---|---|
//! | SpineBase (0) | PELVIS (0) |
//! | SpineMid (1) | SPINE_2 (2) |
//! | Neck (2) | NECK (4) |
//! | Head (3) | midpoint of LEFT_EAR (8) and RIGHT_EAR (9) (the format has no head centre) |
//! | ShoulderLeft, ElbowLeft, WristLeft (4–6) | LEFT_SHOULDER (12), LEFT_ELBOW (14), LEFT_WRIST (16) |
//! | HandLeft (7) | midpoint of LEFT_HAND_INDEX_1 (32) and LEFT_HAND_PINKY_1 (36), the knuckles |
//! | ShoulderRight, ElbowRight, WristRight (8–10) | RIGHT_SHOULDER (13), RIGHT_ELBOW (15), RIGHT_WRIST (17) |
//! | HandRight (11) | midpoint of RIGHT_HAND_INDEX_1 (33) and RIGHT_HAND_PINKY_1 (37) |
//! | HipLeft, KneeLeft, AnkleLeft (12–14) | LEFT_HIP (18), LEFT_KNEE (20), LEFT_ANKLE (22) |
//! | FootLeft (15) | midpoint of LEFT_BIG_TOE (24) and LEFT_SMALL_TOE (26) |
//! | HipRight, KneeRight, AnkleRight (16–18) | RIGHT_HIP (19), RIGHT_KNEE (21), RIGHT_ANKLE (23) |
//! | FootRight (19) | midpoint of RIGHT_BIG_TOE (25) and RIGHT_SMALL_TOE (27) |
//! | SpineShoulder (20) | SPINE_3 (3) |
//! | HandTipLeft (21) | LEFT_HAND_MIDDLE_4 (34), the middle fingertip |
//! | ThumbLeft (22) | LEFT_HAND_THUMB_4 (30) |
//! | HandTipRight (23) | RIGHT_HAND_MIDDLE_4 (35) |
//! | ThumbRight (24) | RIGHT_HAND_THUMB_4 (31) |
//!
//! Not used: SPINE_1, the face (nose, eyes), the clavicles and the heels.

use super::azure::{AZURE_JOINT_NAMES, KINECT_FROM_AZURE, NUM_AZURE_JOINTS};
use super::joints::{Joints, NUM_JOINTS};
use super::rules::{self, Source};

/// Keypoints per body in `BODY_34`.
pub const NUM_ZED34_JOINTS: usize = 34;
/// Keypoints per body in `BODY_38`.
pub const NUM_ZED38_JOINTS: usize = 38;

/// `BODY_34` keypoint names (`BODY_34_PARTS`), in index order: the Azure Kinect's 32 (named the
/// ZED way: `NAVAL_SPINE`, `CHEST_SPINE`, `LEFT_SHOULDER`, …), then the heels.
pub const ZED34_JOINT_NAMES: [&str; NUM_ZED34_JOINTS] = [
    "PELVIS",
    "NAVAL_SPINE",
    "CHEST_SPINE",
    "NECK",
    "LEFT_CLAVICLE",
    "LEFT_SHOULDER",
    "LEFT_ELBOW",
    "LEFT_WRIST",
    "LEFT_HAND",
    "LEFT_HANDTIP",
    "LEFT_THUMB",
    "RIGHT_CLAVICLE",
    "RIGHT_SHOULDER",
    "RIGHT_ELBOW",
    "RIGHT_WRIST",
    "RIGHT_HAND",
    "RIGHT_HANDTIP",
    "RIGHT_THUMB",
    "LEFT_HIP",
    "LEFT_KNEE",
    "LEFT_ANKLE",
    "LEFT_FOOT",
    "RIGHT_HIP",
    "RIGHT_KNEE",
    "RIGHT_ANKLE",
    "RIGHT_FOOT",
    "HEAD",
    "NOSE",
    "LEFT_EYE",
    "LEFT_EAR",
    "RIGHT_EYE",
    "RIGHT_EAR",
    "LEFT_HEEL",
    "RIGHT_HEEL",
];

/// `BODY_38` keypoint names (`BODY_38_PARTS`), in index order.
pub const ZED38_JOINT_NAMES: [&str; NUM_ZED38_JOINTS] = [
    "PELVIS",
    "SPINE_1",
    "SPINE_2",
    "SPINE_3",
    "NECK",
    "NOSE",
    "LEFT_EYE",
    "RIGHT_EYE",
    "LEFT_EAR",
    "RIGHT_EAR",
    "LEFT_CLAVICLE",
    "RIGHT_CLAVICLE",
    "LEFT_SHOULDER",
    "RIGHT_SHOULDER",
    "LEFT_ELBOW",
    "RIGHT_ELBOW",
    "LEFT_WRIST",
    "RIGHT_WRIST",
    "LEFT_HIP",
    "RIGHT_HIP",
    "LEFT_KNEE",
    "RIGHT_KNEE",
    "LEFT_ANKLE",
    "RIGHT_ANKLE",
    "LEFT_BIG_TOE",
    "RIGHT_BIG_TOE",
    "LEFT_SMALL_TOE",
    "RIGHT_SMALL_TOE",
    "LEFT_HEEL",
    "RIGHT_HEEL",
    "LEFT_HAND_THUMB_4",
    "RIGHT_HAND_THUMB_4",
    "LEFT_HAND_INDEX_1",
    "RIGHT_HAND_INDEX_1",
    "LEFT_HAND_MIDDLE_4",
    "RIGHT_HAND_MIDDLE_4",
    "LEFT_HAND_PINKY_1",
    "RIGHT_HAND_PINKY_1",
];

/// For each Kinect v2 joint, where it comes from in `BODY_38` (the table above).
pub const KINECT_FROM_ZED38: [Source; NUM_JOINTS] = {
    use Source::*;
    [
        Copy(0),
        Copy(2),
        Copy(4),
        Mid(8, 9),
        Copy(12),
        Copy(14),
        Copy(16),
        Mid(32, 36),
        Copy(13),
        Copy(15),
        Copy(17),
        Mid(33, 37),
        Copy(18),
        Copy(20),
        Copy(22),
        Mid(24, 26),
        Copy(19),
        Copy(21),
        Copy(23),
        Mid(25, 27),
        Copy(3),
        Copy(34),
        Copy(30),
        Copy(35),
        Copy(31),
    ]
};

/// For each Kinect v2 joint, the `BODY_34` keypoint it is copied from (Azure Kinect's order).
pub const KINECT_FROM_ZED34: [Source; NUM_JOINTS] = {
    let mut t = [Source::Placed; NUM_JOINTS];
    let mut k = 0;
    while k < NUM_JOINTS {
        t[k] = Source::Copy(KINECT_FROM_AZURE[k]);
        k += 1;
    }
    t
};

/// A `BODY_34` body (metres, `IMAGE` axes) as the 25 Kinect v2 joints (Kinect camera space).
pub fn zed34_to_kinect(keypoints: &[[f32; 3]; NUM_ZED34_JOINTS]) -> Joints {
    rules::apply(&KINECT_FROM_ZED34, keypoints, rules::from_camera_axes)
}

/// A `BODY_38` body (metres, `IMAGE` axes) as the 25 Kinect v2 joints (Kinect camera space).
pub fn zed38_to_kinect(keypoints: &[[f32; 3]; NUM_ZED38_JOINTS]) -> Joints {
    rules::apply(&KINECT_FROM_ZED38, keypoints, rules::from_camera_axes)
}

/// The first 32 `BODY_34` names are the Azure Kinect's, joint for joint.
pub fn zed34_matches_azure() -> bool {
    let canon = |n: &str| {
        let mut parts: Vec<&str> = n.split('_').collect();
        parts.sort_unstable();
        parts.join("_").replace("NAVAL", "NAVEL")
    };
    (0..NUM_AZURE_JOINTS).all(|i| canon(ZED34_JOINT_NAMES[i]) == canon(AZURE_JOINT_NAMES[i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::joints::JOINT_NAMES;

    #[test]
    fn body_34_is_the_azure_order_plus_heels() {
        assert!(zed34_matches_azure());
        assert!(
            rules::sources(&KINECT_FROM_ZED34).all(|i| i < NUM_AZURE_JOINTS),
            "heels unused"
        );
    }

    #[test]
    fn body_38_pairs_joints_of_the_same_side_and_part() {
        let part = |n: &str| {
            n.to_ascii_lowercase()
                .replace('_', "")
                .replace("left", "")
                .replace("right", "")
        };
        for (k, rule) in KINECT_FROM_ZED38.iter().enumerate() {
            let kinect = JOINT_NAMES[k];
            let srcs: Vec<usize> = match *rule {
                Source::Copy(i) => vec![i],
                Source::Mid(a, b) => vec![a, b],
                Source::Placed => panic!("{kinect}: BODY_38 places nothing"),
            };
            let side = |n: &str| {
                let n = n.to_ascii_lowercase();
                (n.contains("left"), n.contains("right"))
            };
            // A midpoint of a left and a right joint (the head) has no side.
            let pair = srcs.len() == 2
                && side(ZED38_JOINT_NAMES[srcs[0]]) != side(ZED38_JOINT_NAMES[srcs[1]]);
            for i in srcs {
                let zed = ZED38_JOINT_NAMES[i];
                if !pair {
                    assert_eq!(side(kinect), side(zed), "{kinect} <- {zed}");
                }
                let renamed = [
                    ("spinebase", "pelvis"),
                    ("spinemid", "spine2"),
                    ("spineshoulder", "spine3"),
                    ("head", "ear"),
                    ("hand", "handindex1"),
                    ("hand", "handpinky1"),
                    ("foot", "bigtoe"),
                    ("foot", "smalltoe"),
                    ("handtip", "handmiddle4"),
                    ("thumb", "handthumb4"),
                ];
                let (a, b) = (part(kinect), part(zed));
                assert!(
                    a == b || renamed.contains(&(a.as_str(), b.as_str())),
                    "{kinect} <- {zed}"
                );
            }
        }
    }
}
