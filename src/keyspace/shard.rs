//! One shard: a dense hash table of key → [`Entry`], its version clock and its counters.
//!
//! Entries live in an `IndexMap` (a hash index over a dense vector). Lookups pass the hash
//! computed once by the keyspace. The dense vector gives O(1) random picks (RANDOMKEY, the
//! expiry sweep) and lets SCAN walk positions downwards: a swap-remove only moves the last
//! element, which a downward walk has already visited, so no key present throughout is missed.

use indexmap::IndexMap;
use indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};

use super::{HKey, KeyHasher};
use crate::clock::Now;
use crate::types::{Bytes, Value, bytes};

/// A key's slot: its value (absent for a tombstone kept only for WATCH), version and expiry.
///
/// A tombstone exists only while some connection watches the key, so memory for watching
/// missing keys is bounded by what is watched now, not by what was ever written.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) value: Option<Value>,
    /// Shard-local stamp of the last signalling write (Redis's `signalModifiedKey`).
    pub(crate) version: u64,
    /// Absolute Unix time in ms; 0 means no expiry.
    pub(crate) expires_at: u64,
    /// Connections watching this key; a tombstone with no watchers is dropped.
    pub(crate) watchers: u32,
}

impl Entry {
    /// Redis treats a key as expired once now is strictly past its deadline.
    pub(crate) fn is_expired(&self, now: &Now<'_>) -> bool {
        self.expires_at != 0 && now.get() > self.expires_at
    }

    fn tombstone() -> Entry {
        Entry {
            value: None,
            version: 0,
            expires_at: 0,
            watchers: 0,
        }
    }

    /// The value, if the key exists at `now`.
    pub(crate) fn live(&self, now: &Now<'_>) -> Option<&Value> {
        self.value.as_ref().filter(|_| !self.is_expired(now))
    }
}

/// Mutable access to a live key. Writing through it does not bump the version by itself:
/// the command calls [`EntryMut::signal`] when a write really happened, because Redis does
/// not signal no-op writes (SADD of a present member, ...).
pub(crate) struct EntryMut<'s> {
    value: &'s mut Value,
    version: &'s mut u64,
    expires_at: &'s mut u64,
    clock: &'s mut u64,
}

impl EntryMut<'_> {
    pub(crate) fn value_mut(&mut self) -> &mut Value {
        self.value
    }

    /// Marks the key as written: watchers of it will abort.
    pub(crate) fn signal(&mut self) {
        *self.version = next(self.clock);
    }

    pub(crate) fn expires_at(&self) -> u64 {
        *self.expires_at
    }

    pub(crate) fn set_expires_at(&mut self, at: u64) {
        *self.expires_at = at;
    }
}

fn next(clock: &mut u64) -> u64 {
    *clock += 1;
    *clock
}

/// A shard of the keyspace. Only reached through its `RwLock`.
#[derive(Debug)]
pub(crate) struct Shard {
    map: IndexMap<Bytes, Entry, KeyHasher>,
    clock: u64,
    live: usize,
    sweep_cursor: usize,
}

impl Shard {
    pub(crate) fn new(hasher: KeyHasher) -> Shard {
        Shard {
            map: IndexMap::with_hasher(hasher),
            clock: 0,
            live: 0,
            sweep_cursor: 0,
        }
    }

    fn index(&self, k: HKey<'_>) -> Option<usize> {
        self.map
            .raw_entry_v1()
            .index_from_hash(k.hash, |key| key[..] == *k.bytes)
    }

    /// The entry (live, expired or tombstone) stored for `k`.
    pub(crate) fn find(&self, k: HKey<'_>) -> Option<&Entry> {
        self.map
            .raw_entry_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
            .map(|(_, e)| e)
    }

    /// The live entry of `k` at `now`. Read-only: an expired key is hidden, not removed.
    pub(crate) fn get(&self, k: HKey<'_>, now: &Now<'_>) -> Option<&Entry> {
        self.find(k)
            .filter(|e| e.value.is_some() && !e.is_expired(now))
    }

    /// Mutable access to the live key `k`, deleting it first if it has expired.
    pub(crate) fn get_mut(&mut self, k: HKey<'_>, now: &Now<'_>) -> Option<EntryMut<'_>> {
        let i = self.index(k)?;
        self.entry_mut_at(i, now)
    }

    fn entry_mut_at(&mut self, i: usize, now: &Now<'_>) -> Option<EntryMut<'_>> {
        if self.map[i].is_expired(now) {
            self.remove_at(i);
            return None;
        }
        let Entry {
            value: Some(value),
            version,
            expires_at,
            ..
        } = &mut self.map[i]
        else {
            return None;
        };
        Some(EntryMut {
            value,
            version,
            expires_at,
            clock: &mut self.clock,
        })
    }

    /// Stores `value` under `k` with the given expiry (0: none), replacing whatever was there.
    /// Returns the previous live value.
    pub(crate) fn insert(
        &mut self,
        k: HKey<'_>,
        value: Value,
        expires_at: u64,
        now: &Now<'_>,
    ) -> Option<Value> {
        let version = next(&mut self.clock);
        match self
            .map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
        {
            RawEntryMut::Occupied(o) => {
                let e = o.into_mut();
                let was_expired = e.is_expired(now);
                let old = e.value.replace(value);
                e.version = version;
                e.expires_at = expires_at;
                if old.is_none() {
                    self.live += 1;
                }
                old.filter(|_| !was_expired)
            }
            RawEntryMut::Vacant(v) => {
                let entry = Entry {
                    value: Some(value),
                    version,
                    expires_at,
                    watchers: 0,
                };
                v.insert_hashed_nocheck(k.hash, bytes(k.bytes), entry);
                self.live += 1;
                None
            }
        }
    }

    /// The live key `k`, created with `make()` (no expiry) when missing or expired.
    /// Returns the entry and whether it was created (creation is a signalled write).
    pub(crate) fn get_or_insert_with(
        &mut self,
        k: HKey<'_>,
        now: &Now<'_>,
        make: impl FnOnce() -> Value,
    ) -> (EntryMut<'_>, bool) {
        if let Some(i) = self.index(k) {
            if self.map[i].is_expired(now) {
                self.remove_at(i);
            }
        }
        let Shard {
            map, clock, live, ..
        } = self;
        let (_, e) = map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
            .or_insert_with(|| (bytes(k.bytes), Entry::tombstone()));
        let Entry {
            value,
            version,
            expires_at,
            ..
        } = e;
        let created = value.is_none();
        let value = match value {
            Some(v) => v,
            None => {
                *live += 1;
                *version = next(clock);
                *expires_at = 0;
                value.insert(make())
            }
        };
        let entry = EntryMut {
            value,
            version,
            expires_at,
            clock,
        };
        (entry, created)
    }

    /// Deletes `k`; returns its value if it was live. Deleting an expired key still
    /// signals (Redis's expiry deletion touches watchers) but returns `None`.
    pub(crate) fn remove(&mut self, k: HKey<'_>, now: &Now<'_>) -> Option<Value> {
        let i = self.index(k)?;
        let expired = self.map[i].is_expired(now);
        self.remove_at(i).filter(|_| !expired)
    }

    fn remove_at(&mut self, i: usize) -> Option<Value> {
        let e = &mut self.map[i];
        let old = e.value.take()?;
        e.version = next(&mut self.clock);
        e.expires_at = 0;
        self.live -= 1;
        if e.watchers == 0 {
            self.map.swap_remove_index(i);
            self.shrink_if_sparse();
        }
        Some(old)
    }

    /// Gives memory back once the table is mostly empty: below a quarter of its capacity it
    /// shrinks to twice its length, so a shrink's O(len) rehash follows at least len/2
    /// removals since the last resize (amortized O(1) per removal, as Redis's dict resize).
    /// Shrinking keeps the order of the dense vector, so SCAN and the sweep cursor hold.
    fn shrink_if_sparse(&mut self) {
        const MIN_CAPACITY: usize = 64;
        let cap = self.map.capacity();
        if cap > MIN_CAPACITY && self.map.len() < cap / 4 {
            self.map.shrink_to((self.map.len() * 2).max(MIN_CAPACITY));
        }
    }

    /// Registers a watcher of `k` and returns the version it must still have at EXEC.
    /// An expired key is deleted first, so a key already stale at WATCH does not abort EXEC
    /// when it is later reclaimed (Redis ≥ 7.0, #10256).
    pub(crate) fn watch(&mut self, k: HKey<'_>, now: &Now<'_>) -> u64 {
        if let Some(i) = self.index(k) {
            if self.map[i].is_expired(now) {
                self.remove_at(i);
            }
        }
        let clock = &mut self.clock;
        let (_, e) = self
            .map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
            .or_insert_with(|| {
                let mut tombstone = Entry::tombstone();
                tombstone.version = next(clock);
                (bytes(k.bytes), tombstone)
            });
        e.watchers += 1;
        e.version
    }

    /// Drops one watcher of `k` (and the tombstone, when it was the last).
    pub(crate) fn unwatch(&mut self, k: HKey<'_>) {
        let Some(i) = self.index(k) else { return };
        let e = &mut self.map[i];
        e.watchers = e.watchers.saturating_sub(1);
        if e.watchers == 0 && e.value.is_none() {
            self.map.swap_remove_index(i);
            self.shrink_if_sparse();
        }
    }

    /// True when `k` still has `version` and has not expired: the EXEC check.
    pub(crate) fn watch_intact(&self, k: HKey<'_>, version: u64, now: &Now<'_>) -> bool {
        self.find(k)
            .is_some_and(|e| e.version == version && !(e.value.is_some() && e.is_expired(now)))
    }

    /// Deletes every key. Watched keys that existed are signalled; watched missing keys are
    /// not (Redis's FLUSHDB touches only existing watched keys). The table is replaced, not
    /// cleared, so its memory goes back too; only the watched slots move to the new one.
    pub(crate) fn flush(&mut self) {
        let empty = IndexMap::with_hasher(self.map.hasher().clone());
        let old = std::mem::replace(&mut self.map, empty);
        for (key, mut e) in old.into_iter().filter(|(_, e)| e.watchers > 0) {
            if e.value.take().is_some() {
                e.version = next(&mut self.clock);
                e.expires_at = 0;
            }
            self.map.insert(key, e);
        }
        self.live = 0;
        self.sweep_cursor = 0;
    }

    /// Keys that exist (expired ones not yet reclaimed included, as Redis's DBSIZE counts).
    pub(crate) fn live_count(&self) -> usize {
        self.live
    }

    /// Slots the table has room for, for tests of its shrinking.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// Slots in the dense vector (live keys, expired keys and tombstones).
    pub(crate) fn slots(&self) -> usize {
        self.map.len()
    }

    /// The slot at position `i` of the dense vector.
    pub(crate) fn slot(&self, i: usize) -> Option<(&Bytes, &Entry)> {
        self.map.get_index(i)
    }

    /// Every key live at `now`.
    pub(crate) fn iter_live(&self, now: &Now<'_>) -> impl Iterator<Item = (&Bytes, &Value)> {
        self.map
            .iter()
            .filter_map(move |(k, e)| e.live(now).map(|v| (k, v)))
    }

    /// Reclaims every expired key; returns how many. Walks from the last slot down, so the
    /// slot a swap-remove fills comes from above, already examined (the rolling sweep cursor
    /// would miss it when a pass starts mid-table).
    pub(crate) fn purge_expired(&mut self, now: &Now<'_>) -> usize {
        let mut removed = 0;
        for i in (0..self.map.len()).rev() {
            if self.map[i].value.is_some() && self.map[i].is_expired(now) {
                self.remove_at(i);
                removed += 1;
            }
        }
        removed
    }

    /// Reclaims expired keys among the next `budget` slots of a rolling cursor; returns how
    /// many it deleted. Bounded work per call keeps the write lock short.
    pub(crate) fn sweep(&mut self, now: &Now<'_>, budget: usize) -> usize {
        let mut removed = 0;
        for _ in 0..budget.min(self.map.len()) {
            if self.sweep_cursor == 0 || self.sweep_cursor > self.map.len() {
                self.sweep_cursor = self.map.len();
            }
            self.sweep_cursor -= 1;
            let i = self.sweep_cursor;
            if self.map[i].value.is_some() && self.map[i].is_expired(now) {
                self.remove_at(i);
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hk<'a>(h: &KeyHasher, k: &'a [u8]) -> HKey<'a> {
        use std::hash::BuildHasher;
        HKey {
            bytes: k,
            hash: h.hash_one(k),
        }
    }

    #[test]
    fn purge_after_a_partial_sweep_reclaims_everything() {
        let hasher = KeyHasher::fixed();
        let mut shard = Shard::new(hasher.clone());
        let keys: Vec<Vec<u8>> = (0..100).map(|i| format!("k{i}").into_bytes()).collect();
        for (i, k) in keys.iter().enumerate() {
            let at = if i % 3 == 0 { 0 } else { 10 };
            shard.insert(hk(&hasher, k), Value::Str(bytes(b"v")), at, &Now::fixed(1));
        }
        // A background pass stopped mid-table leaves the rolling cursor in the middle.
        shard.sweep(&Now::fixed(20), 7);
        shard.purge_expired(&Now::fixed(20));
        assert_eq!(shard.live_count(), 34);
        assert_eq!(shard.slots(), 34);
        assert_eq!(shard.iter_live(&Now::fixed(20)).count(), 34);
    }
}
