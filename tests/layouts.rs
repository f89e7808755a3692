//! The webcam and ZED layouts (`mediapipe_pose`, `zed_body_34`, `zed_body_38`) against the
//! Kinect v2 body they were made from: the mapping puts every joint where it belongs (copied
//! joints exactly, placed ones within centimetres), keeps left and right, and the server's
//! per-frame step labels the frames as it labels the Kinect ones.

mod common;

use scale::protocol::{Layout, SkeletonFrame};
use scale::skeleton::joints::{Joint, Joints};
use scale::skeleton::mediapipe::NUM_MEDIAPIPE_LANDMARKS;
use scale::skeleton::rules::Source;
use scale::skeleton::rules::from_camera_axes;
use scale::skeleton::zed::{KINECT_FROM_ZED34, NUM_ZED34_JOINTS, NUM_ZED38_JOINTS};

/// A synthetic recording of `name` (performer 9, camera 2: held out in training), Kinect v2,
/// without tracking states.
fn kinect(name: &str, seed: u64) -> Vec<SkeletonFrame> {
    let mut frames = common::synthetic_recording(name, 9, 2, seed);
    for b in frames.iter_mut().flat_map(|f| f.bodies.iter_mut()) {
        b.tracking = None;
    }
    frames
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn add(a: [f32; 3], b: [f32; 3], s: f32) -> [f32; 3] {
    [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]]
}

fn dist(a: [f32; 3], b: [f32; 3]) -> f32 {
    let d = sub(a, b);
    (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
}

fn unit(a: [f32; 3]) -> [f32; 3] {
    let n = dist(a, [0.0; 3]).max(1e-9);
    [a[0] / n, a[1] / n, a[2] / n]
}

/// MediaPipe Pose world landmarks of a Kinect body, as MediaPipe would report them: image axes,
/// origin between the hips. Ears 7 cm to each side of the head, knuckles 2 cm to each side of
/// the hand, heels behind the ankles, the face in front of the head.
fn mediapipe_of(j: &Joints) -> Vec<[f32; 3]> {
    use Joint::*;
    let p = |x: Joint| j[x.index()];
    let right = unit(sub(p(ShoulderRight), p(ShoulderLeft)));
    let up = unit(sub(p(SpineShoulder), p(SpineBase)));
    let forward = [
        up[1] * right[2] - up[2] * right[1],
        up[2] * right[0] - up[0] * right[2],
        up[0] * right[1] - up[1] * right[0],
    ];
    let head = p(Head);
    let face = add(head, forward, 0.09);
    let mut m = vec![[0.0f32; 3]; NUM_MEDIAPIPE_LANDMARKS];
    m[0] = face;
    for (i, eye) in m.iter_mut().enumerate().take(7).skip(1) {
        *eye = add(
            add(face, up, 0.03),
            right,
            if i <= 3 { -0.03 } else { 0.03 },
        );
    }
    m[7] = add(head, right, -0.07);
    m[8] = add(head, right, 0.07);
    m[9] = add(add(face, up, -0.05), right, -0.02);
    m[10] = add(add(face, up, -0.05), right, 0.02);
    for (i, x) in [
        (11, ShoulderLeft),
        (12, ShoulderRight),
        (13, ElbowLeft),
        (14, ElbowRight),
        (15, WristLeft),
        (16, WristRight),
        (21, ThumbLeft),
        (22, ThumbRight),
        (23, HipLeft),
        (24, HipRight),
        (25, KneeLeft),
        (26, KneeRight),
        (27, AnkleLeft),
        (28, AnkleRight),
        (31, FootLeft),
        (32, FootRight),
    ] {
        m[i] = p(x);
    }
    // Pinky and index knuckles either side of the hand.
    m[17] = add(p(HandLeft), right, -0.02);
    m[19] = add(p(HandLeft), right, 0.02);
    m[18] = add(p(HandRight), right, 0.02);
    m[20] = add(p(HandRight), right, -0.02);
    m[29] = add(p(AnkleLeft), forward, -0.05);
    m[30] = add(p(AnkleRight), forward, -0.05);
    // MediaPipe's axes and origin.
    let hips = add(p(HipLeft), sub(p(HipRight), p(HipLeft)), 0.5);
    m.iter().map(|&q| from_camera_axes(sub(q, hips))).collect()
}

/// The body as ZED `BODY_34` keypoints (`IMAGE` axes, metres): the Azure order; joints the
/// mapping does not read sit at the neck.
fn zed34_of(j: &Joints) -> Vec<[f32; 3]> {
    let mut z = vec![from_camera_axes(j[Joint::Neck.index()]); NUM_ZED34_JOINTS];
    for (k, rule) in KINECT_FROM_ZED34.iter().enumerate() {
        let Source::Copy(i) = *rule else { panic!() };
        z[i] = from_camera_axes(j[k]);
    }
    z
}

/// The body as ZED `BODY_38` keypoints; the points whose midpoint makes a Kinect joint both sit
/// on it (so that the labels can be compared exactly), the rest at the neck.
fn zed38_of(j: &Joints) -> Vec<[f32; 3]> {
    use scale::skeleton::zed::KINECT_FROM_ZED38;
    let mut z = vec![from_camera_axes(j[Joint::Neck.index()]); NUM_ZED38_JOINTS];
    for (k, rule) in KINECT_FROM_ZED38.iter().enumerate() {
        match *rule {
            Source::Copy(i) => z[i] = from_camera_axes(j[k]),
            Source::Mid(a, b) => {
                z[a] = from_camera_axes(j[k]);
                z[b] = from_camera_axes(j[k]);
            }
            Source::Placed => panic!("BODY_38 places nothing"),
        }
    }
    z
}

fn as_layout(
    frames: &[SkeletonFrame],
    layout: Layout,
    f: fn(&Joints) -> Vec<[f32; 3]>,
) -> Vec<SkeletonFrame> {
    frames
        .iter()
        .map(|fr| {
            let mut fr = fr.clone();
            fr.layout = layout;
            for b in &mut fr.bodies {
                b.joints = f(&b.kinect_joints(Layout::KinectV2));
                b.tracking = None;
            }
            // Through the wire format, as a bridge would send it.
            SkeletonFrame::decode(&fr.to_json()).unwrap()
        })
        .collect()
}

#[test]
fn mediapipe_landmarks_map_onto_the_body_they_came_from() {
    // A real Kinect v2 recording, so that the placed joints are checked against real ones.
    let Some(path) = common::fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let frames = scale::recording::read(&path, &scale::recording::ReadOptions::default()).unwrap();
    let mp = as_layout(&frames, Layout::MediapipePose, mediapipe_of);
    let mut errors: Vec<Vec<f32>> = vec![Vec::new(); 25];
    for (k, m) in frames.iter().zip(&mp) {
        for (tb, mb) in k.bodies.iter().zip(&m.bodies) {
            let truth = tb.kinect_joints(Layout::KinectV2);
            let got = mb.kinect_joints(Layout::MediapipePose);
            // The origin is between the hips: compare relative to the hips' midpoint.
            let hips = |j: &Joints| add(j[12], sub(j[16], j[12]), 0.5);
            let (ht, hg) = (hips(&truth), hips(&got));
            for v in 0..25 {
                errors[v].push(dist(sub(truth[v], ht), sub(got[v], hg)));
            }
        }
    }
    let stat = |v: usize| {
        let mut e = errors[v].clone();
        e.sort_by(f32::total_cmp);
        (e[e.len() / 2], e[e.len() - 1])
    };
    use Joint::*;
    // Copied and symmetric-midpoint joints: exact (up to float rounding).
    for j in [
        Head,
        ShoulderLeft,
        ElbowLeft,
        WristLeft,
        HandLeft,
        ShoulderRight,
        ElbowRight,
        WristRight,
        HandRight,
        HipLeft,
        KneeLeft,
        AnkleLeft,
        FootLeft,
        HipRight,
        KneeRight,
        AnkleRight,
        FootRight,
        ThumbLeft,
        ThumbRight,
    ] {
        assert!(stat(j.index()).1 < 1e-4, "{j:?}: {:?} m", stat(j.index()));
    }
    // Placed joints: where the sensor put them, within centimetres (median over the frames;
    // the worst frame within a hand's width).
    for (j, median, max) in [
        (SpineBase, 0.04, 0.08),
        (SpineShoulder, 0.04, 0.08),
        (SpineMid, 0.04, 0.08),
        (Neck, 0.05, 0.08),
        (HandTipLeft, 0.05, 0.12),
        (HandTipRight, 0.05, 0.12),
    ] {
        let (m, w) = stat(j.index());
        eprintln!("{j:?}: median {m:.3} m, worst {w:.3} m");
        assert!(m < median && w < max, "{j:?}: median {m} m, worst {w} m");
    }
}

#[test]
fn a_person_facing_the_camera_keeps_left_and_right() {
    // MediaPipe landmarks of someone facing the camera: their left side is on the image's
    // right (x > 0), the head above the hips (y < 0), the chest nearer the camera (z < 0).
    let mut m = [[0.0f32; 3]; NUM_MEDIAPIPE_LANDMARKS];
    let side = |name: &str| {
        if name.starts_with("left") {
            1.0
        } else if name.starts_with("right") {
            -1.0
        } else {
            0.0
        }
    };
    for (i, name) in scale::skeleton::mediapipe::MEDIAPIPE_LANDMARK_NAMES
        .iter()
        .enumerate()
    {
        let s = side(name);
        m[i] = match *name {
            n if n.contains("ear") || n.contains("eye") || n == "nose" || n.contains("mouth") => {
                [0.07 * s, -0.62, if n.contains("ear") { 0.0 } else { -0.08 }]
            }
            n if n.contains("shoulder") => [0.18 * s, -0.48, 0.0],
            n if n.contains("elbow") => [0.22 * s, -0.22, 0.0],
            n if n.contains("hip") => [0.1 * s, 0.0, 0.0],
            _ => [0.15 * s, 0.3, -0.02],
        };
    }
    let body = scale::skeleton::mediapipe::mediapipe_to_kinect(&m);
    let (l, r) = (
        body[Joint::ShoulderLeft.index()],
        body[Joint::ShoulderRight.index()],
    );
    let right = sub(r, l);
    let up = sub(body[Joint::Head.index()], body[Joint::SpineBase.index()]);
    let face = up[0] * right[1] - up[1] * right[0]; // (up × right).z
    let face_z = [
        up[1] * right[2] - up[2] * right[1],
        up[2] * right[0] - up[0] * right[2],
        face,
    ][2];
    // As in NTU RGB+D's Kinect v2 recordings: the right shoulder at larger x, the face
    // towards the sensor (−z), the head up.
    assert!(right[0] > 0.0, "{right:?}");
    assert!(face_z < 0.0, "{face_z}");
    assert!(up[1] > 0.0);
}

#[test]
fn zed_bodies_give_the_labels_of_the_same_kinect_bodies() {
    let frames = kinect("clapping", 3);
    let k = common::stream_labels(&frames);
    assert!(!k.is_empty());
    for (layout, f) in [
        (Layout::ZedBody34, zed34_of as fn(&Joints) -> Vec<[f32; 3]>),
        (Layout::ZedBody38, zed38_of),
    ] {
        let z = common::stream_labels(&as_layout(&frames, layout, f));
        assert_eq!(z, k, "{layout:?}");
    }
}

#[test]
fn mediapipe_bodies_are_labelled_like_the_same_kinect_bodies() {
    let (mut same, mut total) = (0, 0);
    for (name, seed) in [("clapping", 3), ("cheer up", 4), ("kicking something", 5)] {
        let frames = kinect(name, seed);
        let k = common::stream_labels(&frames);
        let m = common::stream_labels(&as_layout(&frames, Layout::MediapipePose, mediapipe_of));
        assert_eq!(k.len(), m.len());
        for (a, b) in k.iter().zip(&m) {
            assert_eq!((a.seq_first, a.seq_last), (b.seq_first, b.seq_last));
            total += 1;
            same += usize::from(a.top[0].id == b.top[0].id);
        }
    }
    eprintln!("mediapipe vs kinect: the same top-1 in {same} of {total} windows");
    assert!(
        same * 10 >= total * 8,
        "the same top-1 in only {same} of {total} windows"
    );
}
