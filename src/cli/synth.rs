//! `scale synth`: write a synthetic dataset, or a preview strip of one class.

use super::CliResult;
use crate::catalog::{Catalog, ClassEntry};
use crate::synth::{self, SampleSpec, SynthConfig};
use std::path::{Path, PathBuf};

pub struct Args {
    pub out: PathBuf,
    pub classes: String,
    pub per_class: usize,
    pub seed: u64,
    pub subjects: usize,
    pub cameras: usize,
    pub preview: Option<String>,
    pub catalog: Option<PathBuf>,
    pub sensor_noise: crate::synth::noise::NoiseModel,
    pub proportions: crate::synth::Proportions,
    pub scene: crate::synth::Scene,
}

/// Resolves `all`, or a comma-separated list of ids or exact names, against the catalogue.
fn select(catalog: &Catalog, spec: &str) -> Result<Vec<u32>, String> {
    if spec.trim() == "all" {
        return Ok(catalog
            .classes
            .iter()
            .filter(|c| c.motion.is_some())
            .map(|c| c.id)
            .collect());
    }
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| find(catalog, s).map(|c| c.id))
        .collect()
}

fn find<'a>(catalog: &'a Catalog, key: &str) -> Result<&'a ClassEntry, String> {
    let by_id = key.parse::<u32>().ok().and_then(|id| catalog.by_id(id));
    by_id.or_else(|| catalog.classes.iter().find(|c| c.name == key)).ok_or_else(|| {
        format!("no class {key:?} in the catalogue; give an id (1–{}) or an exact name, e.g. \"hand waving\"", catalog.classes.len())
    })
}

pub fn run(args: Args) -> CliResult {
    let (catalog, text) = match &args.catalog {
        Some(p) => {
            let (c, t) = super::catalog_arg(p)?;
            (c, Some(t))
        }
        None => (Catalog::builtin(), None),
    };
    if let Some(class) = &args.preview {
        return preview(&catalog, class, &args);
    }
    let config = SynthConfig {
        seed: args.seed,
        per_class: args.per_class,
        subjects: args.subjects,
        cameras: args.cameras,
        classes: select(&catalog, &args.classes)?,
        noise: args.sensor_noise,
        proportions: args.proportions,
        scene: args.scene,
    };
    let started = std::time::Instant::now();
    let m = synth::write_dataset(&catalog, &config, &args.out)?;
    // Another catalogue than the bundled one travels with the data.
    synth::write_catalog_copy(&args.out, &catalog, text.as_deref())?;
    eprintln!(
        "wrote {} sequences ({} frames, {} classes) to {} in {:.1} s",
        m.samples,
        m.frames,
        config.classes.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn preview(catalog: &Catalog, class: &str, args: &Args) -> CliResult {
    let out: &Path = &args.out;
    let entry = find(catalog, class)?;
    let spec = SampleSpec {
        class_id: entry.id,
        subject: 1,
        camera: 2,
        replication: 1,
    };
    let variation = synth::Variation {
        noise: args.sensor_noise,
        proportions: args.proportions,
        scene: args.scene,
    };
    let seq = synth::generate_with(entry, &spec, args.seed, variation)?;
    synth::preview::write_strip(&seq, 8, out)?;
    eprintln!(
        "drew 8 frames of {} ({} frames) to {}",
        entry.name,
        seq.frames.len(),
        out.display()
    );
    Ok(())
}
