//! Crash-safe file steps: write to a temp name, fsync, rename, fsync the folder, so a crash
//! at any point leaves either the old file or the new one.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// A persistence error about `file` (no offset: the file could not be used at all).
pub(crate) fn io_error(file: &Path, e: &std::io::Error) -> Error {
    Error::Persistence(format!("{}: {e}", file.display()))
}

/// A persistence error about `file` at byte `offset`.
pub(crate) fn damaged(file: &Path, offset: u64, reason: impl std::fmt::Display) -> Error {
    Error::Persistence(format!("{}: at byte {offset}: {reason}", file.display()))
}

/// Makes the name changes in `dir` durable (a rename or create is not, until then).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, &e))
}

/// Replaces `dir/name` with `bytes` atomically: temp file, fsync, rename, folder fsync.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let tmp = dir.join(format!("temp-{name}"));
    let target = dir.join(name);
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)
    };
    write().map_err(|e| io_error(&target, &e))?;
    sync_dir(dir)
}

/// Creates `dir/name` holding `head`, fsynced and its name made durable; returns it open for
/// appending.
pub(crate) fn create_log(dir: &Path, name: &str, head: &[u8]) -> Result<File, Error> {
    let path = dir.join(name);
    let make = || -> std::io::Result<File> {
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)?;
        f.write_all(head)?;
        f.sync_all()?;
        Ok(f)
    };
    let f = make().map_err(|e| io_error(&path, &e))?;
    sync_dir(dir)?;
    Ok(f)
}

/// Opens an existing log file for appending at its end.
pub(crate) fn open_append(path: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| io_error(path, &e))
}

/// Reads a whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| io_error(path, &e))
}

/// Cuts `path` to `len` bytes and makes that durable (a torn tail's repair).
pub(crate) fn truncate(path: &Path, len: u64) -> Result<(), Error> {
    let cut = || -> std::io::Result<()> {
        let f = OpenOptions::new().write(true).open(path)?;
        f.set_len(len)?;
        f.sync_all()
    };
    cut().map_err(|e| io_error(path, &e))
}

/// A new file to stream into (the temp name of a base image).
pub(crate) fn create(path: &Path) -> Result<std::io::BufWriter<File>, Error> {
    File::create(path)
        .map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| io_error(path, &e))
}

/// Flushes and fsyncs a streamed temp file, then renames it to `target` (the caller fsyncs
/// the folder).
pub(crate) fn finish(
    out: std::io::BufWriter<File>,
    tmp: &Path,
    target: &Path,
) -> Result<(), Error> {
    let done = || -> std::io::Result<()> {
        let f = out
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        fs::rename(tmp, target)
    };
    done().map_err(|e| io_error(target, &e))
}
