//! The streaming path: the sliding-window assembler over per-body ring buffers ([`window`]), the
//! engine that turns a window into a label ([`engine`]), action events from the labels
//! ([`events`]), the server that connects them to
//! ZeroMQ ([`server`]), its live vocabulary and control socket ([`vocabulary`], [`control`]), the live view
//! ([`view`]),
//! the recording publisher ([`replay`]) and recorder ([`record`]), counters and latency statistics
//! ([`stats`]), the socket helpers ([`net`]), the labels publisher with bounded subscriber queues
//! ([`publisher`]) and the in-process loopback run ([`loopback`]).

pub mod control;
pub mod engine;
pub mod events;
pub mod loopback;
pub mod net;
pub mod publisher;
pub mod record;
pub mod replay;
pub mod server;
pub mod stats;
pub mod view;
pub mod vocabulary;
pub mod window;
