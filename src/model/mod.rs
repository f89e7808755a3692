//! Model definitions as plain data, shared by the trainer, checkpoints and exporters: the
//! Shift-GCN encoder ([`shift_gcn`]), the SCALE CVAE ([`cvae`]), named tensors ([`tensors`]) and
//! the model folder ([`folder`]).

pub mod cvae;
pub mod folder;
pub mod shift_gcn;
pub mod tensors;
