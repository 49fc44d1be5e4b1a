//! A clock that parks one chosen thread inside its next clock read until the test releases
//! it. The store reads the clock only under a command's locks (and only when something
//! needs the time), so a parked thread holds its shard locks: a test can then show what
//! other threads can still do, without relying on timing.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use redlite::Clock;

thread_local! {
    /// Set on the thread whose next clock read should park.
    static PARK: Cell<bool> = const { Cell::new(false) };
}

#[derive(Debug, Default)]
struct Gate {
    state: Mutex<(bool, bool)>, // (a thread is parked, released)
    cv: Condvar,
    timed_out: AtomicBool,
}

/// See the module docs. Clones share one gate.
#[derive(Debug, Clone, Default)]
pub struct GateClock(Arc<Gate>);

impl GateClock {
    /// Makes the calling thread's next clock read park.
    pub fn park_next_read_here() {
        PARK.with(|p| p.set(true));
    }

    /// Waits (at most 5 s) until a thread is parked; true if one is.
    pub fn wait_until_parked(&self) -> bool {
        let st = self.0.state.lock().unwrap();
        let (st, _) = self
            .0
            .cv
            .wait_timeout_while(st, Duration::from_secs(5), |s| !s.0)
            .unwrap();
        st.0
    }

    /// Lets the parked thread go on.
    pub fn release(&self) {
        self.0.state.lock().unwrap().1 = true;
        self.0.cv.notify_all();
    }

    /// True when the parked thread gave up waiting (5 s) before `release`: whatever the
    /// test ran meanwhile had to wait for it.
    pub fn timed_out(&self) -> bool {
        self.0.timed_out.load(Ordering::SeqCst)
    }
}

impl Clock for GateClock {
    fn now_ms(&self) -> u64 {
        if PARK.with(|p| p.replace(false)) {
            let gate = &self.0;
            let mut st = gate.state.lock().unwrap();
            st.0 = true;
            gate.cv.notify_all();
            // The timeout only ends a failed run instead of hanging the test.
            let (_st, res) = gate
                .cv
                .wait_timeout_while(st, Duration::from_secs(5), |s| !s.1)
                .unwrap();
            if res.timed_out() {
                gate.timed_out.store(true, Ordering::SeqCst);
            }
        }
        1_700_000_000_000
    }
}
