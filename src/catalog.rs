//! The class catalogue: which actions exist, their text, and the zero-shot splits over them.
//!
//! One loader for everyone: the synthetic generator reads each class's motion script name, the
//! text encoder its name and descriptions, the trainer its splits, the server its names. The
//! default catalogue (`models/catalog.json`) is compiled in; any other file with the same shape
//! can be given instead, e.g. to add new actions by text alone (a class without `motion`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT_CATALOG: &str = include_str!("../models/catalog.json");

/// One action class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassEntry {
    /// 1-based id; synthetic files of this class are named `…A{id:03}`.
    pub id: u32,
    pub name: String,
    /// The NTU RGB+D action id (A1–A120), when the class is an NTU action under its NTU name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntu_id: Option<u16>,
    /// Bodies taking part: 1, or 2 for interactions.
    #[serde(default = "one")]
    pub bodies: u8,
    /// Name of the generator's motion script; absent for classes known by text only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion: Option<String>,
    /// What the body does, in plain words (2–3 sentences).
    #[serde(default)]
    pub descriptions: Vec<String>,
}

fn one() -> u8 {
    1
}

/// A zero-shot split: the classes never seen in training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogSplit {
    pub unseen: Vec<u32>,
    /// The seen classes, when not simply all the others (e.g. an NTU-60 split inside the
    /// 120-class NTU catalogue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<Vec<u32>>,
    /// Why these classes, and which seen classes each relates to.
    #[serde(default)]
    pub reasoning: Vec<String>,
}

#[derive(Deserialize)]
struct CatalogFile {
    catalog: String,
    version: u32,
    classes: Vec<ClassEntry>,
    #[serde(default)]
    splits: BTreeMap<String, CatalogSplit>,
}

/// A loaded, validated catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub name: String,
    pub version: u32,
    pub classes: Vec<ClassEntry>,
    pub splits: BTreeMap<String, CatalogSplit>,
    /// sha256 of the file's bytes: caches built from a catalogue record it to detect staleness.
    pub hash: String,
}

/// A catalogue that cannot be used, with the file it came from.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct CatalogError {
    pub source_name: String,
    pub message: String,
}

impl Catalog {
    /// The catalogue shipped with the crate (`models/catalog.json`).
    pub fn builtin() -> Catalog {
        Catalog::parse(DEFAULT_CATALOG, "models/catalog.json")
            .expect("the bundled catalogue is valid (tested)")
    }

    /// Reads and validates a catalogue file.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CatalogError {
            source_name: name.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Catalog::parse(&text, &name)
    }

    /// Parses and validates catalogue text; `source_name` names it in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<Catalog, CatalogError> {
        let err = |message: String| CatalogError {
            source_name: source_name.to_string(),
            message,
        };
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|e| err(format!("not a valid catalogue: {e}")))?;
        if file.classes.is_empty() {
            return Err(err("no classes".into()));
        }
        for (i, c) in file.classes.iter().enumerate() {
            if c.id == 0 || c.id > 999 {
                return Err(err(format!(
                    "class {:?}: id {} is outside 1..=999",
                    c.name, c.id
                )));
            }
            if c.name.trim().is_empty() {
                return Err(err(format!("class {}: empty name", c.id)));
            }
            if !(1..=2).contains(&c.bodies) {
                return Err(err(format!(
                    "class {:?}: bodies must be 1 or 2, found {}",
                    c.name, c.bodies
                )));
            }
            if let Some(prev) = file.classes[..i]
                .iter()
                .find(|p| p.id == c.id || p.name == c.name)
            {
                return Err(err(format!(
                    "classes {:?} and {:?} share an id or a name",
                    prev.name, c.name
                )));
            }
        }
        for (name, split) in &file.splits {
            if split.unseen.is_empty() || split.unseen.len() >= file.classes.len() {
                return Err(err(format!(
                    "split {name}: needs at least one seen and one unseen class"
                )));
            }
            if let Some(bad) = split
                .unseen
                .iter()
                .find(|u| !file.classes.iter().any(|c| c.id == **u))
            {
                return Err(err(format!(
                    "split {name}: unseen class id {bad} is not in the catalogue"
                )));
            }
        }
        let hash = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Catalog {
            name: file.catalog,
            version: file.version,
            classes: file.classes,
            splits: file.splits,
            hash,
        })
    }

    pub fn by_id(&self, id: u32) -> Option<&ClassEntry> {
        self.classes.iter().find(|c| c.id == id)
    }

    /// The split with this name, or an error listing the names there are.
    pub fn split(&self, name: &str) -> Result<&CatalogSplit, CatalogError> {
        self.splits.get(name).ok_or_else(|| CatalogError {
            source_name: format!("catalogue {}", self.name),
            message: format!(
                "no split named {name:?}; available: {}",
                self.splits.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        })
    }

    /// Ids of the classes seen in training under a split, in catalogue order.
    pub fn seen_ids(&self, split: &CatalogSplit) -> Vec<u32> {
        match &split.seen {
            Some(seen) => seen.clone(),
            None => self
                .classes
                .iter()
                .map(|c| c.id)
                .filter(|id| !split.unseen.contains(id))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_meets_the_benchmark_rules() {
        let c = Catalog::builtin();
        assert!(c.classes.len() >= 40);
        assert!(
            c.classes
                .iter()
                .filter(|k| k.ntu_id.is_some_and(|n| n <= 60))
                .count()
                >= 25
        );
        assert!(c.classes.iter().filter(|k| k.bodies == 2).count() >= 3);
        for k in &c.classes {
            assert!((2..=3).contains(&k.descriptions.len()), "{}", k.name);
            assert!(k.motion.is_some(), "{} has a generator script", k.name);
            // NTU classes carry NTU's own name.
            if let Some(n) = k.ntu_id {
                assert_eq!(crate::ntu::class_names()[usize::from(n) - 1], k.name);
            }
        }
        let s5 = c.split("synth-35/5").unwrap();
        let s10 = c.split("synth-30/10").unwrap();
        assert_eq!((c.seen_ids(s5).len(), s5.unseen.len()), (35, 5));
        assert_eq!((c.seen_ids(s10).len(), s10.unseen.len()), (30, 10));
        assert!(s5.unseen.iter().all(|u| s10.unseen.contains(u)));
        assert!(
            c.split("nope")
                .unwrap_err()
                .to_string()
                .contains("synth-35/5")
        );
        assert_eq!(c.hash.len(), 64);
    }

    #[test]
    fn invalid_catalogues_are_refused_with_the_reason() {
        let e = Catalog::parse(
            r#"{"catalog":"x","version":1,"classes":[{"id":1,"name":"a"},{"id":1,"name":"b"}]}"#,
            "x.json",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("x.json: ") && e.message.contains("share an id"),
            "{e}"
        );
        let e = Catalog::parse(
            r#"{"catalog":"x","version":1,"classes":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"splits":{"s":{"unseen":[3]}}}"#,
            "x.json",
        )
        .unwrap_err();
        assert!(e.message.contains("unseen class id 3"), "{e}");
    }
}
