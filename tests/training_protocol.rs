//! The training protocol's validation classes: a fold encoder leaves out exactly the classes
//! `scale train scale` validates on, and a fold encoder trained on other classes is refused.

use scale::catalog::Catalog;
use scale::synth::{self, SynthConfig, compose};
use scale::train::data::Dataset;
use scale::train::encoder::seen_samples;
use scale::train::pipeline::validation_classes;
use std::path::PathBuf;
use std::process::{Command, Output};

fn tiny_synthetic_set(dir: &std::path::Path) {
    let catalog = Catalog::builtin();
    let config = SynthConfig::every_class(&catalog, 3, 6);
    synth::write_dataset(&catalog, &config, dir).unwrap();
}

/// The split the bundled encoder was trained on (its 95 seen classes), and its classes.
const SPLIT: &str = "ext-95/5";
const CLASSES: usize = 100;
const SEEN: usize = 95;

/// A small set of the extended catalogue, whose seen classes the bundled encoder was trained
/// on; the catalogue travels with the data as `scale synth --catalog extended` writes it.
fn tiny_extended_set(dir: &std::path::Path) {
    extended_set(dir, 6)
}

fn extended_set(dir: &std::path::Path, per_class: usize) {
    let catalog = compose::extended_catalog();
    let config = SynthConfig::every_class(&catalog, 3, per_class);
    synth::write_dataset(&catalog, &config, dir).unwrap();
    synth::write_catalog_copy(dir, &catalog, Some(&compose::extended_catalog_text())).unwrap();
}

#[test]
fn validation_classes_are_evenly_spread_seen_classes() {
    let seen: Vec<u32> = (1..=35).collect();
    assert_eq!(validation_classes(&seen, 5), [4, 11, 18, 25, 32]);
    assert_eq!(validation_classes(&seen, 1), [18]);
    assert_eq!(validation_classes(&seen[..3], 5), [1, 2, 3]);
}

#[test]
fn a_fold_leaves_out_exactly_the_validation_classes() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_synthetic_set(tmp.path());
    let data = Dataset::load(tmp.path()).unwrap();
    let (all, _, _) = seen_samples(&data, "synth-35/5", None).unwrap();
    let (fold, train, held) = seen_samples(&data, "synth-35/5", Some(5)).unwrap();
    assert_eq!(all.len(), 35);
    let val = validation_classes(&all, 5);
    assert_eq!(fold.len(), 30);
    assert!(fold.iter().all(|c| !val.contains(c)));
    assert!(all.iter().all(|c| fold.contains(c) || val.contains(c)));
    assert!(
        train
            .iter()
            .chain(&held)
            .all(|s| fold.contains(&s.class_id))
    );
}

#[test]
fn a_fold_encoder_of_other_classes_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    // The bundled model's encoder saw all 95 seen classes: it is no fold encoder.
    let encoder =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default/encoder.safetensors");
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["train", "scale", "--split", SPLIT, "--epochs", "1"])
        .arg("--data")
        .arg(tmp.path())
        .arg("--encoder")
        .arg(&encoder)
        .arg("--fold-encoder")
        .arg(&encoder)
        .arg("--out")
        .arg(tmp.path().join("model"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fold encoder") && err.contains("--fold 5"),
        "{err}"
    );
}

#[test]
fn a_set_without_training_recordings_of_some_seen_class_is_refused() {
    // Three recordings per class all fall to the held-out performers: before this was checked,
    // training wrote a folder with a NaN threshold that could not be loaded again.
    let tmp = tempfile::tempdir().unwrap();
    extended_set(tmp.path(), 3);
    let out = train_scale(tmp.path(), &tmp.path().join("model"), &["--epochs", "1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no training recordings")
            && err.contains(SPLIT)
            && err.contains("--per-class"),
        "{err}"
    );
    assert!(!tmp.path().join("model/model.json").exists());
}

/// `scale train scale --json` on the bundled encoder's features of the synthetic set in `data`.
fn train_scale(data: &std::path::Path, model: &std::path::Path, args: &[&str]) -> Output {
    let encoder =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default/encoder.safetensors");
    Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["train", "scale", "--split", SPLIT, "--json"])
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--encoder")
        .arg(&encoder)
        .arg("--out")
        .arg(model)
        .output()
        .unwrap()
}

/// Fails with the command's stderr unless it succeeded.
fn assert_succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn report_of(out: &Output) -> serde_json::Value {
    assert_succeeded(out);
    serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap()
}

#[test]
fn training_logs_each_loss_term_and_what_the_latent_space_does() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    let model = tmp.path().join("model");
    let out = train_scale(tmp.path(), &model, &["--epochs", "3"]);
    let report = report_of(&out);
    let best = report["best_epoch"].as_u64().unwrap() as usize;
    let curve: Vec<f64> = report["val_curve"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(curve.len(), 3);

    // The log: three validation epochs, then the final fit's epochs, every column filled.
    let log = std::fs::read_to_string(model.join("scale_log.csv")).unwrap();
    let mut lines = log.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..7],
        ["phase", "epoch", "loss", "rec", "kl", "list", "proto"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 + best, "{log}");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), header.len(), "{log}");
        let (phase, epoch) = if i < 3 {
            ("validation", i + 1)
        } else {
            ("final", i - 2)
        };
        assert_eq!(
            (r[0], r[1].parse::<usize>().unwrap()),
            (phase, epoch),
            "{log}"
        );
        let num = |name: &str| r[col(name)].parse::<f64>().unwrap();
        // The objective is the weighted sum of its terms, each of them a non-negative mean.
        for term in ["rec", "kl", "list", "proto"] {
            assert!(num(term) >= 0.0, "{term} in {log}");
        }
        assert!(num("loss") > 0.0);
        assert!(num("active_units") <= 64.0);
        assert!(num("active_units_within_class") <= num("active_units"));
        assert!(
            num("kl_dim_min") <= num("kl_dim_median") && num("kl_dim_median") <= num("kl_dim_max")
        );
        let share = num("top_class_share");
        let classes = if phase == "validation" {
            5.0
        } else {
            SEEN as f64
        };
        assert!(share >= 1.0 / classes - 1e-6 && share <= 1.0, "{log}");
    }
    // The validation top-1 of the log is the curve's (plain Rust against burn), within one
    // sample's worth for ties.
    for (r, acc) in rows.iter().zip(&curve) {
        let samples = r[col("samples")].parse::<f64>().unwrap();
        let top1 = r[col("top1")].parse::<f64>().unwrap();
        assert!(
            (top1 - acc).abs() <= 1.0 / samples + 1e-4,
            "{top1} vs {acc}"
        );
    }

    // The report: the selected epoch's validation diagnostics and the final fit's.
    let d = &report["diagnostics"];
    for (part, classes) in [("validation", 5), ("final_training", SEEN)] {
        let p = &d[part];
        assert_eq!(p["classes"].as_array().unwrap().len(), classes, "{p}");
        assert_eq!(p["kl_per_dim"].as_array().unwrap().len(), 64);
        let confusion = p["confusion"].as_array().unwrap();
        assert_eq!(confusion.len(), classes);
        let total: u64 = confusion
            .iter()
            .flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
            .sum();
        let diagonal: u64 = confusion
            .iter()
            .enumerate()
            .map(|(i, row)| row[i].as_u64().unwrap())
            .sum();
        assert_eq!(total, p["samples"].as_u64().unwrap());
        let top1 = p["top1"].as_f64().unwrap();
        assert!((top1 - diagonal as f64 / total as f64).abs() < 1e-6);
    }
    assert!(d["final_training"]["samples"].as_u64().unwrap() <= 300);
}

#[test]
fn training_fixes_are_switchable_and_patience_ends_validation() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    let model = tmp.path().join("model");
    let args = [
        "--epochs",
        "6",
        "--free-bits",
        "0.05",
        "--prior-variance",
        "unit",
        "--proto-detach",
        "--tau",
        "0.2",
        "--proto-weight",
        "0.2",
        "--proto-tau",
        "0.3",
        "--patience",
        "1",
    ];
    let report = report_of(&train_scale(tmp.path(), &model, &args));
    // Validation stops one epoch after its best (or at --epochs).
    let best = report["best_epoch"].as_u64().unwrap() as usize;
    let ran = report["val_curve"].as_array().unwrap().len();
    assert_eq!(ran, (best + 1).min(6), "{report}");
    // Unit prior variance: every class of the folder, unseen ones too, has log-variance 0.
    let info = scale::model::folder::ModelInfo::load(&model).unwrap();
    let (priors, _) = scale::model::folder::load_priors(
        &model.join(scale::model::folder::CLASS_PRIORS),
        info.cvae.hidden,
        info.cvae.latent,
    )
    .unwrap();
    assert_eq!(priors.len(), CLASSES);
    assert!(priors.prior_logvar.iter().all(|&v| v == 0.0));
    assert!(priors.prior_mu.iter().any(|&v| v != 0.0));
    // Nonsense values are refused by name.
    for (flag, value) in [
        ("--free-bits", "-1"),
        ("--tau", "0"),
        ("--proto-weight", "-0.5"),
        ("--proto-tau", "0"),
    ] {
        let arg = format!("{flag}={value}");
        let out = train_scale(tmp.path(), &tmp.path().join("bad"), &[&arg]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{err}");
    }
}

/// The `scale train scale` configuration a model folder records.
fn scale_config(dir: &std::path::Path) -> serde_json::Value {
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
    serde_json::from_str(info["provenance"]["train_scale_config"].as_str().unwrap()).unwrap()
}

/// Whether two model folders' CVAEs differ in some weight (they have the same tensors).
fn weights_differ(a: &std::path::Path, b: &std::path::Path) -> bool {
    let load = |dir: &std::path::Path| scale::model::folder::load_cvae(dir).unwrap();
    let (a, b) = (load(a).to_tensors().0, load(b).to_tensors().0);
    assert_eq!(a.len(), b.len());
    a.iter().any(|(name, t)| b[name] != *t)
}

#[test]
fn mirroring_trains_both_stages_and_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    // The CVAE stage: mirrored feature copies change the fit; the setting is in the model.
    let (plain, mirrored) = (tmp.path().join("plain"), tmp.path().join("mirrored"));
    report_of(&train_scale(tmp.path(), &plain, &["--epochs", "2"]));
    let r = report_of(&train_scale(
        tmp.path(),
        &mirrored,
        &["--epochs", "2", "--mirror", "0.5"],
    ));
    let top1 = r["accuracies"]["zsl_top1"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&top1), "{r}");
    assert!(scale_config(&plain).get("mirror").is_none());
    assert_eq!(scale_config(&mirrored)["mirror"], 0.5);
    assert!(weights_differ(&plain, &mirrored));
    // The encoder stage: one epoch of a small encoder, the chance kept in its checkpoint.
    let encoder = tmp.path().join("encoder");
    let train_encoder = |mirror: &str| {
        Command::new(env!("CARGO_BIN_EXE_scale"))
            .args(["train", "encoder", "--split", SPLIT, "--window", "16"])
            .args(["--width", "0.125", "--epochs", "1"])
            .arg(format!("--mirror={mirror}"))
            .arg("--data")
            .arg(tmp.path())
            .arg("--out")
            .arg(&encoder)
            .output()
            .unwrap()
    };
    let out = train_encoder("0.5");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, meta) =
        scale::train::encoder::load_checkpoint(&encoder.join("encoder.safetensors")).unwrap();
    let cfg: serde_json::Value = serde_json::from_str(&meta["train_config"]).unwrap();
    assert_eq!(cfg["mirror"], 0.5);
    // A chance outside 0–1 is refused by name, before any data is read, in both stages.
    for bad in ["1.5", "-0.1", "often"] {
        let out = train_encoder(bad);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("--mirror"), "{err}");
        let flag = format!("--mirror={bad}");
        let out = train_scale(tmp.path(), &tmp.path().join("bad"), &[&flag]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("--mirror"), "{err}");
    }
}

#[test]
fn text_views_change_the_fit_and_are_recorded_in_the_model() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    let (plain, views) = (tmp.path().join("plain"), tmp.path().join("views"));
    let rp = report_of(&train_scale(tmp.path(), &plain, &["--epochs", "2"]));
    let rv = report_of(&train_scale(
        tmp.path(),
        &views,
        &["--epochs", "2", "--text-views"],
    ));
    for r in [&rp, &rv] {
        let top1 = r["accuracies"]["zsl_top1"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&top1), "{r}");
    }
    assert_eq!(scale_config(&plain)["loss"]["text_views"], false);
    assert_eq!(scale_config(&views)["loss"]["text_views"], true);
    // Same data, seed and epochs; only the texts the prior saw differ, so the weights do.
    let load = |dir: &std::path::Path| scale::model::folder::load_cvae(dir).unwrap();
    let b = load(&views).to_tensors().0;
    assert!(weights_differ(&plain, &views));
    // The views are drawn from the seed: a second run gives the same model, weight for weight.
    let again = tmp.path().join("again");
    report_of(&train_scale(
        tmp.path(),
        &again,
        &["--epochs", "2", "--text-views"],
    ));
    let c = load(&again).to_tensors().0;
    for (name, t) in &b {
        assert_eq!(&c[name], t, "{name}");
    }
    // The alignment baseline has no prior to condition: the flag is refused with it, by name.
    let out = train_scale(
        tmp.path(),
        &tmp.path().join("baseline"),
        &["--text-views", "--alignment-baseline"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--text-views") && err.contains("--alignment-baseline"),
        "{err}"
    );
}

#[test]
fn an_ensemble_is_its_members_trained_one_by_one() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    let (single0, ens) = (tmp.path().join("s0"), tmp.path().join("ens"));
    let r0 = report_of(&train_scale(tmp.path(), &single0, &["--epochs", "2"]));
    let re = report_of(&train_scale(
        tmp.path(),
        &ens,
        &["--epochs", "2", "--members", "2"],
    ));
    // Member 1 is the single model of --seed, weight for weight; member 2 trains with seed + 1
    // on the same (seed-0 augmented) features, so it is not the single model of seed 1.
    let members = re["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{re}");
    assert_eq!(members[0]["best_epoch"], r0["best_epoch"], "{re}");
    assert_eq!(members[0]["val_zsl_top1"], r0["val_zsl_top1"], "{re}");
    assert_eq!(
        (members[0]["seed"].as_u64(), members[1]["seed"].as_u64()),
        (Some(0), Some(1))
    );
    assert!(
        r0.get("members").is_none(),
        "a single model lists no members"
    );
    let load = |dir: &std::path::Path| scale::model::folder::load_cvae(dir).unwrap();
    let (loaded, first) = (load(&ens), load(&single0));
    assert_eq!(
        (
            loaded.config.members,
            loaded.config.hidden,
            loaded.config.latent
        ),
        (2, 512, 128)
    );
    let tensors = loaded.to_tensors().0;
    for (name, t) in first.to_tensors().0 {
        assert_eq!(tensors[&name], t, "{name}");
    }
    let second = |name: &str| &tensors[&format!("m2.{name}")].data;
    assert_ne!(second("enc2.w"), &tensors["enc2.w"].data);
    assert_eq!(loaded.others.len(), 1);
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ens.join("model.json")).unwrap()).unwrap();
    assert_eq!(info["cvae"]["members"], 2);
    let single_info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(single0.join("model.json")).unwrap())
            .unwrap();
    assert!(single_info["cvae"].get("members").is_none());
    // Each member's epochs in the log, under its own phase names.
    let log = std::fs::read_to_string(ens.join("scale_log.csv")).unwrap();
    let phases: Vec<&str> = log
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let best = |r: &serde_json::Value| r["best_epoch"].as_u64().unwrap() as usize;
    let mut expected = vec!["validation m1"; 2];
    expected.extend(vec!["final m1"; best(&members[0])]);
    expected.extend(vec!["validation m2"; 2]);
    expected.extend(vec!["final m2"; best(&members[1])]);
    assert_eq!(phases, expected, "{log}");
    // The folder serves: its ONNX energy head through `scale eval`.
    let out = Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["eval", "--split", SPLIT, "--json", "--model"])
        .arg(&ens)
        .arg("--data")
        .arg(tmp.path())
        .output()
        .unwrap();
    let eval = report_of(&out);
    assert!(eval.to_string().contains("top1"), "{eval}");
    // One ranking β for all members: choosing one per member is refused.
    let out = train_scale(
        tmp.path(),
        &tmp.path().join("bad"),
        &["--epochs", "1", "--members", "2", "--select-score-beta"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("select-score-beta"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Top-1 of a `--zsl-scores` file: the share of rows where no class has a lower energy than
/// the true one (as the ZSL figures count it).
fn top1_of_scores(scores: &serde_json::Value) -> (f64, usize, usize) {
    let classes: Vec<u64> = scores["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let truth = scores["truth"].as_array().unwrap();
    let rows = scores["energies"].as_array().unwrap();
    assert_eq!(truth.len(), rows.len());
    let mut right = 0;
    for (t, row) in truth.iter().zip(rows) {
        let row: Vec<f64> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(row.len(), classes.len());
        let y = classes
            .iter()
            .position(|c| *c == t.as_u64().unwrap())
            .expect("the true class is a column");
        right += usize::from(row.iter().all(|e| *e >= row[y]));
    }
    (right as f64 / rows.len() as f64, rows.len(), classes.len())
}

#[test]
fn zsl_scores_are_the_energies_the_zero_shot_figures_rank() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_extended_set(tmp.path());
    for (name, extra) in [("scale", None), ("alignment", Some("--alignment-baseline"))] {
        let file = tmp.path().join(format!("{name}.json"));
        let file_arg = file.to_str().unwrap().to_string();
        let mut args = vec!["--epochs", "2", "--zsl-scores", &file_arg];
        args.extend(extra);
        let report = report_of(&train_scale(tmp.path(), &tmp.path().join(name), &args));
        // The report itself does not carry them.
        assert!(report.get("zsl").is_none(), "{report}");
        let scores: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let (top1, rows, k) = top1_of_scores(&scores);
        assert_eq!(k, CLASSES - SEEN, "{name}: one column per unseen class");
        assert_eq!(
            rows as u64,
            report["accuracies"]["n"].as_u64().unwrap(),
            "{name}"
        );
        let reported = report["accuracies"]["zsl_top1"].as_f64().unwrap();
        assert!(
            (top1 - reported).abs() < 1e-6,
            "{name}: {top1} against {reported}"
        );
        let ids = scale::catalog::Catalog::load(&tmp.path().join("catalog.json"))
            .unwrap()
            .split(SPLIT)
            .unwrap()
            .unseen
            .clone();
        let classes: Vec<u32> = scores["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(classes, ids, "{name}");
    }
    // A path that cannot be written is an error naming it, before training (no model folder).
    let bad = tmp.path().join("no/such/dir/scores.json");
    let out = train_scale(
        tmp.path(),
        &tmp.path().join("bad"),
        &[
            "--epochs",
            "1",
            "--alignment-baseline",
            "--zsl-scores",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir/scores.json"));
    let out = train_scale(
        tmp.path(),
        &tmp.path().join("bad-scale"),
        &["--epochs", "1", "--zsl-scores", bad.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir/scores.json"));
    assert!(!tmp.path().join("bad-scale/model.json").exists());
}

/// `scripts/benchmark_table.py` on hand-made runs: means and spreads over seeds, the paired
/// difference seed by seed, and the fusion ranked from the saved energies.
#[test]
fn the_benchmark_table_pairs_seeds_and_fuses_saved_energies() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    std::fs::create_dir_all(runs.join("ext-92-8")).unwrap();
    let run = |variant: &str, seed: u32, zsl: f64| {
        let line = serde_json::json!({
            "split": "ext-92/8", "variant": variant, "seed": seed, "real": null,
            "report": {"accuracies": {"zsl_top1": zsl, "gzsl_h": 0.3, "n": 2}},
        });
        std::fs::write(
            runs.join(format!("ext-92-8/{variant}-{seed}.json")),
            line.to_string(),
        )
        .unwrap();
    };
    for (seed, (full, base)) in [(0.5, 0.4), (0.6, 0.45), (0.7, 0.5)]
        .into_iter()
        .enumerate()
    {
        run("full", seed as u32, full);
        run("alignment", seed as u32, base);
    }
    // Seed 0's energies: each method ranks one of the two recordings right; standardised and
    // summed they rank both right.
    let scores = |energies: serde_json::Value| {
        serde_json::json!({"classes": [7, 8, 9], "truth": [8, 7], "energies": energies}).to_string()
    };
    std::fs::write(
        runs.join("ext-92-8/full-0.scores.json"),
        scores(serde_json::json!([[0.0, 1.0, 5.0], [0.0, 2.0, 1.0]])),
    )
    .unwrap();
    std::fs::write(
        runs.join("ext-92-8/alignment-0.scores.json"),
        scores(serde_json::json!([[1.0, 0.0, 1.0], [0.5, 0.0, 1.0]])),
    )
    .unwrap();
    let out = Command::new("python3")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/benchmark_table.py"))
        .arg(&runs)
        .output()
        .unwrap();
    assert_succeeded(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |start: &str, nth: usize| -> String {
        text.lines()
            .filter(|l| l.starts_with(start))
            .nth(nth)
            .unwrap_or_else(|| panic!("no line {start:?} #{nth} in\n{text}"))
            .to_string()
    };
    assert!(
        line("| SCALE (full) |", 0).contains("| 60.0 ± 10.0 (3) | — |"),
        "{text}"
    );
    assert!(
        line("| alignment baseline |", 0).contains("| 45.0 ± 5.0 (3) |"),
        "{text}"
    );
    assert!(
        line("| alignment baseline |", 1).contains("| 15.0 ± 5.0 (3) ahead |"),
        "{text}"
    );
    assert!(line("| fusion", 0).contains("| 100.0 (1) |"), "{text}");
    assert!(line("| fusion", 1).contains("| -50.0 (1) |"), "{text}");
    assert!(
        line("| chance |", 0).contains("| 12.5 | 5.0 | 3.0 | 2.0 |"),
        "{text}"
    );
}
