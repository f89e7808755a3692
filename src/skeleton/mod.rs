//! Skeletons: the Kinect v2 joint set every model uses, the mappings onto it of the other
//! sensors' joint sets (Azure Kinect, Kinect v1, MediaPipe Pose, ZED `BODY_34` / `BODY_38`, by
//! rule tables in `rules`), and the one normalisation that turns body tracks into model input
//! windows.

pub mod azure;
pub mod joints;
pub mod kinect_v1;
pub mod mediapipe;
pub mod motion;
pub mod normalize;
pub mod rules;
pub mod zed;

pub use joints::{Joint, Joints, NUM_JOINTS};
pub use normalize::{BodyTrack, Normalizer};
