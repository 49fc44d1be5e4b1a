//! [`make_room`]: Redis's `performEvictions`, across shards without a global stop.
//!
//! It runs before a command takes any lock, so it may lock any one shard at a time without
//! breaking the store's ascending lock order; other threads keep working on every other
//! shard meanwhile. Each evicted key is removed through the effects path as `evicted` with
//! a `DEL` to replay, so WATCH, keyspace notifications and the AOF all see it.

use crate::clock::Now;
use crate::effects::{Listeners, Recorder, ev};
use crate::keyspace::{HKey, Keyspace, Removed};

use super::pool::Pool;
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
    let random = matches!(
        policy,
        MaxmemoryPolicy::AllKeysRandom | MaxmemoryPolicy::VolatileRandom
    );
    let mut pool = m.pool.lock();
    if random {
        // No memory between picks: each is among fresh samples only.
        pool.clear();
    }
    // A few tries, as candidates may have gone since they were sampled.
    for _ in 0..8 {
        if !fill(&mut pool, m, ks, policy, now) {
            return false;
        }
        while let Some(c) = pool.pop_best() {
            if evict_key(m, ks, listeners, c.shard, &c.key, policy, now) {
                return true;
            }
        }
    }
    false
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

/// Removes `key` from shard `at` if it is still there and still a candidate.
fn evict_key(
    m: &Memory,
    ks: &Keyspace,
    listeners: &Listeners,
    at: usize,
    key: &[u8],
    policy: MaxmemoryPolicy,
    now: &Now<'_>,
) -> bool {
    let k: HKey<'_> = ks.hkey(key);
    let mut shard = ks.shard(at).write();
    let still = shard
        .find(k)
        .is_some_and(|e| e.value.is_some() && (!policy.volatile_only() || e.expires_at != 0));
    if !still {
        return false;
    }
    let mut rec = Recorder::new(listeners.active());
    rec.start_in(ks.db_of(at));
    match shard.remove(k, now) {
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
    }
    true
}
