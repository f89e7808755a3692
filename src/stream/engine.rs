//! From a normalised window to a label: the encoder and the energy head of a model folder run in
//! ONNX Runtime on tensors allocated once at load, ranking against the cached class priors with
//! generalised zero-shot calibration, softmax scores, the unknown flag and per-stage latencies.
//! The label is written as JSON into a caller-owned buffer.
//!
//! A window with nobody in its second body slot (one person in view) runs the folder's one-body
//! encoder (`encoder_1body.onnx`, half the work) when it has one: the feature is then
//! `½ · body_feature + absent`, where `absent` is half the second slot's constant response to
//! zeros, measured from the two graphs at load and checked there against the full encoder on a
//! probe window (`export::shift_gcn` says why this is exact).
//!
//! After [`LabelEngine::load`] nothing here allocates on the Rust heap per window: the input,
//! feature and energy tensors, the prior tensors, the run options (with preallocated outputs),
//! the ranking scratch and the class names all live in the engine; `tests/stream_alloc.rs`
//! counts it.

use super::window::WindowInfo;
use crate::catalog::Catalog;
use crate::export::{energy_head, shift_gcn};
use crate::inference::{Recognizer, catalog_priors};
use crate::model::cvae::ClassPriors;
use crate::protocol::{LABEL_VERSION, LabelMessage, StageLatency};
use crate::runtime::SessionOptions;
use ort::session::{HasSelectedOutputs, OutputSelector, RunOptions, Session};
use ort::value::Tensor;
use serde::Serialize;
use serde::ser::SerializeSeq;
use std::path::Path;
use std::time::Instant;

/// When a window's last frame arrived and how long normalising it took.
#[derive(Clone, Copy, Debug)]
pub struct WindowTiming {
    pub arrived: Instant,
    pub normalise_us: u32,
}

/// What a labelled window came to (the full message is the JSON in the caller's buffer).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelSummary {
    /// Index of the best class in [`LabelEngine::class_ids`].
    pub best: usize,
    pub unknown: bool,
    pub latency: StageLatency,
    /// The frames and bodies the window covers.
    pub window: WindowInfo,
}

/// The candidate classes of a [`LabelEngine`] with everything that depends on them: the prior
/// tensors, the energy head's preallocated output and the ranking scratch. Built wherever is
/// convenient (the live vocabulary builds one off the inference thread) and swapped into the
/// engine between two windows with [`LabelEngine::swap_classes`], so that a new class set costs
/// the inference thread no allocation and no wait.
pub struct ClassSet {
    ids: Vec<u32>,
    names: Vec<String>,
    /// Added to an energy before ranking: the model's GZSL offset for seen classes, else 0.
    calibration: Vec<f32>,
    /// enc_h, dec_h, prior_mu, prior_logvar: the class priors, fixed.
    priors: [Tensor<f32>; 4],
    /// The widths of the prior rows (a set fits only a model of the same widths).
    hidden: usize,
    latent: usize,
    head_run: RunOptions<HasSelectedOutputs>,
    energy: Vec<f32>,
    ranked: Vec<f32>,
    weights: Vec<f32>,
    order: Vec<usize>,
}

impl ClassSet {
    /// The classes of `priors` (with `hidden`/`latent` wide rows), `calibration[k]` added to
    /// class k's energy before ranking.
    pub fn new(
        priors: &ClassPriors,
        calibration: Vec<f32>,
        hidden: usize,
        latent: usize,
    ) -> Result<ClassSet, String> {
        let k = priors.len();
        if k == 0 {
            return Err("a class set needs at least one class".into());
        }
        // Tensors need the runtime (a set may be built before any session is).
        crate::runtime::environment().map_err(err)?;
        if calibration.len() != k
            || priors.names.len() != k
            || priors.enc_h.len() != k * hidden
            || priors.dec_h.len() != k * hidden
            || priors.prior_mu.len() != k * latent
            || priors.prior_logvar.len() != k * latent
        {
            return Err(format!(
                "class priors of {k} classes do not have the model's sizes (hidden {hidden}, latent {latent})"
            ));
        }
        let head_run = RunOptions::new().map_err(err)?.with_outputs(
            OutputSelector::no_default()
                .with(energy_head::ENERGY)
                .preallocate(energy_head::ENERGY, tensor([1, k], vec![0.0; k])?),
        );
        Ok(ClassSet {
            ids: priors.ids.clone(),
            names: priors.names.clone(),
            calibration,
            priors: [
                tensor([k, hidden], priors.enc_h.clone())?,
                tensor([k, hidden], priors.dec_h.clone())?,
                tensor([k, latent], priors.prior_mu.clone())?,
                tensor([k, latent], priors.prior_logvar.clone())?,
            ],
            hidden,
            latent,
            head_run,
            energy: vec![0.0; k],
            ranked: vec![0.0; k],
            weights: vec![0.0; k],
            order: (0..k).collect(),
        })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Catalogue ids of the classes.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Names of the classes.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Ranks windows against a class set.
pub struct LabelEngine {
    window: usize,
    sensor_window: Option<usize>,
    normalize: crate::skeleton::normalize::Options,
    /// Classes per label asked for (at most the class count is written).
    top_k: usize,
    threshold: f32,
    encoder: Session,
    head: Session,
    input: Tensor<f32>,
    feature: Tensor<f32>,
    encoder_run: RunOptions<HasSelectedOutputs>,
    one_body: Option<OneBody>,
    /// Whether one-body windows take the one-body encoder (the default when there is one).
    use_one_body: bool,
    /// Whether the last encoded window took it.
    last_one_body: bool,
    classes: ClassSet,
}

/// The one-body encoder with its preallocated tensors.
struct OneBody {
    session: Session,
    /// `[1, 3, T, 25, 1]`: slot 0 of the window.
    input: Tensor<f32>,
    run: RunOptions<HasSelectedOutputs>,
    /// Half the feature an empty second slot contributes.
    absent: Vec<f32>,
}

/// Largest difference accepted between the one-body route and the full encoder on the probe
/// window at load, relative to the feature's largest magnitude (float rounding is ~1e-7).
const ONE_BODY_TOLERANCE: f32 = 1e-4;

impl OneBody {
    /// The one-body encoder with its tensors; `absent` from [`empty_slot_term`].
    fn new(session: Session, absent: Vec<f32>, t: usize) -> Result<OneBody, String> {
        let dim = absent.len();
        let input =
            Tensor::from_array(([1usize, 3, t, 25, 1], vec![0f32; 3 * t * 25])).map_err(err)?;
        let run = RunOptions::new().map_err(err)?.with_outputs(
            OutputSelector::no_default()
                .with(shift_gcn::BODY_OUTPUT)
                .preallocate(shift_gcn::BODY_OUTPUT, tensor([1, dim], vec![0.0; dim])?),
        );
        Ok(OneBody {
            session,
            input,
            run,
            absent,
        })
    }
}

/// Half the feature an empty second slot contributes, measured with the one-body graph `body`
/// and the full encoder `full` on zeros, then the route checked against `full` on a probe
/// window with one body. Called with CPU sessions of the two graphs when the engine runs on
/// another device (a GPU's reduced-precision kernels would blur a 1e-4 check).
fn empty_slot_term(
    body: &mut Session,
    full: &mut Session,
    t: usize,
    dim: usize,
    model: &Path,
) -> Result<Vec<f32>, String> {
    let path = model.join(crate::model::folder::ENCODER_ONE_BODY_ONNX);
    let redo = format!(
        "re-export the folder with `scale export --model {}`",
        model.display()
    );
    let at = |e: String| format!("{}: {e}", path.display());
    check_inputs(body, "encoder_1body.onnx", &[shift_gcn::INPUT]).map_err(at)?;
    let mut run_full = |x: Vec<f32>| -> Result<Vec<f32>, String> {
        let input = Tensor::from_array(([1usize, 3, t, 25, 2], x)).map_err(err)?;
        let out = full
            .run(ort::inputs![&input])
            .map_err(|e| format!("{}: {e}", model.join("encoder.onnx").display()))?;
        Ok(out[0].try_extract_tensor::<f32>().map_err(err)?.1.to_vec())
    };
    let mut run_body = |x: Vec<f32>| -> Result<Vec<f32>, String> {
        let input = Tensor::from_array(([1usize, 3, t, 25, 1], x)).map_err(err)?;
        let out = body.run(ort::inputs![&input]).map_err(|e| {
            at(format!(
                "{e} (the one-body encoder takes [1, 3, {t}, 25, 1]; {redo})"
            ))
        })?;
        Ok(out[0].try_extract_tensor::<f32>().map_err(err)?.1.to_vec())
    };
    let n = 3 * t * 25;
    let f2 = run_full(vec![0.0; 2 * n])?;
    let f1 = run_body(vec![0.0; n])?;
    if f1.len() != dim || f2.len() != dim {
        return Err(at(format!(
            "gives {} features where encoder.onnx gives {} and the model {dim}; {redo}",
            f1.len(),
            f2.len()
        )));
    }
    let absent: Vec<f32> = f2.iter().zip(&f1).map(|(a, b)| a - 0.5 * b).collect();
    // A probe window: slot 0 a smooth pseudo-pose in metres, slot 1 empty.
    let probe: Vec<f32> = (0..n)
        .map(|i| 0.6 * ((i as f32) * 0.37).sin() + 0.2 * ((i % 25) as f32 * 0.9).cos())
        .collect();
    let mut window = vec![0.0; 2 * n];
    for (w, p) in window.iter_mut().step_by(2).zip(&probe) {
        *w = *p;
    }
    let want = run_full(window)?;
    let got = run_body(probe)?;
    let scale = want.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let diff = want
        .iter()
        .zip(got.iter().zip(&absent))
        .map(|(w, (g, a))| (w - (0.5 * g + a)).abs())
        .fold(0.0f32, f32::max);
    if got.iter().chain(&absent).any(|v| !v.is_finite()) || diff > ONE_BODY_TOLERANCE * scale {
        return Err(at(format!(
            "does not compute encoder.onnx on one body (a probe window differs by {diff:.3e}, \
             the feature's scale is {scale:.3e}); {redo}"
        )));
    }
    Ok(absent)
}

/// A CPU session of a graph of the (already verified) model folder.
fn cpu_session_of(model: &Path, name: &str) -> Result<Session, String> {
    let p = model.join(name);
    let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    crate::runtime::cpu_session(&bytes, SessionOptions::default())
        .map_err(|e| format!("{}: {e}", p.display()))
}

fn micros(from: Instant, to: Instant) -> u32 {
    to.saturating_duration_since(from)
        .as_micros()
        .min(u128::from(u32::MAX)) as u32
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn tensor(shape: [usize; 2], data: Vec<f32>) -> Result<Tensor<f32>, String> {
    Tensor::from_array((shape, data)).map_err(err)
}

/// Checks that a session's inputs are exactly `expected`, in that order (inputs are passed by
/// position so that running allocates nothing).
fn check_inputs(session: &Session, what: &str, expected: &[&str]) -> Result<(), String> {
    let names: Vec<&str> = session.inputs().iter().map(|i| i.name()).collect();
    if names != expected {
        return Err(format!(
            "{what}: inputs are {names:?}, expected {expected:?} (re-export the model with `scale export`)"
        ));
    }
    Ok(())
}

impl LabelEngine {
    /// Loads a model folder; candidates are all classes of its prior cache.
    pub fn load(
        model: &Path,
        options: SessionOptions,
        top_k: usize,
    ) -> Result<LabelEngine, String> {
        LabelEngine::load_with(model, options, top_k, None)
    }

    /// Loads a model folder with the classes of `catalog` as candidates (their priors made from
    /// their text in memory, as `scale classes` would; the folder's own cache when it was made
    /// from this catalogue), or the folder's own classes for `None`. Classes named like a class
    /// the model was trained on get the model's GZSL calibration.
    pub fn load_with(
        model: &Path,
        options: SessionOptions,
        top_k: usize,
        catalog: Option<&Catalog>,
    ) -> Result<LabelEngine, String> {
        let rec = Recognizer::load(model, options)?;
        let seen_names: Vec<String> = rec
            .priors
            .ids
            .iter()
            .zip(&rec.priors.names)
            .filter(|(id, _)| rec.info.seen.contains(id))
            .map(|(_, n)| n.clone())
            .collect();
        let candidates = match catalog {
            Some(c) if c.hash != rec.priors_catalog_hash => Some(catalog_priors(model, c)?),
            _ => None,
        };
        let crate::inference::Sessions {
            info,
            priors: own,
            mut encoder,
            head,
            one_body,
        } = rec.into_sessions();
        let priors = candidates.unwrap_or(own);
        if priors.is_empty() {
            return Err(format!(
                "{}: the class-prior cache is empty",
                model.display()
            ));
        }
        check_inputs(&encoder, "encoder.onnx", &[shift_gcn::INPUT])?;
        check_inputs(
            &head,
            "energy_head.onnx",
            &[
                energy_head::FEATURE,
                energy_head::ENC_H,
                energy_head::DEC_H,
                energy_head::PRIOR_MU,
                energy_head::PRIOR_LOGVAR,
            ],
        )?;
        let c = &info.cvae;
        let t = info.window;
        let input =
            Tensor::from_array(([1usize, 3, t, 25, 2], vec![0f32; 3 * t * 50])).map_err(err)?;
        let feature = tensor([1, c.feature_dim], vec![0.0; c.feature_dim])?;
        let encoder_run = RunOptions::new().map_err(err)?.with_outputs(
            OutputSelector::no_default()
                .with(shift_gcn::OUTPUT)
                .preallocate(
                    shift_gcn::OUTPUT,
                    tensor([1, c.feature_dim], vec![0.0; c.feature_dim])?,
                ),
        );
        let calibration = priors
            .names
            .iter()
            .map(|name| {
                if seen_names.contains(name) {
                    info.gzsl_offset
                } else {
                    0.0
                }
            })
            .collect();
        let classes = ClassSet::new(&priors, calibration, c.hidden, c.latent)?;
        let one_body = match one_body {
            Some(mut session) => {
                let dim = c.feature_dim;
                let absent = match options.device {
                    crate::runtime::Device::Cpu => {
                        empty_slot_term(&mut session, &mut encoder, t, dim, model)?
                    }
                    _ => empty_slot_term(
                        &mut cpu_session_of(model, crate::model::folder::ENCODER_ONE_BODY_ONNX)?,
                        &mut cpu_session_of(model, crate::model::folder::ENCODER_ONNX)?,
                        t,
                        dim,
                        model,
                    )?,
                };
                Some(OneBody::new(session, absent, t)?)
            }
            None => None,
        };
        Ok(LabelEngine {
            window: t,
            sensor_window: info.encoder.sensor_window,
            normalize: info.encoder.input(),
            top_k: top_k.max(1),
            threshold: info.unknown_threshold,
            encoder,
            head,
            input,
            feature,
            encoder_run,
            use_one_body: one_body.is_some(),
            one_body,
            last_one_body: false,
            classes,
        })
    }

    /// Whether the model folder has the one-body encoder.
    pub fn has_one_body(&self) -> bool {
        self.one_body.is_some()
    }

    /// Lets one-body windows take the one-body encoder (`true`, the default when the folder has
    /// one) or sends every window through the full encoder (`false`; benchmarks and tests
    /// compare the two).
    pub fn set_one_body(&mut self, on: bool) {
        self.use_one_body = on && self.one_body.is_some();
    }

    /// Whether the last encoded window went through the one-body encoder.
    pub fn last_one_body(&self) -> bool {
        self.last_one_body
    }

    /// Puts `classes` in place of the current candidates (between two windows) and returns
    /// the old set, so that the caller can drop it off this thread. Nothing is allocated.
    pub fn swap_classes(&mut self, classes: ClassSet) -> Result<ClassSet, String> {
        self.check_classes(&classes)?;
        Ok(std::mem::replace(&mut self.classes, classes))
    }

    /// Whether `classes` fits this model (its prior rows have the model's widths).
    pub fn check_classes(&self, classes: &ClassSet) -> Result<(), String> {
        if (classes.hidden, classes.latent) != (self.classes.hidden, self.classes.latent) {
            return Err(format!(
                "the class set was made for hidden {}, latent {}; the model has {}, {}",
                classes.hidden, classes.latent, self.classes.hidden, self.classes.latent
            ));
        }
        Ok(())
    }

    /// The current candidate classes.
    pub fn classes(&self) -> &ClassSet {
        &self.classes
    }

    /// Frames per window the model takes (T).
    pub fn model_frames(&self) -> usize {
        self.window
    }

    /// Sensor frames per window the model was trained on, when it says (serve's default
    /// window then).
    pub fn sensor_window(&self) -> Option<usize> {
        self.sensor_window
    }

    /// The normalisation the model takes its windows with (body scale, centring).
    pub fn normalize_options(&self) -> crate::skeleton::normalize::Options {
        self.normalize
    }

    /// Catalogue ids of the candidate classes.
    pub fn class_ids(&self) -> &[u32] {
        &self.classes.ids
    }

    /// Names of the candidate classes.
    pub fn class_names(&self) -> &[String] {
        &self.classes.names
    }

    /// Raw energies of the last window, one per candidate class.
    pub fn energies(&self) -> &[f32] {
        &self.classes.energy
    }

    /// Normalised scores of the last ranked window (softmax of the calibrated energies, summing
    /// to 1), one per candidate class.
    pub fn scores(&self) -> &[f32] {
        &self.classes.weights
    }

    /// Candidate indices of the last ranked window, best first.
    pub fn order(&self) -> &[usize] {
        &self.classes.order
    }

    /// Runs the encoder on one window (`data` as produced by the window assembler).
    pub fn encode(&mut self, data: &[f32]) -> Result<(), String> {
        let (_, input) = self.input.extract_tensor_mut();
        if data.len() != input.len() {
            return Err(format!(
                "window has {} values, the model takes {} (T = {})",
                data.len(),
                input.len(),
                self.window
            ));
        }
        // Layout [3, T, 25, 2]: slot 1 is every odd value.
        self.last_one_body = false;
        if let Some(one) = self.one_body.as_mut().filter(|_| self.use_one_body)
            && data.iter().skip(1).step_by(2).all(|&v| v == 0.0)
        {
            let (_, x) = one.input.extract_tensor_mut();
            for (x, v) in x.iter_mut().zip(data.iter().step_by(2)) {
                *x = *v;
            }
            let out = one
                .session
                .run_with_options(ort::inputs![&one.input], &one.run)
                .map_err(err)?;
            let (_, f) = out[0].try_extract_tensor::<f32>().map_err(err)?;
            let feature = self.feature.extract_tensor_mut().1;
            for ((o, f), a) in feature.iter_mut().zip(f).zip(&one.absent) {
                *o = 0.5 * f + a;
            }
            self.last_one_body = true;
            return Ok(());
        }
        input.copy_from_slice(data);
        let out = self
            .encoder
            .run_with_options(ort::inputs![&self.input], &self.encoder_run)
            .map_err(err)?;
        let (_, f) = out[0].try_extract_tensor::<f32>().map_err(err)?;
        self.feature.extract_tensor_mut().1.copy_from_slice(f);
        Ok(())
    }

    /// The feature of the last encoded window.
    pub fn feature(&self) -> &[f32] {
        self.feature.extract_tensor().1
    }

    /// Runs the energy head on the last encoded window.
    pub fn score(&mut self) -> Result<(), String> {
        let c = &mut self.classes;
        let [enc_h, dec_h, mu, lv] = &c.priors;
        let out = self
            .head
            .run_with_options(
                ort::inputs![&self.feature, enc_h, dec_h, mu, lv],
                &c.head_run,
            )
            .map_err(err)?;
        let (_, e) = out[0].try_extract_tensor::<f32>().map_err(err)?;
        c.energy.copy_from_slice(e);
        if !c.energy.iter().all(|e| e.is_finite()) {
            return Err(
                "the energy head gave a non-finite energy (coordinates far out of range?)".into(),
            );
        }
        Ok(())
    }

    /// Ranks the last window's energies: calibrated energies, softmax weights and the order,
    /// best first. Returns the best index and whether the window is unknown (the best class's
    /// raw energy above the model's threshold).
    pub fn rank(&mut self) -> (usize, bool) {
        let c = &mut self.classes;
        for ((r, e), k) in c.ranked.iter_mut().zip(&c.energy).zip(&c.calibration) {
            *r = e + k;
        }
        let best = c.ranked.iter().copied().fold(f32::INFINITY, f32::min);
        for (w, r) in c.weights.iter_mut().zip(&c.ranked) {
            *w = (best - r).exp();
        }
        let total: f32 = c.weights.iter().sum();
        c.weights.iter_mut().for_each(|w| *w /= total);
        let ranked = &c.ranked;
        // Unstable sort (no allocation); ties broken by index so the order is deterministic.
        c.order
            .sort_unstable_by(|&a, &b| ranked[a].total_cmp(&ranked[b]).then(a.cmp(&b)));
        // Unknown: the best-ranked class's own energy is above the calibrated threshold.
        let top = c.order[0];
        (top, c.energy[top] > self.threshold)
    }

    /// Labels one window: encoder, energy head, ranking, and the label's JSON written into
    /// `out` (cleared first; keep its capacity to avoid allocating).
    pub fn label_into(
        &mut self,
        info: &WindowInfo,
        data: &[f32],
        timing: WindowTiming,
        out: &mut Vec<u8>,
    ) -> Result<LabelSummary, String> {
        let start = Instant::now();
        self.encode(data)?;
        let encoded = Instant::now();
        self.score()?;
        let scored = Instant::now();
        let (best, unknown) = self.rank();
        let done = Instant::now();
        let latency = StageLatency {
            queue: micros(timing.arrived, start).saturating_sub(timing.normalise_us),
            normalise: timing.normalise_us,
            encoder: micros(start, encoded),
            energy_head: micros(encoded, scored),
            total: micros(timing.arrived, done),
        };
        out.clear();
        let view = LabelView {
            v: LABEL_VERSION,
            bodies: Bodies(info.bodies),
            seq_first: info.seq_first,
            seq_last: info.seq_last,
            t_first_us: info.t_first_us,
            t_us: info.t_last_us,
            top: Top(self),
            unknown,
            motion: info.motion,
            still: info.still,
            latency_us: latency,
        };
        serde_json::to_writer(&mut *out, &view).map_err(err)?;
        Ok(LabelSummary {
            best,
            unknown,
            latency,
            window: *info,
        })
    }

    /// Labels one window and returns the parsed message (tests and tools; allocates).
    pub fn label(
        &mut self,
        info: &WindowInfo,
        data: &[f32],
        timing: WindowTiming,
    ) -> Result<LabelMessage, String> {
        let mut out = Vec::new();
        self.label_into(info, data, timing, &mut out)?;
        LabelMessage::from_json(&out).map_err(err)
    }
}

/// The label message borrowed from the engine, serialised without allocating. Its fields are
/// those of [`LabelMessage`] (a unit test checks that one parses as the other).
#[derive(Serialize)]
struct LabelView<'a> {
    v: u32,
    bodies: Bodies,
    seq_first: u64,
    seq_last: u64,
    t_first_us: u64,
    t_us: u64,
    top: Top<'a>,
    unknown: bool,
    motion: f32,
    still: bool,
    latency_us: StageLatency,
}

struct Bodies([Option<u64>; 2]);

impl Serialize for Bodies {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0.iter().flatten().count();
        let mut seq = s.serialize_seq(Some(n))?;
        for id in self.0.iter().flatten() {
            seq.serialize_element(id)?;
        }
        seq.end()
    }
}

struct Top<'a>(&'a LabelEngine);

#[derive(Serialize)]
struct RankedView<'a> {
    id: u32,
    name: &'a str,
    energy: f32,
    score: f32,
}

impl Serialize for Top<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = &self.0.classes;
        let n = self.0.top_k.min(c.len());
        let mut seq = s.serialize_seq(Some(n))?;
        for &k in c.order.iter().take(n) {
            seq.serialize_element(&RankedView {
                id: c.ids[k],
                name: &c.names[k],
                energy: c.energy[k],
                score: c.weights[k],
            })?;
        }
        seq.end()
    }
}
