//! `scale`: real-time, zero-shot recognition of human actions in live 3-D skeleton streams.
//!
//! Major components, in data-path order:
//! - [`skeleton`]: the 25-joint Kinect v2 body, the Azure Kinect mapping, and the one
//!   normalisation shared by training, evaluation and streaming;
//! - [`ntu`]: NTU RGB+D `.skeleton` files and the dataset's protocols and splits;
//! - [`protocol`]: the wire formats of skeleton frames and labels (JSON and binary);
//! - [`onnx`]: the project's own ONNX writer, used by every exporter;
//! - [`runtime`]: ONNX Runtime loading and sessions (one environment per process);
//! - [`cli`]: the `scale` command's subcommands (the binary only parses flags).

pub mod catalog;
pub mod cli;
pub mod evaluation;
pub mod export;
pub mod inference;
pub mod mocap;
pub mod model;
pub mod ntu;
pub mod onnx;
pub mod protocol;
pub mod recording;
pub mod rng;
pub mod runtime;
pub mod skeleton;
pub mod stream;
pub mod synth;
pub mod text;
pub mod train;
pub mod wheel;
