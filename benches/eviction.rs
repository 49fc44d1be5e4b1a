//! The cost of a memory limit: SET of new keys with no limit against SET into a full store
//! that evicts one key per write (allkeys-lru, allkeys-lfu), and a Zipf(0.99) read-through
//! cache per policy, and the same read-through step against redis-server with one round
//! trip per command (no pipelining, as `vs_redis.rs`; allkeys-lru only, skipped without
//! `redis-server`). The table with hit ratios against redis-server, every policy, is
//! `examples/eviction_table.rs`.
//!
//! `cargo bench --bench eviction -- --warm-up-time 1 --measurement-time 3`

#[path = "support/redis_server.rs"]
mod redis_server;
#[path = "support/zipf.rs"]
mod zipf;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use redlite::{Config, MaxmemoryPolicy, Reply, Store};

const VALUE: &str = "value-of-a-cached-object-64-bytes-long-0123456789abcdef012345678";
/// Keys the full stores hold before measuring.
const FILLED: usize = 100_000;

fn store(limit: u64, policy: MaxmemoryPolicy) -> Store {
    let store = Store::with_config(Config::default().maxmemory(limit).maxmemory_policy(policy));
    for i in 0..FILLED {
        store.execute(["SET", &format!("fill:{i:08}"), VALUE]);
    }
    store
}

fn set_new_keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("eviction/set_new_key");
    let full = store(0, MaxmemoryPolicy::NoEviction).used_memory() as u64;
    let mut runs: Vec<(&str, Store)> = vec![("no_limit", store(0, MaxmemoryPolicy::NoEviction))];
    for policy in [
        MaxmemoryPolicy::AllKeysLru,
        MaxmemoryPolicy::AllKeysLfu,
        MaxmemoryPolicy::AllKeysRandom,
    ] {
        runs.push((policy.name(), store(full / 2, policy)));
    }
    for (name, store) in &runs {
        let mut i = 0u64;
        g.bench_function(*name, |b| {
            b.iter(|| {
                i += 1;
                black_box(store.execute(["SET", &format!("new:{i:012}"), VALUE]))
            });
        });
    }
    g.finish();
}

fn zipf_read_through(c: &mut Criterion) {
    let mut g = c.benchmark_group("eviction/zipf_read_through");
    let keys = 200_000;
    let working = {
        let full = Store::new();
        for rank in 0..keys {
            full.execute(["SET", &zipf::key(rank), VALUE]);
        }
        full.used_memory() as u64
    };
    for &policy in MaxmemoryPolicy::all() {
        let store = Store::with_config(
            Config::default()
                .maxmemory(working / 10)
                .maxmemory_policy(policy),
        );
        let mut z = zipf::Zipf::new(keys, 0.99, 7);
        g.bench_function(policy.name(), |b| {
            b.iter(|| {
                let k = zipf::key(z.next());
                if !matches!(store.execute(["GET", &k]), Reply::Bulk(_)) {
                    black_box(store.execute(["SET", &k, VALUE, "EX", "3600"]));
                }
            });
        });
    }
    g.finish();
}

fn redis_used_memory(con: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(con).expect("INFO");
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("used_memory")
}

fn zipf_read_through_redis(c: &mut Criterion) {
    let Some(server) = redis_server::RedisServer::start() else {
        return;
    };
    let mut con = server.connect();
    let keys = 200_000;
    // A cache of 10% of the working set on Redis's side too, above its empty baseline.
    let base = redis_used_memory(&mut con);
    for start in (0..keys).step_by(10_000) {
        let mut pipe = redis::pipe();
        for rank in start..keys.min(start + 10_000) {
            pipe.cmd("SET")
                .arg(zipf::key(rank))
                .arg(VALUE)
                .arg("EX")
                .arg(3600)
                .ignore();
        }
        pipe.exec(&mut con).expect("SETs");
    }
    let set = redis_used_memory(&mut con) - base;
    redis::cmd("FLUSHALL").exec(&mut con).expect("FLUSHALL");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("allkeys-lru")
        .arg("maxmemory")
        .arg(base + set / 10)
        .exec(&mut con)
        .expect("CONFIG SET");
    let mut g = c.benchmark_group("eviction/zipf_read_through_redis_round_trips");
    let mut z = zipf::Zipf::new(keys, 0.99, 7);
    g.bench_function("allkeys-lru", |b| {
        b.iter(|| {
            let k = zipf::key(z.next());
            let got: Option<Vec<u8>> = redis::cmd("GET").arg(&k).query(&mut con).expect("GET");
            if got.is_none() {
                redis::cmd("SET")
                    .arg(&k)
                    .arg(VALUE)
                    .arg("EX")
                    .arg(3600)
                    .exec(&mut con)
                    .expect("SET");
            }
        });
    });
    g.finish();
}

criterion_group!(
    benches,
    set_new_keys,
    zipf_read_through,
    zipf_read_through_redis
);
criterion_main!(benches);
