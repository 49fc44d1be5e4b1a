//! How close `store.used_memory()` comes to the process's real memory growth: 1,000,000
//! keys of each type, each type loaded in a fresh child process (so memory freed by one
//! type cannot be reused by the next), `VmRSS` after minus before, against `used_memory`
//! after minus before.
//!
//! `cargo run --release --example memory_accounting [-- keys]`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

#[path = "../tests/it/common/rss.rs"]
mod rss;

use std::process::Command;

use redlite::Store;

const TYPES: [&str; 5] = ["string", "list", "hash", "set", "zset"];

/// This process's resident set size in bytes (`VmRSS`; these figures need Linux).
fn resident_bytes() -> u64 {
    rss::rss().expect("VmRSS in /proc/self/status").resident
}

/// Loads `n` keys of `kind`: strings of 100 bytes, containers of 5 elements of 24 bytes.
fn load(store: &Store, kind: &str, n: usize) {
    for i in 0..n {
        let key = format!("key:{i:012}");
        let member = |j: usize| format!("member:{j:02}:{i:012}:ab");
        let r = match kind {
            "string" => store.execute(["SET", &key, &"v".repeat(100)]),
            "list" => store.execute([
                "RPUSH",
                &key,
                &member(0),
                &member(1),
                &member(2),
                &member(3),
                &member(4),
            ]),
            "hash" => store.execute([
                "HSET",
                &key,
                &member(0),
                &member(0),
                &member(1),
                &member(1),
                &member(2),
                &member(2),
                &member(3),
                &member(3),
                &member(4),
                &member(4),
            ]),
            "set" => store.execute([
                "SADD",
                &key,
                &member(0),
                &member(1),
                &member(2),
                &member(3),
                &member(4),
            ]),
            _ => store.execute([
                "ZADD",
                &key,
                "1",
                &member(0),
                "2",
                &member(1),
                "3",
                &member(2),
                "4",
                &member(3),
                "5",
                &member(4),
            ]),
        };
        assert!(!matches!(r, redlite::Reply::Error(_)), "{r:?}");
    }
}

/// One type in this process: prints `kind rss_delta used_delta`.
fn child(kind: &str, n: usize) {
    let before = resident_bytes();
    let store = Store::new();
    let used_before = store.used_memory();
    load(&store, kind, n);
    let rss = resident_bytes() - before;
    let used = store.used_memory() - used_before;
    println!("{kind} {rss} {used}");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if let Some(kind) = first.as_deref().filter(|k| TYPES.contains(k)) {
        let n = args
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_000_000);
        return child(kind, n);
    }
    let n: usize = first.and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let exe = std::env::current_exe().expect("current exe");
    println!("{n} keys per type (strings of 100 B; containers of 5 elements of 24 B)\n");
    println!("| type | RSS growth | used_memory growth | used / RSS | B/key (RSS) |");
    println!("|---|---:|---:|---:|---:|");
    for kind in TYPES {
        let out = Command::new(&exe)
            .args([kind, &n.to_string()])
            .output()
            .expect("run child");
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        let (rss, used) = (f[0] as f64, f[1] as f64);
        println!(
            "| {kind} | {:.1} MB | {:.1} MB | {:.3} | {:.1} |",
            rss / 1e6,
            used / 1e6,
            used / rss,
            rss / n as f64
        );
    }
}
