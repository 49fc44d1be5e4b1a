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
}

impl Default for Config {
    /// Shards: 8 per core, rounded to a power of two, between 16 and 256; system clock;
    /// active expiry on, every 100 ms (Redis's default `hz 10`), 64 slots per shard per pass.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
        Config {
            shards: (cores * 8).next_power_of_two().clamp(16, 256),
            clock: Arc::new(SystemClock),
            active_expiry: true,
            active_expiry_interval: Duration::from_millis(100),
            active_expiry_budget: 64,
        }
    }
}

impl Config {
    /// Number of shards; rounded up to a power of two. More shards, less lock contention
    /// between threads on different keys; whole-keyspace commands lock them all.
    pub fn shards(mut self, n: usize) -> Self {
        self.shards = n.clamp(1, 1 << 16).next_power_of_two();
        self
    }

    /// The time source for every expiry decision.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Whether a background thread reclaims expired keys. Reads never see expired keys
    /// either way; this only bounds the memory they hold.
    pub fn active_expiry(mut self, on: bool) -> Self {
        self.active_expiry = on;
        self
    }

    /// How often the active-expiry thread runs a pass.
    pub fn active_expiry_interval(mut self, every: Duration) -> Self {
        self.active_expiry_interval = every.max(Duration::from_millis(1));
        self
    }

    /// How many slots of each shard one active-expiry pass examines (its write lock is held
    /// for that many slots at most).
    pub fn active_expiry_budget(mut self, slots: usize) -> Self {
        self.active_expiry_budget = slots.max(1);
        self
    }

    /// The configured shard count.
    pub fn shard_count(&self) -> usize {
        self.shards
    }
}
