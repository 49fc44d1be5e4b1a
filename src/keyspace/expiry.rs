//! Active expiry: one background thread for every store of the process, reclaiming expired
//! keys a few slots at a time.
//!
//! Correctness never depends on it: every read checks the deadline itself (lazy expiry).
//! The sweep only returns memory held by keys nobody reads again. Each pass takes one shard's
//! write lock at a time for a bounded number of slots, so it never stalls a shard for long.
//!
//! The thread is shared because starting one costs more than the rest of `Store::new`
//! (50–90 µs on this project's VM, against ~50 µs), and a store per test is a use the crate
//! wants cheap. It starts with the first store that sweeps and ends a second after the last
//! one is dropped; each store runs on its own interval (`hz`), and one store's pass is
//! bounded, so it delays another's by little. The price: the passes of all stores share one
//! core, so a process with very many busy stores reclaims expired keys more slowly than a
//! thread per store did (reads never see them either way), and their coarse access clocks
//! (LRU) tick late when passes queue.

use std::sync::Arc;
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// How long the thread outlives the last store that sweeps.
const LINGER: Duration = Duration::from_secs(1);

/// One store's pass: runs once, and gives the interval to the next (`None`: the store is gone).
type Pass = Arc<dyn Fn() -> Option<Duration> + Send + Sync>;

/// A store's place in the thread's list.
struct Entry {
    id: u64,
    due: Instant,
    pass: Pass,
}

#[derive(Default)]
struct List {
    entries: Vec<Entry>,
    next_id: u64,
    /// The entry whose pass runs now, outside the lock.
    running: Option<u64>,
    /// The thread, while one runs (it ends [`LINGER`] after `entries` became empty).
    thread: Option<ThreadId>,
}

struct Shared {
    list: Mutex<List>,
    /// Wakes the thread (an entry came or went) and the drops waiting for a pass to end.
    wake: Condvar,
}

static SWEEPERS: Shared = Shared {
    list: Mutex::new(List {
        entries: Vec::new(),
        next_id: 0,
        running: None,
        thread: None,
    }),
    wake: Condvar::new(),
};

/// One store's registration with the expiry thread.
///
/// The pass holds only a weak reference to the store, upgraded for the length of one pass.
/// Dropping this (with the store's last handle) removes the store from the list and returns
/// once no pass of it runs, so no pass touches a store after its drop.
pub(crate) struct Sweeper {
    id: u64,
}

// Loom models build stores without the sweeper thread.
#[cfg_attr(loom, allow(dead_code))]
impl Sweeper {
    /// Registers `pass`, first run `every` from now and then at the interval it returns
    /// (CONFIG SET hz changes it), until it returns `None` (the store is gone) or the sweeper
    /// is dropped; `None` when the thread cannot be started (the store stays correct without
    /// it: lazy expiry; it only reclaims later).
    pub(crate) fn spawn(
        pass: impl Fn() -> Option<Duration> + Send + Sync + 'static,
        every: Duration,
    ) -> Option<Sweeper> {
        let mut list = SWEEPERS.list.lock();
        if list.thread.is_none() {
            let handle = thread::Builder::new()
                .name("redlite-expiry".into())
                .spawn(run)
                .ok()?;
            list.thread = Some(handle.thread().id());
        }
        let id = list.next_id;
        list.next_id += 1;
        list.entries.push(Entry {
            id,
            due: Instant::now() + every,
            pass: Arc::new(pass),
        });
        SWEEPERS.wake.notify_all();
        Some(Sweeper { id })
    }
}

/// The thread: runs each entry's pass when due, until the list is empty.
fn run() {
    let mut list = SWEEPERS.list.lock();
    loop {
        let Some(next) = list.entries.iter().min_by_key(|e| e.due) else {
            // No store sweeps: linger a moment, as a store per test makes and drops them
            // one after another, then end (the next store starts a thread again).
            let idle = SWEEPERS.wake.wait_for(&mut list, LINGER).timed_out();
            if idle && list.entries.is_empty() {
                list.thread = None;
                return;
            }
            continue;
        };
        let (id, due) = (next.id, next.due);
        if Instant::now() < due {
            let _ = SWEEPERS.wake.wait_until(&mut list, due);
            continue;
        }
        let Some(pass) = list
            .entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.pass.clone())
        else {
            continue;
        };
        list.running = Some(id);
        // A panicking pass (a bug) must not end the thread every store shares, nor leave
        // `running` set for a drop to wait on: its store is then swept no more.
        let next = parking_lot::MutexGuard::unlocked(&mut list, || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pass())).unwrap_or(None)
        });
        list.running = None;
        SWEEPERS.wake.notify_all();
        let at = list.entries.iter().position(|e| e.id == id);
        match (at, next) {
            (Some(at), Some(every)) => list.entries[at].due = Instant::now() + every,
            (Some(at), None) => {
                list.entries.swap_remove(at);
            }
            (None, _) => {}
        }
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        let mut list = SWEEPERS.list.lock();
        if let Some(at) = list.entries.iter().position(|e| e.id == self.id) {
            list.entries.swap_remove(at);
        }
        let on_thread = list.thread == Some(thread::current().id());
        // During a pass the thread itself holds a handle; if the others are all dropped
        // meanwhile, this drop runs on the thread: it must not wait for its own pass.
        while !on_thread && list.running == Some(self.id) {
            SWEEPERS.wake.wait(&mut list);
        }
        SWEEPERS.wake.notify_all();
    }
}
