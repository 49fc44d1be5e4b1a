//! [`Store`]: the handle an application keeps; [`Shared`]: what all handles point at.

use std::sync::{Arc, OnceLock};

use crate::clock::Now;
use crate::commands::{self, Spec};
use crate::config::Config;
use crate::keyspace::Keyspace;
use crate::reply::Reply;
use crate::script::Scripts;
use crate::txn::Connection;

/// State shared by every handle and connection of one store.
pub(crate) struct Shared {
    pub(crate) keyspace: Keyspace,
    pub(crate) config: Config,
    pub(crate) scripts: Scripts,
    /// The active-expiry thread, stopped and joined when the last handle drops.
    pub(crate) sweeper: OnceLock<crate::keyspace::expiry::Sweeper>,
}

impl Shared {
    pub(crate) fn now(&self) -> u64 {
        self.config.clock.now_ms()
    }

    /// The time of one command, read from the clock only if needed.
    pub(crate) fn lazy_now(&self) -> Now<'_> {
        Now::lazy(&*self.config.clock)
    }

    pub(crate) fn active_expire_pass(&self) -> usize {
        self.keyspace
            .sweep(self.now(), self.config.active_expiry_budget)
    }

    /// Runs one data command outside any transaction.
    pub(crate) fn run(&self, spec: &Spec, args: &[&[u8]]) -> Reply {
        commands::run(self, spec, args)
    }
}

/// An in-process Redis: a sharded keyspace shared by every clone of the handle.
///
/// `Store` is cheap to clone (one `Arc`), `Send` and `Sync`. Each call locks only the shards
/// of the keys it names, for the length of the call, so threads working on different keys run
/// in parallel. Per-client state (WATCH, MULTI) lives in a [`Connection`].
///
/// # Examples
///
/// ```
/// use redlite::Store;
///
/// let store = Store::new();
/// store.set("visits", 10).unwrap();
/// assert_eq!(store.incr_by("visits", 5).unwrap(), 15);
/// let mut conn = store.connection();
/// assert_eq!(conn.execute(["GET", "visits"]).to_string(), "\"15\"");
/// ```
#[derive(Clone)]
pub struct Store {
    pub(crate) shared: Arc<Shared>,
}

impl Store {
    /// A store with the default [`Config`].
    pub fn new() -> Store {
        Store::with_config(Config::default())
    }

    /// A store with the given configuration. Starts the active-expiry thread when enabled.
    pub fn with_config(config: Config) -> Store {
        let keyspace = Keyspace::new(config.shards);
        let scripts = Scripts::new(&config.scripts);
        let shared = Arc::new(Shared {
            keyspace,
            config,
            scripts,
            sweeper: OnceLock::new(),
        });
        #[cfg(not(loom))]
        if shared.config.active_expiry {
            let every = shared.config.active_expiry_interval;
            if let Some(sweeper) =
                crate::keyspace::expiry::Sweeper::spawn(Arc::downgrade(&shared), every)
            {
                let _ = shared.sweeper.set(sweeper);
            }
        }
        Store { shared }
    }

    /// A new client connection with its own WATCH set and MULTI queue.
    pub fn connection(&self) -> Connection {
        Connection::new(self.shared.clone())
    }

    /// Runs one command, as [`Connection::execute`] does on a fresh connection (so MULTI,
    /// EXEC and WATCH make no sense here; use a connection for them).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// assert_eq!(store.execute(["ECHO", "hi"]), redlite::Reply::bulk("hi"));
    /// ```
    pub fn execute<I>(&self, args: I) -> Reply
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        self.connection().execute(args)
    }

    /// The shard index `key` hashes to. For tests and loom models that need keys on
    /// particular shards; not part of the stable API.
    #[doc(hidden)]
    pub fn shard_index(&self, key: impl AsRef<[u8]>) -> usize {
        let ks = &self.shared.keyspace;
        ks.shard_of(ks.hkey(key.as_ref()).hash)
    }

    /// Reclaims expired keys across all shards now (what the background thread does in
    /// small steps); returns how many were removed.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// assert_eq!(store.purge_expired(), 0);
    /// ```
    pub fn purge_expired(&self) -> usize {
        self.shared.keyspace.purge(self.shared.now())
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("shards", &self.shared.keyspace.shard_count())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Runs a command given as argument slices, without connection state.
    pub(crate) fn query(&self, argv: &[&[u8]]) -> Reply {
        let (name, rest) = argv.split_first().unwrap_or((&EMPTY, &[]));
        let Some(spec) = commands::lookup(name) else {
            return Reply::error(crate::error::msg::unknown_command(name, rest));
        };
        self.query_spec(spec, argv)
    }

    /// [`query`](Self::query) for a command already looked up.
    pub(crate) fn query_spec(&self, spec: &Spec, argv: &[&[u8]]) -> Reply {
        if !spec.arity_ok(argv.len()) {
            return Reply::error(crate::error::msg::arity(spec.name));
        }
        self.run(spec, argv)
    }
}

/// The name of an empty command line.
const EMPTY: &[u8] = b"";
