//! File helpers of the registry: JSON in and out, and writes that land whole or not at all
//! (temporary file in the same folder, flushed, then renamed over the target).

use super::{RegistryError, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError {
    let path = path.to_path_buf();
    move |source| RegistryError::Io { path, source }
}

/// Reads and parses a JSON file.
pub(super) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|source| RegistryError::Corrupt {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes pretty JSON to a new file, flushed to disk.
pub(super) fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_vec_pretty(value).map_err(|source| RegistryError::Corrupt {
        path: path.to_path_buf(),
        source,
    })?;
    write_bytes(path, &text)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// The temporary sibling of `path` used by atomic writes.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Replaces `path` with JSON of `value` atomically.
pub(super) fn write_atomically<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let tmp = temporary(path);
    write_json(&tmp, value)?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Replaces `path` with `text` (and a newline) atomically, creating its folder if needed.
pub(super) fn write_text_atomically(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let tmp = temporary(path);
    write_bytes(&tmp, format!("{text}\n").as_bytes())?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Names of the version folders under `root` (hidden and temporary ones left out); none when
/// the folder does not exist yet.
pub(super) fn version_dirs(root: &Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(root)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.path().join("model.json").is_file() {
            out.push(name);
        }
    }
    Ok(out)
}
