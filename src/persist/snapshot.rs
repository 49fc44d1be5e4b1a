//! A consistent point-in-time image of the keyspace, taken while writers keep running.
//!
//! **The rule.** [`Snapshot::begin`] takes every shard's write lock at once (in the store's
//! one lock order), which fixes the instant T: no command is half done on any shard. Under
//! those locks each shard records its version clock and the time; then the locks drop. The
//! walk ([`Snapshot::for_each`]) visits each shard's slots by position in bounded steps under
//! the shard's *read* lock and writes a slot only if it still holds its value at T (version
//! not newer than the recorded clock, not already handed over). A writer that first touches
//! a slot the walk has not reached copies the T value aside before changing it; the walk
//! writes those copies too. So every key that existed at T is written exactly once, with its
//! value at T, and nothing written after T appears (see `keyspace::shard::snap`).
//!
//! **Pause budget.** Writers wait at most for: the instant of T (one lock and a small
//! allocation per shard), and one walking step on their own shard (`STEP` slots read under a
//! read lock). A writer that copies a slot aside pays for that one clone. Keys are never all
//! copied at once, so memory grows only by what writers change while the walk runs.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::holds::{self, Holds};

use crate::keyspace::Walked;
use crate::shared::Shared;
use crate::sync::{AtomicBool, Ordering};
use crate::types::Value;

/// Slots visited per read-lock hold: small enough that a writer waits microseconds.
const STEP: usize = 256;

/// A snapshot in progress. Dropping it (done or not) ends it on every shard.
pub(crate) struct Snapshot<'a> {
    shared: &'a Shared,
    busy: &'a AtomicBool,
    /// The instant T, in Unix ms.
    at: u64,
    /// The databases made at T, ascending, with their key counts then (a database first
    /// used after T was empty at T).
    dbs: Vec<(usize, usize)>,
    /// The sum of the shards' write clocks at T (the save rules count changes from it).
    clocks: u64,
    /// Every shard-lock hold of the snapshot (what a writer may wait for it).
    holds: Cell<Holds>,
}

impl<'a> Snapshot<'a> {
    /// Fixes T. `None` when another snapshot of this store is running (`busy` is the flag
    /// all snapshots of one store share).
    #[allow(
        dead_code,
        reason = "the plain form of begin_then, kept for snapshot callers that need no hook"
    )]
    pub(crate) fn begin(shared: &'a Shared, busy: &'a AtomicBool) -> Option<Snapshot<'a>> {
        Snapshot::begin_then(shared, busy, || {})
    }

    /// [`begin`](Self::begin), running `at_instant` at T, under every shard's write lock (the
    /// AOF rewrite switches log files there, so the image and the new log file meet at T).
    pub(crate) fn begin_then(
        shared: &'a Shared,
        busy: &'a AtomicBool,
        at_instant: impl FnOnce(),
    ) -> Option<Snapshot<'a>> {
        if busy.swap(true, Ordering::AcqRel) {
            return None;
        }
        let ks = &shared.keyspace;
        let at = shared.now();
        let delay = holds::run_delay();
        let started = Instant::now();
        // Every shard of every database made so far, in the one global lock order; then no
        // database may be made until the instant (see `Keyspace::hold_makes`). One made
        // while the shards were taken means another round (at most once per database).
        let (made, mut guards, makes) = loop {
            let made: Vec<usize> = ks.made().collect();
            let guards: Vec<_> = made
                .iter()
                .flat_map(|&db| (0..ks.shard_count()).map(move |i| ks.base(db) + i))
                .map(|i| ks.shard(i).write())
                .collect();
            let makes = ks.hold_makes();
            if ks.made().count() == made.len() {
                break (made, guards, makes);
            }
        };
        let locked = Instant::now();
        let mut clocks = 0u64;
        let mut dbs: Vec<(usize, usize)> = made.iter().map(|&db| (db, 0)).collect();
        for (n, shard) in guards.iter_mut().enumerate() {
            shard.begin_snapshot(at);
            dbs[n / ks.shard_count()].1 += shard.live_count();
            clocks = clocks.wrapping_add(shard.write_clock());
        }
        at_instant();
        drop(makes);
        drop(guards);
        // From the first lock taken: the first shard was held while the others were taken.
        let hold = locked.elapsed() + (locked - started);
        let mut first = Holds::default();
        first.add(hold, holds::waited(delay, holds::run_delay()));
        Some(Snapshot {
            shared,
            busy,
            at,
            dbs,
            clocks,
            holds: Cell::new(first),
        })
    }

    /// The instant of the snapshot (Unix ms).
    pub(crate) fn at(&self) -> u64 {
        self.at
    }

    /// The sum of the shards' write clocks at T.
    pub(crate) fn clocks(&self) -> u64 {
        self.clocks
    }

    /// The shard-lock holds so far.
    pub(crate) fn holds(&self) -> Holds {
        self.holds.get()
    }

    /// Counts a hold that began at `since`, with the run-queue delay read before it.
    fn held(&self, since: Instant, delay: Option<Duration>) {
        let wall = since.elapsed();
        let mut h = self.holds.get();
        h.add(wall, holds::waited(delay, holds::run_delay()));
        self.holds.set(h);
    }

    /// The global indexes of the shards in the snapshot, database by database.
    fn shards(&self) -> impl Iterator<Item = usize> + '_ {
        let ks = &self.shared.keyspace;
        self.dbs
            .iter()
            .flat_map(move |&(db, _)| (0..ks.shard_count()).map(move |i| ks.base(db) + i))
    }

    /// Hands every key of the image to `emit` (name, value at T, expiry or 0), shard by
    /// shard, database by database (`start_db` with the database and its key count at T
    /// before its first shard), and calls `flush` between steps, outside any lock (where
    /// the caller writes to disk). Stops at the first error of `flush`.
    pub(crate) fn for_each<E>(
        &self,
        buf: &mut Vec<u8>,
        start_db: impl Fn(&mut Vec<u8>, usize, usize),
        emit: impl Fn(&mut Vec<u8>, &[u8], &Value, u64),
        mut flush: impl FnMut(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let ks = &self.shared.keyspace;
        for i in self.shards() {
            if i % ks.shard_count() == 0 {
                let (db, keys) = self.dbs[self.dbs.partition_point(|&(db, _)| ks.base(db) < i)];
                start_db(buf, db, keys);
            }
            loop {
                let delay = holds::run_delay();
                let guard = ks.shard(i).read();
                let since = Instant::now();
                let step = guard.walk_snapshot(STEP, &mut |k, v, at| emit(buf, k, v, at));
                drop(guard);
                self.held(since, delay);
                flush(buf)?;
                if let Walked::Done = step {
                    break;
                }
            }
            let delay = holds::run_delay();
            let mut guard = ks.shard(i).write();
            let since = Instant::now();
            let rest = guard.end_snapshot();
            drop(guard);
            self.held(since, delay);
            for (key, value, at) in &rest {
                emit(buf, key, value, *at);
            }
            drop(rest);
            flush(buf)?;
        }
        Ok(())
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        let ks = &self.shared.keyspace;
        for i in self.shards() {
            // Values copied aside go with the unfinished snapshot.
            drop(ks.shard(i).write().end_snapshot());
        }
        self.busy.store(false, Ordering::Release);
    }
}
