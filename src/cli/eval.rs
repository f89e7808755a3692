//! `scale eval`: ZSL and GZSL accuracy of a model folder, run through ONNX Runtime exactly as
//! deployed.

use super::CliResult;
use crate::catalog::Catalog;
use crate::inference::Recognizer;
use crate::rng::Rng;
use crate::runtime::SessionOptions;
use crate::synth::{self, SynthConfig};
use crate::train::data::{Augment, Dataset, Sample, windows};
use crate::train::pipeline::{TestSet, score};
use std::path::PathBuf;

pub struct Args {
    pub model: PathBuf,
    pub split: String,
    pub data: Option<PathBuf>,
    pub eval_seed: u64,
    pub per_class: usize,
    pub json: bool,
}

fn features(rec: &mut Recognizer, samples: &[&Sample]) -> Result<(Vec<f32>, Vec<u32>), String> {
    let mut rng = Rng::new(0);
    let mut x = Vec::new();
    for chunk in samples.chunks(64) {
        let w = windows(chunk, rec.info.window, Augment::NONE, &mut rng)?;
        x.extend(rec.features(&w, chunk.len())?);
    }
    Ok((x, samples.iter().map(|s| s.class_id).collect()))
}

pub fn run(args: Args) -> CliResult {
    let mut rec = Recognizer::load(
        &args.model,
        SessionOptions {
            intra_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            ..Default::default()
        },
    )?;
    // Without --data: a fresh synthetic test set (new performers and variations), all of it unseen by training.
    let temp;
    let (data_dir, all_test) = match &args.data {
        Some(d) => (d.clone(), false),
        None => {
            temp = tempfile_dir()?;
            let catalog = Catalog::builtin();
            let config = SynthConfig {
                seed: args.eval_seed,
                per_class: args.per_class,
                subjects: 10,
                cameras: 3,
                classes: catalog
                    .classes
                    .iter()
                    .filter(|c| c.motion.is_some())
                    .map(|c| c.id)
                    .collect(),
            };
            synth::write_dataset(&catalog, &config, &temp.0)?;
            (temp.0.clone(), true)
        }
    };
    let data = Dataset::load(&data_dir)?;
    if data.catalog.hash != rec.priors_catalog_hash {
        return Err(format!(
            "{} holds class priors for another catalogue (sha256 {}…) than the data's ({}, {}…): class ids would not mean the same classes. \
             Evaluate on data of the model's catalogue, or give the model this catalogue's classes with `scale classes --model {} --catalog FILE`",
            args.model.display(),
            rec.priors_catalog_hash.chars().take(12).collect::<String>(),
            data.catalog.name,
            data.catalog.hash.chars().take(12).collect::<String>(),
            args.model.display()
        )
        .into());
    }
    let split = data.catalog.split(&args.split)?.clone();
    let seen = data.catalog.seen_ids(&split);
    let unseen = split.unseen.clone();
    let seen_test: Vec<&Sample> = data
        .samples
        .iter()
        .filter(|s| seen.contains(&s.class_id) && (all_test || !data.is_train(s)))
        .collect();
    let unseen_test: Vec<&Sample> = data
        .samples
        .iter()
        .filter(|s| unseen.contains(&s.class_id))
        .collect();
    let (sx, sy) = features(&mut rec, &seen_test)?;
    let (ux, uy) = features(&mut rec, &unseen_test)?;
    let priors = rec.priors.clone();
    let (hd, z) = (rec.info.cvae.hidden, rec.info.cvae.latent);
    let offset = rec.info.gzsl_offset;
    let mut energy = |x: &[f32], ids: &[u32]| -> Result<Vec<f32>, String> {
        rec.energies(x, &priors.subset(ids, hd, z)?)
    };
    let test = TestSet {
        seen_x: &sx,
        seen_y: &sy,
        unseen_x: &ux,
        unseen_y: &uy,
    };
    let s = score(&mut energy, &seen, &unseen, &test, offset)?;
    if args.json {
        let v = serde_json::json!({
            "split": args.split,
            "zsl_top1": s.zsl_top1,
            "zsl_top5": s.zsl_top5,
            "gzsl_seen": s.gzsl_seen,
            "gzsl_unseen": s.gzsl_unseen,
            "gzsl_h": s.gzsl_h,
            "n": uy.len(),
            "n_seen": sy.len(),
            "chance": 1.0 / unseen.len() as f64,
            "data": if args.data.is_some() { data_dir.display().to_string() } else { format!("fresh synthetic set, seed {}, {} per class", args.eval_seed, args.per_class) },
        });
        println!("{v}");
    } else {
        println!(
            "split        {} ({} seen, {} unseen classes; chance {:.3})",
            args.split,
            seen.len(),
            unseen.len(),
            1.0 / unseen.len() as f64
        );
        println!(
            "ZSL          top-1 {:.3}  top-5 {:.3}  ({} unseen-class samples)",
            s.zsl_top1,
            s.zsl_top5,
            uy.len()
        );
        println!(
            "GZSL         seen {:.3}  unseen {:.3}  H {:.3}  ({} seen-class samples)",
            s.gzsl_seen,
            s.gzsl_unseen,
            s.gzsl_h,
            sy.len()
        );
    }
    Ok(())
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir() -> Result<TempDir, String> {
    let base = std::env::temp_dir().join(format!("scale-eval-{}", std::process::id()));
    std::fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    Ok(TempDir(base))
}
