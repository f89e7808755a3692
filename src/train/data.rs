//! Training and evaluation data: a folder of `.skeleton` files (a `scale synth` folder or real
//! NTU RGB+D `nturgb+d_skeletons/`), its class catalogue, the seen/unseen and train/held-out
//! splits, and normalised (optionally augmented) windows.

use crate::catalog::{Catalog, CatalogSplit, ClassEntry};
use crate::ntu::dataset::{Protocol, list_samples, zero_shot_splits};
use crate::ntu::{NtuSequence, SampleId, class_names};
use crate::rng::Rng;
use crate::skeleton::Joints;
use crate::skeleton::normalize::{BodyTrack, Normalizer, window_len};
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

impl Dataset {
    /// Loads every `.skeleton` file of `dir` (official missing-skeleton samples skipped), or,
    /// when `dir` has a `labels.csv`, its labelled clips.
    pub fn load(dir: &Path) -> Result<Dataset, String> {
        if dir.join("labels.csv").is_file() && !dir.join("manifest.json").is_file() {
            return Dataset::load_labelled(dir, Catalog::builtin());
        }
        let synthetic = dir.join("manifest.json").is_file();
        let catalog = if synthetic {
            Catalog::builtin()
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

    /// A labelled folder (`labels.csv`: file, label, optional start/end and skeleton) whose
    /// labels are class names of `catalog`. Clip i becomes sample `P{1 + i % 5}R{1 + i / 5}`
    /// of its class, so that holding out performer 5 holds out every fifth clip.
    pub fn load_labelled(dir: &Path, catalog: Catalog) -> Result<Dataset, String> {
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
            let options = crate::recording::ReadOptions {
                asf: clip.skeleton.clone(),
                ..Default::default()
            };
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
    /// Keep a random 50–100 % span of the frames (whole recordings), or place the sensor
    /// window at a random position with a random length within ±`jitter` (with `span`).
    pub crop: bool,
    /// Rotate by up to this many degrees about each axis.
    pub rotate_deg: f32,
    /// Windows of this many sensor frames, as `scale serve` cuts them (`None`: the whole
    /// recording). A recording shorter than the span is held still before and after, as
    /// `scale eval` pads short clips.
    pub span: Option<usize>,
    /// Relative change of the span's length when cropping (a speed change).
    pub jitter: f32,
}

impl Augment {
    pub const NONE: Augment = Augment {
        crop: false,
        rotate_deg: 0.0,
        span: None,
        jitter: 0.0,
    };
    pub const TRAIN: Augment = Augment {
        crop: true,
        rotate_deg: 10.0,
        span: None,
        jitter: 0.25,
    };

    /// The same augmentation over windows of `span` sensor frames (or whole recordings).
    pub const fn with_span(self, span: Option<usize>) -> Augment {
        Augment { span, ..self }
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
            let len = ((n as f32 * rng.range(0.5, 1.0)).round() as usize).clamp(2, n);
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
    if aug.rotate_deg > 0.0 {
        let a = aug.rotate_deg.to_radians();
        let r = rotation(rng.range(-a, a), rng.range(-a, a), rng.range(-a, a));
        let plane = out.len() / 3;
        for i in 0..plane {
            let p = [out[i], out[plane + i], out[2 * plane + i]];
            for (c, row) in r.iter().enumerate() {
                out[c * plane + i] = row[0] * p[0] + row[1] * p[1] + row[2] * p[2];
            }
        }
    }
    Ok(())
}

fn rotation(ax: f32, ay: f32, az: f32) -> [[f32; 3]; 3] {
    let (sx, cx) = ax.sin_cos();
    let (sy, cy) = ay.sin_cos();
    let (sz, cz) = az.sin_cos();
    let rx = [[1.0, 0.0, 0.0], [0.0, cx, -sx], [0.0, sx, cx]];
    let ry = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
    let rz = [[cz, -sz, 0.0], [sz, cz, 0.0], [0.0, 0.0, 1.0]];
    let mul = |a: [[f32; 3]; 3], b: [[f32; 3]; 3]| {
        let mut m = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
            }
        }
        m
    };
    mul(rz, mul(ry, rx))
}

/// Normalised windows of many samples, `[n, 3, T, 25, 2]` flattened.
pub fn windows(
    samples: &[&Sample],
    frames: usize,
    aug: Augment,
    rng: &mut Rng,
) -> Result<Vec<f32>, String> {
    let len = window_len(frames);
    let mut out = vec![0.0; samples.len() * len];
    let mut norm = Normalizer::new(frames);
    for (s, chunk) in samples.iter().zip(out.chunks_exact_mut(len)) {
        window(s, &mut norm, aug, rng, chunk)?;
    }
    Ok(out)
}
