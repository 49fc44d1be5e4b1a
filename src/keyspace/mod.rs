//! The sharded keyspace: N shards (a power of two), each a cache-padded `RwLock<Shard>`.
//!
//! A key is hashed once with the store's randomly seeded hasher; the same hash picks the shard
//! and finds the slot inside it. Multi-shard work goes through [`locks`], which always locks in
//! ascending shard index, so no two operations can deadlock on each other.

pub(crate) mod expiry;
pub(crate) mod locks;
pub(crate) mod shard;
pub(crate) mod waits;

use std::hash::BuildHasher;

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

/// All shards of one store.
pub(crate) struct Keyspace {
    shards: Box<[CachePadded<RwLock<Shard>>]>,
    hasher: KeyHasher,
    mask: usize,
}

impl Keyspace {
    /// `shards` is rounded up to a power of two (at least 1).
    pub(crate) fn new(shards: usize) -> Keyspace {
        let n = shards.clamp(1, 1 << 16).next_power_of_two();
        let hasher = key_hasher();
        let shards = (0..n)
            .map(|_| CachePadded::new(RwLock::new(Shard::new(hasher.clone()))))
            .collect();
        Keyspace {
            shards,
            hasher,
            mask: n - 1,
        }
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

    pub(crate) fn shard(&self, index: usize) -> &RwLock<Shard> {
        &self.shards[index]
    }
}
