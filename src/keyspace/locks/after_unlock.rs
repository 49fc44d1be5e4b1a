//! Work a thread must do before its call returns but after it dropped its shard locks.
//!
//! The append-only log under `Fsync::Always` must not hand a reply back before its record
//! is on disk, yet waiting for the fsync under the shard locks would let only one writer
//! per shard join each fsync. So the log's listener, which runs under the locks, leaves a
//! hook here; the last [`Locks`](super::Locks) of the thread to drop runs it, with every
//! shard lock released and before the command's reply leaves `commands::run` (or EXEC, or
//! a blocking command), since every one of those holds its locks in a `Locks`.
//!
//! The hook is a plain function (no allocation); what it needs it keeps in its own
//! thread-local state. Under loom nothing is deferred (loom's threads share the OS
//! thread's locals): the caller runs its work at once, as before.

#[cfg(not(loom))]
use std::cell::Cell;

#[cfg(not(loom))]
thread_local! {
    /// How many lock sets this thread holds now.
    static HELD: Cell<u32> = const { Cell::new(0) };
    /// What runs once `HELD` is back to 0.
    static HOOK: Cell<Option<fn()>> = const { Cell::new(None) };
}

/// A lock set was taken.
#[inline]
pub(super) fn hold() {
    #[cfg(not(loom))]
    HELD.with(|h| h.set(h.get() + 1));
}

/// A lock set was released (its guards already dropped): runs the hook when it was the last.
#[inline]
pub(super) fn release() {
    #[cfg(not(loom))]
    {
        let left = HELD.with(|h| {
            let left = h.get().saturating_sub(1);
            h.set(left);
            left
        });
        if left == 0 {
            if let Some(hook) = HOOK.with(Cell::take) {
                hook();
            }
        }
    }
}

/// Runs `hook` once this thread holds no lock set; false when it holds none now, or when
/// another hook is already pending (one per thread), and then the caller does its work
/// itself. A caller that already deferred keeps its later work in the hook's own state
/// instead of calling again.
pub(crate) fn defer(hook: fn()) -> bool {
    #[cfg(not(loom))]
    {
        if HELD.with(Cell::get) == 0 {
            return false;
        }
        HOOK.with(|h| {
            let free = h.get().is_none();
            if free {
                h.set(Some(hook));
            }
            free
        })
    }
    #[cfg(loom)]
    {
        let _ = hook;
        false
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::cell::Cell;

    thread_local! {
        static RAN: Cell<u32> = const { Cell::new(0) };
    }

    fn count() {
        RAN.with(|r| r.set(r.get() + 1));
    }

    fn other() {}

    #[test]
    fn a_hook_runs_once_when_the_last_lock_set_drops() {
        assert!(!super::defer(count), "nothing held: the caller works itself");
        super::hold();
        super::hold();
        assert!(super::defer(count));
        assert!(!super::defer(other), "one hook at a time");
        super::release();
        assert_eq!(RAN.with(Cell::get), 0, "a lock set is still held");
        super::release();
        assert_eq!(RAN.with(Cell::get), 1);
        super::hold();
        super::release();
        assert_eq!(RAN.with(Cell::get), 1, "ran once");
    }
}
