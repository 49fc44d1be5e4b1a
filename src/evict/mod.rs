//! The memory limit: Redis's `maxmemory`, its eight policies, and the per-key LRU/LFU data
//! that drives them.
//!
//! - [`policy`]: [`MaxmemoryPolicy`] and Redis's names for it.
//! - [`config`]: the `Config` setters; [`state`]: the run-time values `CONFIG SET` changes.
//! - [`lru`]: the LRU clock (62.5 ms ticks, finer than Redis's seconds) and Redis's logarithmic
//!   LFU counter.
//! - [`pool`] and [`perform`]: sampling into an eviction pool, and evicting across shards
//!   one lock at a time, before the writing command takes its own locks.
//! - [`denyoom`]: which commands may grow memory (Redis's `denyoom` flag).
//!
//! The bytes counted come from `keyspace::accounting` and `types::memsize`.

pub(crate) mod config;
pub(crate) mod denyoom;
pub(crate) mod lru;
pub(crate) mod perform;
pub(crate) mod policy;
pub(crate) mod pool;
pub(crate) mod state;

pub(crate) use config::MemoryConfig;
pub use policy::{MaxmemoryPolicy, ParsePolicyError};
pub(crate) use state::Memory;
