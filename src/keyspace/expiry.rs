//! Active expiry: a background thread that reclaims expired keys a few slots at a time.
//!
//! Correctness never depends on it: every read checks the deadline itself (lazy expiry).
//! The sweep only returns memory held by keys nobody reads again. Each pass takes one shard's
//! write lock at a time for a bounded number of slots, so it never stalls a shard for long.

use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// The active-expiry thread of one store: how to stop it, and the thread to join.
///
/// The thread holds only a weak reference to the store, upgraded for the length of one pass,
/// and waits between passes on a condition variable, so dropping the store's last handle
/// (which drops this) wakes it, and the drop returns once the thread has exited.
pub(crate) struct Sweeper {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Stop {
    stopped: Mutex<bool>,
    wake: Condvar,
}

// Loom models build stores without the sweeper thread.
#[cfg_attr(loom, allow(dead_code))]
impl Stop {
    /// Waits up to `every`; false once the sweeper is told to stop.
    fn wait(&self, every: Duration) -> bool {
        let deadline = Instant::now() + every;
        let mut stopped = self.stopped.lock();
        while !*stopped {
            if self.wake.wait_until(&mut stopped, deadline).timed_out() {
                break;
            }
        }
        !*stopped
    }
}

#[cfg_attr(loom, allow(dead_code))]
impl Sweeper {
    /// Starts the sweeper: it waits `every`, runs `pass`, and repeats with the interval
    /// `pass` returns (CONFIG SET hz changes it), until `pass` returns `None` (the store is
    /// gone) or the sweeper is dropped; `None` when the thread cannot be started (the store
    /// stays correct without it: lazy expiry; it only reclaims later).
    pub(crate) fn spawn(
        pass: impl Fn() -> Option<Duration> + Send + 'static,
        every: Duration,
    ) -> Option<Sweeper> {
        let stop = Arc::new(Stop::default());
        let signal = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name("redlite-expiry".into())
            .spawn(move || {
                let mut every = every;
                while signal.wait(every) {
                    match pass() {
                        Some(next) => every = next,
                        None => return,
                    }
                }
            })
            .ok()?;
        Some(Sweeper {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        *self.stop.stopped.lock() = true;
        self.stop.wake.notify_all();
        let Some(thread) = self.thread.take() else {
            return;
        };
        // During a pass the thread itself holds a handle; if the others are all dropped
        // meanwhile, this drop runs on the thread, which exits right after: it cannot
        // join itself.
        if thread.thread().id() != thread::current().id() {
            let _ = thread.join();
        }
    }
}
