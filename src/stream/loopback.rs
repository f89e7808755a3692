//! Replayer → server → subscriber in one process over real ZeroMQ TCP loopback sockets: what
//! `scale demo` and the frame-to-label part of `scale bench` run.

use super::net::{self, Shutdown};
use super::replay::{Recording, ReplayConfig, Replayer, Sent};
use super::server::{ServeConfig, Server};
use crate::protocol::{LabelMessage, StatsMessage, TOPIC_LABELS, TOPIC_STATS};
use std::cell::RefCell;
use std::time::{Duration, Instant};
use zeromq::{Socket, SocketRecv, SubSocket};

/// A label as the subscriber got it.
#[derive(Clone, Debug)]
pub struct Received {
    pub message: LabelMessage,
    pub at: Instant,
}

/// Everything one loopback run produced.
#[derive(Debug, Default)]
pub struct LoopbackRun {
    pub labels: Vec<Received>,
    /// Every frame sent, in order (`sent[i].seq == i + 1`).
    pub sent: Vec<Sent>,
    /// The last stats message the subscriber received.
    pub stats: Option<StatsMessage>,
    /// Sensor frames per window, and the model's T.
    pub window: usize,
    pub model_frames: usize,
}

impl LoopbackRun {
    /// When the frame with this seq was sent.
    pub fn sent_at(&self, seq: u64) -> Option<&Sent> {
        self.sent.get(seq.checked_sub(1)? as usize)
    }
}

/// Plays `recordings` through a server made from `serve` (its endpoints are replaced by
/// loopback ones) and collects what a subscriber receives. `on_label` sees each label as it
/// arrives, with the frames sent so far.
pub fn run(
    recordings: &[Recording],
    mut serve: ServeConfig,
    replay: &ReplayConfig,
    on_label: &mut dyn FnMut(&Received, &[Sent]),
) -> Result<LoopbackRun, String> {
    let rt = net::runtime()?;
    rt.block_on(async {
        let shutdown = Shutdown::new();
        let mut replayer = Replayer::bind("tcp://127.0.0.1:0").await?;
        serve.frames = replayer.endpoint.clone();
        serve.frames_bind = false;
        serve.labels = "tcp://127.0.0.1:0".into();
        let server = Server::start(serve)?;
        let mut sub = SubSocket::new();
        sub.subscribe("")
            .await
            .map_err(|e| format!("subscribe: {e}"))?;
        sub.connect(&server.labels_endpoint)
            .await
            .map_err(|e| format!("connect to {}: {e}", server.labels_endpoint))?;
        if !replayer
            .wait_for_subscriber(Some(Duration::from_secs(20)), &shutdown)
            .await
        {
            return Err("the server did not connect to the replayer within 20 s".into());
        }
        let run = RefCell::new(LoopbackRun {
            window: server.window,
            model_frames: server.model_frames,
            ..Default::default()
        });
        let mut record = |s: Sent| run.borrow_mut().sent.push(s);
        let play = async {
            let n = replayer
                .play(recordings, replay, &shutdown, &mut record)
                .await;
            // Let the last windows come through.
            tokio::time::sleep(Duration::from_millis(1000)).await;
            n
        };
        let mut take = |parts: Vec<bytes::Bytes>, at: Instant| match parts.as_slice() {
            [topic, payload] if topic.as_ref() == TOPIC_LABELS => {
                if let Ok(message) = LabelMessage::from_json(payload) {
                    let r = Received { message, at };
                    let mut run = run.borrow_mut();
                    on_label(&r, &run.sent);
                    run.labels.push(r);
                }
            }
            [topic, payload] if topic.as_ref() == TOPIC_STATS => {
                if let Ok(s) = StatsMessage::from_json(payload) {
                    run.borrow_mut().stats = Some(s);
                }
            }
            _ => {}
        };
        let receive = async {
            loop {
                if let Ok(m) = sub.recv().await {
                    take(m.into_vec(), Instant::now());
                }
            }
        };
        let played = tokio::select! {
            n = play => n,
            _ = receive => unreachable!("the receive loop does not end"),
        };
        // Stop the server and catch its last stats message.
        server.stop();
        let last = async {
            while let Ok(m) = sub.recv().await {
                let parts = m.into_vec();
                let is_stats = parts.first().is_some_and(|t| t.as_ref() == TOPIC_STATS);
                take(parts, Instant::now());
                if is_stats {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_millis(1500), last).await;
        server.wait()?;
        played?;
        Ok(run.into_inner())
    })
}
