//! Hot-path driver for profiling (callgrind / perf): GET hit, SET and INCR in a loop.
//!
//! `cargo run --release --example hotpath -- get 1000000`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

use std::time::Instant;

use redlite::Store;

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "get".into());
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let store = Store::new();
    for i in 0..10_000 {
        store
            .set(format!("key:{i:012}"), "value:0000000001")
            .unwrap();
    }
    let key = "key:000000000001";
    let start = Instant::now();
    for _ in 0..n {
        match op.as_str() {
            "get" => drop(store.get::<Option<Vec<u8>>>(key)),
            "set" => drop(store.set(key, "value:0000000002")),
            "incr" => drop(store.incr("counter")),
            _ => drop(store.execute(["GET", key])),
        }
    }
    let per = start.elapsed().as_nanos() as f64 / n as f64;
    println!("{op}: {per:.1} ns/op");
}
