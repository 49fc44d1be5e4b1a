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
}

/// The generator eviction samples with: seeded at random, or fixed under loom, whose
/// models must make the same choices each time they replay an interleaving (as the
/// keyspace's hasher is fixed there).
pub(crate) fn new_rng() -> fastrand::Rng {
    #[cfg(not(loom))]
    return fastrand::Rng::new();
    #[cfg(loom)]
    return fastrand::Rng::with_seed(0x5eed);
}

/// The best candidates seen so far: Redis's sorted array, sorted by reference. The
/// candidates stay where they were put and only their one-byte positions move, so an
/// admission shifts at most 16 bytes where Redis's `memmove` shifts 16 whole entries, and
/// the worst and the best are at the ends.
#[derive(Debug)]
pub(crate) struct Pool {
    slots: [Option<Candidate>; POOL_SIZE],
    /// Positions in `slots` by ascending score, the best last. Among equal scores the
    /// earliest sampled ranks higher: LRU idle times have coarse ticks, so ties are common,
    /// and the candidate that had that idle time longest ago was accessed longest ago (an
    /// arbitrary order among ties lost 1% of hit ratio).
    order: Vec<u8>,
    /// The policy the scores were computed for.
    policy: Option<MaxmemoryPolicy>,
    /// The pool's own generator: it is only used under the pool's lock, and saves the
    /// thread-local lookup that each `fastrand::` call makes (several per eviction).
    rng: fastrand::Rng,
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            slots: Default::default(),
            order: Vec::with_capacity(POOL_SIZE),
            policy: None,
            rng: new_rng(),
        }
    }
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
    fn offer(&mut self, score: u64, key: &[u8], shard: usize, slot: usize) {
        let full = self.order.len() >= POOL_SIZE;
        // Most samples in a full pool are no better than its worst: one compare.
        if full && self.score_at(0) >= score {
            return;
        }
        // A key is in the pool twice only if it moved in its shard between two samples;
        // the second copy then finds nothing to evict. So position first, bytes last.
        let dup = |c: &Candidate| c.slot == slot && c.shard == shard && c.key[..] == *key;
        if self.slots.iter().flatten().any(dup) {
            return;
        }
        let free = if full {
            Some(self.order.remove(0))
        } else {
            (0..POOL_SIZE)
                .find(|&i| self.slots[i].is_none())
                .and_then(|i| u8::try_from(i).ok())
        };
        let Some(at) = free else {
            return;
        };
        self.slots[usize::from(at)] = Some(Candidate {
            score,
            key: Bytes::from_slice(key),
            shard,
            slot,
        });
        // Before its equals: they were sampled earlier.
        let rank = self.order.partition_point(|&i| self.score_of(i) < score);
        self.order.insert(rank, at);
    }

    fn score_of(&self, at: u8) -> u64 {
        self.slots[usize::from(at)].as_ref().map_or(0, |c| c.score)
    }

    /// The score of the candidate of rank `r` (0: the worst).
    fn score_at(&self, r: usize) -> u64 {
        self.order.get(r).map_or(0, |&i| self.score_of(i))
    }

    /// The best candidate (the earliest sampled of equal scores), taken out of the pool.
    pub(crate) fn pop_best(&mut self) -> Option<Candidate> {
        let at = self.order.pop()?;
        self.slots[usize::from(at)].take()
    }

    /// A random index below `n` (which must not be 0), from the pool's generator.
    pub(crate) fn pick(&mut self, n: usize) -> usize {
        self.rng.usize(..n)
    }

    /// Readies the pool for `policy`: scores of another policy do not compare with its
    /// own, so a change of policy empties it.
    pub(crate) fn scored_for(&mut self, policy: MaxmemoryPolicy) {
        if self.policy != Some(policy) {
            self.clear();
            self.policy = Some(policy);
        }
    }

    /// Forgets every candidate.
    pub(crate) fn clear(&mut self) {
        self.order.clear();
        self.slots = Default::default();
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
    fn a_change_of_policy_empties_the_pool_and_the_same_policy_keeps_it() {
        let mut pool = Pool::default();
        pool.scored_for(MaxmemoryPolicy::AllKeysLru);
        pool.offer(5, b"k", 0, 0);
        pool.scored_for(MaxmemoryPolicy::AllKeysLru);
        assert_eq!(drain(&mut pool).len(), 1);
        pool.offer(5, b"k", 0, 0);
        pool.scored_for(MaxmemoryPolicy::AllKeysLfu);
        assert!(drain(&mut pool).is_empty());
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
