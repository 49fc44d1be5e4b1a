//! The sharded keyspace: N shards (a power of two), each a cache-padded `RwLock<Shard>`.
//!
//! A key is hashed once with the store's randomly seeded hasher; the same hash picks the shard
//! and finds the slot inside it. Multi-shard work goes through [`locks`], which always locks in
//! ascending shard index, so no two operations can deadlock on each other.

pub(crate) mod accounting;
pub(crate) mod expiry;
pub(crate) mod locks;
pub(crate) mod shard;
pub(crate) mod waits;

use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};

use crossbeam_utils::CachePadded;

use crate::sync::RwLock;
pub(crate) use shard::{Entry, EntryMut, Removed, Shard, Slot, Stamp, Walked};

/// A key with its hash, computed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HKey<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) hash: u64,
}

/// The keyspace hasher: seeded at random per store (untrusted keys cannot be chosen to
/// collide), but fixed under loom, whose models must replay identically.
pub(crate) type KeyHasher = foldhash::fast::SeedableRandomState;

fn key_hasher() -> KeyHasher {
    #[cfg(not(loom))]
    return KeyHasher::random();
    #[cfg(loom)]
    return KeyHasher::fixed();
}

/// One database's shards.
type Shards = Box<[CachePadded<RwLock<Shard>>]>;

/// Every database of one store: database 0's shards, made with the store, and the others'
/// made on first use (most stores only ever use database 0, and `Store::new` must stay
/// cheap).
///
/// A shard is named by one *global index*, `db * shard_count + shard`: database 0's shards
/// keep their plain indexes (a lookup adds a base of 0), and ascending global order is
/// (database, shard) ascending, the one lock order of every operation, across databases
/// too (MOVE, COPY .. DB, SWAPDB, FLUSHALL). Every database has the same shard count and
/// hasher, so a key hashes to the same shard in each.
pub(crate) struct Keyspace {
    shards: Shards,
    /// Databases 1.. (index `db - 1`).
    others: Box<[OnceLock<Shards>]>,
    hasher: KeyHasher,
    mask: usize,
    /// log2 of the shard count: a global index's database is `index >> bits`.
    bits: u32,
    /// Bytes of every shard of every database, fed by them in steps (see [`accounting`]).
    used: accounting::Total,
    /// The append-only log's durable mark, which replies wait for while `durable_on`
    /// (`Fsync::Always`; see `locks::after_unlock`). Set once, the first time `Always` is
    /// in force; `durable_on` follows `CONFIG SET appendfsync` / `appendonly`. A plain std
    /// atomic: no loom model runs a log.
    durable: OnceLock<Arc<dyn locks::Durable>>,
    durable_on: std::sync::atomic::AtomicBool,
    /// Read-held while a database is made, write-held by a snapshot across its instant
    /// (see [`Keyspace::hold_makes`]).
    makes: RwLock<()>,
}

impl Keyspace {
    /// `shards` is rounded up to a power of two (at least 1); `databases` is at least 1.
    pub(crate) fn new(shards: usize, databases: usize) -> Keyspace {
        let n = shards.clamp(1, 1 << 16).next_power_of_two();
        let hasher = key_hasher();
        let others = (1..databases.max(1)).map(|_| OnceLock::new()).collect();
        let used = accounting::Total::new(accounting::Totals::new());
        Keyspace {
            shards: make_shards(n, &hasher, &used),
            others,
            hasher,
            mask: n - 1,
            bits: n.trailing_zeros(),
            used,
            durable: OnceLock::new(),
            durable_on: std::sync::atomic::AtomicBool::new(false),
            makes: RwLock::new(()),
        }
    }

    /// The log replies wait for (`Fsync::Always`), if any.
    #[inline]
    pub(crate) fn durable(&self) -> Option<&Arc<dyn locks::Durable>> {
        if !self.durable_on.load(std::sync::atomic::Ordering::Acquire) {
            return None;
        }
        self.durable.get()
    }

    /// Makes replies wait for `log`'s durable mark (`Always` in force), or not. The first
    /// `log` given stays: a store has one (its log hub).
    pub(crate) fn set_durable(&self, log: Option<Arc<dyn locks::Durable>>) {
        let on = match log {
            Some(log) => {
                let _ = self.durable.set(log);
                true
            }
            None => false,
        };
        self.durable_on
            .store(on, std::sync::atomic::Ordering::Release);
    }

    /// How many databases there are.
    pub(crate) fn databases(&self) -> usize {
        self.others.len() + 1
    }

    /// The global index of database `db`'s first shard.
    pub(crate) fn base(&self, db: usize) -> usize {
        db << self.bits
    }

    /// The database of a global shard index.
    pub(crate) fn db_of(&self, index: usize) -> usize {
        index >> self.bits
    }

    /// Whether database `db` holds anything yet (was ever used); database 0 always does.
    pub(crate) fn is_made(&self, db: usize) -> bool {
        db == 0 || self.others.get(db - 1).is_some_and(|o| o.get().is_some())
    }

    /// The databases made so far, ascending (what FLUSHALL and the expiry sweep visit).
    pub(crate) fn made(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.databases()).filter(|&db| self.is_made(db))
    }

    pub(crate) fn hkey<'a>(&self, bytes: &'a [u8]) -> HKey<'a> {
        HKey {
            bytes,
            hash: self.hasher.hash_one(bytes),
        }
    }

    /// The shard of a hash. hashbrown uses the low bits for the bucket and the top 7 for its
    /// tag, so the shard comes from bits 40.. to keep both well spread inside each shard.
    pub(crate) fn shard_of(&self, hash: u64) -> usize {
        (hash >> 40) as usize & self.mask
    }

    pub(crate) fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shard at a global index (see [`Keyspace`]); makes its database on first use.
    /// An index past the last database is a bug of the caller: it panics, like any
    /// out-of-bounds index (planners check databases against [`Keyspace::databases`]).
    #[inline]
    pub(crate) fn shard(&self, index: usize) -> &RwLock<Shard> {
        match self.shards.get(index) {
            Some(shard) => shard,
            None => self.other_shard(index),
        }
    }

    #[cold]
    fn other_shard(&self, index: usize) -> &RwLock<Shard> {
        let db = self.db_of(index);
        let once = &self.others[db - 1];
        let shards = if let Some(shards) = once.get() {
            shards
        } else {
            let _making = self.makes.read();
            once.get_or_init(|| make_shards(self.shards.len(), &self.hasher, &self.used))
        };
        &shards[index & self.mask]
    }

    /// Holds back the making of databases until the guard drops. A snapshot takes it once
    /// it holds every shard of the databases made so far, then checks no database was made
    /// meanwhile: from then until its instant, a write to a database it does not hold
    /// cannot start (it would land in neither the image nor, for a log that joins at the
    /// instant, the log). Makers hold it only while they make, with no wait inside, and a
    /// snapshot holds every shard a maker could hold when it takes it, so neither waits
    /// for the other in a cycle.
    pub(crate) fn hold_makes(&self) -> crate::sync::RwLockWriteGuard<'_, ()> {
        self.makes.write()
    }

    /// Bytes held by keys and values, as fed by the shards: within
    /// [`accounting::STEP`] per shard of the exact sum. One relaxed load.
    pub(crate) fn used_memory_approx(&self) -> usize {
        usize::try_from(self.used.load()).unwrap_or(0)
    }

    /// The highest [`used_memory_approx`](Self::used_memory_approx) so far.
    pub(crate) fn peak_memory(&self) -> usize {
        usize::try_from(self.used.peak()).unwrap_or(0)
    }

    /// Makes the shards feed the total often enough for a limit of `maxmemory` bytes:
    /// their slack together stays within about 1% of it.
    pub(crate) fn fit_accounting_to(&self, maxmemory: u64) {
        let per_shard = maxmemory / 100 / self.shards.len() as u64;
        self.used
            .set_step(isize::try_from(per_shard).unwrap_or(isize::MAX));
    }

    /// Bytes held by keys and values, exactly: each shard's count (of every database made)
    /// under its read lock.
    pub(crate) fn used_memory_exact(&self) -> usize {
        self.made()
            .flat_map(|db| (0..self.shard_count()).map(move |i| self.base(db) + i))
            .map(|i| self.shard(i).read().used_memory())
            .sum()
    }
}

fn make_shards(n: usize, hasher: &KeyHasher, used: &accounting::Total) -> Shards {
    (0..n)
        .map(|_| CachePadded::new(RwLock::new(Shard::new(hasher.clone(), used.clone()))))
        .collect()
}
