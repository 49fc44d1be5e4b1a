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
//! A wait can fail: the log met a write or fsync error before the record was durable
//! (Redis exits then under `appendfsync always`; a library must not). The failure is kept
//! in the thread's locals until the call that owed the wait swaps its reply for Redis's
//! MISCONF error ([`take_failure`], read by `persist::misconf::unless_lost` at every entry
//! point that holds lock sets), so no caller takes a write, or a read of one, for durable
//! when it may be lost. Those entry points forget a failure nobody read as they start
//! ([`forget_failure`]).
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
    /// Waits until every record numbered below `below` is durable.
    ///
    /// # Errors
    ///
    /// The log's I/O error text when it failed before they were all durable (they may be
    /// lost).
    fn wait_durable(&self, below: u64) -> Result<(), String>;
}

#[cfg(not(loom))]
thread_local! {
    /// How many lock sets this thread holds now, and [`OWES`] while `OWED` holds a debt:
    /// one word, so a release that owes nothing is one thread-local read and write.
    static HELD: Cell<u32> = const { Cell::new(0) };
    /// What the thread waits for once its lock sets are gone.
    static OWED: RefCell<Option<(Arc<dyn Durable>, u64)>> = const { RefCell::new(None) };
    /// Why the last wait failed, while `HELD` has [`FAILED`].
    static FAILURE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The bit of `HELD` that says the thread owes a wait.
#[cfg(not(loom))]
const OWES: u32 = 1 << 31;

/// The bit of `HELD` that says the thread's last wait failed and no caller took it yet
/// (only ever set while the thread holds no lock set; cleared by [`forget_failure`] and
/// [`take_failure`]).
#[cfg(not(loom))]
const FAILED: u32 = 1 << 30;

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
        pay(&*log, below);
    }
}

/// Waits for `log` to have every record below `below` durable, now; a failure is kept for
/// [`take_failure`].
pub(crate) fn pay(log: &dyn Durable, below: u64) {
    if let Err(why) = log.wait_durable(below) {
        failed(why);
    }
}

#[cfg(not(loom))]
#[cold]
fn failed(why: String) {
    let _ = FAILURE.try_with(|f| *f.borrow_mut() = Some(why));
    let _ = HELD.try_with(|h| h.set(h.get() | FAILED));
}

#[cfg(loom)]
fn failed(why: String) {
    // Loom models do not fail the log.
    let _ = why;
}

/// Why this thread's last owed wait failed, if it did and no caller took it yet: the call
/// that just released its last lock set must not give its normal reply then. One
/// thread-local read when nothing failed.
#[inline]
pub(crate) fn take_failure() -> Option<String> {
    #[cfg(not(loom))]
    {
        if HELD.with(Cell::get) & FAILED == 0 {
            return None;
        }
        take_failure_cold()
    }
    #[cfg(loom)]
    None
}

/// Called as a call that replies starts: a failure left by work that had no reply to swap
/// (a snapshot's lock set, `Store::rewrite_aof`) is not this call's.
#[inline]
pub(crate) fn forget_failure() {
    #[cfg(not(loom))]
    HELD.with(|h| h.set(h.get() & !FAILED));
}

#[cfg(not(loom))]
#[cold]
#[inline(never)]
fn take_failure_cold() -> Option<String> {
    HELD.with(|h| h.set(h.get() & !FAILED));
    FAILURE.with(|f| f.borrow_mut().take())
}

/// Counts as a lock set while it lives: for code that writes under a shard guard of its
/// own (expiry outside commands) and must wait for its log record only after that guard
/// drops. Make it before taking the guard, so that it drops after it.
pub(crate) struct Deferred(());

impl Deferred {
    /// Starts counting (see [`Deferred`]).
    #[inline]
    pub(crate) fn new() -> Deferred {
        hold();
        Deferred(())
    }
}

impl Drop for Deferred {
    #[inline]
    fn drop(&mut self) {
        release();
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
        fn wait_durable(&self, below: u64) -> Result<(), String> {
            self.waited_for.store(below, Ordering::Relaxed);
            if below == u64::MAX {
                return Err("lost".to_owned());
            }
            Ok(())
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
        assert_eq!(super::take_failure(), None);
    }

    #[test]
    fn a_failed_wait_is_kept_across_lock_sets_until_taken_or_forgotten() {
        let log: Arc<dyn Durable> = Arc::new(Mark::default());
        super::hold();
        assert!(super::owe(&log, u64::MAX));
        super::release();
        // A lock set after the failed wait (expiry reaped after the command's locks).
        let deferred = super::Deferred::new();
        drop(deferred);
        assert_eq!(super::take_failure().as_deref(), Some("lost"));
        assert_eq!(super::take_failure(), None, "taken once");
        super::hold();
        assert!(super::owe(&log, u64::MAX));
        super::release();
        super::forget_failure();
        assert_eq!(super::take_failure(), None, "a new call starts clean");
    }
}
