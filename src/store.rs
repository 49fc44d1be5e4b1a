//! [`Store`]: the handle an application keeps.

use std::sync::Arc;

use crate::config::Config;
use crate::effects::{Listener, Subscription};
use crate::error::Error;
use crate::reply::Reply;
use crate::shared::Shared;
use crate::txn::Connection;

/// An in-process Redis: a sharded keyspace shared by every clone of the handle.
///
/// `Store` is cheap to clone (one `Arc`), `Send` and `Sync`. Each call locks only the shards
/// of the keys it names, for the length of the call, so threads working on different keys run
/// in parallel. Per-client state (WATCH, MULTI) lives in a [`Connection`].
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::Store;
///
/// let store = Store::new();
/// store.set("visits", 10)?;
/// assert_eq!(store.incr_by("visits", 5)?, 15);
/// let mut conn = store.connection();
/// assert_eq!(conn.execute(["GET", "visits"]).to_string(), "\"15\"");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Store {
    pub(crate) shared: Arc<Shared>,
    /// The database this handle's commands run in (see [`Store::db`]).
    pub(crate) db: usize,
}

impl Store {
    /// A store with the default [`Config`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.set("k", "v")?;
    /// assert_eq!(store.get::<String>("k")?, "v");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn new() -> Store {
        Store::with_config(Config::default())
    }

    /// A store with the given configuration. Starts the active-expiry thread when enabled.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().shards(4).active_expiry(false));
    /// store.set("k", 1)?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_config(config: Config) -> Store {
        let scripts = Box::new(crate::script::Scripts::new(&config.scripts));
        let shared = Arc::new(Shared::new(config, crate::registry::table(), scripts));
        #[cfg(not(loom))]
        if shared.config.active_expiry {
            let every = shared.server.live.expiry_interval();
            let weak = Arc::downgrade(&shared);
            // The thread holds only a weak handle, upgraded for the length of one pass;
            // `hz` and DEBUG SET-ACTIVE-EXPIRE are read afresh each time.
            let pass = move || {
                weak.upgrade().map(|s| {
                    if s.server.live.active_expire() {
                        s.active_expire_pass();
                    }
                    s.server.live.expiry_interval()
                })
            };
            if let Some(sweeper) = crate::keyspace::expiry::Sweeper::spawn(pass, every) {
                let _ = shared.sweeper.set(sweeper);
            }
        }
        crate::persist::start(&shared);
        Store { shared, db: 0 }
    }

    /// A handle to database `index` of the same store (0-based, as `SELECT` numbers them):
    /// its commands, typed methods, connections and transactions start in that database.
    /// Databases are separate keyspaces; `MOVE`, `COPY .. DB` and `SWAPDB` work across them.
    ///
    /// # Errors
    ///
    /// [`Error::Reply`](crate::Error::Reply) with `ERR DB index is out of range` past
    /// [`Config::databases`], or `ERR SELECT is not allowed in cluster mode` for a database
    /// other than 0 in [cluster mode](Config::cluster_mode).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let cache = store.db(1)?;
    /// cache.set("k", "in db 1")?;
    /// assert_eq!(store.get::<Option<String>>("k")?, None);
    /// assert_eq!(cache.get::<String>("k")?, "in db 1");
    /// assert!(store.db(16).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn db(&self, index: usize) -> Result<Store, crate::Error> {
        let index_i64 = i64::try_from(index).unwrap_or(i64::MAX);
        crate::commands::crossslot::select(&self.shared, index_i64)
            .map_err(|e| crate::Error::Reply(e.into()))?;
        if index >= self.shared.keyspace.databases() {
            return Err(crate::Error::Reply(crate::error::msg::DB_RANGE.into()));
        }
        Ok(Store {
            shared: self.shared.clone(),
            db: index,
        })
    }

    /// The database this handle works in (0 unless it came from [`Store::db`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// assert_eq!(store.db(4)?.index(), 4);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn index(&self) -> usize {
        self.db
    }

    /// A store whose data lives in [`Config::data_dir`]: creates the folder, or loads what
    /// is in it (the append-only log per its manifest when `appendonly` is on), then logs
    /// every write. Without a data folder this is [`Store::with_config`].
    ///
    /// A torn last record (a crash mid-append) is cut off and reported in
    /// [`load_warnings`](Store::load_warnings), as Redis's `aof-load-truncated yes` does.
    ///
    /// # Errors
    ///
    /// [`Error::Persistence`] naming the file (and the byte offset, when the file is
    /// damaged) if the folder cannot be created or read, or a file in it is damaged anywhere
    /// but at the very end of the log. Nothing is skipped silently.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Fsync, Store};
    ///
    /// let dir = std::env::temp_dir().join(format!("redlite-doc-open-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// let config = || Config::default().data_dir(&dir).appendfsync(Fsync::Always);
    /// let store = Store::open(config())?;
    /// store.set("k", "v")?;
    /// drop(store);
    /// let again = Store::open(config())?;
    /// assert_eq!(again.get::<String>("k")?, "v");
    /// # drop(again);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(config: Config) -> Result<Store, Error> {
        let store = Store::with_config(config);
        crate::persist::open(&store.shared)?;
        Ok(store)
    }

    /// What [`Store::open`] had to repair while loading (a torn tail cut off), in words.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(redlite::Store::new().load_warnings().is_empty());
    /// ```
    #[must_use]
    pub fn load_warnings(&self) -> Vec<String> {
        self.aof().map(|a| a.warnings.clone()).unwrap_or_default()
    }

    /// Rewrites the append-only log now (what BGREWRITEAOF does in the background): a new
    /// base image of the store and a fresh incremental file; the old files are removed.
    /// Writers wait while the image is taken (every shard is read-locked for that moment);
    /// readers do not.
    ///
    /// # Errors
    ///
    /// `ERR` replies when the store has no data folder or no log, or a rewrite is already
    /// running; [`Error::Persistence`] when a file cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Store};
    ///
    /// let dir = std::env::temp_dir().join(format!("redlite-doc-rw-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// let store = Store::open(Config::default().data_dir(&dir))?;
    /// store.set("k", 1)?;
    /// store.rewrite_aof()?;
    /// assert!(Store::new().rewrite_aof().is_err()); // in memory: nothing to rewrite
    /// # drop(store);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rewrite_aof(&self) -> Result<(), Error> {
        match self.aof() {
            Some(aof) => aof.rewrite(),
            None => Err(Error::Reply(
                crate::persist::aof::not_on(&self.shared).into(),
            )),
        }
    }

    /// Waits until every write so far is in the log file (and fsynced under
    /// [`Fsync::Always`](crate::Fsync::Always)); returns at once without a log.
    ///
    /// # Examples
    ///
    /// ```
    /// redlite::Store::new().flush_log(); // nothing to wait for in memory
    /// ```
    pub fn flush_log(&self) {
        if let Some(aof) = self.aof() {
            aof.flush();
        }
    }

    fn aof(&self) -> Option<Arc<crate::persist::aof::Aof>> {
        self.shared.aof.get()
    }

    /// A new client connection with its own WATCH set and MULTI queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Reply, Store};
    ///
    /// let store = Store::new();
    /// let mut conn = store.connection();
    /// conn.execute(["MULTI"]);
    /// assert_eq!(conn.execute(["SET", "k", "v"]), Reply::status("QUEUED"));
    /// conn.execute(["EXEC"]);
    /// assert_eq!(store.get::<String>("k")?, "v");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn connection(&self) -> Connection {
        Connection::new(self.shared.clone(), self.db)
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
        Connection::unlisted(self.shared.clone(), self.db).execute(args)
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
    #[allow(
        clippy::must_use_candidate,
        reason = "called for its effect; the count is only informative"
    )]
    pub fn purge_expired(&self) -> usize {
        self.shared.purge()
    }

    /// Bytes held by the store's keys and values (Redis's `used_memory` minus its fixed
    /// overhead): what [`Config::maxmemory`] limits. Counted as writes happen, so this only
    /// adds up one figure per shard, each under its read lock.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let before = store.used_memory();
    /// store.set("k", "x".repeat(1000))?;
    /// assert!(store.used_memory() >= before + 1000);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn used_memory(&self) -> usize {
        self.shared.keyspace.used_memory_exact()
    }

    /// Registers `listener` for the effects of every later write to this store (see
    /// [`Listener`]); it stays registered until the returned [`Subscription`] is dropped.
    ///
    /// With no listener registered, writes record nothing beyond their WATCH versions.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use redlite::{Batch, Listener, Store};
    ///
    /// struct Count(AtomicUsize);
    /// impl Listener for Count {
    ///     fn on_batch(&self, _: &Batch) {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///     }
    /// }
    ///
    /// let store = Store::new();
    /// let count = Arc::new(Count(AtomicUsize::new(0)));
    /// let subscription = store.listen(count.clone());
    /// store.execute(["SET", "k", "1"]);
    /// store.execute(["GET", "k"]); // reads deliver nothing
    /// drop(subscription);
    /// store.execute(["SET", "k", "2"]);
    /// assert_eq!(count.0.load(Ordering::Relaxed), 1);
    /// ```
    pub fn listen(&self, listener: Arc<dyn Listener>) -> Subscription {
        let id = self.shared.listeners.add(listener);
        Subscription {
            store: Arc::downgrade(&self.shared),
            id,
        }
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
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}
