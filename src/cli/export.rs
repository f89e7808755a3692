//! `scale export` (rewrite a model folder's ONNX graphs and class priors from its weights) and
//! `scale classes` (a new class set for an existing model: text embeddings → prior cache; or,
//! with a subcommand, a request to a running server's control socket).

use super::{ClassesCommand, CliResult};
use crate::catalog::Catalog;
use crate::export;
use crate::model::folder::{self, ModelInfo};
use crate::protocol::ControlRequest;
use crate::stream::control;
use crate::train::encoder::load_checkpoint;
use crate::train::pipeline::{class_texts, priors_for};
use std::path::Path;

/// `scale classes add|remove|list|allow`: one request to a running server; prints the active
/// classes (one per line, or the reply as JSON). A refused request is an error.
pub fn control(command: ClassesCommand) -> CliResult {
    let (request, opts) = match command {
        ClassesCommand::Add {
            name,
            descriptions,
            control,
        } => (ControlRequest::Add { name, descriptions }, control),
        ClassesCommand::Remove { name, control } => (ControlRequest::Remove { name }, control),
        ClassesCommand::List { control } => (ControlRequest::List {}, control),
        ClassesCommand::Allow { names, control } => (ControlRequest::Allow { names }, control),
    };
    if !(opts.timeout.is_finite() && opts.timeout > 0.0 && opts.timeout <= 3600.0) {
        return Err(format!(
            "--timeout must be between 0 and 3600 seconds (got {})",
            opts.timeout
        )
        .into());
    }
    let reply = control::request(
        &opts.control,
        &request,
        std::time::Duration::from_secs_f64(opts.timeout),
    )?;
    if opts.json {
        println!("{}", String::from_utf8_lossy(&reply.to_json()));
    }
    match (reply.ok, reply.classes, reply.error) {
        (true, Some(classes), _) => {
            if !opts.json {
                for c in &classes {
                    println!("{:>5}  {}", c.id, c.name);
                }
                eprintln!("{} active classes", classes.len());
            }
            Ok(())
        }
        (_, _, error) => Err(format!(
            "{}: {}",
            opts.control,
            error.unwrap_or_else(|| "the server refused the request".into())
        )
        .into()),
    }
}

/// Rebuilds the class-prior cache of `dir` for a catalogue (default: the bundled one), after
/// checking the folder against its manifest, and seals it anew.
pub fn classes(dir: &Path, catalog: Option<&Path>) -> CliResult {
    folder::verify(dir)?;
    write_priors(dir, catalog)
}

fn write_priors(dir: &Path, catalog: Option<&Path>) -> CliResult {
    let catalog = match catalog {
        Some(p) => super::catalog_arg(p)?.0,
        None => Catalog::builtin(),
    };
    let mut info = ModelInfo::load_unverified(dir)?;
    let cvae = folder::load_cvae(dir)?;
    let emb = class_texts(&catalog, &dir.join(folder::CLASS_TEXT))?;
    let ids: Vec<u32> = catalog.classes.iter().map(|c| c.id).collect();
    let priors = priors_for(&cvae, &catalog, &emb, &ids)?;
    folder::save_priors(
        &priors,
        cvae.config.hidden,
        cvae.config.latent,
        &catalog.hash,
        &dir.join(folder::CLASS_PRIORS),
    )?;
    if info.catalog_hash != catalog.hash {
        info.provenance.insert(
            "classes_catalog".into(),
            format!("{} (sha256 {})", catalog.name, catalog.hash),
        );
        info.save(dir)?;
    }
    folder::write_manifest(dir)?;
    eprintln!(
        "wrote priors of {} classes of catalogue {} to {}",
        ids.len(),
        catalog.name,
        dir.join(folder::CLASS_PRIORS).display()
    );
    Ok(())
}

/// Re-exports the ONNX graphs of a model folder from its weights, then its class priors, and
/// seals the folder (this is also how a folder without a manifest gets one).
pub fn export_folder(dir: &Path, catalog: Option<&Path>) -> CliResult {
    let (enc, _) = load_checkpoint(&dir.join(folder::ENCODER_WEIGHTS))?;
    let cvae = folder::load_cvae(dir)?;
    std::fs::write(
        dir.join(folder::ENCODER_ONNX),
        export::shift_gcn::export(&enc)?,
    )?;
    std::fs::write(
        dir.join(folder::ENCODER_ONE_BODY_ONNX),
        export::shift_gcn::export_one_body(&enc)?,
    )?;
    std::fs::write(
        dir.join(folder::ENERGY_HEAD_ONNX),
        export::energy_head::export(&cvae)?,
    )?;
    eprintln!(
        "wrote {}, {} and {}",
        dir.join(folder::ENCODER_ONNX).display(),
        dir.join(folder::ENCODER_ONE_BODY_ONNX).display(),
        dir.join(folder::ENERGY_HEAD_ONNX).display()
    );
    write_priors(dir, catalog)
}
