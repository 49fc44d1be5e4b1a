//! What [`Store::open`](crate::Store::open) does with the data folder: create it, load what
//! it holds (the AOF per its manifest when `appendonly` is on, else `dump.rdb`, as Redis
//! chooses), then start the log.

use std::sync::Arc;

use super::{aof, files, rdb};
use crate::error::Error;
use crate::shared::Shared;

/// The snapshot file's name in the data folder (Redis's `dbfilename`).
const DUMP: &str = "dump.rdb";

/// Brings a new store's data folder up. Does nothing for a store without one.
pub(crate) fn open(shared: &Arc<Shared>) -> Result<(), Error> {
    let cfg = &shared.config.persist;
    let Some(dir) = cfg.dir.clone() else {
        return Ok(());
    };
    std::fs::create_dir_all(&dir).map_err(|e| files::io_error(&dir, &e))?;
    // A dropped store whose `appendonly yes` is still starting owns the folder until then.
    aof::wait_for_starts(&dir);
    if cfg.aof_on() {
        let log = aof::Aof::open(shared, &dir, cfg.appendfsync)?;
        shared.aof.opened(shared, log);
    } else {
        let dump = dir.join(DUMP);
        if dump.exists() {
            rdb::load_file(&dump, shared)?;
        }
    }
    Ok(())
}
