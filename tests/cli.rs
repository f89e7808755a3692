//! The `scale` binary as a user runs it.

mod common;

use common::fixture;
use std::process::Command;

fn scale(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(args)
        .output()
        .expect("run scale")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&common::stdout_of(out)).expect("stdout is JSON")
}

#[test]
fn inspect_reports_frames_and_lf_copy_reads_the_same() {
    let Some(path) = fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let v = json(&scale(&["inspect", "--json", path.to_str().unwrap()]));
    assert_eq!(v["frames"], 103);
    assert_eq!(v["bodies_per_frame"]["1"], 103);
    assert_eq!(v["action"], "A1 drink water");
    // A Kinect v2 skeleton is smaller than the generator's adults (0.23–0.28 m).
    let size = v["body_size_m"].as_f64().unwrap();
    assert!((0.200..0.210).contains(&size), "{size}");

    let dir = tempfile::tempdir().unwrap();
    let lf = dir.path().join("S001C001P001R001A001.skeleton");
    std::fs::write(
        &lf,
        std::fs::read_to_string(&path)
            .unwrap()
            .replace("\r\n", "\n"),
    )
    .unwrap();
    let mut w = json(&scale(&["inspect", "--json", lf.to_str().unwrap()]));
    w["file"] = v["file"].clone();
    assert_eq!(v, w);
}

#[test]
fn inspect_of_a_truncated_copy_fails_naming_the_line() {
    let Some(path) = fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let cut: String = text.split_inclusive('\n').take(500).collect();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.skeleton");
    std::fs::write(&p, cut).unwrap();
    let out = scale(&["inspect", p.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut.skeleton:500:") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn convert_round_trips_every_joint_exactly() {
    let Some(path) = fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("a.jsonl");
    let back = dir.path().join("back.skeleton");
    assert!(
        scale(&["convert", path.to_str().unwrap(), jsonl.to_str().unwrap()])
            .status
            .success()
    );
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(lines.lines().count(), 103);
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(
        (
            first["v"].as_u64(),
            first["seq"].as_u64(),
            first["layout"].as_str()
        ),
        (Some(1), Some(1), Some("kinect_v2"))
    );
    assert!(
        scale(&["convert", jsonl.to_str().unwrap(), back.to_str().unwrap()])
            .status
            .success()
    );

    let a = scale::ntu::NtuSequence::read(&path).unwrap();
    let b = scale::ntu::NtuSequence::read(&back).unwrap();
    assert_eq!(a.frames.len(), b.frames.len());
    for (fa, fb) in a.frames.iter().zip(&b.frames) {
        assert_eq!(fa.bodies.len(), fb.bodies.len());
        for (ba, bb) in fa.bodies.iter().zip(&fb.bodies) {
            assert_eq!(ba.body_id, bb.body_id);
            for (ja, jb) in ba.joints.iter().zip(&bb.joints) {
                assert_eq!(ja.position, jb.position);
                assert_eq!(ja.tracking_state, jb.tracking_state);
            }
        }
    }
}

#[test]
fn convert_names_the_bad_line_of_a_jsonl_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.jsonl");
    std::fs::write(&p, "{\"v\":1,\"seq\":1,\"t_us\":0,\"layout\":\"kinect_v2\",\"bodies\":[]}\n\n{\"v\":1,\"seq\":2\n").unwrap();
    let out = scale(&[
        "convert",
        p.to_str().unwrap(),
        dir.path().join("o.skeleton").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:3:"), "{err}");
}

#[test]
fn doctor_reports_the_runtime() {
    let v = json(&scale(&["doctor", "--json"]));
    assert_eq!(v["onnxruntime_version"], "1.32.0");
    assert!(
        v["execution_providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "CPUExecutionProvider")
    );
}

#[test]
fn synth_twice_gives_identical_files_and_previews_are_pngs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        let out = scale(&[
            "synth",
            "--out",
            d.path().to_str().unwrap(),
            "--per-class",
            "2",
            "--seed",
            "7",
            "--classes",
            "1,hand waving,28",
        ]);
        common::stdout_of(&out);
    }
    let mut names: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");
    for n in &names {
        assert_eq!(
            std::fs::read(a.path().join(n)).unwrap(),
            std::fs::read(b.path().join(n)).unwrap(),
            "{n:?}"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        (manifest["seed"].as_u64(), manifest["samples"].as_u64()),
        (Some(7), Some(6))
    );
    // inspect knows synthetic files by their manifest.
    let v = json(&scale(&[
        "inspect",
        "--json",
        a.path()
            .join("S001C001P001R001A028.skeleton")
            .to_str()
            .unwrap(),
    ]));
    assert_eq!(v["action"], "synthetic class 28 handshaking");
    let size = v["body_size_m"].as_f64().unwrap();
    assert!((0.20..0.30).contains(&size), "{size}");
    assert_eq!(
        v["bodies_per_frame"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["2"]
    );

    let png = a.path().join("p.png");
    assert!(
        scale(&[
            "synth",
            "--preview",
            "jump up",
            "--out",
            png.to_str().unwrap()
        ])
        .status
        .success()
    );
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    let out = scale(&[
        "synth",
        "--preview",
        "moonwalk",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("no class \"moonwalk\"")
    );
}

#[test]
fn synth_of_the_extended_catalogue_carries_it_to_training_and_inspect() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap();
    let out = scale(&[
        "synth",
        "--catalog",
        "extended",
        "--out",
        dir,
        "--per-class",
        "1",
        "--classes",
        "hand waving,arm circles,kick sideways with the left leg three times",
    ]);
    common::stdout_of(&out);
    let copy = d.path().join("catalog.json");
    let catalog = scale::catalog::Catalog::load(&copy).unwrap();
    assert_eq!(
        (catalog.name.as_str(), catalog.classes.len()),
        ("extended", 100)
    );
    let circles = catalog.by_name("arm circles").unwrap().id;
    // Training reads the classes from the copy.
    let data = scale::train::data::Dataset::load(d.path()).unwrap();
    assert_eq!(data.catalog.hash, catalog.hash);
    let mut ids: Vec<u32> = data.samples.iter().map(|s| s.class_id).collect();
    ids.sort_unstable();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&circles) && ids.contains(&11), "{ids:?}");
    // inspect names the class from the copy, not from NTU's list.
    let file = d
        .path()
        .join(format!("S001C001P001R001A{circles:03}.skeleton"));
    let v = json(&scale(&["inspect", "--json", file.to_str().unwrap()]));
    assert_eq!(
        v["action"],
        format!("synthetic class {circles} arm circles")
    );
    // A copy that is not the catalogue the data was made from is refused, naming both.
    std::fs::write(&copy, include_str!("../models/catalog.json")).unwrap();
    let e = scale::train::data::Dataset::load(d.path()).unwrap_err();
    assert!(
        e.contains("catalogue extended") && e.contains("catalog.json"),
        "{e}"
    );
    // Made again from the bundled catalogue, the folder loses the stale copy.
    common::stdout_of(&scale(&[
        "synth",
        "--out",
        dir,
        "--per-class",
        "1",
        "--classes",
        "11",
    ]));
    assert!(!copy.exists());
    assert!(scale::train::data::Dataset::load(d.path()).is_ok());
}

#[test]
fn demo_runs_to_the_end_with_labels_better_than_chance() {
    let out = scale(&[
        "demo",
        "--per-class",
        "1",
        "--seen-classes",
        "2",
        "--speed",
        "6",
        "--json",
    ]);
    let v = common::last_json_line(&out);
    // The model's 5 unseen classes and 2 seen ones, one recording each.
    assert_eq!(v["recordings"], 7);
    let windows = v["windows"].as_u64().unwrap();
    assert!(windows > 30, "{windows} windows");
    // Every frame arrived and none was dropped; every window was labelled and delivered.
    let stats = &v["stats"];
    assert_eq!(stats["frames_in"], v["frames_sent"]);
    assert_eq!(stats["frames_accepted"], v["frames_sent"]);
    assert_eq!(stats["labels_dropped"], 0);
    assert_eq!(stats["labels"].as_u64(), Some(windows));
    // 40 candidate classes: chance is 0.025.
    let top1 = v["window_top1"].as_f64().unwrap();
    let top5 = v["window_top5"].as_f64().unwrap();
    assert!(top1 > 0.2 && top5 > top1, "top-1 {top1}, top-5 {top5}");
    assert!(v["latency_us"]["encoder"]["p50"].as_u64().unwrap() > 0);
}

#[test]
fn bench_json_reports_per_window_latency_and_flops() {
    let out = scale(&[
        "bench",
        "--json",
        "--windows",
        "30",
        "--loopback-seconds",
        "2",
        "--idle-windows",
        "5",
    ]);
    let v = common::last_json_line(&out);
    // One stride (4 frames at 30 fps) asleep before each of 5 windows.
    let idle = &v["after_idle"];
    assert_eq!(
        (idle["windows"].as_u64(), idle["threads"].as_u64()),
        (Some(5), Some(1))
    );
    assert!(
        (idle["idle_gap_ms"].as_f64().unwrap() - 400.0 / 3.0).abs() < 1e-6,
        "{idle}"
    );
    assert!(idle["total_us"]["p50"].as_f64().unwrap() > 0.0);
    // The bundled model has the one-body encoder: 1 thread with it, 1 thread with every window
    // through the full encoder (the comparison), 2 threads with it.
    assert_eq!(v["one_body_encoder"], true);
    let rows = v["per_window"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, (threads, one_body)) in rows.iter().zip([(1, true), (1, false), (2, true)]) {
        assert_eq!(
            (
                row["device"].as_str(),
                row["threads"].as_u64(),
                row["one_body_encoder"].as_bool()
            ),
            (Some("cpu"), Some(threads), Some(one_body))
        );
        assert_eq!(row["windows"], 30);
        let ones = row["one_body_windows"].as_u64().unwrap();
        if one_body {
            // The benchmark's first recordings are of one person.
            assert!(ones > 0, "{row}");
        } else {
            assert_eq!(ones, 0, "{row}");
        }
        assert!(row.get("idle_gap_ms").is_none(), "back to back");
        let (e, h, t) = (
            row["encoder_us"]["p50"].as_f64().unwrap(),
            row["energy_head_us"]["p50"].as_f64().unwrap(),
            row["total_us"]["p50"].as_f64().unwrap(),
        );
        assert!(e > 0.0 && h > 0.0 && t >= e);
        assert!(row["total_us"]["p99"].as_f64().unwrap() >= t);
        let gflops = row["gflops_per_s"].as_f64().unwrap();
        let (two, one) = (
            v["flops_per_window"].as_f64().unwrap(),
            v["one_body_flops_per_window"].as_f64().unwrap(),
        );
        let mean = (ones as f64 * one + (30 - ones) as f64 * two) / 30.0;
        let expect = mean / (t * 1e-6) / 1e9;
        assert!((gflops - expect).abs() < 1e-6 * expect);
    }
    // 2 × MACs of the encoder (M = 2) and of the energy head against 40 classes.
    assert_eq!(
        v["flops_per_window"].as_f64().unwrap() as u64,
        v["encoder_flops"].as_u64().unwrap() + v["energy_head_flops"].as_u64().unwrap()
    );
    assert_eq!(v["classes"], 40);
    assert!(v["frame_to_label_us"]["windows"].as_u64().unwrap() > 0);
    assert!(v["frame_to_label_us"]["p50"].as_u64().unwrap() > 0);
    // Inside a server: 1, 2 and 4 people; four people give two windows per stride.
    let servers = v["in_server"].as_array().unwrap();
    let bodies: Vec<u64> = servers
        .iter()
        .map(|r| r["bodies"].as_u64().unwrap())
        .collect();
    assert_eq!(bodies, [1, 2, 4]);
    for r in servers {
        assert!(r["windows"].as_u64().unwrap() > 0, "{r}");
        let per_stride = r["windows_per_stride"].as_f64().unwrap();
        let want = if r["bodies"] == 4 { 2.0 } else { 1.0 };
        assert!((per_stride - want).abs() < 1e-9, "{r}");
        let one_person = if r["bodies"] == 1 {
            r["windows"].as_u64()
        } else {
            Some(0)
        };
        assert_eq!(r["one_person_windows"].as_u64(), one_person, "{r}");
        let (p50, p99, max) = (
            r["total_us"]["p50"].as_u64().unwrap(),
            r["total_us"]["p99"].as_u64().unwrap(),
            r["total_us"]["max"].as_u64().unwrap(),
        );
        assert!(p50 > 0 && p50 <= p99 && p99 <= max, "{r}");
        assert!(r["encoder_us"]["p50"].as_u64().unwrap() < p50 + 1, "{r}");
        assert!(r["frame_to_label_us"]["p50"].as_u64().unwrap() > 0, "{r}");
        assert!(r["dropped"].is_u64(), "{r}");
    }
    // The same graphs in Python's onnxruntime, when there is a Python with it.
    if common::python_with("onnxruntime, numpy", "SCALE_REQUIRE_PYTHON_ORT").is_some()
        && std::env::var("SCALE_PYTHON").is_ok()
    {
        let py = &v["python_onnxruntime"];
        assert_eq!(py["windows"], 30, "{py}");
        let t = py["total_us"]["p50"].as_f64().unwrap();
        assert!(
            t > 0.0 && t >= py["encoder_us"]["p50"].as_f64().unwrap(),
            "{py}"
        );
    } else {
        assert!(v["python_onnxruntime"].is_null());
    }
}

#[test]
fn serve_refuses_bad_settings_and_missing_models_clearly() {
    let out = scale(&["serve", "--stride", "0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--stride must be at least 1"));
    let out = scale(&["serve", "--model", "/nonexistent/model"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/model"));
    let out = scale(&["serve", "--device", "gpu"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown device"));
    if !cfg!(feature = "cuda") {
        let out = scale(&["serve", "--device", "cuda"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--features cuda"));
    }
}

/// A TCP endpoint on a port that was free a moment ago.
fn endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("tcp://127.0.0.1:{}", l.local_addr().unwrap().port())
}

/// A child process killed when dropped.
struct Proc(std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The class counts of the labels a subscriber to `endpoint` receives, as they come.
fn label_sizes(
    endpoint: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (
    std::sync::Arc<std::sync::Mutex<Vec<usize>>>,
    std::thread::JoinHandle<()>,
) {
    use zeromq::{Socket, SocketRecv};
    let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = sizes.clone();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut sub = zeromq::SubSocket::new();
            sub.subscribe("labels").await.unwrap();
            sub.connect(&endpoint).await.unwrap();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let Ok(Ok(m)) =
                    tokio::time::timeout(std::time::Duration::from_millis(200), sub.recv()).await
                else {
                    continue;
                };
                let parts = m.into_vec();
                let label = scale::protocol::LabelMessage::from_json(&parts[1]).unwrap();
                out.lock().unwrap().push(label.top.len());
            }
        });
    });
    (sizes, handle)
}

/// Waits (up to 60 s) until a label with `n` classes has come after the first `after`.
fn wait_for_labels_of(sizes: &std::sync::Mutex<Vec<usize>>, after: usize, n: usize) -> usize {
    let t = std::time::Instant::now();
    loop {
        {
            let s = sizes.lock().unwrap();
            if let Some(i) = s.iter().skip(after).position(|&k| k == n) {
                return after + i;
            }
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(60),
            "no label with {n} classes"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn scale_classes_changes_the_labels_of_a_running_server() {
    let Some(rec) = fixture("ntu/S001C001P001R001A012.skeleton") else {
        return;
    };
    let (frames, labels, control) = (endpoint(), endpoint(), endpoint());
    let tmp = tempfile::tempdir().unwrap();
    let err = tmp.path().join("serve.err");
    let model = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default");
    let _server = Proc(
        Command::new(env!("CARGO_BIN_EXE_scale"))
            .args(["serve", "--frames", &frames, "--labels", &labels])
            .args(["--control", &control, "--top-k", "100"])
            .arg("--model")
            .arg(&model)
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap(),
    );
    let t = std::time::Instant::now();
    while !std::fs::read_to_string(&err).is_ok_and(|s| s.contains("Ctrl-C stops")) {
        assert!(t.elapsed().as_secs() < 60, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (sizes, subscriber) = label_sizes(labels, stop.clone());
    let _replay = Proc(
        Command::new(env!("CARGO_BIN_EXE_scale"))
            .arg("replay")
            .arg(&rec)
            .args(["--to", &frames, "--loop", "--gap", "0.2"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let classes = |args: &[&str]| {
        let mut all = vec!["classes"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--control", &control]);
        scale(&all)
    };
    let lines = |out: &std::process::Output| common::stdout_of(out).lines().count();

    // The model's 40 classes, in every label.
    assert_eq!(lines(&classes(&["list"])), 40);
    let before = wait_for_labels_of(&sizes, 0, 40);
    // Added by text while the stream runs: the next labels rank 41 classes.
    let out = classes(&[
        "add",
        "wave goodbye",
        "-d",
        "waving one hand from side to side",
    ]);
    let listed = common::stdout_of(&out);
    assert_eq!(listed.lines().count(), 41);
    assert!(
        listed.lines().last().unwrap().ends_with("wave goodbye"),
        "{listed}"
    );
    let n = sizes.lock().unwrap().len();
    let added = wait_for_labels_of(&sizes, n, 41);
    assert!(added > before);
    // A bad request fails clearly and changes nothing.
    let out = classes(&["remove", "juggling"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no class named \"juggling\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&classes(&["list"])), 41);
    // Restricted to two classes, then all again.
    assert_eq!(lines(&classes(&["allow", "clapping", "wave goodbye"])), 2);
    let n = sizes.lock().unwrap().len();
    wait_for_labels_of(&sizes, n, 2);
    let out = classes(&["allow", "--json"]);
    let reply: serde_json::Value = serde_json::from_str(&common::stdout_of(&out)).unwrap();
    assert_eq!(reply["ok"], true);
    assert_eq!(reply["classes"].as_array().unwrap().len(), 41);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    subscriber.join().unwrap();
    // Nothing without a server.
    let out = scale(&[
        "classes",
        "list",
        "--control",
        &endpoint(),
        "--timeout",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is `scale serve --control"));
}
