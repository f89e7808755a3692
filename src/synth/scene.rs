//! Where the sensor stands and who performs: the generator's scene model.
//!
//! [`Scene::Lab`] (the default, generator version 1) is NTU RGB+D's lab: three level cameras at
//! −45°, 0° and +45° about 1 m above the floor, performers 2.5–3.8 m away, standing adults of
//! 1.50–1.95 m. [`Scene::Varied`] is what a deployed sensor meets (issue 11's "viewpoint and body
//! diversity"): each camera id covers a 60° sector of ±90° around the performer, the sensor stands
//! 0.4–2.6 m high (table, tripod, shelf, ceiling corner) and is tilted down towards the performer,
//! with a slight roll, 1.5–4.2 m away; one performer in five is a child (1.10–1.50 m); and three in
//! ten recordings of a one-person action that does not use the legs are performed seated.
//!
//! The varied scene's draws come from a random stream of their own, so a varied sample is the lab
//! sample of the same seed and spec (the same timing, amplitude, sway and noise draws) with only
//! the scene changed, and the lab output stays what it was.

use super::body::{Body, M3, apply, mul, rot_x, rot_z};
use super::pose::{LEGS, LIFT, Pose, ROOT_X, ROOT_Z, Script, TILT_PITCH, TILT_ROLL, YAW};
use super::scripts::Motion;
use super::{CAMERA_ANGLES, SampleSpec};
use crate::rng::Rng;

/// Which scene the generator stages.
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
pub enum Scene {
    /// NTU RGB+D's lab (the default; the bundled model's data).
    #[default]
    Lab,
    /// Sensor heights, tilts and yaws of deployed sensors, children and seated performers.
    Varied,
}

/// Share of performers who are children in the varied scene, and their heights (m).
pub const CHILD_SHARE: f32 = 0.2;
pub const CHILD_HEIGHT: (f32, f32) = (1.10, 1.50);
/// Share of recordings of a seatable action performed seated in the varied scene.
pub const SEATED_SHARE: f32 = 0.3;
/// Sensor height above the floor (m), distance to the performer (m) and yaw sector half-width (°)
/// of the varied scene.
pub const SENSOR_HEIGHT: (f32, f32) = (0.4, 2.6);
pub const DISTANCE: (f32, f32) = (1.5, 4.2);
pub const SECTOR_HALF_WIDTH: f32 = 30.0;

impl Scene {
    pub fn is_lab(&self) -> bool {
        *self == Scene::Lab
    }

    /// Performer `subject`'s body in this scene: in the varied scene, a share of performers are
    /// children (the same proportions at a child's height).
    pub fn performer(self, seed: u64, subject: u64, body: Body) -> Body {
        match self {
            Scene::Lab => body,
            Scene::Varied => {
                let mut rng = Rng::derive(seed, &[0xC41D, subject]);
                if rng.chance(CHILD_SHARE) {
                    body.scaled_to(rng.range(CHILD_HEIGHT.0, CHILD_HEIGHT.1))
                } else {
                    body
                }
            }
        }
    }

    /// The stagings of one sample to try, in order: the first that keeps every joint in the
    /// sensor's view is used, else the last. The lab has one (its own placement, `lab`, drawn
    /// from the sample's stream, so that its output is unchanged); the varied scene draws up
    /// to [`VARIED_ATTEMPTS`] stagings, then falls back to the lab's.
    pub fn stagings(
        self,
        seed: u64,
        spec: &SampleSpec,
        motion: &Motion,
        performer_height: f32,
        lab: Placement,
    ) -> Vec<Staging> {
        let mut out: Vec<Staging> = match self {
            Scene::Lab => Vec::new(),
            Scene::Varied => (0..VARIED_ATTEMPTS)
                .map(|attempt| varied(seed, spec, motion, performer_height, attempt))
                .collect(),
        };
        out.push(Staging::level(lab));
        out
    }

    /// The random stream of one sample's scene draws (separate from the sample's own stream).
    fn stream(seed: u64, spec: &SampleSpec, attempt: u64) -> Rng {
        Rng::derive(
            seed,
            &[
                0x5CE7E,
                u64::from(spec.class_id),
                u64::from(spec.subject),
                u64::from(spec.camera),
                u64::from(spec.replication),
                attempt,
            ],
        )
    }
}

/// Stagings a varied scene tries per sample before the lab's placement.
pub const VARIED_ATTEMPTS: u64 = 8;

/// One varied staging of a sample, at the given attempt.
fn varied(
    seed: u64,
    spec: &SampleSpec,
    motion: &Motion,
    performer_height: f32,
    attempt: u64,
) -> Staging {
    let mut rng = Scene::stream(seed, spec, attempt);
    let sector = CAMERA_ANGLES[usize::from(spec.camera - 1) % 3] * (60.0 / 45.0);
    let view = sector + rng.range(-SECTOR_HALF_WIDTH, SECTOR_HALF_WIDTH);
    let sensor_height = rng.range(SENSOR_HEIGHT.0, SENSOR_HEIGHT.1);
    let depth = rng.range(DISTANCE.0, DISTANCE.1);
    let lateral = rng.range(-0.5, 0.5);
    let seated = (seatable(motion) && rng.chance(SEATED_SHARE)).then(|| {
        let flex = rng.range(75.0, 100.0);
        let knee = rng.range(75.0, 105.0);
        let abduct = rng.range(3.0, 15.0);
        let mut legs = [0.0; 6];
        for (s, side) in legs.chunks_mut(3).enumerate() {
            let jitter = if s == 0 { 1.0 } else { -1.0 } * rng.range(0.0, 8.0);
            side.copy_from_slice(&[flex + jitter, abduct, knee - jitter]);
        }
        legs
    });
    // The sensor looks at the performer's middle (lower when seated), give or take.
    let aim = performer_height
        * if seated.is_some() {
            rng.range(0.25, 0.4)
        } else {
            rng.range(0.35, 0.6)
        };
    let pitch = (sensor_height - aim).atan2(depth).to_degrees() + 3.0 * rng.normal();
    let roll = 2.0 * rng.normal();
    Staging {
        placement: Placement {
            view,
            sensor_height,
            depth,
            lateral,
        },
        camera: Some(mul(rot_z(roll), rot_x(-pitch))),
        seated,
    }
}

/// Where the performer stands relative to a level sensor at the origin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Horizontal angle of the sensor around the performer (°; 0 = in front).
    pub view: f32,
    /// Sensor height above the floor (m).
    pub sensor_height: f32,
    /// Distance along the sensor's axis (m) and to the side (m).
    pub depth: f32,
    pub lateral: f32,
}

/// One sample's scene.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Staging {
    pub placement: Placement,
    /// The sensor's tilt and roll: level-sensor coordinates → the tilted sensor's (None: level).
    pub camera: Option<M3>,
    /// Seated leg parameters (hip flexion, abduction, knee flexion; left then right), held
    /// through the whole recording.
    pub seated: Option<[f32; 6]>,
}

impl Staging {
    /// A level sensor, the performer standing as scripted.
    pub fn level(placement: Placement) -> Staging {
        Staging {
            placement,
            camera: None,
            seated: None,
        }
    }

    /// The pose as performed in this scene (seated legs replace the script's).
    pub fn pose(&self, mut pose: Pose) -> Pose {
        if let Some(legs) = self.seated {
            pose.0[LEGS..LEGS + 6].copy_from_slice(&legs);
        }
        pose
    }

    /// A point in level-sensor coordinates as the (tilted) sensor reports it.
    pub fn to_sensor(&self, p: [f32; 3]) -> [f32; 3] {
        match self.camera {
            Some(m) => apply(m, p),
            None => p,
        }
    }
}

/// Whether an action can be performed seated: one person whose script never moves the legs, the
/// pelvis or the whole body (drinking, waving, clapping; not kicking, walking or sitting down).
pub fn seatable(motion: &Motion) -> bool {
    let fixed = [ROOT_X, ROOT_Z, LIFT, YAW, TILT_PITCH, TILT_ROLL]
        .into_iter()
        .chain(LEGS..LEGS + 6);
    let first_still = |s: &Script| {
        let Some((_, first)) = s.keys.first() else {
            return true;
        };
        s.keys
            .iter()
            .all(|(_, k)| fixed.clone().all(|i| (k.0[i] - first.0[i]).abs() < 1e-3))
            && fixed
                .clone()
                .all(|i| (first.0[i] - Pose::neutral().0[i]).abs() < 1e-3)
    };
    motion.bodies.len() == 1 && motion.bodies.iter().all(first_still)
}
