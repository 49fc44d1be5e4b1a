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
            .map(|s| s.saved.into_inner())
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
}
