//! `scale demo`: serve and replay in one process over loopback ZeroMQ, on synthetic recordings
//! made on the spot (the model's unseen classes among them), live labels beside the truth, then
//! accuracy and a latency table.

use super::CliResult;
use super::stream::EngineOpts;
use crate::catalog::Catalog;
use crate::model::folder::ModelInfo;
use crate::protocol::StageLatency;
use crate::rng::Rng;
use crate::stream::loopback::{self, LoopbackRun};
use crate::stream::replay::{Recording, ReplayConfig, WireFormat};
use crate::stream::stats::percentiles;
use crate::synth::{self, SampleSpec};
use serde_json::json;
use std::collections::BTreeMap;

/// Flags of `scale demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Recordings per class.
    #[arg(long, default_value_t = 2)]
    pub per_class: usize,
    /// Seen classes to include (the unseen ones are always all included).
    #[arg(long, default_value_t = 5)]
    pub seen_classes: usize,
    /// Playback speed factor (1 = the sensor's 30 fps).
    #[arg(long, default_value_t = 2.0)]
    pub speed: f64,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Wire format of the frames.
    #[arg(long, value_enum, default_value = "binary")]
    pub format: WireFormat,
    /// Print every Nth label.
    #[arg(long, default_value_t = 4)]
    pub print_every: usize,
    /// Print only a JSON summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineOpts,
}

/// One generated recording and what it shows.
struct Truth {
    class_id: u32,
    name: String,
    unseen: bool,
}

fn recordings(
    info: &ModelInfo,
    catalog: &Catalog,
    args: &DemoArgs,
) -> Result<(Vec<Recording>, Vec<Truth>), String> {
    let playable = |id: &u32| catalog.by_id(*id).is_some_and(|c| c.motion.is_some());
    let mut seen: Vec<u32> = info.seen.iter().copied().filter(playable).collect();
    let mut rng = Rng::new(args.seed);
    rng.shuffle(&mut seen);
    let unseen: Vec<u32> = info.unseen.iter().copied().filter(playable).collect();
    let mut classes: Vec<u32> = unseen.clone();
    classes.extend(seen.iter().take(args.seen_classes));
    // Draw every recording's spec (and its seed, by draw order), then play them in a seeded
    // order that interleaves seen and unseen classes.
    let mut specs = Vec::new();
    for rep in 0..args.per_class.max(1) {
        for &id in &classes {
            let spec = SampleSpec {
                class_id: id,
                subject: 1 + (rng.below(10) as u16),
                camera: 1 + (rng.below(3) as u16),
                replication: 1 + rep as u16,
            };
            specs.push((spec, args.seed.wrapping_add(specs.len() as u64)));
        }
    }
    rng.shuffle(&mut specs);
    let mut recs = Vec::with_capacity(specs.len());
    let mut truths = Vec::with_capacity(specs.len());
    for (n, (spec, seed)) in specs.iter().enumerate() {
        let class = catalog.by_id(spec.class_id).expect("filtered above");
        let mut frames = synth::generate(class, spec, *seed)
            .map_err(|e| format!("generating {}: {e}", class.name))?
            .to_frames(0, 30.0);
        // Tracking ids unique per recording, so every label maps to one recording.
        for f in &mut frames {
            for (k, b) in f.bodies.iter_mut().enumerate() {
                b.id = 1000 + 10 * n as u64 + k as u64;
            }
        }
        recs.push(Recording {
            name: format!("{} ({})", class.name, spec.sample_id()),
            frames,
        });
        truths.push(Truth {
            class_id: spec.class_id,
            name: class.name.clone(),
            unseen: unseen.contains(&spec.class_id),
        });
    }
    Ok((recs, truths))
}

fn recording_of(body: u64) -> Option<usize> {
    body.checked_sub(1000).map(|b| (b / 10) as usize)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub fn run(args: DemoArgs) -> CliResult {
    let info = ModelInfo::load(&args.engine.model)?;
    let catalog = Catalog::builtin();
    let (_, priors_hash) = crate::model::folder::load_priors(
        &args.engine.model.join(crate::model::folder::CLASS_PRIORS),
        info.cvae.hidden,
        info.cvae.latent,
    )?;
    if priors_hash != catalog.hash {
        return Err(format!(
            "{} ranks the classes of another catalogue than the bundled one; the demo's synthetic recordings use the bundled catalogue",
            args.engine.model.display()
        )
        .into());
    }
    let (recs, truths) = recordings(&info, &catalog, &args)?;
    let frames: usize = recs.iter().map(|r| r.frames.len()).sum();
    let n_unseen = truths.iter().filter(|t| t.unseen).count();
    let serve = args.engine.config("", "", 2.0)?;
    if !args.json {
        println!(
            "scale demo: {} synthetic recordings ({} of the model's unseen classes, {} of seen ones; {} frames) \
             replayed at {}× over ZeroMQ loopback into `scale serve` ({}, window {} frames, stride {}); \
             every class of the catalogue ({}) is a candidate.",
            recs.len(),
            n_unseen,
            recs.len() - n_unseen,
            frames,
            args.speed,
            serve.session.device,
            serve
                .window
                .unwrap_or(crate::stream::server::DEFAULT_WINDOW),
            serve.stride,
            catalog.classes.len()
        );
        println!(
            "{:>7}  {:<38} {:<38} {:>3}  {:>9}",
            "seq", "true class", "predicted (score)", "", "latency"
        );
    }
    let replay = ReplayConfig {
        speed: args.speed,
        format: args.format,
        ..Default::default()
    };
    let mut count = 0usize;
    let quiet = args.json;
    let every = args.print_every.max(1);
    let run = loopback::run(&recs, serve, &replay, &mut |r, _| {
        let Some(t) = r
            .message
            .bodies
            .first()
            .and_then(|b| recording_of(*b))
            .and_then(|i| truths.get(i))
        else {
            return;
        };
        count += 1;
        if quiet || !count.is_multiple_of(every) {
            return;
        }
        let top = &r.message.top[0];
        let mark = if top.id == t.class_id { "ok" } else { "--" };
        println!(
            "{:>7}  {:<38} {:<38} {:>3}  {:>6} µs{}",
            r.message.seq_last,
            format!("{}{}", t.name, if t.unseen { " (unseen)" } else { "" }),
            format!("{} ({:.2})", top.name, top.score),
            mark,
            r.message.latency_us.total,
            if r.message.unknown { "  unknown" } else { "" }
        );
    })?;
    report(&run, &truths, &args)
}

fn report(run: &LoopbackRun, truths: &[Truth], args: &DemoArgs) -> CliResult {
    // Per-window accuracy, and per-recording majority vote.
    let (mut hit, mut n, mut hit5) = ([0usize; 2], [0usize; 2], 0usize);
    let mut votes: Vec<BTreeMap<u32, usize>> = vec![BTreeMap::new(); truths.len()];
    for r in &run.labels {
        let Some(i) = r.message.bodies.first().and_then(|b| recording_of(*b)) else {
            continue;
        };
        let Some(t) = truths.get(i) else { continue };
        let u = usize::from(t.unseen);
        n[u] += 1;
        if r.message.top[0].id == t.class_id {
            hit[u] += 1;
        }
        if r.message.top.iter().any(|c| c.id == t.class_id) {
            hit5 += 1;
        }
        *votes[i].entry(r.message.top[0].id).or_default() += 1;
    }
    let (mut rec_hit, mut rec_n) = ([0usize; 2], [0usize; 2]);
    for (t, v) in truths.iter().zip(&votes) {
        let Some((&best, _)) = v.iter().max_by_key(|(_, c)| **c) else {
            continue;
        };
        let u = usize::from(t.unseen);
        rec_n[u] += 1;
        rec_hit[u] += usize::from(best == t.class_id);
    }
    let seen_acc = ratio(hit[0], n[0]);
    let unseen_acc = ratio(hit[1], n[1]);
    let h = if seen_acc + unseen_acc > 0.0 {
        2.0 * seen_acc * unseen_acc / (seen_acc + unseen_acc)
    } else {
        0.0
    };
    let windows = n[0] + n[1];

    // Latencies: the server's stages from the labels, frame-to-label from the subscriber.
    let stage = |f: fn(&StageLatency) -> u32| {
        let mut v: Vec<u32> = run
            .labels
            .iter()
            .map(|r| f(&r.message.latency_us))
            .collect();
        percentiles(&mut v)
    };
    let mut f2l: Vec<u32> = run
        .labels
        .iter()
        .filter_map(|r| {
            let sent = run.sent_at(r.message.seq_last)?;
            Some(
                r.at.saturating_duration_since(sent.at)
                    .as_micros()
                    .min(u32::MAX as u128) as u32,
            )
        })
        .collect();
    let rows = [
        ("queue", stage(|l| l.queue)),
        ("normalise", stage(|l| l.normalise)),
        ("encoder", stage(|l| l.encoder)),
        ("energy head", stage(|l| l.energy_head)),
        ("total (in server)", stage(|l| l.total)),
        ("frame to label (loopback)", percentiles(&mut f2l)),
    ];
    let stats = run.stats.as_ref();
    let k = Catalog::builtin().classes.len();
    if args.json {
        let lat: serde_json::Map<String, serde_json::Value> = rows
            .iter()
            .map(|(k, p)| {
                (
                    k.to_string(),
                    json!({"p50": p.p50, "p99": p.p99, "max": p.max}),
                )
            })
            .collect();
        println!(
            "{}",
            json!({
                "recordings": truths.len(),
                "frames_sent": run.sent.len(),
                "windows": windows,
                "window_top1": ratio(hit[0] + hit[1], windows),
                "window_top5": ratio(hit5, windows),
                "seen_top1": seen_acc,
                "unseen_top1": unseen_acc,
                "h": h,
                "recording_top1": ratio(rec_hit[0] + rec_hit[1], rec_n[0] + rec_n[1]),
                "recording_seen_top1": ratio(rec_hit[0], rec_n[0]),
                "recording_unseen_top1": ratio(rec_hit[1], rec_n[1]),
                "latency_us": lat,
                "stats": stats,
            })
        );
        return Ok(());
    }
    println!();
    println!(
        "accuracy over {windows} windows (top-1 among all {k} candidate classes; chance {:.3}):",
        1.0 / k as f64
    );
    println!("  seen classes    {:.3} ({}/{})", seen_acc, hit[0], n[0]);
    println!("  unseen classes  {:.3} ({}/{})", unseen_acc, hit[1], n[1]);
    println!("  harmonic mean   {h:.3}");
    println!("  top-5           {:.3}", ratio(hit5, windows));
    println!(
        "  per recording (majority of its windows): seen {}/{}, unseen {}/{}",
        rec_hit[0], rec_n[0], rec_hit[1], rec_n[1]
    );
    println!();
    println!("latency per window, µs       p50      p99      max");
    for (name, p) in &rows {
        println!("  {name:<26} {:>6}   {:>6}   {:>6}", p.p50, p.p99, p.max);
    }
    if let Some(s) = stats {
        println!();
        println!(
            "server: {} frames in, {} dropped, {} windows, {} labels ({} dropped)",
            s.frames_in,
            s.dropped_total(),
            s.windows,
            s.labels,
            s.labels_dropped
        );
    }
    Ok(())
}
