//! Between recorded NTU sequences and protocol frames: what `scale convert` and `scale replay`
//! use, and how recordings become body tracks for the normaliser.

use super::format::{NtuBody, NtuFrame, NtuSequence};
use crate::protocol::{BodyFrame, Layout, SkeletonFrame};
use crate::skeleton::Joints;
use crate::skeleton::normalize::tracks_by_body_id;

/// The frame rate of Kinect v2 recordings.
pub const NTU_FPS: f64 = 30.0;

/// Capture time of 1-based frame `seq` of a recording that starts at `t0_us`, at `fps`.
pub fn frame_time_us(t0_us: u64, seq: u64, fps: f64) -> u64 {
    t0_us + ((seq.saturating_sub(1)) as f64 * 1e6 / fps).round() as u64
}

impl NtuSequence {
    /// Protocol frames of the recording: `seq` counts from 1 (NTU's frame 1), capture times
    /// from `t0_us` at `fps`. Joint positions and tracking states are carried; depth/colour
    /// pixel positions, orientations and body-header fields are not part of the protocol.
    pub fn to_frames(&self, t0_us: u64, fps: f64) -> Vec<SkeletonFrame> {
        self.frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let seq = i as u64 + 1;
                SkeletonFrame {
                    seq,
                    t_us: frame_time_us(t0_us, seq, fps),
                    layout: Layout::KinectV2,
                    bodies: f
                        .bodies
                        .iter()
                        .map(|b| BodyFrame {
                            id: b.body_id,
                            joints: b.joints.iter().map(|j| j.position).collect(),
                            tracking: Some(b.joints.iter().map(|j| j.tracking_state).collect()),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// A recording from protocol frames (Azure Kinect bodies are reduced to 25 joints). Fields
    /// the protocol does not carry are zero.
    pub fn from_frames(frames: &[SkeletonFrame]) -> NtuSequence {
        NtuSequence {
            frames: frames
                .iter()
                .map(|f| NtuFrame {
                    bodies: f
                        .bodies
                        .iter()
                        .map(|b| {
                            let mut body =
                                NtuBody::from_positions(b.id, &b.kinect_joints(f.layout));
                            if let (Some(t), Layout::KinectV2) = (&b.tracking, f.layout) {
                                for (j, s) in body.joints.iter_mut().zip(t) {
                                    j.tracking_state = *s;
                                }
                            }
                            body
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// One track per body id (in order of first appearance), as long as the recording, for
    /// [`crate::skeleton::Normalizer`].
    pub fn body_tracks(&self) -> Vec<(u64, Vec<Option<Joints>>)> {
        let frames: Vec<Vec<(u64, Joints)>> = self
            .frames
            .iter()
            .map(|f| {
                f.bodies
                    .iter()
                    .map(|b| (b.body_id, b.positions()))
                    .collect()
            })
            .collect();
        tracks_by_body_id(frames.iter().map(|v| v.as_slice()))
    }
}
