//! The NTU RGB+D dataset's facts: sample names, evaluation protocols, the samples to skip, the
//! 120 class names and the standard zero-shot splits.
//!
//! The lists are the dataset's and the zero-shot papers' own, compiled into the crate from
//! `data/ntu/` so that a folder of `.skeleton` files is all a user needs to bring.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const CLASSES_TSV: &str = include_str!("../../data/ntu/classes_ntu120.tsv");
const MISSING_60: &str = include_str!("../../data/ntu/NTU_RGBD_samples_with_missing_skeletons.txt");
const MISSING_120: &str =
    include_str!("../../data/ntu/NTU_RGBD120_samples_with_missing_skeletons.txt");
const SPLITS_JSON: &str = include_str!("../../data/ntu/zero_shot_splits.json");

/// Performers whose samples form the cross-subject training set (NTU-60's 20, then the 33 that
/// NTU-120 adds). Everyone else is in the test set.
pub const CROSS_SUBJECT_TRAIN: [u16; 53] = [
    1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38, 45, 46, 47, 49, 50,
    52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82, 83, 84, 85, 86, 89, 91, 92, 93, 94, 95,
    97, 98, 100, 103,
];

/// The identity of one recording, from its name `SsssCcccPpppRrrrAaaa`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SampleId {
    pub setup: u16,
    pub camera: u16,
    pub performer: u16,
    pub replication: u16,
    /// 1-based action class (A1 = drink water).
    pub action: u16,
}

impl SampleId {
    /// Parses `S001C002P003R002A013`, optionally followed by an extension (`.skeleton`).
    pub fn parse(name: &str) -> Option<SampleId> {
        let stem = name.split('.').next()?;
        let b = stem.as_bytes();
        if b.len() != 20 {
            return None;
        }
        let field = |pos: usize, tag: u8| -> Option<u16> {
            if b[pos] != tag {
                return None;
            }
            let digits = &stem[pos + 1..pos + 4];
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        Some(SampleId {
            setup: field(0, b'S')?,
            camera: field(4, b'C')?,
            performer: field(8, b'P')?,
            replication: field(12, b'R')?,
            action: field(16, b'A')?,
        })
    }

    /// Parses the file name of a path.
    pub fn from_path(path: &Path) -> Option<SampleId> {
        SampleId::parse(path.file_name()?.to_str()?)
    }

    /// 0-based class index (A1 → 0).
    pub fn class_index(&self) -> usize {
        usize::from(self.action.saturating_sub(1))
    }
}

impl fmt::Display for SampleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "S{:03}C{:03}P{:03}R{:03}A{:03}",
            self.setup, self.camera, self.performer, self.replication, self.action
        )
    }
}

/// Which of the two datasets a sample or split belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataset {
    /// NTU RGB+D: actions A1–A60, setups S001–S017.
    Ntu60,
    /// NTU RGB+D 120: actions A1–A120, setups S001–S032.
    Ntu120,
}

impl Dataset {
    pub fn num_classes(self) -> usize {
        match self {
            Dataset::Ntu60 => 60,
            Dataset::Ntu120 => 120,
        }
    }

    /// Whether the sample is part of this dataset at all.
    pub fn contains(self, id: &SampleId) -> bool {
        match self {
            Dataset::Ntu60 => id.action <= 60 && id.setup <= 17,
            Dataset::Ntu120 => id.action <= 120,
        }
    }
}

/// A standard train/test protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Train on the performers of [`CROSS_SUBJECT_TRAIN`], test on the others.
    CrossSubject,
    /// NTU-60: train on cameras 2 and 3, test on camera 1.
    CrossView,
    /// NTU-120: train on even setup ids, test on odd ones.
    CrossSetup,
}

impl Protocol {
    /// True when the sample is in the protocol's training set.
    pub fn is_train(self, id: &SampleId) -> bool {
        match self {
            Protocol::CrossSubject => CROSS_SUBJECT_TRAIN.contains(&id.performer),
            Protocol::CrossView => id.camera == 2 || id.camera == 3,
            Protocol::CrossSetup => id.setup.is_multiple_of(2),
        }
    }
}

fn parse_missing(text: &str) -> HashSet<SampleId> {
    text.lines()
        .filter_map(|l| SampleId::parse(l.trim()))
        .collect()
}

/// Samples whose skeletons are missing or incomplete, by the dataset authors' lists; every
/// protocol skips them.
pub fn is_missing_skeleton(id: &SampleId) -> bool {
    static MISSING: OnceLock<HashSet<SampleId>> = OnceLock::new();
    MISSING
        .get_or_init(|| {
            let mut all = parse_missing(MISSING_60);
            all.extend(parse_missing(MISSING_120));
            all
        })
        .contains(id)
}

/// Number of entries in the official missing-skeleton lists (NTU-60, NTU-120).
pub fn missing_list_sizes() -> (usize, usize) {
    (
        parse_missing(MISSING_60).len(),
        parse_missing(MISSING_120).len(),
    )
}

/// The 120 official class names, index 0 = A1. Trailing full stops of the official list are
/// dropped ("drink water.") → "drink water").
pub fn class_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = vec![String::new(); 120];
        for line in CLASSES_TSV.lines() {
            if let Some((id, name)) = line.split_once('\t')
                && let Ok(id) = id.trim().parse::<usize>()
                && (1..=120).contains(&id)
            {
                names[id - 1] = name.trim().trim_end_matches('.').to_string();
            }
        }
        names
    })
}

/// A zero-shot split: which classes of a dataset are never seen in training.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ZeroShotSplit {
    #[serde(skip)]
    pub name: String,
    pub dataset: Dataset,
    /// 0-based class indices held out of training, sorted.
    pub unseen: Vec<usize>,
    /// The paper that introduced it ("synse" or "purls").
    pub origin: String,
}

impl ZeroShotSplit {
    /// 0-based class indices used in training.
    pub fn seen(&self) -> Vec<usize> {
        (0..self.dataset.num_classes())
            .filter(|c| !self.unseen.contains(c))
            .collect()
    }
}

#[derive(Deserialize)]
struct SplitsFile {
    splits: BTreeMap<String, ZeroShotSplit>,
}

/// The eight standard NTU zero-shot splits, by name (`ntu60-55/5`, …, `ntu120-60/60`).
pub fn zero_shot_splits() -> &'static BTreeMap<String, ZeroShotSplit> {
    static SPLITS: OnceLock<BTreeMap<String, ZeroShotSplit>> = OnceLock::new();
    SPLITS.get_or_init(|| {
        let file: SplitsFile = serde_json::from_str(SPLITS_JSON)
            .expect("data/ntu/zero_shot_splits.json is valid (tested)");
        file.splits
            .into_iter()
            .map(|(name, mut s)| {
                s.name = name.clone();
                s.unseen.sort_unstable();
                (name, s)
            })
            .collect()
    })
}

/// One `.skeleton` file found in a dataset folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleFile {
    pub id: SampleId,
    pub path: PathBuf,
}

/// Lists the `.skeleton` files of a folder (not recursive) whose names parse, sorted by name.
/// With `skip_missing`, the official missing-skeleton samples of NTU RGB+D are left out (for
/// real NTU folders; synthetic files reuse the naming scheme but not the lists). Files with
/// other names are ignored.
pub fn list_samples(dir: &Path, skip_missing: bool) -> std::io::Result<Vec<SampleFile>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "skeleton") {
            continue;
        }
        if let Some(id) = SampleId::from_path(&path)
            && !(skip_missing && is_missing_skeleton(&id))
        {
            out.push(SampleFile { id, path });
        }
    }
    out.sort_by_key(|s| s.id);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_names_round_trip() {
        let id = SampleId::parse("S017C003P020R002A060.skeleton").unwrap();
        assert_eq!(
            id,
            SampleId {
                setup: 17,
                camera: 3,
                performer: 20,
                replication: 2,
                action: 60
            }
        );
        assert_eq!(id.to_string(), "S017C003P020R002A060");
        assert_eq!(id.class_index(), 59);
        for bad in [
            "S017C003P020R002A06",
            "X017C003P020R002A060",
            "S01xC003P020R002A060",
            "",
        ] {
            assert_eq!(SampleId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn protocols_follow_the_dataset_definitions() {
        let id = |s: &str| SampleId::parse(s).unwrap();
        assert!(Protocol::CrossSubject.is_train(&id("S001C001P001R001A001")));
        assert!(!Protocol::CrossSubject.is_train(&id("S001C001P003R001A001")));
        assert!(Protocol::CrossSubject.is_train(&id("S020C001P103R001A100")));
        assert!(!Protocol::CrossView.is_train(&id("S001C001P001R001A001")));
        assert!(Protocol::CrossView.is_train(&id("S001C003P001R001A001")));
        assert!(Protocol::CrossSetup.is_train(&id("S002C001P001R001A001")));
        assert!(Dataset::Ntu60.contains(&id("S017C001P001R001A060")));
        assert!(!Dataset::Ntu60.contains(&id("S018C001P001R001A061")));
    }

    #[test]
    fn official_lists_are_compiled_in() {
        assert_eq!(missing_list_sizes(), (302, 535));
        assert!(is_missing_skeleton(
            &SampleId::parse("S001C002P005R002A008").unwrap()
        ));
        assert!(!is_missing_skeleton(
            &SampleId::parse("S001C001P001R001A001").unwrap()
        ));
        let names = class_names();
        assert_eq!(names[0], "drink water");
        assert_eq!(
            names[119],
            "finger-guessing game (playing rock-paper-scissors)"
        );
        assert!(names.iter().all(|n| !n.is_empty()));
    }

    #[test]
    fn zero_shot_splits_have_the_published_sizes() {
        let s = zero_shot_splits();
        let sizes: Vec<(&str, usize, usize)> = s
            .values()
            .map(|z| (z.name.as_str(), z.seen().len(), z.unseen.len()))
            .collect();
        for (name, seen, unseen) in [
            ("ntu60-55/5", 55, 5),
            ("ntu60-48/12", 48, 12),
            ("ntu60-40/20", 40, 20),
            ("ntu60-30/30", 30, 30),
            ("ntu120-110/10", 110, 10),
            ("ntu120-96/24", 96, 24),
            ("ntu120-80/40", 80, 40),
            ("ntu120-60/60", 60, 60),
        ] {
            assert!(sizes.contains(&(name, seen, unseen)), "{name}: {sizes:?}");
        }
        assert_eq!(s["ntu60-55/5"].unseen, vec![10, 11, 19, 26, 56]);
    }
}
