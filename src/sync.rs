//! Synchronisation primitives, swapped for loom's under `cfg(loom)`.
//!
//! Everything in the crate that locks or shares state goes through this module, so the loom
//! models in `tests/it/loom.rs` run the real keyspace, EXEC and script code. Under loom the
//! locks are wrapped to keep `parking_lot`'s API (`read()`/`write()` return guards directly,
//! no poisoning), so the rest of the crate is written once.

#[cfg(not(loom))]
pub(crate) use parking_lot::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, MutexGuard};
#[cfg(loom)]
pub(crate) use loom_locks::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Watches `done` for a few microseconds before a thread goes to sleep, as
/// crossbeam-channel's receivers do: a hand-over that comes that soon then needs no sleep
/// and no wake-up (two system calls and two context switches). Bounded (a few spins, then
/// a few yields), so an idle waiter still sleeps. True when `done` turned true. Under loom
/// it only looks once: spinning is not part of any ordering the models check.
pub(crate) fn spin_briefly(done: impl Fn() -> bool) -> bool {
    #[cfg(not(loom))]
    for step in 0..10u32 {
        if done() {
            return true;
        }
        if step < 6 {
            for _ in 0..1u32 << step {
                std::hint::spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
    }
    done()
}

/// A condition variable with one by-value surface for `parking_lot`'s and loom's: `wait`
/// takes the guard and gives it back (loom's style), so callers are written once.
#[derive(Debug, Default)]
pub(crate) struct Condvar {
    #[cfg(not(loom))]
    inner: parking_lot::Condvar,
    #[cfg(loom)]
    inner: loom::sync::Condvar,
}

impl Condvar {
    pub(crate) fn new() -> Condvar {
        Condvar::default()
    }

    pub(crate) fn notify_one(&self) {
        self.inner.notify_one();
    }

    pub(crate) fn notify_all(&self) {
        self.inner.notify_all();
    }

    /// Sleeps until notified (spurious wake-ups are possible: re-check the condition).
    #[cfg(not(loom))]
    pub(crate) fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.inner.wait(&mut guard);
        guard
    }

    /// Sleeps until notified or `timeout` passes.
    #[cfg(not(loom))]
    pub(crate) fn wait_for<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        timeout: std::time::Duration,
    ) -> MutexGuard<'a, T> {
        self.inner.wait_for(&mut guard, timeout);
        guard
    }

    #[cfg(loom)]
    pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.inner.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// loom does not model time: a timed wait is a plain wait.
    #[cfg(loom)]
    pub(crate) fn wait_for<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        _timeout: std::time::Duration,
    ) -> MutexGuard<'a, T> {
        self.wait(guard)
    }
}

#[cfg(loom)]
mod loom_locks {
    /// loom's `RwLock` with parking_lot's panic-free, poison-free surface.
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);
    pub(crate) type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
    pub(crate) type RwLockWriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::RwLock::new(value))
        }
        pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
            // A poisoned lock under loom means a model already panicked; surface that panic.
            self.0.read().unwrap_or_else(|e| e.into_inner())
        }
        pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0.write().unwrap_or_else(|e| e.into_inner())
        }
        pub(crate) fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
            self.0.try_write().ok()
        }
    }

    /// loom's `Mutex` with parking_lot's surface.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }
        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }
}
