//! Guides: how redlite works and how to use its transactions and scripts.
//!
//! - [`architecture`]: the life of a command, locks, versions, expiry, the effects path,
//!   and the checklist for adding a command.
//! - [`transactions`]: WATCH / MULTI / EXEC and `Store::transaction`.
//! - [`scripts`]: Rhai scripts, their API, locking and limits.
//! - [`redis_rs`]: running code written for the `redis` crate on a store (feature `redis`),
//!   and the cluster lint.
//! - [`snapshots`]: RDB files, point-in-time snapshots, SAVE/BGSAVE, DUMP/RESTORE.
//! - [`aof`]: the append-only log: ordering, fsync policies, folder, rewrite, loading.
//! - [`differences`]: where redlite differs from Redis, on purpose.

#[doc = include_str!("architecture.md")]
pub mod architecture {}

#[doc = include_str!("transactions.md")]
pub mod transactions {}

#[doc = include_str!("scripts.md")]
pub mod scripts {}

#[doc = include_str!("redis_rs.md")]
pub mod redis_rs {}

#[doc = include_str!("snapshots.md")]
pub mod snapshots {}
#[doc = include_str!("aof.md")]
pub mod aof {}

#[doc = include_str!("differences.md")]
pub mod differences {}
