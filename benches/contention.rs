//! The guide's workload: T threads incrementing one hot counter, T = 1, 2, 4, 8.
//!
//! Variants: plain INCR, `Store::transaction` (WATCH, GET, queued SET, EXEC, retry), and a
//! `Mutex<HashMap>` holding the decimal text, as INCR does. Each sample releases T threads
//! together, each doing `iters` increments; the figure is increments per second across all
//! threads (`Throughput::Elements` = T per iteration). After every sample the counter must
//! equal the number of increments exactly, or the bench panics. The transaction variant
//! also prints its retries per commit once per T.
//!
//! `cargo bench --bench contention`

#![allow(
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

#[path = "support/threads.rs"]
mod threads;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use redlite::{Error, Script, Store};

const COUNTER: &str = "counter";
const THREADS: [usize; 4] = [1, 2, 4, 8];

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// Panics unless the counter holds exactly `threads * iters`: a lost update is a bug,
/// whatever the speed.
fn check(variant: &str, value: i64, threads: usize, iters: u64) {
    let expected = threads as u64 * iters;
    assert_eq!(
        value as u64, expected,
        "{variant}/{threads}: counter {value}, expected {expected}: increments were lost"
    );
}

fn incr(g: &mut Group, threads: usize) {
    let store = Store::new();
    g.bench_with_input(BenchmarkId::new("incr", threads), &threads, |b, &t| {
        b.iter_custom(|iters| {
            store.set(COUNTER, 0).unwrap();
            let took = threads::timed(t, |_| {
                for _ in 0..iters {
                    store.incr(COUNTER).expect("INCR failed");
                }
            });
            check("incr", store.get(COUNTER).unwrap(), t, iters);
            took
        });
    });
}

/// Attempts and commits of the transaction variant, summed over every sample.
#[derive(Default)]
struct Retries {
    commits: AtomicU64,
    attempts: AtomicU64,
    exhausted: AtomicU64,
}

impl Retries {
    fn report(&self, threads: usize) {
        let commits = self.commits.load(Relaxed).max(1);
        let retries = self.attempts.load(Relaxed) - self.commits.load(Relaxed);
        eprintln!(
            "contention/transaction/{threads}: {:.3} retries per commit ({retries} retries, \
             {commits} commits, {} transactions ran out of retries and were rerun)",
            retries as f64 / commits as f64,
            self.exhausted.load(Relaxed),
        );
    }
}

/// One increment, the optimistic way. A transaction whose retries ran out applied nothing:
/// it is counted and run again, so the counter check stays exact.
fn tx_increment(store: &Store, retries: &Retries) {
    loop {
        let outcome = store.transaction(&[COUNTER], |tx| {
            let n: i64 = tx.get::<Option<i64>>(COUNTER)?.unwrap_or(0);
            tx.set(COUNTER, n + 1);
            Ok(tx.attempt())
        });
        match outcome {
            Ok(attempts) => {
                retries.commits.fetch_add(1, Relaxed);
                retries.attempts.fetch_add(u64::from(attempts), Relaxed);
                return;
            }
            Err(Error::RetriesExhausted { attempts }) => {
                retries.exhausted.fetch_add(1, Relaxed);
                retries.attempts.fetch_add(u64::from(attempts), Relaxed);
            }
            Err(e) => panic!("transaction failed: {e}"),
        }
    }
}

fn transaction(g: &mut Group, threads: usize) {
    let store = Store::new();
    let retries = Retries::default();
    g.bench_with_input(
        BenchmarkId::new("transaction", threads),
        &threads,
        |b, &t| {
            b.iter_custom(|iters| {
                store.set(COUNTER, 0).unwrap();
                let took = threads::timed(t, |_| {
                    for _ in 0..iters {
                        tx_increment(&store, &retries);
                    }
                });
                check("transaction", store.get(COUNTER).unwrap(), t, iters);
                took
            });
        },
    );
    retries.report(threads);
}

/// The nearest plain-Rust equivalent: one lock around a map holding the decimal text.
fn mutex_hashmap(g: &mut Group, threads: usize) {
    let map = Mutex::new(HashMap::from([(
        COUNTER.as_bytes().to_vec(),
        b"0".to_vec(),
    )]));
    let bump = |v: &mut Vec<u8>| {
        let n: i64 = std::str::from_utf8(v).unwrap().parse().unwrap();
        *v = (n + 1).to_string().into_bytes();
    };
    g.bench_with_input(
        BenchmarkId::new("mutex_hashmap", threads),
        &threads,
        |b, &t| {
            b.iter_custom(|iters| {
                map.lock()
                    .unwrap()
                    .insert(COUNTER.as_bytes().to_vec(), b"0".to_vec());
                let took = threads::timed(t, |_| {
                    for _ in 0..iters {
                        map.lock().unwrap().get_mut(COUNTER.as_bytes()).map(bump);
                    }
                });
                let text = map.lock().unwrap()[COUNTER.as_bytes()].clone();
                let value = std::str::from_utf8(&text).unwrap().parse().unwrap();
                check("mutex_hashmap", value, t, iters);
                took
            });
        },
    );
}

/// The guide's Example 2 done right: an increment script, EVALSHA after the first call.
fn script(g: &mut Group, threads: usize) {
    let store = Store::new();
    let incr = Script::new("#!rhai\nredis::call(\"INCR\", KEYS[0])");
    g.bench_with_input(BenchmarkId::new("script", threads), &threads, |b, &t| {
        b.iter_custom(|iters| {
            store.set(COUNTER, 0).unwrap();
            let took = threads::timed(t, |_| {
                for _ in 0..iters {
                    incr.key(COUNTER).invoke::<i64>(&store).unwrap();
                }
            });
            check("script", store.get(COUNTER).unwrap(), t, iters);
            took
        });
    });
}

fn contention(c: &mut Criterion) {
    let mut g = c.benchmark_group("contention");
    // Every sample runs the same number of increments per thread: the spread then shows
    // scheduling noise, not a warm-up ramp.
    g.sampling_mode(SamplingMode::Flat);
    for threads in THREADS {
        g.throughput(Throughput::Elements(threads as u64));
        incr(&mut g, threads);
        transaction(&mut g, threads);
        mutex_hashmap(&mut g, threads);
        script(&mut g, threads);
    }
    g.finish();
}

criterion_group!(benches, contention);
criterion_main!(benches);
