//! Memory accounting: each shard's bytes, and the store's total that eviction reads.
//!
//! A shard counts its bytes exactly under its own lock (values, out-of-line keys, its
//! table). The store's total is one atomic that shards feed in steps of at least
//! [`STEP`] bytes, so most writes touch no shared cache line; the total lags the exact sum
//! by less than `STEP` per shard, which is the slack eviction works with.

use std::sync::Arc;
// Plain std atomics even under loom: the totals are counters, not part of any protocol the
// loom models check.
use std::sync::atomic::{AtomicIsize, Ordering};

use crate::types::memsize;

/// The most a shard keeps back from the store's total.
pub(crate) const STEP: isize = 1024;

/// The store's total and the step shards feed it in.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    used: AtomicIsize,
    step: AtomicIsize,
    /// The highest total fed so far (MEMORY STATS's `peak.allocated`): updated when a
    /// shard feeds the total, so it costs nothing on the writes in between.
    peak: AtomicIsize,
}

impl Totals {
    /// A total fed in steps of [`STEP`].
    pub(crate) fn new() -> Totals {
        Totals {
            used: AtomicIsize::new(0),
            step: AtomicIsize::new(STEP),
            peak: AtomicIsize::new(0),
        }
    }

    /// The total as fed so far.
    pub(crate) fn load(&self) -> isize {
        self.used.load(Ordering::Relaxed)
    }

    /// The highest total so far.
    pub(crate) fn peak(&self) -> isize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Sets the step: a small memory limit needs a total that lags less.
    pub(crate) fn set_step(&self, step: isize) {
        self.step.store(step.clamp(0, STEP), Ordering::Relaxed);
    }
}

/// Bytes of one slot of a shard table: the hash, the key's inline part and the entry.
pub(crate) const SLOT_BYTES: usize =
    8 + std::mem::size_of::<crate::types::Bytes>() + std::mem::size_of::<super::Entry>();

/// The store's total, shared by its shards.
pub(crate) type Total = Arc<Totals>;

/// One shard's count.
#[derive(Debug)]
pub(crate) struct Mem {
    used: usize,
    pending: isize,
    total: Total,
}

impl Mem {
    pub(crate) fn new(total: Total) -> Mem {
        Mem {
            used: 0,
            pending: 0,
            total,
        }
    }

    /// The shard's bytes, exactly.
    pub(crate) fn used(&self) -> usize {
        self.used
    }

    #[inline]
    pub(crate) fn add(&mut self, n: usize) {
        self.used += n;
        self.feed(signed(n));
    }

    #[inline]
    pub(crate) fn sub(&mut self, n: usize) {
        // Saturating: a bug in an estimate must not wrap the count.
        let n = n.min(self.used);
        self.used -= n;
        self.feed(-signed(n));
    }

    /// A value went from `before` to `after` bytes.
    #[inline]
    pub(crate) fn change(&mut self, before: usize, after: usize) {
        if after >= before {
            self.add(after - before);
        } else {
            self.sub(before - after);
        }
    }

    #[inline]
    fn feed(&mut self, delta: isize) {
        self.pending += delta;
        if self.pending.abs() >= self.total.step.load(Ordering::Relaxed) {
            self.flush();
        }
    }

    /// Hands what is kept back to the store's total (eviction does after each key).
    pub(crate) fn flush(&mut self) {
        if self.pending != 0 {
            let now = self.total.used.fetch_add(self.pending, Ordering::Relaxed) + self.pending;
            self.total.peak.fetch_max(now, Ordering::Relaxed);
            self.pending = 0;
        }
    }

    /// Exchanges the two shards' counts (SWAPDB moves their data): the store's total, which
    /// both feed, does not change.
    pub(crate) fn swap_used(&mut self, other: &mut Mem) {
        std::mem::swap(&mut self.used, &mut other.used);
    }

    /// Everything went (FLUSHALL); `table` is what the new empty table costs.
    pub(crate) fn reset(&mut self, table: usize) {
        let used = self.used;
        self.sub(used);
        self.add(table);
        self.flush();
    }
}

/// `n` as a signed delta (no count of bytes nears `isize::MAX`).
fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// Bytes of a shard table with room for `capacity` slots, `len` of them used. The slot
/// vector counts its used part only: a large table is its own mapping, whose pages past the
/// last slot written are never touched, so they take no memory (counting its capacity
/// overstated the resident growth of 1M keys by 40%). The index is counted whole: every
/// control byte is written when it is allocated.
pub(crate) fn table_bytes(capacity: usize, len: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    memsize::hash_table(capacity, 8) + len * SLOT_BYTES
}

/// What a stored key costs beyond its slot: its out-of-line bytes and its value's.
pub(crate) fn entry_bytes(key_len: usize, value: &crate::types::Value) -> usize {
    memsize::key_heap(key_len) + value.heap_size(memsize::ACCOUNTING_SAMPLES)
}
