//! One shard: a dense hash table of key → [`Entry`], its version clock and its counters.
//!
//! Entries live in an `IndexMap` (a hash index over a dense vector). Lookups pass the hash
//! computed once by the keyspace. The dense vector gives O(1) random picks (RANDOMKEY, the
//! expiry sweep) and lets SCAN walk positions downwards: a swap-remove only moves the last
//! element, which a downward walk has already visited, so no key present throughout is missed.

use indexmap::IndexMap;
use indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};

mod snap;

pub(crate) use snap::Walked;

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
    /// The snapshot that already has this slot's value at its instant (see `snap`); fits in
    /// the padding after `watchers`, so slots stay the same size.
    snap_epoch: u32,
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
            snap_epoch: 0,
        }
    }

    /// The value, if the key exists at `now`.
    pub(crate) fn live(&self, now: &Now<'_>) -> Option<&Value> {
        self.value.as_ref().filter(|_| !self.is_expired(now))
    }
}

/// The right to give a key a new version: what a signalled write hands to the effects path
/// ([`crate::effects`]), which stamps it while recording the write. Shard methods never
/// stamp by themselves, so every version bump is also a recorded effect.
#[must_use = "a write's stamp must reach the effects path"]
pub(crate) struct Stamp<'s> {
    /// The key's version, or `None` when the slot is already gone (nobody watches it, so
    /// only the clock needs to move on).
    version: Option<&'s mut u64>,
    clock: &'s mut u64,
}

impl Stamp<'_> {
    /// Gives the key the shard's next version.
    #[inline]
    pub(crate) fn bump(self) {
        *self.clock += 1;
        if let Some(v) = self.version {
            *v = *self.clock;
        }
    }
}

/// Mutable access to a live key. Writing through it does not change the version: the
/// command signals the write through the effects path, because Redis does not signal no-op
/// writes (SADD of a present member, ...).
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

    /// The stamp for a write to this key.
    pub(crate) fn stamp(&mut self) -> Stamp<'_> {
        Stamp {
            version: Some(self.version),
            clock: self.clock,
        }
    }

    pub(crate) fn expires_at(&self) -> u64 {
        *self.expires_at
    }

    pub(crate) fn set_expires_at(&mut self, at: u64) {
        *self.expires_at = at;
    }
}

/// What a write-side lookup found.
pub(crate) enum Slot<'s> {
    /// No live key (missing, or a tombstone).
    Missing,
    /// The key had expired and was just deleted; its stamp records that deletion.
    Expired(Stamp<'s>),
    /// A live key.
    Live(EntryMut<'s>),
}

/// What [`Shard::insert`] replaced.
pub(crate) struct Inserted<'s> {
    /// The previous live value.
    pub(crate) old: Option<Value>,
    /// The previous value had expired (its deletion is part of this write).
    pub(crate) expired: bool,
    pub(crate) stamp: Stamp<'s>,
}

/// What [`Shard::remove`] removed.
pub(crate) enum Removed<'s> {
    Missing,
    /// The key had expired: deleted, but it did not exist for the command.
    Expired(Stamp<'s>),
    Live(Value, Stamp<'s>),
}

/// A shard of the keyspace. Only reached through its `RwLock`.
#[derive(Debug)]
pub(crate) struct Shard {
    map: IndexMap<Bytes, Entry, KeyHasher>,
    clock: u64,
    live: usize,
    sweep_cursor: usize,
    /// Blocked pops waiting on keys of this shard (guarded by the shard lock, see `waits`).
    pub(crate) waits: super::waits::WaitTable,
    /// The snapshot walking this shard, if any (see `snap`).
    snap: Option<Box<snap::SnapState>>,
    snap_epochs: u32,
}

impl Shard {
    pub(crate) fn new(hasher: KeyHasher) -> Shard {
        Shard {
            map: IndexMap::with_hasher(hasher),
            clock: 0,
            live: 0,
            sweep_cursor: 0,
            waits: super::waits::WaitTable::default(),
            snap: None,
            snap_epochs: 0,
        }
    }

    fn index(&self, k: HKey<'_>) -> Option<usize> {
        self.map
            .raw_entry_v1()
            .index_from_hash(k.hash, |key| key[..] == *k.bytes)
    }

    fn next_version(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// The entry (live, expired or tombstone) stored for `k`.
    pub(crate) fn find(&self, k: HKey<'_>) -> Option<&Entry> {
        self.map
            .raw_entry_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
            .map(|(_, e)| e)
    }

    /// Write-side lookup of `k`: deletes it first if it has expired.
    #[inline]
    pub(crate) fn get_mut(&mut self, k: HKey<'_>, now: &Now<'_>) -> Slot<'_> {
        let Some(i) = self.index(k) else {
            return Slot::Missing;
        };
        if self.map[i].value.is_some() && self.map[i].is_expired(now) {
            return Slot::Expired(self.remove_at(i).1);
        }
        self.before_write(i);
        let Shard { map, clock, .. } = self;
        let Entry {
            value: Some(value),
            version,
            expires_at,
            ..
        } = &mut map[i]
        else {
            return Slot::Missing;
        };
        Slot::Live(EntryMut {
            value,
            version,
            expires_at,
            clock,
        })
    }

    /// Stores `value` under `k` with the given expiry (0: none), replacing whatever was there.
    #[inline]
    pub(crate) fn insert(
        &mut self,
        k: HKey<'_>,
        value: Value,
        expires_at: u64,
        now: &Now<'_>,
    ) -> Inserted<'_> {
        if self.snap.is_some() {
            if let Some(i) = self.index(k) {
                self.before_write(i);
            }
        }
        let epoch = self.new_slot_epoch();
        let Shard {
            map, clock, live, ..
        } = self;
        match map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
        {
            RawEntryMut::Occupied(o) => {
                let e = o.into_mut();
                let was_expired = e.is_expired(now);
                let old = e.value.replace(value);
                e.expires_at = expires_at;
                if old.is_none() {
                    *live += 1;
                }
                Inserted {
                    expired: was_expired && old.is_some(),
                    old: old.filter(|_| !was_expired),
                    stamp: Stamp {
                        version: Some(&mut e.version),
                        clock,
                    },
                }
            }
            RawEntryMut::Vacant(v) => {
                let entry = Entry {
                    value: Some(value),
                    version: 0,
                    expires_at,
                    watchers: 0,
                    snap_epoch: epoch,
                };
                let (_, e) = v.insert_hashed_nocheck(k.hash, bytes(k.bytes), entry);
                *live += 1;
                Inserted {
                    old: None,
                    expired: false,
                    stamp: Stamp {
                        version: Some(&mut e.version),
                        clock,
                    },
                }
            }
        }
    }

    /// The live key `k`, created with `make()` (no expiry) when missing or expired.
    /// Returns the entry, whether it was created, and whether an expired value was deleted
    /// first (the caller's signal stamps both changes with one version).
    #[inline]
    pub(crate) fn get_or_insert_with(
        &mut self,
        k: HKey<'_>,
        now: &Now<'_>,
        make: impl FnOnce() -> Value,
    ) -> (EntryMut<'_>, bool, bool) {
        if self.snap.is_some() {
            if let Some(i) = self.index(k) {
                self.before_write(i);
            }
        }
        let epoch = self.new_slot_epoch();
        let Shard {
            map, clock, live, ..
        } = self;
        let (_, e) = map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
            .or_insert_with(|| {
                let mut fresh = Entry::tombstone();
                fresh.snap_epoch = epoch;
                (bytes(k.bytes), fresh)
            });
        let Entry {
            value,
            version,
            expires_at,
            ..
        } = e;
        let expired = value.is_some() && *expires_at != 0 && now.get() > *expires_at;
        if expired {
            *value = None;
            *live -= 1;
        }
        let created = value.is_none();
        let value = if let Some(v) = value {
            v
        } else {
            *live += 1;
            *expires_at = 0;
            value.insert(make())
        };
        let entry = EntryMut {
            value,
            version,
            expires_at,
            clock,
        };
        (entry, created, expired)
    }

    /// Deletes `k`.
    pub(crate) fn remove(&mut self, k: HKey<'_>, now: &Now<'_>) -> Removed<'_> {
        let Some(i) = self.index(k) else {
            return Removed::Missing;
        };
        if self.map[i].value.is_none() {
            return Removed::Missing;
        }
        let expired = self.map[i].is_expired(now);
        match self.remove_at(i) {
            (Some(_), stamp) if expired => Removed::Expired(stamp),
            (Some(v), stamp) => Removed::Live(v, stamp),
            (None, stamp) => {
                // Unreachable (checked above); the stamp still must be used.
                stamp.bump();
                Removed::Missing
            }
        }
    }

    /// Deletes `k` if it holds a value that has expired at `now`.
    pub(crate) fn remove_expired(&mut self, k: HKey<'_>, now: &Now<'_>) -> Option<Stamp<'_>> {
        let i = self.index(k)?;
        if self.map[i].value.is_none() || !self.map[i].is_expired(now) {
            return None;
        }
        Some(self.remove_at(i).1)
    }

    /// Takes the value out of slot `i`; the slot stays (as a tombstone) only while watched.
    fn remove_at(&mut self, i: usize) -> (Option<Value>, Stamp<'_>) {
        self.before_write(i);
        let e = &mut self.map[i];
        let old = e.value.take();
        e.expires_at = 0;
        if old.is_some() {
            self.live -= 1;
        }
        if e.watchers == 0 {
            self.before_swap_remove(i);
            self.map.swap_remove_index(i);
            self.shrink_if_sparse();
            let stamp = Stamp {
                version: None,
                clock: &mut self.clock,
            };
            return (old, stamp);
        }
        let Shard { map, clock, .. } = self;
        let stamp = Stamp {
            version: Some(&mut map[i].version),
            clock,
        };
        (old, stamp)
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

    /// Registers a watcher of `k` and returns the version it must still have at EXEC. The
    /// caller deletes an expired key first ([`Shard::remove_expired`]), so a key already
    /// stale at WATCH does not abort EXEC when it is later reclaimed (Redis ≥ 7.0, #10256).
    pub(crate) fn watch(&mut self, k: HKey<'_>) -> u64 {
        let fresh = self.next_version();
        let (_, e) = self
            .map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |key| key[..] == *k.bytes)
            .or_insert_with(|| {
                let mut tombstone = Entry::tombstone();
                tombstone.version = fresh;
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
            self.before_swap_remove(i);
            self.map.swap_remove_index(i);
            self.shrink_if_sparse();
        }
    }

    /// True when `k` still has `version` and has not expired: the EXEC check.
    pub(crate) fn watch_intact(&self, k: HKey<'_>, version: u64, now: &Now<'_>) -> bool {
        self.find(k)
            .is_some_and(|e| e.version == version && !(e.value.is_some() && e.is_expired(now)))
    }

    /// Deletes every key; returns how many existed. Watched keys that existed get `stamp`ed
    /// (Redis's FLUSHDB touches only existing watched keys). The table is replaced, not
    /// cleared, so its memory goes back too; only the watched slots move to the new one.
    pub(crate) fn flush(&mut self, mut stamp: impl FnMut(Stamp<'_>)) -> usize {
        if self.snap.is_some() {
            (0..self.map.len()).for_each(|i| self.before_write(i));
        }
        let empty = IndexMap::with_hasher(self.map.hasher().clone());
        let old = std::mem::replace(&mut self.map, empty);
        let Shard {
            map,
            clock,
            live,
            sweep_cursor,
            ..
        } = self;
        *sweep_cursor = 0;
        for (key, mut e) in old.into_iter().filter(|(_, e)| e.watchers > 0) {
            if e.value.take().is_some() {
                e.expires_at = 0;
                stamp(Stamp {
                    version: Some(&mut e.version),
                    clock: &mut *clock,
                });
            }
            map.insert(key, e);
        }
        std::mem::take(live)
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

    /// Deletes slot `i` if it holds an expired value, handing its key and stamp to `found`.
    fn reclaim_at(
        &mut self,
        i: usize,
        now: &Now<'_>,
        found: &mut impl FnMut(&[u8], Stamp<'_>),
    ) -> bool {
        if self.map[i].value.is_none() || !self.map[i].is_expired(now) {
            return false;
        }
        // The key is copied only when someone needs it after the slot is gone.
        let key = self
            .map
            .get_index(i)
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        let (_, stamp) = self.remove_at(i);
        found(&key, stamp);
        true
    }

    /// Reclaims every expired key; returns how many. Walks from the last slot down, so the
    /// slot a swap-remove fills comes from above, already examined (the rolling sweep cursor
    /// would miss it when a pass starts mid-table).
    pub(crate) fn purge_expired(
        &mut self,
        now: &Now<'_>,
        mut found: impl FnMut(&[u8], Stamp<'_>),
    ) -> usize {
        let mut removed = 0;
        for i in (0..self.map.len()).rev() {
            removed += usize::from(self.reclaim_at(i, now, &mut found));
        }
        removed
    }

    /// Reclaims expired keys among the next `budget` slots of a rolling cursor; returns how
    /// many it deleted. Bounded work per call keeps the write lock short.
    // The sweeper thread is not started under loom.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn sweep(
        &mut self,
        now: &Now<'_>,
        budget: usize,
        mut found: impl FnMut(&[u8], Stamp<'_>),
    ) -> usize {
        let mut removed = 0;
        for _ in 0..budget.min(self.map.len()) {
            if self.sweep_cursor == 0 || self.sweep_cursor > self.map.len() {
                self.sweep_cursor = self.map.len();
            }
            self.sweep_cursor -= 1;
            removed += usize::from(self.reclaim_at(self.sweep_cursor, now, &mut found));
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
            shard
                .insert(hk(&hasher, k), Value::Str(bytes(b"v")), at, &Now::fixed(1))
                .stamp
                .bump();
        }
        // A background pass stopped mid-table leaves the rolling cursor in the middle.
        shard.sweep(&Now::fixed(20), 7, |_, s| s.bump());
        shard.purge_expired(&Now::fixed(20), |_, s| s.bump());
        assert_eq!(shard.live_count(), 34);
        assert_eq!(shard.slots(), 34);
        assert_eq!(shard.iter_live(&Now::fixed(20)).count(), 34);
    }
}
