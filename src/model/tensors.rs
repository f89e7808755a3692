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
        safetensors::serialize_to_file(views, Some(meta), path)
            .map_err(|e| format!("{}: {e}", path.display()))
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
