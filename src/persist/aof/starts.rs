//! Data folders whose log a `CONFIG SET appendonly yes` thread is still bringing up, so
//! that `Store::open` of such a folder waits for that thread instead of running a second
//! log beside it.
//!
//! The start's thread holds the store while it snapshots and lists the new base: when the
//! last handle drops meanwhile (or a moment after the start ended), the store, and its
//! log, live on that thread until it ends. A reopen of the folder in that window would
//! load the folder half-written, then both stores would write (and rename over) the same
//! files. Redis refuses to exit while its first log is written ("Writing initial AOF,
//! can't exit."); a library cannot refuse a drop, so the next open waits instead. The wait
//! is bounded by the start's own work: it never waits for a store that is merely open.

use std::path::{Path, PathBuf};

use parking_lot::{Condvar, Mutex};

/// Folders with a start thread running (one entry per thread).
static STARTING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Signalled when an entry goes.
static ENDED: Condvar = Condvar::new();

/// The folder's identity: its canonical path when it has one.
fn key(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// A start thread's entry: dropping it (last thing the thread does, after it let go of
/// the store) lets opens of the folder go on.
pub(crate) struct Claim(PathBuf);

impl Claim {
    /// Lists `dir` as having a start under way.
    pub(crate) fn new(dir: &Path) -> Claim {
        let dir = key(dir);
        STARTING.lock().push(dir.clone());
        Claim(dir)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut list = STARTING.lock();
        if let Some(at) = list.iter().position(|d| *d == self.0) {
            list.swap_remove(at);
        }
        ENDED.notify_all();
    }
}

/// Waits until no start thread of `dir` runs (`Store::open`, before it reads the folder).
pub(crate) fn wait_for_starts(dir: &Path) {
    let dir = key(dir);
    let mut list = STARTING.lock();
    while list.contains(&dir) {
        ENDED.wait(&mut list);
    }
}
