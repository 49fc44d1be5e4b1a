//! Lock plans and lock sets: the one place that acquires several shard locks.
//!
//! Every multi-shard operation (multi-key commands, EXEC, scripts, whole-keyspace commands)
//! builds a [`Plan`] and calls [`Keyspace::lock`], which takes each shard once, in ascending
//! index order, and holds all of them until the [`Locks`] value is dropped at the end of the
//! call. One global order means two operations can never wait on each other in a cycle.

pub(crate) mod after_unlock;
mod spin;

use smallvec::SmallVec;

use super::{Keyspace, Shard};

use crate::sync::{RwLockReadGuard, RwLockWriteGuard};
pub(crate) use after_unlock::Durable;

/// Which shards to lock, and whether each needs writing. Kept sorted by global index
/// (database, then shard: see [`Keyspace`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    shards: SmallVec<[(usize, bool); 4]>,
    /// The global index of the command's database's first shard: [`Plan::add`] and
    /// [`Plan::add_all`] name shards of that database.
    base: usize,
}

impl Plan {
    /// A plan for a command running in the database whose first shard is `base`.
    pub(crate) fn at(base: usize) -> Plan {
        Plan {
            shards: SmallVec::new(),
            base,
        }
    }

    /// The global index of the planned database's first shard.
    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// Plans further shards in another database (EXEC after a queued SELECT).
    pub(crate) fn set_base(&mut self, base: usize) {
        self.base = base;
    }

    /// Adds a shard of the plan's database; a shard asked for both reading and writing is
    /// locked for writing.
    pub(crate) fn add(&mut self, shard: usize, write: bool) {
        self.add_global(self.base + shard, write);
    }

    /// Adds a shard by its global index (any database).
    pub(crate) fn add_global(&mut self, shard: usize, write: bool) {
        match self.shards.binary_search_by_key(&shard, |&(s, _)| s) {
            Ok(i) => self.shards[i].1 |= write,
            Err(i) => self.shards.insert(i, (shard, write)),
        }
    }

    /// Adds every shard of the keyspace.
    pub(crate) fn add_all(&mut self, count: usize, write: bool) {
        for shard in 0..count {
            self.add(shard, write);
        }
    }
}

/// A held shard lock.
pub(crate) enum Guard<'a> {
    Read(RwLockReadGuard<'a, Shard>),
    Write(RwLockWriteGuard<'a, Shard>),
}

/// The shard locks one operation holds; all are released together on drop.
pub(crate) struct Locks<'a> {
    held: SmallVec<[(usize, Guard<'a>); 4]>,
    /// Declared after `held`, so it drops after every guard: the after-unlock hook runs
    /// with no shard lock held.
    _released: Released,
}

/// Tells [`after_unlock`] that a lock set is gone (when it drops).
struct Released;

impl Drop for Released {
    #[inline]
    fn drop(&mut self) {
        after_unlock::release();
    }
}

impl<'a> Locks<'a> {
    fn new(ks: &Keyspace, held: SmallVec<[(usize, Guard<'a>); 4]>) -> Locks<'a> {
        let locks = Locks::held(held);
        if locks.held.iter().any(|(_, g)| shard_of(g).log_ticket != 0) {
            locks.owe_tickets(ks);
        }
        locks
    }

    /// The lock set of `held`, counted as held by this thread until it drops.
    #[inline]
    fn held(held: SmallVec<[(usize, Guard<'a>); 4]>) -> Locks<'a> {
        after_unlock::hold();
        Locks {
            held,
            _released: Released,
        }
    }

    /// Some held shard has a write logged under `Fsync::Always`: until it is durable, this
    /// call's reply may show it, so the call owes it (see [`after_unlock`]).
    #[cold]
    #[inline(never)]
    fn owe_tickets(&self, ks: &Keyspace) {
        let Some(log) = ks.durable() else {
            return;
        };
        let ticket = self.held.iter().map(|(_, g)| shard_of(g).log_ticket).max();
        if let Some(t) = ticket.filter(|&t| t > log.durable_below()) {
            // Refused only when the thread owes another store (never from one call):
            // then the wait happens here, under the locks, which is merely slower.
            if !after_unlock::owe(log, t) {
                after_unlock::pay(&**log, t);
            }
        }
    }

    /// Stamps what this thread owes the log on every shard held for writing: a later call
    /// that locks one owes it too (called before the locks drop, after the batch was
    /// logged).
    #[inline]
    pub(crate) fn stamp_owed(&mut self, ks: &Keyspace) {
        let Some(log) = ks.durable() else {
            return;
        };
        let owed = after_unlock::owed(log);
        if owed == 0 {
            return;
        }
        for (_, g) in &mut self.held {
            if let Guard::Write(g) = g {
                g.log_ticket = g.log_ticket.max(owed);
            }
        }
    }
}

/// [`Locks::stamp_owed`] for one shard a caller writes under its own guard (eviction): a
/// later call that locks it owes what this thread owes the log.
#[inline]
pub(crate) fn stamp_owed_on(shard: &mut Shard, ks: &Keyspace) {
    if let Some(log) = ks.durable() {
        shard.log_ticket = shard.log_ticket.max(after_unlock::owed(log));
    }
}

/// What a lock set that takes `shard` owes (see [`Locks::owe_tickets`]), for a caller that
/// holds it under a guard of its own inside an [`after_unlock::Deferred`] (expiry outside
/// commands): a reader that finds a key gone must not reply before its DEL is durable.
#[inline]
pub(crate) fn owe_stamp_of(shard: &Shard, ks: &Keyspace) {
    let ticket = shard.log_ticket;
    if ticket == 0 {
        return;
    }
    if let Some(log) = ks.durable() {
        if ticket > log.durable_below() && !after_unlock::owe(log, ticket) {
            after_unlock::pay(&**log, ticket);
        }
    }
}

fn shard_of<'g>(g: &'g Guard<'_>) -> &'g Shard {
    match g {
        Guard::Read(g) => g,
        Guard::Write(g) => g,
    }
}

impl Keyspace {
    /// Locks the plan's shards in ascending index order. Blocks while any is held in a
    /// conflicting mode by another operation.
    pub(crate) fn lock(&self, plan: &Plan) -> Locks<'_> {
        self.lock_plan(plan, false)
    }

    /// [`lock`](Self::lock) for a script run (EVAL, FCALL): a busy shard is watched for a
    /// few microseconds before parking (`spin`). Calls that all hold a key's lock for a
    /// whole script hand it over without system calls that way; for short commands the
    /// watch costs more than it saves (8 threads INCR on one key: 0.98 → 1.58 µs per
    /// increment with it), so they wait the ordinary way.
    pub(crate) fn lock_watched(&self, plan: &Plan) -> Locks<'_> {
        self.lock_plan(plan, true)
    }

    #[inline]
    fn lock_plan(&self, plan: &Plan, watch: bool) -> Locks<'_> {
        let mut held = SmallVec::new();
        for &(index, write) in &plan.shards {
            held.push((index, self.guard(index, write, watch)));
        }
        Locks::new(self, held)
    }

    /// Locks one shard: the plan of a single-key command, without building a plan.
    #[inline]
    pub(crate) fn lock_one(&self, index: usize, write: bool) -> Locks<'_> {
        let guard = self.guard(index, write, false);
        let ticket = shard_of(&guard).log_ticket;
        let mut held = SmallVec::new();
        held.push((index, guard));
        let locks = Locks::held(held);
        if ticket != 0 {
            locks.owe_tickets(self);
        }
        locks
    }

    /// Shard `index`'s lock in the mode asked, watched first when `watch` (see `spin`).
    #[inline]
    fn guard(&self, index: usize, write: bool, watch: bool) -> Guard<'_> {
        let lock = self.shard(index);
        match (write, watch) {
            (true, false) => Guard::Write(lock.write()),
            (false, false) => Guard::Read(lock.read()),
            (true, true) => Guard::Write(spin::write(lock)),
            (false, true) => Guard::Read(spin::read(lock)),
        }
    }
}

impl<'a> Locks<'a> {
    /// Adds the write lock of `shard` if it is free right now. Never waits, so taking it
    /// out of ascending order cannot deadlock. True when the shard is (now) held for
    /// writing; false when it is held here only for reading, or busy elsewhere.
    pub(crate) fn try_add_write(&mut self, ks: &'a Keyspace, shard: usize) -> bool {
        if let Some(i) = self.position(shard) {
            return matches!(self.held[i].1, Guard::Write(_));
        }
        let Some(guard) = ks.shard(shard).try_write() else {
            return false;
        };
        let ticket = guard.log_ticket;
        // Kept sorted: `position` binary-searches large sets.
        let at = self.held.partition_point(|(s, _)| *s < shard);
        self.held.insert(at, (shard, Guard::Write(guard)));
        if ticket != 0 {
            self.owe_tickets(ks);
        }
        true
    }
}

impl Locks<'_> {
    fn position(&self, shard: usize) -> Option<usize> {
        if self.held.len() > 8 {
            self.held.binary_search_by_key(&shard, |(s, _)| *s).ok()
        } else {
            self.held.iter().position(|(s, _)| *s == shard)
        }
    }

    /// The shard, if this lock set holds it.
    pub(crate) fn get(&self, shard: usize) -> Option<&Shard> {
        let i = self.position(shard)?;
        Some(match &self.held[i].1 {
            Guard::Read(g) => g,
            Guard::Write(g) => g,
        })
    }

    /// The shard, if this lock set holds it for writing.
    pub(crate) fn get_mut(&mut self, shard: usize) -> Option<&mut Shard> {
        let i = self.position(shard)?;
        match &mut self.held[i].1 {
            Guard::Read(_) => None,
            Guard::Write(g) => Some(g),
        }
    }

    /// Every held shard whose global index is in `range`, in index order (one database's).
    pub(crate) fn iter_range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &Shard> {
        self.held
            .iter()
            .filter(move |(i, _)| range.contains(i))
            .map(|(_, g)| match g {
                Guard::Read(g) => &**g,
                Guard::Write(g) => &**g,
            })
    }

    /// Every held-for-writing shard whose global index is in `range`, in index order.
    pub(crate) fn iter_range_mut(
        &mut self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = &mut Shard> {
        self.held
            .iter_mut()
            .filter(move |(i, _)| range.contains(i))
            .filter_map(|(_, g)| match g {
                Guard::Read(_) => None,
                Guard::Write(g) => Some(&mut **g),
            })
    }

    /// Two distinct shards held for writing (SWAPDB swaps a pair).
    pub(crate) fn pair_mut(
        &mut self,
        first: usize,
        second: usize,
    ) -> Option<(&mut Shard, &mut Shard)> {
        let (at_first, at_second) = (self.position(first)?, self.position(second)?);
        if at_first == at_second {
            return None;
        }
        let (lo, hi) = (at_first.min(at_second), at_first.max(at_second));
        let (left, right) = self.held.split_at_mut(hi);
        let (Guard::Write(low), Guard::Write(high)) = (&mut left[lo].1, &mut right[0].1) else {
            return None;
        };
        if at_first < at_second {
            Some((low, high))
        } else {
            Some((high, low))
        }
    }
}
