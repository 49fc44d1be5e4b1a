//! [`MaxmemoryPolicy`]: Redis's eight `maxmemory-policy` values.

use std::fmt;
use std::str::FromStr;

/// What to do when a write would take the store past [`Config::maxmemory`]: Redis's
/// `maxmemory-policy`. Parse Redis's names with [`str::parse`].
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::ParsePolicyError> {
/// use redlite::MaxmemoryPolicy;
///
/// let p: MaxmemoryPolicy = "allkeys-lfu".parse()?;
/// assert_eq!(p, MaxmemoryPolicy::AllKeysLfu);
/// assert_eq!(p.to_string(), "allkeys-lfu");
/// # Ok(())
/// # }
/// ```
///
/// [`Config::maxmemory`]: crate::Config::maxmemory
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MaxmemoryPolicy {
    /// Evict nothing: writes that may grow memory fail with `OOM ...`.
    #[default]
    NoEviction,
    /// Evict the least recently used key, among all keys.
    AllKeysLru,
    /// Evict the least frequently used key, among all keys.
    AllKeysLfu,
    /// Evict a random key.
    AllKeysRandom,
    /// Evict the least recently used key among keys with a TTL.
    VolatileLru,
    /// Evict the least frequently used key among keys with a TTL.
    VolatileLfu,
    /// Evict a random key among keys with a TTL.
    VolatileRandom,
    /// Evict the key with a TTL that expires soonest.
    VolatileTtl,
}

const ALL: [MaxmemoryPolicy; 8] = [
    MaxmemoryPolicy::NoEviction,
    MaxmemoryPolicy::AllKeysLru,
    MaxmemoryPolicy::AllKeysLfu,
    MaxmemoryPolicy::AllKeysRandom,
    MaxmemoryPolicy::VolatileLru,
    MaxmemoryPolicy::VolatileLfu,
    MaxmemoryPolicy::VolatileRandom,
    MaxmemoryPolicy::VolatileTtl,
];

impl MaxmemoryPolicy {
    /// Every policy, in Redis's order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::MaxmemoryPolicy::all().len(), 8);
    /// ```
    #[must_use]
    pub fn all() -> &'static [MaxmemoryPolicy] {
        &ALL
    }

    /// Redis's name (`allkeys-lru`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::MaxmemoryPolicy::VolatileTtl.name(), "volatile-ttl");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            MaxmemoryPolicy::NoEviction => "noeviction",
            MaxmemoryPolicy::AllKeysLru => "allkeys-lru",
            MaxmemoryPolicy::AllKeysLfu => "allkeys-lfu",
            MaxmemoryPolicy::AllKeysRandom => "allkeys-random",
            MaxmemoryPolicy::VolatileLru => "volatile-lru",
            MaxmemoryPolicy::VolatileLfu => "volatile-lfu",
            MaxmemoryPolicy::VolatileRandom => "volatile-random",
            MaxmemoryPolicy::VolatileTtl => "volatile-ttl",
        }
    }

    /// Whether keys carry an LFU counter (else an LRU clock).
    pub(crate) fn is_lfu(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::AllKeysLfu | MaxmemoryPolicy::VolatileLfu
        )
    }

    /// Whether the victim is a random key (no pool, no scores).
    pub(crate) fn is_random(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::AllKeysRandom | MaxmemoryPolicy::VolatileRandom
        )
    }

    /// Whether only keys with a TTL may be evicted.
    pub(crate) fn volatile_only(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLru
                | MaxmemoryPolicy::VolatileLfu
                | MaxmemoryPolicy::VolatileRandom
                | MaxmemoryPolicy::VolatileTtl
        )
    }

    pub(crate) fn to_u8(self) -> u8 {
        // The discriminant's position in `ALL`.
        ALL.iter()
            .position(|p| *p == self)
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or(0)
    }

    pub(crate) fn from_u8(n: u8) -> MaxmemoryPolicy {
        ALL.get(usize::from(n)).copied().unwrap_or_default()
    }
}

impl fmt::Display for MaxmemoryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a policy name that is not one of Redis's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsePolicyError;

impl fmt::Display for ParsePolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
    }
}

impl std::error::Error for ParsePolicyError {}

impl FromStr for MaxmemoryPolicy {
    type Err = ParsePolicyError;

    /// Redis's names, case-insensitively (as `CONFIG SET` takes them).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or(ParsePolicyError)
    }
}
