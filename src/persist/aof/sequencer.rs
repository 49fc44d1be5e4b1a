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
//!
//! Records are encoded straight into their stripe's byte buffer (no allocation per record once
//! the buffer has grown); the drain swaps each stripe's buffers with the writer's emptied ones
//! (copying only behind a gap), so buffers ping-pong between the two sides and keep their
//! capacity.

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicU64, Mutex, Ordering};

/// A run of records in number order: their bytes back to back and, per record, its number
/// and where its bytes end.
#[derive(Default)]
struct Run {
    bytes: Vec<u8>,
    ends: Vec<(u64, usize)>,
}

/// A drained stripe's buffer above this keeps no capacity: one burst must not pin memory.
const KEEP_CAPACITY: usize = 1 << 20;

/// The striped append buffers and the global sequence.
pub(crate) struct Sequencer {
    stripes: Box<[CachePadded<Mutex<Run>>]>,
    next: AtomicU64,
}

/// The writer's side: records drained but not yet emitted (they follow a gap), per stripe.
#[derive(Default)]
pub(crate) struct Pending {
    /// One run per stripe; `heads[i]` is the index in `held[i].ends` of its first
    /// record not yet emitted.
    held: Vec<Run>,
    heads: Vec<usize>,
    /// The number of the next record to emit.
    next_out: u64,
}

impl Pending {
    /// The writer's side of a sequencer that starts at `first`.
    pub(crate) fn starting_at(first: u64) -> Pending {
        Pending {
            next_out: first,
            ..Pending::default()
        }
    }

    /// Every number below this has been emitted.
    pub(crate) fn emitted_below(&self) -> u64 {
        self.next_out
    }

    /// Drops the emitted prefix of every run, keeping what follows a gap.
    fn compact(&mut self) {
        for (run, head) in self.held.iter_mut().zip(&mut self.heads) {
            if *head == 0 {
                continue;
            }
            let cut = run.ends[*head - 1].1;
            run.bytes.drain(..cut);
            run.ends.drain(..*head);
            for e in &mut run.ends {
                e.1 -= cut;
            }
            *head = 0;
        }
    }
}

impl Sequencer {
    /// A sequencer with `stripes` buffers (at least one) whose first record gets the
    /// number `first`.
    pub(crate) fn starting_at(stripes: usize, first: u64) -> Sequencer {
        let stripes = (0..stripes.max(1))
            .map(|_| CachePadded::new(Mutex::new(Run::default())))
            .collect();
        Sequencer {
            stripes,
            next: AtomicU64::new(first),
        }
    }

    /// How many stripes there are.
    pub(crate) fn stripes(&self) -> usize {
        self.stripes.len()
    }

    /// Appends one record on `stripe` (taken modulo the count), its bytes written by
    /// `encode` into the stripe's buffer; returns its sequence number.
    pub(crate) fn push_with(&self, stripe: usize, encode: impl FnOnce(&mut Vec<u8>)) -> u64 {
        let mut run = self.stripes[stripe % self.stripes.len()].lock();
        encode(&mut run.bytes);
        // Taken under the stripe lock, so the drain never sees this stripe without a number
        // that was already handed out on it.
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        let end = run.bytes.len();
        run.ends.push((seq, end));
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
        pending.held.resize_with(self.stripes.len(), Run::default);
        pending.heads.resize(self.stripes.len(), 0);
        for (stripe, held) in self.stripes.iter().zip(&mut pending.held) {
            let mut run = stripe.lock();
            if held.ends.is_empty() {
                // Nothing held back from this stripe (the usual case): take its buffers
                // whole and leave ours, empty with their capacity, in their place. The
                // stripe's lock is held for a swap, not a copy.
                held.bytes.clear();
                std::mem::swap(&mut *run, held);
            } else {
                let base = held.bytes.len();
                held.bytes.extend_from_slice(&run.bytes);
                held.ends
                    .extend(run.ends.iter().map(|&(seq, end)| (seq, end + base)));
                run.bytes.clear();
                run.ends.clear();
            }
            if run.bytes.capacity() > KEEP_CAPACITY {
                run.bytes = Vec::new();
            }
        }
        let emitted = emit_in_order(pending, limit, &mut emit);
        pending.compact();
        emitted
    }
}

/// Each stripe's run is in number order: emits the record numbered `next_out` from whichever
/// run holds it at its head, until no head holds it (a gap) or the limit is reached.
fn emit_in_order(pending: &mut Pending, limit: u64, emit: &mut impl FnMut(u64, &[u8])) -> usize {
    let mut emitted = 0;
    let mut at = 0;
    let count = pending.held.len();
    'next: while pending.next_out < limit {
        // The same stripe usually holds the next record too: try it first.
        for i in (0..count).map(|k| (at + k) % count) {
            let (run, head) = (&pending.held[i], pending.heads[i]);
            let Some(&(seq, end)) = run.ends.get(head) else {
                continue;
            };
            if seq != pending.next_out {
                continue;
            }
            let start = head.checked_sub(1).map_or(0, |h| run.ends[h].1);
            emit(seq, &run.bytes[start..end]);
            pending.heads[i] += 1;
            pending.next_out += 1;
            emitted += 1;
            at = i;
            continue 'next;
        }
        break;
    }
    emitted
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
            seq: Sequencer::starting_at(stripes, 0),
            pending: Mutex::new(Pending::default()),
        }
    }

    /// [`Sequencer::push_with`], with the record's bytes given.
    pub fn push(&self, stripe: usize, bytes: Vec<u8>) -> u64 {
        self.seq
            .push_with(stripe, |out| out.extend_from_slice(&bytes))
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn drained(seq: &Sequencer, pending: &mut Pending) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        seq.drain(pending, |s, b| out.push((s, b.to_vec())));
        out
    }

    #[test]
    fn records_from_several_stripes_come_out_in_number_order_with_their_own_bytes() {
        let seq = Sequencer::starting_at(3, 0);
        let mut pending = Pending::default();
        for (i, stripe) in [0, 2, 2, 1, 0].into_iter().enumerate() {
            seq.push_with(stripe, |out| {
                out.extend_from_slice(format!("r{i}").as_bytes());
            });
        }
        let out = drained(&seq, &mut pending);
        let want: Vec<(u64, Vec<u8>)> = (0..5).map(|i| (i, format!("r{i}").into_bytes())).collect();
        assert_eq!(out, want);
        assert_eq!(pending.emitted_below(), 5);
    }

    #[test]
    fn records_after_a_gap_are_held_and_come_out_whole_once_it_fills() {
        let seq = Sequencer::starting_at(2, 0);
        let mut pending = Pending::default();
        seq.push_with(0, |out| out.extend_from_slice(b"zero"));
        // Number 1 is taken but not pushed yet: a writer between the add and the push.
        let taken = seq.next.fetch_add(1, Ordering::SeqCst);
        seq.push_with(1, |out| out.extend_from_slice(b"two"));
        seq.push_with(1, |out| out.extend_from_slice(b"three"));
        assert_eq!(drained(&seq, &mut pending), [(0, b"zero".to_vec())]);
        // The held records survive a drain that finds nothing new.
        assert!(drained(&seq, &mut pending).is_empty());
        let mut run = seq.stripes[0].lock();
        run.bytes.extend_from_slice(b"one");
        let end = run.bytes.len();
        run.ends.push((taken, end));
        drop(run);
        seq.push_with(0, |out| out.extend_from_slice(b"four"));
        let rest: Vec<Vec<u8>> = drained(&seq, &mut pending)
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        assert_eq!(rest, [&b"one"[..], b"two", b"three", b"four"]);
    }

    #[test]
    fn drain_below_stops_at_the_cut_and_keeps_the_rest() {
        let seq = Sequencer::starting_at(1, 0);
        let mut pending = Pending::default();
        for b in [&b"a"[..], b"b", b"c"] {
            seq.push_with(0, |out| out.extend_from_slice(b));
        }
        let mut out = Vec::new();
        seq.drain_below(&mut pending, 2, |_, b| out.push(b.to_vec()));
        assert_eq!(out, [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(drained(&seq, &mut pending), [(2, b"c".to_vec())]);
    }
}
