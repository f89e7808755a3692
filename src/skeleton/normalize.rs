//! The one normalisation of skeleton windows. Training, evaluation and streaming all call
//! [`Normalizer::normalize`], so a model never sees data prepared any other way.
//!
//! Steps (DESIGN §3):
//! 1. keep at most two bodies, the two with the largest motion (per-joint positional variance
//!    over the frames where the body is present, summed over joints and axes); the more active
//!    one goes in slot 0;
//! 2. drop frames in which neither kept body is present;
//! 3. translate so that SpineMid of the reference body in the first kept frame is the origin
//!    (the reference body is slot 0, or slot 1 when slot 0 is absent from that frame): global
//!    motion such as jumping or falling stays visible. With frame centring
//!    ([`Options::centring`], a property of the model), after step 5 each output frame is
//!    translated again so that the reference body's SpineMid in that frame is the origin;
//! 4. rotate, once per window from that same frame, so that SpineBase→SpineMid points along +z
//!    and ShoulderRight→ShoulderLeft lies along +x. The two bones are not exactly orthogonal, so
//!    the spine is kept exactly on z and the shoulder direction is made orthogonal to it
//!    (Gram–Schmidt) before it defines x; y = z × x completes a right-handed frame. A degenerate
//!    reference (zero-length spine or shoulders parallel to it) leaves the rotation out;
//! 5. resample to `T` frames by linear interpolation in time; the first and last kept frames are
//!    kept exactly. Where a body is present on one side of an interpolation step only, the
//!    nearer present frame is used; where it is absent on both, zeros, as for a missing body;
//! 6. with body scale on ([`Options::body_scale`], a property of the model), scale the
//!    whole window so that the reference body's mean major-bone length (the 16 bones of the
//!    spine, neck, head, shoulders, arms without hands, hips and legs without feet, averaged
//!    over the kept frames where it is present) is [`BODY_UNIT`]: one size for every performer
//!    and every skeleton convention (depth sensors place joints inside the body and give
//!    shorter bones than motion capture; children are smaller).
//!
//! Output layout is `[C = 3, T, V = 25, M = 2]` (row-major), the encoder's input without the batch
//! dimension.
//!
//! The normaliser keeps its scratch space between calls, so after the first window of a given
//! length it does not allocate.

use super::joints::{Joint, Joints, NUM_JOINTS};

/// Bodies per window (the `M` of the encoder input).
pub const MAX_BODIES: usize = 2;
/// Coordinates per joint (the `C` of the encoder input).
pub const COORDS: usize = 3;

/// Number of `f32`s in one normalised window of `t` frames.
pub const fn window_len(t: usize) -> usize {
    COORDS * t * NUM_JOINTS * MAX_BODIES
}

/// Index of `(c, t, v, m)` in a window of `frames` frames.
#[inline]
pub const fn window_index(frames: usize, c: usize, t: usize, v: usize, m: usize) -> usize {
    ((c * frames + t) * NUM_JOINTS + v) * MAX_BODIES + m
}

/// One body's positions through a span of frames; `None` where the body is absent.
pub trait BodyTrack {
    /// Number of frames in the span (the same for every track of a window).
    fn frames(&self) -> usize;
    /// The body's joints in frame `t`, if it was seen then.
    fn joints(&self, t: usize) -> Option<&Joints>;
}

impl BodyTrack for [Option<Joints>] {
    fn frames(&self) -> usize {
        self.len()
    }
    fn joints(&self, t: usize) -> Option<&Joints> {
        self.get(t).and_then(Option::as_ref)
    }
}

impl BodyTrack for &[Option<Joints>] {
    fn frames(&self) -> usize {
        self.len()
    }
    fn joints(&self, t: usize) -> Option<&Joints> {
        self.get(t).and_then(Option::as_ref)
    }
}

impl BodyTrack for Vec<Option<Joints>> {
    fn frames(&self) -> usize {
        self.len()
    }
    fn joints(&self, t: usize) -> Option<&Joints> {
        self.get(t).and_then(Option::as_ref)
    }
}

/// Why a window could not be normalised.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    #[error("no body is present in any frame of the window")]
    Empty,
    #[error("output buffer holds {found} values, a {frames}-frame window needs {needed}")]
    OutputSize {
        frames: usize,
        needed: usize,
        found: usize,
    },
    #[error("body tracks disagree on the window length ({a} and {b} frames)")]
    RaggedTracks { a: usize, b: usize },
}

/// What the normaliser chose, for logging and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NormalizeInfo {
    /// Which input tracks went into slots 0 and 1.
    pub slots: [Option<usize>; MAX_BODIES],
    /// Frames in which at least one kept body was present.
    pub kept_frames: usize,
}

/// A rigid transform `p ↦ R (p − origin)`.
#[derive(Clone, Copy, Debug)]
struct Frame3 {
    rot: [[f32; 3]; 3],
    origin: [f32; 3],
}

impl Frame3 {
    fn from_reference(body: &Joints) -> Frame3 {
        let origin = body[Joint::SpineMid.index()];
        let sub = |a: [f32; 3], b: [f32; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
        let dot = |a: [f32; 3], b: [f32; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        let identity = Frame3 {
            rot: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            origin,
        };
        let spine = sub(
            body[Joint::SpineMid.index()],
            body[Joint::SpineBase.index()],
        );
        let ls = dot(spine, spine).sqrt();
        if ls < 1e-6 {
            return identity;
        }
        let z = [spine[0] / ls, spine[1] / ls, spine[2] / ls];
        let shoulder = sub(
            body[Joint::ShoulderLeft.index()],
            body[Joint::ShoulderRight.index()],
        );
        let along = dot(shoulder, z);
        let perp = [
            shoulder[0] - along * z[0],
            shoulder[1] - along * z[1],
            shoulder[2] - along * z[2],
        ];
        let lp = dot(perp, perp).sqrt();
        if lp < 1e-6 {
            return identity;
        }
        let x = [perp[0] / lp, perp[1] / lp, perp[2] / lp];
        let y = [
            z[1] * x[2] - z[2] * x[1],
            z[2] * x[0] - z[0] * x[2],
            z[0] * x[1] - z[1] * x[0],
        ];
        Frame3 {
            rot: [x, y, z],
            origin,
        }
    }

    #[inline]
    fn apply(&self, p: [f32; 3]) -> [f32; 3] {
        let d = [
            p[0] - self.origin[0],
            p[1] - self.origin[1],
            p[2] - self.origin[2],
        ];
        let r = &self.rot;
        [
            r[0][0] * d[0] + r[0][1] * d[1] + r[0][2] * d[2],
            r[1][0] * d[0] + r[1][1] * d[1] + r[1][2] * d[2],
            r[2][0] * d[0] + r[2][1] * d[1] + r[2][2] * d[2],
        ]
    }
}

/// Motion of a track: summed per-joint, per-axis variance over the frames where it is present.
fn motion(track: &dyn BodyTrack) -> f64 {
    let mut n = 0usize;
    let mut sum = [[0.0f64; 3]; NUM_JOINTS];
    let mut sq = [[0.0f64; 3]; NUM_JOINTS];
    for t in 0..track.frames() {
        if let Some(j) = track.joints(t) {
            n += 1;
            for (v, p) in j.iter().enumerate() {
                for c in 0..3 {
                    let x = f64::from(p[c]);
                    sum[v][c] += x;
                    sq[v][c] += x * x;
                }
            }
        }
    }
    if n == 0 {
        return -1.0; // never chosen over a body that is present
    }
    let n = n as f64;
    let mut total = 0.0;
    for v in 0..NUM_JOINTS {
        for c in 0..3 {
            let mean = sum[v][c] / n;
            total += (sq[v][c] / n - mean * mean).max(0.0);
        }
    }
    total
}

/// Mean major-bone length of a body-scaled window, metres: that of an adult of about 1.75 m
/// in anthropometric proportions.
pub const BODY_UNIT: f32 = 0.25;

/// The bones whose mean length gives a body's size: spine, neck, head, shoulders, upper arms,
/// forearms, hips, thighs, shanks (hands and feet are left out: the sensors place them worst).
const MAJOR_BONES: [(Joint, Joint); 16] = [
    (Joint::SpineBase, Joint::SpineMid),
    (Joint::SpineMid, Joint::SpineShoulder),
    (Joint::SpineShoulder, Joint::Neck),
    (Joint::Neck, Joint::Head),
    (Joint::SpineShoulder, Joint::ShoulderLeft),
    (Joint::SpineShoulder, Joint::ShoulderRight),
    (Joint::ShoulderLeft, Joint::ElbowLeft),
    (Joint::ShoulderRight, Joint::ElbowRight),
    (Joint::ElbowLeft, Joint::WristLeft),
    (Joint::ElbowRight, Joint::WristRight),
    (Joint::SpineBase, Joint::HipLeft),
    (Joint::SpineBase, Joint::HipRight),
    (Joint::HipLeft, Joint::KneeLeft),
    (Joint::HipRight, Joint::KneeRight),
    (Joint::KneeLeft, Joint::AnkleLeft),
    (Joint::KneeRight, Joint::AnkleRight),
];

/// Mean length of the major bones of one pose, metres.
pub fn body_size(j: &Joints) -> f32 {
    let sum: f32 = MAJOR_BONES
        .iter()
        .map(|(a, b)| {
            let (p, q) = (j[a.index()], j[b.index()]);
            ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
        })
        .sum();
    sum / MAJOR_BONES.len() as f32
}

/// Where a window's origin is taken (step 3).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Centring {
    /// SpineMid of the reference body in the window's first kept frame, for the whole window:
    /// global motion (jumping, falling, sitting down) stays visible.
    #[default]
    Window,
    /// SpineMid of the reference body in every output frame, subtracted from both bodies (the
    /// rotation stays the first frame's): only motion relative to the body's middle remains.
    Frame,
}

impl Centring {
    pub fn is_window(&self) -> bool {
        *self == Centring::Window
    }
}

/// The normalisation's options: a property of the model (its encoder config), so that
/// training, evaluation and streaming prepare windows alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Step 6, body scale.
    pub body_scale: bool,
    /// Step 3's origin.
    pub centring: Centring,
}

impl Options {
    /// The defaults: window centring, no body scale (models made before the options).
    pub const DEFAULT: Options = Options {
        body_scale: false,
        centring: Centring::Window,
    };
}

/// Normalises windows of a fixed length `T`; reuse one per thread.
#[derive(Clone, Debug)]
pub struct Normalizer {
    frames: usize,
    kept: Vec<usize>,
    options: Options,
}

impl Normalizer {
    /// A normaliser producing `frames`-frame windows (`frames` ≥ 1), in metres.
    pub fn new(frames: usize) -> Normalizer {
        Normalizer {
            frames: frames.max(1),
            kept: Vec::new(),
            options: Options::DEFAULT,
        }
    }

    /// The same normaliser with other options (a model's).
    pub fn with_options(mut self, options: Options) -> Normalizer {
        self.options = options;
        self
    }

    pub fn options(&self) -> Options {
        self.options
    }

    /// Output window length `T`.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Normalises the tracks (any number; the two most active are kept) into `out`, which must
    /// hold [`window_len`]`(T)` values.
    pub fn normalize(
        &mut self,
        tracks: &[&dyn BodyTrack],
        out: &mut [f32],
    ) -> Result<NormalizeInfo, NormalizeError> {
        let tt = self.frames;
        let needed = window_len(tt);
        if out.len() != needed {
            return Err(NormalizeError::OutputSize {
                frames: tt,
                needed,
                found: out.len(),
            });
        }
        let len = tracks.first().map_or(0, |t| t.frames());
        if let Some(t) = tracks.iter().find(|t| t.frames() != len) {
            return Err(NormalizeError::RaggedTracks {
                a: len,
                b: t.frames(),
            });
        }

        // 1. The two most active bodies, more active first (ties: earlier track first).
        let mut slots: [Option<(usize, f64)>; MAX_BODIES] = [None; MAX_BODIES];
        for (i, t) in tracks.iter().enumerate() {
            let m = motion(*t);
            if m < 0.0 {
                continue;
            }
            match slots {
                [None, _] => slots[0] = Some((i, m)),
                [Some((_, m0)), _] if m > m0 => {
                    slots[1] = slots[0];
                    slots[0] = Some((i, m));
                }
                [_, None] => slots[1] = Some((i, m)),
                [_, Some((_, m1))] if m > m1 => slots[1] = Some((i, m)),
                _ => {}
            }
        }
        let chosen: [Option<&dyn BodyTrack>; MAX_BODIES] = [
            slots[0].map(|(i, _)| tracks[i]),
            slots[1].map(|(i, _)| tracks[i]),
        ];

        // 2. Frames with at least one kept body.
        self.kept.clear();
        for t in 0..len {
            if chosen.iter().flatten().any(|b| b.joints(t).is_some()) {
                self.kept.push(t);
            }
        }
        let Some(&first) = self.kept.first() else {
            return Err(NormalizeError::Empty);
        };

        // 3–4. One rigid transform from the reference body in the first kept frame.
        let reference_body = chosen
            .iter()
            .flatten()
            .find(|b| b.joints(first).is_some())
            .ok_or(NormalizeError::Empty)?;
        let reference = reference_body.joints(first).ok_or(NormalizeError::Empty)?;
        let xf = Frame3::from_reference(reference);

        // 5. Resample to T frames.
        out.fill(0.0);
        let reference_slot = usize::from(chosen[0].is_none_or(|b| b.joints(first).is_none()));
        let last = self.kept.len() - 1;
        for i in 0..tt {
            let s = if tt == 1 {
                0.0
            } else {
                i as f64 * last as f64 / (tt - 1) as f64
            };
            let lo = (s.floor() as usize).min(last);
            let hi = (lo + 1).min(last);
            let w = (s - lo as f64) as f32;
            let mut present = [false; MAX_BODIES];
            for (m, body) in chosen.iter().enumerate() {
                let Some(body) = body else { continue };
                let a = body.joints(self.kept[lo]);
                let b = body.joints(self.kept[hi]);
                let (pa, pb, w) = match (a, b) {
                    (Some(a), Some(b)) => (a, b, w),
                    (Some(a), None) => (a, a, 0.0),
                    (None, Some(b)) => (b, b, 0.0),
                    (None, None) => continue,
                };
                present[m] = true;
                for v in 0..NUM_JOINTS {
                    let qa = xf.apply(pa[v]);
                    let q = if w == 0.0 {
                        qa
                    } else {
                        let qb = xf.apply(pb[v]);
                        [
                            qa[0] + w * (qb[0] - qa[0]),
                            qa[1] + w * (qb[1] - qa[1]),
                            qa[2] + w * (qb[2] - qa[2]),
                        ]
                    };
                    for (c, val) in q.iter().enumerate() {
                        out[window_index(tt, c, i, v, m)] = *val;
                    }
                }
            }
            // Frame centring: this frame's reference SpineMid becomes the origin of the bodies
            // present in it (absent bodies stay zeros; a frame without the reference body keeps
            // the window's origin).
            if self.options.centring == Centring::Frame && present[reference_slot] {
                let mid = Joint::SpineMid.index();
                for c in 0..COORDS {
                    let offset = out[window_index(tt, c, i, mid, reference_slot)];
                    for (m, _) in present.iter().enumerate().filter(|(_, p)| **p) {
                        for v in 0..NUM_JOINTS {
                            out[window_index(tt, c, i, v, m)] -= offset;
                        }
                    }
                }
            }
        }

        // 6. Body scale.
        if self.options.body_scale {
            let (mut sum, mut n) = (0.0f64, 0usize);
            for &t in &self.kept {
                if let Some(j) = reference_body.joints(t) {
                    sum += f64::from(body_size(j));
                    n += 1;
                }
            }
            let size = (sum / n.max(1) as f64) as f32;
            if size.is_finite() && size > 1e-3 {
                let k = BODY_UNIT / size;
                out.iter_mut().for_each(|x| *x *= k);
            }
        }
        Ok(NormalizeInfo {
            slots: [slots[0].map(|s| s.0), slots[1].map(|s| s.0)],
            kept_frames: self.kept.len(),
        })
    }
}

/// Per-body tracks of a recorded sequence: one track per distinct body id, in order of first
/// appearance, each as long as the sequence.
pub fn tracks_by_body_id<'a, I>(frames: I) -> Vec<(u64, Vec<Option<Joints>>)>
where
    I: IntoIterator<Item = &'a [(u64, Joints)]>,
{
    let frames: Vec<&[(u64, Joints)]> = frames.into_iter().collect();
    let mut tracks: Vec<(u64, Vec<Option<Joints>>)> = Vec::new();
    for (t, bodies) in frames.iter().enumerate() {
        for (id, joints) in bodies.iter() {
            let idx = match tracks.iter().position(|(tid, _)| tid == id) {
                Some(i) => i,
                None => {
                    tracks.push((*id, vec![None; frames.len()]));
                    tracks.len() - 1
                }
            };
            tracks[idx].1[t] = Some(*joints);
        }
    }
    tracks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pose(phase: f32, offset: [f32; 3]) -> Joints {
        // A plausible upright body: spine along +y, shoulders along ±x, with some joint motion.
        let mut j = [[0.0f32; 3]; NUM_JOINTS];
        for (v, p) in j.iter_mut().enumerate() {
            let f = v as f32;
            *p = [
                0.05 * (f * 0.7).sin() + 0.02 * (phase + f).sin(),
                0.04 * f,
                0.03 * (f * 1.3).cos(),
            ];
        }
        j[Joint::SpineBase.index()] = [0.0, 0.0, 0.0];
        j[Joint::SpineMid.index()] = [0.01, 0.3, 0.02];
        j[Joint::ShoulderLeft.index()] = [-0.2, 0.55, 0.0];
        j[Joint::ShoulderRight.index()] = [0.2, 0.55, 0.01];
        j[Joint::HandRight.index()] = [0.3 + 0.2 * phase.sin(), 0.6, 0.1 * phase.cos()];
        for p in j.iter_mut() {
            for c in 0..3 {
                p[c] += offset[c];
            }
        }
        j
    }

    fn rotate(p: [f32; 3], yaw: f32, pitch: f32) -> [f32; 3] {
        let (s, c) = yaw.sin_cos();
        let p = [c * p[0] + s * p[2], p[1], -s * p[0] + c * p[2]];
        let (s, c) = pitch.sin_cos();
        [p[0], c * p[1] - s * p[2], s * p[1] + c * p[2]]
    }

    /// `frames` frames of the moving test body at `offset`.
    fn track(frames: usize, offset: [f32; 3]) -> Vec<Option<Joints>> {
        (0..frames)
            .map(|t| Some(pose(t as f32 * 0.2, offset)))
            .collect()
    }

    /// The track with every joint moved by `f`.
    fn mapped(track: &[Option<Joints>], f: impl Fn([f32; 3]) -> [f32; 3]) -> Vec<Option<Joints>> {
        track
            .iter()
            .map(|j| {
                j.map(|mut j| {
                    j.iter_mut().for_each(|p| *p = f(*p));
                    j
                })
            })
            .collect()
    }

    /// Both tracks through `n`: the two windows and their largest difference.
    fn both(
        n: &mut Normalizer,
        a: &[Option<Joints>],
        b: &[Option<Joints>],
    ) -> (Vec<f32>, Vec<f32>, f32) {
        let t = n.frames();
        let (mut x, mut y) = (vec![0.0; window_len(t)], vec![0.0; window_len(t)]);
        n.normalize(&[&a], &mut x).unwrap();
        n.normalize(&[&b], &mut y).unwrap();
        let worst = x
            .iter()
            .zip(&y)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0f32, f32::max);
        (x, y, worst)
    }

    #[test]
    fn invariant_to_a_rigid_motion_of_the_input() {
        let track = track(50, [0.0, 0.0, 3.0]);
        let moved = mapped(&track, |p| {
            let r = rotate(p, 0.7, -0.3);
            [r[0] + 1.5, r[1] - 0.4, r[2] + 0.8]
        });
        let (a, _, worst) = both(&mut Normalizer::new(32), &track, &moved);
        assert!(worst < 1e-5, "max diff {worst}");
        // The reference frame is as specified: SpineMid at the origin, spine along +z,
        // shoulders along x (right → left is +x after making it orthogonal to the spine).
        let at = |c, v| a[window_index(32, c, 0, v, 0)];
        for c in 0..3 {
            assert!(at(c, Joint::SpineMid.index()).abs() < 1e-6);
        }
        let sb = Joint::SpineBase.index();
        assert!(at(0, sb).abs() < 1e-6 && at(1, sb).abs() < 1e-6 && at(2, sb) < 0.0);
        let (l, r) = (Joint::ShoulderLeft.index(), Joint::ShoulderRight.index());
        assert!((at(1, l) - at(1, r)).abs() < 1e-6);
        assert!(at(0, l) - at(0, r) > 0.3);
    }

    #[test]
    fn body_scale_gives_one_size_to_every_body() {
        let track = track(40, [0.3, 0.0, 2.5]);
        // The same person 20 % smaller (a child, or a sensor's shorter bones), elsewhere.
        let small = mapped(&track, |p| [0.8 * p[0] - 1.0, 0.8 * p[1], 0.8 * p[2] + 1.0]);
        let mut n = Normalizer::new(16).with_options(Options {
            body_scale: true,
            ..Options::DEFAULT
        });
        assert!(n.options().body_scale && !Normalizer::new(16).options().body_scale);
        let (a, _, worst) = both(&mut n, &track, &small);
        assert!(worst < 1e-5, "max diff {worst}");
        // The output's mean major-bone length is BODY_UNIT (the pose's bones are rigid here).
        let mut j = [[0.0f32; 3]; NUM_JOINTS];
        for (v, p) in j.iter_mut().enumerate() {
            for (c, x) in p.iter_mut().enumerate() {
                *x = a[window_index(16, c, 0, v, 0)];
            }
        }
        assert!(
            (body_size(&j) - BODY_UNIT).abs() < 0.01 * BODY_UNIT,
            "{}",
            body_size(&j)
        );
        // Without body scale the two differ by the factor.
        let (a, b, _) = both(&mut Normalizer::new(16), &track, &small);
        let ratio = b[window_index(16, 2, 0, Joint::Head.index(), 0)]
            / a[window_index(16, 2, 0, Joint::Head.index(), 0)];
        assert!((ratio - 0.8).abs() < 1e-4, "{ratio}");
    }

    #[test]
    fn frame_centring_keeps_each_frames_reference_spine_mid_at_the_origin() {
        // A walking (translating) body and a still partner who leaves halfway.
        let walking: Vec<Option<Joints>> = (0..20)
            .map(|t| Some(pose(t as f32 * 0.3, [t as f32 * 0.05, 0.0, 3.0])))
            .collect();
        let partner: Vec<Option<Joints>> = (0..20)
            .map(|t| (t < 10).then(|| pose(0.0, [1.0, 0.0, 3.0])))
            .collect();
        let frame = Options {
            centring: Centring::Frame,
            ..Options::DEFAULT
        };
        let mut window = Normalizer::new(20);
        let mut framed = Normalizer::new(20).with_options(frame);
        let (mut a, mut b) = (vec![0.0; window_len(20)], vec![0.0; window_len(20)]);
        window.normalize(&[&walking, &partner], &mut a).unwrap();
        framed.normalize(&[&walking, &partner], &mut b).unwrap();
        let mid = Joint::SpineMid.index();
        let mut walked = 0.0f32;
        for t in 0..20 {
            for c in 0..3 {
                // The reference body's SpineMid is the origin in every frame…
                assert!(b[window_index(20, c, t, mid, 0)].abs() < 1e-6, "t {t}");
                let offset = a[window_index(20, c, t, mid, 0)];
                walked = walked.max(offset.abs());
                for v in 0..NUM_JOINTS {
                    // …and both bodies are the window-centred ones moved by that frame's offset,
                    let want = a[window_index(20, c, t, v, 0)] - offset;
                    assert!((b[window_index(20, c, t, v, 0)] - want).abs() < 1e-5);
                    // while an absent body stays zeros.
                    let partner = a[window_index(20, c, t, v, 1)];
                    let got = b[window_index(20, c, t, v, 1)];
                    if t < 10 {
                        assert!((got - (partner - offset)).abs() < 1e-5);
                    } else {
                        assert_eq!((partner, got), (0.0, 0.0));
                    }
                }
            }
        }
        // The window centring keeps the walk (about 1 m) that frame centring removes.
        assert!(walked > 0.8, "{walked}");
        assert_eq!(framed.options().centring, Centring::Frame);
    }

    #[test]
    fn keeps_the_two_most_active_bodies_most_active_first() {
        let still: Vec<Option<Joints>> =
            (0..20).map(|_| Some(pose(0.0, [1.0, 0.0, 3.0]))).collect();
        let waving: Vec<Option<Joints>> = (0..20)
            .map(|t| Some(pose(t as f32 * 0.5, [0.0, 0.0, 3.0])))
            .collect();
        let walking: Vec<Option<Joints>> = (0..20)
            .map(|t| Some(pose(0.0, [t as f32 * 0.1, 0.0, 3.0])))
            .collect();
        let mut n = Normalizer::new(16);
        let mut out = vec![0.0; window_len(16)];
        let info = n.normalize(&[&still, &waving, &walking], &mut out).unwrap();
        assert_eq!(info.slots, [Some(2), Some(1)]);
        // One body: slot 1 is zeros.
        let info = n.normalize(&[&waving], &mut out).unwrap();
        assert_eq!(info.slots, [Some(0), None]);
        for c in 0..3 {
            for t in 0..16 {
                for v in 0..NUM_JOINTS {
                    assert_eq!(out[window_index(16, c, t, v, 1)], 0.0);
                }
            }
        }
    }

    #[test]
    fn resampling_keeps_first_and_last_frame_and_drops_empty_frames() {
        let mut track: Vec<Option<Joints>> = (0..37)
            .map(|t| Some(pose(t as f32 * 0.3, [0.0, 0.0, 3.0])))
            .collect();
        track[0] = None; // dropped: no body
        track[36] = None;
        let mut full = Normalizer::new(64);
        let mut up = vec![0.0; window_len(64)];
        let info = full.normalize(&[&track], &mut up).unwrap();
        assert_eq!(info.kept_frames, 35);
        // Compare against a 35-frame window of the kept frames: first and last samples equal.
        let kept: Vec<Option<Joints>> = track[1..36].to_vec();
        let mut same = Normalizer::new(35);
        let mut exact = vec![0.0; window_len(35)];
        same.normalize(&[&kept], &mut exact).unwrap();
        for c in 0..3 {
            for v in 0..NUM_JOINTS {
                assert_eq!(
                    up[window_index(64, c, 0, v, 0)],
                    exact[window_index(35, c, 0, v, 0)]
                );
                assert!(
                    (up[window_index(64, c, 63, v, 0)] - exact[window_index(35, c, 34, v, 0)])
                        .abs()
                        < 1e-6
                );
            }
        }
    }

    #[test]
    fn empty_and_mis_sized_inputs_are_errors() {
        let mut n = Normalizer::new(8);
        let mut out = vec![0.0; window_len(8)];
        let none: Vec<Option<Joints>> = vec![None; 5];
        assert_eq!(n.normalize(&[&none], &mut out), Err(NormalizeError::Empty));
        assert_eq!(n.normalize(&[], &mut out), Err(NormalizeError::Empty));
        let mut small = vec![0.0; 3];
        assert!(matches!(
            n.normalize(&[&none], &mut small),
            Err(NormalizeError::OutputSize { .. })
        ));
    }
}
