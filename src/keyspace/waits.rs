//! Who waits on which key of a shard: the first-come-first-served queues of blocked pops
//! (BLPOP, BZPOPMIN, ...) and the cell a writer hands a waiter its reply through.
//!
//! A shard's [`WaitTable`] lives inside the shard, behind the shard's own lock. A waiter
//! registers while holding the write locks of its keys' shards (right after finding them
//! empty), and a writer serves while holding the write lock of the key it just created. So
//! a push can never fall between a waiter's check and its registration: the two take the
//! same lock, and whichever comes second sees the other (no lost wake-up, by construction).
//!
//! A waiter on several keys is queued on each. Serving claims it first ([`Waiter::claim`]),
//! so exactly one writer pops for it, and only after the claim: an element is never taken
//! for a waiter that another key already served or that timed out.

use std::collections::BTreeMap;
use std::fmt;
use std::task::Waker;

use crate::reply::Reply;
use crate::sync::{Arc, AtomicBool, Condvar, Mutex, MutexGuard, Ordering, spin_briefly};
use crate::types::Bytes;

/// What a waiter pops once one of its keys holds something: the non-blocking command that
/// serves it, run on the writer's command context (see `commands::blocking`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pop {
    /// BLPOP / BRPOP: one element, replied as `[key, element]`.
    List { left: bool },
    /// BLMPOP: up to `count` elements, replied as `[key, [elements]]`.
    ListMany { left: bool, count: usize },
    /// BLMOVE / BRPOPLPUSH: one element moved onto `dst`, replied as the element.
    Move {
        dst: Bytes,
        from_left: bool,
        to_left: bool,
    },
    /// BZPOPMIN / BZPOPMAX: one member, replied as `[key, member, score]`.
    ZSet { max: bool },
    /// BZMPOP: up to `count` members, replied as `[key, [[member, score] ...]]`.
    ZSetMany { max: bool, count: usize },
}

impl Pop {
    /// Whether the waiter wants a list (else a sorted set): keys of the other type are
    /// skipped, as Redis serves list waiters only from lists.
    pub(crate) fn wants_list(&self) -> bool {
        matches!(
            self,
            Pop::List { .. } | Pop::ListMany { .. } | Pop::Move { .. }
        )
    }
}

/// Where a waiter stands.
#[derive(Debug)]
enum Status {
    /// Queued on its keys, nobody serving it yet.
    Waiting,
    /// A writer holding one of its keys' locks is popping for it right now.
    Claimed,
    /// Served: the reply, not yet taken; `key` is the index of the key that served it.
    Served(Reply, usize),
    /// Its deadline passed before anyone served it.
    TimedOut,
    /// Finished and its outcome taken (or abandoned by a dropped future).
    Gone,
}

struct Cell {
    status: Status,
    /// The task of an awaiting caller, woken with the outcome.
    waker: Option<Waker>,
}

/// How a wait ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Served through the waiter's key at this index.
    Served(Reply, usize),
    TimedOut,
}

/// One blocked call: its place in line, what it pops, and the hand-off cell.
pub(crate) struct Waiter {
    /// Store-wide arrival order: queues are kept in this order (first come, first served).
    pub(crate) seq: u64,
    pub(crate) pop: Pop,
    /// The keys it waits on, in argument order, each once.
    pub(crate) keys: Vec<Bytes>,
    cell: Mutex<Cell>,
    changed: Condvar,
    /// Set (after the cell) when the wait is over: a waiter about to sleep spins on it
    /// briefly first, so a hand-over that comes within microseconds needs no sleep.
    over: AtomicBool,
}

impl Waiter {
    pub(crate) fn new(seq: u64, pop: Pop, keys: Vec<Bytes>) -> Waiter {
        Waiter {
            seq,
            pop,
            keys,
            cell: Mutex::new(Cell {
                status: Status::Waiting,
                waker: None,
            }),
            changed: Condvar::new(),
            over: AtomicBool::new(false),
        }
    }

    /// Takes the right to serve this waiter; false when it is already served, being
    /// served, timed out or gone.
    pub(crate) fn claim(&self) -> bool {
        let mut cell = self.cell.lock();
        if matches!(cell.status, Status::Waiting) {
            cell.status = Status::Claimed;
            true
        } else {
            false
        }
    }

    /// True while nobody has claimed it and it has not timed out.
    pub(crate) fn is_waiting(&self) -> bool {
        matches!(self.cell.lock().status, Status::Waiting)
    }

    /// Hands the reply of a claimed waiter over, through its key at index `key`.
    pub(crate) fn serve(&self, reply: Reply, key: usize) {
        self.finish(self.cell.lock(), Status::Served(reply, key));
    }

    /// Marks a waiter that nobody claimed as timed out; false if it was claimed or done.
    pub(crate) fn time_out(&self) -> bool {
        let cell = self.cell.lock();
        if !matches!(cell.status, Status::Waiting) {
            return false;
        }
        self.finish(cell, Status::TimedOut);
        true
    }

    fn finish(&self, mut cell: MutexGuard<'_, Cell>, status: Status) {
        cell.status = status;
        let waker = cell.waker.take();
        self.over.store(true, Ordering::Release);
        drop(cell);
        // Only the waiter's own caller ever sleeps on this condvar: one wake-up, no herd.
        self.changed.notify_one();
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The outcome if the wait is over (taking it), else `None`.
    fn take(cell: &mut Cell) -> Option<Outcome> {
        match std::mem::replace(&mut cell.status, Status::Gone) {
            Status::Served(reply, key) => Some(Outcome::Served(reply, key)),
            Status::TimedOut => Some(Outcome::TimedOut),
            other => {
                cell.status = other;
                None
            }
        }
    }

    /// Blocks the calling thread until served or timed out. `sleep` decides how long one
    /// sleep may last (`None`: until notified) and may time the waiter out itself; it is
    /// called with the cell unlocked.
    pub(crate) fn wait(
        &self,
        mut sleep: impl FnMut(&Waiter) -> Option<std::time::Duration>,
    ) -> Outcome {
        self.spin();
        loop {
            let mut cell = self.cell.lock();
            if let Some(outcome) = Self::take(&mut cell) {
                return outcome;
            }
            drop(cell);
            let limit = sleep(self);
            let mut cell = self.cell.lock();
            if let Some(outcome) = Self::take(&mut cell) {
                return outcome;
            }
            cell = match limit {
                None => self.changed.wait(cell),
                Some(d) => self.changed.wait_for(cell, d),
            };
            drop(cell);
        }
    }

    /// Before sleeping, watches for the hand-over for a few microseconds (see
    /// [`spin_briefly`]).
    fn spin(&self) {
        spin_briefly(|| self.over.load(Ordering::Acquire));
    }

    /// The outcome if ready; otherwise remembers `waker` to be woken with it.
    pub(crate) fn poll(&self, waker: &Waker) -> Option<Outcome> {
        let mut cell = self.cell.lock();
        let outcome = Self::take(&mut cell);
        if outcome.is_none() {
            match &cell.waker {
                Some(w) if w.will_wake(waker) => {}
                _ => cell.waker = Some(waker.clone()),
            }
        }
        outcome
    }

    /// Gives up waiting (a dropped future): a waiter nobody claimed will never be served.
    /// Returns the outcome if it had already been served (the caller decides its fate).
    pub(crate) fn abandon(&self) -> Option<Outcome> {
        let mut cell = self.cell.lock();
        cell.waker = None;
        match cell.status {
            Status::Waiting => {
                cell.status = Status::Gone;
                None
            }
            _ => Self::take(&mut cell),
        }
    }
}

impl fmt::Debug for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("seq", &self.seq)
            .field("pop", &self.pop)
            .finish_non_exhaustive()
    }
}

/// One key's waiters in arrival order. A key usually has one waiter (a worker blocked on
/// its queue): that one is kept inline, with no tree node to allocate and free per wait;
/// from the second on they go in a tree, so leaving stays O(log n) with many waiters.
enum Queue {
    One(Arc<Waiter>),
    Many(BTreeMap<u64, Arc<Waiter>>),
}

impl Queue {
    fn insert(&mut self, waiter: Arc<Waiter>) {
        match self {
            Queue::One(first) => {
                let mut many = BTreeMap::new();
                many.insert(first.seq, first.clone());
                many.insert(waiter.seq, waiter);
                *self = Queue::Many(many);
            }
            Queue::Many(many) => {
                many.insert(waiter.seq, waiter);
            }
        }
    }

    /// Removes the waiter `seq`; true when the queue is left empty.
    fn remove(&mut self, seq: u64) -> bool {
        match self {
            Queue::One(w) => w.seq == seq,
            Queue::Many(many) => {
                many.remove(&seq);
                many.is_empty()
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Arc<Waiter>> {
        let (one, many) = match self {
            Queue::One(w) => (Some(w), None),
            Queue::Many(m) => (None, Some(m.values())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    fn len(&self) -> usize {
        match self {
            Queue::One(_) => 1,
            Queue::Many(m) => m.len(),
        }
    }
}

/// A shard's waiters: for each key, the waiters in arrival order.
///
/// Memory is bounded by the calls blocked now: a waiter leaves every queue when its wait
/// ends (served, timed out or dropped), and an empty queue is removed with it.
#[derive(Default)]
pub(crate) struct WaitTable {
    /// foldhash, randomly seeded like the keyspace's hasher (keys may come from untrusted
    /// users), rather than std's `SipHash`: a blocking pop and the push that serves it look a
    /// key up here several times.
    keys: foldhash::HashMap<Bytes, Queue>,
}

impl WaitTable {
    /// Whether anyone waits on `key`: one load on the hot path (nobody waits on any key of
    /// the shard), a lookup only when someone waits on some key of it.
    #[inline]
    pub(crate) fn waited(&self, key: &[u8]) -> bool {
        !self.keys.is_empty() && self.waited_slow(key)
    }

    #[cold]
    #[inline(never)]
    fn waited_slow(&self, key: &[u8]) -> bool {
        self.keys.contains_key(key)
    }

    pub(crate) fn add(&mut self, key: &[u8], waiter: Arc<Waiter>) {
        if let Some(queue) = self.keys.get_mut(key) {
            queue.insert(waiter);
        } else {
            self.keys.insert(Bytes::from_slice(key), Queue::One(waiter));
        }
    }

    pub(crate) fn remove(&mut self, key: &[u8], seq: u64) {
        if self.keys.get_mut(key).is_some_and(|q| q.remove(seq)) {
            self.keys.remove(key);
        }
    }

    /// The first waiter on `key` that still waits and wants a list (`list`) or a sorted
    /// set; finished waiters met on the way are dropped from the queue.
    pub(crate) fn first(&mut self, key: &[u8], list: bool) -> Option<Arc<Waiter>> {
        let queue = self.keys.get_mut(key)?;
        let mut found = None;
        let mut stale = Vec::new();
        for w in queue.iter() {
            if !w.is_waiting() {
                stale.push(w.seq);
            } else if w.pop.wants_list() == list {
                found = Some(w.clone());
                break;
            }
        }
        let mut empty = false;
        for seq in stale {
            empty = queue.remove(seq);
        }
        if empty {
            self.keys.remove(key);
        }
        found
    }

    /// The destinations of the BLMOVE-style waiters still waiting on `key`.
    pub(crate) fn move_targets(&self, key: &[u8]) -> Vec<Bytes> {
        let Some(queue) = self.keys.get(key) else {
            return Vec::new();
        };
        queue
            .iter()
            .filter(|w| w.is_waiting())
            .filter_map(|w| match &w.pop {
                Pop::Move { dst, .. } => Some(dst.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every key someone waits on (SWAPDB looks for those it made ready).
    pub(crate) fn keys(&self) -> impl Iterator<Item = &Bytes> {
        self.keys.keys()
    }

    /// How many (key, waiter) entries the table holds (for leak tests).
    pub(crate) fn len(&self) -> usize {
        self.keys.values().map(Queue::len).sum()
    }
}

impl fmt::Debug for WaitTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitTable")
            .field("keys", &self.keys.len())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{Arc, Pop, WaitTable, Waiter};

    fn waiter(seq: u64) -> Arc<Waiter> {
        Arc::new(Waiter::new(seq, Pop::List { left: true }, Vec::new()))
    }

    #[test]
    fn a_second_waiter_queues_behind_the_inline_first_and_leaving_keeps_order() {
        let mut t = WaitTable::default();
        for seq in [3, 7, 9] {
            t.add(b"q", waiter(seq));
        }
        assert_eq!(t.len(), 3);
        t.remove(b"q", 3);
        assert_eq!(t.first(b"q", true).map(|w| w.seq), Some(7));
        t.remove(b"q", 7);
        t.remove(b"q", 9);
        assert!(!t.waited(b"q"));
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn removing_another_seq_leaves_a_single_waiter_queued() {
        let mut t = WaitTable::default();
        t.add(b"q", waiter(5));
        t.remove(b"q", 6);
        assert!(t.waited(b"q"));
        t.remove(b"q", 5);
        assert!(!t.waited(b"q"));
    }

    #[test]
    fn finished_waiters_met_first_leave_the_queue() {
        let mut t = WaitTable::default();
        let (gone, next) = (waiter(1), waiter(2));
        t.add(b"q", gone.clone());
        t.add(b"q", next);
        assert!(gone.time_out());
        assert_eq!(t.first(b"q", true).map(|w| w.seq), Some(2));
        assert_eq!(t.len(), 1);
        let only = waiter(3);
        t.add(b"k", only.clone());
        assert!(only.claim());
        assert!(t.first(b"k", true).is_none());
        assert!(!t.waited(b"k"));
    }
}
