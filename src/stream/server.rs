//! `scale serve`: frames in over a ZeroMQ SUB, labels, events and stats out over a ZeroMQ PUB.
//!
//! Two threads. The I/O thread runs a current-thread tokio runtime with the SUB (decoding and
//! validating every message, counting what it drops) and the PUB. The inference thread owns the
//! window assembler and the label engine; frames reach it over a bounded `crossbeam-channel`
//! (full: the frame is dropped and counted, the network side never waits), labels leave it as
//! JSON in buffers from a fixed pool that the publisher hands back (empty pool: the label is
//! counted as dropped, inference never waits for a slow subscriber). Action events are made from
//! the labels on the inference thread ([`super::events`]) and leave the same way. With
//! `--control`, a third thread answers requests that change the candidate classes
//! ([`super::control`]); the inference thread swaps a new class set in between two windows.

use super::control::{self, ControlLink};
use super::engine::{ClassSet, LabelEngine, LabelSummary, WindowTiming};
use super::events::{Event, EventConfig, EventTracker};
use super::net::{self, Shutdown, SocketEvents};
use super::publisher::{self, Publisher};
use super::stats::{self, Counters, LatencyLog};
use super::view::{self, ViewFeed};
use super::vocabulary::Vocabulary;
use super::window::{Rejected, STILL_BELOW, WindowAssembler, WindowConfig, WindowInfo};
use crate::protocol::{
    DROP_OUT_OF_ORDER, DROP_QUEUE_FULL, DROP_REASONS, SkeletonFrame, TOPIC_EVENTS, TOPIC_LABELS,
    TOPIC_STATS, decode_frame_message, drop_reason_index,
};
use crate::runtime::SessionOptions;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use futures::StreamExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use zeromq::{SocketEvent, SocketRecv, SubSocket};

/// Default window length in sensor frames (about 2 s at 30 fps).
pub const DEFAULT_WINDOW: usize = 64;
/// Label buffers in flight between the inference thread and the publisher.
const LABEL_POOL: usize = 256;
/// Capacity of one label buffer (a top-5 label is about 600 bytes).
const LABEL_CAPACITY: usize = 4096;

/// Everything `scale serve` takes.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The bridge's PUB endpoint (connected to), or the endpoint to bind with `frames_bind`.
    pub frames: String,
    pub frames_bind: bool,
    /// Where the label PUB binds.
    pub labels: String,
    pub model: PathBuf,
    /// Sensor frames per window; `None`: the model's training window, else [`DEFAULT_WINDOW`].
    pub window: Option<usize>,
    pub stride: usize,
    pub top_k: usize,
    pub session: SessionOptions,
    /// A body not seen for this many frames is dropped.
    pub expire_after: u64,
    /// Frames the inference thread's queue holds.
    pub queue: usize,
    pub stats_every: Duration,
    /// Stop on SIGINT / SIGTERM.
    pub handle_signals: bool,
    /// Print a line per stats message on stderr.
    pub log: bool,
    /// When an action starts and ends (topic `events`).
    pub events: EventConfig,
    /// Windows moving less than this (metres) are still: flagged so, and start no event.
    pub still_below: f32,
    /// Where the control socket (REP) binds; `None`: no live vocabulary.
    pub control: Option<String>,
    /// Only these classes are candidates from the start (names the model does not know are
    /// added by their text); `None`: all of the model's classes.
    pub classes: Option<Vec<String>>,
    /// Where the live view's HTTP server binds (`host:port`); `None`: no live view.
    pub http: Option<String>,
    /// What the labels publisher queues per subscriber (a slow one misses messages beyond).
    pub publisher: publisher::Limits,
}

impl ServeConfig {
    pub fn new(frames: &str, labels: &str, model: PathBuf) -> ServeConfig {
        ServeConfig {
            frames: frames.into(),
            frames_bind: false,
            labels: labels.into(),
            model,
            window: None,
            stride: 4,
            top_k: 5,
            session: SessionOptions::default(),
            expire_after: 30,
            queue: 1024,
            stats_every: Duration::from_secs(2),
            handle_signals: false,
            log: false,
            events: EventConfig::default(),
            still_below: STILL_BELOW,
            control: None,
            classes: None,
            http: None,
            publisher: publisher::Limits::default(),
        }
    }
}

/// A frame as it leaves the network side.
pub struct Incoming {
    pub frame: SkeletonFrame,
    pub arrived: Instant,
}

/// What the network side hands the inference thread.
pub enum Input {
    Frame(Incoming),
    /// The bridge disconnected: the next frames are a new stream (its seq may start over).
    Reset,
}

/// What the inference thread runs per frame, kept apart from the thread so that tests can
/// drive it (and count its allocations).
pub struct Core {
    assembler: WindowAssembler,
    engine: LabelEngine,
    counters: Arc<Counters>,
    latency: LatencyLog,
    out_of_order: usize,
    events: EventTracker,
}

impl Core {
    pub fn new(engine: LabelEngine, config: WindowConfig, counters: Arc<Counters>) -> Core {
        Core {
            assembler: WindowAssembler::new(config).with_options(engine.normalize_options()),
            engine,
            counters,
            latency: LatencyLog::with_capacity(8192),
            out_of_order: drop_reason_index(DROP_OUT_OF_ORDER).expect("a drop reason"),
            events: EventTracker::new(EventConfig::default()),
        }
    }

    /// The same core calling windows that move less than `metres` still (0: none is).
    pub fn with_still_below(mut self, metres: f32) -> Core {
        self.assembler.set_still_below(metres);
        self
    }

    /// The same core with other event thresholds.
    pub fn with_events(mut self, config: EventConfig) -> Core {
        self.events = EventTracker::new(config);
        self
    }

    /// Hands each event that the frames so far have finished to `f`, with the class ids and
    /// names its class index refers to; oldest first.
    pub fn take_events(&mut self, mut f: impl FnMut(&Event, &[u32], &[String])) {
        let Core { events, engine, .. } = self;
        for e in events.drain() {
            f(&e, engine.class_ids(), engine.class_names());
        }
    }

    pub fn engine(&self) -> &LabelEngine {
        &self.engine
    }

    /// Puts `classes` in place of the engine's candidates, between two windows. Events carry
    /// on under their class's new index; an open event of a class that is gone ends now and
    /// goes to `ended` (with the old set's ids and names). Returns the old set.
    pub fn set_classes(
        &mut self,
        classes: ClassSet,
        mut ended: impl FnMut(&Event, &[u32], &[String]),
    ) -> Result<ClassSet, String> {
        self.engine.check_classes(&classes)?;
        let (old, new) = (self.engine.class_ids(), classes.ids());
        self.events
            .remap_classes(|i| new.iter().position(|&id| id == old[i]));
        self.take_events(&mut ended);
        self.engine.swap_classes(classes)
    }

    /// Starts a new stream: every body forgotten, any seq accepted next.
    pub fn reset(&mut self) {
        self.assembler.reset();
        self.events.reset();
        Counters::add(&self.counters.stream_resets, 1);
        self.counters.bodies_tracked.store(0, Ordering::Relaxed);
    }

    /// Takes one frame; when it completes a window, labels it into `out` (JSON).
    pub fn on_frame(
        &mut self,
        frame: &SkeletonFrame,
        arrived: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Option<LabelSummary>, String> {
        let start = Instant::now();
        let window = match self.assembler.push(frame) {
            Err(Rejected::OutOfOrder { .. }) => {
                self.counters.drop_frame(self.out_of_order);
                return Ok(None);
            }
            Ok(w) => w,
        };
        Counters::add(&self.counters.frames_accepted, 1);
        let tracked = self.assembler.tracked().count() as u64;
        self.counters
            .bodies_tracked
            .store(tracked, Ordering::Relaxed);
        let assembler = &self.assembler;
        self.events
            .retain_bodies(|body| assembler.tracked().any(|b| b == body));
        match window {
            Some(info) => self.label(&info, start, arrived, out).map(Some),
            None => Ok(None),
        }
    }

    /// Labels the frame's next window into `out`, when more than two bodies are in view (they
    /// go in windows of two, [`WindowAssembler::next_window`]); `None` once every body has
    /// had its window. Call it after [`Core::on_frame`] until it gives `None`.
    pub fn next_window(
        &mut self,
        arrived: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Option<LabelSummary>, String> {
        let start = Instant::now();
        match self.assembler.next_window() {
            Some(info) => self.label(&info, start, arrived, out).map(Some),
            None => Ok(None),
        }
    }

    /// Runs the model on the assembler's window and feeds the event tracker.
    fn label(
        &mut self,
        info: &WindowInfo,
        start: Instant,
        arrived: Instant,
        out: &mut Vec<u8>,
    ) -> Result<LabelSummary, String> {
        let timing = WindowTiming {
            arrived,
            normalise_us: start.elapsed().as_micros().min(u32::MAX as u128) as u32,
        };
        let summary = self
            .engine
            .label_into(info, self.assembler.data(), timing, out)
            .inspect_err(|_| Counters::add(&self.counters.windows_failed, 1))?;
        Counters::add(&self.counters.windows, 1);
        self.latency.push(summary.latency);
        self.events.on_window(
            &summary.window,
            summary.best,
            summary.unknown,
            self.engine.scores(),
        );
        Ok(summary)
    }
}

enum Out {
    Label(Vec<u8>),
    Event(Vec<u8>),
    Stats(Vec<u8>),
}

/// A running server.
pub struct Server {
    shutdown: Arc<Shutdown>,
    io: Option<JoinHandle<Result<(), String>>>,
    inference: Option<JoinHandle<Result<(), String>>>,
    control: Option<JoinHandle<Result<(), String>>>,
    http: Option<JoinHandle<Result<(), String>>>,
    /// The endpoint the label PUB is bound to (the real port when 0 was asked for).
    pub labels_endpoint: String,
    /// The endpoint the control REP is bound to, with `--control`.
    pub control_endpoint: Option<String>,
    /// The live view's address (`http://HOST:PORT/`), with `--http`.
    pub http_endpoint: Option<String>,
    pub counters: Arc<Counters>,
    /// Sensor frames per window and the model's T.
    pub window: usize,
    pub model_frames: usize,
}

impl Server {
    /// Loads the model, binds the label PUB, and starts the threads. Returns once the server
    /// is ready (the SUB may still be waiting for the bridge).
    pub fn start(config: ServeConfig) -> Result<Server, String> {
        let shutdown = Shutdown::new();
        let counters = Arc::new(Counters::default());
        let (frames_tx, frames_rx) = bounded::<Input>(config.queue.max(1));
        let (out_tx, out_rx) = bounded::<Out>(LABEL_POOL + 16);
        let (free_tx, free_rx) = bounded::<Vec<u8>>(LABEL_POOL);
        for _ in 0..LABEL_POOL {
            free_tx
                .send(Vec::with_capacity(LABEL_CAPACITY))
                .expect("the pool has room");
        }
        let wake = Arc::new(tokio::sync::Notify::new());

        // The live vocabulary (with --control or --classes), and the first class set when
        // --classes restricts the model's.
        let mut vocabulary = match (&config.control, &config.classes) {
            (None, None) => None,
            _ => Some(Vocabulary::load(&config.model)?),
        };
        let initial = match (&mut vocabulary, &config.classes) {
            (Some(v), Some(names)) => {
                v.restrict(names).map_err(|e| format!("--classes: {e}"))?;
                Some(v.class_set(v.state())?)
            }
            _ => None,
        };
        let (sets_tx, sets_rx) = bounded::<ClassSet>(1);
        let (swapped_tx, swapped_rx) = bounded::<Result<ClassSet, String>>(1);
        let sets_rx = if config.control.is_some() {
            sets_rx
        } else {
            crossbeam_channel::never()
        };

        // The inference thread loads the model itself (sessions stay on the thread that runs
        // them) and reports back.
        let (ready_tx, ready_rx) = bounded::<Result<(usize, usize), String>>(1);
        let inference = {
            let (config, counters, shutdown, wake) = (
                config.clone(),
                counters.clone(),
                shutdown.clone(),
                wake.clone(),
            );
            let free = free_rx;
            let recycle = free_tx.clone();
            std::thread::Builder::new()
                .name("scale-inference".into())
                .spawn(move || {
                    let engine =
                        match LabelEngine::load(&config.model, config.session, config.top_k) {
                            Ok(e) => e,
                            Err(e) => {
                                let _ = ready_tx.send(Err(e.clone()));
                                return Err(e);
                            }
                        };
                    let window = config
                        .window
                        .or(engine.sensor_window())
                        .unwrap_or(DEFAULT_WINDOW)
                        .max(2);
                    let model_frames = engine.model_frames();
                    let mut core = Core::new(
                        engine,
                        WindowConfig {
                            window,
                            model_frames,
                            stride: config.stride.max(1),
                            expire_after: config.expire_after,
                        },
                        counters.clone(),
                    )
                    .with_events(config.events)
                    .with_still_below(config.still_below);
                    if let Some(set) = initial
                        && let Err(e) = core.set_classes(set, |_, _, _| {})
                    {
                        let _ = ready_tx.send(Err(e.clone()));
                        return Err(e);
                    }
                    let _ = ready_tx.send(Ok((window, model_frames)));
                    let channels = Channels {
                        frames: frames_rx,
                        sets: sets_rx,
                        swapped: swapped_tx,
                        out: out_tx,
                        free,
                        recycle,
                    };
                    inference_loop(core, &config, &counters, &shutdown, channels, &wake)
                })
                .map_err(|e| format!("cannot start the inference thread: {e}"))?
        };
        let (window, model_frames) = match ready_rx.recv() {
            Ok(Ok(w)) => w,
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(match inference.join() {
                    Ok(Err(e)) => e,
                    _ => "the inference thread stopped while loading the model".into(),
                });
            }
        };

        let control_config = config.control.clone();
        let log = config.log;
        // The live view's HTTP thread, before the I/O thread that feeds it.
        let (view_feed, http, http_endpoint) = match &config.http {
            Some(addr) => {
                let (bound_tx, bound_rx) = bounded::<Result<String, String>>(1);
                let started = view::start(addr, shutdown.clone(), bound_tx);
                let bound = bound_rx.recv();
                match (started, bound) {
                    (Ok((feed, handle)), Ok(Ok(ep))) => (Some(feed), Some(handle), Some(ep)),
                    (started, bound) => {
                        shutdown.stop();
                        let _ = inference.join();
                        return Err(match (bound, started) {
                            (Ok(Err(e)), _) | (_, Err(e)) => e,
                            _ => "the HTTP thread stopped while binding".into(),
                        });
                    }
                }
            }
            None => (None, None, None),
        };
        let (bound_tx, bound_rx) = bounded::<Result<String, String>>(1);
        let io = {
            let (counters, shutdown) = (counters.clone(), shutdown.clone());
            std::thread::Builder::new()
                .name("scale-io".into())
                .spawn(move || {
                    let rt = net::runtime()?;
                    let result = rt.block_on(io_main(
                        config, counters, shutdown, frames_tx, out_rx, free_tx, wake, bound_tx,
                        view_feed,
                    ));
                    // Do not wait for a blocking task (e.g. a hostname lookup) to finish.
                    rt.shutdown_timeout(Duration::from_millis(100));
                    result
                })
                .map_err(|e| format!("cannot start the I/O thread: {e}"))?
        };
        let labels_endpoint = match bound_rx.recv() {
            Ok(Ok(ep)) => ep,
            Ok(Err(e)) => {
                shutdown.stop();
                let _ = io.join();
                let _ = inference.join();
                if let Some(h) = http {
                    let _ = h.join();
                }
                return Err(e);
            }
            Err(_) => {
                shutdown.stop();
                let _ = inference.join();
                return Err(match io.join() {
                    Ok(Err(e)) => e,
                    _ => "the I/O thread stopped while binding".into(),
                });
            }
        };
        let (control, control_endpoint) = match (control_config, vocabulary) {
            (Some(endpoint), Some(vocabulary)) => {
                let (bound_tx, bound_rx) = bounded::<Result<String, String>>(1);
                let link = ControlLink {
                    sets: sets_tx,
                    swapped: swapped_rx,
                };
                let stop = shutdown.clone();
                let handle = std::thread::Builder::new()
                    .name("scale-control".into())
                    .spawn(move || control::run(&endpoint, vocabulary, link, stop, bound_tx, log))
                    .map_err(|e| format!("cannot start the control thread: {e}"))?;
                match bound_rx.recv() {
                    Ok(Ok(ep)) => (Some(handle), Some(ep)),
                    other => {
                        shutdown.stop();
                        let _ = io.join();
                        let _ = inference.join();
                        return Err(match (other, handle.join()) {
                            (Ok(Err(e)), _) | (_, Ok(Err(e))) => e,
                            _ => "the control thread stopped while binding".into(),
                        });
                    }
                }
            }
            _ => (None, None),
        };
        Ok(Server {
            shutdown,
            io: Some(io),
            inference: Some(inference),
            control,
            http,
            labels_endpoint,
            control_endpoint,
            http_endpoint,
            counters,
            window,
            model_frames,
        })
    }

    /// Asks the server to stop (it sends a last stats message first).
    pub fn stop(&self) {
        self.shutdown.stop();
    }

    pub fn is_stopped(&self) -> bool {
        self.shutdown.is_stopped()
    }

    /// Waits for both threads; the first error either of them hit.
    pub fn wait(mut self) -> Result<(), String> {
        let join = |h: Option<JoinHandle<Result<(), String>>>, what: &str| match h.map(|h| h.join())
        {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(format!("the {what} thread panicked")),
        };
        let a = join(self.inference.take(), "inference");
        let b = join(self.io.take(), "I/O");
        let c = join(self.control.take(), "control");
        let d = join(self.http.take(), "HTTP");
        a.and(b).and(c).and(d)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.stop();
        if let Some(h) = self.inference.take() {
            let _ = h.join();
        }
        if let Some(h) = self.io.take() {
            let _ = h.join();
        }
        if let Some(h) = self.control.take() {
            let _ = h.join();
        }
        if let Some(h) = self.http.take() {
            let _ = h.join();
        }
    }
}

fn emit_stats(
    counters: &Counters,
    started: Instant,
    latency: &mut LatencyLog,
    out: &Sender<Out>,
    wake: &tokio::sync::Notify,
    log: bool,
) {
    let m = stats::message(counters, started, latency.take());
    if log {
        let l = &m.latency_us;
        eprintln!(
            "[{:7.1}s] frames {} (dropped {}), windows {}, labels {} (dropped {}), bodies {}; total latency p50 {} µs p99 {} µs over {} windows",
            m.uptime_s,
            m.frames_in,
            m.dropped_total(),
            m.windows,
            m.labels,
            m.labels_dropped,
            m.bodies_tracked,
            l.total.p50,
            l.total.p99,
            l.windows
        );
    }
    if out.try_send(Out::Stats(m.to_json())).is_ok() {
        wake.notify_one();
    }
}

/// The inference thread's channels.
struct Channels {
    frames: Receiver<Input>,
    /// New class sets from the control thread (never ready without one).
    sets: Receiver<ClassSet>,
    /// The replaced class set back to the control thread, or why the new one was refused.
    swapped: Sender<Result<ClassSet, String>>,
    out: Sender<Out>,
    free: Receiver<Vec<u8>>,
    recycle: Sender<Vec<u8>>,
}

impl Channels {
    /// Writes an event into a buffer of the label pool and queues it; with no buffer free or
    /// the queue full, it is counted as dropped (inference never waits).
    fn publish_event(
        &self,
        e: &Event,
        ids: &[u32],
        names: &[String],
        counters: &Counters,
        wake: &tokio::sync::Notify,
    ) {
        let Ok(mut buf) = self.free.try_recv() else {
            Counters::add(&counters.events_dropped, 1);
            return;
        };
        buf.clear();
        if serde_json::to_writer(&mut buf, &e.message(ids, names)).is_err() {
            Counters::add(&counters.events_dropped, 1);
            let _ = self.recycle.try_send(buf);
            return;
        }
        match self.out.try_send(Out::Event(buf)) {
            Ok(()) => {
                Counters::add(&counters.events, 1);
                wake.notify_one();
            }
            Err(e) => {
                Counters::add(&counters.events_dropped, 1);
                if let Out::Event(buf) = e.into_inner() {
                    let _ = self.recycle.try_send(buf);
                }
            }
        }
    }

    /// Queues the label written into `held` (taking a fresh buffer from the pool for the next
    /// one); with no buffer (the label went into the spare) or the queue full, it is counted as
    /// dropped.
    fn publish_label(
        &self,
        held: &mut Option<Vec<u8>>,
        counters: &Counters,
        wake: &tokio::sync::Notify,
    ) {
        match held.take().map(|b| self.out.try_send(Out::Label(b))) {
            Some(Ok(())) => {
                Counters::add(&counters.labels, 1);
                wake.notify_one();
                *held = self.free.try_recv().ok();
            }
            Some(Err(e)) => {
                Counters::add(&counters.labels_dropped, 1);
                if let Out::Label(b) = e.into_inner() {
                    *held = Some(b);
                }
            }
            None => {
                Counters::add(&counters.labels_dropped, 1);
                *held = self.free.try_recv().ok();
            }
        }
    }

    /// Publishes the events the core has finished.
    fn publish_events(&self, core: &mut Core, counters: &Counters, wake: &tokio::sync::Notify) {
        core.take_events(|e, ids, names| self.publish_event(e, ids, names, counters, wake));
    }
}

fn inference_loop(
    mut core: Core,
    config: &ServeConfig,
    counters: &Counters,
    shutdown: &Shutdown,
    ch: Channels,
    wake: &tokio::sync::Notify,
) -> Result<(), String> {
    let started = Instant::now();
    let mut next_stats = started + config.stats_every;
    // The buffer the next label is written into: from the pool, or (when the publisher has
    // them all) a spare whose labels are counted as dropped. The pool is touched only when a
    // label leaves.
    let mut held = ch.free.try_recv().ok();
    let mut spare = Vec::with_capacity(LABEL_CAPACITY);
    let mut errors = 0u64;
    let mut disconnected = false;
    while !shutdown.is_stopped() && !disconnected {
        let wait = next_stats
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(50));
        crossbeam_channel::select! {
            recv(ch.frames) -> input => match input {
                Ok(Input::Reset) => {
                    core.reset();
                    ch.publish_events(&mut core, counters, wake);
                }
                Ok(Input::Frame(incoming)) => {
                    // The frame's windows: one per stride, more with over two bodies in view.
                    let mut first = true;
                    loop {
                        let buf = held.as_mut().unwrap_or(&mut spare);
                        let result = if first {
                            core.on_frame(&incoming.frame, incoming.arrived, buf)
                        } else {
                            core.next_window(incoming.arrived, buf)
                        };
                        first = false;
                        match result {
                            Ok(Some(_)) => ch.publish_label(&mut held, counters, wake),
                            Ok(None) => break,
                            Err(e) => {
                                errors += 1;
                                if errors <= 5 {
                                    eprintln!("scale serve: inference failed: {e}");
                                }
                            }
                        }
                    }
                    ch.publish_events(&mut core, counters, wake);
                }
                Err(_) => disconnected = true,
            },
            recv(ch.sets) -> set => if let Ok(set) = set {
                // Between two windows: events of removed classes end under their old names.
                let result = core.set_classes(set, |e, ids, names| {
                    ch.publish_event(e, ids, names, counters, wake)
                });
                let _ = ch.swapped.try_send(result);
            },
            default(wait) => {}
        }
        let now = Instant::now();
        if now >= next_stats {
            emit_stats(
                counters,
                started,
                &mut core.latency,
                &ch.out,
                wake,
                config.log,
            );
            next_stats = now + config.stats_every;
        }
    }
    emit_stats(
        counters,
        started,
        &mut core.latency,
        &ch.out,
        wake,
        config.log,
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn io_main(
    config: ServeConfig,
    counters: Arc<Counters>,
    shutdown: Arc<Shutdown>,
    frames: Sender<Input>,
    out: Receiver<Out>,
    free: Sender<Vec<u8>>,
    wake: Arc<tokio::sync::Notify>,
    bound: Sender<Result<String, String>>,
    view: Option<ViewFeed>,
) -> Result<(), String> {
    // Both tasks below feed the view; they run on this one thread, never across an await.
    let view = std::cell::RefCell::new(view);
    let log = config.log.then_some("scale serve");
    let publisher = match Publisher::bind(&config.labels, config.publisher, log).await {
        Ok(p) => p,
        Err(e) => {
            let _ = bound.send(Err(format!("labels: {e}")));
            return Err(e);
        }
    };
    let labels_endpoint = publisher.endpoint().to_string();
    // With --frames-bind the SUB is bound here, once; otherwise `receive_frames` connects
    // (and reconnects) its own.
    let bound_sub = if config.frames_bind {
        match net::bind_sub(&config.frames).await {
            Ok(s) => Some(s),
            Err(e) => {
                let _ = bound.send(Err(format!("frames: {e}")));
                return Err(e);
            }
        }
    } else {
        None
    };
    let _ = bound.send(Ok(labels_endpoint));

    let signals = async {
        if !config.handle_signals {
            return std::future::pending::<()>().await;
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| e.to_string());
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = async { match term.as_mut() { Ok(t) => { t.recv().await; } Err(_) => std::future::pending().await } } => {},
        }
        eprintln!("scale serve: stopping");
    };

    let receive = receive_frames(&config, bound_sub, &counters, &frames, &view);
    let publish = async {
        loop {
            if drain(&out, &free, &publisher, &counters, &view) {
                return;
            }
            wake.notified().await;
        }
    };
    tokio::select! {
        _ = receive => {},
        _ = publish => {},
        _ = signals => {},
        _ = shutdown.stopped() => {},
    }
    shutdown.stop();
    drop(frames);
    // The inference thread sends a last stats message and stops; publish what it left, give
    // the socket a moment to write, and close.
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        let finished = drain(&out, &free, &publisher, &counters, &view);
        if finished || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    publisher.flush(Duration::from_millis(200)).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    Ok(())
}

/// Publishes a payload from a pooled buffer; the buffer goes back to the pool.
fn publish_pooled(publisher: &Publisher, topic: &[u8], mut buf: Vec<u8>, free: &Sender<Vec<u8>>) {
    publisher.send(topic, &buf);
    buf.clear();
    let _ = free.try_send(buf);
}

/// Publishes what the inference thread has queued; true once that thread has finished.
fn drain(
    out: &Receiver<Out>,
    free: &Sender<Vec<u8>>,
    publisher: &Publisher,
    counters: &Counters,
    view: &std::cell::RefCell<Option<ViewFeed>>,
) -> bool {
    let finished = loop {
        let m = match out.try_recv() {
            Ok(m) => m,
            Err(crossbeam_channel::TryRecvError::Empty) => break false,
            Err(crossbeam_channel::TryRecvError::Disconnected) => break true,
        };
        if let Some(v) = view.borrow_mut().as_mut() {
            match &m {
                Out::Label(buf) => v.message("label", buf),
                Out::Event(buf) => v.message("event", buf),
                Out::Stats(_) => {}
            }
        }
        // A subscriber whose queue is full misses the message (counted); never blocks.
        match m {
            Out::Label(buf) => publish_pooled(publisher, TOPIC_LABELS, buf, free),
            Out::Event(buf) => publish_pooled(publisher, TOPIC_EVENTS, buf, free),
            Out::Stats(buf) => publisher.send(TOPIC_STATS, &buf),
        }
    };
    counters
        .subscriber_drops
        .store(publisher.dropped(), Ordering::Relaxed);
    counters
        .subscribers
        .store(publisher.subscribers() as u64, Ordering::Relaxed);
    finished
}

async fn receive_frames(
    config: &ServeConfig,
    bound: Option<(SubSocket, SocketEvents)>,
    counters: &Counters,
    frames: &Sender<Input>,
    view: &std::cell::RefCell<Option<ViewFeed>>,
) {
    let mut waited = false;
    let log = config.log.then_some("scale serve");
    let (mut sub, mut events) = match bound {
        Some(s) => s,
        None => net::connect_sub(&config.frames, log, &mut waited).await,
    };
    let queue_full = drop_reason_index(DROP_QUEUE_FULL).expect("a drop reason");
    let mut logged = [0u32; DROP_REASONS.len()];
    let mut reset_pending = false;
    loop {
        let received = tokio::select! {
            m = sub.recv() => m,
            Some(event) = events.next() => {
                if let SocketEvent::Disconnected(_) = event {
                    // A bridge that comes back starts its seq over: a new stream. The reset
                    // travels in the frame queue, in order, at once (the bodies' open events
                    // end now, not when a bridge comes back); if the queue is full it goes
                    // before the next frame instead.
                    reset_pending = true;
                    match frames.try_send(Input::Reset) {
                        Ok(()) => reset_pending = false,
                        Err(TrySendError::Full(_)) => {}
                        Err(TrySendError::Disconnected(_)) => return,
                    }
                    if !config.frames_bind {
                        // Connect afresh rather than wait out the socket's own backoff.
                        waited = false;
                        (sub, events) = net::connect_sub(&config.frames, log, &mut waited).await;
                    }
                }
                continue;
            }
        };
        let message = match received {
            Ok(m) => m,
            Err(_) => {
                // The bridge went away; the socket reconnects by itself.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let arrived = Instant::now();
        Counters::add(&counters.frames_in, 1);
        let parts = message.into_vec();
        let decoded = decode_frame_message(&parts);
        if decoded.is_ok() && reset_pending {
            match frames.try_send(Input::Reset) {
                Ok(()) => reset_pending = false,
                Err(TrySendError::Full(_)) => {
                    counters.drop_frame(queue_full);
                    continue;
                }
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
        if let (Ok(frame), Some(v)) = (&decoded, view.borrow_mut().as_mut()) {
            v.frame(frame);
        }
        match decoded {
            Ok(frame) => match frames.try_send(Input::Frame(Incoming { frame, arrived })) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => counters.drop_frame(queue_full),
                Err(TrySendError::Disconnected(_)) => return,
            },
            Err(e) => {
                let i = e.drop_index();
                counters.drop_frame(i);
                logged[i] += 1;
                if config.log && net::worth_logging(u64::from(logged[i])) {
                    eprintln!(
                        "scale serve: dropped a frame message ({} so far for {}): {e}",
                        logged[i], DROP_REASONS[i]
                    );
                }
            }
        }
    }
}
