//! The streaming path (work in progress towards `scale serve`): today the sliding-window
//! assembler over per-body ring buffers ([`window`]).

pub mod window;
