//! Transactions on disjoint shards commit in parallel: while one EXEC holds its shards'
//! locks, an EXEC on another shard runs to completion; on the same key it has to wait.
//! Shown with a clock that parks one thread inside its EXEC, not with timing.

mod common;

use std::thread;

use common::gate::GateClock;
use redlite::{Config, Reply, Store};

/// Thread A runs `MULTI; INCR ka; EXEC` and parks inside the EXEC, holding ka's shard; then
/// this thread runs the same on kb. True when B committed while A still held its locks.
fn b_commits_while_a_holds_its_shard(ka: &str, kb: &str) -> bool {
    let gate = GateClock::default();
    let config = Config::default()
        .shards(64)
        .active_expiry(false)
        .clock(gate.clone());
    let store = Store::with_config(config);
    // A TTL on ka makes A's EXEC read the clock while it holds the lock.
    store.execute(["SET", ka, "0", "EX", "1000"]);
    let a = {
        let (store, ka) = (store.clone(), ka.to_string());
        thread::spawn(move || {
            let mut c = store.connection();
            c.execute(["MULTI"]);
            c.execute(["INCR", ka.as_str()]);
            GateClock::park_next_read_here();
            c.execute(["EXEC"])
        })
    };
    assert!(gate.wait_until_parked(), "A never reached its EXEC");
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["INCR", kb]);
    let b = c.execute(["EXEC"]);
    let b_first = !gate.timed_out();
    gate.release();
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
