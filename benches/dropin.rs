//! The redis-rs drop-in's cost per call, in one run: GET (hit), SET and INCR through
//! `RedisConnection` + `redis::Commands`, through our typed API on the same store, and
//! through redis-rs to a `redis-server` on loopback (one round trip per call).
//!
//! Targets: the drop-in costs at most 2× the typed API, and beats redis-server on loopback
//! by at least 50×. Without `redis-server` the redis-server column is skipped.
//!
//! `cargo bench --features redis --bench dropin`

#[path = "support/redis_server.rs"]
mod redis_server;

use std::hint::black_box;

use criterion::Criterion;
use redis::Commands;
use redis_server::RedisServer;
use redlite::{RedisConnection, Store};

const KEY: &str = "key:000000000001";
const VALUE: &str = "value:0000000001";
const COUNTER: &str = "counter";

/// The three ways to reach a value, set up identically.
struct Sides {
    store: Store,
    dropin: RedisConnection,
    server: Option<(RedisServer, redis::Connection)>,
}

impl Sides {
    fn new() -> Sides {
        let store = Store::new();
        for i in 0..10_000 {
            store.set(format!("key:{i:012}"), VALUE).unwrap();
        }
        let dropin = store.redis_connection();
        let server = RedisServer::start().map(|s| {
            let mut con = s.connect();
            let () = con.set(KEY, VALUE).unwrap();
            (s, con)
        });
        Sides {
            store,
            dropin,
            server,
        }
    }
}

fn get_hit(c: &mut Criterion, s: &mut Sides) {
    let mut g = c.benchmark_group("dropin/get_hit");
    let store = &s.store;
    g.bench_function("typed", |b| {
        b.iter(|| store.get::<Option<Vec<u8>>>(black_box(KEY)).unwrap());
    });
    let con = &mut s.dropin;
    g.bench_function("redis_rs_on_redlite", |b| {
        b.iter(|| con.get::<_, Option<Vec<u8>>>(black_box(KEY)).unwrap());
    });
    if let Some((_, con)) = &mut s.server {
        g.bench_function("redis_rs_on_redis_server", |b| {
            b.iter(|| con.get::<_, Option<Vec<u8>>>(black_box(KEY)).unwrap());
        });
    }
    g.finish();
}

fn set(c: &mut Criterion, s: &mut Sides) {
    let mut g = c.benchmark_group("dropin/set");
    let store = &s.store;
    g.bench_function("typed", |b| {
        b.iter(|| store.set(black_box(KEY), black_box(VALUE)).unwrap());
    });
    let con = &mut s.dropin;
    g.bench_function("redis_rs_on_redlite", |b| {
        b.iter(|| {
            con.set::<_, _, ()>(black_box(KEY), black_box(VALUE))
                .unwrap();
        });
    });
    if let Some((_, con)) = &mut s.server {
        g.bench_function("redis_rs_on_redis_server", |b| {
            b.iter(|| {
                con.set::<_, _, ()>(black_box(KEY), black_box(VALUE))
                    .unwrap();
            });
        });
    }
    g.finish();
}

fn incr(c: &mut Criterion, s: &mut Sides) {
    let mut g = c.benchmark_group("dropin/incr");
    let store = &s.store;
    g.bench_function("typed", |b| {
        b.iter(|| store.incr_by(black_box(COUNTER), 1).unwrap());
    });
    let con = &mut s.dropin;
    g.bench_function("redis_rs_on_redlite", |b| {
        b.iter(|| con.incr::<_, _, i64>(black_box(COUNTER), 1).unwrap());
    });
    if let Some((_, con)) = &mut s.server {
        g.bench_function("redis_rs_on_redis_server", |b| {
            b.iter(|| con.incr::<_, _, i64>(black_box(COUNTER), 1).unwrap());
        });
    }
    g.finish();
}

fn main() {
    let mut sides = Sides::new();
    let mut c = Criterion::default().configure_from_args();
    get_hit(&mut c, &mut sides);
    set(&mut c, &mut sides);
    incr(&mut c, &mut sides);
    c.final_summary();
}
