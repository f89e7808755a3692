//! `scale synth`: a procedural generator of Kinect v2 skeleton sequences in NTU's own
//! `.skeleton` format, for a reproducible zero-shot benchmark and the bundled model's data.
//!
//! Each sample is made from its own seeded random stream (derived from the seed and the sample's
//! class, subject, camera and replication), so files do not depend on generation order, thread
//! count or which other classes were asked for. Pipeline per sample: the class's keyframe script
//! ([`scripts`]) with random speed, amplitude, handedness, start delay and idle time → forward
//! kinematics on the subject's body ([`body`]) → grounding on the floor → placement in front of
//! one of three cameras (−45°, 0°, +45°; 2.5–4 m; sensor about 1 m high: the lab scene; the
//! varied one, [`scene`], tilts and raises the sensor, and brings children and seated
//! performers) → Kinect-like noise and inferred joints ([`noise`]) → NTU records.

pub mod body;
pub mod compose;
pub mod noise;
pub mod pose;
pub mod preview;
pub mod scene;
pub mod scripts;

use crate::catalog::{Catalog, ClassEntry};
use crate::ntu::SampleId;
use crate::ntu::format::{LineEnding, NtuBody, NtuFrame, NtuJoint, NtuSequence};
use crate::protocol::{BodyFrame, Layout, SkeletonFrame};
use crate::rng::Rng;
use crate::skeleton::{Joints, NUM_JOINTS};
pub use body::Proportions;
use body::{Body, apply, rot_y};
use pose::{LIFT, ROOT_X, ROOT_Z, TRUNK_PITCH, TRUNK_ROLL};
pub use scene::Scene;
use serde::Serialize;
use std::path::Path;

/// Version of the generator; recorded in every manifest. Bump when output for a seed changes.
pub const GENERATOR_VERSION: u32 = 1;
/// The catalogue a dataset made from another catalogue than the bundled one carries.
pub const CATALOG_FILE: &str = "catalog.json";
/// Frames per second of generated sequences.
pub const FPS: f32 = 30.0;
/// Shortest and longest generated sequence, frames.
pub const MIN_FRAMES: usize = 60;
pub const MAX_FRAMES: usize = 200;
/// Horizontal view angle of each camera id (C001, C002, C003), degrees.
pub const CAMERA_ANGLES: [f32; 3] = [-45.0, 0.0, 45.0];
/// Kinect v2 depth field of view, half-angles as tangents (70.6° × 60°), and depth range (m).
pub const FOV_TAN_X: f32 = 0.708;
pub const FOV_TAN_Y: f32 = 0.577;
pub const DEPTH_RANGE: (f32, f32) = (0.5, 4.5);

/// What to generate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SynthConfig {
    pub seed: u64,
    /// Samples per class.
    pub per_class: usize,
    /// Number of distinct performers (P001…).
    pub subjects: usize,
    /// Number of camera views used, 1–3 (C001…).
    pub cameras: usize,
    /// Catalogue ids of the classes to generate.
    pub classes: Vec<u32>,
    /// The sensor model (absent from manifests of the default, so they stay as they were).
    #[serde(default, skip_serializing_if = "noise::NoiseModel::is_uniform")]
    pub noise: noise::NoiseModel,
    /// The performers' segment proportions (absent from manifests of the default).
    #[serde(default, skip_serializing_if = "Proportions::is_anthropometric")]
    pub proportions: Proportions,
    /// The scene: sensor placement and performers (absent from manifests of the default).
    #[serde(default, skip_serializing_if = "Scene::is_lab")]
    pub scene: Scene,
}

impl SynthConfig {
    /// `scale synth`'s defaults (10 performers, 3 cameras, the default sensor model) for every
    /// class of `catalog` that has a motion script.
    pub fn every_class(catalog: &Catalog, seed: u64, per_class: usize) -> SynthConfig {
        SynthConfig {
            seed,
            per_class,
            subjects: 10,
            cameras: 3,
            classes: catalog
                .classes
                .iter()
                .filter(|c| c.motion.is_some())
                .map(|c| c.id)
                .collect(),
            noise: Default::default(),
            proportions: Proportions::default(),
            scene: Scene::default(),
        }
    }

    /// How this dataset's samples vary beyond their spec.
    pub fn variation(&self) -> Variation {
        Variation {
            noise: self.noise,
            proportions: self.proportions,
            scene: self.scene,
        }
    }
}

/// How a sample is made beyond its class and spec: the sensor model, the performers'
/// proportions and the scene. The default is the bundled model's data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Variation {
    pub noise: noise::NoiseModel,
    pub proportions: Proportions,
    pub scene: Scene,
}

impl Variation {
    /// The default variation under another sensor model and proportions (the lab scene).
    pub fn sensor(noise: noise::NoiseModel, proportions: Proportions) -> Variation {
        Variation {
            noise,
            proportions,
            scene: Scene::Lab,
        }
    }
}

/// One sample to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleSpec {
    pub class_id: u32,
    pub subject: u16,
    pub camera: u16,
    pub replication: u16,
}

impl SampleSpec {
    /// The NTU-style name: setup 1, and A = the catalogue id.
    pub fn sample_id(&self) -> SampleId {
        SampleId {
            setup: 1,
            camera: self.camera,
            performer: self.subject,
            replication: self.replication,
            action: self.class_id as u16,
        }
    }
}

/// Errors of the generator.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SynthError {
    #[error("class {0} is not in the catalogue")]
    UnknownClass(String),
    #[error("class {name:?} has no motion script{}", .motion.as_ref().map(|m| format!(" (unknown motion {m:?})")).unwrap_or_default())]
    NoMotion {
        name: String,
        motion: Option<String>,
    },
    #[error("{0}")]
    BadConfig(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// Lays out the samples: sample i of a class uses camera `1 + i % cameras`, subject
/// `1 + (i / cameras) % subjects`, replication `1 + i / (cameras · subjects)`.
pub fn plan(config: &SynthConfig) -> Result<Vec<SampleSpec>, SynthError> {
    if !(1..=3).contains(&config.cameras) {
        return Err(SynthError::BadConfig(format!(
            "--cameras must be 1, 2 or 3 (got {})",
            config.cameras
        )));
    }
    if config.subjects == 0 || config.subjects > 999 {
        return Err(SynthError::BadConfig(format!(
            "--subjects must be 1..=999 (got {})",
            config.subjects
        )));
    }
    if config.per_class == 0 || config.per_class > config.cameras * config.subjects * 999 {
        return Err(SynthError::BadConfig(format!(
            "--per-class must be 1..={}",
            config.cameras * config.subjects * 999
        )));
    }
    let mut out = Vec::with_capacity(config.classes.len() * config.per_class);
    for &class_id in &config.classes {
        for i in 0..config.per_class {
            out.push(SampleSpec {
                class_id,
                camera: (1 + i % config.cameras) as u16,
                subject: (1 + (i / config.cameras) % config.subjects) as u16,
                replication: (1 + i / (config.cameras * config.subjects)) as u16,
            });
        }
    }
    Ok(out)
}

/// The body of performer `subject` (the same in every sample of that subject). With `Mixed`
/// proportions, a fraction drawn after the body (so the anthropometric bodies are unchanged)
/// moves it towards the Kinect v2 skeleton's.
pub fn subject_body(seed: u64, subject: u64, proportions: Proportions) -> Body {
    let mut rng = Rng::derive(seed, &[0xB0D1, subject]);
    let body = Body::random(&mut rng);
    match proportions {
        Proportions::Anthropometric => body,
        Proportions::Kinect => body.towards_kinect(1.0),
        Proportions::Mixed => body.towards_kinect(rng.range(0.0, 1.0)),
    }
}

/// Generates one sample of a catalogue class.
pub fn generate(
    class: &ClassEntry,
    spec: &SampleSpec,
    seed: u64,
) -> Result<NtuSequence, SynthError> {
    generate_with(class, spec, seed, Variation::default())
}

/// A performer standing at rest for 3–6 s (breathing sway, sensor noise, placement and body as
/// for any sample; `spec.class_id` only seeds it): the still stretches between actions in tools
/// and tests.
pub fn stand_still(
    spec: &SampleSpec,
    seed: u64,
    variation: Variation,
) -> Result<NtuSequence, SynthError> {
    let rest = ClassEntry {
        id: spec.class_id,
        name: "standing still".into(),
        ntu_id: None,
        bodies: 1,
        motion: Some(scripts::STAND_STILL.into()),
        descriptions: Vec::new(),
    };
    generate_with(&rest, spec, seed, variation)
}

/// `n` frames after `frame` in which its bodies hold their pose as a sensor sees a person at
/// rest: the pose (as Kinect v2 joints) with the sensor model's noise drawn afresh, per body,
/// each frame (no sway); seq and capture time go on at 30 fps. For the still stretches between
/// actions in tools and tests.
pub fn hold_still(
    frame: &SkeletonFrame,
    n: usize,
    seed: u64,
    sensor: noise::NoiseModel,
) -> Vec<SkeletonFrame> {
    let mut rng = Rng::derive(seed, &[0x57111, frame.seq]);
    let poses: Vec<(u64, Joints)> = frame
        .bodies
        .iter()
        .map(|b| (b.id, b.kinect_joints(frame.layout)))
        .collect();
    let mut noise = vec![noise::SensorNoise::with_model(sensor); poses.len()];
    (1..=n as u64)
        .map(|i| SkeletonFrame {
            seq: frame.seq + i,
            t_us: frame.t_us + (i as f64 * 1e6 / f64::from(FPS)).round() as u64,
            layout: Layout::KinectV2,
            bodies: poses
                .iter()
                .zip(noise.iter_mut())
                .map(|(&(id, pose), noise)| {
                    let mut joints = pose;
                    let mut tracking = [2u8; NUM_JOINTS];
                    noise.frame(&mut rng, &mut joints, &mut tracking);
                    BodyFrame {
                        id,
                        joints: joints.to_vec(),
                        tracking: Some(tracking.to_vec()),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Generates one sample of a catalogue class under a given sensor model, with performers of
/// the given proportions, in the given scene.
pub fn generate_with(
    class: &ClassEntry,
    spec: &SampleSpec,
    seed: u64,
    variation: Variation,
) -> Result<NtuSequence, SynthError> {
    let Variation {
        noise: sensor,
        proportions,
        scene,
    } = variation;
    let motion = class
        .motion
        .as_deref()
        .and_then(scripts::motion)
        .ok_or_else(|| SynthError::NoMotion {
            name: class.name.clone(),
            motion: class.motion.clone(),
        })?;
    let mut rng = Rng::derive(
        seed,
        &[
            u64::from(spec.class_id),
            u64::from(spec.subject),
            u64::from(spec.camera),
            u64::from(spec.replication),
        ],
    );
    // The partner in an interaction has their own proportions but a height within ±4 % of the
    // subject's, so that scripted contacts (hands meeting) still meet.
    let subject = scene.performer(
        seed,
        u64::from(spec.subject),
        subject_body(seed, u64::from(spec.subject), proportions),
    );
    let mut bodies = vec![subject.clone()];
    if motion.bodies.len() > 1 {
        let partner = subject_body(seed, u64::from(spec.subject) + 1000, proportions);
        bodies.push(partner.scaled_to(subject.height * rng.range(0.96, 1.04)));
    }

    // Timing: speed, amplitude, handedness, idle before and after.
    let duration = motion
        .bodies
        .iter()
        .map(|s| s.duration())
        .fold(0.0, f32::max);
    let mut speed = rng.range(0.7, 1.4);
    let amp = if motion.contact {
        rng.range(0.95, 1.05)
    } else {
        rng.range(0.8, 1.2)
    };
    let mirror = motion.mirrorable && rng.chance(0.3);
    let delay = rng.range(0.0, 0.6);
    let tail = rng.range(0.1, 0.6);
    let max_s = MAX_FRAMES as f32 / FPS;
    if delay + duration / speed + tail > max_s {
        speed = duration / (max_s - delay - tail);
    }
    let frames =
        (((delay + duration / speed + tail) * FPS).round() as usize).clamp(MIN_FRAMES, MAX_FRAMES);
    let sway = [
        rng.range(0.2, 0.4),
        rng.range(0.0, std::f32::consts::TAU),
        rng.range(0.15, 0.35),
        rng.range(0.0, std::f32::consts::TAU),
    ];

    // Placement in front of the camera: the lab's draws, always made (so that the sample's own
    // stream is the same in every scene), then the scene's.
    let lab = scene::Placement {
        view: CAMERA_ANGLES[usize::from(spec.camera - 1) % 3] + 4.0 * rng.normal(),
        sensor_height: rng.range(0.9, 1.1),
        depth: rng.range(2.5, 3.8),
        lateral: rng.range(-0.3, 0.3),
    };
    let half_pair = (bodies.len() > 1).then(|| 0.5 * motion.pair_distance * rng.range(0.9, 1.1));

    // Clean joint positions in camera space, [frame][body], as staged.
    let stage = |staging: &scene::Staging| -> Vec<Vec<Joints>> {
        let scene::Placement {
            view,
            sensor_height,
            depth,
            lateral,
        } = staging.placement;
        let centre = [lateral, -sensor_height, depth];
        let facing_camera = apply(rot_y(view), [0.0, 0.0, -1.0]);
        let placements: Vec<([f32; 3], [f32; 3])> = match half_pair {
            None => vec![(centre, facing_camera)],
            Some(h) => {
                let axis = apply(rot_y(view), [1.0, 0.0, 0.0]);
                vec![
                    (
                        [centre[0] + axis[0] * h, centre[1], centre[2] + axis[2] * h],
                        [-axis[0], 0.0, -axis[2]],
                    ),
                    (
                        [centre[0] - axis[0] * h, centre[1], centre[2] - axis[2] * h],
                        axis,
                    ),
                ]
            }
        };
        let mut clean: Vec<Vec<Joints>> = Vec::with_capacity(frames);
        for f in 0..frames {
            let t = f as f32 / FPS;
            let local_t = (t - delay) * speed;
            let mut per_body = Vec::with_capacity(bodies.len());
            for (k, (body, script)) in bodies.iter().zip(&motion.bodies).enumerate() {
                let mut pose = script.sample(local_t).amplified(amp);
                if mirror {
                    pose = pose.mirrored();
                }
                pose = staging.pose(pose);
                pose.0[TRUNK_PITCH] +=
                    1.5 * (std::f32::consts::TAU * sway[0] * t + sway[1] + k as f32).sin();
                pose.0[TRUNK_ROLL] += 1.0 * (std::f32::consts::TAU * sway[2] * t + sway[3]).sin();
                let mut j = body.forward_kinematics(&pose);
                let floor = j.iter().map(|p| p[1]).fold(f32::INFINITY, f32::min);
                let up = 0.03 - floor + pose.0[LIFT];
                let (origin, forward) = placements[k];
                let left = [forward[2], 0.0, -forward[0]]; // up × forward
                for p in j.iter_mut() {
                    let (x, y, z) = (p[0] + pose.0[ROOT_X], p[1] + up, p[2] + pose.0[ROOT_Z]);
                    *p = staging.to_sensor([
                        origin[0] + left[0] * x + forward[0] * z,
                        origin[1] + y,
                        origin[2] + left[2] * x + forward[2] * z,
                    ]);
                }
                per_body.push(j);
            }
            clean.push(per_body);
        }
        clean
    };
    // The first staging that keeps every joint in the sensor's view, else the last (the lab
    // has one; a varied staging fails when, say, two people stand in line before a close,
    // tilted sensor).
    let mut clean = Vec::new();
    for staging in scene.stagings(seed, spec, &motion, subject.height, lab) {
        clean = stage(&staging);
        if fit_field_of_view(&mut clean) {
            break;
        }
    }

    // Kinect-like noise and inferred joints, then NTU records.
    let ids: Vec<u64> = (0..bodies.len())
        .map(|_| 72_057_594_037_927_936 + rng.next_u64() % 100_000)
        .collect();
    let mut noise = vec![noise::SensorNoise::with_model(sensor); bodies.len()];
    let mut seq = NtuSequence {
        frames: Vec::with_capacity(frames),
    };
    for per_body in &clean {
        let mut frame = NtuFrame {
            bodies: Vec::with_capacity(per_body.len()),
        };
        for (k, joints) in per_body.iter().enumerate() {
            let mut body = NtuBody::from_positions(ids[k], joints);
            body.hand_left_confidence = 1;
            body.hand_right_confidence = 1;
            body.hand_left_state = 1;
            body.hand_right_state = 1;
            for (v, joint) in body.joints.iter_mut().enumerate() {
                if noise[k].joint(&mut rng, v, &mut joint.position) {
                    joint.tracking_state = 1;
                }
                project(joint);
            }
            frame.bodies.push(body);
        }
        seq.frames.push(frame);
    }
    Ok(seq)
}

/// Fills the depth- and colour-image pixel coordinates from the position with Kinect v2's
/// approximate intrinsics (depth 512×424, f ≈ 365 px; colour 1920×1080, f ≈ 1081 px, 5 cm to the side).
fn project(j: &mut NtuJoint) {
    let [x, y, z] = j.position;
    let z = z.max(0.1);
    j.depth = [256.0 + 365.0 * x / z, 212.0 - 365.0 * y / z];
    j.color = [960.0 + 1081.0 * (x + 0.052) / z, 540.0 - 1081.0 * y / z];
}

/// Moves the performers away from the sensor until every joint of every frame is inside the
/// depth camera's field of view (with a small margin), within the depth range where possible;
/// says whether every joint is then in view.
fn fit_field_of_view(frames: &mut [Vec<Joints>]) -> bool {
    let (tx, ty) = (FOV_TAN_X * 0.95, FOV_TAN_Y * 0.95);
    let mut push = 0.0f32;
    for joints in frames.iter().flatten() {
        for p in joints {
            push = push
                .max(p[0].abs() / tx - p[2])
                .max(p[1].abs() / ty - p[2])
                .max(DEPTH_RANGE.0 + 0.2 - p[2]);
        }
    }
    let far = frames
        .iter()
        .flatten()
        .flat_map(|j| j.iter().map(|p| p[2]))
        .fold(0.0f32, f32::max);
    // Never push anyone beyond the depth range; pull closer if they already are.
    let push = push.max(0.0).min(DEPTH_RANGE.1 - 0.1 - far);
    if push != 0.0 {
        for p in frames.iter_mut().flatten().flat_map(|j| j.iter_mut()) {
            p[2] += push;
        }
    }
    frames.iter().flatten().flatten().all(|p| {
        p[0].abs() <= tx * p[2] + 1e-4
            && p[1].abs() <= ty * p[2] + 1e-4
            && (DEPTH_RANGE.0..=DEPTH_RANGE.1).contains(&p[2])
    })
}

/// What `write_dataset` did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Manifest {
    pub generator: String,
    pub generator_version: u32,
    pub catalog: String,
    pub catalog_version: u32,
    pub catalog_hash: String,
    #[serde(flatten)]
    pub config: SynthConfig,
    pub samples: usize,
    pub frames: usize,
}

/// A dataset of another catalogue than the bundled one carries that catalogue's text as
/// [`CATALOG_FILE`] (training, `scale eval` and `scale inspect` read the classes from there); a
/// dataset of the bundled catalogue carries none, so a stale copy is removed.
pub fn write_catalog_copy(out: &Path, catalog: &Catalog, text: Option<&str>) -> Result<(), String> {
    let copy = out.join(CATALOG_FILE);
    match text.filter(|_| catalog.hash != Catalog::builtin().hash) {
        Some(t) => std::fs::write(&copy, t).map_err(|e| format!("{}: {e}", copy.display())),
        None if copy.exists() => {
            std::fs::remove_file(&copy).map_err(|e| format!("{}: {e}", copy.display()))
        }
        None => Ok(()),
    }
}

/// Generates every planned sample into `out` (created if needed) as `.skeleton` files, plus
/// `manifest.json`, using all cores. Output is identical for identical arguments.
pub fn write_dataset(
    catalog: &Catalog,
    config: &SynthConfig,
    out: &Path,
) -> Result<Manifest, SynthError> {
    let specs = plan(config)?;
    let classes: Vec<&ClassEntry> = config
        .classes
        .iter()
        .map(|id| {
            catalog
                .by_id(*id)
                .ok_or_else(|| SynthError::UnknownClass(id.to_string()))
        })
        .collect::<Result<_, _>>()?;
    for c in &classes {
        if c.motion.as_deref().and_then(scripts::motion).is_none() {
            return Err(SynthError::NoMotion {
                name: c.name.clone(),
                motion: c.motion.clone(),
            });
        }
    }
    let io = |path: &Path, e: std::io::Error| SynthError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(specs.len().max(1));
    let results: Vec<Result<usize, SynthError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let specs = &specs;
                scope.spawn(move || {
                    let mut frames = 0;
                    for spec in specs.iter().skip(w).step_by(threads) {
                        let class = catalog.by_id(spec.class_id).expect("checked above");
                        let seq = generate_with(class, spec, config.seed, config.variation())?;
                        frames += seq.frames.len();
                        let path = out.join(format!("{}.skeleton", spec.sample_id()));
                        std::fs::write(&path, seq.to_text(LineEnding::Crlf))
                            .map_err(|e| io(&path, e))?;
                    }
                    Ok(frames)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(SynthError::BadConfig("a generator thread panicked".into()))
                })
            })
            .collect()
    });
    let mut frames = 0;
    for r in results {
        frames += r?;
    }
    let manifest = Manifest {
        generator: "scale synth".into(),
        generator_version: GENERATOR_VERSION,
        catalog: catalog.name.clone(),
        catalog_version: catalog.version,
        catalog_hash: catalog.hash.clone(),
        config: config.clone(),
        samples: specs.len(),
        frames,
    };
    let path = out.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    Ok(manifest)
}
