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

fn version_one() -> u32 {
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

/// A class as written in a file: the id may be left out (then every class leaves it out, and
/// they are numbered from 1 in file order).
#[derive(Deserialize)]
struct ClassIn {
    id: Option<u32>,
    name: String,
    #[serde(default)]
    ntu_id: Option<u16>,
    #[serde(default = "one")]
    bodies: u8,
    #[serde(default)]
    motion: Option<String>,
    #[serde(default)]
    descriptions: Vec<String>,
}

#[derive(Deserialize)]
struct CatalogFile {
    /// The catalogue's name (default: the file's name).
    #[serde(default)]
    catalog: Option<String>,
    #[serde(default = "version_one")]
    version: u32,
    classes: Vec<ClassIn>,
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
        let with_ids = file.classes.iter().filter(|c| c.id.is_some()).count();
        if with_ids != 0 && with_ids != file.classes.len() {
            return Err(err(
                "some classes have an `id` and some do not: give every class one, or none (then they are numbered from 1 in file order)".into(),
            ));
        }
        let classes: Vec<ClassEntry> = file
            .classes
            .into_iter()
            .enumerate()
            .map(|(i, c)| ClassEntry {
                id: c.id.unwrap_or(i as u32 + 1),
                name: c.name,
                ntu_id: c.ntu_id,
                bodies: c.bodies,
                motion: c.motion,
                descriptions: c.descriptions,
            })
            .collect();
        for (i, c) in classes.iter().enumerate() {
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
            if let Some(prev) = classes[..i]
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
            if split.unseen.is_empty() || split.unseen.len() >= classes.len() {
                return Err(err(format!(
                    "split {name}: needs at least one seen and one unseen class"
                )));
            }
            if let Some(bad) = split
                .unseen
                .iter()
                .find(|u| !classes.iter().any(|c| c.id == **u))
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
        let name = file.catalog.unwrap_or_else(|| {
            Path::new(source_name).file_stem().map_or_else(
                || source_name.to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
        });
        Ok(Catalog {
            name,
            version: file.version,
            classes,
            splits: file.splits,
            hash,
        })
    }

    /// A catalogue of classes known by their names alone (e.g. `--classes "drink water,sit
    /// down"`), numbered from 1. Names are trimmed; empty and repeated names are refused.
    pub fn from_names(names: &[&str]) -> Result<Catalog, CatalogError> {
        let classes: Vec<serde_json::Value> = names
            .iter()
            .map(|n| serde_json::json!({ "name": n.trim() }))
            .collect();
        let text = serde_json::json!({ "catalog": "classes given by name", "classes": classes });
        Catalog::parse(&text.to_string(), "--classes")
    }

    /// The class with this exact name.
    pub fn by_name(&self, name: &str) -> Option<&ClassEntry> {
        self.classes.iter().find(|c| c.name == name)
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
    fn a_minimal_catalogue_needs_only_names() {
        let c = Catalog::parse(
            r#"{"classes":[{"name":"walk"},{"name":"sit down","descriptions":["bends the knees"]}]}"#,
            "dir/ut.json",
        )
        .unwrap();
        assert_eq!((c.name.as_str(), c.version), ("ut", 1));
        assert_eq!(
            c.classes
                .iter()
                .map(|k| (k.id, k.name.as_str()))
                .collect::<Vec<_>>(),
            vec![(1, "walk"), (2, "sit down")]
        );
        assert_eq!(c.by_name("sit down").unwrap().descriptions.len(), 1);
        let n = Catalog::from_names(&["drink water", " sit down "]).unwrap();
        assert_eq!(n.classes[1].name, "sit down");
        assert!(Catalog::from_names(&["a", "a"]).is_err());
        assert!(Catalog::from_names(&["a", " "]).is_err());
        let e = Catalog::parse(
            r#"{"classes":[{"id":1,"name":"a"},{"name":"b"}]}"#,
            "x.json",
        )
        .unwrap_err();
        assert!(e.message.contains("every class"), "{e}");
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
