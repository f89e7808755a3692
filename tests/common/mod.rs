//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// Path of a file under `../shared/fixtures/`. When it is absent the test is skipped (returns
/// `None`), unless `SCALE_REQUIRE_FIXTURES=1` (as in CI), where a missing fixture fails the test.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("SCALE_REQUIRE_FIXTURES").is_ok_and(|v| v == "1") {
        panic!(
            "fixture {} is missing and SCALE_REQUIRE_FIXTURES=1",
            path.display()
        );
    }
    eprintln!("skipping: fixture {} not found", path.display());
    None
}

/// Frames of one synthetic recording of the built-in catalogue's class `name` by performer
/// `subject` from camera `camera` (performer 9 and cameras 1 and 2 are held out in the bundled
/// model's training), at 30 fps, seq from 1.
pub fn synthetic_recording(
    name: &str,
    subject: u16,
    camera: u16,
    seed: u64,
) -> Vec<scale::protocol::SkeletonFrame> {
    let catalog = scale::catalog::Catalog::builtin();
    let class = catalog.by_name(name).unwrap();
    let spec = scale::synth::SampleSpec {
        class_id: class.id,
        subject,
        camera,
        replication: 1,
    };
    scale::synth::generate(class, &spec, seed)
        .unwrap()
        .to_frames(0, 30.0)
}

/// One body's stream: the parts back to back, renumbered (seq from 1, 30 fps, body 7), and
/// each part's (first, last) seq.
pub fn one_body_stream(
    parts: &[Vec<scale::protocol::SkeletonFrame>],
) -> (Vec<scale::protocol::SkeletonFrame>, Vec<(u64, u64)>) {
    let mut out: Vec<scale::protocol::SkeletonFrame> = Vec::new();
    let mut ranges = Vec::new();
    for part in parts {
        let first = out.len() as u64 + 1;
        for f in part {
            let mut f = f.clone();
            f.seq = out.len() as u64 + 1;
            f.t_us = f.seq * 33_333;
            for b in &mut f.bodies {
                b.id = 7;
            }
            out.push(f);
        }
        ranges.push((first, out.len() as u64));
    }
    (out, ranges)
}

/// A TCP endpoint on a loopback port that was free a moment ago.
pub fn free_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("tcp://127.0.0.1:{}", l.local_addr().unwrap().port())
}

/// The two actions the event tests stream, one after the other, by performer 9 (camera 1,
/// replication 1, generator seed 1000): classes the bundled model scores above
/// `--event-enter` on those recordings, so that each gives an event (most classes score
/// lower: `docs/protocol.md`, "Events"; `cargo run --release --example event_scores` lists
/// which classes give events with a model).
pub const EVENT_ACTIONS: [&str; 2] = ["cheer up", "raise both arms sideways"];

/// (start or end, class name) of each event, in order.
pub fn event_names(
    events: &[scale::protocol::EventMessage],
) -> Vec<(scale::protocol::EventKind, &str)> {
    events
        .iter()
        .map(|e| (e.event, e.class.name.as_str()))
        .collect()
}

/// A small deterministic PRNG (xorshift64*) for fuzzing and synthetic data in tests.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A Python that can `import` `modules` (`SCALE_PYTHON`, else `python3`). Without one the test
/// is skipped (`None`), unless the environment variable `require` is `1` (as in CI), where it
/// fails instead.
pub fn python_with(modules: &str, require: &str) -> Option<String> {
    let p = std::env::var("SCALE_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&p)
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(p);
    }
    if std::env::var(require).is_ok_and(|v| v == "1") {
        panic!("{p} cannot import {modules}, and {require}=1");
    }
    eprintln!("skipping: no Python with {modules} (set SCALE_PYTHON)");
    None
}

/// The server's per-frame step with the bundled model: 64-frame windows every 4 frames.
pub fn stream_core() -> scale::stream::server::Core {
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default");
    let engine = scale::stream::engine::LabelEngine::load(
        &model,
        scale::runtime::SessionOptions::default(),
        5,
    )
    .expect("the bundled model loads");
    let t = engine.model_frames();
    scale::stream::server::Core::new(
        engine,
        scale::stream::window::WindowConfig {
            window: 64,
            model_frames: t,
            stride: 4,
            expire_after: 30,
        },
        std::sync::Arc::new(scale::stream::stats::Counters::default()),
    )
}

/// The labels the per-frame step gives on `frames`, latencies zeroed.
pub fn stream_labels(
    frames: &[scale::protocol::SkeletonFrame],
) -> Vec<scale::protocol::LabelMessage> {
    let mut core = stream_core();
    let mut out = Vec::new();
    let mut labels = Vec::new();
    for f in frames {
        if core
            .on_frame(f, std::time::Instant::now(), &mut out)
            .expect("inference runs")
            .is_some()
        {
            let mut m = scale::protocol::LabelMessage::from_json(&out).expect("a label");
            m.latency_us = Default::default();
            labels.push(m);
        }
    }
    labels
}

/// Asserts that a command succeeded (showing its stderr if not) and returns its stdout.
pub fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON object on the last line of a successful command's stdout.
pub fn last_json_line(out: &std::process::Output) -> serde_json::Value {
    let text = stdout_of(out);
    let last = text.lines().last().expect("some output");
    serde_json::from_str(last).expect("the last line is JSON")
}

/// Inputs per fuzz test: `SCALE_FUZZ_INPUTS` (the long mode, e.g. 10,000,000), else 30,000.
pub fn fuzz_inputs() -> usize {
    std::env::var("SCALE_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000)
}

/// One seeded mutation of `base` for the fuzzers: 1–4 edits, each a byte flip, a truncation, a
/// deletion, an inserted token, a duplicated chunk, a whole token replaced (`replace_weight`
/// of the `5 + replace_weight` kinds), or a digit/separator written over a byte.
pub fn mutate(rng: &mut Rng, base: &[u8], tokens: &[&str], replace_weight: usize) -> Vec<u8> {
    let kinds = 6 + replace_weight;
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        if v.is_empty() {
            v.push(b'1');
        }
        let at = rng.below(v.len());
        match rng.below(kinds) {
            0 => v[at] = rng.next() as u8,
            1 => {
                v.truncate(at);
            }
            2 => {
                let end = (at + 1 + rng.below(40)).min(v.len());
                v.drain(at..end);
            }
            3 => {
                let tok = tokens[rng.below(tokens.len())];
                v.splice(at..at, tok.bytes());
            }
            4 => {
                let end = (at + 1 + rng.below(200)).min(v.len());
                let chunk = v[at..end].to_vec();
                v.splice(at..at, chunk);
            }
            k if k < kinds - 1 => {
                // Replace a whole whitespace-delimited token.
                let start = v[..at]
                    .iter()
                    .rposition(|b| b.is_ascii_whitespace())
                    .map_or(0, |p| p + 1);
                let end = v[at..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .map_or(v.len(), |p| at + p);
                let tok = tokens[rng.below(tokens.len())];
                v.splice(start..end, tok.bytes());
            }
            _ => v[at] = b"0123456789 .-\r\n"[rng.below(15)],
        }
    }
    v
}

/// The bundled model folder.
pub fn bundled_model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default")
}

/// A copy of the bundled model's sealed files and its manifest, in a temporary folder.
pub fn copy_of_bundled_model() -> tempfile::TempDir {
    use scale::model::folder;
    let tmp = tempfile::tempdir().unwrap();
    for name in folder::SEALED.iter().chain([&folder::MANIFEST]) {
        std::fs::copy(bundled_model().join(name), tmp.path().join(name)).unwrap();
    }
    tmp
}
