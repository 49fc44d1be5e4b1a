//! Ping-pong of LPUSH -> BLPOP between two threads, for instruction profiles.
//!
//! `cargo run --release --example wake_probe -- 100000`; instructions per round trip:
//! `valgrind --tool=callgrind target/release/examples/wake_probe 20000` (total / 20000).

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: nanosecond counts far below 2^52"
)]

use std::time::{Duration, Instant};

use redlite::Store;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let store = Store::new();
    let echo = store.clone();
    let handle = std::thread::spawn(move || {
        loop {
            let (_, v): (String, String) = echo.blpop(&["ping"], Duration::ZERO).unwrap();
            if v == "stop" {
                return;
            }
            echo.lpush("pong", &[v]).unwrap();
        }
    });
    let start = Instant::now();
    for _ in 0..n {
        store.lpush("ping", &["x"]).unwrap();
        let _: (String, String) = store.blpop(&["pong"], Duration::ZERO).unwrap();
    }
    let per = start.elapsed().as_nanos() as f64 / n as f64;
    store.lpush("ping", &["stop"]).unwrap();
    handle.join().unwrap();
    println!("round trip: {per:.1} ns");
}
