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

/// For `skip_serializing_if`: a setting left at 0 (off) stays out of the recorded configs, so
/// that configs written before the setting existed read and write the same.
fn is_zero(v: &f32) -> bool {
    *v == 0.0
}

/// For `skip_serializing_if` with [`one`]: one copy of the extra clips, the default.
fn is_one(v: &usize) -> bool {
    *v == 1
}

/// The default copy count of the extra clips.
fn one() -> usize {
    1
}

/// The training device: burn's Flex CPU backend (or CUDA with the `train-cuda` feature), with
/// autodiff when `autodiff` is set.
pub fn device(autodiff: bool) -> Device {
    #[cfg(feature = "train-cuda")]
    let d = Device::cuda(0);
    #[cfg(not(feature = "train-cuda"))]
    let d = Device::flex();
    if autodiff { d.autodiff() } else { d }
}
