//! [`Clock`]: where every expiry decision gets its time.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::sync::Weak;

use crate::sync::{Arc, AtomicU64, Ordering};

/// A source of Unix time in milliseconds.
///
/// The store reads the clock once per command, EXEC or script and uses that frozen value for
/// every expiry check inside it, as Redis 7.2 does.
///
/// # Examples
///
/// ```
/// use redlite::{Clock, SystemClock};
///
/// assert!(SystemClock.now_ms() > 1_600_000_000_000);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;

    /// The [`ManualClock`] behind this clock, if it is one: its jumps, not the passing of
    /// real time, end the timeouts of blocked calls. Other clocks keep the default.
    #[doc(hidden)]
    fn as_manual(&self) -> Option<&ManualClock> {
        None
    }
}

/// Told each time a [`ManualClock`] moves, so that waits with a deadline can end.
pub(crate) trait TimeWatch: Send + Sync {
    fn time_moved(&self, now_ms: u64);
}

/// The system's wall clock (the default).
///
/// # Examples
///
/// ```
/// use redlite::{Config, Store, SystemClock};
///
/// let store = Store::with_config(Config::default().clock(SystemClock));
/// store.set("k", 1).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

/// A clock that moves only when told to: deterministic expiry in tests.
///
/// Clones share one time, so keep a clone and hand the other to [`Config::clock`](crate::Config::clock).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use redlite::{Config, ManualClock, Store};
///
/// let clock = ManualClock::new();
/// let store = Store::with_config(Config::default().clock(clock.clone()));
/// store.set("k", "v").unwrap();
/// store.expire("k", 10).unwrap();
/// clock.advance(Duration::from_secs(11));
/// assert_eq!(store.get::<Option<String>>("k").unwrap(), None);
/// ```
#[derive(Clone)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
    /// The stores whose blocked calls time out by this clock (weak: a dropped store leaves).
    /// Plain std/parking_lot types: registration is not part of what the loom models check.
    watchers: std::sync::Arc<parking_lot::Mutex<Vec<Weak<dyn TimeWatch>>>>,
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("ms", &self.ms.load(Ordering::SeqCst))
            .finish()
    }
}

impl ManualClock {
    /// A clock standing at 2026-01-01T00:00:00Z.
    pub fn new() -> ManualClock {
        ManualClock::at(1_767_225_600_000)
    }

    /// A clock standing at `ms` milliseconds after the Unix epoch.
    pub fn at(ms: u64) -> ManualClock {
        ManualClock {
            ms: Arc::new(AtomicU64::new(ms)),
            watchers: std::sync::Arc::default(),
        }
    }

    /// Moves the clock forward. Blocked calls whose deadline it passes return (timed out)
    /// before this returns.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.ms.fetch_add(by, Ordering::SeqCst);
        self.moved();
    }

    /// Sets the clock to `ms` milliseconds after the Unix epoch (it may go backwards).
    pub fn set(&self, ms: u64) {
        self.ms.store(ms, Ordering::SeqCst);
        self.moved();
    }

    /// Registers a store's timers; they hear of every move until the store is dropped.
    pub(crate) fn watch(&self, watcher: Weak<dyn TimeWatch>) {
        let mut list = self.watchers.lock();
        list.retain(|w| w.strong_count() > 0);
        list.push(watcher);
    }

    fn moved(&self) {
        // Collected first: a watcher wakes tasks, which must not run under this lock.
        let live: Vec<std::sync::Arc<dyn TimeWatch>> = self
            .watchers
            .lock()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        let now = self.now_ms();
        for w in live {
            w.time_moved(now);
        }
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.ms.load(Ordering::SeqCst)
    }

    fn as_manual(&self) -> Option<&ManualClock> {
        Some(self)
    }
}

/// The time of one command, EXEC or script: read from the clock at most once, and only when
/// something needs it (a key with an expiry, a TTL, an expiry being set). Most keys have no
/// expiry, so most commands never read the clock at all; the ones that do all see one
/// frozen value.
pub(crate) struct Now<'c> {
    clock: Option<&'c dyn Clock>,
    /// 0 until read (no real clock reads 0: Unix time 0 is in 1970).
    ms: Cell<u64>,
}

impl<'c> Now<'c> {
    /// Reads `clock` on first use.
    pub(crate) fn lazy(clock: &'c dyn Clock) -> Now<'c> {
        Now {
            clock: Some(clock),
            ms: Cell::new(0),
        }
    }

    /// A time already known.
    pub(crate) fn fixed(ms: u64) -> Now<'static> {
        Now {
            clock: None,
            ms: Cell::new(ms.max(1)),
        }
    }

    /// Unix ms, frozen at the first call.
    pub(crate) fn get(&self) -> u64 {
        let ms = self.ms.get();
        if ms != 0 {
            return ms;
        }
        let ms = self.clock.map_or(1, |c| c.now_ms().max(1));
        self.ms.set(ms);
        ms
    }
}
