//! The class embedding cache: one text vector per catalogue class, the L2-normalised mean of the
//! embeddings of its name and each of its descriptions. Stored as JSON with the catalogue's
//! sha256, so a cache made from another version of the catalogue is detected and rebuilt.

use super::{TEXT_DIM, TextEncoder, TextError};
use crate::catalog::Catalog;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Name of the text model recorded in caches.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// One class's text vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassEmbedding {
    pub id: u32,
    pub name: String,
    pub embedding: Vec<f32>,
}

/// Text vectors of every class of a catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassEmbeddings {
    pub model: String,
    pub catalog: String,
    pub catalog_hash: String,
    pub dim: usize,
    pub classes: Vec<ClassEmbedding>,
}

/// Each of a class's texts embedded on its own, in order: its name, then each description
/// (unit length; one batch, so exactly the vectors [`class_text`] averages). The alternative
/// phrasings `scale train scale --text-views` trains the prior on.
pub fn class_views(
    encoder: &mut TextEncoder,
    name: &str,
    descriptions: &[String],
) -> Result<Vec<Vec<f32>>, TextError> {
    let mut texts: Vec<&str> = vec![name];
    texts.extend(descriptions.iter().map(String::as_str));
    Ok(encoder.embed(&texts)?.iter().map(|v| v.to_vec()).collect())
}

/// One class's text vector: the L2-normalised mean of the embeddings of its name and each of
/// its descriptions.
pub fn class_text(
    encoder: &mut TextEncoder,
    name: &str,
    descriptions: &[String],
) -> Result<Vec<f32>, TextError> {
    let vectors = class_views(encoder, name, descriptions)?;
    let mut mean = vec![0.0f32; TEXT_DIM];
    for v in &vectors {
        for (m, x) in mean.iter_mut().zip(v) {
            *m += x / vectors.len() as f32;
        }
    }
    let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    mean.iter_mut().for_each(|x| *x /= norm);
    Ok(mean)
}

impl ClassEmbeddings {
    /// Embeds every class of the catalogue.
    pub fn build(
        catalog: &Catalog,
        encoder: &mut TextEncoder,
    ) -> Result<ClassEmbeddings, TextError> {
        let mut classes = Vec::with_capacity(catalog.classes.len());
        for c in &catalog.classes {
            classes.push(ClassEmbedding {
                id: c.id,
                name: c.name.clone(),
                embedding: class_text(encoder, &c.name, &c.descriptions)?,
            });
        }
        Ok(ClassEmbeddings {
            model: MODEL_NAME.to_string(),
            catalog: catalog.name.clone(),
            catalog_hash: catalog.hash.clone(),
            dim: TEXT_DIM,
            classes,
        })
    }

    /// True when the cache was built from exactly this catalogue file with this model.
    pub fn matches(&self, catalog: &Catalog) -> bool {
        self.catalog_hash == catalog.hash
            && self.model == MODEL_NAME
            && self.dim == TEXT_DIM
            && self.classes.len() == catalog.classes.len()
            && self.classes.iter().all(|c| c.embedding.len() == TEXT_DIM)
    }

    pub fn load(path: &Path) -> Result<ClassEmbeddings, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a class embedding cache: {e}", path.display()))
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let text = serde_json::to_string(self).expect("embeddings serialise");
        std::fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }

    /// The cache at `path` if it matches the catalogue, else a fresh one (written to `path`).
    /// Returns whether it was rebuilt.
    pub fn load_or_build(
        catalog: &Catalog,
        path: &Path,
        encoder: impl FnOnce() -> Result<TextEncoder, TextError>,
    ) -> Result<(ClassEmbeddings, bool), TextError> {
        if let Ok(cached) = ClassEmbeddings::load(path)
            && cached.matches(catalog)
        {
            return Ok((cached, false));
        }
        let built = ClassEmbeddings::build(catalog, &mut encoder()?)?;
        built.save(path).map_err(TextError::Model)?;
        Ok((built, true))
    }

    pub fn get(&self, id: u32) -> Option<&[f32]> {
        self.classes
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.embedding.as_slice())
    }
}
