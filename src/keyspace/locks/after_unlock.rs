//! Waits a thread owes before its call returns, run after it dropped its shard locks.
//!
//! The append-only log under `Fsync::Always` must not hand a reply back before the write
//! it shows is on disk, yet waiting for the fsync under the shard locks would let only one
//! writer per shard join each fsync. So a write's record number is left here as a debt
//! ([`owe`]), and the last [`Locks`](super::Locks) of the thread to drop waits for it, with
//! every shard lock released and before the reply leaves `commands::run`, EXEC or a
//! blocking command (each holds its locks in a `Locks`). While the locks are held, the
//! debt is stamped on every shard the call wrote ([`owed`], `Shard::log_ticket`); a later
//! call that locks such a shard, reader or writer, owes that stamp too until the log's
//! durable mark passes it, so no reply shows a write that might not survive a crash.
//!
//! Under loom nothing is deferred (loom's threads share the OS thread's locals): `owe`
//! says no and the caller waits at once.

use std::sync::Arc;

#[cfg(not(loom))]
use std::cell::{Cell, RefCell};

/// A store's log, as the keyspace sees it: how far records are durable, and a wait.
pub(crate) trait Durable: Send + Sync {
    /// Every record numbered below this is durable.
    fn durable_below(&self) -> u64;
    /// Waits until every record numbered below `below` is durable (or the log failed).
    fn wait_durable(&self, below: u64);
}

#[cfg(not(loom))]
thread_local! {
    /// How many lock sets this thread holds now, and [`OWES`] while `OWED` holds a debt:
    /// one word, so a release that owes nothing is one thread-local read and write.
    static HELD: Cell<u32> = const { Cell::new(0) };
    /// What the thread waits for once its lock sets are gone.
    static OWED: RefCell<Option<(Arc<dyn Durable>, u64)>> = const { RefCell::new(None) };
}

/// The bit of `HELD` that says the thread owes a wait.
#[cfg(not(loom))]
const OWES: u32 = 1 << 31;

/// A lock set was taken.
#[inline]
pub(super) fn hold() {
    #[cfg(not(loom))]
    HELD.with(|h| h.set(h.get() + 1));
}

/// A lock set was released (its guards already dropped): waits for the debt when it was
/// the last.
#[inline]
pub(super) fn release() {
    #[cfg(not(loom))]
    {
        let left = HELD.with(|h| {
            let left = h.get().saturating_sub(1);
            h.set(left);
            left
        });
        if left == OWES {
            settle();
        }
    }
}

#[cfg(not(loom))]
#[cold]
#[inline(never)]
fn settle() {
    let _ = HELD.try_with(|h| h.set(0));
    // `try_with`: a lock set dropped while the thread's locals are torn down owes nothing
    // it could still wait for.
    let owed = OWED.try_with(|o| o.borrow_mut().take()).ok().flatten();
    if let Some((log, below)) = owed {
        log.wait_durable(below);
    }
}

/// The same log (thin pointers: two `Arc<dyn>` of one object may differ in vtable).
fn same(a: &Arc<dyn Durable>, b: &Arc<dyn Durable>) -> bool {
    std::ptr::eq(Arc::as_ptr(a).cast::<()>(), Arc::as_ptr(b).cast::<()>())
}

/// The caller's reply must wait until `log` has every record below `below` durable.
/// Deferred to the release of the thread's last lock set and true; false when it holds
/// none, or owes another store's log already (then the caller waits itself).
pub(crate) fn owe(log: &Arc<dyn Durable>, below: u64) -> bool {
    #[cfg(not(loom))]
    {
        if HELD.with(Cell::get) & !OWES == 0 {
            return false;
        }
        HELD.with(|h| h.set(h.get() | OWES));
        OWED.with(|o| {
            let mut o = o.borrow_mut();
            match &mut *o {
                Some((mine, owed)) if same(mine, log) => {
                    *owed = (*owed).max(below);
                    true
                }
                Some(_) => false,
                None => {
                    *o = Some((log.clone(), below));
                    true
                }
            }
        })
    }
    #[cfg(loom)]
    {
        let _ = (log, below, same);
        false
    }
}

/// What the thread owes `log` so far (0: nothing).
pub(crate) fn owed(log: &Arc<dyn Durable>) -> u64 {
    #[cfg(not(loom))]
    {
        OWED.with(|o| match &*o.borrow() {
            Some((mine, below)) if same(mine, log) => *below,
            _ => 0,
        })
    }
    #[cfg(loom)]
    {
        let _ = log;
        0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::Durable;

    #[derive(Default)]
    struct Mark {
        waited_for: AtomicU64,
    }

    impl Durable for Mark {
        fn durable_below(&self) -> u64 {
            0
        }
        fn wait_durable(&self, below: u64) {
            self.waited_for.store(below, Ordering::Relaxed);
        }
    }

    #[test]
    fn a_debt_is_waited_for_once_when_the_last_lock_set_drops() {
        let mark = Arc::new(Mark::default());
        let log: Arc<dyn Durable> = mark.clone();
        assert!(
            !super::owe(&log, 3),
            "nothing held: the caller waits itself"
        );
        super::hold();
        super::hold();
        assert!(super::owe(&log, 3));
        assert!(super::owe(&log, 2));
        assert_eq!(super::owed(&log), 3, "the higher number covers both");
        let other: Arc<dyn Durable> = Arc::new(Mark::default());
        assert!(!super::owe(&other, 1), "one store's debt at a time");
        super::release();
        assert_eq!(
            mark.waited_for.load(Ordering::Relaxed),
            0,
            "a lock set is still held"
        );
        super::release();
        assert_eq!(mark.waited_for.load(Ordering::Relaxed), 3);
        assert_eq!(super::owed(&log), 0, "paid");
    }
}
