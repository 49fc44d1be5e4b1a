//! The memory settings of [`Config`]: `maxmemory`, its policy and the LRU/LFU knobs.

use super::MaxmemoryPolicy;
use crate::config::Config;

/// Memory settings, as Redis's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MemoryConfig {
    pub(crate) maxmemory: u64,
    pub(crate) policy: MaxmemoryPolicy,
    pub(crate) samples: u32,
    pub(crate) lfu_log_factor: u32,
    pub(crate) lfu_decay_time: u32,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            maxmemory: 0,
            policy: MaxmemoryPolicy::NoEviction,
            samples: 5,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
        }
    }
}

impl Config {
    /// Redis's `maxmemory`: the bytes keys and values may hold (`store.used_memory()`)
    /// before a write that may grow memory evicts keys by the
    /// [policy](Config::maxmemory_policy) or, when it cannot, fails with
    /// `OOM command not allowed when used memory > 'maxmemory'.`. 0 (the default): no limit.
    /// `CONFIG SET maxmemory` changes it at run time.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, MaxmemoryPolicy, Store};
    ///
    /// let store = Store::with_config(
    ///     Config::default().maxmemory(64 << 20).maxmemory_policy(MaxmemoryPolicy::AllKeysLru),
    /// );
    /// assert!(store.used_memory() < 64 << 20);
    /// ```
    #[must_use]
    pub fn maxmemory(mut self, bytes: u64) -> Self {
        self.memory.maxmemory = bytes;
        self
    }

    /// Redis's `maxmemory-policy`: which keys go when memory is full (default
    /// `noeviction`).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::ParsePolicyError> {
    /// use redlite::{Config, MaxmemoryPolicy};
    ///
    /// let config = Config::default().maxmemory_policy("volatile-ttl".parse()?);
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn maxmemory_policy(mut self, policy: MaxmemoryPolicy) -> Self {
        self.memory.policy = policy;
        self
    }

    /// Redis's `maxmemory-samples`: keys sampled per eviction (1 to 64, default 5). More
    /// samples approximate true LRU/LFU better, at more work per eviction.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().maxmemory_samples(10);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn maxmemory_samples(mut self, n: u32) -> Self {
        self.memory.samples = n.clamp(1, 64);
        self
    }

    /// Redis's `lfu-log-factor` (default 10): how slowly the LFU counter grows.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().lfu_log_factor(10);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn lfu_log_factor(mut self, factor: u32) -> Self {
        self.memory.lfu_log_factor = factor;
        self
    }

    /// Redis's `lfu-decay-time` (default 1): minutes per unit the LFU counter loses while
    /// the key is not read; 0 never decays.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().lfu_decay_time(1);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn lfu_decay_time(mut self, minutes: u32) -> Self {
        self.memory.lfu_decay_time = minutes;
        self
    }
}
