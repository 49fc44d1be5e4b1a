//! [`Memory`]: the run-time memory settings (changeable by `CONFIG SET`) and the pool.

use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering::Relaxed};

use super::MaxmemoryPolicy;
use super::config::MemoryConfig;
use super::lru;
use super::pool::Pool;
use crate::clock::Now;
use crate::sync::Mutex;

/// One store's memory settings and eviction pool. Plain atomics: each setting is read on
/// its own, and a change takes effect from the next command on.
#[derive(Debug)]
pub(crate) struct Memory {
    maxmemory: AtomicU64,
    policy: AtomicU8,
    samples: AtomicU32,
    lfu_log_factor: AtomicU32,
    lfu_decay_time: AtomicU32,
    /// The access time most recently read (Unix ms): what touches stamp when their
    /// command has not read the clock, as Redis stamps its cached `lruclock`. Refreshed by
    /// each active-expiry pass (every 100 ms by default, as Redis's `serverCron`) and by
    /// evictions.
    coarse_ms: AtomicU64,
    /// Keys evicted so far (INFO's `evicted_keys`; CONFIG RESETSTAT zeroes it).
    pub(crate) evicted: AtomicU64,
    /// Read the clock on each access instead: the clock is a `ManualClock` (cheap to read,
    /// and tests expect exact times), or no active-expiry thread refreshes the coarse time.
    exact: bool,
    /// Candidates kept between evictions (Redis's `EvictionPoolLRU`). Only evicting
    /// threads take it, and they hold no shard lock while waiting for it (lock order: the
    /// pool, then one shard).
    pub(super) pool: Mutex<Pool>,
}

impl Memory {
    pub(crate) fn new(c: &MemoryConfig, exact: bool) -> Memory {
        Memory {
            coarse_ms: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
            exact,
            maxmemory: AtomicU64::new(c.maxmemory),
            policy: AtomicU8::new(c.policy.to_u8()),
            samples: AtomicU32::new(c.samples),
            lfu_log_factor: AtomicU32::new(c.lfu_log_factor),
            lfu_decay_time: AtomicU32::new(c.lfu_decay_time),
            pool: Mutex::new(Pool::default()),
        }
    }

    pub(crate) fn maxmemory(&self) -> u64 {
        self.maxmemory.load(Relaxed)
    }

    pub(crate) fn policy(&self) -> MaxmemoryPolicy {
        MaxmemoryPolicy::from_u8(self.policy.load(Relaxed))
    }

    pub(crate) fn samples(&self) -> u32 {
        self.samples.load(Relaxed)
    }

    pub(crate) fn lfu_log_factor(&self) -> u32 {
        self.lfu_log_factor.load(Relaxed)
    }

    pub(crate) fn lfu_decay_time(&self) -> u32 {
        self.lfu_decay_time.load(Relaxed)
    }

    /// The time to stamp an access with: the command's own if it read the clock, else the
    /// coarse shared time (LRU has a resolution of a second and LFU of a minute, so a time
    /// some milliseconds old changes nothing, and reading the clock on every GET would).
    #[inline]
    pub(crate) fn access_time(&self, now: &Now<'_>) -> u64 {
        if let Some(ms) = now.peek() {
            return ms;
        }
        let cached = self.coarse_ms.load(Relaxed);
        if self.exact || cached == 0 {
            return now.get();
        }
        cached
    }

    /// Sets the coarse time (the active-expiry pass and evictions do).
    pub(crate) fn refresh_time(&self, now_ms: u64) {
        self.coarse_ms.store(now_ms, Relaxed);
    }

    /// Whether keys carry an LFU counter now.
    #[inline]
    pub(crate) fn is_lfu(&self) -> bool {
        self.policy().is_lfu()
    }

    /// A new key's LRU/LFU field.
    #[inline]
    pub(crate) fn fresh(&self, now_ms: u64) -> u32 {
        if self.is_lfu() {
            lru::lfu_fresh(now_ms)
        } else {
            lru::lru_clock(now_ms)
        }
    }

    /// The field of a key stored over `old` (its previous field, if it existed): LFU keeps
    /// the count and adds this access, as Redis's `dbSetValue`; LRU starts afresh.
    #[inline]
    pub(crate) fn overwrite(&self, old: Option<u32>, now_ms: u64) -> u32 {
        match old {
            Some(field) if self.is_lfu() => self.touched(field, now_ms),
            _ => self.fresh(now_ms),
        }
    }

    fn touched(&self, field: u32, now_ms: u64) -> u32 {
        if self.is_lfu() {
            lru::lfu_touched(field, now_ms, self.lfu_decay_time(), self.lfu_log_factor())
        } else {
            lru::lru_clock(now_ms)
        }
    }

    /// An access to a key. Written only when it changes, so that threads reading one hot
    /// key do not pass its cache line back and forth.
    #[inline]
    pub(crate) fn touch(&self, field: &AtomicU32, now_ms: u64) {
        let old = field.load(Relaxed);
        let new = self.touched(old, now_ms);
        if new != old {
            field.store(new, Relaxed);
        }
    }
}

/// `CONFIG SET maxmemory <bytes>` (0: no limit). Takes effect at the next write.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "CONFIG SET calls it once its table row is wired")
)]
pub(crate) fn set_maxmemory(m: &Memory, ks: &crate::keyspace::Keyspace, bytes: u64) {
    if bytes != 0 {
        ks.fit_accounting_to(bytes);
    }
    m.maxmemory.store(bytes, Relaxed);
}

/// `CONFIG SET maxmemory-policy <name>` (parse the name with `MaxmemoryPolicy::from_str`).
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "CONFIG SET calls it once its table row is wired")
)]
pub(crate) fn set_maxmemory_policy(m: &Memory, policy: MaxmemoryPolicy) {
    // The pool is not cleared here: CONFIG SET may run inside an EXEC that holds shard
    // locks, and an evicting thread holds the pool while it waits for a shard's lock. The
    // pool drops scores of another policy itself, on its next use (`Pool::scored_for`).
    m.policy.store(policy.to_u8(), Relaxed);
}

/// `CONFIG SET maxmemory-samples <n>`; Redis accepts 1 to 64.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "CONFIG SET calls it once its table row is wired")
)]
pub(crate) fn set_maxmemory_samples(m: &Memory, n: u32) {
    m.samples.store(n.clamp(1, 64), Relaxed);
}

/// `CONFIG SET lfu-log-factor <n>`.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "CONFIG SET calls it once its table row is wired")
)]
pub(crate) fn set_lfu_log_factor(m: &Memory, n: u32) {
    m.lfu_log_factor.store(n, Relaxed);
}

/// `CONFIG SET lfu-decay-time <minutes>`.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "CONFIG SET calls it once its table row is wired")
)]
pub(crate) fn set_lfu_decay_time(m: &Memory, minutes: u32) {
    m.lfu_decay_time.store(minutes, Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_set_values_take_effect() {
        let m = Memory::new(&MemoryConfig::default(), false);
        set_maxmemory(&m, &crate::keyspace::Keyspace::new(4, 1), 1000);
        set_maxmemory_policy(&m, MaxmemoryPolicy::AllKeysLfu);
        set_maxmemory_samples(&m, 500);
        set_lfu_log_factor(&m, 3);
        set_lfu_decay_time(&m, 7);
        assert_eq!(m.maxmemory(), 1000);
        assert!(m.is_lfu());
        assert_eq!(m.samples(), 64);
        assert_eq!((m.lfu_log_factor(), m.lfu_decay_time()), (3, 7));
    }
}
