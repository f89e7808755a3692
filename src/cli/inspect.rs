//! `scale inspect`: what is in a recording.

use super::{CliResult, RecordingOpts};
use crate::catalog::Catalog;
use crate::ntu::frames::NTU_FPS;
use crate::ntu::{NtuSequence, SampleId, class_names};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Summary of a recording; the `--json` output.
#[derive(Debug, Serialize, PartialEq)]
pub struct Summary {
    pub file: String,
    pub frames: usize,
    pub duration_s: f64,
    pub fps: f64,
    /// Number of frames with each body count.
    pub bodies_per_frame: BTreeMap<usize, usize>,
    pub body_ids: Vec<u64>,
    /// `[min, max]` of x, y and z over all joints of all bodies (metres); null with no bodies.
    pub joint_range: Option<[[f32; 2]; 3]>,
    /// Joints reported at exactly (0, 0, 0).
    pub zero_joints: usize,
    /// Joints whose tracking state is 1 (inferred).
    pub inferred_joints: usize,
    /// Joints whose tracking state is 0 (not tracked).
    pub untracked_joints: usize,
    /// Median over the frames' bodies of the mean major-bone length, metres
    /// (`skeleton::normalize::body_size`): what normalisation step 6 scales to 0.25 m.
    pub body_size_m: Option<f32>,
    /// The NTU sample name and its action, when the file name is one.
    pub sample: Option<String>,
    pub action: Option<String>,
}

pub fn summarize(path: &Path, seq: &NtuSequence) -> Summary {
    let mut bodies_per_frame = BTreeMap::new();
    let mut body_ids = Vec::new();
    let mut range: Option<[[f32; 2]; 3]> = None;
    let (mut zero, mut inferred, mut untracked) = (0, 0, 0);
    let mut sizes = Vec::new();
    for f in &seq.frames {
        *bodies_per_frame.entry(f.bodies.len()).or_insert(0) += 1;
        for b in &f.bodies {
            let size = crate::skeleton::normalize::body_size(&b.positions());
            if size.is_finite() {
                sizes.push(size);
            }
            if !body_ids.contains(&b.body_id) {
                body_ids.push(b.body_id);
            }
            for j in &b.joints {
                let r = range.get_or_insert([[f32::INFINITY, f32::NEG_INFINITY]; 3]);
                for (axis, &x) in r.iter_mut().zip(&j.position) {
                    axis[0] = axis[0].min(x);
                    axis[1] = axis[1].max(x);
                }
                zero += usize::from(j.position == [0.0; 3]);
                inferred += usize::from(j.tracking_state == 1);
                untracked += usize::from(j.tracking_state == 0);
            }
        }
    }
    sizes.sort_by(f32::total_cmp);
    let id = SampleId::from_path(path);
    let synthetic = synthetic_catalog(path);
    Summary {
        file: path.display().to_string(),
        frames: seq.frames.len(),
        duration_s: seq.frames.len() as f64 / NTU_FPS,
        fps: NTU_FPS,
        bodies_per_frame,
        body_ids,
        joint_range: range,
        zero_joints: zero,
        inferred_joints: inferred,
        untracked_joints: untracked,
        body_size_m: sizes.get(sizes.len() / 2).copied(),
        sample: id.map(|i| i.to_string()),
        action: id.and_then(|i| {
            if let Some(catalog) = &synthetic {
                catalog
                    .by_id(u32::from(i.action))
                    .map(|c| format!("synthetic class {} {}", c.id, c.name))
            } else {
                class_names()
                    .get(i.class_index())
                    .map(|n| format!("A{} {n}", i.action))
            }
        }),
    }
}

/// The catalogue of the `scale synth` folder the file sits in (whose `A` numbers are
/// catalogue ids rather than NTU actions), or `None` when it is not in one.
fn synthetic_catalog(path: &Path) -> Option<Catalog> {
    let dir = path.parent()?;
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    if v["generator"] != "scale synth" {
        return None;
    }
    crate::train::data::synthetic_catalog(dir).ok()
}

pub fn run(path: &Path, json: bool, opts: &RecordingOpts) -> CliResult {
    let seq = crate::recording::read_sequence(path, &opts.read_options()?)?;
    let s = summarize(path, &seq);
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!("file          {}", s.file);
    if let (Some(sample), Some(action)) = (&s.sample, &s.action) {
        println!("sample        {sample} ({action})");
    }
    println!(
        "frames        {} ({:.2} s at {} fps)",
        s.frames, s.duration_s, s.fps
    );
    let per: Vec<String> = s
        .bodies_per_frame
        .iter()
        .map(|(b, n)| format!("{n} with {b}"))
        .collect();
    println!("bodies/frame  {}", per.join(", "));
    println!(
        "body ids      {}",
        s.body_ids
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    match s.joint_range {
        Some(r) => {
            for (axis, [lo, hi]) in ["x", "y", "z"].iter().zip(r) {
                println!("{axis} range       {lo:+.3} .. {hi:+.3} m");
            }
        }
        None => println!("joint range   (no bodies)"),
    }
    println!("zero joints   {}", s.zero_joints);
    println!("inferred      {}", s.inferred_joints);
    println!("not tracked   {}", s.untracked_joints);
    if let Some(size) = s.body_size_m {
        println!(
            "body size     {size:.3} m (median mean major-bone length; body-scaled windows: 0.25)"
        );
    }
    Ok(())
}
