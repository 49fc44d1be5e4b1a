//! The RDB format (version 10, what Redis 7.0 reads and writes): whole files and the DUMP
//! payloads of single values.
//!
//! Crate-internal API, used by SAVE/BGSAVE, DUMP/RESTORE and the AOF (its base file is an
//! RDB "preamble"):
//!
//! - [`write`] / [`write_with`]: a point-in-time image of the store (see
//!   [`crate::persist::snapshot`]) as an RDB file, streamed to any `io::Write`.
//! - [`load`] / [`load_file`]: an RDB file into the store's keyspace; damage is a
//!   [`LoadError`] naming the file and the byte offset.
//! - [`dump`] / [`restore`]: one value as a DUMP payload and back.
//! - [`functions`]: function libraries in snapshots and FUNCTION DUMP payloads.

mod crc64;
mod file;
pub(crate) mod functions;
mod input;
mod lzf;
mod packed;
mod value;

#[allow(
    unused_imports,
    reason = "the AOF half (Store::open, the rewrite's RDB preamble) calls these"
)]
pub(crate) use file::{
    LoadError, LoadOptions, LoadReport, WriteOptions, WriteReport, load, load_file, load_with,
    write, write_then, write_with,
};
pub(crate) use value::{PayloadError, dump, dump_size_bound, restore};

/// The RDB version written (Redis 7.0's).
pub(crate) const VERSION: u16 = 10;
