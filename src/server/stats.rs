//! INFO's counters: calls and time per command (commandstats), error replies by code
//! (errorstats), connections received.
//!
//! Every command adds to these, from every thread, so they must not become one cache line
//! that all threads write: the per-command counters are *striped*.
//!
//! Reading a clock twice per command costs more than the rest of this bookkeeping (about
//! 150 instructions of a GET's 1,000; see BENCHMARKS.md), so time is *sampled*: in each stripe, one call in
//! [`SAMPLE`] of each command is timed (the first always), and INFO scales the sampled time
//! to all calls (`usec = sampled time × calls / sampled calls`). Call, failure and
//! rejection counts are exact. Each thread picks a
//! stripe once (round robin, a thread-local index) and adds to it with relaxed atomics;
//! INFO sums the stripes. Two threads share a stripe only when there are more threads than
//! stripes, and then only pay an uncontended-ish atomic add. Keyspace hits, misses and
//! expired keys are counted per shard instead (`keyspace::shard`), next to the lock the
//! command already holds. Error replies are rare next to commands and are counted under one
//! mutex, by code, with Redis's cap of 128 distinct codes.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

/// Redis's `ERRORSTATS_LIMIT`: distinct error codes tracked.
const ERROR_CODES_LIMIT: usize = 128;

/// One call in this many is timed (per stripe and command).
pub(crate) const SAMPLE: u64 = 16;

/// One command's counters in one stripe.
#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    /// Calls that were timed, and their total time.
    sampled: AtomicU64,
    nanos: AtomicU64,
    failed: AtomicU64,
    rejected: AtomicU64,
}

/// A call in progress: its counters, and when it started if it is timed.
pub(crate) struct Call<'a> {
    counters: &'a Counters,
    started: Option<Instant>,
}

impl Call<'_> {
    /// The call ended; `failed` when it replied with an error.
    #[inline]
    pub(crate) fn end(self, failed: bool) {
        if let Some(started) = self.started {
            self.counters.sampled.fetch_add(1, Relaxed);
            self.counters
                .nanos
                .fetch_add(nanos(started.elapsed()), Relaxed);
        }
        if failed {
            self.counters.failed.fetch_add(1, Relaxed);
        }
    }
}

/// A command's totals, summed over the stripes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CommandTotals {
    pub(crate) calls: u64,
    pub(crate) usec: u64,
    pub(crate) failed: u64,
    pub(crate) rejected: u64,
}

/// One stripe's counters, one per command, made on the stripe's first call.
type Stripe = CachePadded<OnceLock<Box<[Counters]>>>;

/// The store's counters.
pub(crate) struct Stats {
    /// `stripes[s][command index]`; the last index counts commands outside the table.
    /// A stripe is allocated by its first call: a store holds no counters until it runs
    /// commands, and then only for the stripes its threads use (40 bytes per command and
    /// stripe: 16 KB per stripe-pair up front made `Store::new` miss its 32 KiB target).
    stripes: Box<[Stripe]>,
    commands: usize,
    errors: Mutex<Vec<(Box<str>, u64)>>,
    connections: AtomicU64,
}

thread_local! {
    /// This thread's stripe number (before masking), chosen on first use.
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Hands out stripe numbers round robin.
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

fn stripe_number() -> usize {
    STRIPE.with(|s| {
        let n = s.get();
        if n != usize::MAX {
            return n;
        }
        let n = NEXT_STRIPE.fetch_add(1, Relaxed);
        s.set(n);
        n
    })
}

/// Nanoseconds of `d`, saturating (a command would need 584 years to overflow it).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Stats {
    /// Counters for `commands` commands, with a stripe per core (a power of two, at most 16).
    pub(crate) fn new(commands: usize) -> Stats {
        let cores = crate::config::cores();
        let n = cores.next_power_of_two().clamp(1, 16);
        let stripes = (0..n).map(|_| CachePadded::new(OnceLock::new())).collect();
        Stats {
            stripes,
            commands,
            errors: Mutex::new(Vec::new()),
            connections: AtomicU64::new(0),
        }
    }

    fn counters(&self, command: usize) -> &Counters {
        let stripe = self.stripes[stripe_number() & (self.stripes.len() - 1)]
            .get_or_init(|| (0..=self.commands).map(|_| Counters::default()).collect());
        let last = stripe.len() - 1;
        &stripe[command.min(last)]
    }

    /// Command `command` starts: counted now, timed if its turn came (see [`SAMPLE`]).
    #[inline]
    pub(crate) fn begin(&self, command: usize) -> Call<'_> {
        let counters = self.counters(command);
        let n = counters.calls.fetch_add(1, Relaxed);
        Call {
            counters,
            started: (n % SAMPLE == 0).then(Instant::now),
        }
    }

    /// A command was refused before it ran (arity, CROSSSLOT, inside a subscribed mode).
    pub(crate) fn rejected(&self, command: usize) {
        self.counters(command).rejected.fetch_add(1, Relaxed);
    }

    /// An error reply went out; counted under its code (the first word), as errorstats.
    pub(crate) fn error_reply(&self, text: &str) {
        let code = text.split(' ').next().unwrap_or("ERR");
        let mut errors = self.errors.lock();
        if let Some(entry) = errors.iter_mut().find(|(c, _)| &**c == code) {
            entry.1 += 1;
        } else if errors.len() < ERROR_CODES_LIMIT {
            errors.push((code.into(), 1));
        }
    }

    /// A connection was opened (`total_connections_received`).
    pub(crate) fn connected(&self) {
        self.connections.fetch_add(1, Relaxed);
    }

    pub(crate) fn connections(&self) -> u64 {
        self.connections.load(Relaxed)
    }

    /// The totals of command `index`.
    pub(crate) fn totals(&self, index: usize) -> CommandTotals {
        let mut t = CommandTotals::default();
        let mut usec: u128 = 0;
        for stripe in self.stripes.iter().filter_map(|s| s.get()) {
            if let Some(c) = stripe.get(index) {
                let calls = c.calls.load(Relaxed);
                let sampled = c.sampled.load(Relaxed);
                let ns = u128::from(c.nanos.load(Relaxed));
                if sampled > 0 {
                    usec += ns * u128::from(calls) / u128::from(sampled) / 1000;
                }
                t.calls += calls;
                t.failed += c.failed.load(Relaxed);
                t.rejected += c.rejected.load(Relaxed);
            }
        }
        t.usec = u64::try_from(usec).unwrap_or(u64::MAX);
        t
    }

    /// Error codes and their counts, in the order first seen.
    pub(crate) fn errors(&self) -> Vec<(Box<str>, u64)> {
        self.errors.lock().clone()
    }

    /// CONFIG RESETSTAT: every counter back to zero.
    pub(crate) fn reset(&self) {
        for stripe in self.stripes.iter().filter_map(|s| s.get()) {
            for c in &**stripe {
                c.calls.store(0, Relaxed);
                c.sampled.store(0, Relaxed);
                c.nanos.store(0, Relaxed);
                c.failed.store(0, Relaxed);
                c.rejected.store(0, Relaxed);
            }
        }
        self.errors.lock().clear();
        self.connections.store(0, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_from_many_threads_add_up_exactly() {
        let stats = std::sync::Arc::new(Stats::new(3));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let stats = stats.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        stats.begin(1).end(false);
                    }
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().is_ok());
        }
        let t = stats.totals(1);
        assert_eq!((t.calls, t.failed), (8000, 0));
        assert_eq!(stats.totals(0).calls, 0);
    }

    #[test]
    fn an_index_past_the_table_counts_in_the_last_slot() {
        let stats = Stats::new(2);
        stats.begin(99).end(true);
        assert_eq!(stats.totals(2).failed, 1);
    }

    #[test]
    fn sampled_time_is_scaled_to_every_call() {
        let stats = Stats::new(1);
        for _ in 0..SAMPLE * 4 {
            let call = stats.begin(0);
            if call.started.is_some() {
                std::thread::sleep(Duration::from_millis(1));
            }
            call.end(false);
        }
        let t = stats.totals(0);
        assert_eq!(t.calls, SAMPLE * 4);
        // Four timed calls of at least 1 ms each, scaled to 64 calls.
        assert!(t.usec >= 64 * 1000, "{t:?}");
    }

    #[test]
    fn errors_count_by_code_and_reset_clears_them() {
        let stats = Stats::new(1);
        stats.error_reply("WRONGTYPE Operation against a key");
        stats.error_reply("ERR syntax error");
        stats.error_reply("ERR value is not an integer");
        assert_eq!(
            stats.errors(),
            vec![("WRONGTYPE".into(), 1), ("ERR".into(), 2)]
        );
        stats.reset();
        assert!(stats.errors().is_empty());
    }
}
