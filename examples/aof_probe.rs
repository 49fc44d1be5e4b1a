//! Profiling driver for the append-only log's write path: SET in a loop on a store with the
//! log on (`Fsync::EverySec`, a temp folder) or off, so callgrind can count instructions per
//! SET (run N and 2N, subtract, divide by N, as `hotpath` is used).
//!
//! `cargo run --release --example aof_probe -- on 200000`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

use std::time::Instant;

use redlite::{Config, Fsync, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "on".into());
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("redlite-aof-probe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = if mode == "on" {
        Store::open(
            Config::default()
                .data_dir(&dir)
                .appendfsync(Fsync::EverySec),
        )?
    } else {
        Store::new()
    };
    let key = "key:000000000001";
    let start = Instant::now();
    for _ in 0..n {
        store.set(key, "value:0000000002")?;
    }
    let per = start.elapsed().as_nanos() as f64 / n as f64;
    println!("log {mode}: {per:.1} ns/SET");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
