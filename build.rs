//! Build script: provides the ONNX Runtime shared library that `ort` loads at run time.
//!
//! `ort`'s own binary download needs hosts these machines cannot reach, so the library is taken
//! from the official PyPI wheel instead (`pip download`, fixed platform tags, sha256-pinned) and
//! cached outside `target/` so that `cargo clean` does not download it again. The path is baked
//! into the crate as `SCALE_ORT_DYLIB`, so the binary finds the library without any environment
//! variable. `ORT_DYLIB_PATH` (at build time) replaces all of this with a library of your own.

#[path = "src/wheel.rs"]
#[allow(dead_code)]
mod wheel;

use std::env;
use std::path::{Path, PathBuf};

/// One pinned wheel: where ONNX Runtime comes from for one (package, arch) pair.
struct Pin {
    package: &'static str,
    version: &'static str,
    arch: &'static str,
    sha256: &'static str,
}

const WHEELS: &[Pin] = &[
    Pin {
        package: "onnxruntime",
        version: "1.32.0",
        arch: "x86_64",
        sha256: "5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d",
    },
    Pin {
        package: "onnxruntime",
        version: "1.32.0",
        arch: "aarch64",
        sha256: "2303372a85299b6757b0e11e1cbf13e410ddf7e10c37f4b37e99d1c90e7daf7c",
    },
    Pin {
        package: "onnxruntime-gpu",
        version: "1.31.1",
        arch: "x86_64",
        sha256: "e26c475fe361b2015f45b4b824bd13f0bb20204e59b62814e6f0acd5f3d491a6",
    },
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in [
        "ORT_DYLIB_PATH",
        "SCALE_CACHE_DIR",
        "SCALE_ORT_WHEEL",
        "XDG_CACHE_HOME",
        "HOME",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    if let Some(path) = env::var_os("ORT_DYLIB_PATH") {
        let path = PathBuf::from(path);
        if !path.is_file() {
            fail(&format!(
                "ORT_DYLIB_PATH points at {}, which is not a file.\n\
                 Point it at an ONNX Runtime 1.3x shared library (libonnxruntime.so.*), or unset it \
                 to let the build fetch the pinned wheel from PyPI.",
                path.display()
            ));
        }
        emit(&path, "ORT_DYLIB_PATH");
        return;
    }

    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let cuda = env::var_os("CARGO_FEATURE_CUDA").is_some();
    let package = if cuda {
        "onnxruntime-gpu"
    } else {
        "onnxruntime"
    };
    if os != "linux" {
        fail(&format!(
            "this build fetches ONNX Runtime for Linux only (target os: {os}).\n\
             Set ORT_DYLIB_PATH to your platform's onnxruntime shared library (1.31 or newer)."
        ));
    }
    let Some(pin) = WHEELS
        .iter()
        .find(|w| w.package == package && w.arch == arch)
    else {
        fail(&format!(
            "no pinned {package} wheel for {arch}.\n\
             Set ORT_DYLIB_PATH to an onnxruntime shared library (1.31 or newer) for this machine."
        ));
    };

    let dir = wheel::cache_root()
        .join("onnxruntime")
        .join(format!("{}-{}-{}", pin.package, pin.version, pin.arch));
    let lib = dir.join(format!("libonnxruntime.so.{}", pin.version));
    let platform_args: Vec<String> = [
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--platform",
        &format!("manylinux_2_27_{}", pin.arch),
        "--platform",
        &format!("manylinux_2_28_{}", pin.arch),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let spec = wheel::Wheel {
        package: pin.package,
        version: pin.version,
        sha256: pin.sha256,
        platform_args: &platform_args,
        member_prefix: "onnxruntime/capi/",
        patterns: &["libonnxruntime*.so*"],
    };
    if !(wheel::is_installed(&spec, &dir) && lib.is_file()) {
        let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        let local = env::var_os("SCALE_ORT_WHEEL").map(PathBuf::from);
        if let Err(e) = wheel::install(&spec, local.as_deref(), &out.join("wheel-download"), &dir) {
            fail(&format!(
                "{e}\n\
                 To build offline, do one of:\n\
                 - build once with network access: the library is then cached in {}\n\
                 - set SCALE_ORT_WHEEL to a downloaded copy of the wheel ({}=={}, cp311, manylinux {})\n\
                 - set ORT_DYLIB_PATH to an existing libonnxruntime.so (1.31 or newer)",
                dir.display(),
                pin.package,
                pin.version,
                pin.arch
            ));
        }
    }
    println!("cargo:rerun-if-changed={}", lib.display());
    emit(&lib, &format!("{} {} wheel", pin.package, pin.version));
}

fn emit(lib: &Path, source: &str) {
    println!("cargo:rustc-env=SCALE_ORT_DYLIB={}", lib.display());
    println!("cargo:rustc-env=SCALE_ORT_SOURCE={source}");
}

fn fail(message: &str) -> ! {
    eprintln!("\nscale build: ONNX Runtime is not available.\n{message}\n");
    std::process::exit(1);
}
