//! The guide's Example 1 (GET then SET, no WATCH) loses updates; WATCH + retry does not.
//! Interleavings are forced (two connections, or a barrier), so the results are exact.

use std::sync::Barrier;
use std::thread;

use redlite::{ExecOutcome, Reply, Store};

#[test]
fn get_then_set_without_watch_loses_an_update() {
    let store = Store::new();
    store.set("counter", 0).unwrap();
    let (mut a, mut b) = (store.connection(), store.connection());
    let ra: i64 = a.get("counter").unwrap();
    let rb: i64 = b.get("counter").unwrap();
    a.execute(["MULTI"]);
    a.execute(["SET", "counter", &(ra + 1).to_string()]);
    a.execute(["EXEC"]);
    b.execute(["MULTI"]);
    b.execute(["SET", "counter", &(rb + 1).to_string()]);
    b.execute(["EXEC"]);
    // Two increments, one survives: b's EXEC could not know a's write happened.
    assert_eq!(store.get::<i64>("counter").unwrap(), 1);
}

#[test]
fn get_then_set_with_watch_aborts_the_stale_exec_instead() {
    let store = Store::new();
    store.set("counter", 0).unwrap();
    let (mut a, mut b) = (store.connection(), store.connection());
    a.execute(["WATCH", "counter"]);
    b.execute(["WATCH", "counter"]);
    let ra: i64 = a.get("counter").unwrap();
    let rb: i64 = b.get("counter").unwrap();
    a.execute(["MULTI"]);
    a.execute(["SET", "counter", &(ra + 1).to_string()]);
    assert_eq!(a.exec().unwrap(), ExecOutcome::Committed(vec![Reply::ok()]));
    b.execute(["MULTI"]);
    b.execute(["SET", "counter", &(rb + 1).to_string()]);
    assert_eq!(b.exec().unwrap(), ExecOutcome::Aborted);
    assert_eq!(store.get::<i64>("counter").unwrap(), 1); // b retries from here
}

#[test]
fn get_then_set_without_watch_loses_updates_across_threads() {
    let store = Store::new();
    store.set("counter", 0).unwrap();
    let both_read = Barrier::new(2);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let n: i64 = store.get("counter").unwrap();
                both_read.wait();
                store.set("counter", n + 1).unwrap();
            });
        }
    });
    assert_eq!(store.get::<i64>("counter").unwrap(), 1);
}

#[test]
fn transaction_does_not_lose_updates_across_threads() {
    let store = Store::new();
    store.set("counter", 0).unwrap();
    let both_read = Barrier::new(2);
    let attempts: Vec<u32> = thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    store
                        .transaction(&["counter"], |tx| {
                            let n: i64 = tx.get("counter")?;
                            if tx.attempt() == 1 {
                                both_read.wait(); // both read 0 before either commits
                            }
                            tx.set("counter", n + 1);
                            Ok(tx.attempt())
                        })
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(store.get::<i64>("counter").unwrap(), 2);
    let mut attempts = attempts;
    attempts.sort_unstable();
    assert_eq!(attempts, vec![1, 2]); // the loser saw the abort and retried once
}
