//! The real development set (`../shared/fixtures/real/`): `scripts/real_sets.py` turns
//! UTKinect, HDM05, NTU RGB+D and CMU into labelled folders under the test's target folder (never
//! into the repository), and `scale eval --data DIR --catalog FILE` and `scale label` run on
//! them. Skipped without the fixtures; failing under `SCALE_REQUIRE_FIXTURES=1` (CI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scale(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scale"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run scale")
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "scale failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&common::stdout_of(out)).expect("stdout is one JSON object")
}

/// The labelled folders, made once per test run; `None` when the fixtures are absent.
fn real_sets() -> Option<&'static Path> {
    static OUT: OnceLock<Option<PathBuf>> = OnceLock::new();
    OUT.get_or_init(|| {
        common::fixture("real/README.md")?;
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real");
        let status = Command::new("python3")
            .current_dir(root())
            .arg("scripts/real_sets.py")
            .arg("--fixtures")
            .arg(root().join("../shared/fixtures"))
            .arg("--out")
            .arg(&out)
            .output()
            .expect("python3 runs");
        assert!(
            status.status.success(),
            "real_sets.py failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        Some(out)
    })
    .as_deref()
}

/// Checks what every report must satisfy, and returns it.
fn eval(data: &Path, catalog: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
        "--json",
    ];
    args.extend(extra);
    let v = json_of(&scale(&args));
    let clips = v["clips"].as_u64().unwrap() as usize;
    let k = v["classes"].as_array().unwrap().len();
    let per_clip = v["per_clip"].as_array().unwrap();
    assert_eq!(per_clip.len(), clips);
    let right = per_clip.iter().filter(|c| c["top1"] == true).count();
    let right3 = per_clip.iter().filter(|c| c["top3"] == true).count();
    // (serde_json's default float parsing may differ from the printed value in the last bit.)
    let close = |key: &str, x: f64| {
        let got = v[key].as_f64().unwrap();
        assert!((got - x).abs() < 1e-12, "{key}: {got} vs {x}");
    };
    close("top1", right as f64 / clips as f64);
    close("top3", right3 as f64 / clips as f64);
    assert!(right3 >= right);
    close("chance_top1", 1.0 / k as f64);
    close("chance_top3", 3.min(k) as f64 / k as f64);
    // The confusion matrix counts every clip that had a window, its diagonal the top-1 hits.
    let m = v["confusion"].as_array().unwrap();
    assert_eq!(m.len(), k);
    let cell = |t: usize, p: usize| m[t][p].as_u64().unwrap() as usize;
    let total: usize = (0..k)
        .flat_map(|t| (0..k).map(move |p| (t, p)))
        .map(|(t, p)| cell(t, p))
        .sum();
    let without = v["clips_without_windows"].as_u64().unwrap() as usize;
    assert_eq!(total + without, clips);
    assert_eq!((0..k).map(|c| cell(c, c)).sum::<usize>(), right);
    let per_class_clips: u64 = v["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clips"].as_u64().unwrap())
        .sum();
    assert_eq!(per_class_clips as usize, clips);
    eprintln!(
        "{}: {clips} clips, top-1 {:.3} (chance {:.3}), top-3 {:.3}, window top-1 {:.3}",
        data.display(),
        v["top1"].as_f64().unwrap(),
        1.0 / k as f64,
        v["top3"].as_f64().unwrap(),
        v["window_top1"].as_f64().unwrap()
    );
    v
}

fn per_class_counts(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["clips"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn utkinect_segments_are_evaluated_in_both_modes() {
    let Some(out) = real_sets() else { return };
    // (a) the catalogue's own actions among the model's 40 classes.
    let v = eval(
        &out.join("utkinect/catalog"),
        &root().join("models/catalog.json"),
        &[],
    );
    assert_eq!(
        (v["clips"].as_u64(), v["classes"].as_array().unwrap().len()),
        (Some(120), 40)
    );
    let counts = per_class_counts(&v);
    assert_eq!(counts.len(), 6);
    assert!(counts.iter().all(|(_, n)| *n == 20), "{counts:?}");
    assert!(counts.iter().any(|(c, _)| c == "sitting down"));
    // (b) every segment, the candidates being UTKinect's ten actions named by text.
    let own = out.join("utkinect/own");
    let v = eval(&own, &own.join("catalog.json"), &[]);
    assert_eq!(
        (v["clips"].as_u64(), v["classes"].as_array().unwrap().len()),
        (Some(199), 10)
    );
    assert!((v["chance_top1"].as_f64().unwrap() - 0.1).abs() < 1e-12);
    // Segments of about a second at 30 fps are shorter than a 64-frame window: padded, still counted.
    assert!(v["clips_padded"].as_u64().unwrap() > 0);
    assert_eq!(v["clips_without_windows"].as_u64(), Some(0));
}

#[test]
fn hdm05_clips_are_evaluated_through_asf_amc_with_a_confusion_matrix() {
    let Some(out) = real_sets() else { return };
    let v = eval(
        &out.join("hdm05/catalog"),
        &root().join("models/catalog.json"),
        &[],
    );
    assert_eq!(v["clips"].as_u64(), Some(93));
    let counts = per_class_counts(&v);
    assert!(
        counts.contains(&("squat down".to_string(), 36)),
        "{counts:?}"
    );

    let own = out.join("hdm05/own");
    let png = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hdm05_confusion.png");
    let v = eval(
        &own,
        &own.join("catalog.json"),
        &["--confusion", png.to_str().unwrap()],
    );
    assert_eq!(
        (v["clips"].as_u64(), v["classes"].as_array().unwrap().len()),
        (Some(188), 11)
    );
    // The PNG is a picture of the 11 × 11 matrix; the JSON beside it holds the same counts.
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (30 + 11 * 18 + 4, 30 + 11 * 18 + 4));
    let side: serde_json::Value =
        serde_json::from_slice(&std::fs::read(png.with_extension("json")).unwrap()).unwrap();
    assert_eq!(side["confusion"], v["confusion"]);
    assert_eq!(side["classes"], v["classes"]);
}

#[test]
fn ntu_clips_are_evaluated_and_bad_labels_name_their_line() {
    let Some(out) = real_sets() else { return };
    let v = eval(
        &out.join("ntu/catalog"),
        &root().join("models/catalog.json"),
        &[],
    );
    assert_eq!(v["clips"].as_u64(), Some(7));
    // A label that is not a class of the catalogue: the error names labels.csv's line.
    let tmp = tempfile::tempdir().unwrap();
    let rec = common::fixture("ntu/S001C001P001R001A001.skeleton").unwrap();
    std::fs::write(
        tmp.path().join("labels.csv"),
        format!(
            "file,label\n{},drink water\n{},flying\n",
            rec.display(),
            rec.display()
        ),
    )
    .unwrap();
    let o = scale(&[
        "eval",
        "--data",
        tmp.path().to_str().unwrap(),
        "--catalog",
        "models/catalog.json",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("labels.csv:3:") && err.contains("\"flying\""),
        "{err}"
    );
}

/// JSON lines of `scale label`: the windows, then the file's summary.
fn label_lines(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["label", "--json"];
    all.extend(args);
    let out = scale(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn scale_label_labels_skeleton_jsonl_and_bvh_files() {
    let Some(rec) = common::fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let Some(bvh) = common::fixture("real/cmu/002_01.bvh") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("a001.jsonl");
    let o = scale(&["convert", rec.to_str().unwrap(), jsonl.to_str().unwrap()]);
    assert!(o.status.success());

    let skel = label_lines(&[rec.to_str().unwrap()]);
    // 103 frames, windows of 64 every 4: (103 − 64) / 4 + 1 = 10 windows, then the summary.
    assert_eq!(skel.len(), 11);
    assert_eq!(
        (skel[0]["first"].as_i64(), skel[0]["last"].as_i64()),
        (Some(0), Some(63))
    );
    assert_eq!(
        (skel[9]["first"].as_i64(), skel[9]["last"].as_i64()),
        (Some(36), Some(99))
    );
    assert_eq!(skel[0]["top"].as_array().unwrap().len(), 5);
    assert_eq!(skel[10]["summary"], true);
    assert_eq!(skel[10]["windows"].as_u64(), Some(10));
    // The same recording as protocol frames gives the same labels.
    let js = label_lines(&[jsonl.to_str().unwrap()]);
    for (a, b) in skel.iter().zip(&js) {
        assert_eq!(a["top"], b["top"]);
        assert_eq!(a["first"], b["first"]);
    }
    // Motion capture: CMU subject 2 walking (60 fps BVH, resampled to 30).
    let walk = label_lines(&[bvh.to_str().unwrap()]);
    let summary = walk.last().unwrap();
    assert_eq!(summary["summary"], true);
    // 171 frames at 60 fps = 2.85 s: about 86 frames at 30 fps, 6 windows.
    let frames = summary["frames"].as_u64().unwrap();
    assert!((84..=88).contains(&frames), "{frames} frames");
    assert_eq!(summary["windows"].as_u64().unwrap(), (frames - 64) / 4 + 1);
    // Candidates named on the command line.
    let named = label_lines(&["--classes", "walking,sitting down", bvh.to_str().unwrap()]);
    let top = named.last().unwrap()["top"].as_array().unwrap().clone();
    let names: Vec<&str> = top.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"walking") && names.contains(&"sitting down"));
    let total: f64 = top.iter().map(|t| t["score"].as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-4, "scores sum to {total}");
}

/// A labelled folder is training data too: HDM05's catalogue clips, read through ASF/AMC, as
/// samples of the bundled catalogue's classes with every fifth clip held out.
#[test]
fn a_labelled_folder_loads_as_training_data() {
    let Some(out) = real_sets() else { return };
    let data = scale::train::data::Dataset::load(&out.join("hdm05/catalog")).unwrap();
    assert_eq!(data.kind, scale::train::data::DataKind::Labelled);
    assert_eq!(data.samples.len(), 93);
    let squat = scale::catalog::Catalog::builtin()
        .by_name("squat down")
        .unwrap()
        .id;
    assert_eq!(
        data.samples.iter().filter(|s| s.class_id == squat).count(),
        36
    );
    let held = data.samples.iter().filter(|s| !data.is_train(s)).count();
    assert!((17..=20).contains(&held), "{held} held out");
    // Every clip is one body, resampled to 30 fps (the shortest HDM05 clips last half a second).
    assert!(data.samples.iter().all(|s| s.tracks.len() == 1));
    let shortest = data.samples.iter().map(|s| s.frames).min().unwrap();
    assert!(shortest >= 10, "a clip of {shortest} frames");
}

/// The motion-capture lever's actor split: `hdm05-not-dg` (actors bd and bk: training data) and
/// `hdm05-dg` (the test) partition HDM05's clips by actor, in both modes.
#[test]
fn hdm05_is_split_by_actor_for_training_on_motion_capture() {
    let Some(out) = real_sets() else { return };
    let rows = |folder: &str, mode: &str| -> Vec<(String, String)> {
        let text = std::fs::read_to_string(out.join(folder).join(mode).join("labels.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let (file, actor) = (
            header.iter().position(|h| *h == "file").unwrap(),
            header.iter().position(|h| *h == "actor").unwrap(),
        );
        lines
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                (cells[file].to_string(), cells[actor].to_string())
            })
            .collect()
    };
    for (mode, test_clips, train_clips) in [("catalog", 30, 63), ("own", 61, 127)] {
        let test = rows("hdm05-dg", mode);
        let train = rows("hdm05-not-dg", mode);
        assert!(test.iter().all(|(_, a)| a == "dg"), "{mode}");
        assert!(train.iter().all(|(_, a)| a == "bd" || a == "bk"), "{mode}");
        assert_eq!(
            (test.len(), train.len()),
            (test_clips, train_clips),
            "{mode}"
        );
        let mut both: Vec<_> = test.into_iter().chain(train).collect();
        let mut all = rows("hdm05", mode);
        both.sort();
        all.sort();
        assert_eq!(both, all, "{mode}");
    }
    // The held-out actor's own-mode catalogue is the set's.
    assert_eq!(
        std::fs::read(out.join("hdm05-dg/own/catalog.json")).unwrap(),
        std::fs::read(out.join("hdm05/own/catalog.json")).unwrap()
    );
}

/// `--extra-data`: HDM05's catalogue clips join a synthetic training set as training samples
/// (none held out: the held-out part stays synthetic), with the generator's sensor noise.
#[test]
fn extra_motion_capture_joins_synthetic_training_data() {
    let Some(out) = real_sets() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let synth = tmp.path().join("synth");
    let made = scale(&[
        "synth",
        "--out",
        synth.to_str().unwrap(),
        "--per-class",
        "5",
        "--seed",
        "3",
    ]);
    assert!(made.status.success());
    let extra = out.join("hdm05/catalog");
    let plain = scale::train::data::Dataset::load(&synth).unwrap();
    let data = scale::train::data::Dataset::load_training(&synth, Some(&extra), 1).unwrap();
    assert_eq!(data.kind, scale::train::data::DataKind::Synthetic);
    assert_eq!(data.samples.len(), plain.samples.len() + 93);
    let added: Vec<_> = data.samples.iter().filter(|s| s.id.setup == 2).collect();
    assert_eq!(added.len(), 93);
    assert!(added.iter().all(|s| data.is_train(s)), "none held out");
    let held =
        |d: &scale::train::data::Dataset| d.samples.iter().filter(|s| !d.is_train(s)).count();
    assert_eq!(
        held(&data),
        held(&plain),
        "the held-out part stays synthetic"
    );
    let mut ids: Vec<_> = data.samples.iter().map(|s| s.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), data.samples.len(), "sample ids stay unique");
    // The same clips as read for evaluation, plus the sensor model's noise.
    let clean = scale::train::data::Dataset::load(&extra).unwrap();
    let joint = |s: &scale::train::data::Sample| s.tracks[0].iter().flatten().next().unwrap()[0];
    let moved = added
        .iter()
        .zip(&clean.samples)
        .filter(|(a, c)| a.frames == c.frames && joint(a) != joint(c))
        .count();
    assert!(moved > 80, "{moved} of 93 clips carry sensor noise");
    // Three copies: each clip three times, the first as with one copy, the others under other
    // noise; ids stay unique and nothing of them is held out.
    let three = scale::train::data::Dataset::load_training(&synth, Some(&extra), 3).unwrap();
    let copies: Vec<_> = three.samples.iter().filter(|s| s.id.setup == 2).collect();
    assert_eq!(copies.len(), 3 * 93);
    assert!(copies.iter().all(|s| three.is_train(s)));
    let mut ids: Vec<_> = three.samples.iter().map(|s| s.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), three.samples.len(), "sample ids stay unique");
    assert_eq!(held(&three), held(&plain));
    for (i, a) in added.iter().enumerate() {
        let (first, second) = (copies[i], copies[93 + i]);
        assert_eq!(first.tracks, a.tracks, "copy 0 of clip {i}");
        assert_eq!(second.frames, a.frames);
        assert_ne!(
            second.tracks, a.tracks,
            "copy 1 of clip {i} has its own noise"
        );
    }
    let err = scale::train::data::Dataset::load_training(&synth, Some(&extra), 0).unwrap_err();
    assert!(err.contains("0 copies"), "{err}");
}

#[test]
fn cmu_takes_are_evaluated_by_text_through_bvh() {
    let Some(out) = real_sets() else { return };
    // (b) every take, among the set's eight actions by text: BVH of a Z-up Reallusion
    // skeleton in centimetres, read and retargeted like any motion capture.
    let own = out.join("cmu/own");
    let v = eval(&own, &own.join("catalog.json"), &[]);
    assert_eq!(
        (v["clips"].as_u64(), v["classes"].as_array().unwrap().len()),
        (Some(27), 8)
    );
    assert!((v["chance_top1"].as_f64().unwrap() - 0.125).abs() < 1e-12);
    let counts = per_class_counts(&v);
    // The four kinds of walking are one label; each other description is its own.
    assert!(counts.contains(&("walk".to_string(), 17)), "{counts:?}");
    assert!(
        counts.contains(&("dribble a basketball".to_string(), 4)),
        "{counts:?}"
    );
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 27);
    // (a) only the jump is a catalogue action.
    let v = eval(
        &out.join("cmu/catalog"),
        &root().join("models/catalog.json"),
        &[],
    );
    assert_eq!(per_class_counts(&v), [("jump up".to_string(), 1)]);
}

/// The still test (`--still-below`, `docs/protocol.md` "Standing still") on real people doing
/// things: the share of their windows it calls still, through the server's window assembler
/// (64-frame windows every 4 frames), against the shares measured when its default was chosen
/// (UTKinect 0.8 %, HDM05 0.0 %, NTU 3.0 %: the quietest brushing teeth).
#[test]
fn real_actions_are_rarely_still() {
    let Some(out) = real_sets() else { return };
    let config = scale::stream::window::WindowConfig {
        window: 64,
        model_frames: 32,
        stride: 4,
        expire_after: 30,
    };
    for (set, at_most) in [("utkinect", 0.02), ("hdm05", 0.01), ("ntu", 0.05)] {
        let dir = out.join(set).join("own");
        let clips = scale::recording::labels::read(&dir).unwrap();
        let (mut windows, mut still) = (0usize, 0usize);
        for clip in &clips {
            let options = scale::recording::ReadOptions {
                asf: clip.skeleton.clone(),
                ..Default::default()
            };
            let frames = scale::recording::read(&clip.file, &options).unwrap();
            let (s, e) = clip.range.unwrap_or((0, frames.len() - 1));
            for w in scale::evaluation::windows_of(&frames[s..=e], config) {
                assert!(w.motion.is_finite() && w.motion >= 0.0, "{w:?}");
                windows += 1;
                still += usize::from(w.still);
            }
        }
        let share = still as f64 / windows as f64;
        eprintln!("{set}: {still} of {windows} windows still");
        assert!(windows > 90, "{set}: {windows} windows");
        assert!(
            share <= at_most,
            "{set}: {still} of {windows} windows still"
        );
    }
}
