//! Persistence: the append-only log, RDB snapshots, DUMP/RESTORE payloads.
//!
//! Off unless [`Config::data_dir`](crate::Config::data_dir) names a folder. The folder is a
//! Redis 7 data folder: `dump.rdb` for snapshots and `appendonlydir/` for the multi-part AOF.
//!
//! - `rdb/`: the RDB format (files and DUMP payloads), read and written;
//! - `snapshot`: the consistent point-in-time image both SAVE/BGSAVE and the AOF rewrite
//!   write;
//! - `save`, `saver`, `state`: SAVE, BGSAVE, the save rules, LASTSAVE;
//! - `commands`: the DUMP, RESTORE, SAVE, BGSAVE and LASTSAVE rows; `functions`: FUNCTION's
//!   row (its DUMP and RESTORE);
//! - `api`: `Store::save`, `Store::bgsave`, `Store::last_save`;
//! - `aof/`: the append-only log (writer, manifest, loading, rewrite, BGREWRITEAOF);
//! - `files`: crash-safe file steps; `open`: what `Store::open` does with the folder.

pub(crate) mod aof;
mod api;
pub(crate) mod commands;
mod config;
pub(crate) mod files;
pub(crate) mod functions;
pub(crate) mod holds;
pub(crate) mod misconf;
mod open;
pub(crate) mod rdb;
pub(crate) mod save;
// The saver thread is not started under loom.
#[cfg_attr(loom, allow(dead_code))]
mod saver;
pub(crate) mod snapshot;
pub(crate) mod state;

use std::sync::Arc;

pub(crate) use config::PersistConfig;
pub use config::{Fsync, SaveRule};
#[doc(hidden)]
pub use holds::Holds as SnapshotHolds;
pub(crate) use open::open;

use crate::shared::Shared;
use crate::sync::Ordering;

/// The error SAVE, BGSAVE and `Store::save` answer on a store without a data folder
/// (Redis always has one; this text is redlite's).
pub(crate) const NO_DIR: &str =
    "ERR persistence is off: this store has no data folder (see Config::data_dir)";

/// Starts the store's background saver if it has a data folder (called once, at creation).
pub(crate) fn start(shared: &Arc<Shared>) {
    shared.aof.bind(shared);
    #[cfg(not(loom))]
    if shared.config.persist.dir.is_some() {
        if let Some(saver) = saver::Saver::spawn(Arc::downgrade(shared)) {
            let _ = shared.saves.saver.set(saver);
        }
    }
    #[cfg(loom)]
    let _ = shared;
}

/// Writes counted since the last saved snapshot's instant (the sum of the shards' version
/// clocks moves once per signalled write; a WATCH moves it too, which only makes a rule fire
/// a little early).
#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn changes_since_save(shared: &Shared) -> u64 {
    // Every database made, as the snapshot's own sum at its instant counts them.
    let ks = &shared.keyspace;
    let now: u64 = ks
        .made()
        .flat_map(|db| (0..ks.shard_count()).map(move |i| ks.base(db) + i))
        .map(|i| ks.shard(i).read().write_clock())
        .fold(0, u64::wrapping_add);
    now.wrapping_sub(shared.saves.clocks_at_save.load(Ordering::Acquire))
}

/// How BGSAVE went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bgsave {
    Started,
    Scheduled,
}

/// Asks the saver for a background snapshot (BGSAVE; `schedule`: BGSAVE SCHEDULE).
///
/// # Errors
///
/// Redis's texts: a BGSAVE already running, another snapshot (an AOF rewrite) running
/// without `schedule`; and [`NO_DIR`] without a data folder.
pub(crate) fn bgsave(shared: &Shared, schedule: bool) -> Result<Bgsave, &'static str> {
    let saves = &shared.saves;
    let Some(saver) = saves.saver.get() else {
        return Err(if shared.config.persist.dir.is_none() {
            NO_DIR
        } else {
            "ERR the background saver thread could not be started"
        });
    };
    if saves.bgsave_running.load(Ordering::Acquire) {
        return Err("ERR Background save already in progress");
    }
    let other = saves.snapshot_busy.load(Ordering::Acquire);
    if other && !schedule {
        return Err(
            "ERR Another child process is active (AOF?): can't BGSAVE right now. \
                    Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
    }
    if saves.bgsave_running.swap(true, Ordering::AcqRel) {
        return Err("ERR Background save already in progress");
    }
    saver.request();
    Ok(if other {
        Bgsave::Scheduled
    } else {
        Bgsave::Started
    })
}
