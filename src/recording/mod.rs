//! Recordings from files, whatever their source: NTU RGB+D `.skeleton`, JSON-lines protocol
//! frames (`.jsonl`, any layout), and motion capture (`.bvh`, Acclaim `.amc` with its `.asf`),
//! all read as protocol frames. `inspect`, `convert`, `replay`, `eval` and `label` read files
//! through [`read`]; [`labels`] reads the `labels.csv` of a labelled folder.
//!
//! This is the edge where file formats meet the one joint table: every reader returns frames
//! whose bodies reduce to the 25 Kinect v2 joints (`BodyFrame::kinect_joints`).

pub mod labels;

use crate::mocap::{self, MocapOptions};
use crate::ntu::NtuSequence;
use crate::ntu::frames::NTU_FPS;
use crate::protocol::SkeletonFrame;
use std::path::{Path, PathBuf};

/// The kind of recording a path holds, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordingKind {
    /// NTU RGB+D `.skeleton` text.
    Skeleton,
    /// One protocol frame (JSON) per line.
    JsonLines,
    /// Biovision hierarchy motion capture.
    Bvh,
    /// Acclaim motion (`.amc`), read with its skeleton (`.asf`).
    Amc,
}

impl RecordingKind {
    /// The kind of `path`, or an error listing the kinds there are.
    pub fn of(path: &Path) -> Result<RecordingKind, String> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("skeleton") => Ok(RecordingKind::Skeleton),
            Some("jsonl") | Some("json") => Ok(RecordingKind::JsonLines),
            Some("bvh") => Ok(RecordingKind::Bvh),
            Some("amc") => Ok(RecordingKind::Amc),
            _ => Err(format!(
                "{}: unknown recording type; expected `.skeleton` (NTU RGB+D), `.jsonl` (protocol frames), `.bvh` or `.amc` (motion capture)",
                path.display()
            )),
        }
    }

    /// True for the extensions [`RecordingKind::of`] knows.
    pub fn is_recording(path: &Path) -> bool {
        RecordingKind::of(path).is_ok()
    }
}

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The `.asf` of an `.amc`; `None`: the single `.asf` in its folder or the folder above.
    pub asf: Option<PathBuf>,
    /// Motion capture: frame rate, virtual sensor placement, optional sensor noise.
    pub mocap: MocapOptions,
}

/// Reads a recording as protocol frames: `seq` from 1, capture times at 30 fps for `.skeleton`
/// and motion capture (resampled to `mocap.fps`), as written for `.jsonl`. Errors name the file
/// (and the line, for malformed text).
pub fn read(path: &Path, options: &ReadOptions) -> Result<Vec<SkeletonFrame>, String> {
    match RecordingKind::of(path)? {
        RecordingKind::Skeleton => Ok(NtuSequence::read(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .to_frames(0, NTU_FPS)),
        RecordingKind::JsonLines => crate::protocol::read_jsonl(path),
        RecordingKind::Bvh => mocap::read_bvh(path, &options.mocap),
        RecordingKind::Amc => {
            let asf = match &options.asf {
                Some(a) => a.clone(),
                None => mocap::find_asf(path)?,
            };
            mocap::read_amc(path, &asf, &options.mocap)
        }
    }
}

/// Reads a recording as an NTU sequence (bodies reduced to the 25 Kinect v2 joints).
pub fn read_sequence(path: &Path, options: &ReadOptions) -> Result<NtuSequence, String> {
    match RecordingKind::of(path)? {
        // Keeps NTU's own fields (pixel positions, orientations) that frames do not carry.
        RecordingKind::Skeleton => {
            NtuSequence::read(path).map_err(|e| format!("{}: {e}", path.display()))
        }
        _ => Ok(NtuSequence::from_frames(&read(path, options)?)),
    }
}

/// The recordings under `path`: the file itself, or every recording in the folder and its
/// subfolders, sorted by path.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.is_dir() {
        RecordingKind::of(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in entries {
            let p = e.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if RecordingKind::is_recording(&p) && p.extension().is_none_or(|e| e != "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(format!(
            "{}: no recordings (.skeleton, .jsonl, .bvh, .amc) in this folder",
            path.display()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_extension() {
        let k = |p: &str| RecordingKind::of(Path::new(p));
        assert_eq!(k("a/S001.skeleton"), Ok(RecordingKind::Skeleton));
        assert_eq!(k("x.jsonl"), Ok(RecordingKind::JsonLines));
        assert_eq!(k("x.BVH"), Ok(RecordingKind::Bvh));
        assert_eq!(k("HDM_bd_x.amc"), Ok(RecordingKind::Amc));
        let e = k("clip.mp4").unwrap_err();
        assert!(e.contains("clip.mp4") && e.contains(".bvh"), "{e}");
    }
}
