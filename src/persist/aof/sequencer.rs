//! The ordering rule of the log: writers append to striped buffers under one global
//! sequence, the writer thread takes records out in sequence order, never past a gap.
//!
//! A writer takes its stripe's lock, then its sequence number, pushes, and unlocks. The
//! listener runs while the writer still holds the shard locks of the keys it changed, so of
//! two conflicting batches the first took its number (and pushed) before the second could
//! start: conflicting batches get rising numbers. Independent writers only meet on one atomic
//! add and, when they share a stripe, a lock held for a push. The writer thread drains the
//! stripes and emits records in number order; a number taken but not yet pushed (its owner is
//! between the add and the push, on a stripe the drain already passed) leaves a gap, and
//! everything after it waits for the next drain.

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicU64, Mutex, Ordering};

/// One appended record: its number and its encoded bytes.
struct Record {
    seq: u64,
    bytes: Vec<u8>,
}

/// The striped append buffers and the global sequence.
pub(crate) struct Sequencer {
    stripes: Box<[CachePadded<Mutex<Vec<Record>>>]>,
    next: AtomicU64,
}

/// The writer's side: records drained but not yet emitted (they follow a gap).
#[derive(Default)]
pub(crate) struct Pending {
    /// Sorted by number once a drain is done.
    held: Vec<Record>,
    /// The number of the next record to emit.
    next_out: u64,
}

impl Pending {
    /// Every number below this has been emitted.
    pub(crate) fn emitted_below(&self) -> u64 {
        self.next_out
    }
}

impl Sequencer {
    /// A sequencer with `stripes` buffers (at least one).
    pub(crate) fn new(stripes: usize) -> Sequencer {
        let stripes = (0..stripes.max(1))
            .map(|_| CachePadded::new(Mutex::new(Vec::new())))
            .collect();
        Sequencer {
            stripes,
            next: AtomicU64::new(0),
        }
    }

    /// How many stripes there are.
    pub(crate) fn stripes(&self) -> usize {
        self.stripes.len()
    }

    /// Appends `bytes` on `stripe` (taken modulo the count); returns its sequence number.
    pub(crate) fn push(&self, stripe: usize, bytes: Vec<u8>) -> u64 {
        let mut buf = self.stripes[stripe % self.stripes.len()].lock();
        // Taken under the stripe lock, so the drain never sees this stripe without a number
        // that was already handed out on it.
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        buf.push(Record { seq, bytes });
        seq
    }

    /// The number the next push will get: every record below it was pushed or is being pushed.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }

    /// Moves every pushed record out, calling `emit` on each in sequence order, up to the
    /// first gap; returns how many were emitted.
    pub(crate) fn drain(&self, pending: &mut Pending, emit: impl FnMut(u64, &[u8])) -> usize {
        self.drain_below(pending, u64::MAX, emit)
    }

    /// [`drain`](Self::drain), emitting only records numbered below `limit` (a rewrite's cut).
    pub(crate) fn drain_below(
        &self,
        pending: &mut Pending,
        limit: u64,
        mut emit: impl FnMut(u64, &[u8]),
    ) -> usize {
        for stripe in &*self.stripes {
            let mut buf = stripe.lock();
            pending.held.append(&mut buf);
        }
        // Each stripe's records are already in order: a stable sort merges those runs.
        pending.held.sort_by_key(|r| r.seq);
        let mut emitted = 0;
        for r in &pending.held {
            if r.seq != pending.next_out || r.seq >= limit {
                break;
            }
            emit(r.seq, &r.bytes);
            pending.next_out += 1;
            emitted += 1;
        }
        pending.held.drain(..emitted);
        emitted
    }
}

/// The real [`Sequencer`] for the loom model in `tests/it/loom.rs` (not an API).
#[cfg(loom)]
#[doc(hidden)]
pub struct LoomSequencer {
    seq: Sequencer,
    pending: Mutex<Pending>,
}

#[cfg(loom)]
impl LoomSequencer {
    /// A sequencer with `stripes` stripes.
    #[must_use]
    pub fn new(stripes: usize) -> LoomSequencer {
        LoomSequencer {
            seq: Sequencer::new(stripes),
            pending: Mutex::new(Pending::default()),
        }
    }

    /// [`Sequencer::push`].
    pub fn push(&self, stripe: usize, bytes: Vec<u8>) -> u64 {
        self.seq.push(stripe, bytes)
    }

    /// [`Sequencer::drain`]: the records emitted by this drain, in order.
    pub fn drain(&self) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        let mut pending = self.pending.lock();
        self.seq
            .drain(&mut pending, |s, b| out.push((s, b.to_vec())));
        out
    }
}
