//! `scale convert`: any recording → NTU `.skeleton` or JSON-lines protocol frames.

use super::{CliResult, RecordingOpts};
use crate::ntu::NtuSequence;
use crate::protocol::SkeletonFrame;
use crate::recording::{self, RecordingKind};
use std::io::Write;
use std::path::Path;

pub fn run(input: &Path, output: &Path, opts: &RecordingOpts) -> CliResult {
    let options = opts.read_options()?;
    let (from, to) = (RecordingKind::of(input)?, RecordingKind::of(output)?);
    if from == to {
        return Err(format!(
            "convert goes between formats: {} and {} are both {from:?} files",
            input.display(),
            output.display()
        )
        .into());
    }
    match to {
        RecordingKind::JsonLines => {
            let frames = recording::read(input, &options)?;
            write_jsonl(output, &frames)?;
            eprintln!("wrote {} frames to {}", frames.len(), output.display());
        }
        RecordingKind::Skeleton => {
            let seq: NtuSequence = recording::read_sequence(input, &options)?;
            seq.write(output)?;
            eprintln!("wrote {} frames to {}", seq.frames.len(), output.display());
        }
        RecordingKind::Bvh | RecordingKind::Amc => {
            return Err(format!(
                "{}: convert writes `.skeleton` or `.jsonl`, not motion capture",
                output.display()
            )
            .into());
        }
    }
    Ok(())
}

fn write_jsonl(path: &Path, frames: &[SkeletonFrame]) -> CliResult {
    let file = std::fs::File::create(path)
        .map_err(|e| format!("{}: cannot create: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    for f in frames {
        w.write_all(&f.to_json())?;
        w.write_all(b"\n")?;
    }
    w.flush()
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    Ok(())
}
