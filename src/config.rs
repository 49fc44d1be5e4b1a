//! [`Config`]: how a store is built.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};

/// Settings for a [`Store`](crate::Store). Start from `Config::default()` and chain setters.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use redlite::{Config, ManualClock, Store};
///
/// let config = Config::default()
///     .shards(32)
///     .clock(ManualClock::new())
///     .active_expiry(false)
///     .active_expiry_interval(Duration::from_millis(50));
/// let store = Store::with_config(config);
/// assert_eq!(store.connection().execute(["PING"]).to_string(), "PONG");
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) shards: usize,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) active_expiry: bool,
    pub(crate) active_expiry_interval: Duration,
    pub(crate) active_expiry_budget: usize,
    pub(crate) scripts: ScriptLimits,
    pub(crate) max_reply_bytes: usize,
    /// `notify-keyspace-events` as Redis's class bits (see `events::notify`).
    pub(crate) notify_flags: u32,
    pub(crate) pubsub_buffer_limit: usize,
    pub(crate) cluster_mode: bool,
    /// How many databases SELECT can reach (Redis's `databases`); see `Config::databases`.
    pub(crate) databases: usize,
    pub(crate) persist: crate::persist::PersistConfig,
    pub(crate) memory: crate::evict::MemoryConfig,
}

/// The sandbox limits of scripts (see the `script_*` setters of [`Config`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScriptLimits {
    pub(crate) max_operations: u64,
    pub(crate) max_string_size: usize,
    pub(crate) max_array_size: usize,
    pub(crate) max_map_size: usize,
    pub(crate) max_call_levels: usize,
    pub(crate) max_expr_depth: usize,
    pub(crate) max_source_size: usize,
    pub(crate) time_limit: Duration,
    pub(crate) cache_size: usize,
    pub(crate) defaults: crate::script::config::Defaults,
}

impl Default for ScriptLimits {
    /// Generous for real scripts, yet a runaway script stops within some tens of MiB and,
    /// whatever it spends its time on, the 5 s time limit (Redis's busy-script threshold;
    /// a loop of cheap operations hits the operation limit in about a second in an
    /// optimised build); the EVAL cache bound is Redis 7.4's.
    fn default() -> Self {
        ScriptLimits {
            max_operations: 5_000_000,
            max_string_size: 16 << 20,
            max_array_size: 1 << 14,
            max_map_size: 1 << 12,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_source_size: 1 << 20,
            time_limit: Duration::from_secs(5),
            cache_size: 500,
            defaults: crate::script::config::Defaults::default(),
        }
    }
}

/// The default of [`Config::max_reply_bytes`]: 1 GiB.
const DEFAULT_MAX_REPLY_BYTES: usize = 1 << 30;

/// The cores this process may use (4 when unknown), asked once: `available_parallelism`
/// reads the cgroup's CPU quota from files on Linux, tens of microseconds that every
/// `Config::default()` and `Store::new` paid twice.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(4, std::num::NonZero::get))
}

impl Default for Config {
    /// Shards: 8 per core, rounded to a power of two, between 64 and 1024 (enough that two
    /// threads' keys rarely share a shard lock by chance); system clock;
    /// active expiry on, every 100 ms (Redis's default `hz 10`), 64 slots per shard per pass;
    /// replies up to 1 GiB.
    fn default() -> Self {
        let cores = cores();
        Config {
            shards: (cores * 8).next_power_of_two().clamp(64, 1024),
            clock: Arc::new(SystemClock),
            active_expiry: true,
            active_expiry_interval: Duration::from_millis(100),
            active_expiry_budget: 64,
            scripts: ScriptLimits::default(),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            notify_flags: 0,
            pubsub_buffer_limit: 32 << 20,
            cluster_mode: false,
            databases: 16,
            persist: crate::persist::PersistConfig::default(),
            memory: crate::evict::MemoryConfig::default(),
        }
    }
}

impl Config {
    /// Number of shards; rounded up to a power of two. More shards, less lock contention
    /// between threads on different keys; whole-keyspace commands lock them all.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().shards(6);
    /// assert_eq!(config.shard_count(), 8);
    /// ```
    #[must_use]
    pub fn shards(mut self, n: usize) -> Self {
        self.shards = n.clamp(1, 1 << 16).next_power_of_two();
        self
    }

    /// The time source for every expiry decision.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use std::time::Duration;
    /// use redlite::{Config, ManualClock, Store};
    ///
    /// let clock = ManualClock::new();
    /// let store = Store::with_config(Config::default().clock(clock.clone()));
    /// store.set_ex("session", "data", Duration::from_secs(10))?;
    /// clock.advance(Duration::from_millis(10_001));
    /// assert_eq!(store.get::<Option<String>>("session")?, None);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Whether a background thread reclaims expired keys. Reads never see expired keys
    /// either way; this only bounds the memory they hold.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Store};
    ///
    /// // No background thread: expired keys go when read, or on `purge_expired`.
    /// let store = Store::with_config(Config::default().active_expiry(false));
    /// store.set("k", 1)?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn active_expiry(mut self, on: bool) -> Self {
        self.active_expiry = on;
        self
    }

    /// How often the active-expiry thread runs a pass.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use std::time::Duration;
    ///
    /// let config = redlite::Config::default().active_expiry_interval(Duration::from_millis(20));
    /// let store = redlite::Store::with_config(config);
    /// store.set("k", 1)?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn active_expiry_interval(mut self, every: Duration) -> Self {
        self.active_expiry_interval = every.max(Duration::from_millis(1));
        self
    }

    /// How many slots of each shard one active-expiry pass examines (its write lock is held
    /// for that many slots at most).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let config = redlite::Config::default().active_expiry_budget(64);
    /// let store = redlite::Store::with_config(config);
    /// store.set("k", 1)?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn active_expiry_budget(mut self, slots: usize) -> Self {
        self.active_expiry_budget = slots.max(1);
        self
    }

    /// How many Rhai operations (roughly: expressions evaluated) one script run may take
    /// before it fails with an error; default 5,000,000. This is what stops a script that
    /// loops forever: it holds its shard locks until it ends, so keep this bound.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().script_max_operations(1_000));
    /// let reply = store.execute(["EVAL", "#!rhai\nloop { }", "0"]);
    /// assert!(reply.to_string().starts_with("ERR Too many operations"));
    /// ```
    #[must_use]
    pub fn script_max_operations(mut self, n: u64) -> Self {
        self.scripts.max_operations = n.max(1);
        self
    }

    /// Longest string (in bytes) a script may build; default 16 MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().script_max_string_size(100));
    /// let reply = store.execute(["EVAL", "#!rhai\nlet s = \"x\"; loop { s += s; }", "0"]);
    /// assert!(reply.is_error());
    /// ```
    #[must_use]
    pub fn script_max_string_size(mut self, bytes: usize) -> Self {
        self.scripts.max_string_size = bytes.max(1);
        self
    }

    /// Most elements an array in a script may hold; default 16,384. Rhai re-counts an
    /// array each time a script grows it, so growing one element at a time costs time
    /// quadratic in this bound: keep it modest.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().script_max_array_size(10_000);
    /// # let _ = redlite::Store::with_config(config);
    /// ```
    #[must_use]
    pub fn script_max_array_size(mut self, n: usize) -> Self {
        self.scripts.max_array_size = n.max(1);
        self
    }

    /// Most properties an object map in a script may hold; default 4,096 (growing one
    /// property at a time costs time quadratic in this bound, as for arrays).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().script_max_map_size(10_000);
    /// # let _ = redlite::Store::with_config(config);
    /// ```
    #[must_use]
    pub fn script_max_map_size(mut self, n: usize) -> Self {
        self.scripts.max_map_size = n.max(1);
        self
    }

    /// Deepest nesting of function calls in a script (recursion depth); default 32.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().script_max_call_levels(16);
    /// # let _ = redlite::Store::with_config(config);
    /// ```
    #[must_use]
    pub fn script_max_call_levels(mut self, levels: usize) -> Self {
        self.scripts.max_call_levels = levels.max(1);
        self
    }

    /// Deepest nesting of expressions in a script (function bodies get half); default 64.
    /// Deeper scripts fail to compile.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().script_max_expr_depth(32);
    /// # let _ = redlite::Store::with_config(config);
    /// ```
    #[must_use]
    pub fn script_max_expr_depth(mut self, depth: usize) -> Self {
        self.scripts.max_expr_depth = depth.max(2);
        self
    }

    /// Longest script source (in bytes) EVAL and SCRIPT LOAD accept; default 1 MiB. Longer
    /// ones fail with an error before anything is compiled. Compiling takes time linear in
    /// the source (constructs that Rhai compiles in quadratic time are capped: at most
    /// 1,024 variables in scope, 1,024 functions, and a `switch` or map literal of at most
    /// `script_max_map_size` entries), about 0.3 s for 1 MiB in an optimised build, and
    /// happens before the script takes any lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().script_max_source_size(16));
    /// let reply = store.execute(["EVAL", "1 + 1 + 1 + 1 + 1 + 1", "0"]);
    /// assert!(reply.to_string().starts_with("ERR Script is too large"));
    /// ```
    #[must_use]
    pub fn script_max_source_size(mut self, bytes: usize) -> Self {
        self.scripts.max_source_size = bytes.max(1);
        self
    }

    /// Longest wall-clock time one script run may take; default 5 s (Redis's
    /// `busy-reply-threshold`). A script still running then is stopped with an error
    /// (`ERR Script killed: it ran longer than the script time limit ...`); its writes so
    /// far stay, as after any script error. The limit is checked between Rhai operations
    /// (at least every millisecond or so), so one long native call (a `redis::call` of
    /// KEYS on a big keyspace, a string function on a string of the largest allowed size)
    /// may overrun it by that call's length. Another thread can stop a script sooner with
    /// `SCRIPT KILL`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use redlite::{Config, Store};
    ///
    /// let config = Config::default()
    ///     .script_max_operations(u64::MAX)
    ///     .script_time_limit(Duration::from_millis(50));
    /// let store = Store::with_config(config);
    /// let reply = store.execute(["EVAL", "#!rhai\nloop { }", "0"]);
    /// assert!(reply.to_string().starts_with("ERR Script killed: it ran longer"));
    /// ```
    #[must_use]
    pub fn script_time_limit(mut self, limit: Duration) -> Self {
        self.scripts.time_limit = limit;
        self
    }

    /// How many scripts added by EVAL stay cached (least recently used ones are evicted,
    /// as in Redis 7.4); default 500. Scripts added by SCRIPT LOAD are never evicted.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().script_cache_size(100);
    /// # let _ = redlite::Store::with_config(config);
    /// ```
    #[must_use]
    pub fn script_cache_size(mut self, n: usize) -> Self {
        self.scripts.cache_size = n.max(1);
        self
    }

    /// The largest reply one command may build, in bytes; default 1 GiB (twice Redis's 512 MB
    /// `proto-max-bulk-len`, so the largest string Redis allows can still be read).
    ///
    /// Redis streams a reply into the client's output buffer; redlite builds each reply whole
    /// in the caller's memory, where a failed allocation aborts the process. So a command whose
    /// reply would pass this bound (a huge negative count to SRANDMEMBER, HRANDFIELD or
    /// ZRANDMEMBER, the same big key named a million times in MGET, a range over a huge
    /// container) replies `ERR reply exceeds max-reply-bytes (<limit> bytes)` instead, found
    /// before the reply is allocated, and a command that pops (SPOP, LPOP, ZPOPMIN, ...)
    /// removes nothing when it fails. The size counted is the memory the reply holds: 32 bytes
    /// per element (one [`Reply`](crate::Reply)) plus the bytes of its strings. The replies of
    /// one EXEC share one bound: a queued command that does not fit in what is left answers
    /// the error (the commands before it have run). This is the in-process analogue of Redis's
    /// `client-output-buffer-limit`; a bound past the memory the process can get disables the
    /// protection.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Reply, Store};
    ///
    /// let store = Store::with_config(Config::default().max_reply_bytes(1 << 20));
    /// store.execute(["SADD", "s", "member"]);
    /// let reply = store.execute(["SRANDMEMBER", "s", "-1000000"]);
    /// assert_eq!(reply, Reply::error("ERR reply exceeds max-reply-bytes (1048576 bytes)"));
    /// assert_eq!(store.execute(["SRANDMEMBER", "s", "-3"]).to_string(), r#"["member", "member", "member"]"#);
    /// ```
    #[must_use]
    pub fn max_reply_bytes(mut self, bytes: usize) -> Self {
        self.max_reply_bytes = bytes;
        self
    }

    /// Which keyspace notifications to publish, in Redis's `notify-keyspace-events` letters:
    /// `K` (on `__keyspace@0__:<key>`, the event name as payload) and/or `E` (on
    /// `__keyevent@0__:<event>`, the key as payload), plus classes: `g` generic, `$` string,
    /// `l` list, `s` set, `h` hash, `z` sorted set, `x` expired, `e` evicted, `n` new key,
    /// `A` for `g$lshzxe` (and the stream/module classes `t`, `d`, which redlite never
    /// emits). `m` (key miss) is accepted but redlite emits no key-miss events. Default: ""
    /// (off), as in Redis. A string with a letter Redis does not know is ignored as a whole
    /// (the setting stays as it was), as Redis's `CONFIG SET` refuses it; see
    /// [`Store::set_notify_keyspace_events`](crate::Store::set_notify_keyspace_events) for
    /// the error.
    ///
    /// Events are published after the command, EXEC or script that caused them, in command
    /// order, with Redis's event names (`set`, `del`, `expired`, `lpush`, `rename_from`, ...).
    /// An expired key publishes `expired` once, whether a read or the background sweep
    /// found it. With notifications off, writes record nothing for them.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().notify_keyspace_events("KEA"));
    /// let mut events = store.psubscribe(&["__key*__:*"]);
    /// store.set("k", "v")?;
    /// let first = events.recv()?;
    /// assert_eq!(first.channel(), b"__keyspace@0__:k");
    /// assert_eq!(first.payload(), b"set");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn notify_keyspace_events(mut self, classes: &str) -> Self {
        if let Some(flags) = crate::events::notify::parse_flags(classes) {
            self.notify_flags = flags;
        }
        self
    }

    /// How many bytes of published messages one [`Subscriber`](crate::Subscriber) may have
    /// waiting (each message counts its channel, pattern and payload plus 64 bytes); default
    /// 32 MiB, Redis's hard `client-output-buffer-limit` for pub/sub clients. A subscriber
    /// past it is disconnected: its buffer is dropped, it leaves every channel, and its
    /// receives answer [`Error::SubscriberOverflow`](crate::Error::SubscriberOverflow).
    /// Publishers never wait for a slow subscriber.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Error, Store};
    ///
    /// let store = Store::with_config(Config::default().pubsub_buffer_limit(1000));
    /// let mut slow = store.subscribe(&["c"]);
    /// for _ in 0..100 {
    ///     store.publish("c", "0123456789")?;
    /// }
    /// assert!(matches!(slow.recv(), Err(Error::SubscriberOverflow { .. })));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn pubsub_buffer_limit(mut self, bytes: usize) -> Self {
        self.pubsub_buffer_limit = bytes;
        self
    }

    /// Lint for Redis Cluster (default off): refuse what a cluster node would refuse because
    /// of where keys live, with its exact errors. The keys of one multi-key command, of one
    /// EXEC (all queued commands together) or one script's declared keys must hash to one
    /// slot (CRC16 of the key or its `{hashtag}`, 16384 slots), else the reply is
    /// `CROSSSLOT Keys in request don't hash to the same slot`; `SELECT` of a database other
    /// than 0 fails; `CLUSTER KEYSLOT key` answers the slot. Nothing is redirected: the store
    /// still holds every key. Code whose tests pass in this mode does not meet CROSSSLOT
    /// on a real cluster.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().cluster_mode(true));
    /// let err = store.execute(["MSET", "a", "1", "b", "2"]);
    /// assert_eq!(err.to_string(), "CROSSSLOT Keys in request don't hash to the same slot");
    /// // Keys sharing a {hashtag} share a slot.
    /// assert_eq!(store.execute(["MSET", "{user:1}:a", "1", "{user:1}:b", "2"]).to_string(), "OK");
    /// ```
    #[must_use]
    pub fn cluster_mode(mut self, on: bool) -> Self {
        self.cluster_mode = on;
        self
    }

    /// The configured shard count.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(redlite::Config::default().shard_count().is_power_of_two());
    /// ```
    #[must_use]
    pub fn shard_count(&self) -> usize {
        self.shards
    }

    /// How many databases `SELECT`, `MOVE`, `SWAPDB` and `COPY .. DB` can reach (Redis's
    /// `databases`, default 16; at least 1, at most 65536). Databases other than 0 are
    /// allocated on first use, so an unused one costs a few words.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Store};
    ///
    /// let store = Store::with_config(Config::default().databases(2));
    /// let mut conn = store.connection();
    /// assert_eq!(conn.execute(["SELECT", "1"]).to_string(), "OK");
    /// assert_eq!(conn.execute(["SELECT", "2"]).to_string(), "ERR DB index is out of range");
    /// ```
    #[must_use]
    pub fn databases(mut self, n: usize) -> Self {
        self.databases = n.clamp(1, 1 << 16);
        self
    }
}
