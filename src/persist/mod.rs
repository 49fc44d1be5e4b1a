//! Persistence: the append-only log, RDB snapshots, DUMP/RESTORE payloads.
//!
//! Off unless [`Config::data_dir`](crate::Config::data_dir) names a folder. The folder is a
//! Redis 7 data folder: `dump.rdb` for snapshots and `appendonlydir/` for the multi-part AOF
//! (see [`aof`] for the log's design).

pub(crate) mod aof;
mod commands;
mod config;
pub(crate) mod files;

pub(crate) use commands::COMMANDS;
pub(crate) use config::PersistConfig;
pub use config::{Fsync, SaveRule};

use crate::error::Error;
use crate::shared::Shared;
use std::sync::Arc;

/// A store's persistence state, held in `Shared` once [`open`] ran.
pub(crate) struct Persist {
    /// The log, when `appendonly` is on.
    pub(crate) aof: Option<std::sync::Arc<aof::Aof>>,
}

/// Brings a new store's data folder up: creates it, loads what it holds, starts the log.
/// Does nothing for a store without a data folder.
pub(crate) fn open(shared: &Arc<Shared>) -> Result<(), Error> {
    let cfg = &shared.config.persist;
    let Some(dir) = cfg.dir.clone() else {
        return Ok(());
    };
    std::fs::create_dir_all(&dir).map_err(|e| files::io_error(&dir, &e))?;
    let aof = if cfg.aof_on() {
        Some(std::sync::Arc::new(aof::Aof::open(
            shared,
            &dir,
            cfg.appendfsync,
        )?))
    } else {
        None
    };
    let _ = shared.persist.set(Persist { aof });
    Ok(())
}

/// The error when a persistence command runs on a store without a data folder.
pub(crate) const NO_DIR: &str =
    "ERR persistence is off: this store has no data folder (Config::data_dir)";
/// The error of BGREWRITEAOF / `rewrite_aof` when the folder has no log.
pub(crate) const NO_AOF: &str =
    "ERR the append only file is off (Config::appendonly(false)): nothing to rewrite";
