//! [`Clock`]: where every expiry decision gets its time.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::sync::Weak;

use crate::sync::{Arc, AtomicU64, Ordering};

/// A source of Unix time in milliseconds.
///
/// The store reads the clock once per command, EXEC or script and uses that frozen value for
/// every expiry check inside it, as Redis 7.2 does. Redis keeps times as signed 64-bit
/// milliseconds, so the store reads a time past `i64::MAX` ms (about 292 million years) as
/// `i64::MAX`, and time 0 as 1.
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
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Clock, ManualClock};
    ///
    /// let clock = ManualClock::at(42);
    /// assert_eq!(clock.now_ms(), 42);
    /// ```
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
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{Config, Store, SystemClock};
///
/// let store = Store::with_config(Config::default().clock(SystemClock));
/// store.set("k", 1)?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// A clock that moves only when told to: deterministic expiry in tests.
///
/// It stands between 0 and `i64::MAX` ms, the range of Redis's times: moving or setting it
/// further holds it at `i64::MAX` (it never wraps around into the past).
///
/// Clones share one time, so keep a clone and hand the other to [`Config::clock`](crate::Config::clock).
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
/// store.set("k", "v")?;
/// store.expire("k", 10)?;
/// clock.advance(Duration::from_secs(11));
/// assert_eq!(store.get::<Option<String>>("k")?, None);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
    /// The stores whose blocked calls time out by this clock (weak: a dropped store leaves).
    /// Plain std/`parking_lot` types: registration is not part of what the loom models check.
    watchers: std::sync::Arc<parking_lot::Mutex<Vec<Weak<dyn TimeWatch>>>>,
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("ms", &self.ms.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl ManualClock {
    /// A clock standing at 2026-01-01T00:00:00Z.
    ///
    /// # Examples
    ///
    /// ```
    ///
    /// use redlite::{Clock, ManualClock};
    ///
    /// assert_eq!(ManualClock::new().now_ms(), 1_767_225_600_000);
    /// ```
    #[must_use]
    pub fn new() -> ManualClock {
        ManualClock::at(1_767_225_600_000)
    }

    /// A clock standing at `ms` milliseconds after the Unix epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Clock, ManualClock};
    ///
    /// assert_eq!(ManualClock::at(5_000).now_ms(), 5_000);
    /// ```
    #[must_use]
    pub fn at(ms: u64) -> ManualClock {
        ManualClock {
            ms: Arc::new(AtomicU64::new(ms.min(LATEST_MS))),
            watchers: std::sync::Arc::default(),
        }
    }

    /// Moves the clock forward by whole milliseconds, stopping at `i64::MAX` ms. Blocked
    /// calls whose deadline it passes return (timed out) before this returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use redlite::{Clock, ManualClock};
    ///
    /// let clock = ManualClock::at(1_000);
    /// clock.advance(Duration::MAX);
    /// assert_eq!(clock.now_ms(), i64::MAX as u64);
    /// ```
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        // fetch_add would wrap past u64::MAX and move time backwards.
        let step = |t: u64| Some(t.saturating_add(by).min(LATEST_MS));
        let _ = self
            .ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, step);
        self.moved();
    }

    /// Sets the clock to `ms` milliseconds after the Unix epoch (it may go backwards), at
    /// most `i64::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, ManualClock, Store};
    ///
    /// let clock = ManualClock::at(10_000);
    /// let store = Store::with_config(Config::default().clock(clock.clone()));
    /// store.execute(["SET", "k", "v", "PXAT", "12000"]);
    /// clock.set(12_000); // at the deadline it still lives, as in Redis
    /// assert!(store.exists("k")?);
    /// clock.set(12_001);
    /// assert!(!store.exists("k")?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set(&self, ms: u64) {
        self.ms.store(ms.min(LATEST_MS), Ordering::SeqCst);
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

/// The latest time Redis can hold: its times are signed 64-bit milliseconds, and every
/// deadline and TTL computation assumes that range.
pub(crate) const LATEST_MS: u64 = i64::MAX as u64;

/// `clock`'s time within Redis's range, 1..=`i64::MAX` ms. A `Clock` is user code and may
/// answer anything; 0 is kept for "not read yet" by [`Now`].
pub(crate) fn read(clock: &dyn Clock) -> u64 {
    clock.now_ms().clamp(1, LATEST_MS)
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
            ms: Cell::new(ms.clamp(1, LATEST_MS)),
        }
    }

    /// The time, if something already read it (no clock read).
    #[inline]
    pub(crate) fn peek(&self) -> Option<u64> {
        Some(self.ms.get()).filter(|&ms| ms != 0)
    }

    /// Unix ms, frozen at the first call.
    pub(crate) fn get(&self) -> u64 {
        let ms = self.ms.get();
        if ms != 0 {
            return ms;
        }
        let ms = self.clock.map_or(1, read);
        self.ms.set(ms);
        ms
    }
}
