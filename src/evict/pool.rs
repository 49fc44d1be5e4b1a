//! The eviction pool: the best candidates seen so far, kept between evictions.
//!
//! As Redis's `evictionPoolPopulate`, each eviction samples `maxmemory-samples` keys and
//! merges them into a pool of [`POOL_SIZE`] candidates ordered by how evictable they are
//! (idle time, inverted LFU counter, or time to expiry); the best candidate still present
//! goes. The pool remembers good candidates from earlier samples, so the result is much
//! closer to true LRU/LFU than the samples alone.

use crate::clock::Now;
use crate::keyspace::{Entry, Shard};
use crate::types::Bytes;

use super::{MaxmemoryPolicy, lru};

/// Candidates kept (Redis's `EVPOOL_SIZE`).
pub(crate) const POOL_SIZE: usize = 16;

/// A key that may be evicted, with its score (higher: evict sooner) and where it was seen.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub(crate) score: u64,
    /// Inline up to 16 bytes, as the keyspace's own keys: most candidates cost no
    /// allocation (a boxed copy was a malloc and a free per candidate).
    pub(crate) key: Bytes,
    pub(crate) shard: usize,
    /// Its position in the shard's dense vector when sampled: eviction removes it there
    /// without hashing it again if it has not moved.
    pub(crate) slot: usize,
    /// When it entered the pool. Among equal scores the earliest sampled goes first: LRU
    /// idle times are whole seconds, so ties are common, and the candidate that already
    /// had that idle time longest ago was accessed longest ago (the sorted pool this
    /// replaced broke ties the same way; an arbitrary order lost 1% of hit ratio).
    seq: u64,
}

/// The best candidates seen so far.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    /// At most [`POOL_SIZE`], in no order.
    entries: Vec<Candidate>,
    /// The lowest score while the pool is full: what a sample must beat to enter, and
    /// where that candidate is (the one a better sample replaces).
    floor: u64,
    floor_at: usize,
    /// Candidates admitted so far (each one's `seq`).
    admitted: u64,
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
            let i = self.rng.usize(..slots);
            let Some((key, e)) = shard.slot(i) else {
                continue;
            };
            let Some(score) = score(policy, e, now.get(), decay_time, &mut self.rng) else {
                continue;
            };
            seen += 1;
            self.offer(score, key, at, i);
        }
        seen
    }

    /// Adds a candidate, replacing the worst when full; the same key twice keeps one place.
    ///
    /// Unordered, unlike Redis's array: a sorted pool shifts up to 16 candidates on every
    /// admission and every drop (two memmoves, most of a sample's cost), while 16 scores
    /// scan in a few instructions.
    fn offer(&mut self, score: u64, key: &[u8], shard: usize, slot: usize) {
        let full = self.entries.len() >= POOL_SIZE;
        // Most samples in a full pool are no better than its worst: one compare.
        if full && self.floor >= score {
            return;
        }
        // A key is in the pool twice only if it moved in its shard between two samples;
        // the second copy then finds nothing to evict. So position first, bytes last.
        if self
            .entries
            .iter()
            .any(|c| c.slot == slot && c.shard == shard && c.key[..] == *key)
        {
            return;
        }
        self.admitted += 1;
        let c = Candidate {
            score,
            key: Bytes::from_slice(key),
            shard,
            slot,
            seq: self.admitted,
        };
        match self.entries.get_mut(self.floor_at) {
            Some(worst) if full => *worst = c,
            _ => self.entries.push(c),
        }
        if self.entries.len() >= POOL_SIZE {
            if let Some(w) = self.worst() {
                (self.floor, self.floor_at) = (self.entries[w].score, w);
            }
        }
    }

    /// The position of the lowest score (the latest sampled of equals).
    fn worst(&self) -> Option<usize> {
        let rank = |c: &Candidate| (c.score, u64::MAX - c.seq);
        (0..self.entries.len()).min_by_key(|&i| rank(&self.entries[i]))
    }

    /// The best candidate (the earliest sampled of equal scores), taken out of the pool.
    pub(crate) fn pop_best(&mut self) -> Option<Candidate> {
        let rank = |c: &Candidate| (c.score, u64::MAX - c.seq);
        let best = (0..self.entries.len()).max_by_key(|&i| rank(&self.entries[i]))?;
        Some(self.entries.swap_remove(best))
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
            .map(|c| (c.score, c.key.to_vec(), c.shard))
            .collect()
    }

    #[test]
    fn a_full_pool_drops_its_worst_for_a_better_sample_and_ignores_a_worse_one() {
        let mut pool = Pool::default();
        for s in 1..=POOL_SIZE as u64 {
            pool.offer(s, format!("k{s}").as_bytes(), 0, 0);
        }
        pool.offer(0, b"worse", 0, 0);
        pool.offer(100, b"better", 0, 0);
        let got = drain(&mut pool);
        assert_eq!(got.len(), POOL_SIZE);
        assert_eq!(got[0], (100, b"better".to_vec(), 0));
        assert!(got.iter().all(|c| c.0 != 1 && c.1 != b"worse"));
    }

    #[test]
    fn among_equal_scores_the_earliest_sampled_goes_first_and_the_latest_is_dropped() {
        let mut pool = Pool::default();
        for i in 0..POOL_SIZE {
            pool.offer(7, format!("k{i}").as_bytes(), 0, i);
        }
        pool.offer(8, b"better", 0, 99);
        let got = drain(&mut pool);
        assert_eq!(got[0].1, b"better");
        assert_eq!(got[1].1, b"k0");
        assert_eq!(got.last().map(|c| c.1.clone()), Some(b"k14".to_vec()));
    }

    #[test]
    fn the_same_key_offered_twice_keeps_one_place() {
        let mut pool = Pool::default();
        pool.offer(5, b"k", 3, 0);
        pool.offer(7, b"k", 3, 0);
        assert_eq!(drain(&mut pool), vec![(5, b"k".to_vec(), 3)]);
    }

    #[test]
    fn a_key_of_the_same_name_in_another_database_is_its_own_candidate() {
        let mut pool = Pool::default();
        pool.offer(5, b"k", 0, 0);
        pool.offer(6, b"k", 16, 0);
        assert_eq!(
            drain(&mut pool),
            vec![(6, b"k".to_vec(), 16), (5, b"k".to_vec(), 0)]
        );
    }
}
