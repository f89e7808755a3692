//! The live vocabulary of `scale serve`: every class the server knows (the model's own, and
//! those added by text while it runs), which of them are candidates (an allow-list), and the
//! [`ClassSet`] that the inference thread swaps in. Lives on the control thread: new classes
//! are embedded there (the sentence encoder is loaded on the first `add`), never on the
//! inference thread.
//!
//! A request either changes the vocabulary completely or not at all: [`Vocabulary::plan`]
//! works on a copy of the state, and the server commits it only once the new class set is in
//! place.

use super::engine::ClassSet;
use crate::model::cvae::{ClassPriors, CvaeWeights};
use crate::model::folder::{self, ModelInfo};
use crate::protocol::{ControlRequest, EventClass};
use crate::text::TextEncoder;
use std::path::Path;

/// One known class: its prior rows, and whether the model was trained on it (which gives its
/// energy the model's GZSL offset).
#[derive(Clone, Debug)]
struct Entry {
    id: u32,
    name: String,
    seen: bool,
    enc_h: Vec<f32>,
    dec_h: Vec<f32>,
    prior_mu: Vec<f32>,
    prior_logvar: Vec<f32>,
}

/// What a request can change.
#[derive(Clone, Debug)]
pub struct VocabularyState {
    classes: Vec<Entry>,
    /// Ids of the allowed classes; empty: every class is a candidate.
    allowed: Vec<u32>,
    /// The id the next added class gets (ids are never reused).
    next_id: u32,
}

impl VocabularyState {
    fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.classes.iter().position(|c| c.name == name)
    }

    fn active(&self) -> impl Iterator<Item = &Entry> {
        self.classes
            .iter()
            .filter(|c| self.allowed.is_empty() || self.allowed.contains(&c.id))
    }

    /// The candidate classes, as requests' replies list them.
    pub fn listing(&self) -> Vec<EventClass<String>> {
        self.active()
            .map(|c| EventClass {
                id: c.id,
                name: c.name.clone(),
            })
            .collect()
    }
}

/// The server's classes, with what it takes to make new ones from text.
pub struct Vocabulary {
    state: VocabularyState,
    cvae: CvaeWeights,
    gzsl_offset: f32,
    text: Option<TextEncoder>,
}

fn unknown(name: &str, state: &VocabularyState) -> String {
    let names: Vec<&str> = state.classes.iter().map(|c| c.name.as_str()).collect();
    format!(
        "no class named {:?} (known: {})",
        name.trim(),
        names.join(", ")
    )
}

impl Vocabulary {
    /// The classes of a model folder's prior cache, all of them candidates.
    pub fn load(model: &Path) -> Result<Vocabulary, String> {
        let info = ModelInfo::load(model)?;
        let (priors, _) = folder::load_priors(
            &model.join(folder::CLASS_PRIORS),
            info.cvae.hidden,
            info.cvae.latent,
        )?;
        let cvae = folder::load_cvae(model)?;
        let (hd, z) = (info.cvae.hidden, info.cvae.latent);
        let classes: Vec<Entry> = (0..priors.len())
            .map(|k| Entry {
                id: priors.ids[k],
                name: priors.names[k].clone(),
                seen: info.seen.contains(&priors.ids[k]),
                enc_h: priors.enc_h[k * hd..(k + 1) * hd].to_vec(),
                dec_h: priors.dec_h[k * hd..(k + 1) * hd].to_vec(),
                prior_mu: priors.prior_mu[k * z..(k + 1) * z].to_vec(),
                prior_logvar: priors.prior_logvar[k * z..(k + 1) * z].to_vec(),
            })
            .collect();
        let next_id = classes.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        Ok(Vocabulary {
            state: VocabularyState {
                classes,
                allowed: Vec::new(),
                next_id,
            },
            cvae,
            gzsl_offset: info.gzsl_offset,
            text: None,
        })
    }

    /// The state now.
    pub fn state(&self) -> &VocabularyState {
        &self.state
    }

    /// The state `request` leads to (the vocabulary itself is unchanged), or why it cannot be
    /// carried out. `None`: the request changes nothing (`list`).
    pub fn plan(&mut self, request: &ControlRequest) -> Result<Option<VocabularyState>, String> {
        request.validate()?;
        let mut next = self.state.clone();
        match request {
            ControlRequest::List {} => return Ok(None),
            ControlRequest::Add { name, descriptions } => {
                let name = name.trim();
                if next.find(name).is_some() {
                    return Err(format!(
                        "a class named {name:?} exists already (remove it first to describe it anew)"
                    ));
                }
                let entry = self.embed(next.next_id, name, descriptions)?;
                next.next_id += 1;
                // An added class is a candidate even under an allow-list: it was asked for.
                if !next.allowed.is_empty() {
                    next.allowed.push(entry.id);
                }
                next.classes.push(entry);
            }
            ControlRequest::Remove { name } => {
                let i = next.find(name).ok_or_else(|| unknown(name, &next))?;
                let id = next.classes[i].id;
                let was_allowed = next.allowed.len();
                next.allowed.retain(|&a| a != id);
                if was_allowed > 0 && next.allowed.is_empty() {
                    return Err(format!(
                        "{:?} is the only allowed class; allow others first",
                        name.trim()
                    ));
                }
                next.classes.remove(i);
                if next.classes.is_empty() {
                    return Err(format!("{:?} is the last class", name.trim()));
                }
            }
            ControlRequest::Allow { names } => {
                let mut ids = Vec::with_capacity(names.len());
                for n in names {
                    let i = next.find(n).ok_or_else(|| unknown(n, &next))?;
                    if !ids.contains(&next.classes[i].id) {
                        ids.push(next.classes[i].id);
                    }
                }
                next.allowed = ids;
            }
        }
        Ok(Some(next))
    }

    /// Makes `state` the vocabulary (once its class set is in place).
    pub fn commit(&mut self, state: VocabularyState) {
        self.state = state;
    }

    /// Plans and commits at once (when nothing else has to happen in between, e.g. before the
    /// server starts).
    pub fn apply(&mut self, request: &ControlRequest) -> Result<(), String> {
        if let Some(next) = self.plan(request)? {
            self.commit(next);
        }
        Ok(())
    }

    /// `--classes a,b,c`: only these are candidates; names the model does not know are added
    /// first, named by their text alone.
    pub fn restrict(&mut self, names: &[String]) -> Result<(), String> {
        for n in names {
            if self.state.find(n).is_none() {
                self.apply(&ControlRequest::Add {
                    name: n.clone(),
                    descriptions: vec![],
                })?;
            }
        }
        self.apply(&ControlRequest::Allow {
            names: names.to_vec(),
        })
    }

    /// The class set of `state`'s candidates, for the engine.
    pub fn class_set(&self, state: &VocabularyState) -> Result<ClassSet, String> {
        let c = &self.cvae.config;
        let mut p = ClassPriors::empty();
        let mut calibration = Vec::new();
        for e in state.active() {
            p.ids.push(e.id);
            p.names.push(e.name.clone());
            p.enc_h.extend_from_slice(&e.enc_h);
            p.dec_h.extend_from_slice(&e.dec_h);
            p.prior_mu.extend_from_slice(&e.prior_mu);
            p.prior_logvar.extend_from_slice(&e.prior_logvar);
            calibration.push(if e.seen { self.gzsl_offset } else { 0.0 });
        }
        ClassSet::new(&p, calibration, c.hidden, c.latent)
    }

    /// A new class from its text (the sentence encoder is loaded on first use).
    fn embed(&mut self, id: u32, name: &str, descriptions: &[String]) -> Result<Entry, String> {
        if self.text.is_none() {
            self.text = Some(
                TextEncoder::load()
                    .map_err(|e| format!("cannot load the sentence encoder: {e}"))?,
            );
        }
        let encoder = self.text.as_mut().expect("loaded above");
        let descriptions: Vec<String> = descriptions.iter().map(|d| d.trim().to_string()).collect();
        let text = crate::text::classes::class_text(encoder, name, &descriptions)
            .map_err(|e| format!("cannot embed {name:?}: {e}"))?;
        let p = self.cvae.class_priors(&[id], &[name.to_string()], &[text]);
        Ok(Entry {
            id,
            name: name.to_string(),
            seen: false,
            enc_h: p.enc_h,
            dec_h: p.dec_h,
            prior_mu: p.prior_mu,
            prior_logvar: p.prior_logvar,
        })
    }
}
