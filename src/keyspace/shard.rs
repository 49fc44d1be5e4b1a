//! One shard: a dense hash table of key → [`Entry`], its version clock and its counters.
//!
//! Entries live in an `IndexMap` (a hash index over a dense vector). Lookups pass the hash
//! computed once by the keyspace. The dense vector gives O(1) random picks (RANDOMKEY, the
//! expiry sweep) and lets SCAN walk positions downwards: a swap-remove only moves the last
//! element, which a downward walk has already visited, so no key present throughout is missed.

mod swap;

mod snap;

pub(crate) use snap::Walked;
pub(crate) use swap::SwapEffect;

use std::collections::HashSet;
use std::sync::atomic::AtomicU32;

use indexmap::IndexMap;
use indexmap::map::raw_entry_v1::RawEntryApiV1;

use super::accounting::{self, Mem, Total};
use super::{HKey, KeyHasher};
use crate::clock::Now;
use crate::types::{Bytes, Value, bytes, memsize};

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
    /// The LRU clock (32 bits of 62.5 ms ticks) or Redis's 24-bit LFU counter (see
    /// `evict::lru`). Atomic because reads, which hold only the shard's read lock, touch
    /// it; it fits the slot's padding, so it costs no memory.
    pub(crate) lru: AtomicU32,
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
            lru: AtomicU32::new(0),
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
    lru: &'s AtomicU32,
    volatile: &'s mut usize,
}

/// Sets an entry's deadline, keeping the shard's count of keys with one exact.
#[inline]
fn retime(volatile: &mut usize, slot: &mut u64, at: u64) {
    if *slot != 0 {
        *volatile = volatile.saturating_sub(1);
    }
    if at != 0 {
        *volatile += 1;
    }
    *slot = at;
}

impl EntryMut<'_> {
    /// The key's LRU/LFU field.
    pub(crate) fn lru(&self) -> &AtomicU32 {
        self.lru
    }

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
        retime(self.volatile, self.expires_at, at);
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
    mem: Mem,
    /// The slot handed out for writing in place, with its value's bytes then: counted
    /// again by [`Shard::settle`] before anything can move it, and at the command's end.
    open: Option<(usize, usize)>,
    /// What the table itself was last counted at.
    table: usize,
    /// Blocked pops waiting on keys of this shard (guarded by the shard lock, see `waits`).
    pub(crate) waits: super::waits::WaitTable,
    /// The keys some connection watches (their slots have `watchers > 0`), so that SWAPDB
    /// finds them in O(watched keys), as Redis's `watched_keys` dict lets it.
    watched: HashSet<Bytes, KeyHasher>,
    /// INFO's counters, kept per shard next to the lock a command already holds, so no
    /// line is written by every thread (see `server::stats`). Reads count under a read
    /// lock, hence atomics; expiry counts under the write lock.
    pub(crate) counts: Counts,
    /// Entries with a deadline (INFO's `expires`), kept exact by every write of one.
    volatile: usize,
    /// The snapshot walking this shard, if any (see `snap`).
    snap: Option<Box<snap::SnapState>>,
    snap_epochs: u32,
    /// Under `Fsync::Always`: the durable mark this shard's last logged write needs (every
    /// record below it durable). A call that locks the shard before the log's mark passes
    /// it waits for it before replying (see `locks::after_unlock`). 0: nothing pending.
    pub(crate) log_ticket: u64,
}

/// A shard's INFO counters: `keyspace_hits`, `keyspace_misses`, `expired_keys`.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) hits: std::sync::atomic::AtomicU64,
    pub(crate) misses: std::sync::atomic::AtomicU64,
    /// Written under the write lock (`get_mut`, no atomic operation), read and reset by
    /// INFO and CONFIG RESETSTAT under read locks.
    pub(crate) expired: std::sync::atomic::AtomicU64,
}

impl Counts {
    /// A read found its key (or not), as Redis's `lookupKeyRead` counts.
    #[inline]
    pub(crate) fn lookup(&self, hit: bool) {
        let c = if hit { &self.hits } else { &self.misses };
        c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// A key expired (the caller holds the shard's write lock).
    #[inline]
    pub(crate) fn expired(&mut self) {
        *self.expired.get_mut() += 1;
    }

    /// CONFIG RESETSTAT (under a read lock).
    pub(crate) fn reset(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        self.hits.store(0, Relaxed);
        self.misses.store(0, Relaxed);
        self.expired.store(0, Relaxed);
    }
}

impl Shard {
    pub(crate) fn new(hasher: KeyHasher, total: Total) -> Shard {
        Shard {
            map: IndexMap::with_hasher(hasher.clone()),
            clock: 0,
            live: 0,
            sweep_cursor: 0,
            mem: Mem::new(total),
            open: None,
            table: 0,
            waits: super::waits::WaitTable::default(),
            watched: HashSet::with_hasher(hasher),
            counts: Counts::default(),
            volatile: 0,
            snap: None,
            snap_epochs: 0,
            log_ticket: 0,
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

    /// The position of `k`'s slot in the dense vector.
    pub(crate) fn position(&self, k: HKey<'_>) -> Option<usize> {
        self.index(k)
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
        self.settle();
        let Some(i) = self.index(k) else {
            return Slot::Missing;
        };
        if self.map[i].value.is_some() && self.map[i].is_expired(now) {
            self.counts.expired();
            return Slot::Expired(self.remove_at(i).1);
        }
        self.before_write(i);
        let Shard {
            map,
            clock,
            open,
            volatile,
            ..
        } = self;
        let Entry {
            value: Some(value),
            version,
            expires_at,
            lru,
            ..
        } = &mut map[i]
        else {
            return Slot::Missing;
        };
        *open = Some((i, value.heap_size(memsize::ACCOUNTING_SAMPLES)));
        Slot::Live(EntryMut {
            value,
            version,
            expires_at,
            clock,
            lru,
            volatile,
        })
    }

    /// Stores `value` under `k` with the given expiry (0: none), replacing whatever was there.
    /// `lru` gives the key's LRU/LFU field from the one it had (`None`: a new key).
    #[inline]
    pub(crate) fn insert(
        &mut self,
        k: HKey<'_>,
        value: Value,
        expires_at: u64,
        now: &Now<'_>,
        lru: impl FnOnce(Option<u32>) -> u32,
    ) -> Inserted<'_> {
        let i = self.slot_of(k);
        self.before_write(i);
        let Shard {
            map,
            clock,
            live,
            mem,
            counts,
            volatile,
            ..
        } = self;
        let e = &mut map[i];
        let was_expired = e.is_expired(now);
        mem.add(accounting::entry_bytes(k.bytes.len(), &value));
        let old = e.value.replace(value);
        retime(volatile, &mut e.expires_at, expires_at);
        let kept = old.as_ref().map(|_| *e.lru.get_mut());
        *e.lru.get_mut() = lru(kept.filter(|_| !was_expired));
        match &old {
            Some(v) => mem.sub(accounting::entry_bytes(k.bytes.len(), v)),
            None => *live += 1,
        }
        if was_expired && old.is_some() {
            counts.expired();
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

    /// Counts what the last value handed out for writing became (commands change values
    /// in place through `EntryMut::value_mut`; this keeps the count O(1) per write, see
    /// `types::memsize`).
    #[inline]
    pub(crate) fn settle(&mut self) {
        if let Some((i, before)) = self.open.take() {
            if let Some(v) = self.map.get_index(i).and_then(|(_, e)| e.value.as_ref()) {
                let after = v.heap_size(memsize::ACCOUNTING_SAMPLES);
                self.mem.change(before, after);
            }
        }
    }

    /// The position of `k`'s slot, made (as a tombstone) if missing.
    #[inline]
    fn slot_of(&mut self, k: HKey<'_>) -> usize {
        self.settle();
        match self.index(k) {
            Some(i) => i,
            None => self.new_slot(k),
        }
    }

    /// A new slot for `k` (known missing): it goes at the end of the dense vector.
    fn new_slot(&mut self, k: HKey<'_>) -> usize {
        let len = self.map.len();
        // Born after a running snapshot's instant: marked so its walk skips it.
        let mut fresh = Entry::tombstone();
        fresh.snap_epoch = self.new_slot_epoch();
        self.map
            .raw_entry_mut_v1()
            .from_hash(k.hash, |_| false)
            .or_insert_with(|| (bytes(k.bytes), fresh));
        self.recount_table();
        len
    }

    /// Counts a change of the table's own size (it grew or shrank).
    fn recount_table(&mut self) {
        let now = accounting::table_bytes(self.map.capacity(), self.map.len());
        if now != self.table {
            self.mem.change(self.table, now);
            self.table = now;
        }
    }

    /// The live key `k`, created with `make()` (no expiry) when missing or expired; a new
    /// key's LRU/LFU field is `lru`. Returns the entry, whether it was created, and whether
    /// an expired value was deleted first (the caller's signal stamps both changes with one
    /// version).
    #[inline]
    pub(crate) fn get_or_insert_with(
        &mut self,
        k: HKey<'_>,
        now: &Now<'_>,
        make: impl FnOnce() -> Value,
        lru: u32,
    ) -> (EntryMut<'_>, bool, bool) {
        let i = self.slot_of(k);
        self.before_write(i);
        let Shard {
            map,
            clock,
            live,
            mem,
            open,
            counts,
            volatile,
            ..
        } = self;
        let Entry {
            value,
            version,
            expires_at,
            lru: key_lru,
            ..
        } = &mut map[i];
        let expired = value.is_some() && *expires_at != 0 && now.get() > *expires_at;
        if expired {
            if let Some(old) = value.take() {
                mem.sub(accounting::entry_bytes(k.bytes.len(), &old));
            }
            *live -= 1;
            counts.expired();
        }
        let created = value.is_none();
        let value = if let Some(v) = value {
            v
        } else {
            *live += 1;
            retime(volatile, expires_at, 0);
            *key_lru.get_mut() = lru;
            let v = value.insert(make());
            mem.add(accounting::entry_bytes(k.bytes.len(), v));
            v
        };
        *open = Some((i, value.heap_size(memsize::ACCOUNTING_SAMPLES)));
        let entry = EntryMut {
            value,
            version,
            expires_at,
            clock,
            lru: key_lru,
            volatile,
        };
        (entry, created, expired)
    }

    /// Deletes `k`.
    pub(crate) fn remove(&mut self, k: HKey<'_>, now: &Now<'_>) -> Removed<'_> {
        let Some(i) = self.index(k) else {
            return Removed::Missing;
        };
        self.remove_index(i, now)
    }

    /// Deletes the key at position `i` of the dense vector if that is still `key`: eviction
    /// remembers where it sampled a key, which saves hashing it and looking it up again.
    /// `Missing` if the slot moved or holds no value.
    pub(crate) fn remove_slot(&mut self, i: usize, key: &[u8], now: &Now<'_>) -> Removed<'_> {
        if self.map.get_index(i).is_none_or(|(k, _)| k[..] != *key) {
            return Removed::Missing;
        }
        self.remove_index(i, now)
    }

    fn remove_index(&mut self, i: usize, now: &Now<'_>) -> Removed<'_> {
        if self.map[i].value.is_none() {
            return Removed::Missing;
        }
        let expired = self.map[i].is_expired(now);
        if expired {
            self.counts.expired();
        }
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
        self.counts.expired();
        Some(self.remove_at(i).1)
    }

    /// Takes the value out of slot `i`; the slot stays (as a tombstone) only while watched.
    fn remove_at(&mut self, i: usize) -> (Option<Value>, Stamp<'_>) {
        self.settle();
        self.before_write(i);
        let Some((key, e)) = self.map.get_index_mut(i) else {
            return (
                None,
                Stamp {
                    version: None,
                    clock: &mut self.clock,
                },
            );
        };
        let old = e.value.take();
        retime(&mut self.volatile, &mut e.expires_at, 0);
        let watched = e.watchers > 0;
        if let Some(v) = &old {
            let bytes = accounting::entry_bytes(key.len(), v);
            self.mem.sub(bytes);
            self.live -= 1;
        }
        if !watched {
            self.before_swap_remove(i);
            self.map.swap_remove_index(i);
            self.shrink_if_sparse();
            self.recount_table();
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
            self.recount_table();
        }
    }

    /// Registers a watcher of `k` and returns the version it must still have at EXEC. The
    /// caller deletes an expired key first ([`Shard::remove_expired`]), so a key already
    /// stale at WATCH does not abort EXEC when it is later reclaimed (Redis ≥ 7.0, #10256).
    pub(crate) fn watch(&mut self, k: HKey<'_>) -> u64 {
        self.settle();
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
        let version = e.version;
        if e.watchers == 1 {
            self.watched.insert(bytes(k.bytes));
        }
        self.recount_table();
        version
    }

    /// Drops one watcher of `k` (and the tombstone, when it was the last).
    pub(crate) fn unwatch(&mut self, k: HKey<'_>) {
        self.settle();
        let Some(i) = self.index(k) else { return };
        let e = &mut self.map[i];
        e.watchers = e.watchers.saturating_sub(1);
        if e.watchers == 0 {
            self.watched.remove(k.bytes);
            if e.value.is_none() {
                self.before_swap_remove(i);
                self.map.swap_remove_index(i);
                self.shrink_if_sparse();
                self.recount_table();
            }
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
        self.open = None;
        let empty = IndexMap::with_hasher(self.map.hasher().clone());
        let old = std::mem::replace(&mut self.map, empty);
        let Shard {
            map,
            clock,
            live,
            sweep_cursor,
            volatile,
            ..
        } = self;
        *sweep_cursor = 0;
        *volatile = 0;
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
        let removed = std::mem::take(live);
        self.mem.reset(0);
        self.table = 0;
        self.recount_table();
        removed
    }

    /// The shard's bytes, exactly (the store's total lags it by a little).
    pub(crate) fn used_memory(&self) -> usize {
        let open = self.open.and_then(|(i, before)| {
            let v = self.map.get_index(i)?.1.value.as_ref()?;
            Some((before, v.heap_size(memsize::ACCOUNTING_SAMPLES)))
        });
        match open {
            Some((before, after)) => (self.mem.used() + after).saturating_sub(before),
            None => self.mem.used(),
        }
    }

    /// Bytes of the shard's table itself (its index and used slots), part of
    /// [`used_memory`](Self::used_memory): MEMORY STATS's hash-table overhead.
    pub(crate) fn table_memory(&self) -> usize {
        self.table
    }

    /// Hands the bytes the shard keeps back to the store's total.
    pub(crate) fn flush_memory(&mut self) {
        self.mem.flush();
    }

    /// Keys with a deadline (expired ones not yet reclaimed included, as Redis counts).
    pub(crate) fn volatile_count(&self) -> usize {
        self.volatile
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
        self.counts.expired();
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
        self.settle();
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
        self.settle();
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
    fn an_entry_is_one_cache_line() {
        // value 32 + version 8 + expiry 8 + watchers 4 + lru 4 + snapshot epoch 4, padded:
        // the epoch costs 8 bytes a key (measured per key with `examples/memory`); any more
        // would show here first.
        assert_eq!(std::mem::size_of::<Entry>(), 64);
    }

    #[test]
    fn the_count_follows_writes_in_place_and_removals() {
        let hasher = KeyHasher::fixed();
        let mut shard = Shard::new(hasher.clone(), Total::default());
        let k = hk(&hasher, b"list");
        let now = Now::fixed(1);
        let (mut e, created, _) =
            shard.get_or_insert_with(k, &now, || Value::List(Box::default()), 0);
        assert!(created);
        if let Value::List(l) = e.value_mut() {
            l.extend((0..100).map(|_| bytes(&[b'x'; 40])));
        }
        e.stamp().bump();
        let grown = shard.used_memory();
        shard.settle();
        assert_eq!(shard.used_memory(), grown);
        assert!(grown > 100 * 40, "{grown}");
        let Removed::Live(_, stamp) = shard.remove(k, &now) else {
            panic!("the list is live")
        };
        stamp.bump();
        assert_eq!(
            shard.used_memory(),
            accounting::table_bytes(shard.capacity(), shard.slots())
        );
    }

    #[test]
    fn purge_after_a_partial_sweep_reclaims_everything() {
        let hasher = KeyHasher::fixed();
        let mut shard = Shard::new(hasher.clone(), Total::default());
        let keys: Vec<Vec<u8>> = (0..100).map(|i| format!("k{i}").into_bytes()).collect();
        for (i, k) in keys.iter().enumerate() {
            let at = if i % 3 == 0 { 0 } else { 10 };
            shard
                .insert(
                    hk(&hasher, k),
                    Value::Str(bytes(b"v")),
                    at,
                    &Now::fixed(1),
                    |_| 0,
                )
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
