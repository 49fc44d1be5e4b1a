//! Taking a busy shard lock: watch it for a few microseconds before `parking_lot`'s own wait.
//!
//! A hot key serializes every call on its shard's lock, held for about a microsecond per
//! call (a script's whole run). `parking_lot`'s wait spins only a few dozen cycles, then
//! calls `sched_yield` up to seven times, then parks on a futex; and once one thread is
//! parked, every later waiter parks at once and every unlock wakes one (a futex call on
//! the holder's path). With more threads than cores that turned most hand-overs into
//! system calls and context switches: on 2 cores, 5 threads running a Lua script on one
//! key made 0.26 `sched_yield` and 0.035 futex calls per call, with a third of the CPU
//! time in the kernel.
//!
//! The holder is nearly always running on another core, and lets go within about the time
//! of one call: a waiter that only reads the lock word (no write to its cache line, so the
//! holder is not slowed) takes the lock the moment it is free. The watch is bounded
//! ([`WATCH_STEPS`]); past it (a holder that was preempted, a long command) the waiter
//! falls back to `parking_lot`'s wait and its fairness (a parked thread gets the lock handed
//! to it at least every half millisecond), so no waiter starves. A preempted holder is
//! found about once per scheduler tick, so the bounded watch it wastes is small.
//! Only script runs (EVAL, FCALL) wait this way (`Keyspace::lock_watched`): single
//! commands hold a lock for ~0.1 µs, and with 8 threads on 2 cores incrementing one key the
//! watch made each increment 60% slower (a preempted holder costs a waiter the whole
//! watch), so they keep `parking_lot`'s wait.
//! Under loom there is no watch: it changes no ordering, only how long a wait spins.

use crate::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Looks at the lock word this many times, each followed by a spin-loop hint (~30 ns on
/// this project's 2-core machine, so ~8 µs in all: several holds of a script's lock),
/// before waiting the ordinary way. 64 looks gave less on that machine, 1024 no more.
#[cfg(not(loom))]
const WATCH_STEPS: u32 = 256;

/// The write lock of `lock`, watched for a few microseconds while it is busy.
#[inline]
pub(crate) fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    #[cfg(not(loom))]
    if let Some(guard) = lock.try_write() {
        return guard;
    }
    #[cfg(not(loom))]
    watch(|| lock.is_locked());
    lock.write()
}

/// The read lock of `lock`, watched for a few microseconds while a writer holds it.
#[inline]
pub(crate) fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    #[cfg(not(loom))]
    if let Some(guard) = lock.try_read() {
        return guard;
    }
    #[cfg(not(loom))]
    watch(|| lock.is_locked_exclusive());
    lock.read()
}

/// Threads watching a lock now, in the whole process.
#[cfg(not(loom))]
static WATCHERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many threads may watch at once: one core is left for the holders. More watchers
/// than that take cores from the holders they wait for: 8 threads on 2 cores running a
/// one-call Rhai script on one key (`contention/script/8`) were 9.6–9.8 µs per 8 calls
/// without any watch and 13.2–13.6 µs with every waiter watching, in the machine's slow
/// phases; 5.9 µs with this bound. In its fast phases both watch builds gave 5.9–6.5 µs
/// (no watch 7.3–7.7 µs), and 5 threads of the guide's Lua increment the same with or
/// without the bound.
#[cfg(not(loom))]
fn max_watchers() -> usize {
    crate::config::cores().saturating_sub(1).max(1)
}

/// Spins while `busy()`, at most [`WATCH_STEPS`] looks, unless enough threads watch
/// already.
#[cfg(not(loom))]
#[cold]
#[inline(never)]
fn watch(busy: impl Fn() -> bool) {
    use std::sync::atomic::Ordering::Relaxed;
    if WATCHERS.fetch_add(1, Relaxed) >= max_watchers() {
        WATCHERS.fetch_sub(1, Relaxed);
        return;
    }
    for _ in 0..WATCH_STEPS {
        if !busy() {
            break;
        }
        std::hint::spin_loop();
    }
    WATCHERS.fetch_sub(1, Relaxed);
}
