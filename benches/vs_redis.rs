//! redlite against `redis-server` on loopback, single thread, same workloads:
//! GET hit, SET, and a counter increment with optimistic concurrency
//! (`Store::transaction` vs WATCH, GET, MULTI/SET/EXEC via the `redis` crate).
//!
//! The bench starts its own `redis-server` on a free port with persistence off and kills it
//! when done; without `redis-server` it prints "skipped: redis-server not installed".
//! Redis pays a loopback round trip per command: that is the point of the comparison.
//!
//! `cargo bench --bench vs_redis`

#[path = "support/redis_server.rs"]
mod redis_server;

use std::hint::black_box;

use criterion::Criterion;
use redis::Connection;
use redis_server::RedisServer;
use redlite::Store;

const KEY: &str = "key:000000000001";
const VALUE: &str = "value:0000000001";
const COUNTER: &str = "counter";

fn get_hit(c: &mut Criterion, store: &Store, con: &mut Connection) {
    store.set(KEY, VALUE).unwrap();
    redis::cmd("SET").arg(KEY).arg(VALUE).exec(con).unwrap();
    let mut g = c.benchmark_group("vs_redis/get_hit");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.get::<Option<Vec<u8>>>(black_box(KEY)).unwrap());
    });
    g.bench_function("redis_server", |b| {
        b.iter(|| {
            redis::cmd("GET")
                .arg(black_box(KEY))
                .query::<Option<Vec<u8>>>(con)
                .unwrap()
        });
    });
    g.finish();
}

fn set(c: &mut Criterion, store: &Store, con: &mut Connection) {
    let mut g = c.benchmark_group("vs_redis/set");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.set(black_box(KEY), black_box(VALUE)).unwrap());
    });
    g.bench_function("redis_server", |b| {
        b.iter(|| {
            redis::cmd("SET")
                .arg(black_box(KEY))
                .arg(VALUE)
                .exec(con)
                .unwrap();
        });
    });
    g.finish();
}

/// The Redis side of the optimistic increment, in the fewest round trips the protocol
/// allows: WATCH, GET, then MULTI + SET + EXEC pipelined. (`redis::transaction` adds an
/// UNWATCH round trip; we leave it out to favour Redis.) Returns false when EXEC aborted.
fn redis_watch_increment(con: &mut Connection) -> bool {
    redis::cmd("WATCH").arg(COUNTER).exec(con).unwrap();
    let n: Option<i64> = redis::cmd("GET").arg(COUNTER).query(con).unwrap();
    let committed: Option<((),)> = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(COUNTER)
        .arg(n.unwrap_or(0) + 1)
        .query(con)
        .unwrap();
    committed.is_some()
}

fn counter_transaction(c: &mut Criterion, store: &Store, con: &mut Connection) {
    store.set(COUNTER, 0).unwrap();
    redis::cmd("SET").arg(COUNTER).arg(0).exec(con).unwrap();
    let mut g = c.benchmark_group("vs_redis/counter_transaction");
    g.bench_function("redlite_transaction", |b| {
        b.iter(|| {
            store
                .transaction(&[COUNTER], |tx| {
                    let n: i64 = tx.get::<Option<i64>>(COUNTER)?.unwrap_or(0);
                    tx.set(COUNTER, n + 1);
                    Ok(())
                })
                .unwrap();
        });
    });
    g.bench_function("redis_watch_multi_exec", |b| {
        b.iter(|| assert!(redis_watch_increment(con), "EXEC aborted with one client"));
    });
    g.finish();
}

fn main() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut con = server.connect();
    let store = Store::new();
    let mut c = Criterion::default().configure_from_args();
    get_hit(&mut c, &store, &mut con);
    set(&mut c, &store, &mut con);
    counter_transaction(&mut c, &store, &mut con);
    c.final_summary();
    drop(server);
}
