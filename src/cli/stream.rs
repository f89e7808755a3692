//! `scale serve`, `scale replay` and `scale record`.

use super::CliResult;
use crate::runtime::{Device, SessionOptions};
use crate::stream::events::EventConfig;
use crate::stream::net::{self, Shutdown};
use crate::stream::record::{self, RecordConfig};
use crate::stream::replay::{self, ReplayConfig, Replayer, WireFormat};
use crate::stream::server::{ServeConfig, Server};
use std::path::PathBuf;
use std::time::Duration;

/// Model and window flags shared by `scale serve`, `scale demo` and `scale bench`.
#[derive(Debug, clap::Args)]
pub struct EngineOpts {
    /// Model folder.
    #[arg(long, default_value = "models/default")]
    pub model: PathBuf,
    /// Sensor frames per window (resampled to the model's T). Default 64 (about 2 s at 30 fps).
    #[arg(long)]
    pub window: Option<usize>,
    /// A window every this many frames.
    #[arg(long, default_value_t = 4)]
    pub stride: usize,
    /// Classes per label.
    #[arg(long, default_value_t = 5)]
    pub top_k: usize,
    /// Where the encoder and energy head run: cpu, or cuda (build with `--features cuda`; no
    /// silent CPU fallback).
    #[arg(long, default_value = "cpu")]
    pub device: Device,
    /// Intra-op threads of each ONNX Runtime session.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// A body not seen for this many frames is forgotten.
    #[arg(long, default_value_t = 30)]
    pub expire_after: u64,
    /// Events (topic `events`): an action starts when its class is the best, not unknown, with
    /// at least this score, for --event-min-windows windows in a row.
    #[arg(long, default_value_t = EventConfig::default().enter)]
    pub event_enter: f32,
    /// An action ends when its class has scored below this (or been beaten by another class
    /// that could start) for --event-min-windows windows in a row, or its body is gone.
    #[arg(long, default_value_t = EventConfig::default().exit)]
    pub event_exit: f32,
    #[arg(long, default_value_t = EventConfig::default().min_windows)]
    pub event_min_windows: u32,
    /// A window in which no body moves more than this many metres (the third-largest spread
    /// of a joint about its mean) is still: its label says `"still": true` and it starts and
    /// carries no event. 0 turns the test off.
    #[arg(long, default_value_t = crate::stream::window::STILL_BELOW)]
    pub still_below: f32,
}

/// Flags of `scale serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The bridge's PUB endpoint to connect to (or to bind, with --frames-bind).
    #[arg(long, default_value = "tcp://127.0.0.1:5555")]
    pub frames: String,
    /// Bind the frames socket instead of connecting (bridges then connect to scale).
    #[arg(long)]
    pub frames_bind: bool,
    /// Endpoint the labels PUB binds.
    #[arg(long, default_value = "tcp://127.0.0.1:5556")]
    pub labels: String,
    /// Seconds between stats messages.
    #[arg(long, default_value_t = 2.0)]
    pub stats_every: f64,
    /// Endpoint the control socket (a ZeroMQ REP) binds: `scale classes add|remove|list|allow`
    /// change the candidate classes there while the server runs (docs/protocol.md, "Control").
    #[arg(long, default_value = crate::stream::control::DEFAULT_CONTROL)]
    pub control: String,
    /// No control socket: the classes stay as they start.
    #[arg(long, conflicts_with = "control")]
    pub no_control: bool,
    /// Only these classes are candidates, comma-separated (e.g. "clapping,drink water"); names
    /// the model does not know are added, named by their text alone. Default: all of the
    /// model's classes.
    #[arg(long)]
    pub classes: Option<String>,
    /// Serve the live view (the tracked bodies, their labels and events, in a browser) at
    /// http://ADDR/; `--http` alone: 127.0.0.1:8080 (loopback only).
    #[arg(long, value_name = "ADDR", num_args = 0..=1,
          default_missing_value = crate::stream::view::DEFAULT_HTTP)]
    pub http: Option<String>,
    /// Messages queued for each label subscriber (at most 4 MiB): one that reads slower than
    /// messages come misses those beyond, counted as `subscriber_drops` in the stats; the
    /// others are not held up.
    #[arg(long, default_value_t = crate::stream::publisher::DEFAULT_SUBSCRIBER_QUEUE)]
    pub subscriber_queue: usize,
    #[command(flatten)]
    pub engine: EngineOpts,
}

impl EngineOpts {
    /// A server configuration with these settings (endpoints as given).
    pub fn config(
        &self,
        frames: &str,
        labels: &str,
        stats_every: f64,
    ) -> Result<ServeConfig, String> {
        if !(stats_every.is_finite() && (0.05..=3600.0).contains(&stats_every)) {
            return Err(format!(
                "--stats-every must be between 0.05 and 3600 seconds (got {stats_every})"
            ));
        }
        if self.stride == 0 {
            return Err("--stride must be at least 1".into());
        }
        if self.window.is_some_and(|w| w < 2) {
            return Err("--window must be at least 2 frames".into());
        }
        let mut c = ServeConfig::new(frames, labels, self.model.clone());
        c.window = self.window;
        c.stride = self.stride;
        c.top_k = self.top_k;
        c.session = SessionOptions {
            intra_threads: self.threads.max(1),
            device: self.device,
        };
        c.expire_after = self.expire_after;
        c.stats_every = Duration::from_secs_f64(stats_every);
        c.events = EventConfig {
            enter: self.event_enter,
            exit: self.event_exit,
            min_windows: self.event_min_windows,
        };
        c.events.validate()?;
        if !(self.still_below.is_finite() && (0.0..=1.0).contains(&self.still_below)) {
            return Err(format!(
                "--still-below must be between 0 and 1 metre (got {})",
                self.still_below
            ));
        }
        c.still_below = self.still_below;
        Ok(c)
    }
}

pub fn serve(args: ServeArgs) -> CliResult {
    let mut config = args
        .engine
        .config(&args.frames, &args.labels, args.stats_every)?;
    config.frames_bind = args.frames_bind;
    config.control = (!args.no_control).then(|| args.control.clone());
    config.http = args.http.clone();
    if args.subscriber_queue == 0 {
        return Err("--subscriber-queue must be at least 1 message".into());
    }
    config.publisher.messages = args.subscriber_queue;
    if let Some(list) = &args.classes {
        let names: Vec<String> = list
            .split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() {
            return Err("--classes: no class names given".into());
        }
        config.classes = Some(names);
    }
    config.handle_signals = true;
    config.log = true;
    let server = Server::start(config.clone())?;
    eprintln!(
        "scale serve: model {} on {} ({} intra-op thread{}), window {} frames resampled to {}, stride {}",
        config.model.display(),
        config.session.device,
        config.session.intra_threads,
        if config.session.intra_threads == 1 {
            ""
        } else {
            "s"
        },
        server.window,
        server.model_frames,
        config.stride
    );
    eprintln!(
        "scale serve: frames <- {} ({}), labels, events and stats -> {} (PUB, bound); Ctrl-C stops",
        config.frames,
        if config.frames_bind {
            "SUB, bound"
        } else {
            "SUB, connecting"
        },
        server.labels_endpoint
    );
    if let Some(url) = &server.http_endpoint {
        eprintln!("scale serve: live view at {url}");
    }
    if let Some(ep) = &server.control_endpoint {
        eprintln!("scale serve: control (REP, bound) at {ep}: `scale classes list --control {ep}`");
    }
    server.wait()?;
    Ok(())
}

/// Flags of `scale replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A recording, or a folder of them.
    pub input: PathBuf,
    /// Endpoint to bind.
    #[arg(long, default_value = "tcp://127.0.0.1:5555")]
    pub to: String,
    /// Recorded frame rate.
    #[arg(long, default_value_t = 30.0)]
    pub fps: f64,
    /// Start over after the last recording, until Ctrl-C.
    #[arg(long = "loop")]
    pub looped: bool,
    /// Playback speed factor.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Wire format of the frames.
    #[arg(long, value_enum, default_value = "json")]
    pub format: WireFormat,
    /// Seconds of frames without bodies between recordings.
    #[arg(long, default_value_t = 1.5)]
    pub gap: f64,
    /// Start sending at once instead of waiting for a subscriber.
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub recording: super::RecordingOpts,
}

pub fn replay(args: ReplayArgs) -> CliResult {
    let recordings = replay::load(&args.input, &args.recording.read_options()?)?;
    let frames: usize = recordings.iter().map(|r| r.frames.len()).sum();
    let config = ReplayConfig {
        fps: args.fps,
        speed: args.speed,
        looped: args.looped,
        format: args.format,
        gap_s: args.gap,
    };
    let rt = net::runtime()?;
    let shutdown = Shutdown::new();
    let result: Result<u64, String> = rt.block_on(async {
        let stop = shutdown.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
            }
        });
        let mut replayer = Replayer::bind(&args.to).await?;
        eprintln!(
            "scale replay: {} recording{} ({frames} frames) on {} as {:?} frames at {} fps × {}{}",
            recordings.len(),
            if recordings.len() == 1 { "" } else { "s" },
            replayer.endpoint,
            args.format,
            args.fps,
            args.speed,
            if args.looped { ", looping" } else { "" }
        );
        if !args.no_wait {
            eprintln!("scale replay: waiting for a subscriber (--no-wait to start at once)");
            if !replayer.wait_for_subscriber(None, &shutdown).await {
                return Ok(0);
            }
        }
        let mut last_name = usize::MAX;
        replayer
            .play(&recordings, &config, &shutdown, &mut |s| {
                if let Some(i) = s.recording
                    && i != last_name
                {
                    last_name = i;
                    eprintln!("scale replay: seq {:>7}  {}", s.seq, recordings[i].name);
                }
            })
            .await
    });
    let sent = result?;
    eprintln!("scale replay: sent {sent} frames");
    Ok(())
}

/// Flags of `scale record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The `.jsonl` recording to write (replaced if it exists).
    pub output: PathBuf,
    /// The bridge's PUB endpoint to connect to (or to bind, with --frames-bind).
    #[arg(long, default_value = "tcp://127.0.0.1:5555")]
    pub frames: String,
    /// Bind the frames socket instead of connecting (the bridge then connects to scale).
    #[arg(long)]
    pub frames_bind: bool,
    /// Stop after this many frames.
    #[arg(long)]
    pub count: Option<u64>,
    /// Stop this many seconds after the first frame.
    #[arg(long)]
    pub seconds: Option<f64>,
}

pub fn record(args: RecordArgs) -> CliResult {
    let duration = match args.seconds {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => return Err(format!("--seconds must be a positive number, not {s}").into()),
    };
    if !args
        .output
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "json")
    {
        return Err(format!(
            "{}: a recording is written as JSON lines; name it `.jsonl`",
            args.output.display()
        )
        .into());
    }
    let file = std::fs::File::create(&args.output)
        .map_err(|e| format!("{}: cannot create: {e}", args.output.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let config = RecordConfig {
        frames: args.frames,
        bind: args.frames_bind,
        count: args.count,
        duration,
        log: true,
    };
    let rt = net::runtime()?;
    let shutdown = Shutdown::new();
    let summary = rt.block_on(async {
        let stop = shutdown.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
            }
        });
        eprintln!(
            "scale record: frames from {} into {} (Ctrl-C stops)",
            config.frames,
            args.output.display()
        );
        record::record(&config, &shutdown, &mut out).await
    });
    let summary = summary.map_err(|e| format!("{}: {e}", args.output.display()))?;
    let dropped: Vec<String> = summary
        .dropped
        .iter()
        .map(|(reason, n)| format!("{reason} {n}"))
        .collect();
    eprintln!(
        "scale record: {} frames ({} with bodies, at most {} in one) in {}; left out: {}; bridge restarts: {}",
        summary.frames,
        summary.frames_with_bodies,
        summary.bodies_max,
        args.output.display(),
        if dropped.is_empty() {
            "none".into()
        } else {
            dropped.join(", ")
        },
        summary.bridge_restarts
    );
    Ok(())
}
