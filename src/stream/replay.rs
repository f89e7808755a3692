//! `scale replay`: publishes recordings (NTU `.skeleton` or JSON-lines protocol frames) as live
//! frames on a PUB that binds, at the recorded rate, as a depth-sensor bridge would.
//!
//! Frames are renumbered: `seq` counts up across recordings and loops (a live sensor never goes
//! back), and `t_us` is the wall-clock time of sending (a bridge stamps capture time). Between
//! recordings the replayer sends `gap` seconds of frames without bodies, so that the server
//! drops the previous recording's bodies before the next recording starts.

use super::net::{self, Shutdown};
use crate::ntu::frames::NTU_FPS;
use crate::protocol::{SkeletonFrame, TOPIC_FRAMES};
use crate::recording::{self, ReadOptions};
use futures::StreamExt;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeromq::{PubSocket, Socket, SocketEvent, SocketSend};

/// How frames are encoded on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WireFormat {
    Json,
    Binary,
}

/// One recording to play.
#[derive(Clone, Debug)]
pub struct Recording {
    /// File name (or a description for generated recordings).
    pub name: String,
    pub frames: Vec<SkeletonFrame>,
}

/// Reads a recording (`.skeleton`, `.jsonl`, `.bvh`, `.amc`), or every recording in a folder
/// and its subfolders (sorted by path).
pub fn load(path: &Path, options: &ReadOptions) -> Result<Vec<Recording>, String> {
    recording::files(path)?
        .iter()
        .map(|f| {
            Ok(Recording {
                name: f
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                frames: recording::read(f, options)?,
            })
        })
        .collect()
}

/// Playback settings.
#[derive(Clone, Copy, Debug)]
pub struct ReplayConfig {
    /// Recorded frame rate.
    pub fps: f64,
    /// Playback speed (2: twice as fast).
    pub speed: f64,
    /// Start again after the last recording until stopped.
    pub looped: bool,
    pub format: WireFormat,
    /// Seconds of body-less frames between recordings.
    pub gap_s: f64,
}

impl Default for ReplayConfig {
    fn default() -> ReplayConfig {
        ReplayConfig {
            fps: NTU_FPS,
            speed: 1.0,
            looped: false,
            format: WireFormat::Json,
            gap_s: 1.5,
        }
    }
}

/// A frame that went out.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
    pub seq: u64,
    /// Index of its recording, `None` for gap frames.
    pub recording: Option<usize>,
    pub at: Instant,
}

/// A bound frame publisher.
pub struct Replayer {
    socket: PubSocket,
    events: futures::channel::mpsc::Receiver<SocketEvent>,
    /// The endpoint it is bound to.
    pub endpoint: String,
    next_seq: u64,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl Replayer {
    pub async fn bind(endpoint: &str) -> Result<Replayer, String> {
        let mut socket = PubSocket::new();
        let events = socket.monitor();
        let endpoint = net::bind(&mut socket, endpoint).await?;
        Ok(Replayer {
            socket,
            events,
            endpoint,
            next_seq: 1,
        })
    }

    /// Waits until a subscriber has connected (and had time to subscribe): a PUB drops what it
    /// sends while nobody listens. `None` waits forever; false on timeout or shutdown.
    pub async fn wait_for_subscriber(
        &mut self,
        timeout: Option<Duration>,
        shutdown: &Shutdown,
    ) -> bool {
        let accepted = async {
            while let Some(e) = self.events.next().await {
                if matches!(e, SocketEvent::Accepted(..)) {
                    return true;
                }
            }
            false
        };
        let limit = async {
            match timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let ok = tokio::select! {
            ok = accepted => ok,
            _ = limit => false,
            _ = shutdown.stopped() => false,
        };
        if ok {
            // The subscription travels after the connection; give it a moment.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        ok
    }

    /// Sends one frame now, renumbered; returns its seq.
    pub async fn send(&mut self, frame: &SkeletonFrame, format: WireFormat) -> u64 {
        let mut f = frame.clone();
        f.seq = self.next_seq;
        f.t_us = now_us();
        self.next_seq += 1;
        let payload = match format {
            WireFormat::Json => f.to_json(),
            WireFormat::Binary => f.to_binary(),
        };
        // A PUB never blocks: with no subscriber the frame is simply not delivered.
        let _ = self.socket.send(net::message(TOPIC_FRAMES, &payload)).await;
        f.seq
    }

    /// Sends raw bytes as a frames message (for tests of malformed input).
    pub async fn send_raw(&mut self, payload: &[u8]) {
        let _ = self.socket.send(net::message(TOPIC_FRAMES, payload)).await;
    }

    /// Plays the recordings at the configured rate until done (or stopped); returns the
    /// number of frames sent.
    pub async fn play(
        &mut self,
        recordings: &[Recording],
        config: &ReplayConfig,
        shutdown: &Shutdown,
        on_sent: &mut dyn FnMut(Sent),
    ) -> Result<u64, String> {
        let sane = |x: f64| x.is_finite() && (1e-3..=1e4).contains(&x);
        if !(sane(config.fps) && sane(config.speed) && config.gap_s.is_finite()) {
            return Err(format!(
                "fps and speed must be between 0.001 and 10000, and gap finite (got {}, {} and {})",
                config.fps, config.speed, config.gap_s
            ));
        }
        let interval = Duration::from_secs_f64(1.0 / (config.fps * config.speed));
        let gap = (config.gap_s.max(0.0) * config.fps).round() as usize;
        let frames: usize = recordings.iter().map(|r| r.frames.len()).sum();
        if frames == 0 {
            return Err("the recordings hold no frames".into());
        }
        let layout = recordings
            .first()
            .and_then(|r| r.frames.first())
            .map_or(crate::protocol::Layout::KinectV2, |f| f.layout);
        let empty = SkeletonFrame {
            seq: 0,
            t_us: 0,
            layout,
            bodies: Vec::new(),
        };
        let start = tokio::time::Instant::now();
        let mut sent = 0u64;
        loop {
            for (i, rec) in recordings.iter().enumerate() {
                let frames = rec
                    .frames
                    .iter()
                    .map(|f| (Some(i), f))
                    .chain(std::iter::repeat_n((None, &empty), gap));
                for (recording, frame) in frames {
                    let due = start + interval.mul_f64(sent as f64);
                    tokio::select! {
                        _ = tokio::time::sleep_until(due) => {},
                        _ = shutdown.stopped() => return Ok(sent),
                    }
                    let seq = self.send(frame, config.format).await;
                    on_sent(Sent {
                        seq,
                        recording,
                        at: Instant::now(),
                    });
                    sent += 1;
                }
            }
            if !config.looped || recordings.is_empty() {
                return Ok(sent);
            }
        }
    }
}
