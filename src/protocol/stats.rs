//! The statistics message the server publishes every few seconds (topic `stats`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the stats payload.
pub const STATS_VERSION: u32 = 1;

/// Why a frame was dropped, beyond the decoding errors of [`super::ProtocolError::kind`]:
/// `out_of_order` (seq not above the last accepted one) and `queue_full` (the inference thread
/// was behind and its input queue was full).
pub const DROP_OUT_OF_ORDER: &str = "out_of_order";
pub const DROP_QUEUE_FULL: &str = "queue_full";

/// p50, p99 and max of one latency over the windows of one stats interval, µs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: u32,
    pub p99: u32,
    pub max: u32,
}

/// Latency of the windows labelled since the previous stats message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyStats {
    /// Windows these percentiles are over (0: no window in the interval, all zeros).
    pub windows: u64,
    pub queue: Percentiles,
    pub normalise: Percentiles,
    pub encoder: Percentiles,
    pub energy_head: Percentiles,
    pub total: Percentiles,
}

/// Counters since the server started, and the latency of the last interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsMessage {
    pub v: u32,
    /// Wall-clock time of this message, µs since the Unix epoch.
    pub t_us: u64,
    /// Seconds since the server started.
    pub uptime_s: f64,
    /// Messages received on the frames socket (valid or not).
    pub frames_in: u64,
    /// Frames that reached the window assembler.
    pub frames_accepted: u64,
    /// Dropped frames by reason; every reason is present, most are 0.
    pub dropped: BTreeMap<String, u64>,
    /// Windows labelled.
    pub windows: u64,
    /// Windows whose inference failed (e.g. non-finite energies from absurd coordinates).
    pub windows_failed: u64,
    /// Labels handed to the publisher.
    pub labels: u64,
    /// Labels not published because the publisher was behind (never blocks inference).
    pub labels_dropped: u64,
    /// Events handed to the publisher, and events not published because the publisher was
    /// behind.
    #[serde(default)]
    pub events: u64,
    #[serde(default)]
    pub events_dropped: u64,
    /// Bodies tracked right now.
    pub bodies_tracked: u64,
    /// Times the bridge disconnected; each starts a new stream (bodies forgotten, seq may
    /// start over).
    pub stream_resets: u64,
    /// Label subscribers connected now.
    #[serde(default)]
    pub subscribers: u64,
    /// Messages (labels, events, stats) that some subscriber did not get because its queue
    /// was full: it read too slowly. Counted once per subscriber missing it.
    #[serde(default)]
    pub subscriber_drops: u64,
    pub latency_us: LatencyStats,
}

impl StatsMessage {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("stats messages serialise")
    }

    pub fn from_json(payload: &[u8]) -> Result<StatsMessage, serde_json::Error> {
        serde_json::from_slice(payload)
    }

    /// Frames dropped for any reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }
}
