//! ONNX exporters of the trained models, all through the project's ONNX writer: the Shift-GCN
//! encoder ([`shift_gcn`]) and the SCALE energy head ([`energy_head`]).

pub mod energy_head;
pub mod shift_gcn;
