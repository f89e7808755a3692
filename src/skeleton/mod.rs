//! Skeletons: the Kinect v2 joint set every model uses, the Azure Kinect and Kinect v1 mappings
//! onto it, and the one normalisation that turns body tracks into model input windows.

pub mod azure;
pub mod joints;
pub mod kinect_v1;
pub mod normalize;

pub use joints::{Joint, Joints, NUM_JOINTS};
pub use normalize::{BodyTrack, Normalizer};
