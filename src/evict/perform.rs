//! [`make_room`]: Redis's `performEvictions`, across shards without a global stop.
//!
//! It runs before a command takes any lock, so it may lock any one shard at a time without
//! breaking the store's ascending lock order; other threads keep working on every other
//! shard meanwhile. Each evicted key is removed through the effects path as `evicted` with
//! a `DEL` to replay, so WATCH, keyspace notifications and the AOF all see it.

use crate::clock::Now;
use crate::effects::{Listeners, Recorder, ev};
use crate::keyspace::{Entry, Keyspace, Removed, Shard};
use crate::types::Bytes;

use super::pool::{Candidate, Pool};
use super::{MaxmemoryPolicy, Memory};

/// Most keys one call evicts: a limit lowered far below what is stored is reached over
/// several writes, as Redis's eviction time limit spreads it (`EVICT_RUNNING`).
const MAX_PER_CALL: usize = 4096;

/// Whether eviction must run before a write: one relaxed load when there is no limit.
#[inline]
pub(crate) fn over_limit(m: &Memory, ks: &Keyspace) -> bool {
    let max = m.maxmemory();
    max != 0 && ks.used_memory_approx() as u64 > max
}

/// Evicts keys until the store is under its limit; false when it cannot (`noeviction`, or
/// nothing left to evict), which makes writes that may grow memory fail with OOM.
#[cold]
pub(crate) fn make_room(m: &Memory, ks: &Keyspace, listeners: &Listeners, now_ms: u64) -> bool {
    let policy = m.policy();
    if policy == MaxmemoryPolicy::NoEviction {
        return !over_limit(m, ks);
    }
    m.refresh_time(now_ms);
    let now = Now::fixed(now_ms);
    for _ in 0..MAX_PER_CALL {
        if !over_limit(m, ks) {
            return true;
        }
        if !evict_one(m, ks, listeners, policy, &now) {
            return !over_limit(m, ks);
        }
    }
    true
}

/// Evicts one key; false when no key may be evicted.
fn evict_one(
    m: &Memory,
    ks: &Keyspace,
    listeners: &Listeners,
    policy: MaxmemoryPolicy,
    now: &Now<'_>,
) -> bool {
    if policy.is_random() {
        return evict_random(m, ks, listeners, policy, now);
    }
    let mut pool = m.pool.lock();
    pool.scored_for(policy);
    // A few tries, as candidates may have gone since they were sampled.
    for _ in 0..8 {
        if !fill(&mut pool, m, ks, policy, now) {
            return false;
        }
        while let Some(c) = pool.pop_best() {
            if evict_candidate(m, ks, listeners, &c, policy, now) {
                return true;
            }
        }
    }
    false
}

/// The random policies keep nothing between picks, so they need no pool: a random key of
/// a random shard goes, picked and removed under that shard's write lock alone (one lock
/// instead of a read lock, the pool's mutex and a write lock). As Redis's
/// `dictGetRandomKey`, the pick is uniform among the shard's candidates.
fn evict_random(
    m: &Memory,
    ks: &Keyspace,
    listeners: &Listeners,
    policy: MaxmemoryPolicy,
    now: &Now<'_>,
) -> bool {
    let per_db = ks.shard_count();
    let total = per_db * ks.made().count();
    if total == 0 {
        return false;
    }
    let mut rng = super::pool::new_rng();
    let volatile = policy.volatile_only();
    // Picks that may land on a tombstone or, for volatile-random, a key without a TTL:
    // bounded, as the work done under the write lock must be.
    let tries = m.samples() as usize * if volatile { 8 } else { 1 };
    let start = rng.usize(..total);
    for off in 0..total {
        let global = (start + off) % total;
        let Some(db) = ks.made().nth(global / per_db) else {
            continue;
        };
        let at = ks.base(db) + global % per_db;
        let mut shard = ks.shard(at).write();
        if shard.live_count() == 0 || (volatile && shard.volatile_count() == 0) {
            continue;
        }
        let slots = shard.slots();
        for _ in 0..tries {
            let pos = rng.usize(..slots);
            let Some((key, e)) = shard.slot(pos) else {
                continue;
            };
            if evictable(e, policy) {
                let key = Bytes::from_slice(key);
                return remove_evicted(m, ks, listeners, &mut shard, at, pos, &key, now);
            }
        }
    }
    false
}

/// Whether the entry may go under `policy`.
fn evictable(e: &Entry, policy: MaxmemoryPolicy) -> bool {
    e.value.is_some() && (!policy.volatile_only() || e.expires_at != 0)
}

/// Samples shards, from a random one on, until candidates were seen; false if no shard
/// holds any.
fn fill(
    pool: &mut Pool,
    m: &Memory,
    ks: &Keyspace,
    policy: MaxmemoryPolicy,
    now: &Now<'_>,
) -> bool {
    // Every shard of every database made so far (the limit is the store's, as Redis's is
    // the server's), starting at a random one.
    let n = ks.shard_count();
    // Counted, not collected: an allocation per eviction cost more than the sampling.
    let dbs = ks.made().count();
    let total = n * dbs;
    if total == 0 {
        return false;
    }
    let start = pool.pick(total);
    let samples = m.samples() as usize;
    let decay = m.lfu_decay_time();
    for off in 0..total {
        let j = (start + off) % total;
        let Some(db) = ks.made().nth(j / n) else {
            continue;
        };
        let i = ks.base(db) + j % n;
        let shard = ks.shard(i).read();
        if shard.live_count() == 0 {
            continue;
        }
        // Volatile policies look further in a shard before moving on: keys with a TTL may
        // be few among many.
        let tries = if policy.volatile_only() { 8 } else { 1 };
        for _ in 0..tries {
            if pool.populate(&shard, i, policy, samples, now, decay) > 0 {
                return true;
            }
        }
    }
    false
}

/// Removes the candidate if it is still there and still evictable: at the position it was
/// sampled at if it has not moved (no hashing, no lookup), else found by its hash.
fn evict_candidate(
    m: &Memory,
    ks: &Keyspace,
    listeners: &Listeners,
    c: &Candidate,
    policy: MaxmemoryPolicy,
    now: &Now<'_>,
) -> bool {
    let mut shard = ks.shard(c.shard).write();
    let i = if shard.slot(c.slot).is_some_and(|(k, _)| k[..] == c.key[..]) {
        c.slot
    } else {
        match shard.position(ks.hkey(&c.key)) {
            Some(i) => i,
            None => return false,
        }
    };
    if !shard.slot(i).is_some_and(|(_, e)| evictable(e, policy)) {
        return false;
    }
    remove_evicted(m, ks, listeners, &mut shard, c.shard, i, &c.key, now)
}

/// Removes `key`, at position `i` of `shard` (index `at`), through the effects path: an
/// `evicted` key replayed as `DEL` (or `expired`, if it had expired meanwhile).
#[allow(
    clippy::too_many_arguments,
    reason = "the shard's guard, its index and the key's position are what spares a lookup"
)]
fn remove_evicted(
    m: &Memory,
    ks: &Keyspace,
    listeners: &Listeners,
    shard: &mut Shard,
    at: usize,
    i: usize,
    key: &[u8],
    now: &Now<'_>,
) -> bool {
    let mut rec = Recorder::new(listeners.active());
    rec.start_in(ks.db_of(at));
    match shard.remove_slot(i, key, now) {
        Removed::Missing => return false,
        Removed::Expired(stamp) => {
            let at = rec.mark();
            rec.expired(stamp, key, at);
        }
        Removed::Live(_, stamp) => {
            m.evicted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            rec.signal(stamp, key, ev::EVICTED);
            rec.replay([&b"DEL"[..], key]);
        }
    }
    rec.end_command(&[]);
    shard.flush_memory();
    if let Some(batch) = rec.batch() {
        listeners.deliver(batch);
        // Under `Always` a thread inside a lock set only owes the DEL's fsync: whoever
        // locks this shard next must wait for it too before replying.
        crate::keyspace::locks::stamp_owed_on(shard, ks);
    }
    true
}
