//! ONNX Runtime: where the shared library is, the one process-wide environment, and sessions.
//!
//! `build.rs` bakes the path of the library it provided into the crate (`SCALE_ORT_DYLIB`), so no
//! environment variable is needed at run time; `ORT_DYLIB_PATH` still overrides it. ONNX Runtime
//! allows one environment per process, so it lives in a `OnceLock` and every session is built
//! from it.

use ort::environment::Environment;
use ort::session::Session;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Path of the ONNX Runtime library this build was made with.
pub const BUILT_WITH_DYLIB: &str = env!("SCALE_ORT_DYLIB");
/// Where that library came from (the pinned wheel, or `ORT_DYLIB_PATH`).
pub const BUILT_WITH_SOURCE: &str = env!("SCALE_ORT_SOURCE");

/// Errors of the runtime layer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    #[error(
        "ONNX Runtime library not found at {0}; rebuild (`cargo build`) to fetch it again, or set ORT_DYLIB_PATH to a libonnxruntime.so"
    )]
    LibraryMissing(PathBuf),
    #[error("cannot load ONNX Runtime from {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("ONNX Runtime: {0}")]
    Ort(String),
}

impl<T> From<ort::Error<T>> for RuntimeError {
    fn from(e: ort::Error<T>) -> RuntimeError {
        RuntimeError::Ort(e.to_string())
    }
}

/// The library that will be loaded: `ORT_DYLIB_PATH` if set, else the one the build provided.
pub fn dylib_path() -> PathBuf {
    std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(BUILT_WITH_DYLIB))
}

/// The process-wide ONNX Runtime environment, created on first use.
pub fn environment() -> Result<&'static Environment, RuntimeError> {
    static ENV: OnceLock<Result<Environment, RuntimeError>> = OnceLock::new();
    ENV.get_or_init(|| {
        let path = dylib_path();
        if !path.is_file() {
            return Err(RuntimeError::LibraryMissing(path));
        }
        let builder = ort::init_from(&path).map_err(|e| RuntimeError::Load {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(builder.with_name("scale").build()?)
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The loaded library's own version string (`OrtGetApiBase()->GetVersionString()`, e.g. "1.32.0").
pub fn version() -> Result<String, RuntimeError> {
    environment()?;
    let path = dylib_path();
    let load_err = |e: libloading::Error| RuntimeError::Load {
        path: path.clone(),
        message: e.to_string(),
    };
    // SAFETY: the library is already loaded by the environment, so this only takes another
    // reference to it; OrtGetApiBase has this signature in every ONNX Runtime release, and the
    // version string it hands out is static and NUL-terminated.
    unsafe {
        let lib = libloading::Library::new(&path).map_err(load_err)?;
        let get_base: libloading::Symbol<
            '_,
            unsafe extern "C" fn() -> *const ort::sys::OrtApiBase,
        > = lib.get(b"OrtGetApiBase").map_err(load_err)?;
        let base = get_base();
        if base.is_null() {
            return Err(RuntimeError::Ort("OrtGetApiBase returned null".into()));
        }
        let v = std::ffi::CStr::from_ptr(((*base).GetVersionString)());
        Ok(v.to_string_lossy().into_owned())
    }
}

/// Execution providers compiled into the loaded library (e.g. `CPUExecutionProvider`).
pub fn available_providers() -> Result<Vec<String>, RuntimeError> {
    environment()?;
    let api = ort::api();
    let mut list: *mut *mut std::ffi::c_char = std::ptr::null_mut();
    let mut len: std::ffi::c_int = 0;
    // SAFETY: the API pointer is valid once the environment exists; on success `list` holds
    // `len` NUL-terminated strings that we copy out before releasing them.
    let status = unsafe { (api.GetAvailableProviders)(&mut list, &mut len) };
    if !status.0.is_null() {
        unsafe { (api.ReleaseStatus)(status.0) };
        return Err(RuntimeError::Ort("GetAvailableProviders failed".into()));
    }
    let mut out = Vec::with_capacity(len.max(0) as usize);
    for i in 0..len.max(0) as usize {
        // SAFETY: i < len, and each entry is a valid C string owned by ONNX Runtime.
        let s = unsafe { std::ffi::CStr::from_ptr(*list.add(i)) };
        out.push(s.to_string_lossy().into_owned());
    }
    let status = unsafe { (api.ReleaseAvailableProviders)(list, len) };
    if !status.0.is_null() {
        unsafe { (api.ReleaseStatus)(status.0) };
    }
    Ok(out)
}

/// Where a session runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    #[default]
    Cpu,
    /// ONNX Runtime's CUDA execution provider on GPU 0, registered with error-on-failure: if it
    /// cannot be used the session is not made (no silent CPU fallback).
    Cuda,
}

impl std::str::FromStr for Device {
    type Err = String;
    fn from_str(s: &str) -> Result<Device, String> {
        match s {
            "cpu" => Ok(Device::Cpu),
            "cuda" => Ok(Device::Cuda),
            other => Err(format!("unknown device {other:?} (expected cpu or cuda)")),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        })
    }
}

/// Threading and placement of one session. On a 2-core machine one intra-op thread without
/// spinning gives the steadiest latency; more threads help large batches only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionOptions {
    pub intra_threads: usize,
    pub device: Device,
}

impl Default for SessionOptions {
    fn default() -> SessionOptions {
        SessionOptions {
            intra_threads: 1,
            device: Device::Cpu,
        }
    }
}

/// Whether `--device cuda` can work in this build and process, and if not, why.
pub fn cuda_status() -> Result<(), String> {
    if !cfg!(feature = "cuda") {
        return Err("this build has no CUDA support: rebuild with `--features cuda`".into());
    }
    let providers = available_providers().map_err(|e| e.to_string())?;
    if providers.iter().any(|p| p == "CUDAExecutionProvider") {
        Ok(())
    } else {
        Err(format!(
            "the loaded ONNX Runtime ({}) has no CUDAExecutionProvider (it has: {})",
            dylib_path().display(),
            providers.join(", ")
        ))
    }
}

/// A session for an in-memory model on the device `options` names.
pub fn session(model: &[u8], options: SessionOptions) -> Result<Session, RuntimeError> {
    let env = environment()?;
    let builder = Session::builder(env)?
        .with_intra_threads(options.intra_threads.max(1))?
        .with_intra_op_spinning(false)?;
    let mut builder = match options.device {
        Device::Cpu => builder,
        Device::Cuda => {
            cuda_status().map_err(RuntimeError::Ort)?;
            with_cuda(builder)?
        }
    };
    Ok(builder.commit_from_memory(model)?)
}

#[cfg(feature = "cuda")]
fn with_cuda(
    builder: ort::session::builder::SessionBuilder,
) -> Result<ort::session::builder::SessionBuilder, RuntimeError> {
    Ok(builder.with_execution_providers([ort::ep::CUDA::default().build().error_on_failure()])?)
}

#[cfg(not(feature = "cuda"))]
fn with_cuda(
    _builder: ort::session::builder::SessionBuilder,
) -> Result<ort::session::builder::SessionBuilder, RuntimeError> {
    Err(RuntimeError::Ort(
        "this build has no CUDA support: rebuild with `--features cuda`".into(),
    ))
}

/// A CPU session for an in-memory model.
pub fn cpu_session(model: &[u8], options: SessionOptions) -> Result<Session, RuntimeError> {
    session(
        model,
        SessionOptions {
            device: Device::Cpu,
            ..options
        },
    )
}
