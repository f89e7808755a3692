//! Azure Kinect Body Tracking's 32 joints and how they map onto the 25 Kinect v2 joints.
//!
//! The models are trained on the Kinect v2 layout (NTU RGB+D), so an Azure Kinect body is
//! reduced to those 25 joints by name. The seven Azure joints with no Kinect v2 counterpart
//! (both clavicles, nose, eyes and ears) are dropped. Azure's `HEAD` sits where Kinect v2's
//! `Head` does (centre of the head), and `SPINE_CHEST` is the joint between the shoulders,
//! Kinect v2's `SpineShoulder`.
//!
//! | Kinect v2 (index) | Azure Kinect (index) |
//! |---|---|
//! | SpineBase (0) | PELVIS (0) |
//! | SpineMid (1) | SPINE_NAVEL (1) |
//! | Neck (2) | NECK (3) |
//! | Head (3) | HEAD (26) |
//! | ShoulderLeft (4) | SHOULDER_LEFT (5) |
//! | ElbowLeft (5) | ELBOW_LEFT (6) |
//! | WristLeft (6) | WRIST_LEFT (7) |
//! | HandLeft (7) | HAND_LEFT (8) |
//! | ShoulderRight (8) | SHOULDER_RIGHT (12) |
//! | ElbowRight (9) | ELBOW_RIGHT (13) |
//! | WristRight (10) | WRIST_RIGHT (14) |
//! | HandRight (11) | HAND_RIGHT (15) |
//! | HipLeft (12) | HIP_LEFT (18) |
//! | KneeLeft (13) | KNEE_LEFT (19) |
//! | AnkleLeft (14) | ANKLE_LEFT (20) |
//! | FootLeft (15) | FOOT_LEFT (21) |
//! | HipRight (16) | HIP_RIGHT (22) |
//! | KneeRight (17) | KNEE_RIGHT (23) |
//! | AnkleRight (18) | ANKLE_RIGHT (24) |
//! | FootRight (19) | FOOT_RIGHT (25) |
//! | SpineShoulder (20) | SPINE_CHEST (2) |
//! | HandTipLeft (21) | HANDTIP_LEFT (9) |
//! | ThumbLeft (22) | THUMB_LEFT (10) |
//! | HandTipRight (23) | HANDTIP_RIGHT (16) |
//! | ThumbRight (24) | THUMB_RIGHT (17) |
//!
//! Coordinates: the Body Tracking SDK reports millimetres in camera axes (x right, y down, z
//! forward). The frame protocol carries this layout in metres, Kinect camera space (x to the
//! sensor's left, y up), so a bridge divides by 1000 and negates x and y — a rotation about the
//! optical axis; negating y alone would mirror the body (see `docs/protocol.md` and
//! `examples/kinect_bridge.py`).

use super::joints::{Joints, NUM_JOINTS};

/// Number of joints in the Azure Kinect Body Tracking skeleton.
pub const NUM_AZURE_JOINTS: usize = 32;

/// Body Tracking SDK joint names (`K4ABT_JOINT_*`), in index order.
pub const AZURE_JOINT_NAMES: [&str; NUM_AZURE_JOINTS] = [
    "PELVIS",
    "SPINE_NAVEL",
    "SPINE_CHEST",
    "NECK",
    "CLAVICLE_LEFT",
    "SHOULDER_LEFT",
    "ELBOW_LEFT",
    "WRIST_LEFT",
    "HAND_LEFT",
    "HANDTIP_LEFT",
    "THUMB_LEFT",
    "CLAVICLE_RIGHT",
    "SHOULDER_RIGHT",
    "ELBOW_RIGHT",
    "WRIST_RIGHT",
    "HAND_RIGHT",
    "HANDTIP_RIGHT",
    "THUMB_RIGHT",
    "HIP_LEFT",
    "KNEE_LEFT",
    "ANKLE_LEFT",
    "FOOT_LEFT",
    "HIP_RIGHT",
    "KNEE_RIGHT",
    "ANKLE_RIGHT",
    "FOOT_RIGHT",
    "HEAD",
    "NOSE",
    "EYE_LEFT",
    "EAR_LEFT",
    "EYE_RIGHT",
    "EAR_RIGHT",
];

/// For each Kinect v2 joint (0-based), the Azure Kinect joint it is read from.
pub const KINECT_FROM_AZURE: [usize; NUM_JOINTS] = [
    0, 1, 3, 26, 5, 6, 7, 8, 12, 13, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 2, 9, 10, 16, 17,
];

/// Reduces a 32-joint Azure Kinect body to the 25 Kinect v2 joints (same units and axes).
pub fn azure_to_kinect(azure: &[[f32; 3]; NUM_AZURE_JOINTS]) -> Joints {
    let mut out = [[0.0; 3]; NUM_JOINTS];
    for (dst, &src) in out.iter_mut().zip(KINECT_FROM_AZURE.iter()) {
        *dst = azure[src];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::joints::JOINT_NAMES;

    #[test]
    fn mapping_pairs_joints_of_the_same_name() {
        // Every mapped pair names the same body part (modulo the documented renames).
        let renames = [
            ("SpineBase", "PELVIS"),
            ("SpineMid", "SPINE_NAVEL"),
            ("SpineShoulder", "SPINE_CHEST"),
        ];
        for (k, &a) in KINECT_FROM_AZURE.iter().enumerate() {
            let kin = JOINT_NAMES[k];
            let az = AZURE_JOINT_NAMES[a];
            let renamed = renames.iter().any(|&(x, y)| x == kin && y == az);
            let same = kin.to_ascii_uppercase() == az.replace('_', "");
            assert!(renamed || same, "{kin} mapped from {az}");
        }
        // Each Azure joint is used at most once.
        let mut used = [false; NUM_AZURE_JOINTS];
        for &a in &KINECT_FROM_AZURE {
            assert!(!used[a]);
            used[a] = true;
        }
    }

    #[test]
    fn conversion_moves_positions() {
        let mut az = [[0.0f32; 3]; NUM_AZURE_JOINTS];
        for (i, p) in az.iter_mut().enumerate() {
            *p = [i as f32, 0.0, 0.0];
        }
        let k = azure_to_kinect(&az);
        assert_eq!(k[3][0], 26.0); // Head <- HEAD
        assert_eq!(k[20][0], 2.0); // SpineShoulder <- SPINE_CHEST
    }
}
