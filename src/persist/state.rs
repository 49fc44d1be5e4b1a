//! What one store knows about its snapshots: whether one is running, when the last one
//! succeeded, how many changes it has seen since, and the background saver thread.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::sync::{AtomicBool, AtomicU64, Ordering};

/// The snapshot state of one store (in `Shared`).
#[derive(Debug)]
pub(crate) struct SaveState {
    /// One snapshot at a time per store: SAVE, BGSAVE and the AOF rewrite share it.
    pub(crate) snapshot_busy: AtomicBool,
    /// A BGSAVE was asked for and has not finished (Redis's `child_type == CHILD_TYPE_RDB`).
    pub(crate) bgsave_running: AtomicBool,
    /// Unix seconds of the last successful save (the store's start until then, as Redis).
    pub(crate) last_save: AtomicU64,
    /// Unix seconds of the last failed background save attempt (0: none), and whether the
    /// last one failed: a failed save is retried after 5 s, as Redis's
    /// `CONFIG_BGSAVE_RETRY_DELAY`.
    pub(crate) last_failure: AtomicU64,
    pub(crate) last_ok: AtomicBool,
    /// The sum of the shards' write clocks at the instant of the last saved snapshot.
    pub(crate) clocks_at_save: AtomicU64,
    /// The background saver (BGSAVE and the save rules), started with a data folder.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) saver: OnceLock<super::saver::Saver>,
}

/// Unix seconds, from the system clock (LASTSAVE is wall-clock time in Redis too).
pub(crate) fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Default for SaveState {
    fn default() -> Self {
        SaveState {
            snapshot_busy: AtomicBool::new(false),
            bgsave_running: AtomicBool::new(false),
            last_save: AtomicU64::new(unix_secs()),
            last_failure: AtomicU64::new(0),
            last_ok: AtomicBool::new(true),
            clocks_at_save: AtomicU64::new(0),
            saver: OnceLock::new(),
        }
    }
}

impl SaveState {
    pub(crate) fn saved(&self, clocks: u64) {
        self.last_save.store(unix_secs(), Ordering::Release);
        self.clocks_at_save.store(clocks, Ordering::Release);
        self.last_ok.store(true, Ordering::Release);
    }

    pub(crate) fn failed(&self) {
        self.last_failure.store(unix_secs(), Ordering::Release);
        self.last_ok.store(false, Ordering::Release);
    }
}
