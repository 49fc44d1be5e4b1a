//! Many threads, exact results: the counter, and the bank whose total never changes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use redlite::{ExecOutcome, Reply, Store, TxOptions};

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
