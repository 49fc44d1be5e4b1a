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

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(pool: &mut Pool) -> Vec<(u64, Vec<u8>, usize)> {
        std::iter::from_fn(|| pool.pop_best())
            .map(|c| (c.score, c.key.into_vec(), c.shard))
            .collect()
    }

    #[test]
    fn a_full_pool_drops_its_worst_for_a_better_sample_and_ignores_a_worse_one() {
        let mut pool = Pool::default();
        for s in 1..=POOL_SIZE as u64 {
            pool.offer(s, format!("k{s}").as_bytes(), 0);
        }
        pool.offer(0, b"worse", 0);
        pool.offer(100, b"better", 0);
        let got = drain(&mut pool);
        assert_eq!(got.len(), POOL_SIZE);
        assert_eq!(got[0], (100, b"better".to_vec(), 0));
        assert!(got.iter().all(|c| c.0 != 1 && c.1 != b"worse"));
    }

    #[test]
    fn the_same_key_offered_twice_keeps_one_place() {
        let mut pool = Pool::default();
        pool.offer(5, b"k", 3);
        pool.offer(7, b"k", 3);
        assert_eq!(drain(&mut pool), vec![(5, b"k".to_vec(), 3)]);
    }

    #[test]
    fn a_key_of_the_same_name_in_another_database_is_its_own_candidate() {
        let mut pool = Pool::default();
        pool.offer(5, b"k", 0);
        pool.offer(6, b"k", 16);
        assert_eq!(
            drain(&mut pool),
            vec![(6, b"k".to_vec(), 16), (5, b"k".to_vec(), 0)]
        );
    }
}
