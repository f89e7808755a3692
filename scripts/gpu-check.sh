#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU: builds scale with ONNX Runtime's CUDA execution
# provider, shows what `scale doctor` finds, and prints the `scale bench --device cuda` table
# (CUDA first, then CPU with 1 and 2 threads, then frame-to-label over loopback ZeroMQ).
#
#   bash scripts/gpu-check.sh            # the table, and the JSON line at the end
#
# Needs: an NVIDIA driver (nvidia-smi), and the CUDA 12 / cuDNN 9 user-space libraries that
# onnxruntime-gpu 1.31 loads (libcudart.so.12, libcublas(Lt).so.12, libcufft.so.11,
# libcurand.so.10, libcudnn.so.9). If they are not on the system, they are taken from NVIDIA's
# PyPI wheels into .venv-gpu (needs PyPI, like build.rs), or give them with
# SCALE_CUDA_LIBS=/dir1:/dir2. --device cuda fails loudly when the provider cannot start: the
# numbers printed for cuda are never a silent CPU fallback.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
LIBS="${SCALE_CUDA_LIBS:-}"
if [ -z "$LIBS" ] && ! { have_lib libcublasLt.so.12 && have_lib libcudnn.so.9 && have_lib libcudart.so.12; }; then
  echo "== CUDA 12 / cuDNN 9 libraries from PyPI into .venv-gpu"
  [ -x .venv-gpu/bin/python ] || python3 -m venv .venv-gpu
  .venv-gpu/bin/pip install --quiet --disable-pip-version-check \
    nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-curand-cu12 \
    "nvidia-cudnn-cu12>=9,<10" nvidia-cuda-nvrtc-cu12
  LIBS=$(find "$PWD/.venv-gpu" -path '*/nvidia/*/lib' -type d | paste -sd: -)
fi
if [ -n "$LIBS" ]; then
  export LD_LIBRARY_PATH="$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

echo "== build (release, --features cuda: onnxruntime-gpu from PyPI via build.rs)"
cargo build --release --features cuda

echo "== scale doctor"
./target/release/scale doctor

echo "== scale bench --device cuda"
./target/release/scale bench --device cuda --windows 1000 --loopback-seconds 10
