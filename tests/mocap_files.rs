//! The motion-capture readers against the real HDM05 (ASF/AMC) and CMU (BVH) files in
//! `../shared/fixtures/real/`, plus `find_asf` and an unknown skeleton.

mod common;

use common::fixture;
use scale::mocap::{self, MocapOptions, MocapRecording};
use scale::protocol::Layout;
use scale::skeleton::Joint;
use std::path::{Path, PathBuf};

fn j(r: &MocapRecording, f: usize, joint: Joint) -> [f32; 3] {
    r.frames[f].bodies[0].joints[joint.index()]
}

fn dist(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Shortest and longest femur (hip to knee, both sides) over every frame.
fn femur_range(r: &MocapRecording) -> (f32, f32) {
    let (mut lo, mut hi) = (f32::INFINITY, 0.0f32);
    for f in 0..r.frames.len() {
        for (hip, knee) in [
            (Joint::HipLeft, Joint::KneeLeft),
            (Joint::HipRight, Joint::KneeRight),
        ] {
            let femur = dist(j(r, f, hip), j(r, f, knee));
            lo = lo.min(femur);
            hi = hi.max(femur);
        }
    }
    (lo, hi)
}

fn lowest_foot(r: &MocapRecording) -> f32 {
    let feet = [
        Joint::AnkleLeft,
        Joint::AnkleRight,
        Joint::FootLeft,
        Joint::FootRight,
    ];
    (0..r.frames.len())
        .flat_map(|f| feet.map(|k| j(r, f, k)[1]))
        .fold(f32::INFINITY, f32::min)
}

/// The frame shape every conversion gives.
fn check_frames(r: &MocapRecording, fps: f64) {
    for (k, f) in r.frames.iter().enumerate() {
        assert_eq!(f.seq, k as u64 + 1);
        assert_eq!(f.t_us, scale::ntu::frames::frame_time_us(0, f.seq, fps));
        assert_eq!(f.layout, Layout::KinectV2);
        assert_eq!(f.bodies.len(), 1);
        assert_eq!(f.bodies[0].id, 1);
        f.validate().unwrap();
    }
}

/// Facing the sensor in the first frame: right shoulder and hip at +x of the left ones, toes
/// towards the sensor (smaller z than the ankles).
fn check_facing(r: &MocapRecording, what: &str) {
    assert!(
        j(r, 0, Joint::ShoulderRight)[0] > j(r, 0, Joint::ShoulderLeft)[0],
        "{what}: shoulders"
    );
    assert!(
        j(r, 0, Joint::HipRight)[0] > j(r, 0, Joint::HipLeft)[0],
        "{what}: hips"
    );
    let toes = j(r, 0, Joint::FootLeft)[2] + j(r, 0, Joint::FootRight)[2]
        - j(r, 0, Joint::AnkleLeft)[2]
        - j(r, 0, Joint::AnkleRight)[2];
    assert!(toes < 0.0, "{what}: toes point away from the sensor");
    assert!(
        !r.info.mirrored,
        "{what}: the CMU and HDM05 files are right-handed"
    );
}

/// `labels.csv` rows as (column name → value) maps.
fn labels(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.to_string())
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // The CMU descriptions may hold quoted commas: split outside quotes.
            let mut fields = Vec::new();
            let (mut cur, mut quoted) = (String::new(), false);
            for c in l.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            header.iter().cloned().zip(fields).collect()
        })
        .collect()
}

#[test]
fn a_hdm05_clip_reads_with_plausible_bones_facing_the_sensor() {
    let Some(amc) = fixture("real/hdm05/amc/squat1Reps/HDM_bd_squat1Reps_001_120.amc") else {
        return;
    };
    let Some(asf) = fixture("real/hdm05/asf/HDM_bd.asf") else {
        return;
    };
    let opts = MocapOptions::default();
    let r = mocap::load_amc(&amc, &asf, &opts).unwrap();
    check_frames(&r, 30.0);
    check_facing(&r, "squat");
    assert_eq!(r.info.format, "amc");
    assert_eq!(r.info.table, "asf");
    assert_eq!(r.info.up_axis, "+Y");
    assert_eq!(r.info.source_fps, 120.0);
    assert!((r.info.metres_per_unit - 0.0254 / 0.45).abs() < 1e-12);
    let (lo, hi) = femur_range(&r);
    eprintln!(
        "HDM05 squat: {} source frames → {} frames; femur {lo:.3}–{hi:.3} m; head {:.3} m above the floor; lowest foot y {:.3}; SpineBase z {:.3}",
        r.info.source_frames,
        r.frames.len(),
        r.info.head_height,
        lowest_foot(&r),
        j(&r, 0, Joint::SpineBase)[2]
    );
    assert!(lo >= 0.38 && hi <= 0.45, "femur {lo}–{hi} m");
    // 30 fps: frames ≈ seconds × 30 (seconds from the 120 Hz frame count).
    let seconds = r.info.source_frames as f64 / 120.0;
    assert!((r.frames.len() as f64 - seconds * 30.0).abs() <= 1.5);
    let low = lowest_foot(&r) + opts.sensor_height;
    assert!(
        (-0.01..0.03).contains(&low),
        "lowest foot {low} m above the floor"
    );
    let sb = j(&r, 0, Joint::SpineBase);
    assert!(
        sb[0].abs() < 1e-4 && (sb[2] - opts.distance).abs() < 1e-4,
        "{sb:?}"
    );
    assert!(
        (1.4..2.0).contains(&r.info.head_height),
        "{}",
        r.info.head_height
    );
    // Real finger bones: every joint tracked.
    assert!(
        r.frames[0].bodies[0]
            .tracking
            .as_ref()
            .unwrap()
            .iter()
            .all(|&t| t == 2)
    );
}

/// Every HDM05 clip (so every class's first clip, and all three actors): bones, frame counts,
/// floor, up axis and facing.
#[test]
fn every_hdm05_clip_reads() {
    let Some(csv) = fixture("real/hdm05/labels.csv") else {
        return;
    };
    let root = csv.parent().unwrap().to_path_buf();
    let rows = labels(&csv);
    let mut classes = std::collections::BTreeSet::new();
    let opts = MocapOptions::default();
    let (mut lo, mut hi) = (f32::INFINITY, 0.0f32);
    let (mut head_lo, mut head_hi) = (f32::INFINITY, 0.0f32);
    let (mut floor_lo, mut floor_hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for row in &rows {
        let amc = root.join(&row["file"]);
        let asf = root.join(&row["asf"]);
        let r = mocap::load_amc(&amc, &asf, &opts).unwrap_or_else(|e| panic!("{e}"));
        check_frames(&r, 30.0);
        let seconds: f64 = row["seconds"].parse().unwrap();
        let frames: usize = row["frames_120hz"].parse().unwrap();
        assert_eq!(r.info.source_frames, frames, "{}", row["file"]);
        assert!(
            (r.frames.len() as f64 - seconds * 30.0).abs() <= 1.5,
            "{}: {} frames for {seconds} s",
            row["file"],
            r.frames.len()
        );
        assert_eq!(r.info.up_axis, "+Y", "{}", row["file"]);
        // The floor is the lowest level the feet keep for 50 ms at the source's 120 Hz; at
        // 30 fps a frame may miss that instant, or catch a capture glitch below it (a 6 cm
        // one-frame dip in HDM_dg_lieDownFloor_014).
        let low = lowest_foot(&r);
        floor_lo = floor_lo.min(low);
        floor_hi = floor_hi.max(low);
        assert!(
            (-1.05..-0.97).contains(&low),
            "{}: lowest foot {low}",
            row["file"]
        );
        check_facing(&r, &row["file"]);
        let (flo, fhi) = femur_range(&r);
        lo = lo.min(flo);
        hi = hi.max(fhi);
        head_lo = head_lo.min(r.info.head_height);
        head_hi = head_hi.max(r.info.head_height);
        if classes.insert(row["label"].clone()) {
            eprintln!(
                "{}: {} → {} frames, head {:.2} m above the floor",
                row["file"],
                frames,
                r.frames.len(),
                r.info.head_height
            );
        }
    }
    eprintln!(
        "HDM05: {} clips, {} classes; femur {lo:.3}–{hi:.3} m over every frame; first-frame head {head_lo:.2}–{head_hi:.2} m; lowest foot y {floor_lo:.3}…{floor_hi:.3}",
        rows.len(),
        classes.len()
    );
    assert_eq!(classes.len(), 11);
    // Actor bd's femurs are 0.41–0.42 m (see the squat test), bk's 0.44–0.45 m, dg's calibrated
    // ones 0.37–0.38 m (6.52 and 6.69 units).
    assert!(lo >= 0.36 && hi <= 0.46, "femur {lo}–{hi} m");
    // Crouched at the start (hops, sneaking) to mid-hop.
    assert!(head_lo > 1.3 && head_hi < 2.0, "head {head_lo}–{head_hi} m");
}

#[test]
fn every_cmu_bvh_reads_upright_in_centimetres_facing_the_sensor() {
    let Some(csv) = fixture("real/cmu/labels.csv") else {
        return;
    };
    let root = csv.parent().unwrap().to_path_buf();
    let rows = labels(&csv);
    assert!(rows.len() >= 20);
    let opts = MocapOptions::default();
    for row in &rows {
        let path = root.join(&row["file"]);
        let r = mocap::load_bvh(&path, &opts).unwrap_or_else(|e| panic!("{e}"));
        check_frames(&r, 30.0);
        check_facing(&r, &row["file"]);
        assert_eq!(r.info.table, "cc_base");
        assert_eq!(r.info.unit, "centimetre", "{}", row["file"]);
        assert_eq!(r.info.source_fps.round(), 60.0);
        let frames: usize = row["frames"].parse().unwrap();
        assert_eq!(r.info.source_frames, frames);
        // Height: head to the lowest foot joint, first frame.
        let feet = [
            Joint::AnkleLeft,
            Joint::AnkleRight,
            Joint::FootLeft,
            Joint::FootRight,
        ];
        let foot = feet
            .map(|k| j(&r, 0, k)[1])
            .into_iter()
            .fold(f32::INFINITY, f32::min);
        let height = j(&r, 0, Joint::Head)[1] - foot;
        let femur = dist(j(&r, 0, Joint::HipLeft), j(&r, 0, Joint::KneeLeft));
        eprintln!(
            "{} ({}): up {} in the posed world, {} frames, head-to-foot {height:.2} m, femur {femur:.3} m",
            row["file"],
            row["description"],
            r.info.up_axis,
            r.frames.len(),
        );
        assert!((1.4..=2.0).contains(&height), "{}: {height} m", row["file"]);
        assert!(
            (0.35..=0.5).contains(&femur),
            "{}: femur {femur} m",
            row["file"]
        );
        let sb = j(&r, 0, Joint::SpineBase);
        assert!(sb[0].abs() < 1e-4 && (sb[2] - 3.0).abs() < 1e-4);
    }
}

#[test]
fn noise_is_seeded() {
    let Some(path) = fixture("real/cmu/007_01.bvh") else {
        return;
    };
    let noisy = MocapOptions {
        noise: Some(3),
        ..MocapOptions::default()
    };
    let a = mocap::read_bvh(&path, &noisy).unwrap();
    let b = mocap::read_bvh(&path, &noisy).unwrap();
    let clean = mocap::read_bvh(&path, &MocapOptions::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), clean.len());
    let mut sq = 0.0f64;
    let mut n = 0;
    for (x, y) in a.iter().zip(&clean) {
        let (p, q) = (&x.bodies[0].joints[0], &y.bodies[0].joints[0]);
        for k in 0..3 {
            sq += f64::from(p[k] - q[k]).powi(2);
            n += 1;
        }
    }
    let rms = (sq / n as f64).sqrt();
    assert!((0.004..0.012).contains(&rms), "SpineBase noise rms {rms} m");
}

#[test]
fn an_unknown_skeleton_fails_naming_the_missing_joints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("robot.bvh");
    std::fs::write(
        &path,
        "HIERARCHY\nROOT base\n{\n OFFSET 0 0 0\n CHANNELS 3 Xposition Yposition Zposition\n JOINT arm\n {\n  OFFSET 0 1 0\n  CHANNELS 1 Zrotation\n  End Site\n  {\n   OFFSET 0 1 0\n  }\n }\n}\nMOTION\nFrames: 1\nFrame Time: 0.1\n0 0 0 0\n",
    )
    .unwrap();
    let e = mocap::read_bvh(&path, &MocapOptions::default()).unwrap_err();
    assert!(e.starts_with(&path.display().to_string()), "{e}");
    for joint in Joint::ALL {
        assert!(e.contains(joint.name()), "{e} should name {}", joint.name());
    }
    assert!(e.contains("base, arm, arm_End"), "{e}");
}

#[test]
fn a_parse_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.bvh");
    std::fs::write(&path, "HIERARCHY\nROOT a\n{\n OFFSET 0 0\n}\n").unwrap();
    let e = mocap::read_bvh(&path, &MocapOptions::default()).unwrap_err();
    assert_eq!(
        e,
        format!("{}:4: OFFSET needs 3 numbers on its line", path.display())
    );
    let e = mocap::read_bvh(&dir.path().join("none.bvh"), &MocapOptions::default()).unwrap_err();
    assert!(e.contains("none.bvh"), "{e}");
}

fn touch(p: &Path) -> PathBuf {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, "").unwrap();
    p.to_path_buf()
}

#[test]
fn find_asf_cases() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One in the amc's folder.
    let amc = touch(&d.join("a/walk/01_01.amc"));
    let asf = touch(&d.join("a/walk/01.asf"));
    assert_eq!(mocap::find_asf(&amc).unwrap(), asf);
    // None there, one in the parent.
    let amc = touch(&d.join("b/walk/01_01.amc"));
    let asf = touch(&d.join("b/01.ASF"));
    assert_eq!(mocap::find_asf(&amc).unwrap(), asf);
    // Several in the amc's folder: ambiguous, even with one in the parent.
    let amc = touch(&d.join("c/walk/01_01.amc"));
    touch(&d.join("c/walk/01.asf"));
    touch(&d.join("c/walk/02.asf"));
    touch(&d.join("c/03.asf"));
    let e = mocap::find_asf(&amc).unwrap_err();
    assert!(
        e.contains("--asf FILE") && e.contains("skeleton column"),
        "{e}"
    );
    assert!(
        e.contains("01.asf") && e.contains("02.asf") && e.contains("2 .asf files"),
        "{e}"
    );
    // Several in the parent.
    let amc = touch(&d.join("e/walk/01_01.amc"));
    touch(&d.join("e/x.asf"));
    touch(&d.join("e/y.asf"));
    let e = mocap::find_asf(&amc).unwrap_err();
    assert!(e.contains("x.asf") && e.contains("y.asf"), "{e}");
    // None anywhere near (HDM05's layout: amc/<class>/ and asf/ side by side).
    let amc = touch(&d.join("f/amc/squat/x_120.amc"));
    touch(&d.join("f/asf/HDM_bd.asf"));
    let e = mocap::find_asf(&amc).unwrap_err();
    assert!(
        e.contains("no .asf skeleton found") && e.contains("--asf FILE"),
        "{e}"
    );
    assert!(e.contains("squat") && e.contains("amc"), "{e}");
}

/// NTU's frontal camera and the converted mocap share the convention: a performer facing the
/// sensor has the right shoulder at larger x, and the head nearer the sensor than the shoulder
/// line.
#[test]
fn the_facing_convention_is_ntus() {
    let (Some(ntu), Some(bvh)) = (
        fixture("ntu/S001C001P001R001A001.skeleton"),
        fixture("real/cmu/007_01.bvh"),
    ) else {
        return;
    };
    let seq = scale::ntu::NtuSequence::read(&ntu).unwrap();
    let n = &seq.frames[0].bodies[0].joints;
    let p = |j: Joint| n[j.index()].position;
    assert!(p(Joint::ShoulderRight)[0] > p(Joint::ShoulderLeft)[0]);
    assert!(p(Joint::Head)[2] < p(Joint::SpineShoulder)[2]);
    let r = mocap::load_bvh(&bvh, &MocapOptions::default()).unwrap();
    assert!(j(&r, 0, Joint::ShoulderRight)[0] > j(&r, 0, Joint::ShoulderLeft)[0]);
    assert!(j(&r, 0, Joint::Head)[2] < j(&r, 0, Joint::SpineShoulder)[2]);
    // Both stand upright in camera space: y up.
    assert!(p(Joint::Head)[1] > p(Joint::SpineBase)[1]);
    assert!(j(&r, 0, Joint::Head)[1] > j(&r, 0, Joint::SpineBase)[1]);
}
