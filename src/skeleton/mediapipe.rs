//! MediaPipe Pose (BlazePose GHUM, the `PoseLandmarker` task and the legacy `mp.solutions.pose`)
//! world landmarks: 33 points, and how they become the 25 Kinect v2 joints every model uses.
//!
//! A frame of layout `mediapipe_pose` carries `pose_world_landmarks` as MediaPipe gives them:
//! metres, origin at the centre between the hips, axes of the image (x to the right, y down,
//! z away from the camera; MediaPipe's documentation: "real-world 3D coordinates in meters
//! with the origin at the center between hips", z "with the depth at the midpoint of hips as
//! the origin", smaller z nearer the camera). `scale` turns them into Kinect camera space
//! (x → −x, y → −y: a rotation by 180° about the optical axis, so left stays left). The image
//! must not be mirrored (no selfie flip): MediaPipe's `left_*` landmarks are the person's left
//! only in an unmirrored image.
//!
//! | Kinect v2 joint | from MediaPipe Pose |
//! |---|---|
//! | SpineBase (0) | midpoint of left_hip (23) and right_hip (24) |
//! | SpineMid (1) | **placed**: SpineBase + 0.57 × (SpineShoulder − SpineBase) |
//! | Neck (2) | **placed**: SpineShoulder + 0.34 × (Head − SpineShoulder) |
//! | Head (3) | midpoint of left_ear (7) and right_ear (8) |
//! | ShoulderLeft, ElbowLeft, WristLeft (4–6) | left_shoulder (11), left_elbow (13), left_wrist (15) |
//! | HandLeft (7) | midpoint of left_pinky (17) and left_index (19), the knuckles |
//! | ShoulderRight, ElbowRight, WristRight (8–10) | right_shoulder (12), right_elbow (14), right_wrist (16) |
//! | HandRight (11) | midpoint of right_pinky (18) and right_index (20) |
//! | HipLeft, KneeLeft, AnkleLeft (12–14) | left_hip (23), left_knee (25), left_ankle (27) |
//! | FootLeft (15) | left_foot_index (31) |
//! | HipRight, KneeRight, AnkleRight (16–18) | right_hip (24), right_knee (26), right_ankle (28) |
//! | FootRight (19) | right_foot_index (32) |
//! | SpineShoulder (20) | **placed**: 6.3 % of the torso above the shoulders' midpoint, M + 0.063 × (M − SpineBase), M the midpoint of left_shoulder (11) and right_shoulder (12) |
//! | HandTipLeft (21) | **placed**: HandLeft + 0.7 × (HandLeft − WristLeft) |
//! | ThumbLeft (22) | left_thumb (21) |
//! | HandTipRight (23) | **placed**: HandRight + 0.7 × (HandRight − WristRight) |
//! | ThumbRight (24) | right_thumb (22) |
//!
//! Not used: the face (nose, eyes, mouth; the ears only for the head) and the heels. The
//! ratios are those of NTU RGB+D's Kinect v2 recordings (medians over the 1,137 frames of the
//! development clips): SpineShoulder sits 0.063 torso lengths above the shoulders' midpoint
//! (median 3.9 cm), SpineMid 0.57 of the way up from SpineBase to SpineShoulder, and SpineBase
//! within a centimetre of the hips' midpoint along the torso; Neck and the hand tip use the
//! Kinect v1 adapter's ratios (`super::kinect_v1`).

use super::joints::{Joint, Joints, NUM_JOINTS};
use super::kinect_v1::{HAND_TIP_EXTENSION, NECK_FRACTION};
use super::rules::{self, Source, along};

/// Landmarks per body in MediaPipe Pose.
pub const NUM_MEDIAPIPE_LANDMARKS: usize = 33;

/// MediaPipe Pose landmark names (`PoseLandmark`), in index order.
pub const MEDIAPIPE_LANDMARK_NAMES: [&str; NUM_MEDIAPIPE_LANDMARKS] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// Where SpineMid sits from SpineBase to SpineShoulder in Kinect v2 (NTU median).
pub const SPINE_MID_FRACTION: f32 = 0.57;
/// How far SpineShoulder sits above the shoulders' midpoint, in torso lengths (SpineBase to that
/// midpoint; NTU median).
pub const SPINE_SHOULDER_RAISE: f32 = 0.063;

/// For each Kinect v2 joint, where it comes from (the table above).
pub const KINECT_FROM_MEDIAPIPE: [Source; NUM_JOINTS] = {
    use Source::*;
    [
        Mid(23, 24),
        Placed,
        Placed,
        Mid(7, 8),
        Copy(11),
        Copy(13),
        Copy(15),
        Mid(17, 19),
        Copy(12),
        Copy(14),
        Copy(16),
        Mid(18, 20),
        Copy(23),
        Copy(25),
        Copy(27),
        Copy(31),
        Copy(24),
        Copy(26),
        Copy(28),
        Copy(32),
        Placed,
        Placed,
        Copy(21),
        Placed,
        Copy(22),
    ]
};

/// Turns 33 MediaPipe Pose world landmarks (metres, image axes) into the 25 Kinect v2 joints
/// (metres, Kinect camera space).
pub fn mediapipe_to_kinect(landmarks: &[[f32; 3]; NUM_MEDIAPIPE_LANDMARKS]) -> Joints {
    let mut out = rules::apply(&KINECT_FROM_MEDIAPIPE, landmarks, rules::from_camera_axes);
    use Joint::*;
    let j = |out: &Joints, x: Joint| out[x.index()];
    let shoulders = rules::from_camera_axes(along(landmarks[11], landmarks[12], 0.5));
    out[SpineShoulder.index()] = along(j(&out, SpineBase), shoulders, 1.0 + SPINE_SHOULDER_RAISE);
    out[SpineMid.index()] = along(
        j(&out, SpineBase),
        j(&out, SpineShoulder),
        SPINE_MID_FRACTION,
    );
    out[Neck.index()] = along(j(&out, SpineShoulder), j(&out, Head), NECK_FRACTION);
    for (tip, wrist, hand) in [
        (HandTipLeft, WristLeft, HandLeft),
        (HandTipRight, WristRight, HandRight),
    ] {
        out[tip.index()] = along(j(&out, wrist), j(&out, hand), 1.0 + HAND_TIP_EXTENSION);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::joints::JOINT_NAMES;

    #[test]
    fn the_table_pairs_namesakes_and_places_only_what_mediapipe_lacks() {
        for (k, rule) in KINECT_FROM_MEDIAPIPE.iter().enumerate() {
            let kinect = JOINT_NAMES[k].to_ascii_lowercase();
            if let Source::Copy(i) = *rule {
                let mp = MEDIAPIPE_LANDMARK_NAMES[i].replace('_', "");
                let part = |n: &str| n.replace("left", "").replace("right", "");
                let same = part(&kinect) == part(&mp).trim_end_matches("index");
                assert!(
                    same,
                    "{} <- {}",
                    JOINT_NAMES[k], MEDIAPIPE_LANDMARK_NAMES[i]
                );
                // Same side.
                assert_eq!(
                    kinect.contains("left"),
                    mp.contains("left"),
                    "{kinect} {mp}"
                );
            }
        }
        let placed: Vec<&str> = KINECT_FROM_MEDIAPIPE
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == Source::Placed)
            .map(|(k, _)| JOINT_NAMES[k])
            .collect();
        assert_eq!(
            placed,
            [
                "SpineMid",
                "Neck",
                "SpineShoulder",
                "HandTipLeft",
                "HandTipRight"
            ]
        );
        let mut copies: Vec<usize> = KINECT_FROM_MEDIAPIPE
            .iter()
            .filter_map(|r| match r {
                Source::Copy(i) => Some(*i),
                _ => None,
            })
            .collect();
        let n = copies.len();
        copies.sort_unstable();
        copies.dedup();
        assert_eq!(copies.len(), n, "no landmark is copied twice");
        assert!(rules::sources(&KINECT_FROM_MEDIAPIPE).all(|i| i < NUM_MEDIAPIPE_LANDMARKS));
    }
}
