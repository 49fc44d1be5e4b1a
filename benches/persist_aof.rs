//! The append-only log's cost: SET and INCR throughput on 1 and 2 threads (disjoint keys on
//! their own shards) with the log off and under each fsync policy, 8 and 32 writers under `Always`
//! (group commit), and the same workloads against `redis-server --appendonly yes` with the
//! same `appendfsync` on the same disk (its own server on loopback; skipped without one).
//! Throughput is commands per second over all threads.
//!
//! `cargo bench --bench persist_aof -- --warm-up-time 1 --measurement-time 3`

#![allow(
    clippy::cast_possible_truncation,
    reason = "benchmark iteration counts are far below usize::MAX"
)]

#[path = "support/redis_server.rs"]
#[allow(dead_code, reason = "this bench starts servers with options only")]
mod redis_server;
#[path = "support/threads.rs"]
mod threads;

use std::path::PathBuf;

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput, measurement::WallTime};
use redis_server::RedisServer;
use redlite::{Config, Fsync, Store};

type Group<'a> = BenchmarkGroup<'a, WallTime>;

const VALUE: &str = "value:0000000001";

/// A data folder under the temp dir (the same disk redis-server's folder is on).
fn folder(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The store for `policy`: `None` is the log off (in memory).
fn store(policy: Option<Fsync>, tag: &str) -> (Store, Option<PathBuf>) {
    let Some(p) = policy else {
        return (Store::new(), None);
    };
    let dir = folder(tag);
    let store = Store::open(Config::default().data_dir(&dir).appendfsync(p)).expect("open");
    (store, Some(dir))
}

fn name(policy: Option<Fsync>) -> &'static str {
    match policy {
        None => "log_off",
        Some(Fsync::Always) => "always",
        Some(Fsync::EverySec) => "everysec",
        Some(_) => "no",
    }
}

/// One key per thread, each on a shard no other thread of `threads` uses.
fn own_keys(store: &Store, threads: usize) -> Vec<String> {
    (0..threads)
        .map(|me| {
            (0..1_000_000)
                .map(|i| format!("k:{me:02}:{i:011}"))
                .find(|k| store.shard_index(k) % threads == me)
                .expect("a key on the thread's shards")
        })
        .collect()
}

fn redlite(g: &mut Group, cmd: &str, policy: Option<Fsync>, threads: usize) {
    let (store, dir) = store(policy, &format!("{cmd}-{}-{threads}", name(policy)));
    let keys = own_keys(&store, threads);
    g.throughput(Throughput::Elements(threads as u64));
    g.bench_with_input(
        BenchmarkId::new(name(policy), threads),
        &threads,
        |b, &t| {
            b.iter_custom(|iters| {
                threads::timed(t, |me| {
                    let k = keys[me].as_str();
                    for _ in 0..iters {
                        if cmd == "set" {
                            store.execute(["SET", k, VALUE]);
                        } else {
                            store.execute(["INCR", k]);
                        }
                    }
                })
            });
        },
    );
    let counts = store.aof_counts().filter(|&(_, records)| records > 0);
    if let (Some(Fsync::Always), Some((fsyncs, records))) = (policy, counts) {
        // The group commit's group size: what criterion's figures cannot show.
        #[allow(clippy::cast_precision_loss, reason = "a ratio of counts for display")]
        let per = records as f64 / fsyncs.max(1) as f64;
        eprintln!(
            "{cmd} always, {threads} writers: {records} records in {fsyncs} fsyncs, {per:.1} per fsync"
        );
    }
    drop(store);
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}

fn redis_side(g: &mut Group, cmd: &str, fsync: &str, threads: usize) {
    let dir = folder(&format!("redis-{cmd}-{fsync}-{threads}"));
    let _ = std::fs::create_dir_all(&dir);
    let dir_arg = dir.display().to_string();
    let opts = [
        "--dir",
        &dir_arg,
        "--appendonly",
        "yes",
        "--appendfsync",
        fsync,
    ];
    let Some(server) = RedisServer::start_with(&opts) else {
        return;
    };
    let cons: Vec<std::sync::Mutex<redis::Connection>> = (0..threads)
        .map(|_| std::sync::Mutex::new(server.connect()))
        .collect();
    g.throughput(Throughput::Elements(threads as u64));
    g.bench_with_input(
        BenchmarkId::new(format!("redis_{fsync}"), threads),
        &threads,
        |b, &t| {
            b.iter_custom(|iters| {
                threads::timed(t, |me| {
                    let mut con = cons[me].lock().expect("connection");
                    let key = format!("k:{me}");
                    for _ in 0..iters {
                        let mut c = redis::cmd(if cmd == "set" { "SET" } else { "INCR" });
                        c.arg(&key);
                        if cmd == "set" {
                            c.arg(VALUE);
                        }
                        c.exec(&mut con).expect("redis command");
                    }
                })
            });
        },
    );
    drop(cons);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

const POLICIES: [Option<Fsync>; 4] = [
    None,
    Some(Fsync::No),
    Some(Fsync::EverySec),
    Some(Fsync::Always),
];

fn main() {
    let mut c = Criterion::default().configure_from_args();
    for cmd in ["set", "incr"] {
        let mut g = c.benchmark_group(format!("persist_aof/{cmd}"));
        for threads in [1, 2] {
            for policy in POLICIES {
                redlite(&mut g, cmd, policy, threads);
            }
            for fsync in ["no", "everysec", "always"] {
                redis_side(&mut g, cmd, fsync, threads);
            }
        }
        g.finish();
    }
    // Group commit: 8 and 32 writers, every write durable before it returns.
    for writers in [8, 32] {
        let mut g = c.benchmark_group(format!("persist_aof/incr_{writers}_writers"));
        redlite(&mut g, "incr", Some(Fsync::Always), writers);
        redis_side(&mut g, "incr", "always", writers);
        g.finish();
    }
    c.final_summary();
}
