//! Transactions on disjoint shards commit in parallel: while one EXEC holds its shards'
//! locks, an EXEC on another shard runs to completion; on the same key it has to wait.
//! Shown with a clock that parks one thread inside its EXEC, not with timing.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use redlite::{Clock, Config, Reply, Store};

thread_local! {
    /// Set on the thread whose next clock read should park.
    static PARK: Cell<bool> = const { Cell::new(false) };
}

/// Parks the marked thread's next clock read until released. EXEC reads the clock only
/// under its locks (and only when a key it checks or touches has an expiry).
#[derive(Debug, Default)]
struct Gate {
    state: Mutex<(bool, bool)>, // (parked, released)
    cv: Condvar,
    timed_out: AtomicBool,
}

#[derive(Debug, Clone)]
struct GateClock(Arc<Gate>);

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

/// Thread A runs `MULTI; INCR ka; EXEC` and parks inside the EXEC, holding ka's shard; then
/// this thread runs the same on kb. True when B committed while A still held its locks.
fn b_commits_while_a_holds_its_shard(ka: &str, kb: &str) -> bool {
    let gate = Arc::new(Gate::default());
    let config = Config::default()
        .shards(64)
        .active_expiry(false)
        .clock(GateClock(gate.clone()));
    let store = Store::with_config(config);
    // A TTL on ka makes A's EXEC read the clock while it holds the lock.
    store.execute(["SET", ka, "0", "EX", "1000"]);
    let a = {
        let (store, ka) = (store.clone(), ka.to_string());
        thread::spawn(move || {
            let mut c = store.connection();
            c.execute(["MULTI"]);
            c.execute(["INCR", ka.as_str()]);
            PARK.with(|p| p.set(true));
            c.execute(["EXEC"])
        })
    };
    {
        let st = gate.state.lock().unwrap();
        let (st, _) = gate
            .cv
            .wait_timeout_while(st, Duration::from_secs(5), |s| !s.0)
            .unwrap();
        assert!(st.0, "A never reached its EXEC");
    }
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["INCR", kb]);
    let b = c.execute(["EXEC"]);
    let b_first = !gate.timed_out.load(Ordering::SeqCst);
    gate.state.lock().unwrap().1 = true;
    gate.cv.notify_all();
    assert_eq!(a.join().unwrap(), Reply::Array(vec![Reply::Integer(1)]));
    let expected = if ka == kb { 2 } else { 1 };
    assert_eq!(b, Reply::Array(vec![Reply::Integer(expected)]));
    b_first
}

#[test]
fn exec_on_another_shard_commits_while_one_exec_holds_its_locks() {
    // Two keys share a shard with probability 1/64 per pair (random hash seed per store).
    let parallel =
        (0..4).any(|i| b_commits_while_a_holds_its_shard(&format!("a{i}"), &format!("b{i}")));
    assert!(
        parallel,
        "an EXEC on another shard never ran beside the first"
    );
}

#[test]
fn exec_on_the_same_key_waits_for_the_first() {
    assert!(!b_commits_while_a_holds_its_shard("same", "same"));
}
