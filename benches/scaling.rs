//! Parallel scaling on disjoint keys: T = 1, 2, 4 threads, each on keys no other thread
//! touches. Two workloads: GET/SET 90/10 over the thread's own 1,000 keys, and a
//! `Store::transaction` moving 1 between the thread's two keys. Throughput is operations
//! per second over all threads, so "T threads vs 1" is the ratio of two figures.
//! (Disjoint keys may still share a shard: keys hash to shards at random.)
//!
//! `cargo bench --bench scaling`

#[path = "support/threads.rs"]
mod threads;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use redlite::Store;

const THREADS: [usize; 3] = [1, 2, 4];
const KEYS_PER_THREAD: usize = 1_000;
const VALUE: &str = "value:0000000001";
/// What each account starts with in the transfer workload.
const BALANCE: i64 = 1_000_000_000;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// 16-byte keys, disjoint per thread.
fn key(thread: usize, i: usize) -> String {
    format!("k:{thread:02}:{i:011}")
}

fn get_set(g: &mut Group, threads: usize) {
    let store = Store::new();
    for t in 0..threads {
        for i in 0..KEYS_PER_THREAD {
            store.set(key(t, i), VALUE).unwrap();
        }
    }
    let keys: Vec<Vec<String>> = (0..threads)
        .map(|t| (0..KEYS_PER_THREAD).map(|i| key(t, i)).collect())
        .collect();
    g.bench_with_input(
        BenchmarkId::new("get_set_90_10", threads),
        &threads,
        |b, &t| {
            b.iter_custom(|iters| {
                threads::timed(t, |me| {
                    let mine = &keys[me];
                    for i in 0..iters as usize {
                        let k = &mine[i % KEYS_PER_THREAD];
                        if i % 10 == 9 {
                            store.set(k, VALUE).expect("SET failed");
                        } else {
                            store.get::<Option<Vec<u8>>>(k).expect("GET failed");
                        }
                    }
                })
            })
        },
    );
}

/// Moves 1 from the thread's first key to its second: WATCH both, read, queue two INCRBYs,
/// EXEC. No other thread touches these keys, so no attempt should ever abort.
fn transfer(g: &mut Group, threads: usize) {
    let store = Store::new();
    let pairs: Vec<[String; 2]> = (0..threads).map(|t| [key(t, 0), key(t, 1)]).collect();
    g.bench_with_input(
        BenchmarkId::new("transaction_2_keys", threads),
        &threads,
        |b, &t| {
            b.iter_custom(|iters| {
                for [from, to] in &pairs {
                    store.set(from, BALANCE).unwrap();
                    store.set(to, 0).unwrap();
                }
                let took = threads::timed(t, |me| {
                    let [from, to] = &pairs[me];
                    for _ in 0..iters {
                        let attempt = store
                            .transaction(&[from, to], |tx| {
                                let balance: i64 = tx.get(from)?;
                                if balance > 0 {
                                    tx.incr_by(from, -1);
                                    tx.incr_by(to, 1);
                                }
                                Ok(tx.attempt())
                            })
                            .expect("transaction failed");
                        assert_eq!(attempt, 1, "a transaction on disjoint keys was retried");
                    }
                });
                for [from, to] in &pairs {
                    let moved: i64 = store.get(to).unwrap();
                    assert_eq!(moved as u64, iters, "transfers were lost");
                    assert_eq!(store.get::<i64>(from).unwrap(), BALANCE - moved);
                }
                took
            })
        },
    );
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sampling_mode(SamplingMode::Flat);
    for threads in THREADS {
        g.throughput(Throughput::Elements(threads as u64));
        get_set(&mut g, threads);
        transfer(&mut g, threads);
    }
    g.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
