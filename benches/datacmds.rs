//! The data commands in process, against `redis-server` on loopback and against a plain
//! Rust baseline doing the same job, in one run:
//!
//! - BITCOUNT of a 1 MiB string; baseline: a `u64::count_ones` loop over the same bytes.
//! - PFADD of one new element into a dense HLL (baseline: a `HashSet` insert, the exact
//!   count), PFCOUNT of a cached count (baseline: `HashSet::len`), and PFADD + PFCOUNT
//!   (the count is recomputed over all 16384 registers only when the PFADD changed one,
//!   as in Redis).
//! - SORT of a 10 000-element list of numbers; baseline: parsing and sorting the same
//!   strings as `f64` with `sort_by`.
//! - GEOSEARCH BYRADIUS over 10 000 points (about 100 hits); baseline: a linear haversine
//!   scan over the same points.
//!
//! The bench starts its own `redis-server` on a free port (persistence off) and kills it
//! when done; without `redis-server` it prints "skipped: redis-server not installed".
//!
//! `cargo bench --bench datacmds -- --warm-up-time 1 --measurement-time 3`

#[path = "support/redis_server.rs"]
mod redis_server;

use std::collections::HashSet;
use std::hint::black_box;

use criterion::Criterion;
use redis::Connection;
use redis_server::RedisServer;
use redlite::{Reply, Store};

/// Runs the same command on both sides once (setup).
fn both(store: &Store, con: &mut Connection, args: &[&str]) {
    store.execute(args);
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.exec(con).unwrap();
}

fn query(con: &mut Connection, args: &[&str]) -> redis::Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con).unwrap()
}

fn bitcount(c: &mut Criterion, store: &Store, con: &mut Connection) {
    let bytes: Vec<u8> = (0..1 << 20)
        .map(|i: u32| i.wrapping_mul(2_654_435_761).to_le_bytes()[1])
        .collect();
    store.execute([&b"SET"[..], b"bits", &bytes]);
    redis::cmd("SET").arg("bits").arg(&bytes).exec(con).unwrap();
    let mut g = c.benchmark_group("datacmds/bitcount_1mb");
    g.bench_function("redlite", |b| {
        b.iter(|| store.execute(black_box(["BITCOUNT", "bits"])));
    });
    g.bench_function("redis_server", |b| {
        b.iter(|| query(con, &["BITCOUNT", "bits"]));
    });
    g.bench_function("rust_u64_popcount", |b| {
        b.iter(|| {
            black_box(&bytes)
                .chunks_exact(8)
                .map(|w| u64::from(u64::from_ne_bytes(w.try_into().unwrap()).count_ones()))
                .sum::<u64>()
        });
    });
    g.finish();
}

fn pfadd_pfcount(c: &mut Criterion, store: &Store, con: &mut Connection) {
    for chunk in (0..20_000).collect::<Vec<u32>>().chunks(1000) {
        let mut args = vec!["PFADD".to_string(), "hll".to_string()];
        args.extend(chunk.iter().map(|i| format!("e{i}")));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        both(store, con, &argv);
    }
    let mut g = c.benchmark_group("datacmds/pfadd");
    let mut n = 0u64;
    g.bench_function("redlite", |b| {
        b.iter(|| {
            n += 1;
            store.execute(["PFADD", "hll", &format!("x{n}")])
        });
    });
    let mut n = 0u64;
    g.bench_function("redis_server", |b| {
        b.iter(|| {
            n += 1;
            query(con, &["PFADD", "hll", &format!("x{n}")])
        });
    });
    let mut set: HashSet<String> = (0..20_000).map(|i| format!("e{i}")).collect();
    let mut n = 0u64;
    g.bench_function("rust_hashset_exact", |b| {
        b.iter(|| {
            n += 1;
            set.insert(format!("x{n}"))
        });
    });
    g.finish();
    // A cached count (the common read), then a count after each write.
    store.execute(["PFCOUNT", "hll"]);
    query(con, &["PFCOUNT", "hll"]);
    let mut g = c.benchmark_group("datacmds/pfcount_cached");
    g.bench_function("redlite", |b| b.iter(|| store.execute(["PFCOUNT", "hll"])));
    g.bench_function("redis_server", |b| {
        b.iter(|| query(con, &["PFCOUNT", "hll"]));
    });
    g.bench_function("rust_hashset_len", |b| b.iter(|| black_box(&set).len()));
    g.finish();
    let mut g = c.benchmark_group("datacmds/pfadd_then_pfcount");
    let mut n = 0u64;
    g.bench_function("redlite", |b| {
        b.iter(|| {
            n += 1;
            store.execute(["PFADD", "hll", &format!("y{n}")]);
            store.execute(["PFCOUNT", "hll"])
        });
    });
    let mut n = 0u64;
    g.bench_function("redis_server", |b| {
        b.iter(|| {
            n += 1;
            query(con, &["PFADD", "hll", &format!("y{n}")]);
            query(con, &["PFCOUNT", "hll"])
        });
    });
    g.finish();
}

fn sort_10k(c: &mut Criterion, store: &Store, con: &mut Connection) {
    let items: Vec<String> = (0..10_000u64)
        .map(|i| ((i * 7919) % 10_007).to_string())
        .collect();
    for chunk in items.chunks(1000) {
        let mut argv = vec!["RPUSH", "list"];
        argv.extend(chunk.iter().map(String::as_str));
        both(store, con, &argv);
    }
    let mut g = c.benchmark_group("datacmds/sort_10k");
    g.sample_size(20);
    g.bench_function("redlite", |b| {
        b.iter(|| store.execute(black_box(["SORT", "list"])));
    });
    g.bench_function("redis_server", |b| b.iter(|| query(con, &["SORT", "list"])));
    g.bench_function("rust_parse_and_sort_f64", |b| {
        b.iter(|| {
            let mut v: Vec<(f64, &str)> = items
                .iter()
                .map(|s| (s.parse::<f64>().unwrap(), s.as_str()))
                .collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
            black_box(v.len())
        });
    });
    g.finish();
}

/// 10 000 points on a 100 x 100 grid around Rome.
fn points() -> Vec<(f64, f64)> {
    (0..100)
        .flat_map(|i| {
            (0..100).map(move |j| (12.0 + f64::from(i) * 0.01, 41.5 + f64::from(j) * 0.01))
        })
        .collect()
}

fn haversine(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let r = std::f64::consts::PI / 180.0;
    let (u, v) = (
        ((lat2 - lat1) * r / 2.0).sin(),
        ((lon2 - lon1) * r / 2.0).sin(),
    );
    let a = u * u + (lat1 * r).cos() * (lat2 * r).cos() * v * v;
    2.0 * 6_372_797.560_856 * a.sqrt().asin()
}

fn geosearch_10k(c: &mut Criterion, store: &Store, con: &mut Connection) {
    let pts = points();
    for (k, chunk) in pts.chunks(500).enumerate() {
        let args: Vec<String> = chunk
            .iter()
            .enumerate()
            .flat_map(|(i, (x, y))| [x.to_string(), y.to_string(), format!("p{k}:{i}")])
            .collect();
        let mut argv = vec!["GEOADD", "geo"];
        argv.extend(args.iter().map(String::as_str));
        both(store, con, &argv);
    }
    let search = [
        "GEOSEARCH",
        "geo",
        "FROMLONLAT",
        "12.5",
        "42.0",
        "BYRADIUS",
        "5",
        "km",
    ];
    let Reply::Array(hits) = store.execute(search) else {
        panic!("GEOSEARCH failed")
    };
    assert!(hits.len() > 50, "{} hits", hits.len());
    let mut g = c.benchmark_group("datacmds/geosearch_10k");
    g.bench_function("redlite", |b| b.iter(|| store.execute(black_box(search))));
    g.bench_function("redis_server", |b| b.iter(|| query(con, &search)));
    g.bench_function("rust_linear_haversine", |b| {
        b.iter(|| {
            black_box(&pts)
                .iter()
                .filter(|(x, y)| haversine(12.5, 42.0, *x, *y) <= 5000.0)
                .count()
        });
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
    bitcount(&mut c, &store, &mut con);
    pfadd_pfcount(&mut c, &store, &mut con);
    sort_10k(&mut c, &store, &mut con);
    geosearch_10k(&mut c, &store, &mut con);
    c.final_summary();
    drop(server);
}
