//! [`Live`]: the parameters that `CONFIG SET` changes while the store runs.
//!
//! Each is an atomic read with `Relaxed` ordering where it is used: a new value is seen by
//! the next command that looks, which is all Redis promises too (its `CONFIG SET` takes
//! effect for commands that run after it). Values are stored already validated.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::config::Config;

/// Redis's default `proto-max-bulk-len`: 512 MiB.
pub(crate) const DEFAULT_PROTO_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// Run-time parameters, initialised from the [`Config`] the store was built with.
pub(crate) struct Live {
    /// Largest string a command may build (`proto-max-bulk-len`).
    proto_max_bulk_len: AtomicU64,
    /// Scripts' time limit in milliseconds (`lua-time-limit` / `busy-reply-threshold`).
    script_time_limit_ms: AtomicU64,
    /// Milliseconds between active-expiry passes (`hz` is 1000 / this).
    expiry_interval_ms: AtomicU64,
    /// `DEBUG SET-ACTIVE-EXPIRE`: whether the sweep runs at all.
    active_expire: AtomicBool,
    /// The encoding thresholds OBJECT ENCODING applies.
    pub(crate) encoding: Thresholds,
}

/// Redis 7.0's encoding thresholds, with its compiled-in defaults (what a server started
/// without a config file has).
pub(crate) struct Thresholds {
    pub(crate) hash_entries: AtomicU64,
    pub(crate) hash_value: AtomicU64,
    pub(crate) set_intset_entries: AtomicU64,
    pub(crate) zset_entries: AtomicU64,
    pub(crate) zset_value: AtomicU64,
    pub(crate) list_size: AtomicI64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            hash_entries: AtomicU64::new(512),
            hash_value: AtomicU64::new(64),
            set_intset_entries: AtomicU64::new(512),
            zset_entries: AtomicU64::new(128),
            zset_value: AtomicU64::new(64),
            list_size: AtomicI64::new(-2),
        }
    }
}

/// Reads a threshold.
pub(crate) fn get(a: &AtomicU64) -> u64 {
    a.load(Relaxed)
}

impl Live {
    pub(crate) fn new(config: &Config) -> Live {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Live {
            proto_max_bulk_len: AtomicU64::new(DEFAULT_PROTO_MAX_BULK_LEN),
            script_time_limit_ms: AtomicU64::new(ms(config.scripts.time_limit)),
            expiry_interval_ms: AtomicU64::new(ms(config.active_expiry_interval).max(1)),
            active_expire: AtomicBool::new(true),
            encoding: Thresholds::default(),
        }
    }

    /// The longest string a command may build, in bytes.
    pub(crate) fn proto_max_bulk_len(&self) -> usize {
        usize::try_from(self.proto_max_bulk_len.load(Relaxed)).unwrap_or(usize::MAX)
    }

    pub(crate) fn set_proto_max_bulk_len(&self, bytes: u64) {
        self.proto_max_bulk_len.store(bytes, Relaxed);
    }

    /// How long a script may run before it is stopped.
    pub(crate) fn script_time_limit(&self) -> Duration {
        Duration::from_millis(self.script_time_limit_ms.load(Relaxed))
    }

    pub(crate) fn set_script_time_limit_ms(&self, ms: u64) {
        self.script_time_limit_ms.store(ms, Relaxed);
    }

    /// The time between two active-expiry passes.
    // The sweeper thread is not started under loom.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn expiry_interval(&self) -> Duration {
        Duration::from_millis(self.expiry_interval_ms.load(Relaxed))
    }

    /// `hz` as Redis reports it: passes per second, 1 to 500.
    pub(crate) fn hz(&self) -> u64 {
        (1000 / self.expiry_interval_ms.load(Relaxed).max(1)).clamp(1, 500)
    }

    /// Sets `hz`, clamped to 1..=500 as Redis clamps it.
    pub(crate) fn set_hz(&self, hz: u64) {
        let hz = hz.clamp(1, 500);
        self.expiry_interval_ms.store(1000 / hz, Relaxed);
    }

    /// Whether the active-expiry sweep runs (`DEBUG SET-ACTIVE-EXPIRE`).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn active_expire(&self) -> bool {
        self.active_expire.load(Relaxed)
    }

    pub(crate) fn set_active_expire(&self, on: bool) {
        self.active_expire.store(on, Relaxed);
    }
}
