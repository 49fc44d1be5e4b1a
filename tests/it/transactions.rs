//! `Store::transaction` and the optimistic pattern: the API's value, retries and errors, the
//! guide's lost update (and how WATCH prevents it), and exact results under many threads.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use redlite::{Error, ExecOutcome, Reply, Store, TxOptions};

// --------------------------------------------------------------------------------------------
// `Store::transaction`: value, retries, bounds, errors, panics (one behaviour per test).

#[test]
fn transaction_returns_the_closure_value() {
    let store = Store::new();
    let v = store
        .transaction(&["k"], |tx| {
            tx.set("k", 1);
            Ok("done")
        })
        .unwrap();
    assert_eq!(v, "done");
    assert_eq!(store.get::<i64>("k").unwrap(), 1);
}

#[test]
fn transaction_reads_see_current_values() {
    let store = Store::new();
    store.set("k", 41).unwrap();
    let v = store.transaction(&["k"], |tx| tx.get::<i64>("k")).unwrap();
    assert_eq!(v, 41);
}

#[test]
fn transaction_writes_are_queued_until_commit() {
    let store = Store::new();
    store.set("k", 1).unwrap();
    let seen_inside = store
        .transaction(&["k"], |tx| {
            tx.set("k", 2);
            // Neither the store nor the transaction's own reads see a queued write.
            Ok((store.get::<i64>("k")?, tx.get::<i64>("k")?))
        })
        .unwrap();
    assert_eq!(seen_inside, (1, 1));
    assert_eq!(store.get::<i64>("k").unwrap(), 2);
}

#[test]
fn transaction_retries_when_a_watched_key_changes() {
    let store = Store::new();
    store.set("k", 0).unwrap();
    let (attempt, read) = store
        .transaction(&["k"], |tx| {
            let n: i64 = tx.get("k")?;
            if tx.attempt() == 1 {
                store.set("k", 100)?; // someone else writes between WATCH and EXEC
            }
            tx.set("k", n + 1);
            Ok((tx.attempt(), n))
        })
        .unwrap();
    assert_eq!((attempt, read), (2, 100));
    assert_eq!(store.get::<i64>("k").unwrap(), 101);
}

#[test]
fn transaction_gives_up_after_max_attempts_and_applies_nothing() {
    let store = Store::new();
    let opts = TxOptions {
        max_attempts: 3,
        ..TxOptions::default()
    };
    let mut runs = 0;
    let r = store.transaction_with(&opts, &["k"], |tx| {
        runs += 1;
        store.set("k", "other")?;
        tx.set("k", "mine");
        tx.set("side", "effect");
        Ok(())
    });
    assert_eq!(r, Err(Error::RetriesExhausted { attempts: 3 }));
    assert_eq!(runs, 3);
    assert_eq!(store.get::<String>("k").unwrap(), "other");
    assert!(!store.exists("side").unwrap());
}

#[test]
fn transaction_retries_exhausted_error_says_so() {
    let e = Error::RetriesExhausted { attempts: 7 };
    assert_eq!(
        e.to_string(),
        "transaction aborted: a watched key changed on each of 7 attempts"
    );
}

#[test]
fn transaction_closure_error_applies_nothing() {
    let store = Store::new();
    let r: Result<(), Error> = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        Err(Error::Conversion("insufficient funds".into()))
    });
    assert_eq!(r, Err(Error::Conversion("insufficient funds".into())));
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_closure_panic_is_caught_and_applies_nothing() {
    let store = Store::new();
    let r: Result<(), Error> = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        panic!("boom");
    });
    assert_eq!(r, Err(Error::ClosurePanicked("boom".into())));
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_closure_panic_leaves_the_store_usable() {
    let store = Store::new();
    let _ = store.transaction(&["k"], |_tx| -> Result<(), Error> { panic!("boom") });
    // No lock is held (this would block) and no watch lingers (the write must not abort us).
    store.set("k", 5).unwrap();
    let attempt = store
        .transaction(&["k"], |tx| {
            tx.incr_by("k", 1);
            Ok(tx.attempt())
        })
        .unwrap();
    assert_eq!(attempt, 1);
    assert_eq!(store.get::<i64>("k").unwrap(), 6);
}

#[test]
fn transaction_queue_time_error_is_returned_and_applies_nothing() {
    let store = Store::new();
    let mut seen = None;
    let r = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        seen = Some(tx.queue(["NOSUCHCMD", "k"]));
        Ok(())
    });
    let unknown =
        Error::Reply("ERR unknown command 'NOSUCHCMD', with args beginning with: 'k' ".into());
    assert_eq!(seen, Some(Err(unknown.clone())));
    assert_eq!(r, Err(unknown));
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_ignored_arity_error_still_applies_nothing() {
    let store = Store::new();
    let r = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        let _ = tx.queue(["INCR"]);
        Ok(())
    });
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR wrong number of arguments for 'incr' command".into()
        ))
    );
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_refuses_to_queue_connection_commands() {
    let store = Store::new();
    let r = store.transaction(&["k"], |tx| tx.queue(["EXEC"]));
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR Command not allowed inside a transaction".into()
        ))
    );
}

#[test]
fn transaction_runtime_error_is_reported_as_partially_applied() {
    let store = Store::new();
    store.set("s", "text").unwrap();
    let r = store.transaction(&["s"], |tx| {
        tx.set("a", 1);
        tx.incr_by("s", 1);
        tx.set("b", 2);
        Ok(())
    });
    assert_eq!(
        r,
        Err(Error::PartiallyApplied {
            index: 1,
            error: "ERR value is not an integer or out of range".into()
        })
    );
    // No rollback, as in Redis: the other queued commands ran.
    assert_eq!(store.get::<i64>("a").unwrap(), 1);
    assert_eq!(store.get::<i64>("b").unwrap(), 2);
}

#[test]
fn transaction_read_runs_read_only_commands() {
    let store = Store::new();
    store.set("k", "hello").unwrap();
    let n: i64 = store
        .transaction(&["k"], |tx| tx.read(["STRLEN", "k"]))
        .unwrap();
    assert_eq!(n, 5);
}

#[test]
fn transaction_read_refuses_write_commands() {
    let store = Store::new();
    let r: Result<i64, Error> = store.transaction(&["k"], |tx| tx.read(["INCR", "k"]));
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR 'incr' is not a read: queue writes with Transaction::cmd".into()
        ))
    );
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_watch_adds_a_key_during_the_closure() {
    let store = Store::new();
    store.set("ptr", "target").unwrap();
    let attempts = store
        .transaction(&["ptr"], |tx| {
            let target: String = tx.get("ptr")?;
            tx.watch(&target);
            if tx.attempt() == 1 {
                store.set(&target, 7)?; // changes the key watched mid-closure
            }
            let value = tx.get::<Option<i64>>(&target)?.unwrap_or(0);
            tx.set("copy", value);
            Ok(tx.attempt())
        })
        .unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(store.get::<i64>("copy").unwrap(), 7);
}

#[test]
fn transaction_with_nothing_queued_commits_nothing() {
    let store = Store::new();
    store.set("k", 1).unwrap();
    let v = store
        .transaction(&["k"], |tx| Ok(tx.get::<i64>("k")? + tx.queued() as i64))
        .unwrap();
    assert_eq!(v, 1);
    assert_eq!(store.get::<i64>("k").unwrap(), 1);
}

#[test]
fn transaction_raw_cmd_queues_any_command() {
    let store = Store::new();
    store
        .transaction(&["a", "b"], |tx| {
            tx.queue(["MSET", "a", "1", "b", "2"])?;
            tx.queue(["RENAME", "a", "c"])?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.get::<i64>("c").unwrap(), 1);
    assert_eq!(store.get::<i64>("b").unwrap(), 2);
}

#[test]
fn transaction_zero_max_attempts_still_runs_once() {
    let store = Store::new();
    let opts = TxOptions {
        max_attempts: 0,
        ..TxOptions::default()
    };
    let v = store.transaction_with(&opts, &["k"], |tx| Ok(tx.attempt()));
    assert_eq!(v, Ok(1));
}

// --------------------------------------------------------------------------------------------
// The guide's Example 1 (GET then SET, no WATCH) loses updates; WATCH + retry does not.
// Interleavings are forced (two connections, or a barrier), so the results are exact.

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

// --------------------------------------------------------------------------------------------
// Many threads, exact results: the counter, and the bank whose total never changes.

/// Plenty of attempts: under a 2-core test machine a thread can lose many races in a row.
fn patient() -> TxOptions {
    TxOptions {
        max_attempts: 10_000,
        ..TxOptions::default()
    }
}

#[test]
fn counter_incremented_by_t_threads_n_times_is_exactly_t_times_n() {
    const T: usize = 4;
    const N: usize = 1_000;
    let store = Store::new();
    thread::scope(|s| {
        for _ in 0..T {
            s.spawn(|| {
                for _ in 0..N {
                    store
                        .transaction_with(&patient(), &["counter"], |tx| {
                            let n = tx.get::<Option<i64>>("counter")?.unwrap_or(0);
                            tx.set("counter", n + 1);
                            Ok(())
                        })
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(store.get::<i64>("counter").unwrap(), (T * N) as i64);
}

const ACCOUNTS: usize = 16;
const START: i64 = 1_000;

fn account(i: usize) -> String {
    format!("account:{i}")
}

/// Reads every balance inside one MULTI/EXEC and returns their sum.
fn total_in_multi(store: &Store) -> i64 {
    let mut c = store.connection();
    c.execute(["MULTI"]);
    for i in 0..ACCOUNTS {
        assert_eq!(c.execute(["GET", &account(i)]), Reply::status("QUEUED"));
    }
    let ExecOutcome::Committed(replies) = c.exec().unwrap() else {
        panic!("nothing watched: EXEC cannot abort");
    };
    replies
        .iter()
        .map(|r| match r {
            Reply::Bulk(b) => std::str::from_utf8(b).unwrap().parse::<i64>().unwrap(),
            other => panic!("unexpected balance {other:?}"),
        })
        .sum()
}

fn transfer(store: &Store, from: usize, to: usize, amount: i64) {
    let (from, to) = (account(from), account(to));
    store
        .transaction_with(&patient(), &[&from, &to], |tx| {
            let a: i64 = tx.get(&from)?;
            let b: i64 = tx.get(&to)?;
            if a < amount {
                return Ok(());
            }
            tx.set(&from, a - amount);
            tx.set(&to, b + amount);
            Ok(())
        })
        .unwrap();
}

#[test]
fn bank_transfers_keep_the_total_that_multi_exec_readers_see() {
    const WRITERS: usize = 4;
    const TRANSFERS: usize = 10_000;
    let store = Store::new();
    for i in 0..ACCOUNTS {
        store.set(account(i), START).unwrap();
    }
    let expected = START * ACCOUNTS as i64;
    let done = AtomicBool::new(false);
    let reads = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    assert_eq!(total_in_multi(&store), expected);
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let store = &store;
                s.spawn(move || {
                    let mut rng = fastrand::Rng::with_seed(w as u64);
                    for _ in 0..TRANSFERS {
                        let from = rng.usize(..ACCOUNTS);
                        let to = (from + 1 + rng.usize(..ACCOUNTS - 1)) % ACCOUNTS;
                        transfer(store, from, to, rng.i64(1..=100));
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
    });
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert_eq!(total_in_multi(&store), expected);
    for i in 0..ACCOUNTS {
        assert!(store.get::<i64>(account(i)).unwrap() >= 0);
    }
}
