//! What one store knows about its snapshots: whether one is running, when the last one
//! succeeded, how many changes it has seen since, the save rules in force, whether writes
//! are refused for a persistence failure (Redis's MISCONF), and the background saver thread.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::SaveRule;
use super::config::PersistConfig;
use crate::sync::{AtomicBool, AtomicU64, Mutex, Ordering};

/// Redis's default `save 3600 1 300 100 60 10000`, in force when a store has a data folder,
/// the log is off and no rules were given.
const REDIS_DEFAULT_RULES: [(u64, u64); 3] = [(3600, 1), (300, 100), (60, 10_000)];

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
    /// The save rules in force (CONFIG SET save changes them).
    rules: Mutex<Vec<SaveRule>>,
    /// The last background save failed (Redis's `lastbgsave_status == C_ERR`); only a
    /// successful save clears it.
    bgsave_failed: AtomicBool,
    /// `stop-writes-on-bgsave-error`.
    stop_writes: AtomicBool,
    /// The flags the log's writer thread sets too (it holds no `Shared`).
    pub(crate) disk: std::sync::Arc<DiskFlags>,
    /// Successful saves (INFO's `rdb_saves`).
    pub(crate) saves_done: AtomicU64,
    /// Whole seconds the last background save took, plus one (0: none yet; INFO's
    /// `rdb_last_bgsave_time_sec` is then -1).
    last_bgsave_secs: AtomicU64,
}

/// Whether writes are refused (Redis's MISCONF), shared with the log's writer thread.
///
/// The log's failures are a count, so that a rewrite heals exactly the failures before
/// its cut (a later one still counts) without racing the writer thread.
#[derive(Debug, Default)]
pub(crate) struct DiskFlags {
    /// Writes are refused now: the one flag the write path reads (see `misconf`).
    pub(crate) refuse_writes: AtomicBool,
    /// The log's write or fsync failures so far, and how many of them a finished rewrite
    /// replaced (the log is failed while the first is ahead).
    aof_failures: AtomicU64,
    aof_healed: AtomicU64,
}

impl DiskFlags {
    /// The log's writer met an I/O error: refuse writes from now on.
    pub(crate) fn log_failed(&self) {
        self.aof_failures.fetch_add(1, Ordering::SeqCst);
        self.refuse_writes.store(true, Ordering::SeqCst);
    }

    /// How many failures the log has met (taken at a rewrite's cut).
    pub(crate) fn log_failures(&self) -> u64 {
        self.aof_failures.load(Ordering::SeqCst)
    }

    /// Whether the log has a failure no rewrite replaced.
    pub(crate) fn log_failing(&self) -> bool {
        self.aof_failures.load(Ordering::SeqCst) > self.aof_healed.load(Ordering::SeqCst)
    }

    /// Sets `refuse_writes` from the snapshot side's verdict and the log's state. A failure
    /// the writer reports meanwhile is seen by the second look (all `SeqCst`: its count
    /// moves before its flag, and this store comes before that look).
    fn set_refusal(&self, rdb: bool) {
        self.refuse_writes
            .store(rdb || self.log_failing(), Ordering::SeqCst);
        if self.log_failing() {
            self.refuse_writes.store(true, Ordering::SeqCst);
        }
    }
}

/// Unix seconds, from the system clock (LASTSAVE is wall-clock time in Redis too).
pub(crate) fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl SaveState {
    /// The state of a new store: its save rules are the given ones, or Redis's defaults
    /// when it has a data folder, no log and no rules.
    pub(crate) fn new(config: &PersistConfig) -> SaveState {
        let rules = match &config.save_rules {
            Some(given) => given.clone(),
            None if config.dir.is_some() && !config.aof_on() => REDIS_DEFAULT_RULES
                .iter()
                .map(|&(s, c)| SaveRule::new(Duration::from_secs(s), c))
                .collect(),
            None => Vec::new(),
        };
        SaveState {
            snapshot_busy: AtomicBool::new(false),
            bgsave_running: AtomicBool::new(false),
            last_save: AtomicU64::new(unix_secs()),
            last_failure: AtomicU64::new(0),
            last_ok: AtomicBool::new(true),
            clocks_at_save: AtomicU64::new(0),
            saver: OnceLock::new(),
            rules: Mutex::new(rules),
            bgsave_failed: AtomicBool::new(false),
            stop_writes: AtomicBool::new(true),
            disk: std::sync::Arc::new(DiskFlags::default()),
            saves_done: AtomicU64::new(0),
            last_bgsave_secs: AtomicU64::new(0),
        }
    }

    /// The save rules in force.
    pub(crate) fn rules(&self) -> Vec<SaveRule> {
        self.rules.lock().clone()
    }

    /// Puts `rules` in force (CONFIG SET save).
    pub(crate) fn set_rules(&self, rules: Vec<SaveRule>) {
        *self.rules.lock() = rules;
        self.update_refusal();
    }

    pub(crate) fn stop_writes(&self) -> bool {
        self.stop_writes.load(Ordering::Acquire)
    }

    /// `stop-writes-on-bgsave-error`.
    pub(crate) fn set_stop_writes(&self, on: bool) {
        self.stop_writes.store(on, Ordering::Release);
        self.update_refusal();
    }

    /// Whether the last background save failed.
    pub(crate) fn bgsave_failed(&self) -> bool {
        self.bgsave_failed.load(Ordering::Acquire)
    }

    /// A rewrite replaced the log: the failures the writer had met at its cut no longer
    /// count (the new base holds what they lost).
    pub(crate) fn aof_recovered(&self, failures_at_cut: u64) {
        self.disk
            .aof_healed
            .fetch_max(failures_at_cut, Ordering::SeqCst);
        self.update_refusal();
    }

    /// A background save took `took` (successful or not, as Redis times it).
    pub(crate) fn bgsave_took(&self, took: Duration) {
        self.last_bgsave_secs
            .store(took.as_secs().saturating_add(1), Ordering::Release);
    }

    /// INFO's `rdb_last_bgsave_time_sec`: -1 before the first background save.
    pub(crate) fn last_bgsave_secs(&self) -> i64 {
        let n = self.last_bgsave_secs.load(Ordering::Acquire);
        i64::try_from(n).map_or(i64::MAX, |n| n - 1)
    }

    /// Recomputes `refuse_writes` (Redis's `writeCommandsDeniedByDiskError`).
    /// Runs under the rules' lock, so two updates cannot store stale verdicts out of order.
    fn update_refusal(&self) {
        let rules = self.rules.lock();
        let rdb = self.stop_writes() && self.bgsave_failed() && !rules.is_empty();
        self.disk.set_refusal(rdb);
    }

    /// A save succeeded at the instant whose clock sum is `clocks`.
    pub(crate) fn saved(&self, clocks: u64) {
        self.last_save.store(unix_secs(), Ordering::Release);
        self.clocks_at_save.store(clocks, Ordering::Release);
        self.last_ok.store(true, Ordering::Release);
        self.saves_done.fetch_add(1, Ordering::Relaxed);
        if self.bgsave_failed.swap(false, Ordering::AcqRel) {
            self.update_refusal();
        }
    }

    /// A save failed; `background` for BGSAVE and the save rules' saves (a failed SAVE
    /// answers its caller and, as in Redis, leaves the background status alone).
    pub(crate) fn failed(&self, background: bool) {
        self.last_failure.store(unix_secs(), Ordering::Release);
        self.last_ok.store(false, Ordering::Release);
        if background {
            self.bgsave_failed.store(true, Ordering::Release);
            self.update_refusal();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::SaveState;
    use crate::persist::config::PersistConfig;
    use crate::sync::Ordering;

    #[test]
    fn a_rewrite_heals_only_the_log_failures_before_its_cut() {
        let saves = SaveState::new(&PersistConfig::default());
        let refused = || saves.disk.refuse_writes.load(Ordering::SeqCst);
        saves.disk.log_failed();
        let at_cut = saves.disk.log_failures();
        saves.disk.log_failed(); // after the cut: on the new file
        saves.aof_recovered(at_cut);
        assert!(refused(), "a failure after the cut still refuses writes");
        saves.aof_recovered(saves.disk.log_failures());
        assert!(!refused());
        // A snapshot-side update keeps a log failure in force.
        saves.disk.log_failed();
        saves.set_stop_writes(false);
        assert!(refused());
    }
}
