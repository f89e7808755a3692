//! `scale bench`: per-window latency of the encoder, the energy head and the whole label step
//! at batch 1 (CPU with 1 and 2 intra-op threads, CUDA when asked), frame-to-label latency over
//! loopback ZeroMQ, and the FLOPs per window beside the achieved rate.

use super::CliResult;
use super::stream::EngineOpts;
use crate::catalog::Catalog;
use crate::model::folder::ModelInfo;
use crate::protocol::Percentiles;
use crate::runtime::{Device, SessionOptions};
use crate::stream::engine::LabelEngine;
use crate::stream::loopback;
use crate::stream::replay::{Recording, ReplayConfig};
use crate::stream::server::DEFAULT_WINDOW;
use crate::stream::stats::{nearest_rank, percentiles};
use crate::stream::window::{WindowAssembler, WindowConfig};
use crate::synth::{self, SampleSpec};
use serde::Serialize;
use std::time::Instant;

/// Flags of `scale bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Windows to time per configuration.
    #[arg(long, default_value_t = 500)]
    pub windows: usize,
    /// Seconds of recordings for the loopback measurement.
    #[arg(long, default_value_t = 10.0)]
    pub loopback_seconds: f64,
    /// Windows timed one at a time after an idle gap of one stride at 30 fps (as a server
    /// sees them), to tell the cost of idle caches from the server's own.
    #[arg(long, default_value_t = 40)]
    pub idle_windows: usize,
    /// Print only the JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineOpts,
}

/// p50 / p99 / max in microseconds (fractional).
#[derive(Clone, Copy, Debug, Serialize)]
struct Spread {
    p50: f64,
    p99: f64,
    max: f64,
}

fn spread(values: &mut [f64]) -> Spread {
    values.sort_unstable_by(f64::total_cmp);
    Spread {
        p50: nearest_rank(values, 0.5),
        p99: nearest_rank(values, 0.99),
        max: values[values.len() - 1],
    }
}

#[derive(Debug, Serialize)]
struct Row {
    device: String,
    threads: usize,
    windows: usize,
    encoder_us: Spread,
    energy_head_us: Spread,
    /// Encoder + energy head + ranking.
    total_us: Spread,
    /// Windows that went through the one-body encoder (nobody in the second slot).
    one_body_windows: usize,
    /// `false`: every window through the full two-body encoder (the comparison row).
    one_body_encoder: bool,
    /// Mean FLOPs per window (one-body windows count half the encoder's) / median total time.
    gflops_per_s: f64,
    /// Milliseconds the thread slept before each timed window (absent: back to back).
    #[serde(skip_serializing_if = "Option::is_none")]
    idle_gap_ms: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Cpu {
    model: String,
    mhz: f64,
    logical_cpus: usize,
    simd: &'static str,
    /// Single-core FP32 peak estimate: clock × FMA lanes × 2 FMA units × 2 FLOPs.
    peak_gflops_per_core: f64,
    /// What ONNX Runtime's own GEMM reaches on one core (a 1024³ MatMul, best of 10): the
    /// practical arithmetic limit for this model's kernels.
    gemm_gflops_1_thread: f64,
}

/// GFLOP/s of a 1024 × 1024 × 1024 MatMul in ONNX Runtime on one thread (best of 10 runs).
fn gemm_gflops() -> Result<f64, String> {
    use crate::onnx::{Dim, GraphBuilder};
    let n = 1024usize;
    let mut g = GraphBuilder::new("gemm");
    let a = g.input("a", &[(n as i64).into(), (n as i64).into()]);
    let data: Vec<f32> = (0..n * n).map(|i| ((i % 97) as f32) * 0.01).collect();
    let b = g.weight("b", &[n as i64, n as i64], &data);
    let c = g.node("MatMul", &[&a, &b], &[]);
    g.output(&c, "c", &[Dim::from(n as i64), Dim::from(n as i64)]);
    let mut session = crate::runtime::cpu_session(&g.to_bytes(), SessionOptions::default())
        .map_err(|e| e.to_string())?;
    let input = ort::value::Tensor::from_array(([n, n], data)).map_err(|e| e.to_string())?;
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let t = Instant::now();
        let out = session
            .run(ort::inputs![&input])
            .map_err(|e| e.to_string())?;
        std::hint::black_box(&out);
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(2.0 * (n * n * n) as f64 / best / 1e9)
}

fn cpu() -> Result<Cpu, String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let flags = field("flags").unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    let (simd, lanes) = if has("avx512f") {
        ("avx512f", 16.0)
    } else if has("avx2") && has("fma") {
        ("avx2+fma", 8.0)
    } else {
        ("sse", 4.0)
    };
    let mhz = field("cpu MHz").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    Ok(Cpu {
        model: field("model name").unwrap_or_else(|| "unknown".into()),
        mhz,
        logical_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        simd,
        peak_gflops_per_core: mhz / 1000.0 * lanes * 2.0 * 2.0,
        gemm_gflops_1_thread: gemm_gflops()?,
    })
}

/// Synthetic recordings of a few classes (one and two bodies).
fn recordings(catalog: &Catalog, n: usize) -> Result<Vec<Recording>, String> {
    catalog
        .classes
        .iter()
        .filter(|c| c.motion.is_some())
        .step_by(3)
        .take(n)
        .enumerate()
        .map(|(i, class)| {
            let spec = SampleSpec {
                class_id: class.id,
                subject: 1 + (i % 10) as u16,
                camera: 1 + (i % 3) as u16,
                replication: 1,
            };
            let seq = synth::generate(class, &spec, 900 + i as u64)
                .map_err(|e| format!("{}: {e}", class.name))?;
            let mut frames = seq.to_frames(0, 30.0);
            for f in &mut frames {
                for (k, b) in f.bodies.iter_mut().enumerate() {
                    b.id = 100 * (i as u64 + 1) + k as u64;
                }
            }
            Ok(Recording {
                name: class.name.clone(),
                frames,
            })
        })
        .collect()
}

/// `n` people in view at once: single-person recordings side by side (two by two, the two of
/// a pair 0.6 m apart and the pairs 3.4 m apart), cut to the shortest, one tracking id each.
fn people(recs: &[Recording], n: usize) -> Vec<Recording> {
    let solo: Vec<&Recording> = recs
        .iter()
        .filter(|r| r.frames.iter().all(|f| f.bodies.len() <= 1))
        .collect();
    let dx =
        |k: usize| (k / 2) as f32 * 3.4 + (k % 2) as f32 * 0.6 - 0.3 - 1.7 * (n > 2) as u8 as f32;
    solo.chunks(n)
        .filter(|c| c.len() == n)
        .map(|group| {
            let len = group.iter().map(|r| r.frames.len()).min().unwrap_or(0);
            let frames = (0..len)
                .map(|t| {
                    let mut f = group[0].frames[t].clone();
                    f.bodies = group
                        .iter()
                        .enumerate()
                        .filter_map(|(k, r)| {
                            let mut b = r.frames[t].bodies.first()?.clone();
                            b.id = k as u64 + 1;
                            b.joints.iter_mut().for_each(|j| j[0] += dx(k));
                            Some(b)
                        })
                        .collect();
                    f
                })
                .collect();
            Recording {
                name: group
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                frames,
            }
        })
        .collect()
}

/// The label step inside a running server, `bodies` people in view at 30 fps.
#[derive(Debug, Serialize)]
struct InServer {
    bodies: usize,
    /// Labels the subscriber received.
    windows: usize,
    windows_per_stride: f64,
    /// Windows of one person (the second body slot empty: the one-body encoder's, when the
    /// model has one).
    one_person_windows: usize,
    /// Frames dropped (queue full or otherwise) plus labels the server could not publish.
    dropped: u64,
    /// Last frame's arrival → label handed to the publisher (the label's `latency_us.total`).
    total_us: Percentiles,
    encoder_us: Percentiles,
    energy_head_us: Percentiles,
    /// Frame sent by the replayer → label received by the subscriber.
    frame_to_label_us: Percentiles,
}

fn in_server(
    recs: &[Recording],
    bodies: usize,
    seconds: f64,
    engine: &EngineOpts,
) -> Result<InServer, String> {
    let mut serve = engine.config("", "", 2.0)?;
    serve.stats_every = std::time::Duration::from_secs(3600);
    let mut frames_needed = (seconds.max(1.0) * 30.0) as usize;
    let mut plays = Vec::new();
    let group = people(recs, bodies);
    if group.is_empty() {
        return Err(format!(
            "no {bodies} single-person recordings to put side by side"
        ));
    }
    for r in group.iter().cycle() {
        if frames_needed == 0 {
            break;
        }
        frames_needed = frames_needed.saturating_sub(r.frames.len() + 45);
        plays.push(r.clone());
    }
    let run = loopback::run(&plays, serve, &ReplayConfig::default(), &mut |_, _| {})?;
    let pick = |f: fn(&crate::protocol::LabelMessage) -> u32| -> Percentiles {
        percentiles(&mut run.labels.iter().map(|r| f(&r.message)).collect::<Vec<_>>())
    };
    let mut f2l: Vec<u32> = run
        .labels
        .iter()
        .filter_map(|r| {
            let sent = run.sent_at(r.message.seq_last)?;
            Some(r.at.saturating_duration_since(sent.at).as_micros() as u32)
        })
        .collect();
    let strides: std::collections::BTreeSet<u64> =
        run.labels.iter().map(|r| r.message.seq_last).collect();
    let dropped = run
        .stats
        .as_ref()
        .map_or(0, |s| s.dropped_total() + s.labels_dropped);
    if run.labels.is_empty() {
        return Err(format!(
            "no label came back from the server with {bodies} bodies"
        ));
    }
    Ok(InServer {
        bodies,
        windows: run.labels.len(),
        windows_per_stride: run.labels.len() as f64 / strides.len().max(1) as f64,
        one_person_windows: run
            .labels
            .iter()
            .filter(|r| r.message.bodies.len() == 1)
            .count(),
        dropped,
        total_us: pick(|m| m.latency_us.total),
        encoder_us: pick(|m| m.latency_us.encoder),
        energy_head_us: pick(|m| m.latency_us.energy_head),
        frame_to_label_us: percentiles(&mut f2l),
    })
}

/// The same two graphs in Python's onnxruntime (`scripts/ort_bench.py`, built in), with the
/// Python of `SCALE_PYTHON`: `None` without one, or when it has no onnxruntime (said on stderr).
fn python_onnxruntime(
    model: &std::path::Path,
    windows: &[Vec<f32>],
    priors: &crate::model::cvae::ClassPriors,
    info: &ModelInfo,
) -> Result<Option<serde_json::Value>, String> {
    let Ok(python) = std::env::var("SCALE_PYTHON") else {
        return Ok(None);
    };
    let (k, hd, z) = (priors.len(), info.cvae.hidden, info.cvae.latent);
    let flat: Vec<f32> = windows.iter().flatten().copied().collect();
    let input = serde_json::json!({
        "windows": flat, "window_shape": [3, info.window, 25, 2], "count": windows.len(),
        "enc_h": priors.enc_h, "enc_h_shape": [k, hd],
        "dec_h": priors.dec_h, "dec_h_shape": [k, hd],
        "prior_mu": priors.prior_mu, "prior_mu_shape": [k, z],
        "prior_logvar": priors.prior_logvar, "prior_logvar_shape": [k, z],
    });
    let mut child = std::process::Command::new(&python)
        .args(["-c", include_str!("../../scripts/ort_bench.py")])
        .arg(model)
        .args(["-", "1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("SCALE_PYTHON={python}: cannot run: {e}"))?;
    // The windows go in on stdin, written from a thread so that a full pipe cannot stall.
    let mut stdin = child.stdin.take().expect("piped");
    let text = input.to_string();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(text.as_bytes())
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("SCALE_PYTHON={python}: {e}"))?;
    let _ = writer.join();
    if !out.status.success() {
        // A Python without onnxruntime (SCALE_PYTHON serves the pyzmq examples too): no row.
        eprintln!(
            "scale bench: no Python onnxruntime row: SCALE_PYTHON={python} failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or_default()
        );
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .map(Some)
        .map_err(|e| format!("SCALE_PYTHON={python}: not the benchmark's JSON ({e}): {last}"))
}

/// FLOPs of one window through the full encoder and through the one-body encoder.
#[derive(Clone, Copy)]
struct Flops {
    two_body: f64,
    one_body: f64,
}

/// Times `windows` on one engine after 20 warm-up windows: back to back, or with the thread
/// asleep for `gap` before each one; one-body windows through the one-body encoder when the
/// folder has one and `one_body` allows it.
fn measure(
    model: &std::path::Path,
    options: SessionOptions,
    windows: &[Vec<f32>],
    flops: Flops,
    gap: Option<std::time::Duration>,
    one_body: bool,
) -> Result<Row, String> {
    let mut engine = LabelEngine::load(model, options, 5)?;
    engine.set_one_body(one_body);
    for w in windows.iter().take(20) {
        engine.encode(w)?;
        engine.score()?;
    }
    let (mut enc, mut head, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut ones = 0;
    for w in windows {
        if let Some(gap) = gap {
            std::thread::sleep(gap);
        }
        let t0 = Instant::now();
        engine.encode(w)?;
        let t1 = Instant::now();
        ones += usize::from(engine.last_one_body());
        engine.score()?;
        let t2 = Instant::now();
        std::hint::black_box(engine.rank());
        let t3 = Instant::now();
        let us = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e6;
        enc.push(us(t0, t1));
        head.push(us(t1, t2));
        total.push(us(t0, t3));
    }
    let total = spread(&mut total);
    let n = windows.len();
    let mean_flops =
        (ones as f64 * flops.one_body + (n - ones) as f64 * flops.two_body) / n.max(1) as f64;
    Ok(Row {
        device: options.device.to_string(),
        threads: options.intra_threads,
        windows: n,
        encoder_us: spread(&mut enc),
        energy_head_us: spread(&mut head),
        total_us: total,
        one_body_windows: ones,
        one_body_encoder: engine.has_one_body() && one_body,
        gflops_per_s: mean_flops / (total.p50 * 1e-6) / 1e9,
        idle_gap_ms: gap.map(|g| g.as_secs_f64() * 1e3),
    })
}

pub fn run(args: BenchArgs) -> CliResult {
    let model = args.engine.model.clone();
    let (info, manifest) = ModelInfo::load_sealed(&model)?;
    let catalog = Catalog::builtin();
    let (priors, _) = crate::model::folder::load_priors(
        &model.join(crate::model::folder::CLASS_PRIORS),
        info.cvae.hidden,
        info.cvae.latent,
    )?;
    let k = priors.len();
    let encoder_macs = info.encoder.macs_per_window(2);
    let head_macs = info.cvae.macs_per_window(k);
    let flops = 2.0 * (encoder_macs + head_macs) as f64;
    let per_window = Flops {
        two_body: flops,
        one_body: 2.0 * (info.encoder.macs_per_window(1) + head_macs) as f64,
    };
    let has_one_body = manifest.lists(crate::model::folder::ENCODER_ONE_BODY_ONNX);

    // Real windows: synthetic recordings through the window assembler.
    let recs = recordings(&catalog, 8)?;
    let window = args.engine.window.unwrap_or(DEFAULT_WINDOW);
    let mut windows = Vec::new();
    'outer: for r in recs.iter().cycle().take(recs.len() * 50) {
        let mut asm = WindowAssembler::new(WindowConfig {
            window,
            model_frames: info.window,
            stride: args.engine.stride.max(1),
            expire_after: 30,
        })
        .with_options(info.encoder.input());
        for f in &r.frames {
            if asm.push(f).map_err(|e| format!("{e:?}"))?.is_some() {
                windows.push(asm.data().to_vec());
                if windows.len() >= args.windows.max(1) {
                    break 'outer;
                }
            }
        }
    }

    if windows.is_empty() {
        return Err(format!(
            "no window of {window} frames fits the benchmark's recordings (at most {} frames): use a smaller --window",
            recs.iter().map(|r| r.frames.len()).max().unwrap_or(0)
        )
        .into());
    }
    let mut configs = vec![
        SessionOptions {
            intra_threads: 1,
            device: Device::Cpu,
        },
        SessionOptions {
            intra_threads: 2,
            device: Device::Cpu,
        },
    ];
    // CUDA first when asked for (an error if it cannot run) or when this build can use it.
    if args.engine.device == Device::Cuda || crate::runtime::cuda_status().is_ok() {
        configs.insert(
            0,
            SessionOptions {
                intra_threads: 1,
                device: Device::Cuda,
            },
        );
    }
    let mut rows = Vec::new();
    for c in configs {
        if !args.json {
            eprintln!(
                "scale bench: {} windows on {} with {} thread(s)…",
                windows.len(),
                c.device,
                c.intra_threads
            );
        }
        rows.push(measure(&model, c, &windows, per_window, None, true)?);
        if has_one_body && c.intra_threads == 1 {
            // The same windows with every one through the full encoder: what the one-body
            // encoder saves, in the same run.
            rows.push(measure(&model, c, &windows, per_window, None, false)?);
        }
    }
    // The server's configuration, one window per stride at 30 fps with the thread asleep in
    // between: what idle caches and a sleeping core cost before the server adds anything.
    let gap = std::time::Duration::from_secs_f64(args.engine.stride.max(1) as f64 / 30.0);
    let idle = SessionOptions {
        intra_threads: args.engine.threads.max(1),
        device: args.engine.device,
    };
    let idle_windows = &windows[..args.idle_windows.clamp(1, windows.len())];
    if !args.json {
        eprintln!(
            "scale bench: {} windows on {} with {} thread(s), {:.0} ms asleep before each…",
            idle_windows.len(),
            idle.device,
            idle.intra_threads,
            gap.as_secs_f64() * 1e3
        );
    }
    let after_idle = measure(&model, idle, idle_windows, per_window, Some(gap), true)?;

    // Inside a running server over loopback ZeroMQ, at the sensor's rate: 1, 2 and 4 people.
    let mut servers = Vec::new();
    for bodies in [1, 2, 4] {
        if !args.json {
            eprintln!(
                "scale bench: in a server over loopback ZeroMQ, {bodies} {} at 30 fps for {} s…",
                if bodies == 1 { "person" } else { "people" },
                args.loopback_seconds
            );
        }
        servers.push(in_server(
            &recs,
            bodies,
            args.loopback_seconds,
            &args.engine,
        )?);
    }
    let python = match python_onnxruntime(&model, &windows, &priors, &info)? {
        Some(v) => {
            if !args.json {
                eprintln!("scale bench: the same graphs in Python's onnxruntime (SCALE_PYTHON)…");
            }
            Some(v)
        }
        None => None,
    };
    let cpu = cpu()?;

    if !args.json {
        println!(
            "model {} (Shift-GCN width {}, T = {}, M = 2; {} classes; {})",
            model.display(),
            info.encoder.width,
            info.window,
            k,
            if has_one_body {
                "one-body encoder for one-person windows"
            } else {
                "no one-body encoder: every window through the full one"
            }
        );
        println!(
            "FLOPs per window: {:.1} M (encoder {:.1} M, energy head {:.2} M; 2 × MACs); a one-person window through the one-body encoder {:.1} M",
            flops / 1e6,
            2.0 * encoder_macs as f64 / 1e6,
            2.0 * head_macs as f64 / 1e6,
            per_window.one_body / 1e6
        );
        println!(
            "CPU: {} at {:.0} MHz, {} logical CPUs, {}: single-core FP32 peak ≈ {:.0} GFLOP/s (nominal), ONNX Runtime GEMM 1024³ on one thread {:.0} GFLOP/s (measured)",
            cpu.model,
            cpu.mhz,
            cpu.logical_cpus,
            cpu.simd,
            cpu.peak_gflops_per_core,
            cpu.gemm_gflops_1_thread
        );
        println!();
        println!(
            "per window, batch 1, µs                 encoder p50/p99/max      energy head p50/p99/max   total p50/p99/max        GFLOP/s   one-body windows"
        );
        for r in rows.iter().chain([&after_idle]) {
            let mut what = match r.idle_gap_ms {
                None => format!(
                    "{} thread{}",
                    r.threads,
                    if r.threads == 1 { "" } else { "s" }
                ),
                Some(ms) => format!("{} thread, {ms:.0} ms idle", r.threads),
            };
            if has_one_body && !r.one_body_encoder {
                what.push_str(", full encoder");
            }
            println!(
                "  {:<4} {:<32}  {:>6.0} {:>6.0} {:>7.0}     {:>6.0} {:>6.0} {:>7.0}   {:>6.0} {:>6.0} {:>7.0}   {:>6.2}   {:>4} / {}",
                r.device,
                what,
                r.encoder_us.p50,
                r.encoder_us.p99,
                r.encoder_us.max,
                r.energy_head_us.p50,
                r.energy_head_us.p99,
                r.energy_head_us.max,
                r.total_us.p50,
                r.total_us.p99,
                r.total_us.max,
                r.gflops_per_s,
                r.one_body_windows,
                r.windows
            );
        }
        if let Some(py) = &python {
            let t = |key: &str, q: &str| py[key][q].as_f64().unwrap_or(f64::NAN);
            println!(
                "  {:<37}  {:>6.0} {:>6.0} {:>7.0}     {:>6.0} {:>6.0} {:>7.0}   {:>6.0} {:>6.0} {:>7.0}   (Rust / Python p50, the same graphs: {:.2})",
                format!(
                    "python onnxruntime {} 1 thread",
                    py["onnxruntime"].as_str().unwrap_or("?")
                ),
                t("encoder_us", "p50"),
                t("encoder_us", "p99"),
                t("encoder_us", "max"),
                t("energy_head_us", "p50"),
                t("energy_head_us", "p99"),
                t("energy_head_us", "max"),
                t("total_us", "p50"),
                t("total_us", "p99"),
                t("total_us", "max"),
                rows.iter()
                    .find(|r| r.device == "cpu" && r.threads == 1 && !r.one_body_encoder)
                    .map_or(f64::NAN, |r| r.total_us.p50 / t("total_us", "p50"))
            );
        }
        println!();
        println!(
            "in a server over loopback ZeroMQ at 30 fps ({} device, {} thread), µs:",
            args.engine.device, args.engine.threads
        );
        println!(
            "  bodies  windows  one-person  per stride  dropped   window total p50/p99/max   encoder p50/p99   frame to label p50/p99   in server / back to back, / after idle p50"
        );
        // One person's windows against the back-to-back row of the same encoder (the one-body
        // one when the model has it), two or four people's against the full encoder's.
        let back_to_back = |bodies: usize| {
            rows.iter()
                .find(|r| {
                    r.device == args.engine.device.to_string()
                        && r.threads == args.engine.threads
                        && r.one_body_encoder == (has_one_body && bodies == 1)
                })
                .map(|r| r.total_us.p50)
        };
        for r in &servers {
            println!(
                "  {:>6}  {:>7}  {:>10}  {:>10.2}  {:>7}   {:>6} {:>6} {:>7}       {:>6} {:>6}    {:>7} {:>7}        {}, {:.2}",
                r.bodies,
                r.windows,
                r.one_person_windows,
                r.windows_per_stride,
                r.dropped,
                r.total_us.p50,
                r.total_us.p99,
                r.total_us.max,
                r.encoder_us.p50,
                r.encoder_us.p99,
                r.frame_to_label_us.p50,
                r.frame_to_label_us.p99,
                back_to_back(r.bodies).map_or("—".into(), |b| format!(
                    "{:.2}",
                    r.total_us.p50 as f64 / b
                )),
                r.total_us.p50 as f64 / after_idle.total_us.p50
            );
        }
        println!(
            "target: p99 under 1000 µs per window; best p99 here {:.0} µs",
            rows.iter()
                .map(|r| r.total_us.p99)
                .fold(f64::INFINITY, f64::min)
        );
    }
    let report = serde_json::json!({
        "model": model.display().to_string(),
        "classes": k,
        "window_frames": window,
        "model_frames": info.window,
        "flops_per_window": flops,
        "one_body_flops_per_window": per_window.one_body,
        "one_body_encoder": has_one_body,
        "encoder_flops": 2 * encoder_macs,
        "energy_head_flops": 2 * head_macs,
        "per_window": rows,
        "after_idle": after_idle,
        "frame_to_label_us": {"windows": servers[0].windows, "p50": servers[0].frame_to_label_us.p50,
                              "p99": servers[0].frame_to_label_us.p99, "max": servers[0].frame_to_label_us.max},
        "server_total_us": &servers[0].total_us,
        "in_server": servers,
        "python_onnxruntime": python,
        "cpu": cpu,
    });
    println!("{report}");
    Ok(())
}
