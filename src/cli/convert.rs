//! `scale convert`: NTU `.skeleton` ↔ JSON-lines protocol frames.

use super::{CliResult, RecordingKind, recording_kind};
use crate::ntu::NtuSequence;
use crate::ntu::frames::NTU_FPS;
use crate::protocol::SkeletonFrame;
use std::io::Write;
use std::path::Path;

pub fn run(input: &Path, output: &Path) -> CliResult {
    match (recording_kind(input)?, recording_kind(output)?) {
        (RecordingKind::Skeleton, RecordingKind::JsonLines) => {
            let seq = NtuSequence::read(input)?;
            let frames = seq.to_frames(0, NTU_FPS);
            write_jsonl(output, &frames)?;
            eprintln!("wrote {} frames to {}", frames.len(), output.display());
        }
        (RecordingKind::JsonLines, RecordingKind::Skeleton) => {
            let frames = crate::protocol::read_jsonl(input)?;
            let seq = NtuSequence::from_frames(&frames);
            seq.write(output)?;
            eprintln!("wrote {} frames to {}", seq.frames.len(), output.display());
        }
        _ => {
            return Err(format!(
                "convert goes between formats: give one `.skeleton` and one `.jsonl` path (got {} and {})",
                input.display(),
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
