//! NTU RGB+D: the `.skeleton` file format and the dataset's facts (sample names, protocols,
//! missing samples, class names, zero-shot splits).

pub mod dataset;
pub mod format;
pub mod frames;

pub use dataset::{SampleId, class_names, zero_shot_splits};
pub use format::{NtuBody, NtuError, NtuFrame, NtuJoint, NtuSequence};
