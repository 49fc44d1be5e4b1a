//! The shard's half of a point-in-time snapshot (see `persist::snapshot` for the whole rule).
//!
//! While a snapshot walks a shard, every slot that held a value at the snapshot's instant T
//! must reach it exactly once, with its value at T, although writers keep running. The
//! walker visits slots by position, below `cursor` already done. A writer about to change a
//! slot at or above the cursor that still holds its T value copies it aside first
//! ([`Shard::before_write`]); a slot moved by a swap-remove from above the cursor to below it
//! is copied aside too ([`Shard::before_swap_remove`]). Either way the slot is marked with
//! the snapshot's epoch, and the walker skips marked slots and slots whose version is newer
//! than T. Writers pay one branch on a field of the shard they already hold while no
//! snapshot runs.

use super::{Entry, Shard};
use crate::sync::{AtomicU64, Mutex, Ordering};
use crate::types::{Bytes, Value};

/// One key as the snapshot writes it: name, value at T, expiry (0: none).
pub(crate) type SavedEntry = (Bytes, Value, u64);

/// A snapshot in progress on one shard.
#[derive(Debug)]
pub(crate) struct SnapState {
    epoch: u32,
    /// The shard's version clock at T: a slot with a newer version changed after T.
    upto: u64,
    /// The snapshot's time (Unix ms): keys expired at T are not part of it.
    at: u64,
    /// Slots below this position were visited. Advanced by the walker under the shard's read
    /// lock and read by writers under its write lock, so the lock orders them.
    cursor: AtomicU64,
    /// T values that writers copied aside, for the walker to write.
    saved: Mutex<Vec<SavedEntry>>,
}

impl SnapState {
    fn cursor(&self) -> usize {
        usize::try_from(self.cursor.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }
}

/// What one step of the walk found.
pub(crate) enum Walked {
    /// More slots remain.
    More,
    /// Every slot was visited.
    Done,
}

impl Shard {
    /// Fixes T on this shard (the caller holds every shard's write lock at once).
    pub(crate) fn begin_snapshot(&mut self, at: u64) {
        self.snap_epochs = self.snap_epochs.wrapping_add(1).max(1);
        self.snap = Some(Box::new(SnapState {
            epoch: self.snap_epochs,
            upto: self.clock,
            at,
            cursor: AtomicU64::new(0),
            saved: Mutex::new(Vec::new()),
        }));
    }

    /// Ends the snapshot on this shard; returns what writers copied aside and nobody took.
    pub(crate) fn end_snapshot(&mut self) -> Vec<SavedEntry> {
        self.snap
            .take()
            .map(|s| std::mem::take(&mut *s.saved.lock()))
            .unwrap_or_default()
    }

    /// The epoch a slot created now is marked with (0 while no snapshot runs), so the walker
    /// skips keys born after T.
    pub(super) fn new_slot_epoch(&self) -> u32 {
        self.snap.as_ref().map_or(0, |s| s.epoch)
    }

    fn in_snapshot(state: &SnapState, e: &Entry) -> bool {
        e.snap_epoch != state.epoch
            && e.version <= state.upto
            && e.value.is_some()
            && !(e.expires_at != 0 && state.at > e.expires_at)
    }

    /// Slot `i` is about to change: hand its T value to the snapshot if the walker has not
    /// reached it, and mark it done either way.
    #[inline]
    pub(super) fn before_write(&mut self, i: usize) {
        if self.snap.is_some() {
            self.before_write_slow(i);
        }
    }

    #[cold]
    #[inline(never)]
    fn before_write_slow(&mut self, i: usize) {
        let Shard { map, snap, .. } = self;
        let (Some(state), Some((key, e))) = (snap.as_deref(), map.get_index_mut(i)) else {
            return;
        };
        if i >= state.cursor() && Shard::in_snapshot(state, e) {
            if let Some(v) = &e.value {
                state
                    .saved
                    .lock()
                    .push((key.clone(), v.clone(), e.expires_at));
            }
        }
        e.snap_epoch = state.epoch;
    }

    /// Slot `i` is about to be swap-removed: the last slot moves into it. If that carries an
    /// unvisited slot below the cursor, the walker would miss it, so it is handed over now.
    #[inline]
    pub(super) fn before_swap_remove(&mut self, i: usize) {
        if let Some(state) = self.snap.as_deref() {
            let last = self.map.len().saturating_sub(1);
            if i < state.cursor() && last >= state.cursor() && last != i {
                self.before_write_slow(last);
            }
        }
    }

    /// SWAPDB is about to move this shard's data away: every slot's T value the walk still
    /// needs is handed over now, so the walk needs none of the slots it will find after.
    pub(super) fn hand_over_all(&mut self) {
        if self.snap.is_some() {
            (0..self.map.len()).for_each(|i| self.before_write_slow(i));
        }
    }

    /// SWAPDB moved data into this shard: none of it belongs to a running snapshot here
    /// (the other shard handed its own over), so every slot is marked done.
    pub(super) fn mark_all_walked(&mut self) {
        if let Some(epoch) = self.snap.as_ref().map(|s| s.epoch) {
            for (_, e) in &mut self.map {
                e.snap_epoch = epoch;
            }
        }
    }

    /// One step of the walk, under the shard's read lock: hands up to `budget` slots' T
    /// values from the cursor on, then whatever writers copied aside, to `emit`.
    pub(crate) fn walk_snapshot(
        &self,
        budget: usize,
        emit: &mut impl FnMut(&[u8], &Value, u64),
    ) -> Walked {
        let Some(state) = self.snap.as_deref() else {
            return Walked::Done;
        };
        let from = state.cursor();
        let to = from.saturating_add(budget).min(self.map.len());
        for i in from..to {
            if let Some((key, e)) = self.map.get_index(i) {
                if Shard::in_snapshot(state, e) {
                    if let Some(v) = &e.value {
                        emit(key, v, e.expires_at);
                    }
                }
            }
        }
        state.cursor.store(to as u64, Ordering::Relaxed);
        let saved = std::mem::take(&mut *state.saved.lock());
        for (key, v, at) in &saved {
            emit(key, v, *at);
        }
        if to >= self.map.len() {
            Walked::Done
        } else {
            Walked::More
        }
    }
}

impl Shard {
    /// The shard's version clock: it moves with every signalled write (and each WATCH), so
    /// the sum over shards counts changes for the save rules.
    pub(crate) fn write_clock(&self) -> u64 {
        self.clock
    }

    /// Makes room for `more` keys (an RDB file's RESIZEDB hint, already bounded by the
    /// caller by the bytes left to read).
    pub(crate) fn reserve(&mut self, more: usize) {
        self.map.reserve(more);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::hash::BuildHasher;

    use super::Walked;
    use crate::clock::Now;
    use crate::keyspace::shard::{Shard, Slot};
    use crate::keyspace::{HKey, KeyHasher};
    use crate::types::{Value, bytes};

    type Image = BTreeMap<Vec<u8>, Vec<u8>>;

    fn hk<'a>(h: &KeyHasher, k: &'a [u8]) -> HKey<'a> {
        HKey {
            bytes: k,
            hash: h.hash_one(k),
        }
    }

    fn image(shard: &Shard) -> Image {
        shard
            .iter_live(&Now::fixed(1))
            .map(|(k, v)| match v {
                Value::Str(s) => (k.to_vec(), s.to_vec()),
                _ => unreachable!("strings only"),
            })
            .collect()
    }

    /// Collects what the walk emits, failing on a key emitted twice.
    fn collect(into: &mut Image) -> impl FnMut(&[u8], &Value, u64) + '_ {
        move |k, v, _| {
            let Value::Str(s) = v else { unreachable!() };
            assert!(
                into.insert(k.to_vec(), s.to_vec()).is_none(),
                "{k:?} emitted twice"
            );
        }
    }

    /// One random write of the kinds commands do: set, delete, change in place, a no-op
    /// touch, watch/unwatch (tombstones and their swap-removes), rarely a flush.
    fn random_write(shard: &mut Shard, h: &KeyHasher, rng: &mut fastrand::Rng, n: u32) {
        let now = Now::fixed(1);
        let key = format!("k{}", rng.u32(0..n * 2)).into_bytes();
        let k = hk(h, &key);
        match rng.u8(0..100) {
            0..30 => {
                let v = Value::Str(bytes(&rng.u64(..).to_le_bytes()));
                shard.insert(k, v, 0, &now).stamp.bump();
            }
            30..50 => {
                if let crate::keyspace::Removed::Live(_, s) = shard.remove(k, &now) {
                    s.bump();
                }
            }
            50..70 => {
                if let Slot::Live(mut e) = shard.get_mut(k, &now) {
                    if let Value::Str(s) = e.value_mut() {
                        s.push(b'+');
                    }
                    e.stamp().bump();
                }
            }
            70..80 => {
                // Opened for writing, nothing changed (SADD of a present member).
                let _ = shard.get_mut(k, &now);
            }
            80..90 => {
                shard.watch(k);
            }
            90..99 => shard.unwatch(k),
            _ => {
                #[allow(
                    clippy::redundant_closure_for_method_calls,
                    reason = "the method path is not general over the stamp's lifetime"
                )]
                shard.flush(|s| s.bump());
            }
        }
    }

    #[test]
    fn the_walk_sees_exactly_the_image_at_t_whatever_writers_do() {
        let h = KeyHasher::fixed();
        for seed in 0..300 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let mut shard = Shard::new(h.clone());
            let n = rng.u32(1..60);
            for _ in 0..n * 3 {
                random_write(&mut shard, &h, &mut rng, n);
            }
            let at_t = image(&shard);
            shard.begin_snapshot(1);
            let mut seen = Image::new();
            loop {
                let step = shard.walk_snapshot(rng.usize(1..8), &mut collect(&mut seen));
                for _ in 0..rng.u32(0..6) {
                    random_write(&mut shard, &h, &mut rng, n);
                }
                if let Walked::Done = step {
                    break;
                }
            }
            for (k, v, _) in shard.end_snapshot() {
                let Value::Str(s) = v else { unreachable!() };
                assert!(seen.insert(k.to_vec(), s.to_vec()).is_none(), "seed {seed}");
            }
            assert_eq!(seen, at_t, "seed {seed}");
        }
    }

    #[test]
    fn a_slot_swapped_below_the_cursor_is_handed_over() {
        let h = KeyHasher::fixed();
        let now = Now::fixed(1);
        let mut shard = Shard::new(h.clone());
        for i in 0..10u8 {
            let k = [b'k', i];
            shard
                .insert(hk(&h, &k), Value::Str(bytes(&[i])), 0, &now)
                .stamp
                .bump();
        }
        let at_t = image(&shard);
        shard.begin_snapshot(1);
        let mut seen = Image::new();
        assert!(matches!(
            shard.walk_snapshot(3, &mut collect(&mut seen)),
            Walked::More
        ));
        // Deleting a visited slot moves the unvisited last one (k9) below the cursor.
        let Some((first, _)) = shard.slot(0) else {
            panic!()
        };
        let first = first.to_vec();
        if let crate::keyspace::Removed::Live(_, s) = shard.remove(hk(&h, &first), &now) {
            s.bump();
        }
        while let Walked::More = shard.walk_snapshot(3, &mut collect(&mut seen)) {}
        assert_eq!(seen, at_t);
    }
}
