//! SAVE and BGSAVE: `dump.rdb` written to a temporary name, fsynced, renamed over the old
//! file, and the folder fsynced, so a crash at any point leaves the old file or the new one.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::rdb::{self, WriteReport};
use crate::shared::Shared;

/// The snapshot file's name in the data folder (Redis's default `dbfilename`).
pub(crate) const DUMP_FILE: &str = "dump.rdb";

/// Why a save did not happen.
#[derive(Debug)]
pub(crate) enum SaveError {
    /// The store has no data folder.
    NoDir,
    /// Another snapshot (BGSAVE, or an AOF rewrite) is running.
    Busy,
    Io(io::Error),
}

impl SaveError {
    /// The error reply for SAVE (Redis answers a failed save with a bare `ERR`).
    pub(crate) fn reply_text(&self) -> String {
        match self {
            SaveError::NoDir => super::NO_DIR.to_string(),
            SaveError::Busy => "ERR Background save already in progress".to_string(),
            SaveError::Io(e) => format!("ERR saving dump.rdb failed: {e}"),
        }
    }
}

impl From<SaveError> for crate::Error {
    fn from(e: SaveError) -> crate::Error {
        match e {
            SaveError::Io(e) => crate::Error::Persistence(format!("saving dump.rdb failed: {e}")),
            other => crate::Error::Reply(other.reply_text()),
        }
    }
}

/// Writes a snapshot to `<data_dir>/dump.rdb` now, on the calling thread, and records it;
/// `background` for BGSAVE and the save rules (whose failure refuses writes, see `misconf`).
///
/// # Errors
///
/// [`SaveError::NoDir`] without a data folder, [`SaveError::Busy`] while another snapshot
/// runs, [`SaveError::Io`] when the file cannot be written (the old file then stays).
pub(crate) fn save(shared: &Shared, background: bool) -> Result<WriteReport, SaveError> {
    let Some(dir) = shared.config.persist.dir.as_deref() else {
        return Err(SaveError::NoDir);
    };
    let started = std::time::Instant::now();
    let result = write_atomically(dir, DUMP_FILE, |out| rdb::write(shared, out));
    if background && !matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
        shared.saves.bgsave_took(started.elapsed());
    }
    match result {
        Ok(report) => {
            shared.saves.saved(report.clocks);
            Ok(report)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(SaveError::Busy),
        Err(e) => {
            shared.saves.failed(background);
            Err(SaveError::Io(e))
        }
    }
}

/// Writes `<dir>/<name>` through `fill`: into a temporary file of the same folder, flushed
/// and fsynced, then renamed over `name`, then the folder fsynced (so the rename itself is
/// durable). On any error the temporary file is removed and `name` is untouched.
///
/// # Errors
///
/// The first error of creating the folder or file, of `fill`, of syncing or renaming.
pub(crate) fn write_atomically<T>(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<T>,
) -> io::Result<T> {
    fs::create_dir_all(dir)?;
    let temp = temp_name(dir);
    let result = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        let value = fill(&mut out)?;
        out.flush()?;
        out.get_ref().sync_all()?;
        drop(out);
        fs::rename(&temp, dir.join(name))?;
        sync_dir(dir)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// `temp-<pid>-<n>.rdb`, as Redis names its temporary snapshots (unique per process and
/// save, so two stores on one folder never write the same temporary file).
fn temp_name(dir: &Path) -> PathBuf {
    // std's atomic even under loom: a process-wide name counter is no part of any model.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("temp-{}-{n}.rdb", std::process::id()))
}

/// Makes a rename in `dir` durable (a no-op where folders cannot be opened, e.g. Windows).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
