//! Persistence: the append-only log, RDB snapshots, DUMP/RESTORE payloads.
//!
//! Off unless [`Config::data_dir`](crate::Config::data_dir) names a folder. The folder is a
//! Redis 7 data folder: `dump.rdb` for snapshots and `appendonlydir/` for the multi-part AOF.

mod config;

pub(crate) use config::PersistConfig;
pub use config::{Fsync, SaveRule};
