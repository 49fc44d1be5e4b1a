//! Memory per key: 1,000,000 keys of 16 bytes with 16-byte values, in redlite and in
//! `redis-server`, side by side.
//!
//! redlite's figure is this process's resident memory (`VmRSS`) after the load minus before,
//! per key, so it includes the allocator's own overhead. Redis's is `used_memory` from
//! `INFO memory` after minus before (its allocator's view, jemalloc on Debian), loaded with
//! pipelined SETs. Both are also shown above the raw 32 bytes of key + value.
//!
//! `cargo run --release --example memory [-- keys]`

#![allow(
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

#[path = "../benches/support/redis_server.rs"]
mod redis_server;

#[path = "../tests/it/common/rss.rs"]
mod rss;

use std::fmt::Write;

use redis_server::RedisServer;
use redlite::{Reply, Store};

const RAW: f64 = 32.0;

/// Writes the i-th 16-byte key and value into the buffers.
fn key_value(i: usize, key: &mut String, value: &mut String) {
    key.clear();
    value.clear();
    write!(key, "key:{i:012}").expect("write to String");
    write!(value, "val:{i:012}").expect("write to String");
}

/// This process's resident set size in bytes (`VmRSS`; these figures need Linux).
fn resident_bytes() -> u64 {
    rss::rss().expect("VmRSS in /proc/self/status").resident
}

fn redlite_bytes_per_key(n: usize) -> f64 {
    let (mut key, mut value) = (String::new(), String::new());
    let before = resident_bytes();
    let store = Store::new();
    for i in 0..n {
        key_value(i, &mut key, &mut value);
        store.set(&key, &value).expect("SET");
    }
    let after = resident_bytes();
    assert_eq!(store.execute(["DBSIZE"]), Reply::Integer(n as i64));
    (after - before) as f64 / n as f64
}

fn used_memory(con: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(con).expect("INFO");
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("used_memory in INFO memory")
}

fn redis_bytes_per_key(server: &RedisServer, n: usize) -> f64 {
    let mut con = server.connect();
    let (mut key, mut value) = (String::new(), String::new());
    let before = used_memory(&mut con);
    for start in (0..n).step_by(10_000) {
        let mut pipe = redis::pipe();
        for i in start..n.min(start + 10_000) {
            key_value(i, &mut key, &mut value);
            pipe.cmd("SET").arg(&key).arg(&value).ignore();
        }
        pipe.exec(&mut con).expect("pipelined SETs");
    }
    let after = used_memory(&mut con);
    let size: i64 = redis::cmd("DBSIZE").query(&mut con).expect("DBSIZE");
    assert_eq!(size, n as i64);
    (after - before) as f64 / n as f64
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!("{n} keys, 16-byte keys and 16-byte values ({RAW} raw bytes per key)");
    let ours = redlite_bytes_per_key(n);
    println!(
        "redlite      (VmRSS delta):       {ours:7.1} bytes/key, {:7.1} above raw",
        ours - RAW
    );
    if let Some(server) = RedisServer::start() {
        let theirs = redis_bytes_per_key(&server, n);
        println!(
            "redis-server (used_memory delta): {theirs:7.1} bytes/key, {:7.1} above raw",
            theirs - RAW
        );
    }
}
