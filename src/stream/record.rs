//! Recording a live stream: the frames a bridge publishes, written one JSON frame per line (a
//! `.jsonl` recording, docs/protocol.md) that `scale replay`, `label`, `eval` and `inspect` read
//! back. Frames keep their layout, `seq`, `t_us`, positions and tracking states exactly; a
//! message that is not a valid frame is counted by reason and left out, and recording goes on.

use super::net::{self, Shutdown};
use crate::protocol::{DROP_REASONS, decode_frame_message};
use futures::StreamExt;
use std::io::Write;
use std::time::{Duration, Instant};
use zeromq::{SocketEvent, SocketRecv};

/// What to record and when to stop.
#[derive(Clone, Debug)]
pub struct RecordConfig {
    /// The bridge's PUB endpoint (connected to), or the endpoint to bind with `bind`.
    pub frames: String,
    pub bind: bool,
    /// Stop after this many frames.
    pub count: Option<u64>,
    /// Stop this long after the first frame.
    pub duration: Option<Duration>,
    /// Say on stderr when connected, when a message is dropped, when the bridge restarts.
    pub log: bool,
}

/// What a recording got.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordSummary {
    /// Frames written.
    pub frames: u64,
    /// Frames written that had at least one body.
    pub frames_with_bodies: u64,
    /// The most bodies in one frame.
    pub bodies_max: usize,
    /// Messages left out, by reason: `(reason, count)` in [`DROP_REASONS`] order, nonzero only.
    pub dropped: Vec<(&'static str, u64)>,
    /// Times the bridge went away and came back (`seq` may start over there).
    pub bridge_restarts: u64,
}

/// Records frames from `config.frames` into `out` until `shutdown`, `config.count` frames or
/// `config.duration` after the first frame. Every frame is written and flushed as it comes, so
/// an interrupted recording keeps all it received. Errors: binding, or writing `out`.
pub async fn record<W: Write>(
    config: &RecordConfig,
    shutdown: &Shutdown,
    out: &mut W,
) -> Result<RecordSummary, String> {
    let log = config.log.then_some("scale record");
    let mut waited = false;
    let (mut sub, mut events) = if config.bind {
        let s = net::bind_sub(&config.frames).await?;
        if let Some(name) = log {
            eprintln!("{name}: bound {}; bridges connect here", config.frames);
        }
        s
    } else {
        tokio::select! {
            s = net::connect_sub(&config.frames, log, &mut waited) => s,
            _ = shutdown.stopped() => return Ok(RecordSummary::default()),
        }
    };
    let mut summary = RecordSummary::default();
    let mut dropped = [0u64; DROP_REASONS.len()];
    let mut deadline: Option<Instant> = None;
    let mut line = Vec::new();
    while config.count.is_none_or(|n| summary.frames < n) {
        let until_deadline = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        let received = tokio::select! {
            m = sub.recv() => m,
            Some(event) = events.next() => {
                if let SocketEvent::Disconnected(_) = event {
                    summary.bridge_restarts += 1;
                    if let Some(name) = log {
                        eprintln!("{name}: the bridge went away; waiting for it");
                    }
                    if !config.bind {
                        waited = false;
                        (sub, events) = tokio::select! {
                            s = net::connect_sub(&config.frames, log, &mut waited) => s,
                            _ = shutdown.stopped() => break,
                        };
                    }
                }
                continue;
            }
            _ = shutdown.stopped() => break,
            _ = until_deadline => break,
        };
        let Ok(message) = received else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        match decode_frame_message(&message.into_vec()) {
            Ok(frame) => {
                line.clear();
                line.extend_from_slice(&frame.to_json());
                line.push(b'\n');
                out.write_all(&line)
                    .and_then(|()| out.flush())
                    .map_err(|e| format!("cannot write: {e}"))?;
                summary.frames += 1;
                summary.frames_with_bodies += u64::from(!frame.bodies.is_empty());
                summary.bodies_max = summary.bodies_max.max(frame.bodies.len());
                if deadline.is_none() {
                    deadline = config.duration.map(|d| Instant::now() + d);
                }
            }
            Err(e) => {
                let i = e.drop_index();
                dropped[i] += 1;
                if let Some(name) = log.filter(|_| net::worth_logging(dropped[i])) {
                    eprintln!(
                        "{name}: left out a message ({} so far for {}): {e}",
                        dropped[i], DROP_REASONS[i]
                    );
                }
            }
        }
    }
    summary.dropped = DROP_REASONS
        .iter()
        .zip(dropped)
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| (*r, n))
        .collect();
    Ok(summary)
}
