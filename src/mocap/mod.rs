//! Motion capture → Kinect v2 recordings: BVH ([`bvh`]) and Acclaim ASF/AMC ([`asf`]) files,
//! the formats of the CMU and HDM05 databases, become protocol frames in the one 25-joint table,
//! as a Kinect v2 in front of the performer would have recorded them (without its noise, unless
//! asked for).
//!
//! Pipeline, per file:
//! 1. **Parse** strictly (errors are `file:LINE: what is wrong`; nothing is allocated from an
//!    unchecked count) and run **forward kinematics** to world positions of every joint, in the
//!    file's units and axes, at the file's own frame rate (BVH: `Frame Time:`; AMC: the rate
//!    ending names like `HDM_bd_squat1Reps_001_120.amc`, else 120 Hz, the rate of CMU and
//!    HDM05; see [`amc_frame_rate`]).
//! 2. **Retarget** by joint name to the 25 Kinect joints ([`retarget`], where the table is).
//! 3. **Units → metres.** ASF: `:units length L` means metres = value × 0.0254 / L (CMU and
//!    HDM05 use L = 0.45). BVH has no unit: the rest pose's head-to-ankle chain length (Head →
//!    Neck → SpineShoulder → SpineMid → SpineBase, plus the mean hip → knee → ankle) is read as
//!    metres, centimetres, millimetres, inches or CMU's 1/0.45-inch unit, whichever makes it
//!    closest to an adult's 1.3 m. [`MocapOptions::unit_scale`] overrides both.
//! 4. **Up axis**: a vote of three estimates, each a signed coordinate axis turned to +Y: the
//!    rest pose's, when it is upright (SpineBase → Head and SpineBase → ankles opposite along
//!    one axis), the first frame's and the clip's mean direction from the ankles' midpoint to the
//!    head (each when clearly along one axis). Two that agree win; otherwise the rest pose, then
//!    the first frame. No single estimate is enough: a BVH rest pose (every channel 0) need not
//!    be upright, nor in the axes the root's motion uses — in the `CC_Base_*` files here the
//!    legs and spine of the rest pose point the same way, and the root's rotation turns the
//!    Z-up hierarchy into a Y-up world —, and a clip may spend most of its time lying down
//!    (HDM05's `lieDownFloor`).
//! 5. **Handedness**: the toes must point where the performer faces (`up × right`, right from
//!    the left hip/shoulder to the right one); a clip whose feet point backwards on average is
//!    from a left-handed file and is mirrored front to back.
//! 6. **Face a virtual sensor** (Kinect camera space: metres, x to the sensor's left, y up, z
//!    away from the sensor, as in NTU RGB+D): turned about the vertical so that in the first
//!    frame the right vector (hips' plus shoulders', horizontal) is +x — the performer then faces
//!    the sensor, ShoulderRight x > ShoulderLeft x —; the first frame's SpineBase at x = 0,
//!    z = [`MocapOptions::distance`]; the floor — the lowest level the lowest ankle or foot joint
//!    keeps for 50 ms over the clip, so that a one-frame capture glitch does not count —
//!    [`MocapOptions::sensor_height`] below the sensor.
//! 7. **Resample** to [`MocapOptions::fps`] by linear interpolation of joint positions in time
//!    (frames at t = k / fps while t ≤ the last source frame's time).
//! 8. **Noise** when [`MocapOptions::noise`] is `Some(seed)`: the generator's Kinect-like model
//!    ([`crate::synth::noise`]), seeded.
//!
//! Frames: [`Layout::KinectV2`], one body with id 1, `seq` from 1, `t_us` =
//! [`frame_time_us`]`(0, seq, fps)`; tracking state 2 for joints read from the file, 1 for those
//! placed by a rule (hand tips and thumbs of skeletons without fingers) and during the noise
//! model's inferred bursts.

pub mod asf;
pub mod bvh;
pub mod math;
pub mod retarget;

use crate::ntu::frames::frame_time_us;
use crate::protocol::{BodyFrame, Layout, SkeletonFrame};
use crate::skeleton::{Joint, NUM_JOINTS};
use math::{M3, V3};
use std::path::{Path, PathBuf};

/// How a motion-capture file becomes a recording.
#[derive(Clone, Debug, PartialEq)]
pub struct MocapOptions {
    /// Output frame rate (default 30.0).
    pub fps: f64,
    /// Distance from the virtual sensor to the performer's root in the first frame, metres
    /// (default 3.0).
    pub distance: f32,
    /// Height of the virtual sensor above the floor, metres (default 1.0).
    pub sensor_height: f32,
    /// When Some(seed): add the generator's Kinect-like sensor noise, seeded.
    pub noise: Option<u64>,
    /// Override the automatic unit detection: metres per file unit (None = automatic).
    pub unit_scale: Option<f32>,
}

impl Default for MocapOptions {
    fn default() -> Self {
        MocapOptions {
            fps: 30.0,
            distance: 3.0,
            sensor_height: 1.0,
            noise: None,
            unit_scale: None,
        }
    }
}

/// A parse error: `source:line: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MocapError {
    /// The file (or the name given to a string-level parser).
    pub source: String,
    /// 1-based line.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for MocapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.message)
    }
}

impl std::error::Error for MocapError {}

pub(crate) fn err(source: &str, line: usize, message: String) -> MocapError {
    MocapError {
        source: source.to_string(),
        line,
        message,
    }
}

/// Largest magnitude a number in a mocap file may have.
const MAX_ABS: f64 = 1e6;
/// Longest recording converted, seconds, and most frames written.
const MAX_SECONDS: f64 = 4.0 * 3600.0;
const MAX_FRAMES: f64 = 1_000_000.0;

/// A finite number of at most [`MAX_ABS`] in magnitude.
pub(crate) fn number(
    token: &str,
    source: &str,
    line: usize,
    what: &str,
) -> Result<f64, MocapError> {
    match token.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= MAX_ABS => Ok(v),
        Ok(_) => Err(err(
            source,
            line,
            format!("{what} {token:?} is not a finite number of at most 1e6"),
        )),
        Err(_) => Err(err(
            source,
            line,
            format!("{what} {token:?} is not a number"),
        )),
    }
}

/// What a conversion found out about its file.
#[derive(Clone, Debug, PartialEq)]
pub struct MocapInfo {
    /// `"bvh"` or `"amc"`.
    pub format: &'static str,
    /// The retargeting table's column used (`"asf"`, `"cc_base"`, `"common"`).
    pub table: &'static str,
    pub source_frames: usize,
    pub source_fps: f64,
    /// Metres per file unit, and what it was taken for.
    pub metres_per_unit: f64,
    pub unit: &'static str,
    /// The file's up axis: `"+Y"`, `"-Z"`, ….
    pub up_axis: &'static str,
    /// Whether the clip was mirrored front to back (a left-handed file).
    pub mirrored: bool,
    /// The performer's height over the clip's first frame: Head above the floor, metres.
    pub head_height: f32,
}

/// A converted recording and what the conversion found.
#[derive(Clone, Debug, PartialEq)]
pub struct MocapRecording {
    pub frames: Vec<SkeletonFrame>,
    pub info: MocapInfo,
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads a `.bvh` file.
pub fn read_bvh(path: &Path, opts: &MocapOptions) -> Result<Vec<SkeletonFrame>, String> {
    load_bvh(path, opts).map(|r| r.frames)
}

/// Reads an `.amc` file with its `.asf` skeleton.
pub fn read_amc(amc: &Path, asf: &Path, opts: &MocapOptions) -> Result<Vec<SkeletonFrame>, String> {
    load_amc(amc, asf, opts).map(|r| r.frames)
}

/// [`read_bvh`], with what the conversion found.
pub fn load_bvh(path: &Path, opts: &MocapOptions) -> Result<MocapRecording, String> {
    let source = path.display().to_string();
    let b = bvh::parse(&read_text(path)?, &source).map_err(|e| e.to_string())?;
    convert_bvh(&b, &source, opts)
}

/// [`read_amc`], with what the conversion found.
pub fn load_amc(amc: &Path, asf: &Path, opts: &MocapOptions) -> Result<MocapRecording, String> {
    let asf_source = asf.display().to_string();
    let skeleton = asf::parse(&read_text(asf)?, &asf_source).map_err(|e| e.to_string())?;
    let source = amc.display().to_string();
    let motion = asf::parse_amc(&read_text(amc)?, &source, &skeleton).map_err(|e| e.to_string())?;
    convert_amc(&skeleton, &motion, amc_frame_rate(amc), &source, opts)
}

/// The frame rate of an `.amc` file, which the format does not record: HDM05 ends its names
/// with it (`HDM_bd_squat1Reps_001_120.amc`), so a stem of at least three `_`-separated parts
/// whose last is a common capture rate (30, 50, 60, 100, 120, 200, 240, 250, 480 or 500) gives
/// that rate; anything else (CMU's `01_02.amc`: subject and trial) is 120 Hz, the rate of CMU
/// and HDM05.
pub fn amc_frame_rate(path: &Path) -> f64 {
    const RATES: [u32; 10] = [30, 50, 60, 100, 120, 200, 240, 250, 480, 500];
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let parts: Vec<&str> = stem.split('_').collect();
    match parts.as_slice() {
        [_, _, .., last] => last
            .parse::<u32>()
            .ok()
            .filter(|n| RATES.contains(n))
            .map_or(120.0, f64::from),
        _ => 120.0,
    }
}

fn asf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("asf"))
        })
        .collect();
    out.sort();
    out
}

/// The `.asf` for an `.amc` when none is given: the single `.asf` in the amc's folder, else
/// (when that folder has none) the single one in its parent folder. Otherwise — none in either,
/// or several where the search stopped — an error that says to pass `--asf FILE` or a
/// `skeleton` column in labels.csv, naming what was found.
pub fn find_asf(amc: &Path) -> Result<PathBuf, String> {
    let dir = amc
        .parent()
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .unwrap_or(Path::new("."));
    let mut looked = Vec::new();
    for d in [
        Some(dir),
        dir.parent().filter(|p| !p.as_os_str().is_empty()),
    ]
    .into_iter()
    .flatten()
    {
        let found = asf_files(d);
        looked.push(d.display().to_string());
        match found.len() {
            0 => continue,
            1 => return Ok(found.into_iter().next().unwrap_or_default()),
            _ => {
                let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
                return Err(format!(
                    "{}: which skeleton? {} .asf files in {}: {}; pass --asf FILE, or a skeleton column in labels.csv",
                    amc.display(),
                    found.len(),
                    d.display(),
                    names.join(", ")
                ));
            }
        }
    }
    Err(format!(
        "{}: no .asf skeleton found (looked in {}); pass --asf FILE, or a skeleton column in labels.csv",
        amc.display(),
        looked.join(" and ")
    ))
}

/// Converts a parsed BVH file; `source` names it in errors.
pub fn convert_bvh(
    b: &bvh::Bvh,
    source: &str,
    opts: &MocapOptions,
) -> Result<MocapRecording, String> {
    check_options(opts)?;
    let names = b.names();
    let plan =
        retarget::plan(&names, &retarget::BVH_TABLES).map_err(|e| format!("{source}: {e}"))?;
    if b.frames() == 0 {
        return Err(format!("{source}: no motion frames"));
    }
    let (mut p, mut r) = (Vec::new(), Vec::new());
    b.positions(None, &mut p, &mut r);
    let rest = plan.apply(&p);
    let mut clip = Vec::new();
    for f in 0..b.frames() {
        b.positions(Some(f), &mut p, &mut r);
        clip.push(plan.apply(&p));
    }
    let (metres, unit) = match opts.unit_scale {
        Some(s) => (f64::from(s), "given"),
        None => detect_unit(&rest),
    };
    finish(
        Clip {
            format: "bvh",
            plan: &plan,
            rest,
            frames: clip,
            frame_time: b.frame_time,
            metres,
            unit,
        },
        source,
        opts,
    )
}

/// Converts a parsed AMC motion of skeleton `skeleton` recorded at `frame_rate` Hz; `source`
/// names it in errors.
pub fn convert_amc(
    skeleton: &asf::Asf,
    motion: &asf::Amc,
    frame_rate: f64,
    source: &str,
    opts: &MocapOptions,
) -> Result<MocapRecording, String> {
    check_options(opts)?;
    if !(frame_rate.is_finite() && (1.0..=1000.0).contains(&frame_rate)) {
        return Err(format!(
            "{source}: frame rate {frame_rate} Hz is outside 1 to 1000"
        ));
    }
    let names = skeleton.point_names();
    let plan = retarget::plan(&names, &[&retarget::ASF]).map_err(|e| format!("{source}: {e}"))?;
    if motion.frames() == 0 {
        return Err(format!("{source}: no motion frames"));
    }
    let kin = skeleton.kinematics();
    let radians = motion.radians.unwrap_or(skeleton.radians);
    let (mut p, mut r) = (Vec::new(), Vec::new());
    skeleton.positions(&kin, None, radians, &mut p, &mut r);
    let rest = plan.apply(&p);
    let mut clip = Vec::new();
    for f in 0..motion.frames() {
        skeleton.positions(&kin, motion.frame(f), radians, &mut p, &mut r);
        clip.push(plan.apply(&p));
    }
    let (metres, unit) = match opts.unit_scale {
        Some(s) => (f64::from(s), "given"),
        None => (0.0254 / skeleton.length, ":units length"),
    };
    finish(
        Clip {
            format: "amc",
            plan: &plan,
            rest,
            frames: clip,
            frame_time: 1.0 / frame_rate,
            metres,
            unit,
        },
        source,
        opts,
    )
}

fn check_options(opts: &MocapOptions) -> Result<(), String> {
    if !(opts.fps.is_finite() && opts.fps > 0.0 && opts.fps <= 1000.0) {
        return Err(format!("fps {} is outside (0, 1000]", opts.fps));
    }
    if !(opts.distance.is_finite() && opts.sensor_height.is_finite()) {
        return Err("distance and sensor height must be finite".into());
    }
    if let Some(s) = opts.unit_scale
        && !(s.is_finite() && s > 0.0)
    {
        return Err(format!("unit scale {s} must be a positive number"));
    }
    Ok(())
}

/// The candidates for a BVH file's unit: metres per unit.
const UNITS: [(f64, &str); 5] = [
    (1.0, "metre"),
    (0.01, "centimetre"),
    (0.001, "millimetre"),
    (0.0254, "inch"),
    (0.0254 / 0.45, "CMU unit (1/0.45 inch)"),
];

/// Head-to-ankle chain length of an adult in Kinect joints, metres (NTU RGB+D: about 1.3).
const CHAIN_METRES: f64 = 1.3;

fn chain_length(j: &[V3; NUM_JOINTS]) -> f64 {
    use Joint::*;
    let d = |a: Joint, b: Joint| math::distance(j[a.index()], j[b.index()]);
    d(Head, Neck)
        + d(Neck, SpineShoulder)
        + d(SpineShoulder, SpineMid)
        + d(SpineMid, SpineBase)
        + 0.5 * (d(HipLeft, KneeLeft) + d(KneeLeft, AnkleLeft))
        + 0.5 * (d(HipRight, KneeRight) + d(KneeRight, AnkleRight))
}

/// Metres per unit of a BVH file, from its rest pose.
fn detect_unit(rest: &[V3; NUM_JOINTS]) -> (f64, &'static str) {
    let chain = chain_length(rest);
    if !(chain.is_finite() && chain > 0.0) {
        return (1.0, "metre");
    }
    UNITS
        .iter()
        .copied()
        .min_by(|a, b| {
            let da = (chain * a.0 / CHAIN_METRES).ln().abs();
            let db = (chain * b.0 / CHAIN_METRES).ln().abs();
            da.total_cmp(&db)
        })
        .unwrap_or((1.0, "metre"))
}

struct Clip<'a> {
    format: &'static str,
    plan: &'a retarget::Retarget,
    rest: [V3; NUM_JOINTS],
    frames: Vec<[V3; NUM_JOINTS]>,
    frame_time: f64,
    metres: f64,
    unit: &'static str,
}

const AXES: [[&str; 2]; 3] = [["+X", "-X"], ["+Y", "-Y"], ["+Z", "-Z"]];

/// The signed coordinate axis nearest to `v`: (axis, +1 or −1, |component| / |v|).
fn dominant(v: V3) -> (usize, f64, f64) {
    let axis = (0..3)
        .max_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs()))
        .unwrap_or(1);
    let n = math::norm(v);
    let share = if n > 0.0 { v[axis].abs() / n } else { 0.0 };
    (axis, if v[axis] < 0.0 { -1.0 } else { 1.0 }, share)
}

/// A proper rotation taking the signed axis to +Y.
fn up_rotation(axis: usize, sign: f64) -> M3 {
    match (axis, sign > 0.0) {
        (0, true) => [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        (0, false) => [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        (2, true) => [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]],
        (2, false) => [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]],
        (_, true) => math::IDENTITY,
        (_, false) => [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]],
    }
}

/// The signed axis from the ankles' midpoint to the head of one pose, when it is clearly along
/// one axis (`share` of its length or more).
fn upright_axis(j: &[V3; NUM_JOINTS], share: f64) -> Option<(usize, f64)> {
    use Joint::*;
    let ankles = math::mid(j[AnkleLeft.index()], j[AnkleRight.index()]);
    let (axis, sign, s) = dominant(math::sub(j[Head.index()], ankles));
    (s >= share).then_some((axis, sign))
}

/// The file's up axis (see the module documentation): a vote of the rest pose (when upright:
/// SpineBase → Head and SpineBase → ankles opposite along one axis), the first frame and the
/// clip's mean direction; ties go to the rest pose, then the first frame, then +Y.
fn detect_up(frames: &[[V3; NUM_JOINTS]], rest: &[V3; NUM_JOINTS]) -> (usize, f64) {
    use Joint::*;
    let rest_vote = {
        let sb = rest[SpineBase.index()];
        let ankles = math::mid(rest[AnkleLeft.index()], rest[AnkleRight.index()]);
        let (ta, ts, tshare) = dominant(math::sub(rest[Head.index()], sb));
        let (la, ls, lshare) = dominant(math::sub(ankles, sb));
        (ta == la && ts != ls && tshare >= 0.8 && lshare >= 0.8).then_some((ta, ts))
    };
    let first_vote = frames.first().and_then(|j| upright_axis(j, 0.7));
    let mut sum = [0.0; 3];
    for j in frames {
        let ankles = math::mid(j[AnkleLeft.index()], j[AnkleRight.index()]);
        let v = math::sub(j[Head.index()], ankles);
        let n = math::norm(v);
        if n > 0.0 {
            sum = math::add(sum, math::scale(v, 1.0 / n));
        }
    }
    let mean = math::scale(sum, 1.0 / frames.len().max(1) as f64);
    let (axis, sign, _) = dominant(mean);
    let mean_vote = (mean[axis].abs() >= 0.5).then_some((axis, sign));
    let votes = [rest_vote, first_vote, mean_vote];
    let count = |v: (usize, f64)| votes.iter().filter(|&&x| x == Some(v)).count();
    votes
        .iter()
        .flatten()
        .copied()
        .max_by_key(|&v| count(v))
        .filter(|&v| count(v) >= 2)
        .or(rest_vote)
        .or(first_vote)
        .or(mean_vote)
        .unwrap_or((1, 1.0))
}

/// Horizontal (x, z) unit vector of `v`, or zero.
fn horizontal(v: V3) -> [f64; 2] {
    let n = (v[0] * v[0] + v[2] * v[2]).sqrt();
    if n > 1e-12 {
        [v[0] / n, v[2] / n]
    } else {
        [0.0, 0.0]
    }
}

/// Seconds the feet must stay at a level for it to count as the floor.
const FLOOR_HOLD_S: f64 = 0.05;

/// The floor: the lowest level the lowest ankle or foot joint stays at for [`FLOOR_HOLD_S`]
/// (the minimum over time of its running maximum over that long), so that a one-frame glitch
/// of the capture does not lift the whole performer.
fn floor_level(frames: &[[V3; NUM_JOINTS]], frame_time: f64) -> f64 {
    use Joint::*;
    let lowest: Vec<f64> = frames
        .iter()
        .map(|j| {
            [AnkleLeft, AnkleRight, FootLeft, FootRight]
                .map(|f| j[f.index()][1])
                .into_iter()
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let hold = ((FLOOR_HOLD_S / frame_time).round() as usize).clamp(1, lowest.len());
    lowest
        .windows(hold)
        .map(|w| w.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .fold(f64::INFINITY, f64::min)
}

fn finish(clip: Clip<'_>, source: &str, opts: &MocapOptions) -> Result<MocapRecording, String> {
    use Joint::*;
    let n = clip.frames.len();
    let duration = (n - 1) as f64 * clip.frame_time;
    if duration > MAX_SECONDS {
        return Err(format!(
            "{source}: {duration:.0} s of motion; at most {MAX_SECONDS} s are converted"
        ));
    }
    if duration * opts.fps >= MAX_FRAMES {
        return Err(format!(
            "{source}: {duration:.0} s at {} fps is more than {MAX_FRAMES} frames",
            opts.fps
        ));
    }
    // Metres, Y up.
    let (axis, sign) = detect_up(&clip.frames, &clip.rest);
    let up = up_rotation(axis, sign);
    let to_world = |p: V3| math::scale(math::apply(&up, p), clip.metres);
    let mut frames: Vec<[V3; NUM_JOINTS]> = clip.frames.iter().map(|j| j.map(to_world)).collect();

    // Yaw: the first frame's right vector (hips and shoulders) becomes +x.
    let first = &frames[0];
    let right_of = |j: &[V3; NUM_JOINTS]| {
        let h = horizontal(math::sub(j[HipRight.index()], j[HipLeft.index()]));
        let s = horizontal(math::sub(j[ShoulderRight.index()], j[ShoulderLeft.index()]));
        [h[0] + s[0], h[1] + s[1]]
    };
    let r = right_of(first);
    let yaw = if r[0] == 0.0 && r[1] == 0.0 {
        0.0
    } else {
        r[1].atan2(r[0])
    };
    let (s, c) = yaw.sin_cos();
    let turn: M3 = [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]];

    // Handedness: toes should point along up × right (−z once turned), per frame.
    let mut forwardness = 0.0;
    for j in &frames {
        let r = right_of(j);
        let fwd = [r[1], -r[0]]; // (x, z) of up × right with up = +Y: (−r_z·…)
        for (ankle, foot) in [(AnkleLeft, FootLeft), (AnkleRight, FootRight)] {
            let t = horizontal(math::sub(j[foot.index()], j[ankle.index()]));
            forwardness += t[0] * fwd[0] + t[1] * fwd[1];
        }
    }
    let mirrored = forwardness < 0.0;
    let mirror_z = if mirrored { -1.0 } else { 1.0 };
    for j in frames.iter_mut() {
        for p in j.iter_mut() {
            let q = math::apply(&turn, *p);
            *p = [q[0], q[1], q[2] * mirror_z];
        }
    }

    // Placement: first SpineBase at (0, ·, distance), the floor sensor_height below.
    let origin = frames[0][SpineBase.index()];
    let floor = floor_level(&frames, clip.frame_time);
    let shift = [
        -origin[0],
        -floor - f64::from(opts.sensor_height),
        f64::from(opts.distance) - origin[2],
    ];
    for j in frames.iter_mut() {
        for p in j.iter_mut() {
            *p = math::add(*p, shift);
        }
    }
    let head_height = (frames[0][Head.index()][1] + f64::from(opts.sensor_height)) as f32;

    // Resample.
    // Frame times are written rounded (`0.0333333`): a last frame within 10⁻⁴ of the duration
    // counts (it takes the last source frame).
    let out_n = (duration * opts.fps * (1.0 + 1e-4) + 1e-6).floor() as usize + 1;
    let mut rng = opts.noise.map(crate::rng::Rng::new);
    let mut noise = crate::synth::noise::SensorNoise::new();
    let mut out = Vec::with_capacity(out_n.min(n.saturating_mul(64)));
    for k in 0..out_n {
        let s = k as f64 / opts.fps / clip.frame_time;
        let i = (s.floor() as usize).min(n - 1);
        let a = s - i as f64;
        let mut joints = [[0.0f32; 3]; NUM_JOINTS];
        for (v, o) in joints.iter_mut().enumerate() {
            let p = if i + 1 < n {
                math::lerp(frames[i][v], frames[i + 1][v], a)
            } else {
                frames[i][v]
            };
            *o = p.map(|x| x as f32);
        }
        let mut tracking = clip.plan.tracking;
        if let Some(rng) = rng.as_mut() {
            noise.frame(rng, &mut joints, &mut tracking);
        }
        if joints.iter().flatten().any(|x| !x.is_finite()) {
            return Err(format!(
                "{source}: joint positions overflow (values too large)"
            ));
        }
        let seq = k as u64 + 1;
        out.push(SkeletonFrame {
            seq,
            t_us: frame_time_us(0, seq, opts.fps),
            layout: Layout::KinectV2,
            bodies: vec![BodyFrame {
                id: 1,
                joints: joints.to_vec(),
                tracking: Some(tracking.to_vec()),
            }],
        });
    }
    Ok(MocapRecording {
        frames: out,
        info: MocapInfo {
            format: clip.format,
            table: clip.plan.table,
            source_frames: n,
            source_fps: 1.0 / clip.frame_time,
            metres_per_unit: clip.metres,
            unit: clip.unit,
            up_axis: AXES[axis][usize::from(sign < 0.0)],
            mirrored,
            head_height,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A T-posed common-naming BVH in centimetres, Z up, facing −Y (its right is −X), walking
    /// 1 m along −Y in one second: two frames at 1 fps.
    fn z_up_bvh() -> String {
        let joint = |name: &str, off: [f64; 3], body: &str| {
            format!(
                "JOINT {name}\n{{\nOFFSET {} {} {}\nCHANNELS 3 Zrotation Xrotation Yrotation\n{body}}}\n",
                off[0], off[1], off[2]
            )
        };
        let end = |off: [f64; 3]| {
            format!(
                "End Site\n{{\nOFFSET {} {} {}\n}}\n",
                off[0], off[1], off[2]
            )
        };
        let leg = |side: &str, x: f64| {
            joint(
                &format!("{side}UpLeg"),
                [x, 0.0, -5.0],
                &joint(
                    &format!("{side}Leg"),
                    [0.0, 0.0, -45.0],
                    &joint(
                        &format!("{side}Foot"),
                        [0.0, 0.0, -42.0],
                        &joint(
                            &format!("{side}ToeBase"),
                            [0.0, -12.0, -8.0],
                            &end([0.0, -5.0, 0.0]),
                        ),
                    ),
                ),
            )
        };
        let arm = |side: &str, x: f64| {
            joint(
                &format!("{side}Arm"),
                [x * 18.0, 0.0, 0.0],
                &joint(
                    &format!("{side}ForeArm"),
                    [x * 28.0, 0.0, 0.0],
                    &joint(
                        &format!("{side}Hand"),
                        [x * 25.0, 0.0, 0.0],
                        &end([x * 18.0, 0.0, 0.0]),
                    ),
                ),
            )
        };
        let spine = joint(
            "Spine",
            [0.0, 0.0, 10.0],
            &joint(
                "Spine1",
                [0.0, 0.0, 20.0],
                &format!(
                    "{}{}{}",
                    joint(
                        "Neck",
                        [0.0, 0.0, 25.0],
                        &joint("Head", [0.0, 0.0, 10.0], &end([0.0, 0.0, 18.0]))
                    ),
                    arm("Left", 1.0),
                    arm("Right", -1.0)
                ),
            ),
        );
        let hier = format!(
            "HIERARCHY\nROOT Hips\n{{\nOFFSET 0 0 95\nCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n{}{}{}}}\n",
            leg("Left", 9.0),
            leg("Right", -9.0),
            spine
        );
        let channels = hier.matches("CHANNELS 3").count() * 3 + 6;
        let zeros = |y: f64| {
            let mut v = vec!["0".to_string(); channels];
            v[1] = y.to_string();
            v.join(" ")
        };
        format!(
            "{hier}MOTION\nFrames: 2\nFrame Time: 1\n{}\n{}\n",
            zeros(0.0),
            zeros(-100.0)
        )
    }

    #[test]
    fn a_z_up_centimetre_bvh_faces_the_sensor_in_metres() {
        let text = z_up_bvh();
        let b = bvh::parse(&text, "t.bvh").unwrap();
        let opts = MocapOptions {
            fps: 4.0,
            ..MocapOptions::default()
        };
        let r = convert_bvh(&b, "t.bvh", &opts).unwrap();
        assert_eq!(r.info.unit, "centimetre");
        assert_eq!(r.info.up_axis, "+Z");
        assert_eq!(r.info.table, "common");
        assert!(!r.info.mirrored);
        assert_eq!(r.frames.len(), 5);
        assert_eq!(r.frames[4].t_us, 1_000_000);
        let j = |f: usize, joint: Joint| r.frames[f].bodies[0].joints[joint.index()];
        // Facing: right shoulder at +x, toes towards the sensor (−z).
        assert!(j(0, Joint::ShoulderRight)[0] > j(0, Joint::ShoulderLeft)[0]);
        assert!(j(0, Joint::FootLeft)[2] < j(0, Joint::AnkleLeft)[2]);
        // Placement: SpineBase at (0, ·, 3), the toes' floor at −1 m.
        let sb = j(0, Joint::SpineBase);
        assert!(sb[0].abs() < 1e-6 && (sb[2] - 3.0).abs() < 1e-6, "{sb:?}");
        let foot = j(0, Joint::FootLeft)[1];
        assert!((foot + 1.0).abs() < 1e-6, "{foot}");
        // The hip joints are 0.95 m above the toes: SpineBase at 0.95 − 1 m.
        assert!((sb[1] + 0.05).abs() < 1e-6, "{sb:?}");
        // It walks 1 m towards the sensor over the clip, linearly resampled: 0.25 m a frame.
        let z: Vec<f32> = (0..5).map(|f| j(f, Joint::SpineBase)[2]).collect();
        for (k, z) in z.iter().enumerate() {
            assert!((z - (3.0 - 0.25 * k as f32)).abs() < 1e-5, "{z}");
        }
        // Rules: no finger joints in the file → inferred hand tips and thumbs.
        let t = r.frames[0].bodies[0].tracking.as_ref().unwrap();
        assert_eq!(t[Joint::HandTipLeft.index()], 2); // LeftHand_End
        assert_eq!(t[Joint::ThumbLeft.index()], 1);
        assert_eq!(t[Joint::HandLeft.index()], 2);
        for f in &r.frames {
            f.validate().unwrap();
        }
    }

    #[test]
    fn a_mirrored_file_is_mirrored_back() {
        // Swap Y for −Y in every offset and position: a left-handed copy.
        let text = z_up_bvh();
        let flipped: String = text
            .lines()
            .map(|l| {
                let w: Vec<&str> = l.split(' ').collect();
                if w[0] == "OFFSET" {
                    let y: f64 = w[2].parse().unwrap();
                    format!("OFFSET {} {} {}\n", w[1], -y, w[3])
                } else if l.starts_with("0 ") {
                    let mut v: Vec<String> = w.iter().map(|s| s.to_string()).collect();
                    let y: f64 = v[1].parse().unwrap();
                    v[1] = (-y).to_string();
                    format!("{}\n", v.join(" "))
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        let b = bvh::parse(&flipped, "m.bvh").unwrap();
        let r = convert_bvh(&b, "m.bvh", &MocapOptions::default()).unwrap();
        assert!(r.info.mirrored);
        let j = |joint: Joint| r.frames[0].bodies[0].joints[joint.index()];
        assert!(j(Joint::ShoulderRight)[0] > j(Joint::ShoulderLeft)[0]);
        assert!(j(Joint::FootLeft)[2] < j(Joint::AnkleLeft)[2]);
    }

    #[test]
    fn unit_scale_and_noise_options() {
        let b = bvh::parse(&z_up_bvh(), "t.bvh").unwrap();
        let given = MocapOptions {
            unit_scale: Some(0.02),
            ..MocapOptions::default()
        };
        let r = convert_bvh(&b, "t.bvh", &given).unwrap();
        assert_eq!(r.info.unit, "given");
        let plain = convert_bvh(&b, "t.bvh", &MocapOptions::default()).unwrap();
        let h = |r: &MocapRecording| r.info.head_height;
        assert!((h(&r) / h(&plain) - 2.0).abs() < 1e-4);
        let noisy = MocapOptions {
            noise: Some(7),
            ..MocapOptions::default()
        };
        let a = convert_bvh(&b, "t.bvh", &noisy).unwrap();
        let again = convert_bvh(&b, "t.bvh", &noisy).unwrap();
        assert_eq!(a, again);
        assert_ne!(a.frames, plain.frames);
        let d = a.frames[0].bodies[0].joints[0][0] - plain.frames[0].bodies[0].joints[0][0];
        assert!(d.abs() < 0.05, "{d}");
        let bad = MocapOptions {
            fps: 0.0,
            ..MocapOptions::default()
        };
        assert!(convert_bvh(&b, "t.bvh", &bad).unwrap_err().contains("fps"));
    }

    #[test]
    fn amc_frame_rate_from_the_name() {
        assert_eq!(
            amc_frame_rate(Path::new("a/HDM_bd_squat1Reps_001_120.amc")),
            120.0
        );
        assert_eq!(amc_frame_rate(Path::new("HDM_bd_x_001_60.amc")), 60.0);
        assert_eq!(amc_frame_rate(Path::new("a_b_7.amc")), 120.0);
        assert_eq!(amc_frame_rate(Path::new("02_60.amc")), 120.0);
        assert_eq!(amc_frame_rate(Path::new("walk.amc")), 120.0);
    }

    #[test]
    fn up_rotations_are_proper_and_take_the_axis_to_y() {
        for axis in 0..3 {
            for sign in [1.0, -1.0] {
                let m = up_rotation(axis, sign);
                let mut v = [0.0; 3];
                v[axis] = sign;
                assert_eq!(math::apply(&m, v), [0.0, 1.0, 0.0]);
                let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                    - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
                assert_eq!(det, 1.0);
            }
        }
    }
}
