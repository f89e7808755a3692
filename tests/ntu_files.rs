//! The NTU `.skeleton` reader and writer against the real recordings in `../shared/fixtures`.

mod common;

use common::fixture;
use scale::ntu::format::{LineEnding, NtuErrorKind};
use scale::ntu::{NtuSequence, SampleId};

#[test]
fn reads_the_real_drink_water_recording() {
    let Some(path) = fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let seq = NtuSequence::read(&path).unwrap();
    assert_eq!(seq.frames.len(), 103);
    assert!(seq.frames.iter().all(|f| f.bodies.len() == 1));
    let b = &seq.frames[0].bodies[0];
    assert_eq!(b.body_id, 72057594037931101);
    assert_eq!(b.joints[0].position, [0.2181153, 0.1725972, 3.785547]);
    // Every field of the first joint line is kept.
    assert_eq!(b.joints[0].depth, [277.419, 191.8218]);
    assert_eq!(b.joints[0].color, [1036.233, 519.1677]);
    assert_eq!(
        b.joints[0].orientation,
        [-0.2059419, 0.05349901, 0.9692109, -0.1239193]
    );
    assert_eq!(b.joints[5].tracking_state, 1);
    assert_eq!(
        (b.lean, b.tracking_state, b.hand_left_confidence),
        ([0.02764709, 0.05745083], 2, 1)
    );
    assert_eq!(SampleId::from_path(&path).unwrap().action, 1);
}

#[test]
fn crlf_and_lf_read_the_same_and_write_read_is_exact() {
    let Some(path) = fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\r\n"), "the real file uses CRLF");
    let crlf = NtuSequence::parse(&text).unwrap();
    let lf = NtuSequence::parse(&text.replace("\r\n", "\n")).unwrap();
    assert_eq!(crlf, lf);
    for ending in [LineEnding::Crlf, LineEnding::Lf] {
        assert_eq!(NtuSequence::parse(&crlf.to_text(ending)).unwrap(), crlf);
    }
}

#[test]
fn reads_the_positions_only_writing_recording() {
    let Some(path) = fixture("ntu/S001C001P001R001A012.skeleton") else {
        return;
    };
    let seq = NtuSequence::read(&path).unwrap();
    assert_eq!(seq.frames.len(), 102);
    assert!(seq.frames.iter().all(|f| f.bodies.len() == 1));
    assert_eq!(seq.frames[0].bodies[0].joints[0].orientation, [0.0; 4]);
}

#[test]
fn truncated_copies_fail_with_the_line_of_the_cut() {
    let Some(path) = fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for keep in [1usize, 2, 3, 4, 17, 28, 29, 1000, lines.len() - 1] {
        let cut: String = lines[..keep].concat();
        let e = NtuSequence::parse(&cut).unwrap_err();
        assert_eq!(e.line, keep, "cut after line {keep}: {e}");
        assert!(matches!(e.kind, NtuErrorKind::UnexpectedEnd { .. }), "{e}");
        assert!(e.to_string().contains(&format!(":{keep}:")), "{e}");
    }
    // A cut in the middle of a line: the partial line is malformed, named by its number.
    let mid = &text[..text.len() / 2];
    let e = NtuSequence::parse(mid).unwrap_err();
    assert_eq!(e.line, mid.lines().count());
}

#[test]
fn a_real_ntu_folder_loads_with_the_ntu_catalogue_and_protocols() {
    let (Some(a1), Some(a12)) = (
        fixture("ntu/S001C001P001R001A001.skeleton"),
        fixture("ntu/S001C001P001R001A012.skeleton"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&a1, dir.path().join("S001C001P001R001A001.skeleton")).unwrap();
    std::fs::copy(&a12, dir.path().join("S001C001P001R001A012.skeleton")).unwrap();
    // An official missing-skeleton sample is skipped even when present (here a copy).
    std::fs::copy(&a1, dir.path().join("S001C002P005R002A008.skeleton")).unwrap();
    let data = scale::train::data::Dataset::load(dir.path()).unwrap();
    assert_eq!(data.kind, scale::train::data::DataKind::Ntu);
    assert_eq!(data.catalog.classes.len(), 120);
    let ids: Vec<u32> = data.samples.iter().map(|s| s.class_id).collect();
    assert_eq!(ids, vec![1, 12]);
    assert!(
        data.samples.iter().all(|s| data.is_train(s)),
        "performer 1 is in the cross-subject training set"
    );
    assert_eq!(data.samples[0].frames, 103);
    // The NTU zero-shot splits are there, with 1-based class ids.
    let split = data.catalog.split("ntu60-55/5").unwrap();
    assert_eq!(split.unseen, vec![11, 12, 20, 27, 57]);
    let seen = data.catalog.seen_ids(split);
    assert!(!seen.contains(&12), "A12 writing is unseen in 55/5");
    assert_eq!(
        (seen.len(), seen.iter().max()),
        (55, Some(&60)),
        "an NTU-60 split has NTU-60 seen classes"
    );
    assert_eq!(
        data.catalog
            .seen_ids(data.catalog.split("ntu120-110/10").unwrap())
            .len(),
        110
    );
}
