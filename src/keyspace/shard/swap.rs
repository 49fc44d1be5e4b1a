//! SWAPDB for one pair of shards: the data moves, the watchers and waiters stay.
//!
//! Redis swaps two databases' dictionaries but not their `watched_keys` or `blocking_keys`:
//! a client stays in the database it selected. Here a watch lives in its key's slot, so
//! the watched slots are taken out before the tables are swapped and put back after.
//! Before that, Redis's `touchAllWatchedKeysInDb` (both ways) decides which watches the
//! swap breaks: a watched key that exists in its own database, or (live) in the other one.

use std::hash::BuildHasher;

use indexmap::map::raw_entry_v1::RawEntryApiV1;

use super::{Entry, Shard, Stamp};
use crate::clock::Now;
use crate::keyspace::HKey;
use crate::types::Bytes;

/// What a swap hands to the effects path.
pub(crate) enum SwapEffect<'s> {
    /// A watched key's new version: the swap changed what it sees.
    Touch(Stamp<'s>),
    /// A key already expired, swapped in under a watched key that was missing: deleted
    /// now (in the first shard's database when the flag is true), so the watch stays
    /// intact, as Redis flags such a watch `expired` instead of breaking it.
    Expired(bool, &'s [u8], Stamp<'s>),
}

/// A watch taken out of its slot for the swap.
struct Detached {
    key: Bytes,
    hash: u64,
    watchers: u32,
    /// The version its watchers saw, kept when the swap does not touch it.
    version: u64,
    touched: bool,
}

impl Shard {
    /// Swaps the data of `self` and `other` (one shard index of the two databases of a
    /// SWAPDB, both write-locked). `effect` receives every version change and deletion.
    pub(crate) fn swap_data(
        &mut self,
        other: &mut Shard,
        now: &Now<'_>,
        mut effect: impl FnMut(SwapEffect<'_>),
    ) {
        self.settle();
        other.settle();
        // A running snapshot keeps each shard's data as it was at its instant.
        self.hand_over_all();
        other.hand_over_all();
        let mine = self.detach_watches(other, now);
        let theirs = other.detach_watches(self, now);
        std::mem::swap(&mut self.map, &mut other.map);
        // The bytes go with the data; both shards feed one store-wide total, which a swap
        // leaves as it is. (The few watched tombstones moved back below are not recounted:
        // at most one slot per watched key off.)
        self.mem.swap_used(&mut other.mem);
        std::mem::swap(&mut self.table, &mut other.table);
        std::mem::swap(&mut self.volatile, &mut other.volatile);
        std::mem::swap(&mut self.live, &mut other.live);
        std::mem::swap(&mut self.sweep_cursor, &mut other.sweep_cursor);
        // Versions now sit in tables stamped by the other clock: both clocks move past
        // every version either table holds, so no later stamp can repeat one a watcher saw.
        let clock = self.clock.max(other.clock);
        self.clock = clock;
        other.clock = clock;
        self.reattach(mine, now, true, &mut effect);
        other.reattach(theirs, now, false, &mut effect);
        self.recount_table();
        other.recount_table();
        self.mark_all_walked();
        other.mark_all_walked();
    }

    /// Takes every watch out of this shard's slots (a tombstone goes, a live slot keeps
    /// its data with no watcher), deciding first whether the swap with `other` touches it.
    fn detach_watches(&mut self, other: &Shard, now: &Now<'_>) -> Vec<Detached> {
        let mut out = Vec::with_capacity(self.watched.len());
        for key in &self.watched {
            let Some(i) = self.map.get_index_of(&key[..]) else {
                continue;
            };
            let hash = self.map.hasher().hash_one(&key[..]);
            let e = &self.map[i];
            let k = HKey { bytes: key, hash };
            let theirs = other.find(k).filter(|e| e.value.is_some());
            // An expired key in the other database replacing a missing one does not count
            // (Redis 7.0: the watch is flagged expired instead).
            let touched = e.value.is_some() || theirs.is_some_and(|t| !t.is_expired(now));
            out.push(Detached {
                key: key.clone(),
                hash,
                watchers: e.watchers,
                version: e.version,
                touched,
            });
        }
        for d in &out {
            let Some(i) = self.map.get_index_of(&d.key[..]) else {
                continue;
            };
            if self.map[i].value.is_some() {
                self.map[i].watchers = 0;
            } else {
                self.map.swap_remove_index(i);
            }
        }
        out
    }

    /// Puts the watches back into the swapped-in table: each on its key's slot (a
    /// tombstone if the key is missing here), with a new version if the swap touched it.
    fn reattach(
        &mut self,
        watches: Vec<Detached>,
        now: &Now<'_>,
        first: bool,
        effect: &mut impl FnMut(SwapEffect<'_>),
    ) {
        for d in watches {
            let k = HKey {
                bytes: &d.key,
                hash: d.hash,
            };
            if !d.touched {
                if let Some(stamp) = self.remove_expired(k, now) {
                    effect(SwapEffect::Expired(first, &d.key, stamp));
                }
            }
            let (_, e) = self
                .map
                .raw_entry_mut_v1()
                .from_hash(d.hash, |key| key[..] == *d.key)
                .or_insert_with(|| (d.key.clone(), Entry::tombstone()));
            e.watchers = d.watchers;
            if d.touched {
                effect(SwapEffect::Touch(Stamp {
                    version: Some(&mut e.version),
                    clock: &mut self.clock,
                }));
            } else {
                e.version = d.version;
            }
        }
    }
}
