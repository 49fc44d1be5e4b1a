//! Disjoint-key scaling without a benchmark harness: T = 1 and 2 threads, each doing typed
//! GET/SET on 1,000 keys of its own shards, 3 million operations per thread per run.
//! Threads are started once per run, so start-up and finishing skew are a negligible share.
//!
//! `cargo run --release --example scaling_probe`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

use std::sync::{Arc, Barrier};
use std::time::Instant;

use redlite::Store;

const KEYS: usize = 1_000;
const OPS: usize = 3_000_000;

/// `KEYS` keys on the shards `shard % threads == me`.
fn own_keys(store: &Store, me: usize, threads: usize) -> Vec<String> {
    (0..)
        .map(|i| format!("key:{me}:{i:010}"))
        .filter(|k| store.shard_index(k) % threads == me)
        .take(KEYS)
        .collect()
}

/// Millions of operations per second over `threads` threads; a SET every `write_every`.
fn run(store: &Store, threads: usize, write_every: usize) -> f64 {
    let barrier = Arc::new(Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|me| {
            let (store, barrier) = (store.clone(), barrier.clone());
            std::thread::spawn(move || {
                let keys = own_keys(&store, me, threads);
                for k in &keys {
                    store.set(k, "value:0000000001").expect("SET");
                }
                barrier.wait();
                for i in 0..OPS {
                    let k = &keys[i % KEYS];
                    if write_every > 0 && i % write_every == 0 {
                        store.set(k, "value:0000000001").expect("SET");
                    } else {
                        std::hint::black_box(store.get::<Option<Vec<u8>>>(k).expect("GET"));
                    }
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for w in workers {
        w.join().expect("worker panicked");
    }
    (threads * OPS) as f64 / start.elapsed().as_secs_f64() / 1e6
}

fn main() {
    let store = Store::new();
    for (name, write_every) in [("GET only", 0), ("GET/SET 90/10", 10)] {
        for _ in 0..2 {
            let one = run(&store, 1, write_every);
            let two = run(&store, 2, write_every);
            println!(
                "{name}: 1 thread {one:.1} M ops/s, 2 threads {two:.1} M ops/s, ratio {:.2}",
                two / one
            );
        }
    }
}
