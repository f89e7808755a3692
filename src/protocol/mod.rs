//! The wire formats: what bridges send (`frames`) and what the server publishes (`labels`,
//! `events`, `stats`). Only this module knows them; `docs/protocol.md` is their user-facing description.
//!
//! Every ZeroMQ message is two frames, `[topic, payload]`, so subscribers can filter by topic.

mod control;
mod event;
mod frame;
mod label;
mod stats;

pub use control::{
    ControlReply, ControlRequest, MAX_DESCRIPTIONS, MAX_REQUEST_BYTES, MAX_TEXT_CHARS,
};
pub use event::{EVENT_VERSION, EventClass, EventKind, EventMessage};
pub use frame::{
    BINARY_HEADER_LEN, BINARY_MAGIC, BodyFrame, FRAME_VERSION, Layout, SkeletonFrame, read_jsonl,
};
pub use label::{LABEL_VERSION, LabelMessage, RankedClass, StageLatency};
pub use stats::{
    DROP_OUT_OF_ORDER, DROP_QUEUE_FULL, LatencyStats, Percentiles, STATS_VERSION, StatsMessage,
};

/// Topic of skeleton frames from a bridge.
pub const TOPIC_FRAMES: &[u8] = b"frames";
/// Topic of recognised labels.
pub const TOPIC_LABELS: &[u8] = b"labels";
/// Topic of action events (an action started or ended on a body).
pub const TOPIC_EVENTS: &[u8] = b"events";
/// Topic of the server's periodic statistics.
pub const TOPIC_STATS: &[u8] = b"stats";

/// Why a message was refused. Each kind of malformation is its own variant, and
/// [`ProtocolError::kind`] gives a stable short name for counting them.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProtocolError {
    #[error("empty payload")]
    EmptyPayload,
    #[error(
        "payload is neither JSON (starts with '{{') nor binary (starts with \"SKLF\"): first byte {first_byte:#04x}"
    )]
    UnknownPayload { first_byte: u8 },
    #[error("malformed JSON frame: {0}")]
    BadJson(String),
    #[error("unsupported frame version {0} (this build reads version {FRAME_VERSION})")]
    UnknownVersion(String),
    #[error(
        "unknown layout {0:?} (expected \"kinect_v2\", \"azure_kinect\", \"kinect_v1\", \"mediapipe_pose\", \"zed_body_34\" or \"zed_body_38\")"
    )]
    UnknownLayout(String),
    #[error("body {body:?}: layout {layout} has {expected} joints, found {found}")]
    WrongJointCount {
        body: Option<u64>,
        layout: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("NaN or infinite coordinate (body {body:?}, joint {joint:?})")]
    NonFinite {
        body: Option<u64>,
        joint: Option<usize>,
    },
    #[error(
        "body {body}: tracking states must be one of 0, 1, 2 per joint (found {found} values, bad value {value:?})"
    )]
    BadTracking {
        body: u64,
        found: usize,
        value: Option<i64>,
    },
    #[error("body id {0} appears twice in one frame")]
    DuplicateBody(u64),
    #[error("binary frame truncated: needs {needed} bytes, has {found}")]
    Truncated { needed: usize, found: usize },
    #[error("binary frame has {extra} bytes after its last body")]
    TrailingBytes { extra: usize },
    #[error("bad binary header: {0}")]
    BadHeader(String),
    #[error("expected a two-part message [topic, payload], got {0} parts")]
    PartCount(usize),
    #[error("unexpected topic {0:?}")]
    UnknownTopic(String),
}

/// Every reason a frame can be dropped for, in the order the stats message counts them: the
/// decoding errors ([`ProtocolError::kind`]), then [`DROP_OUT_OF_ORDER`] and [`DROP_QUEUE_FULL`].
pub const DROP_REASONS: [&str; 16] = [
    "empty",
    "unknown_payload",
    "bad_json",
    "unknown_version",
    "unknown_layout",
    "wrong_joint_count",
    "non_finite",
    "bad_tracking",
    "duplicate_body",
    "truncated",
    "trailing_bytes",
    "bad_header",
    "part_count",
    "unknown_topic",
    DROP_OUT_OF_ORDER,
    DROP_QUEUE_FULL,
];

/// Position of a drop reason in [`DROP_REASONS`].
pub fn drop_reason_index(name: &str) -> Option<usize> {
    DROP_REASONS.iter().position(|r| *r == name)
}

impl ProtocolError {
    /// Position of [`ProtocolError::kind`] in [`DROP_REASONS`].
    pub fn drop_index(&self) -> usize {
        drop_reason_index(self.kind()).expect("every error kind is a drop reason")
    }

    /// A stable snake_case name of the error kind, used as the key of drop counters.
    pub fn kind(&self) -> &'static str {
        match self {
            ProtocolError::EmptyPayload => "empty",
            ProtocolError::UnknownPayload { .. } => "unknown_payload",
            ProtocolError::BadJson(_) => "bad_json",
            ProtocolError::UnknownVersion(_) => "unknown_version",
            ProtocolError::UnknownLayout(_) => "unknown_layout",
            ProtocolError::WrongJointCount { .. } => "wrong_joint_count",
            ProtocolError::NonFinite { .. } => "non_finite",
            ProtocolError::BadTracking { .. } => "bad_tracking",
            ProtocolError::DuplicateBody(_) => "duplicate_body",
            ProtocolError::Truncated { .. } => "truncated",
            ProtocolError::TrailingBytes { .. } => "trailing_bytes",
            ProtocolError::BadHeader(_) => "bad_header",
            ProtocolError::PartCount(_) => "part_count",
            ProtocolError::UnknownTopic(_) => "unknown_topic",
        }
    }
}

/// Decodes a two-part `[b"frames", payload]` message.
pub fn decode_frame_message<P: AsRef<[u8]>>(parts: &[P]) -> Result<SkeletonFrame, ProtocolError> {
    match parts {
        [topic, payload] if topic.as_ref() == TOPIC_FRAMES => {
            SkeletonFrame::decode(payload.as_ref())
        }
        [topic, _] => Err(ProtocolError::UnknownTopic(
            String::from_utf8_lossy(topic.as_ref()).into_owned(),
        )),
        _ => Err(ProtocolError::PartCount(parts.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_need_the_frames_topic_and_two_parts() {
        let f = SkeletonFrame {
            seq: 3,
            t_us: 4,
            layout: Layout::KinectV2,
            bodies: vec![],
        };
        let payload = f.to_binary();
        assert_eq!(
            decode_frame_message(&[TOPIC_FRAMES, &payload[..]]).unwrap(),
            f
        );
        assert_eq!(
            decode_frame_message(&[b"labels".as_slice(), &payload[..]])
                .unwrap_err()
                .kind(),
            "unknown_topic"
        );
        assert_eq!(
            decode_frame_message(&[&payload[..]]).unwrap_err().kind(),
            "part_count"
        );
    }

    #[test]
    fn every_error_kind_is_a_drop_reason() {
        let all = [
            ProtocolError::EmptyPayload,
            ProtocolError::UnknownPayload { first_byte: 0 },
            ProtocolError::BadJson(String::new()),
            ProtocolError::UnknownVersion(String::new()),
            ProtocolError::UnknownLayout(String::new()),
            ProtocolError::WrongJointCount {
                body: None,
                layout: "kinect_v2",
                expected: 25,
                found: 3,
            },
            ProtocolError::NonFinite {
                body: None,
                joint: None,
            },
            ProtocolError::BadTracking {
                body: 0,
                found: 0,
                value: None,
            },
            ProtocolError::DuplicateBody(0),
            ProtocolError::Truncated {
                needed: 1,
                found: 0,
            },
            ProtocolError::TrailingBytes { extra: 1 },
            ProtocolError::BadHeader(String::new()),
            ProtocolError::PartCount(1),
            ProtocolError::UnknownTopic(String::new()),
        ];
        let mut seen: Vec<usize> = all.iter().map(ProtocolError::drop_index).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (0..14).collect::<Vec<_>>());
        assert_eq!(DROP_REASONS[14..], [DROP_OUT_OF_ORDER, DROP_QUEUE_FULL]);
    }
}
