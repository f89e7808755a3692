//! The companion trainer (burn, Flex CPU backend): Shift-GCN pre-training on the seen classes,
//! the SCALE CVAE on frozen features, and the conversions to the plain weights that the
//! exporters and checkpoints use.

pub mod baseline;
pub mod cvae;
pub mod data;
pub mod diagnostics;
pub mod encoder;
pub mod features;
pub mod pipeline;
pub mod scale;
pub mod shift_gcn;

use burn::tensor::Device;

/// The training device: burn's Flex CPU backend (or CUDA with the `train-cuda` feature), with
/// autodiff when `autodiff` is set.
pub fn device(autodiff: bool) -> Device {
    #[cfg(feature = "train-cuda")]
    let d = Device::cuda(0);
    #[cfg(not(feature = "train-cuda"))]
    let d = Device::flex();
    if autodiff { d.autodiff() } else { d }
}
