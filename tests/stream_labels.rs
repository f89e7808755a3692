//! A synthetic recording streamed frame by frame through the window assembler and the label
//! engine with the bundled model gives label messages with the documented fields.

mod common;

use scale::catalog::Catalog;
use scale::protocol::LabelMessage;
use scale::runtime::SessionOptions;
use scale::stream::engine::{LabelEngine, WindowTiming};
use scale::stream::window::{WindowAssembler, WindowConfig};
use scale::synth::{self, SampleSpec};
use std::time::Instant;

#[test]
fn a_streamed_recording_gives_well_formed_labels() {
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default");
    let mut engine = LabelEngine::load(&model, SessionOptions::default(), 5).unwrap();
    let catalog = Catalog::builtin();
    let class = catalog
        .classes
        .iter()
        .find(|c| c.name == "hand waving")
        .unwrap();
    let seq = synth::generate(
        class,
        &SampleSpec {
            class_id: class.id,
            subject: 9,
            camera: 2,
            replication: 1,
        },
        77,
    )
    .unwrap();
    let frames = seq.to_frames(1_700_000_000_000_000, 30.0);
    let mut asm = WindowAssembler::new(WindowConfig {
        window: engine.model_frames(),
        model_frames: engine.model_frames(),
        stride: 8,
        expire_after: 30,
    });
    let mut labels: Vec<LabelMessage> = Vec::new();
    for f in &frames {
        let arrived = Instant::now();
        if let Some(info) = asm.push(f).unwrap() {
            let normalise_us = arrived.elapsed().as_micros() as u32;
            labels.push(
                engine
                    .label(
                        &info,
                        asm.data(),
                        WindowTiming {
                            arrived,
                            normalise_us,
                        },
                    )
                    .unwrap(),
            );
        }
    }
    let expected = (frames.len() - engine.model_frames()) / 8 + 1;
    assert_eq!(labels.len(), expected);
    let id = frames[0].bodies[0].id;
    for m in &labels {
        assert_eq!((m.v, m.bodies.as_slice()), (1, [id].as_slice()));
        assert_eq!(m.seq_last - m.seq_first + 1, engine.model_frames() as u64);
        assert_eq!(m.top.len(), 5);
        // Ranked by calibrated energy, so scores fall; the reported energies are raw.
        assert!(m.top.windows(2).all(|w| w[0].score >= w[1].score));
        assert!((0.0..1.0).contains(&m.top.iter().map(|r| r.score).sum::<f32>()));
        assert!(m.top.iter().all(|r| (0.0..=1.0).contains(&r.score)
            && catalog.by_id(r.id).is_some_and(|c| c.name == r.name)));
        let l = m.latency_us;
        assert!(l.total >= l.encoder + l.energy_head && l.encoder > 0);
        // The message round-trips through its JSON form.
        assert_eq!(&LabelMessage::from_json(&m.to_json()).unwrap(), m);
    }
    let top1_waving = labels
        .iter()
        .filter(|m| m.top[0].name == "hand waving")
        .count();
    eprintln!(
        "{} windows, top-1 'hand waving' in {top1_waving}",
        labels.len()
    );
}

/// The same recording sent as Azure Kinect bodies (32 joints, reduced to the 25 at the edge)
/// gives exactly the labels it gives as Kinect v2 bodies; two bodies fill both M slots.
#[test]
fn azure_kinect_bodies_give_the_labels_of_the_same_kinect_bodies() {
    use scale::protocol::Layout;
    use scale::skeleton::azure::{KINECT_FROM_AZURE, NUM_AZURE_JOINTS};

    let catalog = Catalog::builtin();
    let class = catalog
        .classes
        .iter()
        .find(|c| c.bodies == 2 && c.motion.is_some())
        .unwrap();
    let spec = SampleSpec {
        class_id: class.id,
        subject: 4,
        camera: 1,
        replication: 2,
    };
    // Azure frames carry no tracking states; neither do these.
    let mut kinect = synth::generate(class, &spec, 11)
        .unwrap()
        .to_frames(0, 30.0);
    for b in kinect.iter_mut().flat_map(|f| f.bodies.iter_mut()) {
        b.tracking = None;
    }
    let azure: Vec<_> = kinect
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.layout = Layout::AzureKinect;
            for b in &mut f.bodies {
                // Joints the mapping does not read (clavicles, face) get the neck's position.
                let mut joints = vec![b.joints[2]; NUM_AZURE_JOINTS];
                for (k, &a) in KINECT_FROM_AZURE.iter().enumerate() {
                    joints[a] = b.joints[k];
                }
                b.joints = joints;
                b.tracking = None;
            }
            f
        })
        .collect();
    let (a, k) = (
        common::stream_labels(&azure),
        common::stream_labels(&kinect),
    );
    assert!(!k.is_empty());
    assert_eq!(a, k);
    assert!(
        k.iter().all(|m| m.bodies.len() == 2),
        "both bodies in every window"
    );
}

/// Four people in view: every stride gives two windows, the two people standing together in
/// each, and each pair is labelled exactly as it is when alone in view.
#[test]
fn four_people_in_view_are_all_labelled_in_pairs() {
    let names = ["clapping", "cheer up", "drink water", "hand waving"];
    // Bodies 1 and 2 stand together on the left, 3 and 4 on the right.
    let dx = [-2.0f32, -1.4, 1.4, 2.0];
    let parts: Vec<Vec<scale::protocol::SkeletonFrame>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| common::synthetic_recording(n, 9, 1, 300 + i as u64))
        .collect();
    let len = parts.iter().map(Vec::len).min().unwrap();
    let together = |which: &[usize]| -> Vec<scale::protocol::SkeletonFrame> {
        (0..len)
            .map(|t| {
                let mut f = parts[0][t].clone();
                f.bodies = which
                    .iter()
                    .map(|&i| {
                        let mut b = parts[i][t].bodies[0].clone();
                        b.id = i as u64 + 1;
                        b.joints.iter_mut().for_each(|j| j[0] += dx[i]);
                        b
                    })
                    .collect();
                f
            })
            .collect()
    };
    // (bodies, top-5 class ids) of every window, stride by stride.
    let run = |frames: &[scale::protocol::SkeletonFrame]| -> Vec<Vec<(Vec<u64>, Vec<u32>)>> {
        let mut core = common::stream_core();
        let mut out = Vec::new();
        let mut strides = Vec::new();
        for f in frames {
            let mut windows = Vec::new();
            let mut next = core.on_frame(f, Instant::now(), &mut out).unwrap();
            while next.is_some() {
                let m = LabelMessage::from_json(&out).unwrap();
                let mut bodies = m.bodies.clone();
                bodies.sort_unstable();
                windows.push((bodies, m.top.iter().map(|c| c.id).collect()));
                next = core.next_window(Instant::now(), &mut out).unwrap();
            }
            if !windows.is_empty() {
                windows.sort();
                strides.push(windows);
            }
        }
        strides
    };
    let all = run(&together(&[0, 1, 2, 3]));
    let left = run(&together(&[0, 1]));
    let right = run(&together(&[2, 3]));
    assert_eq!(all.len(), (len - 64) / 4 + 1);
    assert_eq!(all.len(), left.len());
    for ((a, l), r) in all.iter().zip(&left).zip(&right) {
        assert_eq!(a.len(), 2, "two windows per stride");
        assert_eq!(a[0].0, [1, 2]);
        assert_eq!(a[1].0, [3, 4]);
        assert_eq!(a[0], l[0], "the left pair as when alone");
        assert_eq!(a[1], r[0], "the right pair as when alone");
    }
}
