//! Group commit under `Fsync::Always`, side by side with redis-server: N writer threads
//! INCR their own keys on a redlite store (every reply waits for its fsync) and then N
//! clients do the same against `redis-server --appendonly yes --appendfsync always`, in
//! alternating rounds of 2 s each, so both sides see the same disk (on a shared machine
//! the fsync latency drifts by 10× within a minute: only a pair run back to back is a
//! fair comparison). Prints each pair, the ratio, and redlite's records per fsync.
//!
//! `cargo run --release --example aof_always_probe -- 8 32` (writer counts; default 8);
//! `-- hot 8` makes every writer INCR the same key (one shard: before group commit waited
//! outside the shard lock, those writers could only take one fsync each in turn).

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as rates"
)]

#[path = "../benches/support/redis_server.rs"]
#[allow(dead_code, reason = "this probe starts servers with options only")]
mod redis_server;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis_server::RedisServer;
use redlite::{Config, Fsync, Store};

const ROUND: Duration = Duration::from_secs(2);
const ROUNDS: usize = 3;

/// Runs `writers` threads doing `op(thread)` until the round ends; returns ops per second.
fn rate(writers: usize, op: impl Fn(usize, &AtomicBool) -> u64 + Sync) -> f64 {
    let stop = AtomicBool::new(false);
    let total = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..writers {
            let (stop, total, op) = (&stop, &total, &op);
            s.spawn(move || total.fetch_add(op(t, stop), Ordering::Relaxed));
        }
        std::thread::sleep(ROUND);
        stop.store(true, Ordering::Relaxed);
    });
    total.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// Thread `t`'s key: its own, or the one all share.
fn key(t: usize, hot: bool) -> String {
    if hot {
        "k:hot".into()
    } else {
        format!("k:{t}")
    }
}

fn redlite_round(store: &Store, writers: usize, hot: bool) -> f64 {
    rate(writers, |t, stop| {
        let key = key(t, hot);
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            store.execute(["INCR", key.as_str()]);
            n += 1;
        }
        n
    })
}

fn redis_round(server: &RedisServer, writers: usize, hot: bool) -> f64 {
    let cons: Vec<std::sync::Mutex<redis::Connection>> = (0..writers)
        .map(|_| std::sync::Mutex::new(server.connect()))
        .collect();
    rate(writers, |t, stop| {
        let Ok(mut con) = cons[t].lock() else {
            return 0;
        };
        let key = key(t, hot);
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            if redis::cmd("INCR").arg(&key).exec(&mut con).is_err() {
                break;
            }
            n += 1;
        }
        n
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hot = std::env::args().any(|a| a == "hot");
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let counts = if counts.is_empty() { vec![8] } else { counts };
    let base = std::env::temp_dir().join(format!("redlite-always-probe-{}", std::process::id()));
    let mine = base.join("redlite");
    let theirs = base.join("redis");
    std::fs::create_dir_all(&theirs)?;
    let theirs_arg = theirs.display().to_string();
    let opts = [
        "--dir",
        &theirs_arg,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
    ];
    let Some(server) = RedisServer::start_with(&opts) else {
        return Ok(());
    };
    let store = Store::open(Config::default().data_dir(&mine).appendfsync(Fsync::Always))?;
    for &writers in &counts {
        for round in 0..ROUNDS {
            let before = store.aof_counts().unwrap_or_default();
            let ours = redlite_round(&store, writers, hot);
            let after = store.aof_counts().unwrap_or_default();
            let redis = redis_round(&server, writers, hot);
            let per = (after.1 - before.1) as f64 / (after.0 - before.0).max(1) as f64;
            println!(
                "{writers} writers{}, round {round}: redlite {ours:.0}/s ({per:.1} records per fsync), \
                 redis-server {redis:.0}/s, ratio {:.2}",
                if hot { " on one key" } else { "" },
                ours / redis.max(1.0)
            );
        }
    }
    drop(store);
    drop(server);
    let _ = std::fs::remove_dir_all(&base);
    Ok(())
}
