//! The 25 Kinect v2 joints that NTU RGB+D records and every model in this project consumes.
//!
//! Indices here are 0-based (`SpineBase` = 0); NTU's documentation counts from 1.

/// Number of joints in the Kinect v2 / NTU RGB+D skeleton.
pub const NUM_JOINTS: usize = 25;

/// One body's joint positions for one frame, metres in Kinect camera space (x right, y up, z away
/// from the sensor), indexed by [`Joint`].
pub type Joints = [[f32; 3]; NUM_JOINTS];

/// A Kinect v2 joint. The discriminant is the 0-based index into [`Joints`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Joint {
    SpineBase = 0,
    SpineMid,
    Neck,
    Head,
    ShoulderLeft,
    ElbowLeft,
    WristLeft,
    HandLeft,
    ShoulderRight,
    ElbowRight,
    WristRight,
    HandRight,
    HipLeft,
    KneeLeft,
    AnkleLeft,
    FootLeft,
    HipRight,
    KneeRight,
    AnkleRight,
    FootRight,
    SpineShoulder,
    HandTipLeft,
    ThumbLeft,
    HandTipRight,
    ThumbRight,
}

impl Joint {
    /// All joints in index order.
    pub const ALL: [Joint; NUM_JOINTS] = [
        Joint::SpineBase,
        Joint::SpineMid,
        Joint::Neck,
        Joint::Head,
        Joint::ShoulderLeft,
        Joint::ElbowLeft,
        Joint::WristLeft,
        Joint::HandLeft,
        Joint::ShoulderRight,
        Joint::ElbowRight,
        Joint::WristRight,
        Joint::HandRight,
        Joint::HipLeft,
        Joint::KneeLeft,
        Joint::AnkleLeft,
        Joint::FootLeft,
        Joint::HipRight,
        Joint::KneeRight,
        Joint::AnkleRight,
        Joint::FootRight,
        Joint::SpineShoulder,
        Joint::HandTipLeft,
        Joint::ThumbLeft,
        Joint::HandTipRight,
        Joint::ThumbRight,
    ];

    /// 0-based index into [`Joints`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The Kinect SDK's name of the joint.
    pub const fn name(self) -> &'static str {
        JOINT_NAMES[self as usize]
    }

    /// The joint one step closer to the root. `SpineBase`'s parent is `SpineMid` (the root edge),
    /// as in NTU's own bone list.
    pub const fn parent(self) -> Joint {
        Joint::ALL[PARENTS[self as usize]]
    }

    /// The same joint on the other side of the body (`ElbowLeft` ↔ `ElbowRight`); joints of
    /// the midline are their own mirror.
    pub const fn mirror(self) -> Joint {
        Joint::ALL[MIRRORS[self as usize]]
    }
}

/// Index of each joint's left–right counterpart, 0-based (see [`Joint::mirror`]).
const MIRRORS: [usize; NUM_JOINTS] = [
    0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 20, 23, 24, 21, 22,
];

/// Kinect SDK joint names, in index order.
pub const JOINT_NAMES: [&str; NUM_JOINTS] = [
    "SpineBase",
    "SpineMid",
    "Neck",
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
    "SpineShoulder",
    "HandTipLeft",
    "ThumbLeft",
    "HandTipRight",
    "ThumbRight",
];

/// Parent of each joint, 0-based (NTU's 1-based list `[2,1,21,3,21,5,6,7,21,9,10,11,1,13,14,15,1,
/// 17,18,19,2,8,8,12,12]` minus one).
pub const PARENTS: [usize; NUM_JOINTS] = [
    1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 1, 7, 7, 11, 11,
];

/// The 24 bones of the tree as `(child, parent)` pairs, 0-based (the root edge is left out).
pub fn bones() -> impl Iterator<Item = (usize, usize)> {
    (1..NUM_JOINTS).map(|j| (j, PARENTS[j]))
}

/// Tracking state of a joint as the Kinect SDK reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum TrackingState {
    NotTracked = 0,
    /// Position estimated from neighbouring joints; less reliable.
    Inferred = 1,
    #[default]
    Tracked = 2,
}

impl TrackingState {
    /// The SDK's integer code, or `None` for a value outside 0..=2.
    pub const fn from_code(code: u8) -> Option<TrackingState> {
        match code {
            0 => Some(TrackingState::NotTracked),
            1 => Some(TrackingState::Inferred),
            2 => Some(TrackingState::Tracked),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_joint_reaches_the_root_without_cycles() {
        for j in Joint::ALL {
            let mut cur = j;
            let mut steps = 0;
            while cur != Joint::SpineBase && cur != Joint::SpineMid {
                cur = cur.parent();
                steps += 1;
                assert!(steps < NUM_JOINTS, "{} does not reach the spine", j.name());
            }
        }
        assert_eq!(bones().count(), 24);
        assert_eq!(Joint::HandTipRight.parent(), Joint::HandRight);
        assert_eq!(Joint::Neck.parent(), Joint::SpineShoulder);
        assert_eq!(Joint::ThumbLeft.name(), "ThumbLeft");
    }

    #[test]
    fn the_mirror_swaps_left_and_right_names_and_keeps_the_tree() {
        for j in Joint::ALL {
            let m = j.mirror();
            assert_eq!(m.mirror(), j, "{}", j.name());
            let swapped = j
                .name()
                .replace("Left", "#")
                .replace("Right", "Left")
                .replace('#', "Right");
            assert_eq!(m.name(), swapped, "{}", j.name());
            // The parent of a mirrored joint is the mirror of its parent.
            assert_eq!(m.parent(), j.parent().mirror(), "{}", j.name());
        }
    }
}
