//! Counters shared by the network and inference threads, and the per-interval latency log the
//! stats message's percentiles come from.

use crate::protocol::{
    DROP_REASONS, LatencyStats, Percentiles, STATS_VERSION, StageLatency, StatsMessage,
    drop_reason_index,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Monotonic counters, updated with relaxed atomics from any thread.
#[derive(Default)]
pub struct Counters {
    pub frames_in: AtomicU64,
    pub frames_accepted: AtomicU64,
    pub dropped: [AtomicU64; DROP_REASONS.len()],
    pub windows: AtomicU64,
    /// Windows whose inference failed (logged on stderr).
    pub windows_failed: AtomicU64,
    pub labels: AtomicU64,
    pub labels_dropped: AtomicU64,
    pub events: AtomicU64,
    pub events_dropped: AtomicU64,
    pub bodies_tracked: AtomicU64,
    /// Times the bridge disconnected (each starts a new stream).
    pub stream_resets: AtomicU64,
    /// Messages some subscriber missed because its queue was full (set by the I/O thread).
    pub subscriber_drops: AtomicU64,
    /// Label subscribers connected now (set by the I/O thread).
    pub subscribers: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a dropped frame under `DROP_REASONS[reason]`.
    pub fn drop_frame(&self, reason: usize) {
        Counters::add(&self.dropped[reason], 1);
    }

    /// Frames dropped for the reason named `name` (0 for an unknown name).
    pub fn dropped(&self, name: &str) -> u64 {
        drop_reason_index(name).map_or(0, |i| self.dropped[i].load(Ordering::Relaxed))
    }
}

/// Latencies of the windows of the current stats interval, in a buffer allocated once; when an
/// interval has more windows than it holds, the oldest are overwritten.
pub struct LatencyLog {
    entries: Vec<StageLatency>,
    len: usize,
    next: usize,
    scratch: Vec<u32>,
}

impl LatencyLog {
    pub fn with_capacity(n: usize) -> LatencyLog {
        let n = n.max(1);
        LatencyLog {
            entries: vec![StageLatency::default(); n],
            len: 0,
            next: 0,
            scratch: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, l: StageLatency) {
        let n = self.entries.len();
        self.entries[self.next] = l;
        self.next = (self.next + 1) % n;
        self.len = (self.len + 1).min(n);
    }

    fn percentiles(&mut self, stage: fn(&StageLatency) -> u32) -> Percentiles {
        self.scratch.clear();
        self.scratch
            .extend(self.entries[..self.len].iter().map(stage));
        percentiles(&mut self.scratch)
    }

    /// Percentiles over the logged windows; empties the log.
    pub fn take(&mut self) -> LatencyStats {
        let stats = LatencyStats {
            windows: self.len as u64,
            queue: self.percentiles(|l| l.queue),
            normalise: self.percentiles(|l| l.normalise),
            encoder: self.percentiles(|l| l.encoder),
            energy_head: self.percentiles(|l| l.energy_head),
            total: self.percentiles(|l| l.total),
        };
        self.len = 0;
        self.next = 0;
        stats
    }
}

/// The `p` quantile (0 < p ≤ 1) of non-empty sorted values by the nearest-rank method.
pub fn nearest_rank<T: Copy>(sorted: &[T], p: f64) -> T {
    let r = (p * sorted.len() as f64).ceil() as usize;
    sorted[r.clamp(1, sorted.len()) - 1]
}

/// p50 / p99 / max by the nearest-rank method (sorts `values`); zeros when empty.
pub fn percentiles(values: &mut [u32]) -> Percentiles {
    if values.is_empty() {
        return Percentiles::default();
    }
    values.sort_unstable();
    Percentiles {
        p50: nearest_rank(values, 0.50),
        p99: nearest_rank(values, 0.99),
        max: values[values.len() - 1],
    }
}

/// The stats message for the counters now and the latency of the interval just ended.
pub fn message(counters: &Counters, started: Instant, latency: LatencyStats) -> StatsMessage {
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    StatsMessage {
        v: STATS_VERSION,
        t_us: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64),
        uptime_s: started.elapsed().as_secs_f64(),
        frames_in: load(&counters.frames_in),
        frames_accepted: load(&counters.frames_accepted),
        dropped: DROP_REASONS
            .iter()
            .zip(&counters.dropped)
            .map(|(name, c)| (name.to_string(), load(c)))
            .collect(),
        windows: load(&counters.windows),
        windows_failed: load(&counters.windows_failed),
        labels: load(&counters.labels),
        labels_dropped: load(&counters.labels_dropped),
        events: load(&counters.events),
        events_dropped: load(&counters.events_dropped),
        bodies_tracked: load(&counters.bodies_tracked),
        stream_resets: load(&counters.stream_resets),
        subscribers: load(&counters.subscribers),
        subscriber_drops: load(&counters.subscriber_drops),
        latency_us: latency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u32> = (1..=200).rev().collect();
        assert_eq!(
            percentiles(&mut v),
            Percentiles {
                p50: 100,
                p99: 198,
                max: 200
            }
        );
        assert_eq!(percentiles(&mut [7]).p99, 7);
        assert_eq!(percentiles(&mut []), Percentiles::default());
    }

    #[test]
    fn the_log_keeps_the_last_entries_and_empties_on_take() {
        let mut log = LatencyLog::with_capacity(4);
        for total in [10, 20, 30, 40, 50, 60] {
            log.push(StageLatency {
                total,
                ..Default::default()
            });
        }
        let s = log.take();
        assert_eq!((s.windows, s.total.p50, s.total.max), (4, 40, 60));
        assert_eq!(log.take().windows, 0);
    }

    #[test]
    fn every_reason_is_in_the_message() {
        let c = Counters::default();
        c.drop_frame(2);
        c.drop_frame(2);
        let m = message(&c, Instant::now(), LatencyStats::default());
        assert_eq!(m.dropped.len(), DROP_REASONS.len());
        assert_eq!((m.dropped["bad_json"], m.dropped_total()), (2, 2));
        assert_eq!(c.dropped("bad_json"), 2);
    }
}
