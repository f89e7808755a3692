//! The streaming path (work in progress towards `scale serve`): the sliding-window assembler over
//! per-body ring buffers ([`window`]) and the engine that turns a window into a label message
//! ([`engine`]).

pub mod engine;
pub mod window;
