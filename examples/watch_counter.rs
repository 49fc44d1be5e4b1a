//! The reference guide's Example 1, done right: threads increment one counter with
//! WATCH + MULTI/EXEC and retry, so no update is lost.
//!
//! The guide reads the counter and writes it back without ever calling WATCH, so two
//! threads that read the same value both write value + 1 and one increment vanishes.
//! `Store::transaction` watches the key, reads it, queues the write and EXECs; when another
//! thread wrote the key in between, EXEC aborts and the closure runs again on the new value.
//!
//! Run with `cargo run --release --example watch_counter -- [threads] [increments]`
//! (defaults: 5 threads, 1000 increments each).

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use redlite::{Error, Store};

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// One thread's work: `times` increments, each its own optimistic transaction.
fn increment(store: &Store, times: u64, retries: &AtomicU64) -> Result<(), Error> {
    for _ in 0..times {
        let attempts = store.transaction(&["counter"], |tx| {
            let n: i64 = tx.get("counter")?;
            tx.set("counter", n + 1);
            Ok(tx.attempt())
        })?;
        retries.fetch_add(u64::from(attempts - 1), Ordering::Relaxed);
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let threads = arg(1, 5);
    let increments = arg(2, 1000);
    let store = Store::new();
    store.set("counter", 0)?;
    let retries = AtomicU64::new(0);

    thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| increment(&store, increments, &retries)))
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("worker thread panicked"))
    })?;

    let value: u64 = store.get("counter")?;
    let expected = threads * increments;
    println!("threads: {threads}, increments per thread: {increments}");
    println!("final value: {value} (expected {expected})");
    println!(
        "retries after aborted EXECs: {}",
        retries.load(Ordering::Relaxed)
    );
    assert_eq!(value, expected, "an update was lost");
    Ok(())
}
