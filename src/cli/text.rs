//! `scale text`: sentence embeddings and the class embedding cache.

use super::CliResult;
use crate::catalog::Catalog;
use crate::text::classes::ClassEmbeddings;
use crate::text::{TextEncoder, cosine};
use std::path::Path;

/// `scale text embed`: JSON vectors, or a cosine-similarity table.
pub fn embed(texts: &[String], json: bool) -> CliResult {
    if texts.is_empty() {
        return Err(
            "give at least one text to embed, e.g. scale text embed \"drink water\" \"eat meal\""
                .into(),
        );
    }
    let mut enc = TextEncoder::load()?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = enc.embed(&refs)?;
    if json {
        let items: Vec<serde_json::Value> = texts
            .iter()
            .zip(&vectors)
            .map(|(t, v)| serde_json::json!({"text": t, "embedding": v.to_vec()}))
            .collect();
        println!("{}", serde_json::to_string(&items)?);
        return Ok(());
    }
    let width = texts
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    println!(
        "cosine similarity ({} texts, all-MiniLM-L6-v2)",
        texts.len()
    );
    for (i, t) in texts.iter().enumerate() {
        let short: String = t.chars().take(width).collect();
        let row: Vec<String> = vectors
            .iter()
            .map(|v| format!("{:6.3}", cosine(&vectors[i], v)))
            .collect();
        println!("{short:<width$}  [{:>2}] {}", i + 1, row.join(" "));
    }
    Ok(())
}

/// `scale text classes`: (re)build the class embedding cache of a catalogue.
pub fn classes(catalog: Option<&Path>, out: &Path, force: bool) -> CliResult {
    let catalog = match catalog {
        Some(p) => super::catalog_arg(p)?.0,
        None => Catalog::builtin(),
    };
    if force {
        let _ = std::fs::remove_file(out);
    }
    let (cache, rebuilt) = ClassEmbeddings::load_or_build(&catalog, out, TextEncoder::load)?;
    eprintln!(
        "{} {} class embeddings of catalogue {} (sha256 {}…) in {}",
        if rebuilt { "built" } else { "up to date:" },
        cache.classes.len(),
        catalog.name,
        &catalog.hash[..12],
        out.display()
    );
    Ok(())
}
