//! `scale record`: a live stream's frames into a `.jsonl` recording, exactly (layout, seq, time,
//! positions, tracking states), with the messages that are not frames left out and counted, and
//! the file readable by every reader that takes recordings.

mod common;

use scale::protocol::{BodyFrame, Layout, SkeletonFrame, read_jsonl};
use scale::stream::net::Shutdown;
use scale::stream::record::{RecordConfig, record};
use scale::stream::replay::Replayer;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

/// A webcam-layout frame (33 landmarks), to check that a recording keeps the layout it got.
fn mediapipe_frame(seq: u64) -> SkeletonFrame {
    SkeletonFrame {
        seq,
        t_us: seq * 33_333,
        layout: Layout::MediapipePose,
        bodies: vec![BodyFrame {
            id: 3,
            joints: (0..33)
                .map(|j| [0.01 * j as f32, -0.2 + 0.03 * j as f32, 0.05])
                .collect(),
            tracking: Some((0..33).map(|j| (j % 3) as u8).collect()),
        }],
    }
}

#[test]
fn a_stream_is_recorded_exactly_and_bad_messages_are_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("take.jsonl");
    let (mut sent, _) =
        common::one_body_stream(&[common::synthetic_recording("clapping", 9, 1, 5)]);
    sent.truncate(40);
    for (i, f) in sent.iter_mut().enumerate() {
        f.seq += 1000;
        if i % 3 == 0 {
            f.bodies[0].tracking = None;
        }
    }
    sent.push(mediapipe_frame(2000));
    let bad: Vec<Vec<u8>> = vec![
        b"{\"v\": 1, \"seq\": ".to_vec(),
        sent[1].to_binary()[..30].to_vec(),
        br#"{"v": 1, "seq": 5, "t_us": 0, "layout": "kinect_v2", "bodies": [{"id": 1, "joints": [[0, 0, 0]]}]}"#.to_vec(),
    ];
    let reasons: Vec<&str> = bad
        .iter()
        .map(|b| SkeletonFrame::decode(b).unwrap_err().kind())
        .collect();
    assert_eq!(reasons, ["bad_json", "truncated", "wrong_joint_count"]);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let shutdown = Shutdown::new();
    let (summary, probes) = rt.block_on(async {
        let mut publisher = Replayer::bind("tcp://127.0.0.1:0").await.unwrap();
        let config = RecordConfig {
            frames: publisher.endpoint.clone(),
            bind: false,
            count: None,
            duration: None,
            log: false,
        };
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let recorder = record(&config, &shutdown, &mut file);
        let sender = async {
            // Body-less probes until the recorder gets them (its subscription has arrived).
            let t = Instant::now();
            let mut probes = 0u64;
            while lines(&path) == 0 {
                assert!(
                    t.elapsed() < Duration::from_secs(30),
                    "the recorder never got a frame"
                );
                probes += 1;
                let probe = SkeletonFrame {
                    seq: probes,
                    t_us: 0,
                    layout: Layout::KinectV2,
                    bodies: vec![],
                };
                publisher.send_raw(&probe.to_json()).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            for (i, f) in sent.iter().enumerate() {
                let payload = if i % 2 == 0 {
                    f.to_json()
                } else {
                    f.to_binary()
                };
                publisher.send_raw(&payload).await;
                if let Some(b) = bad.get(i / 10).filter(|_| i % 10 == 5) {
                    publisher.send_raw(b).await;
                }
            }
            let probes_recorded = lines(&path);
            while lines(&path) < probes_recorded + sent.len() {
                assert!(t.elapsed() < Duration::from_secs(60), "frames went missing");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            shutdown.stop();
            probes_recorded
        };
        let (summary, probes) = tokio::join!(recorder, sender);
        (summary.unwrap(), probes)
    });

    let recorded = read_jsonl(&path).unwrap();
    assert_eq!(recorded.len(), probes + sent.len());
    assert!(recorded[..probes].iter().all(|f| f.bodies.is_empty()));
    assert_eq!(recorded[probes..], sent[..], "frames recorded exactly");
    assert_eq!(summary.frames, recorded.len() as u64);
    assert_eq!(summary.frames_with_bodies, sent.len() as u64);
    assert_eq!(summary.bodies_max, 1);
    assert_eq!(
        summary.dropped,
        [("bad_json", 1), ("wrong_joint_count", 1), ("truncated", 1)]
    );
    assert_eq!(summary.bridge_restarts, 0);
}

#[test]
fn scale_record_takes_what_scale_replay_sends() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source.jsonl");
    let frames = common::synthetic_recording("drink water", 9, 1, 7);
    let text: Vec<u8> = frames
        .iter()
        .flat_map(|f| [f.to_json(), b"\n".to_vec()].concat())
        .collect();
    std::fs::write(&source, text).unwrap();
    let endpoint = common::free_endpoint();
    let out = tmp.path().join("take.jsonl");
    let mut replay = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args([
            "replay", "--loop", "--speed", "4", "--format", "binary", "--to", &endpoint,
        ])
        .arg(&source)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let recorded = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["record", "--frames", &endpoint, "--count", "60"])
        .arg(&out)
        .output()
        .unwrap();
    let _ = replay.kill();
    let _ = replay.wait();
    let stderr = String::from_utf8_lossy(&recorded.stderr);
    assert!(recorded.status.success(), "{stderr}");
    assert!(
        stderr.contains("scale record: 60 frames (") && stderr.contains("left out: none"),
        "{stderr}"
    );
    let got = read_jsonl(&out).unwrap();
    assert_eq!(got.len(), 60);
    assert!(got.windows(2).all(|w| w[0].seq < w[1].seq));
    let with_bodies: Vec<&SkeletonFrame> = got.iter().filter(|f| !f.bodies.is_empty()).collect();
    assert!(
        with_bodies.len() >= 30,
        "{} frames with bodies",
        with_bodies.len()
    );
    // Replay renumbers seq and restamps time; the bodies arrive exactly, in order.
    let start = frames
        .iter()
        .position(|f| f.bodies == with_bodies[0].bodies)
        .expect("a recorded body is one the recording has");
    for (k, f) in with_bodies.iter().enumerate() {
        let want = &frames[(start + k) % frames.len()];
        assert!(
            f.bodies == want.bodies,
            "recorded frame {k} is not the recording's next"
        );
        assert_eq!(f.layout, Layout::KinectV2);
    }

    // The recording reads back like any other.
    let inspect = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["inspect", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(inspect.status.success());
    let report: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(report["frames"], 60, "{report}");
}

#[test]
fn scale_record_refuses_what_it_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, want) in [
        (tmp.path().join("take.txt"), "name it `.jsonl`"),
        (tmp.path().join("missing/take.jsonl"), "cannot create"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_scale"))
            .args(["record", "--count", "1"])
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains(&*file.to_string_lossy()) && stderr.contains(want),
            "{stderr}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["record", "--seconds", "0", "x.jsonl"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seconds must be a positive"));
}
