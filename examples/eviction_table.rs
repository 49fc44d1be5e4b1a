//! Hit ratio and throughput of a cache under each `maxmemory-policy`, redlite against
//! `redis-server`, in one run.
//!
//! Workload: Zipf(0.99) over `N` distinct keys (default 1,000,000: the 10M is
//! scaled down to fit a shared 2-core VM), read-through: GET, and on a miss SET with a
//! 1-hour TTL (so the volatile policies see every key). Each side gets a cache of 10% of
//! its own working set: maxmemory = 10% of the memory `N` keys take on that side (plus
//! Redis's empty-server baseline). Every policy runs `OPS` operations after `OPS` of
//! warm-up; redlite on one thread, Redis through one loopback connection, pipelined by 64
//! (GETs, then SETs for that batch's misses). Then, on Redis's warm cache, a sample of the
//! same stream (`ops / 10`, at most 20,000) with one round trip per command, as an
//! application without pipelining talks to Redis (and as `benches/vs_redis.rs` measures):
//! the throughput the "20× redis-server" target compares with.
//!
//! `cargo run --release --example eviction_table [-- keys ops]`

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

#[path = "../benches/support/redis_server.rs"]
mod redis_server;
#[path = "../benches/support/zipf.rs"]
mod zipf;

use std::time::Instant;

use redis_server::RedisServer;
use redlite::{Config, MaxmemoryPolicy, Reply, Store};
use zipf::{Zipf, key};

const VALUE: &str = "value-of-a-cached-object-64-bytes-long-0123456789abcdef012345678";

struct Run {
    hit_ratio: f64,
    ops_per_sec: f64,
    /// Operations per second of CPU time (client and server for Redis): the figure that
    /// survives a loaded machine.
    ops_per_cpu_sec: f64,
    /// Redis only: ops/s of the round-trip-per-command sample.
    round_trips: Option<f64>,
}

/// CPU seconds (user + system) of a process so far, from /proc/<pid>/stat.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // After the command name: state, then numbers; utime and stime are the 12th and 13th.
    f.get(10).copied().unwrap_or(0.0) / 100.0 + f.get(11).copied().unwrap_or(0.0) / 100.0
}

/// Bytes `n` keys take in redlite.
fn redlite_working_set(n: usize) -> u64 {
    let store = Store::new();
    for rank in 0..n {
        store.execute(["SET", &key(rank), VALUE, "EX", "3600"]);
    }
    store.used_memory() as u64
}

fn redlite_run(policy: MaxmemoryPolicy, limit: u64, n: usize, ops: usize) -> Run {
    let store = Store::with_config(Config::default().maxmemory(limit).maxmemory_policy(policy));
    let mut z = Zipf::new(n, 0.99, 7);
    let mut step = |measure: bool, hits: &mut usize| {
        let k = key(z.next());
        if let Reply::Bulk(_) = store.execute(["GET", &k]) {
            *hits += usize::from(measure);
        } else {
            store.execute(["SET", &k, VALUE, "EX", "3600"]);
        }
    };
    let mut hits = 0;
    for _ in 0..ops {
        step(false, &mut hits);
    }
    let start = Instant::now();
    let cpu = cpu_secs("self");
    for _ in 0..ops {
        step(true, &mut hits);
    }
    let cpu = cpu_secs("self") - cpu;
    Run {
        hit_ratio: hits as f64 / ops as f64,
        ops_per_sec: ops as f64 / start.elapsed().as_secs_f64(),
        ops_per_cpu_sec: ops as f64 / cpu.max(0.01),
        round_trips: None,
    }
}

fn used_memory(con: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(con).expect("INFO");
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("used_memory")
}

/// Redis's empty baseline and the bytes `n` keys add to it.
fn redis_working_set(con: &mut redis::Connection, n: usize) -> (u64, u64) {
    let base = used_memory(con);
    for start in (0..n).step_by(10_000) {
        let mut pipe = redis::pipe();
        for rank in start..n.min(start + 10_000) {
            pipe.cmd("SET")
                .arg(key(rank))
                .arg(VALUE)
                .arg("EX")
                .arg(3600)
                .ignore();
        }
        pipe.exec(con).expect("SETs");
    }
    let full = used_memory(con);
    redis::cmd("FLUSHALL").exec(con).expect("FLUSHALL");
    (base, full - base)
}

fn redis_batch(con: &mut redis::Connection, z: &mut Zipf, hits: &mut usize) {
    let keys: Vec<String> = (0..64).map(|_| key(z.next())).collect();
    let mut gets = redis::pipe();
    for k in &keys {
        gets.cmd("GET").arg(k);
    }
    let got: Vec<Option<Vec<u8>>> = gets.query(con).expect("GETs");
    let mut sets = redis::pipe();
    for (k, v) in keys.iter().zip(&got) {
        if v.is_some() {
            *hits += 1;
        } else {
            sets.cmd("SET")
                .arg(k)
                .arg(VALUE)
                .arg("EX")
                .arg(3600)
                .ignore();
        }
    }
    // Under noeviction the SETs fail with OOM: that is the policy's behaviour, not an error.
    let _: redis::RedisResult<()> = sets.exec(con);
}

fn redis_run(
    con: &mut redis::Connection,
    policy: MaxmemoryPolicy,
    limit: u64,
    n: usize,
    ops: usize,
) -> Run {
    redis::cmd("FLUSHALL").exec(con).expect("FLUSHALL");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg(0)
        .exec(con)
        .expect("maxmemory");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg(policy.name())
        .exec(con)
        .expect("policy");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg(limit)
        .exec(con)
        .expect("maxmemory");
    let mut z = Zipf::new(n, 0.99, 7);
    let mut hits = 0;
    for _ in 0..ops / 64 {
        redis_batch(con, &mut z, &mut hits);
    }
    hits = 0;
    let info: String = redis::cmd("INFO").arg("server").query(con).expect("INFO");
    let pid = info
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .map(|p| p.trim().to_owned())
        .unwrap_or_default();
    let start = Instant::now();
    let cpu = cpu_secs("self") + cpu_secs(&pid);
    let batches = ops / 64;
    for _ in 0..batches {
        redis_batch(con, &mut z, &mut hits);
    }
    let cpu = cpu_secs("self") + cpu_secs(&pid) - cpu;
    let sample = (ops / 10).clamp(1, 20_000);
    Run {
        hit_ratio: hits as f64 / (batches * 64) as f64,
        ops_per_sec: (batches * 64) as f64 / start.elapsed().as_secs_f64(),
        ops_per_cpu_sec: (batches * 64) as f64 / cpu.max(0.01),
        round_trips: Some(redis_round_trips(con, &mut z, sample)),
    }
}

/// `ops` read-through steps, each command its own round trip (no pipelining): ops/s.
fn redis_round_trips(con: &mut redis::Connection, z: &mut Zipf, ops: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..ops {
        let k = key(z.next());
        let got: Option<Vec<u8>> = redis::cmd("GET").arg(&k).query(con).expect("GET");
        if got.is_none() {
            // An OOM error under noeviction is the policy's answer, not a failure.
            let _: redis::RedisResult<()> = redis::cmd("SET")
                .arg(&k)
                .arg(VALUE)
                .arg("EX")
                .arg(3600)
                .exec(con);
        }
    }
    ops as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let ops: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let ours = redlite_working_set(n) / 10;
    let server = RedisServer::start();
    let mut con = server.as_ref().map(RedisServer::connect);
    let theirs = con.as_mut().map(|c| {
        let (base, set) = redis_working_set(c, n);
        base + set / 10
    });
    println!(
        "Zipf(0.99) over {n} keys, {ops} measured ops per policy, cache = 10% of the working set"
    );
    println!("redlite maxmemory {ours} B; redis-server maxmemory {theirs:?} B\n");
    println!(
        "| policy | redlite hit ratio | redis hit ratio | redlite ops/s | redis ops/s (pipelined by 64) | redis ops/s (1 round trip each) | redlite / round trips | redlite ops/CPU-s | redis ops/CPU-s (server + client, pipelined) | CPU ratio (pipelined) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &policy in MaxmemoryPolicy::all() {
        let a = redlite_run(policy, ours, n, ops);
        let b = match (con.as_mut(), theirs) {
            (Some(c), Some(limit)) => Some(redis_run(c, policy, limit, n, ops)),
            _ => None,
        };
        let (rh, ro, rc) = b
            .as_ref()
            .map_or(("-".into(), "-".into(), "-".into()), |b| {
                (
                    format!("{:.3}", b.hit_ratio),
                    format!("{:.0}", b.ops_per_sec),
                    format!("{:.0}", b.ops_per_cpu_sec),
                )
            });
        let ratio = b.as_ref().map_or("-".into(), |b| {
            format!("{:.1}x", a.ops_per_cpu_sec / b.ops_per_cpu_sec)
        });
        let (rt, rt_ratio) =
            b.as_ref()
                .and_then(|b| b.round_trips)
                .map_or(("-".into(), "-".into()), |ops_s| {
                    (
                        format!("{ops_s:.0}"),
                        format!("{:.1}x", a.ops_per_sec / ops_s),
                    )
                });
        println!(
            "| {policy} | {:.3} | {rh} | {:.0} | {ro} | {rt} | {rt_ratio} | {:.0} | {rc} | {ratio} |",
            a.hit_ratio, a.ops_per_sec, a.ops_per_cpu_sec
        );
    }
}
