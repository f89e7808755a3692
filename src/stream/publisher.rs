//! The labels publisher: a ZeroMQ PUB socket (ZMTP 3.0, NULL security, `tcp://` and `ipc://`)
//! whose subscribers each have a bounded queue.
//!
//! The zeromq crate's own PUB never applies its high-water mark (each message takes a fresh
//! clone of the subscriber's channel sender, and every clone has a slot of its own), so a
//! subscriber that stops reading made the server's memory grow by every message published
//! (docs/testing.md, "Soak and memory"). Here each subscriber has a queue of at most
//! [`Limits::messages`] messages and [`Limits::bytes`] bytes; what does not fit is dropped for
//! that subscriber alone and counted, as libzmq's PUB does at its `ZMQ_SNDHWM`. Publishing never
//! waits. Memory is bounded by `subscribers × (bytes + one write batch)` plus the kernel's
//! socket buffers.
//!
//! Wire format (ZMTP 3.0, rfc.zeromq.org/spec/23): a 64-byte greeting each way, a `READY`
//! command each way (ours says `Socket-Type: PUB`; the peer's must be `SUB` or `XSUB`), then
//! frames `flags, size (1 or 8 bytes), body`. Subscriptions arrive as one-frame messages
//! `0x01 prefix` (subscribe) and `0x00 prefix` (cancel), or as ZMTP 3.1 `SUBSCRIBE` / `CANCEL`
//! commands; `PING` is answered with `PONG`. A peer that breaks the protocol is disconnected
//! with a log line naming what was wrong; the others carry on.

use super::net::{self, Shutdown};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Messages queued per subscriber by default (ZeroMQ's default send high-water mark).
pub const DEFAULT_SUBSCRIBER_QUEUE: usize = 1000;

/// How much a publisher holds for its subscribers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Messages queued per subscriber (ZeroMQ's send high-water mark).
    pub messages: usize,
    /// Bytes queued per subscriber.
    pub bytes: usize,
    /// Subscribers connected at once; further connections are closed at once.
    pub subscribers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            messages: DEFAULT_SUBSCRIBER_QUEUE,
            bytes: 4 << 20,
            subscribers: 256,
        }
    }
}

/// Counts of one subscriber, for tests and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubscriberStats {
    /// Messages waiting in its queue now, and their bytes on the wire.
    pub queued: usize,
    pub queued_bytes: usize,
    /// Messages handed to its connection (written to the socket or being written).
    pub written: u64,
    /// Messages it did not get because its queue was full.
    pub dropped: u64,
}

/// The largest frame a subscriber may send (its subscriptions and its `READY`).
const MAX_INCOMING_FRAME: usize = 4096;
/// Subscriptions one subscriber may hold; further ones are ignored.
const MAX_SUBSCRIPTIONS: usize = 256;
/// Messages a connection takes from its queue per write.
const WRITE_BATCH: usize = 64;
/// How long a connecting peer has to finish its greeting and `READY`.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// A bound PUB socket. Dropping it closes every connection.
pub struct Publisher {
    shared: Arc<Shared>,
    endpoint: String,
    stop: Arc<Shutdown>,
}

struct Shared {
    limits: Limits,
    peers: Mutex<Vec<Arc<Peer>>>,
    dropped: AtomicU64,
    next_id: AtomicU64,
    /// The program's name for log lines about refused peers; `None`: quiet.
    log: Option<&'static str>,
    refused: AtomicU64,
}

struct Peer {
    id: u64,
    state: Mutex<PeerState>,
    wake: Notify,
}

#[derive(Default)]
struct PeerState {
    subscriptions: Vec<Vec<u8>>,
    /// Messages as they go on the wire (shared by every subscriber that gets them).
    queue: VecDeque<Bytes>,
    stats: SubscriberStats,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves consistent data (counters and queues).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Publisher {
    /// Binds a PUB at `endpoint` (`tcp://host:port`, port 0 for any, or `ipc://path`; a stale
    /// IPC socket file is removed as [`net::bind`] does). With `log`, refused peers are logged
    /// under that name.
    pub async fn bind(
        endpoint: &str,
        limits: Limits,
        log: Option<&'static str>,
    ) -> Result<Publisher, String> {
        if limits.messages == 0 || limits.bytes == 0 || limits.subscribers == 0 {
            return Err(format!(
                "publisher limits must be at least 1 (got {limits:?})"
            ));
        }
        let listener = match Listener::bind(endpoint).await {
            Ok(l) => l,
            Err(first) => match net::stale_ipc_path(endpoint) {
                Some(path) => {
                    std::fs::remove_file(path).map_err(|e| {
                        format!(
                            "cannot bind {endpoint}: {first}; removing the stale socket file: {e}"
                        )
                    })?;
                    Listener::bind(endpoint)
                        .await
                        .map_err(|e| format!("cannot bind {endpoint}: {e}"))?
                }
                None => return Err(format!("cannot bind {endpoint}: {first}")),
            },
        };
        let endpoint = listener.endpoint()?;
        let shared = Arc::new(Shared {
            limits,
            peers: Mutex::new(Vec::new()),
            dropped: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            log,
            refused: AtomicU64::new(0),
        });
        let stop = Shutdown::new();
        tokio::spawn(accept_loop(listener, shared.clone(), stop.clone()));
        Ok(Publisher {
            shared,
            endpoint,
            stop,
        })
    }

    /// The endpoint bound, with the real port when 0 was asked for.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Queues `[topic, payload]` for every subscriber whose subscription is a prefix of
    /// `topic`; a subscriber whose queue is full does not get it (counted). Never waits.
    pub fn send(&self, topic: &[u8], payload: &[u8]) {
        let peers = lock(&self.shared.peers);
        if peers.is_empty() {
            return;
        }
        let message = encode_message(&[topic, payload]);
        let limits = self.shared.limits;
        for peer in peers.iter() {
            let mut state = lock(&peer.state);
            if !state.subscriptions.iter().any(|s| topic.starts_with(s)) {
                continue;
            }
            let size = message.len();
            if state.queue.len() >= limits.messages
                || state.stats.queued_bytes + size > limits.bytes
            {
                state.stats.dropped += 1;
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            state.stats.queued += 1;
            state.stats.queued_bytes += size;
            state.queue.push_back(message.clone());
            drop(state);
            peer.wake.notify_one();
        }
    }

    /// Subscribers connected now (their handshake done).
    pub fn subscribers(&self) -> usize {
        lock(&self.shared.peers).len()
    }

    /// Messages not sent to some subscriber because its queue was full, since the bind.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Connections closed because the peer broke the protocol, was not a SUB, or was one too
    /// many, since the bind.
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::Relaxed)
    }

    /// Each connected subscriber's counts, in the order they connected.
    pub fn subscriber_stats(&self) -> Vec<SubscriberStats> {
        lock(&self.shared.peers)
            .iter()
            .map(|p| lock(&p.state).stats)
            .collect()
    }

    /// Waits until every queue is empty (handed to the sockets) or `timeout` has passed.
    pub async fn flush(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let empty = lock(&self.shared.peers)
                .iter()
                .all(|p| lock(&p.state).queue.is_empty());
            if empty {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

impl Shared {
    fn refuse(&self, why: &str) {
        let n = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(name) = self.log.filter(|_| net::worth_logging(n)) {
            eprintln!("{name}: closed a labels connection: {why} ({n} so far)");
        }
    }
}

enum Listener {
    Tcp(tokio::net::TcpListener),
    Ipc(tokio::net::UnixListener),
}

impl Listener {
    async fn bind(endpoint: &str) -> Result<Listener, String> {
        if let Some(path) = endpoint.strip_prefix("ipc://") {
            if path.is_empty() {
                return Err("an ipc:// endpoint needs a path".into());
            }
            return tokio::net::UnixListener::bind(path)
                .map(Listener::Ipc)
                .map_err(|e| e.to_string());
        }
        let Some(address) = endpoint.strip_prefix("tcp://") else {
            return Err("the endpoint must start with tcp:// or ipc://".into());
        };
        let (host, port) = address
            .rsplit_once(':')
            .ok_or_else(|| "a tcp:// endpoint needs host:port".to_string())?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("bad port {port:?} in the endpoint"))?;
        let host = match host {
            "*" | "" => "0.0.0.0",
            h => h.trim_start_matches('[').trim_end_matches(']'),
        };
        tokio::net::TcpListener::bind((host, port))
            .await
            .map(Listener::Tcp)
            .map_err(|e| e.to_string())
    }

    fn endpoint(&self) -> Result<String, String> {
        match self {
            Listener::Tcp(l) => {
                let a = l.local_addr().map_err(|e| e.to_string())?;
                Ok(zeromq::Endpoint::from_tcp_addr(a).to_string())
            }
            Listener::Ipc(l) => {
                let a = l.local_addr().map_err(|e| e.to_string())?;
                let path = a.as_pathname().map(|p| p.display().to_string());
                Ok(format!("ipc://{}", path.unwrap_or_default()))
            }
        }
    }
}

async fn accept_loop(listener: Listener, shared: Arc<Shared>, stop: Arc<Shutdown>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.stopped() => return,
            a = async {
                match &listener {
                    Listener::Tcp(l) => l.accept().await.map(|(s, _)| {
                        let _ = s.set_nodelay(true);
                        Connection::Tcp(s)
                    }),
                    Listener::Ipc(l) => l.accept().await.map(|(s, _)| Connection::Ipc(s)),
                }
            } => a,
        };
        match accepted {
            Ok(Connection::Tcp(s)) => {
                tokio::spawn(serve_peer(s, shared.clone(), stop.clone()));
            }
            Ok(Connection::Ipc(s)) => {
                tokio::spawn(serve_peer(s, shared.clone(), stop.clone()));
            }
            // Out of file descriptors and the like: wait rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

enum Connection {
    Tcp(tokio::net::TcpStream),
    Ipc(tokio::net::UnixStream),
}

async fn serve_peer<S>(stream: S, shared: Arc<Shared>, stop: Arc<Shutdown>)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut reader = FrameReader::new(read);
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&mut reader, &mut write));
    let handshake = tokio::select! {
        _ = stop.stopped() => return,
        h = handshake => h,
    };
    match handshake {
        Ok(Ok(())) => {}
        Ok(Err(why)) => return shared.refuse(&why),
        Err(_) => {
            return shared.refuse(&format!(
                "no greeting and READY within {} s",
                HANDSHAKE_TIMEOUT.as_secs()
            ));
        }
    }
    let peer = Arc::new(Peer {
        id: shared.next_id.fetch_add(1, Ordering::Relaxed),
        state: Mutex::new(PeerState::default()),
        wake: Notify::new(),
    });
    {
        let mut peers = lock(&shared.peers);
        if peers.len() >= shared.limits.subscribers {
            drop(peers);
            return shared.refuse(&format!(
                "{} subscribers are connected already",
                shared.limits.subscribers
            ));
        }
        peers.push(peer.clone());
    }
    let (pongs_in, pongs_out) = tokio::sync::mpsc::channel::<Bytes>(4);
    let outcome = tokio::select! {
        _ = stop.stopped() => Ok(()),
        r = read_loop(&mut reader, &peer, &pongs_in) => r,
        w = write_loop(&mut write, &peer, pongs_out) => w.map_err(|e| e.to_string()),
    };
    lock(&shared.peers).retain(|p| p.id != peer.id);
    if let Err(why) = outcome {
        shared.refuse(&why);
    }
}

/// Sends our greeting and READY, then checks the peer's.
async fn handshake<R, W>(reader: &mut FrameReader<R>, write: &mut W) -> Result<(), String>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut ours = BytesMut::with_capacity(128);
    ours.put_slice(&greeting());
    ours.put_slice(&ready_command(b"PUB"));
    write.write_all(&ours).await.map_err(|e| e.to_string())?;
    write.flush().await.map_err(|e| e.to_string())?;
    let theirs = reader.exact(GREETING_LEN).await?;
    check_greeting(&theirs)?;
    let frame = reader
        .next()
        .await?
        .ok_or_else(|| "closed before its READY".to_string())?;
    if !frame.command {
        return Err("sent a message before its READY".into());
    }
    let socket_type = parse_ready(&frame.body)?;
    if !matches!(socket_type.as_slice(), b"SUB" | b"XSUB") {
        return Err(format!(
            "its socket type is {} (a PUB talks to SUB and XSUB)",
            String::from_utf8_lossy(&socket_type)
        ));
    }
    Ok(())
}

async fn read_loop<R: AsyncRead + Unpin>(
    reader: &mut FrameReader<R>,
    peer: &Peer,
    pongs: &tokio::sync::mpsc::Sender<Bytes>,
) -> Result<(), String> {
    while let Some(frame) = reader.next().await? {
        match incoming(&frame)? {
            Incoming::Subscribe(prefix) => {
                let mut state = lock(&peer.state);
                if state.subscriptions.len() < MAX_SUBSCRIPTIONS {
                    state.subscriptions.push(prefix.to_vec());
                }
            }
            Incoming::Cancel(prefix) => {
                let mut state = lock(&peer.state);
                if let Some(i) = state.subscriptions.iter().position(|s| s[..] == prefix[..]) {
                    state.subscriptions.swap_remove(i);
                }
            }
            Incoming::Ping(context) => {
                // A peer that pings faster than we answer loses answers, not memory.
                let _ = pongs.try_send(pong_command(&context));
                peer.wake.notify_one();
            }
            Incoming::Error(reason) => {
                return Err(format!(
                    "the subscriber sent ERROR: {}",
                    String::from_utf8_lossy(&reason)
                ));
            }
            Incoming::Other => {}
        }
    }
    Ok(())
}

async fn write_loop<W: AsyncWrite + Unpin>(
    write: &mut W,
    peer: &Peer,
    mut pongs: tokio::sync::mpsc::Receiver<Bytes>,
) -> std::io::Result<()> {
    let mut batch: Vec<Bytes> = Vec::with_capacity(WRITE_BATCH);
    let mut buf = BytesMut::with_capacity(64 << 10);
    loop {
        {
            let mut state = lock(&peer.state);
            while batch.len() < WRITE_BATCH {
                let Some(m) = state.queue.pop_front() else {
                    break;
                };
                state.stats.queued -= 1;
                state.stats.queued_bytes -= m.len();
                state.stats.written += 1;
                batch.push(m);
            }
        }
        while let Ok(pong) = pongs.try_recv() {
            buf.put_slice(&pong);
        }
        if batch.is_empty() && buf.is_empty() {
            peer.wake.notified().await;
            continue;
        }
        for m in batch.drain(..) {
            buf.put_slice(&m);
        }
        write.write_all(&buf).await?;
        write.flush().await?;
        buf.clear();
    }
}

/// Reads frames from a peer, at most [`MAX_INCOMING_FRAME`] bytes each.
struct FrameReader<R> {
    read: R,
    buf: BytesMut,
}

/// One frame, owned.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    pub command: bool,
    pub more: bool,
    pub body: Bytes,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    fn new(read: R) -> Self {
        FrameReader {
            read,
            buf: BytesMut::with_capacity(1024),
        }
    }

    async fn fill(&mut self) -> Result<bool, String> {
        let n = self
            .read
            .read_buf(&mut self.buf)
            .await
            .map_err(|e| e.to_string())?;
        Ok(n > 0)
    }

    async fn exact(&mut self, n: usize) -> Result<Bytes, String> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(format!(
                    "closed after {} of the greeting's {n} bytes",
                    self.buf.len()
                ));
            }
        }
        Ok(self.buf.split_to(n).freeze())
    }

    /// The next frame; `None` when the peer closed between frames.
    async fn next(&mut self) -> Result<Option<Frame>, String> {
        loop {
            if let Some(frame) = next_frame(&mut self.buf)? {
                return Ok(Some(frame));
            }
            if !self.fill().await? {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(format!(
                        "closed in the middle of a frame ({} bytes of it)",
                        self.buf.len()
                    ))
                };
            }
        }
    }
}

/// A frame's flags and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub command: bool,
    pub more: bool,
    pub size: usize,
}

const FLAG_MORE: u8 = 0x01;
const FLAG_LONG: u8 = 0x02;
const FLAG_COMMAND: u8 = 0x04;
const GREETING_LEN: usize = 64;

/// The header at the start of `buf` and its length in bytes; `None` if `buf` holds less than a
/// header. Frames over `max` bytes, reserved flag bits and commands with MORE are errors.
pub fn decode_header(buf: &[u8], max: usize) -> Result<Option<(Header, usize)>, String> {
    let Some(&flags) = buf.first() else {
        return Ok(None);
    };
    if flags & !(FLAG_MORE | FLAG_LONG | FLAG_COMMAND) != 0 {
        return Err(format!("a frame has reserved flag bits set ({flags:#04x})"));
    }
    let command = flags & FLAG_COMMAND != 0;
    let more = flags & FLAG_MORE != 0;
    if command && more {
        return Err("a command frame has the MORE flag".into());
    }
    let (size, len) = if flags & FLAG_LONG != 0 {
        let Some(b) = buf.get(1..9) else {
            return Ok(None);
        };
        let size = u64::from_be_bytes(b.try_into().expect("8 bytes"));
        (size, 9)
    } else {
        let Some(&b) = buf.get(1) else {
            return Ok(None);
        };
        (u64::from(b), 2)
    };
    if size > max as u64 {
        return Err(format!("a frame of {size} bytes (at most {max} accepted)"));
    }
    Ok(Some((
        Header {
            command,
            more,
            size: size as usize,
        },
        len,
    )))
}

/// What a subscriber's frame asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Subscribe(Bytes),
    Cancel(Bytes),
    /// The context a `PONG` carries back.
    Ping(Bytes),
    Error(Bytes),
    /// Anything else a PUB ignores (other messages, unknown commands).
    Other,
}

/// Reads a frame received after the handshake.
pub fn incoming(frame: &Frame) -> Result<Incoming, String> {
    let body = &frame.body;
    if !frame.command {
        return Ok(match body.first() {
            Some(1) if !frame.more => Incoming::Subscribe(body.slice(1..)),
            Some(0) if !frame.more => Incoming::Cancel(body.slice(1..)),
            _ => Incoming::Other,
        });
    }
    let (name, _) = split_command(body)?;
    let data = body.slice(1 + name.len()..);
    Ok(match name {
        b"SUBSCRIBE" => Incoming::Subscribe(data),
        b"CANCEL" => Incoming::Cancel(data),
        b"PING" => {
            // TTL (2 bytes), then up to 16 bytes of context that the PONG carries back.
            let start = data.len().min(2);
            Incoming::Ping(data.slice(start..data.len().min(start + 16)))
        }
        b"ERROR" => Incoming::Error(data.slice(data.len().min(1)..)),
        _ => Incoming::Other,
    })
}

/// Takes the next whole frame off the front of `buf`; `None` (and `buf` untouched) if it holds
/// less than one.
pub fn next_frame(buf: &mut BytesMut) -> Result<Option<Frame>, String> {
    let Some((header, len)) = decode_header(buf, MAX_INCOMING_FRAME)? else {
        return Ok(None);
    };
    if buf.len() < header.size + len {
        return Ok(None);
    }
    buf.advance(len);
    Ok(Some(Frame {
        command: header.command,
        more: header.more,
        body: buf.split_to(header.size).freeze(),
    }))
}

/// Reads the bytes a peer sends from the start of its connection as the publisher does (the
/// greeting, `READY`, then its requests) and returns its socket type and requests; for tests
/// and fuzzing, the connection itself reads them as they arrive.
pub fn read_peer(bytes: &[u8]) -> Result<(Vec<u8>, Vec<Incoming>), String> {
    let greeting = bytes
        .get(..GREETING_LEN)
        .ok_or_else(|| format!("{} bytes, shorter than a greeting", bytes.len()))?;
    check_greeting(greeting)?;
    let mut buf = BytesMut::from(&bytes[GREETING_LEN..]);
    let ready = next_frame(&mut buf)?.ok_or_else(|| "no READY".to_string())?;
    if !ready.command {
        return Err("sent a message before its READY".into());
    }
    let socket_type = parse_ready(&ready.body)?;
    let mut requests = Vec::new();
    while let Some(frame) = next_frame(&mut buf)? {
        requests.push(incoming(&frame)?);
    }
    if !buf.is_empty() {
        return Err(format!("ends {} bytes into a frame", buf.len()));
    }
    Ok((socket_type, requests))
}

fn split_command(body: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (&n, rest) = body
        .split_first()
        .ok_or_else(|| "an empty command frame".to_string())?;
    let n = usize::from(n);
    if n == 0 || rest.len() < n {
        return Err(format!(
            "a command whose name length ({n}) does not fit its frame"
        ));
    }
    Ok(rest.split_at(n))
}

/// The peer's `Socket-Type` from its `READY` command's body.
pub fn parse_ready(body: &[u8]) -> Result<Vec<u8>, String> {
    let (name, mut props) = split_command(body)?;
    if name == b"ERROR" {
        let reason = props.get(1..).unwrap_or_default();
        return Err(format!(
            "it sent ERROR: {}",
            String::from_utf8_lossy(reason)
        ));
    }
    if name != b"READY" {
        return Err(format!(
            "its first command is {}, not READY",
            String::from_utf8_lossy(name)
        ));
    }
    let mut socket_type = None;
    while let Some((&n, rest)) = props.split_first() {
        let n = usize::from(n);
        let bad = || "a READY property does not fit its frame".to_string();
        let key = rest.get(..n).ok_or_else(bad)?;
        let len = rest.get(n..n + 4).ok_or_else(bad)?;
        let len = u32::from_be_bytes(len.try_into().expect("4 bytes")) as usize;
        let value = rest
            .get(n + 4..)
            .and_then(|v| v.get(..len))
            .ok_or_else(bad)?;
        if key.eq_ignore_ascii_case(b"Socket-Type") {
            socket_type = Some(value.to_vec());
        }
        props = &rest[n + 4 + len..];
    }
    socket_type.ok_or_else(|| "its READY has no Socket-Type".to_string())
}

/// Our greeting: ZMTP 3.0, NULL mechanism, not a server.
fn greeting() -> [u8; GREETING_LEN] {
    let mut g = [0u8; GREETING_LEN];
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = 0;
    g[12..16].copy_from_slice(b"NULL");
    g
}

/// Checks a peer's greeting: the signature, ZMTP 3 or later, the NULL mechanism.
pub fn check_greeting(g: &[u8]) -> Result<(), String> {
    if g.len() != GREETING_LEN || g[0] != 0xff || g[9] != 0x7f {
        return Err("its greeting is not ZMTP's (no 0xFF … 0x7F signature)".into());
    }
    if g[10] < 3 {
        return Err(format!(
            "it speaks ZMTP {}.{} (3.0 or later needed)",
            g[10], g[11]
        ));
    }
    let mechanism = &g[12..32];
    let end = mechanism.iter().position(|&b| b == 0).unwrap_or(20);
    if &mechanism[..end] != b"NULL" {
        return Err(format!(
            "its security mechanism is {} (only NULL is supported)",
            String::from_utf8_lossy(&mechanism[..end])
        ));
    }
    Ok(())
}

fn put_header(buf: &mut BytesMut, flags: u8, size: usize) {
    if size > 255 {
        buf.put_u8(flags | FLAG_LONG);
        buf.put_u64(size as u64);
    } else {
        buf.put_u8(flags);
        buf.put_u8(size as u8);
    }
}

fn command(name: &[u8], data: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(name.len() + data.len() + 10);
    put_header(&mut buf, FLAG_COMMAND, 1 + name.len() + data.len());
    buf.put_u8(name.len() as u8);
    buf.put_slice(name);
    buf.put_slice(data);
    buf.freeze()
}

fn ready_command(socket_type: &[u8]) -> Bytes {
    let mut props = BytesMut::new();
    props.put_u8(11);
    props.put_slice(b"Socket-Type");
    props.put_u32(socket_type.len() as u32);
    props.put_slice(socket_type);
    command(b"READY", &props)
}

fn pong_command(context: &[u8]) -> Bytes {
    command(b"PONG", context)
}

/// A message's frames as they go on the wire.
pub fn encode_message(parts: &[&[u8]]) -> Bytes {
    let size: usize = parts.iter().map(|p| p.len() + 9).sum();
    let mut buf = BytesMut::with_capacity(size);
    for (i, part) in parts.iter().enumerate() {
        let more = if i + 1 < parts.len() { FLAG_MORE } else { 0 };
        put_header(&mut buf, more, part.len());
        buf.put_slice(part);
    }
    buf.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(command: bool, body: &[u8]) -> Frame {
        Frame {
            command,
            more: false,
            body: Bytes::copy_from_slice(body),
        }
    }

    #[test]
    fn messages_are_framed_as_zmtp_says() {
        let wire = encode_message(&[b"labels", &[7u8; 300]]);
        assert_eq!(&wire[..8], b"\x01\x06labels");
        assert_eq!(wire[8], FLAG_LONG);
        assert_eq!(&wire[9..17], &300u64.to_be_bytes());
        assert_eq!(wire.len(), 8 + 9 + 300);
        let (h, n) = decode_header(&wire, 1000).unwrap().unwrap();
        assert_eq!((h.command, h.more, h.size, n), (false, true, 6, 2));
        let (h, n) = decode_header(&wire[8..], 1000).unwrap().unwrap();
        assert_eq!((h.more, h.size, n), (false, 300, 9));
        assert_eq!(decode_header(&wire[8..12], 1000).unwrap(), None);
        assert!(
            decode_header(&wire[8..], 299)
                .unwrap_err()
                .contains("300 bytes")
        );
        assert!(
            decode_header(&[0x08, 0], 10)
                .unwrap_err()
                .contains("reserved")
        );
        assert!(decode_header(&[0x05, 0], 10).unwrap_err().contains("MORE"));
    }

    #[test]
    fn greeting_and_ready_are_checked() {
        let g = greeting();
        check_greeting(&g).unwrap();
        let mut old = g;
        old[10] = 2;
        assert!(check_greeting(&old).unwrap_err().contains("ZMTP 2.0"));
        let mut curve = g;
        curve[12..17].copy_from_slice(b"CURVE");
        assert!(check_greeting(&curve).unwrap_err().contains("CURVE"));
        assert!(check_greeting(&g[..63]).is_err());

        let ready = ready_command(b"SUB");
        let (h, n) = decode_header(&ready, 100).unwrap().unwrap();
        assert!(h.command);
        assert_eq!(parse_ready(&ready[n..]).unwrap(), b"SUB");
        assert!(parse_ready(&command(b"READY", b"")).is_err());
        let truncated = &ready[n..ready.len() - 1];
        assert!(parse_ready(truncated).unwrap_err().contains("does not fit"));
        let hello = command(b"HELLO", b"");
        assert!(parse_ready(&hello[2..]).unwrap_err().contains("HELLO"));
    }

    #[test]
    fn subscriptions_pings_and_errors_are_read() {
        assert_eq!(
            incoming(&frame(false, b"\x01labels")).unwrap(),
            Incoming::Subscribe(Bytes::from_static(b"labels"))
        );
        assert_eq!(
            incoming(&frame(false, b"\x00ev")).unwrap(),
            Incoming::Cancel(Bytes::from_static(b"ev"))
        );
        assert_eq!(
            incoming(&frame(false, b"\x01")).unwrap(),
            Incoming::Subscribe(Bytes::new())
        );
        assert_eq!(incoming(&frame(false, b"")).unwrap(), Incoming::Other);
        assert_eq!(incoming(&frame(false, b"\x05x")).unwrap(), Incoming::Other);
        let sub = command(b"SUBSCRIBE", b"stats");
        assert_eq!(
            incoming(&frame(true, &sub[2..])).unwrap(),
            Incoming::Subscribe(Bytes::from_static(b"stats"))
        );
        let ping = command(b"PING", b"\x00\x10ctx");
        assert_eq!(
            incoming(&frame(true, &ping[2..])).unwrap(),
            Incoming::Ping(Bytes::from_static(b"ctx"))
        );
        assert!(incoming(&frame(true, b"\x09SUB")).is_err());
        assert!(incoming(&frame(true, b"")).is_err());
    }

    #[test]
    fn a_whole_peer_session_is_read() {
        let mut bytes = greeting().to_vec();
        bytes.extend_from_slice(&ready_command(b"XSUB"));
        bytes.extend_from_slice(&encode_message(&[b"\x01events"]));
        bytes.extend_from_slice(&command(b"PING", b"\x00\x0aab"));
        bytes.extend_from_slice(&encode_message(&[b"\x00events"]));
        let (socket_type, requests) = read_peer(&bytes).unwrap();
        assert_eq!(socket_type, b"XSUB");
        assert_eq!(
            requests,
            [
                Incoming::Subscribe(Bytes::from_static(b"events")),
                Incoming::Ping(Bytes::from_static(b"ab")),
                Incoming::Cancel(Bytes::from_static(b"events")),
            ]
        );
        let err = read_peer(&bytes[..bytes.len() - 2]).unwrap_err();
        assert!(err.contains("into a frame"), "{err}");
        assert!(read_peer(&bytes[..40]).unwrap_err().contains("greeting"));
    }
}
