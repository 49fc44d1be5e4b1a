//! Parallel scaling on disjoint keys: T = 1, 2, 4 threads, each on keys no other thread
//! touches. Two workloads: GET/SET 90/10 over the thread's own 1,000 keys, and a
//! `Store::transaction` moving 1 between the thread's two keys. Throughput is operations
//! per second over all threads, so "T threads vs 1" is the ratio of two figures.
//!
//! Keys hash to shards with a per-store random seed, so two threads' keys would share a
//! shard lock by chance, differently on every run. The main variants therefore pick each
//! thread's keys on its own shards (`Store::shard_index`, shard % T == thread): the figure
//! then shows what parallelism the store allows, the same on every run. The
//! `get_set_90_10_any_shard` variant places keys at random, as an application would, to show
//! what sharing shard locks (read locks included) costs.
//!
//! `cargo bench --bench scaling`

#![allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

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

/// `count` keys of thread `me`, all on shards no other of the `threads` threads uses.
fn keys_on_own_shards(store: &Store, me: usize, threads: usize, count: usize) -> Vec<String> {
    (0..)
        .map(|i| key(me, i))
        .filter(|k| store.shard_index(k) % threads == me)
        .take(count)
        .collect()
}

/// `count` keys of thread `me`, wherever they hash.
fn keys_anywhere(_: &Store, me: usize, _: usize, count: usize) -> Vec<String> {
    (0..count).map(|i| key(me, i)).collect()
}

type Placement = fn(&Store, usize, usize, usize) -> Vec<String>;

fn get_set(g: &mut Group, threads: usize, name: &str, place: Placement) {
    let store = Store::new();
    let keys: Vec<Vec<String>> = (0..threads)
        .map(|t| place(&store, t, threads, KEYS_PER_THREAD))
        .collect();
    for k in keys.iter().flatten() {
        store.set(k, VALUE).unwrap();
    }
    g.bench_with_input(BenchmarkId::new(name, threads), &threads, |b, &t| {
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
        });
    });
}

/// Moves 1 from the thread's first key to its second: WATCH both, read, queue two INCRBYs,
/// EXEC. No other thread touches these keys, so no attempt should ever abort.
fn transfer(g: &mut Group, threads: usize) {
    let store = Store::new();
    let pairs: Vec<[String; 2]> = (0..threads)
        .map(|t| {
            let [from, to]: [String; 2] = keys_on_own_shards(&store, t, threads, 2)
                .try_into()
                .expect("two keys");
            [from, to]
        })
        .collect();
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
            });
        },
    );
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sampling_mode(SamplingMode::Flat);
    // Few, long samples: each sample starts fresh threads, and with ~20 ms samples the
    // start-up and the skew between the two threads' finishing times were a visible share
    // of the time (a standalone 2-thread run of the same loop scaled 1.9×, the bench 1.56×).
    g.sample_size(10);
    for threads in THREADS {
        g.throughput(Throughput::Elements(threads as u64));
        get_set(&mut g, threads, "get_set_90_10", keys_on_own_shards);
        get_set(&mut g, threads, "get_set_90_10_any_shard", keys_anywhere);
        transfer(&mut g, threads);
    }
    g.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
