//! The live view of `scale serve --http ADDR`: one page at `/` that draws every tracked body,
//! moving, with its current label, score and the last events, fed over a WebSocket at `/ws`.
//!
//! The I/O thread feeds it (frames as it decodes them, at most [`FRAME_HZ`] a second; labels
//! and events as it publishes them) through a `tokio::sync::broadcast` channel, and only while
//! a page is connected: the view never touches the inference thread and costs nothing when
//! nobody watches. A page that reads too slowly skips messages (the broadcast channel drops
//! the oldest for it), never slowing the server. The HTTP server runs on its own thread.
//!
//! WebSocket messages, JSON text: `{"type": "hello", "bones": [[child, parent], …], "joints":
//! [names]}` once, then `{"type": "frame", "seq": …, "t_us": …, "bodies": [{"id": …, "joints":
//! [[x, y, z] × 25]}]}` (Kinect v2 joints, Kinect camera space, whatever the sensor's layout),
//! `{"type": "label", "message": <label message>}` and `{"type": "event", "message": <event
//! message>}` (`docs/protocol.md`); right after the hello, the last events from before the page
//! connected.

use super::net::Shutdown;
use crate::protocol::SkeletonFrame;
use crate::skeleton::joints::{JOINT_NAMES, bones};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use crossbeam_channel::Sender;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Most skeleton frames a second sent to the page.
pub const FRAME_HZ: u32 = 20;
/// Default address of `--http` (loopback only).
pub const DEFAULT_HTTP: &str = "127.0.0.1:8080";
/// Messages a page may fall behind by before it skips.
const BACKLOG: usize = 256;

const PAGE: &str = include_str!("view.html");

/// Events a page gets when it connects (the last ones before it came).
const RECENT_EVENTS: usize = 10;

/// The last events, for pages that connect later.
type Recent = Arc<Mutex<VecDeque<Arc<str>>>>;

/// The I/O thread's end: what it has seen goes to the connected pages.
pub struct ViewFeed {
    tx: broadcast::Sender<Arc<str>>,
    recent: Recent,
    next_frame: Instant,
    text: String,
}

impl ViewFeed {
    /// Whether a page is connected.
    pub fn watched(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// A decoded frame (sent at most [`FRAME_HZ`] times a second, while a page is connected).
    pub fn frame(&mut self, frame: &SkeletonFrame) {
        if !self.watched() {
            return;
        }
        let now = Instant::now();
        if now < self.next_frame {
            return;
        }
        self.next_frame = now + Duration::from_secs(1) / FRAME_HZ;
        let t = &mut self.text;
        t.clear();
        let _ = write!(
            t,
            r#"{{"type":"frame","seq":{},"t_us":{},"bodies":["#,
            frame.seq, frame.t_us
        );
        for (i, b) in frame.bodies.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            let _ = write!(t, r#"{{"id":{},"joints":["#, b.id);
            for (j, p) in b.kinect_joints(frame.layout).iter().enumerate() {
                if j > 0 {
                    t.push(',');
                }
                let _ = write!(t, "[{:.4},{:.4},{:.4}]", p[0], p[1], p[2]);
            }
            t.push_str("]}");
        }
        t.push_str("]}");
        let _ = self.tx.send(Arc::from(t.as_str()));
    }

    /// A published label or event message (`kind` "label" or "event"), as JSON. Events are
    /// also kept (the last [`RECENT_EVENTS`]) for pages that connect later.
    pub fn message(&mut self, kind: &str, payload: &[u8]) {
        let event = kind == "event";
        if !self.watched() && !event {
            return;
        }
        let Ok(json) = std::str::from_utf8(payload) else {
            return;
        };
        self.text.clear();
        let _ = write!(self.text, r#"{{"type":"{kind}","message":{json}}}"#);
        let text: Arc<str> = Arc::from(self.text.as_str());
        if event && let Ok(mut recent) = self.recent.lock() {
            if recent.len() == RECENT_EVENTS {
                recent.pop_front();
            }
            recent.push_back(text.clone());
        }
        if self.watched() {
            let _ = self.tx.send(text);
        }
    }
}

/// The first message of every connection: how to draw a body.
fn hello() -> String {
    let bones: Vec<[usize; 2]> = bones().map(|(c, p)| [c, p]).collect();
    serde_json::json!({"type": "hello", "bones": bones, "joints": JOINT_NAMES}).to_string()
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn socket(
    upgrade: WebSocketUpgrade,
    State((tx, recent)): State<(broadcast::Sender<Arc<str>>, Recent)>,
) -> impl IntoResponse {
    let rx = tx.subscribe();
    let past: Vec<Arc<str>> = recent
        .lock()
        .map(|r| r.iter().cloned().collect())
        .unwrap_or_default();
    upgrade.on_upgrade(move |ws| watch(ws, past, rx))
}

async fn watch(mut ws: WebSocket, past: Vec<Arc<str>>, mut rx: broadcast::Receiver<Arc<str>>) {
    if ws.send(Message::Text(hello().into())).await.is_err() {
        return;
    }
    for text in past {
        if ws.send(Message::Text(text.as_ref().into())).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Ok(text) => {
                    if ws.send(Message::Text(text.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            // The page closed (or sent something: it has nothing to say).
            m = ws.recv() => match m {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Starts the HTTP server on its own thread: binds `addr` (reported on `bound` as
/// `http://HOST:PORT/`), serves until `shutdown`. Returns the feed for the I/O thread.
pub fn start(
    addr: &str,
    shutdown: Arc<Shutdown>,
    bound: Sender<Result<String, String>>,
) -> Result<(ViewFeed, std::thread::JoinHandle<Result<(), String>>), String> {
    let (tx, _) = broadcast::channel::<Arc<str>>(BACKLOG);
    let recent: Recent = Arc::new(Mutex::new(VecDeque::with_capacity(RECENT_EVENTS)));
    let feed = ViewFeed {
        tx: tx.clone(),
        recent: recent.clone(),
        next_frame: Instant::now(),
        text: String::with_capacity(4096),
    };
    let addr = addr.to_string();
    let handle = std::thread::Builder::new()
        .name("scale-http".into())
        .spawn(move || {
            let rt = super::net::runtime()?;
            let result = rt.block_on(async {
                let listener = match tokio::net::TcpListener::bind(&addr).await {
                    Ok(l) => l,
                    Err(e) => {
                        let e = format!("--http: cannot bind {addr}: {e}");
                        let _ = bound.send(Err(e.clone()));
                        return Err(e);
                    }
                };
                let local = listener
                    .local_addr()
                    .map_err(|e| format!("--http: {e}"))?;
                let _ = bound.send(Ok(format!("http://{local}/")));
                let app = Router::new()
                    .route("/", get(page))
                    .route("/ws", get(socket))
                    .with_state((tx, recent));
                // Open WebSockets end with the runtime (no graceful wait for pages to leave).
                tokio::select! {
                    r = axum::serve(listener, app).into_future() => r.map_err(|e| format!("--http: {e}")),
                    _ = shutdown.stopped() => Ok(()),
                }
            });
            rt.shutdown_timeout(Duration::from_millis(100));
            result
        })
        .map_err(|e| format!("cannot start the HTTP thread: {e}"))?;
    Ok((feed, handle))
}
