//! Training and evaluation data: a folder of `.skeleton` files (a `scale synth` folder or real
//! NTU RGB+D `nturgb+d_skeletons/`), its class catalogue, the seen/unseen and train/held-out
//! splits, and normalised (optionally augmented) windows.

use crate::catalog::{Catalog, CatalogSplit, ClassEntry};
use crate::model::shift_gcn::ShiftGcnConfig;
use crate::ntu::dataset::{Protocol, list_samples, zero_shot_splits};
use crate::ntu::{NtuSequence, SampleId, class_names};
use crate::rng::Rng;
use crate::skeleton::normalize::{BodyTrack, Normalizer, Options as NormalizeOptions, window_len};
use crate::skeleton::{Joint, Joints, NUM_JOINTS};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where the data came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    /// A `scale synth` folder: classes from the bundled catalogue; the last fifth of the
    /// performers is held out.
    Synthetic,
    /// NTU RGB+D: the NTU class list; the cross-subject protocol decides train and test.
    Ntu,
    /// A labelled folder (`labels.csv`, recordings of any kind) of the bundled catalogue's
    /// classes: every fifth clip is held out.
    Labelled,
}

/// One recording, as body tracks ready for the normaliser.
#[derive(Clone, Debug)]
pub struct Sample {
    pub id: SampleId,
    pub class_id: u32,
    pub tracks: Vec<Vec<Option<Joints>>>,
    pub frames: usize,
}

/// A loaded dataset.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub kind: DataKind,
    pub catalog: Catalog,
    pub samples: Vec<Sample>,
    /// Number of distinct performers (synthetic data).
    pub performers: u16,
}

/// First seed of the sensor noise given to extra training clips ([`Dataset::load_training`]).
pub const EXTRA_NOISE_SEED: u64 = 0x6d6f_6361_7000;
/// How far apart the noise seeds of two copies of the extra clips start (more than any
/// folder's clip count).
pub const EXTRA_COPY_STRIDE: u64 = 1 << 32;

/// The catalogue of NTU RGB+D 120 with its eight zero-shot splits (ids = NTU action ids).
pub fn ntu_catalog() -> Catalog {
    let classes: Vec<ClassEntry> = class_names()
        .iter()
        .enumerate()
        .map(|(i, n)| ClassEntry {
            id: i as u32 + 1,
            name: n.clone(),
            ntu_id: Some(i as u16 + 1),
            bodies: if (50..=60).contains(&(i + 1)) || (106..=120).contains(&(i + 1)) {
                2
            } else {
                1
            },
            motion: None,
            descriptions: vec![],
        })
        .collect();
    let splits = zero_shot_splits()
        .iter()
        .map(|(name, s)| {
            let unseen: Vec<u32> = s.unseen.iter().map(|u| *u as u32 + 1).collect();
            let seen = (1..=s.dataset.num_classes() as u32)
                .filter(|c| !unseen.contains(c))
                .collect();
            let reasoning = vec![format!("published by {}", s.origin)];
            (
                name.clone(),
                CatalogSplit {
                    unseen,
                    seen: Some(seen),
                    reasoning,
                },
            )
        })
        .collect();
    let hash = format!("ntu-rgbd-120-{}", classes.len());
    Catalog {
        name: "ntu-rgbd-120".into(),
        version: 1,
        classes,
        splits,
        hash,
    }
}

/// The catalogue of a `scale synth` folder: its `catalog.json` when it carries one, else
/// the bundled catalogue; either must be the one its manifest names by hash.
pub fn synthetic_catalog(dir: &Path) -> Result<Catalog, String> {
    let copy = dir.join(crate::synth::CATALOG_FILE);
    let catalog = if copy.is_file() {
        Catalog::load(&copy).map_err(|e| e.to_string())?
    } else {
        Catalog::builtin()
    };
    let manifest = dir.join("manifest.json");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    match v["catalog_hash"].as_str() {
        Some(h) if h != catalog.hash => Err(format!(
            "{}: the data was made from catalogue {} (sha256 {}…), but {} is catalogue {} (sha256 {}…); regenerate the data or put its catalogue there as {}",
            manifest.display(),
            v["catalog"].as_str().unwrap_or("?"),
            h.chars().take(12).collect::<String>(),
            if copy.is_file() {
                copy.display().to_string()
            } else {
                "the bundled catalogue".into()
            },
            catalog.name,
            catalog.hash.chars().take(12).collect::<String>(),
            crate::synth::CATALOG_FILE,
        )),
        _ => Ok(catalog),
    }
}

impl Dataset {
    /// Loads every `.skeleton` file of `dir` (official missing-skeleton samples skipped), or,
    /// when `dir` has a `labels.csv`, its labelled clips. A `scale synth` folder's classes are
    /// those of the catalogue it carries (`catalog.json`), else the bundled catalogue's.
    pub fn load(dir: &Path) -> Result<Dataset, String> {
        if dir.join("labels.csv").is_file() && !dir.join("manifest.json").is_file() {
            return Dataset::load_labelled(dir, Catalog::builtin(), None);
        }
        let synthetic = dir.join("manifest.json").is_file();
        let catalog = if synthetic {
            synthetic_catalog(dir)?
        } else {
            ntu_catalog()
        };
        let files = list_samples(dir, !synthetic).map_err(|e| format!("{}: {e}", dir.display()))?;
        if files.is_empty() {
            return Err(format!(
                "{}: no .skeleton files named like S001C001P001R001A001.skeleton",
                dir.display()
            ));
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunks: Vec<Result<Vec<Sample>, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|w| {
                    let files = &files;
                    scope.spawn(move || {
                        files
                            .iter()
                            .skip(w)
                            .step_by(threads)
                            .map(|f| {
                                let seq = NtuSequence::read(&f.path).map_err(|e| e.to_string())?;
                                let tracks: Vec<Vec<Option<Joints>>> =
                                    seq.body_tracks().into_iter().map(|(_, t)| t).collect();
                                Ok(Sample {
                                    id: f.id,
                                    class_id: u32::from(f.id.action),
                                    tracks,
                                    frames: seq.frames.len(),
                                })
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a loader thread panicked".into()))
                })
                .collect()
        });
        let mut samples = Vec::with_capacity(files.len());
        for c in chunks {
            samples.extend(c?);
        }
        samples.retain(|s| catalog.by_id(s.class_id).is_some() && s.frames > 0);
        samples.sort_by_key(|s| s.id);
        let performers = samples.iter().map(|s| s.id.performer).max().unwrap_or(0);
        Ok(Dataset {
            kind: if synthetic {
                DataKind::Synthetic
            } else {
                DataKind::Ntu
            },
            catalog,
            samples,
            performers,
        })
    }

    /// [`Dataset::load`] of `dir`, with the clips of the labelled folder `extra` (e.g.
    /// retargeted motion capture) added as training samples: none of them is held out, so the
    /// held-out part stays `dir`'s own. Their labels are class names of `dir`'s catalogue;
    /// they become samples of setup 2 (`dir`'s are setup 1), performer 1. Motion-capture clips
    /// get the generator's sensor noise (clip i seeded with `EXTRA_NOISE_SEED + i`). With
    /// `copies` > 1 each clip joins that many times, copy k under other noise (seeds from
    /// `EXTRA_NOISE_SEED + k · EXTRA_COPY_STRIDE`): real motion weighs more against the
    /// synthetic recordings, each copy a different sensor's view of it.
    pub fn load_training(
        dir: &Path,
        extra: Option<&Path>,
        copies: usize,
    ) -> Result<Dataset, String> {
        let mut data = Dataset::load(dir)?;
        let Some(extra) = extra else {
            return Ok(data);
        };
        if copies == 0 {
            return Err(format!(
                "{}: 0 copies of the extra clips; give 1 or more",
                extra.display()
            ));
        }
        if data.kind == DataKind::Ntu {
            return Err(format!(
                "{}: extra data joins a synthetic or labelled folder, not NTU RGB+D (its cross-subject protocol has no place for it)",
                extra.display()
            ));
        }
        // Motion capture gets the generator's sensor noise, as the synthetic recordings have.
        let mut more = Vec::new();
        for k in 0..copies as u64 {
            let seed = EXTRA_NOISE_SEED + k * EXTRA_COPY_STRIDE;
            let copy = Dataset::load_labelled(extra, data.catalog.clone(), Some(seed))?;
            if copy.samples.is_empty() {
                return Err(format!("{}: no clips", extra.display()));
            }
            more.extend(copy.samples);
        }
        for (i, mut s) in more.into_iter().enumerate() {
            s.id.setup = 2;
            s.id.camera = 1;
            s.id.performer = 1;
            s.id.replication = (1 + i).min(usize::from(u16::MAX)) as u16;
            data.samples.push(s);
        }
        data.samples.sort_by_key(|s| s.id);
        Ok(data)
    }

    /// A labelled folder (`labels.csv`: file, label, optional start/end and skeleton) whose
    /// labels are class names of `catalog`. Clip i becomes sample `P{1 + i % 5}R{1 + i / 5}`
    /// of its class, so that holding out performer 5 holds out every fifth clip. With
    /// `mocap_noise`, motion capture gets the generator's sensor noise (clip i: seed + i).
    pub fn load_labelled(
        dir: &Path,
        catalog: Catalog,
        mocap_noise: Option<u64>,
    ) -> Result<Dataset, String> {
        let clips = crate::recording::labels::read(dir)?;
        let source = dir.join("labels.csv").display().to_string();
        let mut samples = Vec::with_capacity(clips.len());
        for (i, clip) in clips.iter().enumerate() {
            let at = |m: String| format!("{source}:{}: {m}", clip.line);
            let class = catalog.by_name(&clip.label).ok_or_else(|| {
                at(format!(
                    "label {:?} is not a class of catalogue {}",
                    clip.label, catalog.name
                ))
            })?;
            let mut options = crate::recording::ReadOptions {
                asf: clip.skeleton.clone(),
                ..Default::default()
            };
            options.mocap.noise = mocap_noise.map(|seed| seed + i as u64);
            let frames = crate::recording::read(&clip.file, &options).map_err(at)?;
            let (s, e) = clip.range.unwrap_or((0, frames.len().saturating_sub(1)));
            if frames.is_empty() || e >= frames.len() {
                return Err(at(format!(
                    "frames {s}..={e} are not inside {} ({} frames)",
                    clip.file.display(),
                    frames.len()
                )));
            }
            let bodies: Vec<Vec<(u64, Joints)>> = frames[s..=e]
                .iter()
                .map(|f| {
                    f.bodies
                        .iter()
                        .map(|b| (b.id, b.kinect_joints(f.layout)))
                        .collect()
                })
                .collect();
            let tracks =
                crate::skeleton::normalize::tracks_by_body_id(bodies.iter().map(|v| v.as_slice()));
            samples.push(Sample {
                id: SampleId {
                    setup: 1,
                    camera: 1,
                    performer: (1 + i % 5) as u16,
                    replication: (1 + i / 5).min(usize::from(u16::MAX)) as u16,
                    action: class.id as u16,
                },
                class_id: class.id,
                tracks: tracks.into_iter().map(|(_, t)| t).collect(),
                frames: e - s + 1,
            });
        }
        samples.sort_by_key(|s| s.id);
        Ok(Dataset {
            kind: DataKind::Labelled,
            catalog,
            samples,
            performers: 5,
        })
    }

    /// True for samples used to train (the rest is held out for evaluation): synthetic data
    /// holds out the last fifth of the performers (a labelled folder: every fifth clip), NTU
    /// uses the cross-subject protocol.
    pub fn is_train(&self, s: &Sample) -> bool {
        match self.kind {
            DataKind::Synthetic | DataKind::Labelled => {
                let held = (self.performers as f32 * 0.2).ceil().max(1.0) as u16;
                s.id.performer <= self.performers.saturating_sub(held)
            }
            DataKind::Ntu => Protocol::CrossSubject.is_train(&s.id),
        }
    }
}

/// Window settings and augmentation.
#[derive(Clone, Copy, Debug)]
pub struct Augment {
    /// Keep a random `min_crop`–100 % span of the frames (whole recordings), or place the
    /// sensor window at a random position with a random length within ±`jitter` (with `span`).
    pub crop: bool,
    /// Rotate by up to this many degrees about each axis.
    pub rotate_deg: f32,
    /// Windows of this many sensor frames, as `scale serve` cuts them (`None`: the whole
    /// recording). A recording shorter than the span is held still before and after, as
    /// `scale eval` pads short clips.
    pub span: Option<usize>,
    /// Relative change of the span's length when cropping (a speed change).
    pub jitter: f32,
    /// Shortest crop of a whole recording, as a share of its frames.
    pub min_crop: f32,
    /// Body size: all coordinates by a factor in 1 ± `scale`, then each axis by a further
    /// 1 ± `scale` / 2 (people are not all proportioned alike).
    pub scale: f32,
    /// Shear: each off-diagonal entry of the linear map drawn in ±`shear`.
    pub shear: f32,
    /// Chance per window of masking 1–3 limb joints onto their parent joints over a random
    /// stretch of the window, as a depth sensor collapses an occluded hand or foot.
    pub mask: f32,
    /// Temporal warp: the window's time axis remapped by u ↦ u + c·sin(πu)/π with c in
    /// ±`warp` (< 1, so the map stays monotone; first and last frames stay in place): a
    /// movement that speeds up or slows down within the window.
    pub warp: f32,
    /// Chance per window of mirroring it left to right ([`mirror_window`]) when its class has
    /// a mirror among the classes trained on ([`Mirrors`]); the label becomes the mirror class.
    /// Only [`labelled_windows`] mirrors.
    pub mirror: f32,
    /// The normalisation (body scale, centring): the model's setting.
    pub input: NormalizeOptions,
}

/// The training augmentation presets of `scale train encoder --augment`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum AugmentPreset {
    /// Crop (speed ±25 %) and rotation up to 10°.
    #[default]
    Basic,
    /// Crop (speed ±40 %), rotation up to 15°, scale, shear, joint masking, temporal warps.
    Strong,
}

impl AugmentPreset {
    pub const fn augment(self) -> Augment {
        match self {
            AugmentPreset::Basic => Augment::TRAIN,
            AugmentPreset::Strong => Augment::STRONG,
        }
    }
}

impl Augment {
    pub const NONE: Augment = Augment {
        crop: false,
        rotate_deg: 0.0,
        span: None,
        jitter: 0.0,
        min_crop: 1.0,
        scale: 0.0,
        shear: 0.0,
        mask: 0.0,
        warp: 0.0,
        mirror: 0.0,
        input: NormalizeOptions::DEFAULT,
    };
    pub const TRAIN: Augment = Augment {
        crop: true,
        rotate_deg: 10.0,
        span: None,
        jitter: 0.25,
        min_crop: 0.5,
        ..Augment::NONE
    };
    pub const STRONG: Augment = Augment {
        crop: true,
        rotate_deg: 15.0,
        span: None,
        jitter: 0.4,
        min_crop: 0.35,
        scale: 0.15,
        shear: 0.1,
        mask: 0.3,
        warp: 0.5,
        mirror: 0.0,
        input: NormalizeOptions::DEFAULT,
    };

    /// The same augmentation over windows of `span` sensor frames (or whole recordings).
    pub const fn with_span(self, span: Option<usize>) -> Augment {
        Augment { span, ..self }
    }

    /// The same augmentation, mirroring windows with chance `mirror`.
    pub const fn with_mirror(self, mirror: f32) -> Augment {
        Augment { mirror, ..self }
    }

    /// The same augmentation with the windows an encoder takes: its span and normalisation.
    pub fn with_input(self, encoder: &ShiftGcnConfig) -> Augment {
        Augment {
            span: encoder.sensor_window,
            input: encoder.input(),
            ..self
        }
    }
}

/// Normalises a sample (whole sequence, a random crop, or a sensor window) into `out`
/// (`[3, T, 25, 2]`).
pub fn window(
    sample: &Sample,
    norm: &mut Normalizer,
    aug: Augment,
    rng: &mut Rng,
    out: &mut [f32],
) -> Result<(), String> {
    let n = sample.frames;
    let (start, len, pad) = match aug.span {
        Some(w) => {
            let len = if aug.crop {
                (w as f32 * rng.range(1.0 - aug.jitter, 1.0 + aug.jitter)).round() as usize
            } else {
                w
            }
            .max(2);
            if n >= len {
                let start = if aug.crop {
                    rng.below(n - len + 1)
                } else {
                    (n - len) / 2
                };
                (start, len, (0, 0))
            } else {
                let missing = len - n;
                (0, n, (missing / 2, missing - missing / 2))
            }
        }
        None if aug.crop && n > 4 => {
            let len = ((n as f32 * rng.range(aug.min_crop, 1.0)).round() as usize).clamp(2, n);
            (rng.below(n - len + 1), len, (0, 0))
        }
        None => (0, n, (0, 0)),
    };
    // Held still before and after: the first and last frame repeated.
    let padded: Vec<Vec<Option<Joints>>> = sample
        .tracks
        .iter()
        .map(|t| {
            let v = &t[start..start + len];
            let mut p = Vec::with_capacity(len + pad.0 + pad.1);
            p.extend(std::iter::repeat_n(v[0], pad.0));
            p.extend_from_slice(v);
            p.extend(std::iter::repeat_n(v[len - 1], pad.1));
            p
        })
        .collect();
    let refs: Vec<&dyn BodyTrack> = padded.iter().map(|v| v as &dyn BodyTrack).collect();
    norm.normalize(&refs, out)
        .map_err(|e| format!("{}: {e}", sample.id))?;
    let mut map = None;
    if aug.rotate_deg > 0.0 {
        let a = aug.rotate_deg.to_radians();
        map = Some(rotation(
            rng.range(-a, a),
            rng.range(-a, a),
            rng.range(-a, a),
        ));
    }
    if aug.scale > 0.0 || aug.shear > 0.0 {
        let s = 1.0 + rng.range(-aug.scale, aug.scale);
        let mut m = [[0.0f32; 3]; 3];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if i == j {
                    s * (1.0 + rng.range(-aug.scale / 2.0, aug.scale / 2.0))
                } else {
                    rng.range(-aug.shear, aug.shear)
                };
            }
        }
        map = Some(match map {
            Some(r) => mat_mul(r, m),
            None => m,
        });
    }
    if let Some(r) = map {
        let plane = out.len() / 3;
        for i in 0..plane {
            let p = [out[i], out[plane + i], out[2 * plane + i]];
            for (c, row) in r.iter().enumerate() {
                out[c * plane + i] = row[0] * p[0] + row[1] * p[1] + row[2] * p[2];
            }
        }
    }
    let frames = norm.frames();
    if aug.mask > 0.0 && rng.chance(aug.mask) {
        mask_joints(out, frames, rng);
    }
    if aug.warp > 0.0 {
        warp_time(out, frames, rng.range(-aug.warp, aug.warp));
    }
    Ok(())
}

/// Index of (channel, frame, joint, body) in a `[3, T, 25, 2]` window.
fn at(frames: usize, c: usize, t: usize, v: usize, m: usize) -> usize {
    ((c * frames + t) * NUM_JOINTS + v) * 2 + m
}

/// Joints of the arms and legs below the shoulders and hips: what a sensor loses first.
const MASKABLE: [Joint; 16] = [
    Joint::ElbowLeft,
    Joint::WristLeft,
    Joint::HandLeft,
    Joint::HandTipLeft,
    Joint::ThumbLeft,
    Joint::ElbowRight,
    Joint::WristRight,
    Joint::HandRight,
    Joint::HandTipRight,
    Joint::ThumbRight,
    Joint::KneeLeft,
    Joint::AnkleLeft,
    Joint::FootLeft,
    Joint::KneeRight,
    Joint::AnkleRight,
    Joint::FootRight,
];

/// Masks 1–3 limb joints of one present body onto their parents over a stretch of 20–100 %
/// of the window.
fn mask_joints(out: &mut [f32], frames: usize, rng: &mut Rng) {
    let present: Vec<usize> = (0..2)
        .filter(|&m| out.iter().skip(m).step_by(2).any(|v| *v != 0.0))
        .collect();
    if present.is_empty() {
        return;
    }
    let m = present[rng.below(present.len())];
    for _ in 0..1 + rng.below(3) {
        let joint = MASKABLE[rng.below(MASKABLE.len())];
        let (v, p) = (joint.index(), joint.parent().index());
        let len = ((frames as f32 * rng.range(0.2, 1.0)).round() as usize).clamp(1, frames);
        let first = rng.below(frames - len + 1);
        for t in first..first + len {
            for c in 0..3 {
                out[at(frames, c, t, v, m)] = out[at(frames, c, t, p, m)];
            }
        }
    }
}

/// Resamples the time axis of a window at u + c·sin(πu)/π (u in 0..1), linearly.
fn warp_time(out: &mut [f32], frames: usize, c: f32) {
    if frames < 3 || c == 0.0 {
        return;
    }
    let src = out.to_vec();
    let last = (frames - 1) as f32;
    for t in 0..frames {
        let u = t as f32 / last;
        let w = ((u + c * (std::f32::consts::PI * u).sin() / std::f32::consts::PI) * last)
            .clamp(0.0, last);
        let t0 = (w.floor() as usize).min(frames - 2);
        let f = w - t0 as f32;
        for ch in 0..3 {
            for v in 0..NUM_JOINTS {
                for m in 0..2 {
                    let a = src[at(frames, ch, t0, v, m)];
                    let b = src[at(frames, ch, t0 + 1, v, m)];
                    out[at(frames, ch, t, v, m)] = a + (b - a) * f;
                }
            }
        }
    }
}

fn mat_mul(a: [[f32; 3]; 3], b: [[f32; 3]; 3]) -> [[f32; 3]; 3] {
    let mut m = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            m[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn rotation(ax: f32, ay: f32, az: f32) -> [[f32; 3]; 3] {
    let (sx, cx) = ax.sin_cos();
    let (sy, cy) = ay.sin_cos();
    let (sz, cz) = az.sin_cos();
    let rx = [[1.0, 0.0, 0.0], [0.0, cx, -sx], [0.0, sx, cx]];
    let ry = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
    let rz = [[cz, -sz, 0.0], [sz, cz, 0.0], [0.0, 0.0, 1.0]];
    mat_mul(rz, mat_mul(ry, rx))
}

/// Normalised windows of many samples, `[n, 3, T, 25, 2]` flattened (never mirrored).
pub fn windows(
    samples: &[&Sample],
    frames: usize,
    aug: Augment,
    rng: &mut Rng,
) -> Result<Vec<f32>, String> {
    labelled_windows(samples, frames, aug, None, rng).map(|(x, _)| x)
}

/// Normalised windows of many samples and the class id each stands for: its sample's, or the
/// mirror class's where the window was mirrored (chance `aug.mirror`, only for a class that
/// has a mirror in `mirrors`).
pub fn labelled_windows(
    samples: &[&Sample],
    frames: usize,
    aug: Augment,
    mirrors: Option<&Mirrors>,
    rng: &mut Rng,
) -> Result<(Vec<f32>, Vec<u32>), String> {
    let len = window_len(frames);
    let mut out = vec![0.0; samples.len() * len];
    let mut labels = Vec::with_capacity(samples.len());
    let mut norm = Normalizer::new(frames).with_options(aug.input);
    for (s, chunk) in samples.iter().zip(out.chunks_exact_mut(len)) {
        window(s, &mut norm, aug, rng, chunk)?;
        let mut label = s.class_id;
        // No draw at all without mirroring, so that other runs keep their random streams.
        if let Some(m) = mirrors.filter(|_| aug.mirror > 0.0)
            && rng.chance(aug.mirror)
            && let Some(partner) = m.of(s.class_id)
        {
            mirror_window(chunk, frames);
            label = partner;
        }
        labels.push(label);
    }
    Ok((out, labels))
}

/// Refuses a mirror chance (`--mirror`, both training stages) outside 0–1.
pub fn check_mirror(mirror: f32) -> Result<(), String> {
    if (0.0..=1.0).contains(&mirror) {
        Ok(())
    } else {
        Err(format!(
            "the mirror chance must be between 0 and 1 (got {mirror})"
        ))
    }
}

/// Mirrors a normalised window left to right in place: the body's own left–right axis (x,
/// from ShoulderRight towards ShoulderLeft after normalisation step 4) changes sign and every
/// joint trades places with its counterpart ([`Joint::mirror`]). The result is again a
/// normalised window: the mirror image of the performer, doing the action with the other
/// hand or foot.
pub fn mirror_window(out: &mut [f32], frames: usize) {
    for t in 0..frames {
        for m in 0..2 {
            for c in 0..3 {
                let sign = if c == 0 { -1.0 } else { 1.0 };
                for j in Joint::ALL {
                    let k = j.mirror();
                    if k.index() < j.index() {
                        continue; // swapped with its partner already
                    }
                    let (a, b) = (
                        at(frames, c, t, j.index(), m),
                        at(frames, c, t, k.index(), m),
                    );
                    let (va, vb) = (out[a], out[b]);
                    out[a] = sign * vb;
                    out[b] = sign * va;
                }
            }
        }
    }
}

/// The left–right mirror class of each class in a set: a class whose name names a side
/// ("raise the left arm sideways") has the class of the other side's name, when that class is
/// in the set, and none otherwise; a class whose name names no side ("hand waving", "raise
/// both arms sideways", "hugging other person") is its own mirror: the same action done with
/// the other hand is still it.
#[derive(Clone, Debug, Default)]
pub struct Mirrors {
    partner: std::collections::BTreeMap<u32, u32>,
}

impl Mirrors {
    /// The mirrors among `classes` (ids of `catalog`), each pair inside the set, so that a
    /// mirrored window never takes the label of a class outside it (an unseen or a validation
    /// class).
    pub fn of_classes(catalog: &Catalog, classes: &[u32]) -> Mirrors {
        let mut partner = std::collections::BTreeMap::new();
        for &id in classes {
            let Some(class) = catalog.by_id(id) else {
                continue;
            };
            match swap_sides(&class.name) {
                None => {
                    partner.insert(id, id);
                }
                Some(other) => {
                    if let Some(o) = catalog.by_name(&other).filter(|o| classes.contains(&o.id)) {
                        partner.insert(id, o.id);
                    }
                }
            }
        }
        Mirrors { partner }
    }

    /// The mirror class of `class`, if it has one in the set.
    pub fn of(&self, class: u32) -> Option<u32> {
        self.partner.get(&class).copied()
    }

    /// Classes whose mirror is another class (each pair counted twice).
    pub fn swapped(&self) -> usize {
        self.partner.iter().filter(|(a, b)| a != b).count()
    }
}

/// A class name with "left" and "right" exchanged, or `None` when it names neither.
fn swap_sides(name: &str) -> Option<String> {
    let mut named = false;
    let words: Vec<String> = name
        .split(' ')
        .map(|w| {
            let core = w.trim_matches(|c: char| !c.is_alphanumeric());
            let other = match core.to_lowercase().as_str() {
                "left" => "right",
                "right" => "left",
                _ => return w.to_string(),
            };
            named = true;
            w.replacen(core, other, 1)
        })
        .collect();
    named.then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic "hand waving" recording as a training sample.
    fn sample() -> Sample {
        sample_of("hand waving")
    }

    /// A synthetic recording of a bundled catalogue class as a training sample.
    fn sample_of(name: &str) -> Sample {
        let catalog = Catalog::builtin();
        let class = catalog.by_name(name).expect("a catalogue class");
        let spec = crate::synth::SampleSpec {
            class_id: class.id,
            subject: 1,
            camera: 2,
            replication: 1,
        };
        let seq = crate::synth::generate(class, &spec, 3).expect("generates");
        let tracks: Vec<_> = seq.body_tracks().into_iter().map(|(_, t)| t).collect();
        Sample {
            id: SampleId {
                setup: 1,
                camera: 2,
                performer: 1,
                replication: 1,
                action: class.id as u16,
            },
            class_id: class.id,
            frames: seq.frames.len(),
            tracks,
        }
    }

    fn one(aug: Augment, seed: u64) -> Vec<f32> {
        windows(&[&sample()], 32, aug, &mut Rng::new(seed)).expect("normalises")
    }

    #[test]
    fn no_augmentation_is_the_plain_normalisation() {
        let s = sample();
        let mut direct = vec![0.0; window_len(32)];
        let refs: Vec<&dyn BodyTrack> = s.tracks.iter().map(|t| t as &dyn BodyTrack).collect();
        Normalizer::new(32).normalize(&refs, &mut direct).unwrap();
        assert_eq!(one(Augment::NONE, 1), direct);
    }

    #[test]
    fn strong_augmentation_changes_the_body_but_not_the_empty_slot() {
        let plain = one(Augment::NONE, 1);
        for seed in 0..20 {
            let strong = one(Augment::STRONG, seed);
            assert_eq!(strong.len(), plain.len());
            assert!(strong.iter().all(|v| v.is_finite()));
            // One performer: body slot 1 stays all zeros under every linear map and warp.
            assert!(strong.iter().skip(1).step_by(2).all(|v| *v == 0.0));
            let diff: f32 = strong.iter().zip(&plain).map(|(a, b)| (a - b).abs()).sum();
            assert!(
                diff > 1.0,
                "seed {seed}: strong augmentation changed too little"
            );
            // Scale ±15 % (±7.5 % per axis) and shear ±0.1: the body's extent stays within
            // about a third of the plain one.
            let extent = |w: &[f32]| w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let ratio = extent(&strong) / extent(&plain);
            assert!(
                (0.6..1.6).contains(&ratio),
                "seed {seed}: extent ratio {ratio}"
            );
        }
    }

    #[test]
    fn the_basic_preset_draws_the_same_windows_as_before() {
        // Basic = crop + rotation only: scale, shear, mask and warp are off and draw nothing.
        let a = Augment::TRAIN;
        assert_eq!((a.scale, a.shear, a.mask, a.warp), (0.0, 0.0, 0.0, 0.0));
        assert_eq!(AugmentPreset::default().augment().min_crop, 0.5);
        assert_eq!(one(a, 7), one(a, 7));
        assert_ne!(one(a, 7), one(a, 8));
    }

    #[test]
    fn masking_puts_limb_joints_on_their_parents() {
        let before = one(Augment::NONE, 1);
        let mut masked_windows = 0;
        for seed in 0..10 {
            let mut w = before.clone();
            mask_joints(&mut w, 32, &mut Rng::new(seed));
            let moved: Vec<usize> = (0..NUM_JOINTS)
                .filter(|&v| {
                    (0..32).any(|t| {
                        (0..3).any(|c| w[at(32, c, t, v, 0)] != before[at(32, c, t, v, 0)])
                    })
                })
                .collect();
            assert!(moved.len() <= 3, "seed {seed}: {moved:?}");
            masked_windows += usize::from(!moved.is_empty());
            for &v in &moved {
                assert!(MASKABLE.iter().any(|j| j.index() == v), "joint {v}");
                let p = Joint::ALL[v].parent().index();
                if moved.contains(&p) {
                    continue; // its parent was masked too, onto the grandparent
                }
                let on_parent = (0..32)
                    .filter(|&t| (0..3).all(|c| w[at(32, c, t, v, 0)] == w[at(32, c, t, p, 0)]))
                    .count();
                assert!(on_parent >= 6, "seed {seed}, joint {v}: {on_parent} frames");
            }
        }
        // Only slot 0 holds a body, so every draw masks it.
        assert_eq!(masked_windows, 10);
    }

    #[test]
    fn warping_keeps_the_ends_and_the_order_of_time() {
        let plain = one(Augment::NONE, 1);
        for c in [-0.5f32, 0.5] {
            let mut w = plain.clone();
            warp_time(&mut w, 32, c);
            for v in 0..NUM_JOINTS {
                for ch in 0..3 {
                    assert!((w[at(32, ch, 0, v, 0)] - plain[at(32, ch, 0, v, 0)]).abs() < 1e-6);
                    assert!((w[at(32, ch, 31, v, 0)] - plain[at(32, ch, 31, v, 0)]).abs() < 1e-5);
                }
            }
            assert_ne!(w, plain);
        }
        // The map u + c·sin(πu)/π is monotone for |c| < 1.
        for c in [-0.99f32, 0.99] {
            let f = |u: f32| u + c * (std::f32::consts::PI * u).sin() / std::f32::consts::PI;
            assert!((0..100).all(|i| f((i + 1) as f32 / 100.0) > f(i as f32 / 100.0)));
        }
    }

    #[test]
    fn a_mirrored_window_is_the_window_of_the_mirrored_performer() {
        let s = sample_of("raise the left arm sideways");
        // The performer mirrored in the sensor's own frame: x negated, each joint moved to
        // its counterpart's place.
        let mut flipped = s.clone();
        for track in flipped.tracks.iter_mut() {
            for joints in track.iter_mut().flatten() {
                let before = *joints;
                for j in Joint::ALL {
                    let p = before[j.mirror().index()];
                    joints[j.index()] = [-p[0], p[1], p[2]];
                }
            }
        }
        let plain = windows(&[&s], 32, Augment::NONE, &mut Rng::new(1)).unwrap();
        let mut w = plain.clone();
        let direct = windows(&[&flipped], 32, Augment::NONE, &mut Rng::new(1)).unwrap();
        mirror_window(&mut w, 32);
        let worst = w
            .iter()
            .zip(&direct)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "mirrored window differs by {worst}");
        // The raised arm is now the right one: its wrist is well above the left wrist.
        let lift =
            |w: &[f32], j: Joint| (0..32).map(|t| w[at(32, 1, t, j.index(), 0)]).sum::<f32>();
        assert!(lift(&plain, Joint::WristLeft) > lift(&plain, Joint::WristRight) + 1.0);
        assert!(lift(&w, Joint::WristRight) > lift(&w, Joint::WristLeft) + 1.0);
        // Twice is the identity, and the empty body slot stays empty.
        mirror_window(&mut w, 32);
        assert_eq!(w, plain);
    }

    #[test]
    fn mirror_classes_pair_the_sides_within_the_set() {
        let catalog = Catalog::builtin();
        let id = |n: &str| catalog.by_name(n).expect(n).id;
        let (left, right) = (
            id("raise the left arm sideways"),
            id("raise the right arm sideways"),
        );
        let (lean_l, lean_r) = (id("lean to the left"), id("lean to the right"));
        let (wave, both, hug) = (
            id("hand waving"),
            id("raise both arms sideways"),
            id("hugging other person"),
        );
        let all: Vec<u32> = catalog.classes.iter().map(|c| c.id).collect();
        let m = Mirrors::of_classes(&catalog, &all);
        assert_eq!((m.of(left), m.of(right)), (Some(right), Some(left)));
        assert_eq!((m.of(lean_l), m.of(lean_r)), (Some(lean_r), Some(lean_l)));
        for c in [wave, both, hug] {
            assert_eq!(m.of(c), Some(c));
        }
        // Four pairs of sides in the bundled catalogue: arm sideways, arm forward, knee, lean.
        assert_eq!(m.swapped(), 8);
        // A side whose other side is not in the set (an unseen class) has no mirror.
        let without: Vec<u32> = all.iter().copied().filter(|c| *c != left).collect();
        let m = Mirrors::of_classes(&catalog, &without);
        assert_eq!((m.of(left), m.of(right)), (None, None));
        assert_eq!(m.of(wave), Some(wave));
        assert_eq!(
            swap_sides("kick (left leg)").as_deref(),
            Some("kick (right leg)")
        );
        assert_eq!(swap_sides("leftover"), None);
    }

    #[test]
    fn labelled_windows_mirror_with_the_label_and_draw_nothing_when_off() {
        let catalog = Catalog::builtin();
        let all: Vec<u32> = catalog.classes.iter().map(|c| c.id).collect();
        let mirrors = Mirrors::of_classes(&catalog, &all);
        let s = sample_of("raise the left arm sideways");
        let right = catalog.by_name("raise the right arm sideways").unwrap().id;
        let (x, y) = labelled_windows(
            &[&s],
            32,
            Augment::NONE.with_mirror(1.0),
            Some(&mirrors),
            &mut Rng::new(3),
        )
        .unwrap();
        let mut expected = windows(&[&s], 32, Augment::NONE, &mut Rng::new(3)).unwrap();
        mirror_window(&mut expected, 32);
        assert_eq!((x, y), (expected, vec![right]));
        // Mirroring off: the same windows and random stream as `windows`, labels unchanged.
        let (x, y) = labelled_windows(
            &[&s, &s],
            32,
            Augment::TRAIN,
            Some(&mirrors),
            &mut Rng::new(9),
        )
        .unwrap();
        assert_eq!(
            x,
            windows(&[&s, &s], 32, Augment::TRAIN, &mut Rng::new(9)).unwrap()
        );
        assert_eq!(y, vec![s.class_id; 2]);
        // Half the windows mirrored at 0.5, each with its label.
        let batch = vec![&s; 200];
        let (_, y) = labelled_windows(
            &batch,
            32,
            Augment::NONE.with_mirror(0.5),
            Some(&mirrors),
            &mut Rng::new(5),
        )
        .unwrap();
        let swapped = y.iter().filter(|c| **c == right).count();
        assert!((70..=130).contains(&swapped), "{swapped} of 200 mirrored");
    }
}
