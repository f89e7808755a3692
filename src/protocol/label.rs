//! The label message the server publishes for every window it recognises.

use serde::{Deserialize, Serialize};

/// Version of the label payload.
pub const LABEL_VERSION: u32 = 1;

/// One candidate class of a window, best first in [`LabelMessage::top`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankedClass {
    /// Class id in the model's catalogue.
    pub id: u32,
    pub name: String,
    /// SCALE energy: lower means more compatible.
    pub energy: f32,
    /// Softmax of the negative energies over all candidate classes, in [0, 1].
    pub score: f32,
}

/// Time spent in each stage for one window, microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageLatency {
    /// From the last frame's arrival to the start of inference.
    pub queue: u32,
    pub normalise: u32,
    pub encoder: u32,
    pub energy_head: u32,
    /// From the last frame's arrival to the label being handed to the publisher.
    pub total: u32,
}

/// A recognised window: topic `labels`, JSON payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelMessage {
    pub v: u32,
    /// Tracking ids of the bodies in the window (one, or two for an interaction).
    pub bodies: Vec<u64>,
    /// `seq` of the window's first and last frame.
    pub seq_first: u64,
    pub seq_last: u64,
    /// Capture time of the window's first frame, µs.
    pub t_first_us: u64,
    /// Capture time of the window's last frame, µs.
    pub t_us: u64,
    /// The best classes, best (lowest energy) first.
    pub top: Vec<RankedClass>,
    /// True when even the best class's energy is above the model's calibrated threshold.
    pub unknown: bool,
    /// The most any body in the window moves (metres: the third-largest spread of a joint
    /// about its mean over the window's frames, hand tips and thumbs left out).
    #[serde(default)]
    pub motion: f32,
    /// True when `motion` is below the server's `--still-below`: nobody in the window is
    /// doing anything, whatever the ranking says. Still windows start and carry no event.
    #[serde(default)]
    pub still: bool,
    pub latency_us: StageLatency,
}

impl LabelMessage {
    /// The JSON payload.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("label messages serialise")
    }

    /// Parses a JSON payload (for subscribers and tests).
    pub fn from_json(payload: &[u8]) -> Result<LabelMessage, serde_json::Error> {
        serde_json::from_slice(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_json_has_the_documented_fields() {
        let m = LabelMessage {
            v: LABEL_VERSION,
            bodies: vec![7],
            seq_first: 1,
            seq_last: 64,
            t_first_us: 1_700_000_000_000_000,
            t_us: 1_700_000_002_100_000,
            top: vec![RankedClass {
                id: 0,
                name: "drink water".into(),
                energy: 1.23,
                score: 0.61,
            }],
            unknown: false,
            motion: 0.041,
            still: false,
            latency_us: StageLatency {
                queue: 40,
                normalise: 12,
                encoder: 610,
                energy_head: 90,
                total: 830,
            },
        };
        let v: serde_json::Value = serde_json::from_slice(&m.to_json()).unwrap();
        assert_eq!(v["v"], 1);
        assert_eq!(v["bodies"][0], 7);
        assert_eq!(v["seq_last"], 64);
        assert_eq!(v["top"][0]["name"], "drink water");
        assert_eq!(v["latency_us"]["total"], 830);
        assert_eq!(v["still"], false);
        assert!((v["motion"].as_f64().unwrap() - 0.041).abs() < 1e-6);
        assert_eq!(LabelMessage::from_json(&m.to_json()).unwrap(), m);
        // Labels of servers from before the still test parse: not still.
        let mut old = v.clone();
        let o = old.as_object_mut().unwrap();
        o.remove("motion");
        o.remove("still");
        let parsed = LabelMessage::from_json(&serde_json::to_vec(&old).unwrap()).unwrap();
        assert_eq!((parsed.motion, parsed.still), (0.0, false));
    }
}
