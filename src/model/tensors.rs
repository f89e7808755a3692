//! Named float tensors: the plain form in which model weights move between the trainer, the
//! checkpoints (safetensors files) and the ONNX exporters.

use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::collections::BTreeMap;
use std::path::Path;

/// Little-endian f32 bytes (a safetensors F32 view's data) as values.
pub fn f32_values(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// A float tensor: shape and row-major values.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Tensor {
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Tensor {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Tensor { shape, data }
    }
}

/// Tensors by name, in name order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamedTensors(pub BTreeMap<String, Tensor>);

impl NamedTensors {
    pub fn insert(&mut self, name: impl Into<String>, shape: Vec<usize>, data: Vec<f32>) {
        self.0.insert(name.into(), Tensor::new(shape, data));
    }

    /// The tensor `name`, which must have `shape`.
    pub fn take(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let t = self
            .0
            .get(name)
            .ok_or_else(|| format!("missing tensor {name}"))?;
        if t.shape != shape {
            return Err(format!(
                "tensor {name}: expected shape {shape:?}, found {:?}",
                t.shape
            ));
        }
        Ok(t.data.clone())
    }

    /// Writes a safetensors file (little-endian f32) with `metadata`.
    pub fn save(&self, path: &Path, metadata: &BTreeMap<String, String>) -> Result<(), String> {
        let bytes: Vec<(String, Vec<u8>, Vec<usize>)> = self
            .0
            .iter()
            .map(|(k, t)| {
                (
                    k.clone(),
                    t.data.iter().flat_map(|x| x.to_le_bytes()).collect(),
                    t.shape.clone(),
                )
            })
            .collect();
        let views: Vec<(String, TensorView<'_>)> = bytes
            .iter()
            .map(|(k, b, s)| {
                (
                    k.clone(),
                    TensorView::new(Dtype::F32, s.clone(), b).expect("sizes match"),
                )
            })
            .collect();
        let meta: std::collections::HashMap<String, String> = metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut out = safetensors::serialize(views, Some(meta))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        sort_header(&mut out);
        std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads a safetensors file of f32 tensors and its metadata.
    pub fn load(path: &Path) -> Result<(NamedTensors, BTreeMap<String, String>), String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let (_, meta) =
            SafeTensors::read_metadata(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let st =
            SafeTensors::deserialize(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = NamedTensors::default();
        for (name, view) in st.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(format!(
                    "{}: tensor {name} is {:?}, expected F32",
                    path.display(),
                    view.dtype()
                ));
            }
            out.insert(name, view.shape().to_vec(), f32_values(view.data()));
        }
        let meta = meta
            .metadata()
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        Ok((out, meta))
    }
}

/// Rewrites a serialised safetensors header with its JSON keys sorted, in place and at the same
/// length (the rest padded with spaces, as the format allows), so that the same tensors and
/// metadata always give the same bytes: the `safetensors` crate takes the metadata as a
/// `HashMap` and writes it in that map's random order.
fn sort_header(bytes: &mut [u8]) {
    let Some(n) = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize)
    else {
        return;
    };
    let Some(header) = bytes.get_mut(8..8 + n) else {
        return;
    };
    // serde_json's maps are sorted by key (no `preserve_order` in this build).
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(header) else {
        return;
    };
    let sorted = value.to_string();
    if sorted.len() <= n {
        header[..sorted.len()].copy_from_slice(sorted.as_bytes());
        header[sorted.len()..].fill(b' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_tensors_and_metadata_always_give_the_same_bytes() {
        let mut t = NamedTensors::default();
        t.insert("b.weight", vec![2, 3], (0..6).map(|i| i as f32).collect());
        t.insert("a.bias", vec![3], vec![0.5, -1.0, 2.0]);
        let meta: BTreeMap<String, String> = (0..12)
            .map(|i| (format!("key{i}"), format!("value {i}")))
            .collect();
        let dir = std::env::temp_dir().join(format!("scale-tensors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<Vec<u8>> = (0..4)
            .map(|i| {
                let p = dir.join(format!("{i}.safetensors"));
                t.save(&p, &meta).unwrap();
                std::fs::read(&p).unwrap()
            })
            .collect();
        assert!(files.windows(2).all(|w| w[0] == w[1]));
        let (back, back_meta) = NamedTensors::load(&dir.join("0.safetensors")).unwrap();
        assert_eq!((back, back_meta), (t, meta));
        // The header's metadata keys are in sorted order.
        let n = u64::from_le_bytes(files[0][..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&files[0][8..8 + n]).unwrap();
        let at: Vec<usize> = ["key0", "key1", "key10", "key11", "key2"]
            .iter()
            .map(|k| header.find(&format!("\"{k}\"")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{header}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
