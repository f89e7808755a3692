//! The project's own ONNX writer: protobuf messages ([`proto`]) and a small graph builder.
//!
//! Every exporter in the project goes through [`GraphBuilder`], so all graphs share the same IR
//! version (8), opset (17), naming and symbolic-dimension conventions.

pub mod proto;

use prost::Message;
use proto::{
    AttributeProto, Dimension, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto, TypeTensor, ValueInfoProto,
    attribute_type, data_type, dimension, type_proto,
};

/// ONNX IR version written (the one that goes with opset 17).
pub const IR_VERSION: i64 = 8;
/// Default-domain opset written.
pub const OPSET: i64 = 17;

/// One dimension of a graph input or output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dim {
    Fixed(i64),
    /// A symbolic dimension such as `"batch"`: any size at run time.
    Named(String),
}

impl From<i64> for Dim {
    fn from(v: i64) -> Dim {
        Dim::Fixed(v)
    }
}

impl From<&str> for Dim {
    fn from(v: &str) -> Dim {
        Dim::Named(v.to_string())
    }
}

/// An attribute of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    Int(i64),
    Ints(Vec<i64>),
    Float(f32),
    Floats(Vec<f32>),
    Str(String),
    Tensor(TensorProto),
}

fn attribute(name: &str, a: Attr) -> AttributeProto {
    let mut p = AttributeProto {
        name: name.to_string(),
        ..AttributeProto::default()
    };
    match a {
        Attr::Int(i) => {
            p.r#type = attribute_type::INT;
            p.i = i;
        }
        Attr::Ints(v) => {
            p.r#type = attribute_type::INTS;
            p.ints = v;
        }
        Attr::Float(f) => {
            p.r#type = attribute_type::FLOAT;
            p.f = f;
        }
        Attr::Floats(v) => {
            p.r#type = attribute_type::FLOATS;
            p.floats = v;
        }
        Attr::Str(s) => {
            p.r#type = attribute_type::STRING;
            p.s = s.into_bytes();
        }
        Attr::Tensor(t) => {
            p.r#type = attribute_type::TENSOR;
            p.t = Some(t);
        }
    }
    p
}

/// A float tensor with its data in `raw_data`.
pub fn tensor_f32(name: &str, dims: &[i64], data: &[f32]) -> TensorProto {
    debug_assert_eq!(
        dims.iter().product::<i64>() as usize,
        data.len(),
        "tensor {name}"
    );
    TensorProto {
        dims: dims.to_vec(),
        data_type: data_type::FLOAT,
        name: name.to_string(),
        raw_data: data.iter().flat_map(|x| x.to_le_bytes()).collect(),
        ..TensorProto::default()
    }
}

/// An int64 tensor with its data in `raw_data` (shapes, axes, gather indices).
pub fn tensor_i64(name: &str, dims: &[i64], data: &[i64]) -> TensorProto {
    debug_assert_eq!(
        dims.iter().product::<i64>() as usize,
        data.len(),
        "tensor {name}"
    );
    TensorProto {
        dims: dims.to_vec(),
        data_type: data_type::INT64,
        name: name.to_string(),
        raw_data: data.iter().flat_map(|x| x.to_le_bytes()).collect(),
        ..TensorProto::default()
    }
}

fn value_info(name: &str, elem_type: i32, dims: &[Dim]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Fixed(v) => dimension::Value::DimValue(*v),
                Dim::Named(s) => dimension::Value::DimParam(s.clone()),
            }),
        })
        .collect();
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(TypeTensor {
                elem_type,
                shape: Some(TensorShapeProto { dim }),
            })),
        }),
        doc_string: String::new(),
    }
}

/// Builds one graph node by node. Intermediate values get unique generated names; inputs,
/// outputs and initialisers keep the names given.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    graph: GraphProto,
    counter: usize,
    metadata: Vec<StringStringEntryProto>,
}

impl GraphBuilder {
    pub fn new(name: &str) -> GraphBuilder {
        GraphBuilder {
            graph: GraphProto {
                name: name.to_string(),
                ..GraphProto::default()
            },
            ..GraphBuilder::default()
        }
    }

    /// Declares a float graph input.
    pub fn input(&mut self, name: &str, dims: &[Dim]) -> String {
        self.graph
            .input
            .push(value_info(name, data_type::FLOAT, dims));
        name.to_string()
    }

    /// Declares an int64 graph input.
    pub fn input_i64(&mut self, name: &str, dims: &[Dim]) -> String {
        self.graph
            .input
            .push(value_info(name, data_type::INT64, dims));
        name.to_string()
    }

    /// Declares `value` (an existing value) as a float graph output named `name`.
    pub fn output(&mut self, value: &str, name: &str, dims: &[Dim]) {
        if value != name {
            let node = self.fresh("Identity");
            self.graph.node.push(NodeProto {
                input: vec![value.to_string()],
                output: vec![name.to_string()],
                name: node,
                op_type: "Identity".to_string(),
                ..NodeProto::default()
            });
        }
        self.graph
            .output
            .push(value_info(name, data_type::FLOAT, dims));
    }

    /// Adds a float initialiser (a weight) and returns its name.
    pub fn weight(&mut self, name: &str, dims: &[i64], data: &[f32]) -> String {
        self.graph.initializer.push(tensor_f32(name, dims, data));
        name.to_string()
    }

    /// Adds an int64 constant initialiser under a generated name.
    pub fn const_i64(&mut self, dims: &[i64], data: &[i64]) -> String {
        let name = self.fresh("const");
        self.graph.initializer.push(tensor_i64(&name, dims, data));
        name
    }

    /// Adds a float constant initialiser under a generated name.
    pub fn const_f32(&mut self, dims: &[i64], data: &[f32]) -> String {
        let name = self.fresh("const");
        self.graph.initializer.push(tensor_f32(&name, dims, data));
        name
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.counter += 1;
        format!("{stem}_{}", self.counter)
    }

    /// Adds a single-output node and returns the output's name.
    pub fn node(&mut self, op: &str, inputs: &[&str], attrs: &[(&str, Attr)]) -> String {
        self.node_n(op, inputs, attrs, 1).pop().expect("one output")
    }

    /// Adds a node with `outputs` outputs and returns their names.
    pub fn node_n(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: &[(&str, Attr)],
        outputs: usize,
    ) -> Vec<String> {
        let name = self.fresh(op);
        let outs: Vec<String> = (0..outputs).map(|i| format!("{name}_out{i}")).collect();
        self.graph.node.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outs.clone(),
            name,
            op_type: op.to_string(),
            attribute: attrs.iter().map(|(n, a)| attribute(n, a.clone())).collect(),
            ..NodeProto::default()
        });
        outs
    }

    /// Records a `key = value` pair in the model's metadata.
    pub fn metadata(&mut self, key: &str, value: &str) {
        self.metadata.push(StringStringEntryProto {
            key: key.to_string(),
            value: value.to_string(),
        });
    }

    /// Number of nodes so far.
    pub fn node_count(&self) -> usize {
        self.graph.node.len()
    }

    /// The finished model.
    pub fn finish(self) -> ModelProto {
        ModelProto {
            ir_version: IR_VERSION,
            producer_name: "scale".to_string(),
            producer_version: env!("CARGO_PKG_VERSION").to_string(),
            graph: Some(self.graph),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: OPSET,
            }],
            metadata_props: self.metadata,
            ..ModelProto::default()
        }
    }

    /// The finished model as protobuf bytes, ready for a `.onnx` file or a session.
    pub fn to_bytes(self) -> Vec<u8> {
        self.finish().encode_to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_models_decode_back() {
        let mut g = GraphBuilder::new("t");
        let x = g.input("x", &["batch".into(), 2.into()]);
        let w = g.weight("w", &[2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let y = g.node("MatMul", &[&x, &w], &[]);
        g.output(&y, "y", &["batch".into(), 2.into()]);
        let bytes = g.to_bytes();
        let m = ModelProto::decode(bytes.as_slice()).unwrap();
        let graph = m.graph.unwrap();
        assert_eq!(m.opset_import[0].version, 17);
        assert_eq!(graph.node.len(), 2);
        assert_eq!(graph.output[0].name, "y");
        assert_eq!(graph.node[1].output[0], "y");
        assert_eq!(graph.initializer[0].raw_data.len(), 16);
    }
}
