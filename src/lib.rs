//! # redlite
//!
//! Redis semantics, in process: strings, hashes, lists, sets and sorted sets with expiry,
//! optimistic transactions (WATCH / MULTI / EXEC) and atomic scripts, over a sharded
//! keyspace that threads share without a server, a socket or serialization.
//!
//! ```
//! # fn main() -> Result<(), redlite::Error> {
//! use redlite::{Reply, Store};
//!
//! let store = Store::new();                        // Clone + Send + Sync
//! let mut conn = store.connection();               // one client: WATCH set, MULTI queue
//! assert_eq!(conn.execute(["SET", "k", "v"]), Reply::ok());
//! assert_eq!(conn.execute(["GET", "k"]), Reply::bulk("v"));
//!
//! // Typed methods run the same command code.
//! assert_eq!(store.incr_by("counter", 5)?, 5);
//! assert_eq!(store.get::<i64>("counter")?, 5);
//! # Ok(())
//! # }
//! ```
//!
//! ## Modules
//!
//! - [`Store`], [`Config`], [`Clock`] ([`SystemClock`], [`ManualClock`]): opening a store.
//! - [`Connection`]: one client; `execute` any command; WATCH / MULTI / EXEC ([`ExecOutcome`]).
//! - Databases: 16 by default ([`Config::databases`]); `SELECT` on a connection,
//!   [`Store::db`] for a handle on one (`commands::databases`: MOVE, SWAPDB, COPY .. DB).
//! - [`Store::transaction`] ([`Transaction`], [`TxOptions`]): WATCH + MULTI/EXEC with retries.
//! - [`Reply`], [`Error`], [`FromReply`], [`ToArg`]: replies and conversions.
//! - [`Store::cmd`] ([`Cmd`]): any command built argument by argument, also on a
//!   [`Connection`] and inside a [`Transaction`].
//! - `RedisConnection` (feature `redis`): code written for the `redis` crate runs on a
//!   store; [`Config::cluster_mode`] lints for Redis Cluster ([`docs::redis_rs`]).
//! - [`Script`]: atomic scripts (EVALSHA, then EVAL on NOSCRIPT) in Rhai or, with the `lua`
//!   feature, Lua ([`ScriptEngine`], [`ScriptFlag`]); `script` holds the shared model (SHA1
//!   cache, shebang flags, locking, limits, watchdog) and the two engines.
//! - Waiting and reacting: blocking pops ([`Store::blpop`], [`Store::blpop_async`] →
//!   [`BlockingPop`]), pub/sub ([`Store::subscribe`] → [`Subscriber`], [`Message`]) and
//!   keyspace notifications ([`Config::notify_keyspace_events`]): `keyspace::waits` (who
//!   waits on which key), `commands::blocking` (the pops and their service), `events`
//!   (deadlines, the pub/sub registry, the notifier).
//! - Memory: [`Config::maxmemory`], [`MaxmemoryPolicy`], [`Store::used_memory`]; `evict`
//!   (policies, LRU/LFU, the eviction pool), `keyspace::accounting` and `types::memsize`
//!   (bytes counted as writes happen).
//! - Persistence: [`Store::save`], [`Store::bgsave`], [`Store::last_save`], DUMP/RESTORE;
//!   `persist` holds the RDB format, the point-in-time snapshot and the saver
//!   ([`docs::snapshots`]).
//! - Inside: `keyspace` (shards, entries, versions, expiry, wait queues), `commands` (the
//!   command table and one file per family), `txn` (connections and EXEC), `sync`
//!   (`parking_lot` or loom).

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod commands;
mod compat;
mod config;
mod convert;
pub mod docs;
mod effects;
mod error;
mod events;
mod evict;
mod keyspace;
mod numbers;
mod persist;
mod registry;
mod reply;
mod script;
mod server;
mod shared;
mod slot;
mod store;
mod sync;
mod txn;
mod typed;
mod types;

pub use clock::{Clock, ManualClock, SystemClock};
#[cfg(feature = "redis")]
pub use compat::redis::RedisConnection;
pub use config::Config;
pub use convert::{FromReply, ToArg, pairs};
pub use effects::{Batch, Event, EventClass, KeyEvent, Listener, Subscription};
pub use error::{Error, ErrorKind};
pub use events::{Message, Messages, NextMessage, Subscriber};
pub use evict::{MaxmemoryPolicy, ParsePolicyError};
#[doc(hidden)]
pub use persist::SnapshotHolds;
pub use persist::{Fsync, SaveRule};
pub use reply::Reply;
pub use script::{Script, ScriptEngine, ScriptFlag, ScriptInvocation, ScriptTarget};
pub use store::Store;
pub use txn::{Connection, ExecOutcome, Transaction, TxOptions};
pub use typed::blocking_pop::BlockingPop;
pub use typed::{Cmd, CmdTarget};

/// The README's code blocks, compiled and run as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The log's ordering core, for the loom model (not an API).
#[cfg(loom)]
#[doc(hidden)]
pub use persist::aof::sequencer::LoomSequencer;

/// Every command name in the table, lowercase (for tests that must cover them all).
#[doc(hidden)]
#[must_use]
pub fn command_names() -> Vec<&'static str> {
    registry::table().iter().map(|s| s.name).collect()
}
