//! The eviction pool: the best candidates seen so far, kept between evictions.
//!
//! As Redis's `evictionPoolPopulate`, each eviction samples `maxmemory-samples` keys and
//! merges them into a pool of [`POOL_SIZE`] candidates ordered by how evictable they are
//! (idle time, inverted LFU counter, or time to expiry); the best candidate still present
//! goes. The pool remembers good candidates from earlier samples, so the result is much
//! closer to true LRU/LFU than the samples alone.

use crate::clock::Now;
use crate::keyspace::{Entry, Shard};

use super::{MaxmemoryPolicy, lru};

/// Candidates kept (Redis's `EVPOOL_SIZE`).
pub(crate) const POOL_SIZE: usize = 16;

/// A key that may be evicted, with its score (higher: evict sooner).
#[derive(Debug)]
pub(crate) struct Candidate {
    pub(crate) score: u64,
    pub(crate) key: Box<[u8]>,
    pub(crate) shard: usize,
}

/// Candidates in ascending score: the best is last.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    entries: Vec<Candidate>,
    /// The pool's own generator: it is only used under the pool's lock, and saves the
    /// thread-local lookup that each `fastrand::` call makes (several per eviction).
    rng: fastrand::Rng,
}

/// How evictable `e` is under `policy` (`None`: not a candidate at all).
fn score(
    policy: MaxmemoryPolicy,
    e: &Entry,
    now_ms: u64,
    decay_time: u32,
    rng: &mut fastrand::Rng,
) -> Option<u64> {
    e.value.as_ref()?;
    if policy.volatile_only() && e.expires_at == 0 {
        return None;
    }
    let field = e.lru.load(std::sync::atomic::Ordering::Relaxed);
    Some(match policy {
        MaxmemoryPolicy::AllKeysLfu | MaxmemoryPolicy::VolatileLfu => {
            255 - u64::from(lru::lfu_decayed(field, now_ms, decay_time))
        }
        MaxmemoryPolicy::VolatileTtl => u64::MAX - e.expires_at,
        // A random pick among the sampled candidates.
        MaxmemoryPolicy::AllKeysRandom | MaxmemoryPolicy::VolatileRandom => rng.u64(..),
        _ => lru::idle_ms(now_ms, field),
    })
}

impl Pool {
    /// Samples `samples` random slots of `shard` (index `at`) into the pool; returns how
    /// many candidates it saw.
    pub(crate) fn populate(
        &mut self,
        shard: &Shard,
        at: usize,
        policy: MaxmemoryPolicy,
        samples: usize,
        now: &Now<'_>,
        decay_time: u32,
    ) -> usize {
        let slots = shard.slots();
        if slots == 0 {
            return 0;
        }
        let mut seen = 0;
        for _ in 0..samples {
            let Some((key, e)) = shard.slot(self.rng.usize(..slots)) else {
                continue;
            };
            let Some(score) = score(policy, e, now.get(), decay_time, &mut self.rng) else {
                continue;
            };
            seen += 1;
            self.offer(score, key, at);
        }
        seen
    }

    /// Puts a candidate in its place, dropping the worst when full; the same key twice
    /// keeps one place.
    fn offer(&mut self, score: u64, key: &[u8], shard: usize) {
        // The score test first: in a full pool most samples are no better than the worst,
        // and it saves comparing their key with every candidate's (most of a sample's cost).
        let full = self.entries.len() >= POOL_SIZE;
        if full && self.entries.first().is_some_and(|w| w.score >= score) {
            return;
        }
        if self
            .entries
            .iter()
            .any(|c| c.shard == shard && *c.key == *key)
        {
            return;
        }
        let at = self.entries.partition_point(|c| c.score < score);
        self.entries.insert(
            at,
            Candidate {
                score,
                key: key.into(),
                shard,
            },
        );
        if self.entries.len() > POOL_SIZE {
            self.entries.remove(0);
        }
    }

    /// The best candidate, taken out of the pool.
    pub(crate) fn pop_best(&mut self) -> Option<Candidate> {
        self.entries.pop()
    }

    /// A random index below `n` (which must not be 0), from the pool's generator.
    pub(crate) fn pick(&mut self, n: usize) -> usize {
        self.rng.usize(..n)
    }

    /// Forgets every candidate (the policy changed, or FLUSHALL).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}
