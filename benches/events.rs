//! Waiting and reacting, against the alternatives in one run:
//!
//! - `events/wake_pingpong`: a round trip of two wake-ups between two threads, each blocked
//!   in turn: redlite LPUSH → BLPOP, a `crossbeam-channel` send → recv, and redis-server
//!   LPUSH → BLPOP on loopback. One wake-up is half of it. Besides criterion's figures, the
//!   bench prints the median and p99 of single round trips.
//! - `events/publish_1` and `events/publish_100`: one PUBLISH reaching 1 or 100
//!   subscribers, each drained by its own thread: redlite, one `crossbeam-channel` per
//!   subscriber, and redis-server (PUBLISH's loopback round trip, fan-out done by the
//!   server).
//! - idle CPU of 64 threads blocked in BLPOP (timeout 0, and timeout 1 h), measured from
//!   the kernel's per-thread run time over a window (Linux; printed, not a criterion figure).
//!
//! Without `redis-server` the redis-server rows are skipped. `cargo bench --bench events`

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "benchmark figures: nanosecond counts far below 2^52, shown as microseconds"
)]

#[path = "support/redis_server.rs"]
mod redis_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;
use redis_server::RedisServer;
use redlite::Store;

/// Round trips measured one by one for the printed median and p99.
const SAMPLES: usize = 20_000;

fn percentiles(mut ns: Vec<u64>) -> (u64, u64) {
    ns.sort_unstable();
    let at = |q: f64| ns[((ns.len() - 1) as f64 * q) as usize];
    (at(0.5), at(0.99))
}

/// redlite: the other thread runs BLPOP on `ping` and LPUSH on `pong`.
fn redlite_pingpong(store: &Store) -> (impl FnMut(), thread::JoinHandle<()>) {
    let echo = store.clone();
    let handle = thread::spawn(move || {
        loop {
            let (_, v): (String, String) = echo.blpop(&["ping"], Duration::ZERO).unwrap();
            if v == "stop" {
                return;
            }
            echo.lpush("pong", &[v]).unwrap();
        }
    });
    let store = store.clone();
    let round = move || {
        store.lpush("ping", &["x"]).unwrap();
        let _: (String, String) = store.blpop(&["pong"], Duration::ZERO).unwrap();
    };
    (round, handle)
}

fn crossbeam_pingpong() -> (
    impl FnMut(),
    thread::JoinHandle<()>,
    crossbeam_channel::Sender<u8>,
) {
    let (ping_tx, ping_rx) = crossbeam_channel::unbounded::<u8>();
    let (pong_tx, pong_rx) = crossbeam_channel::unbounded::<u8>();
    let handle = thread::spawn(move || {
        while let Ok(v) = ping_rx.recv() {
            if v == 0 {
                return;
            }
            let _ = pong_tx.send(v);
        }
    });
    let tx = ping_tx.clone();
    let round = move || {
        ping_tx.send(1).unwrap();
        pong_rx.recv().unwrap();
    };
    (round, handle, tx)
}

fn redis_pingpong(server: &RedisServer) -> (impl FnMut(), thread::JoinHandle<()>) {
    let mut echo = server.connect();
    let handle = thread::spawn(move || {
        loop {
            let (_, v): (String, String) = redis::cmd("BLPOP")
                .arg("ping")
                .arg(0)
                .query(&mut echo)
                .unwrap();
            if v == "stop" {
                return;
            }
            redis::cmd("LPUSH")
                .arg("pong")
                .arg(v)
                .exec(&mut echo)
                .unwrap();
        }
    });
    let mut con = server.connect();
    let round = move || {
        redis::cmd("LPUSH")
            .arg("ping")
            .arg("x")
            .exec(&mut con)
            .unwrap();
        let _: (String, String) = redis::cmd("BLPOP")
            .arg("pong")
            .arg(0)
            .query(&mut con)
            .unwrap();
    };
    (round, handle)
}

fn print_rtt(name: &str, round: &mut dyn FnMut(), samples: usize) {
    let ns: Vec<u64> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            round();
            t.elapsed().as_nanos() as u64
        })
        .collect();
    let (median, p99) = percentiles(ns);
    println!(
        "wake round trip {name:<13} median {:>8.1} µs   p99 {:>8.1} µs   (one wake-up ≈ half)",
        median as f64 / 1e3,
        p99 as f64 / 1e3
    );
}

fn wake_latency(c: &mut Criterion, server: Option<&RedisServer>, quick: bool) {
    let samples = if quick { 200 } else { SAMPLES };
    let mut g = c.benchmark_group("events/wake_pingpong");
    let store = Store::new();
    let (mut round, echo) = redlite_pingpong(&store);
    g.bench_function("redlite_blpop", |b| b.iter(&mut round));
    print_rtt("redlite", &mut round, samples);
    store.lpush("ping", &["stop"]).unwrap();
    echo.join().unwrap();

    let (mut round, echo, stop) = crossbeam_pingpong();
    g.bench_function("crossbeam_channel", |b| b.iter(&mut round));
    print_rtt("crossbeam", &mut round, samples);
    stop.send(0).unwrap();
    echo.join().unwrap();

    if let Some(server) = server {
        let (mut round, echo) = redis_pingpong(server);
        g.bench_function("redis_server_blpop", |b| b.iter(&mut round));
        print_rtt("redis-server", &mut round, samples / 4);
        redis::cmd("LPUSH")
            .arg("ping")
            .arg("stop")
            .exec(&mut server.connect())
            .unwrap();
        echo.join().unwrap();
    }
    g.finish();
}

/// `n` redlite subscribers on `c`, each drained by a thread until "stop".
fn redlite_subscribers(store: &Store, n: usize) -> Vec<thread::JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let mut sub = store.subscribe(&["c"]);
            thread::spawn(move || {
                while let Ok(m) = sub.recv() {
                    if m.payload() == b"stop" {
                        return;
                    }
                }
            })
        })
        .collect()
}

fn redis_subscribers(server: &RedisServer, n: usize) -> Vec<thread::JoinHandle<()>> {
    let mut ready = Vec::new();
    let handles = (0..n)
        .map(|_| {
            let mut con = server.connect();
            let (tx, rx) = std::sync::mpsc::channel();
            ready.push(rx);
            thread::spawn(move || {
                let mut ps = con.as_pubsub();
                ps.subscribe("c").unwrap();
                tx.send(()).unwrap();
                while let Ok(m) = ps.get_message() {
                    if m.get_payload_bytes() == b"stop" {
                        return;
                    }
                }
            })
        })
        .collect();
    for r in ready {
        r.recv().unwrap();
    }
    handles
}

fn publish(c: &mut Criterion, server: Option<&RedisServer>, n: usize) {
    let mut g = c.benchmark_group(format!("events/publish_{n}"));
    let store = Store::new();
    let subs = redlite_subscribers(&store, n);
    g.bench_function("redlite", |b| {
        b.iter(|| assert_eq!(store.publish("c", "message").unwrap(), n));
    });
    store.publish("c", "stop").unwrap();
    for h in subs {
        h.join().unwrap();
    }

    let (txs, handles): (Vec<_>, Vec<_>) = (0..n)
        .map(|_| {
            let (tx, rx) = crossbeam_channel::unbounded::<&'static str>();
            let h = thread::spawn(move || {
                while let Ok(m) = rx.recv() {
                    if m == "stop" {
                        return;
                    }
                }
            });
            (tx, h)
        })
        .unzip();
    g.bench_function("crossbeam_channel", |b| {
        b.iter(|| {
            for t in &txs {
                t.send("message").unwrap();
            }
        });
    });
    for t in &txs {
        t.send("stop").unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }

    if let Some(server) = server {
        let subs = redis_subscribers(server, n);
        let mut con = server.connect();
        g.bench_function("redis_server", |b| {
            b.iter(|| {
                let got: usize = redis::cmd("PUBLISH")
                    .arg("c")
                    .arg("message")
                    .query(&mut con)
                    .unwrap();
                assert_eq!(got, n);
            });
        });
        redis::cmd("PUBLISH")
            .arg("c")
            .arg("stop")
            .exec(&mut con)
            .unwrap();
        for h in subs {
            h.join().unwrap();
        }
    }
    g.finish();
}

/// Nanoseconds every thread of this process has run (Linux's per-thread schedstat).
fn cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

fn idle_cpu(window: Duration) {
    for timeout in ["0", "3600"] {
        let store = Store::new();
        let waiters: Vec<_> = (0..64)
            .map(|i| {
                let s = store.clone();
                let key = format!("idle{i}");
                let t = timeout.to_string();
                thread::spawn(move || s.execute(["BLPOP", key.as_str(), t.as_str()]))
            })
            .collect();
        while store.blocked_clients() < 64 {
            thread::yield_now();
        }
        let stop = Arc::new(AtomicBool::new(false));
        let Some(before) = cpu_ns() else {
            println!("idle CPU: skipped (no /proc/self/task/*/schedstat)");
            return;
        };
        let t = Instant::now();
        // The measuring thread sleeps too: what runs is the waiters and the store.
        thread::sleep(window);
        let after = cpu_ns().unwrap_or(before);
        let wall = t.elapsed();
        stop.store(true, Ordering::SeqCst);
        let percent = (after - before) as f64 / wall.as_nanos() as f64 * 100.0;
        println!(
            "idle CPU of 64 blocked BLPOP (timeout {timeout:>4}): {percent:.3}% of one core over {:.1} s ({} µs of CPU)",
            wall.as_secs_f64(),
            (after - before) / 1000
        );
        for i in 0..64 {
            store.lpush(format!("idle{i}"), &["wake"]).unwrap();
        }
        for h in waiters {
            h.join().unwrap();
        }
    }
}

fn main() {
    // `cargo test --benches` runs each bench once, without `--bench`: keep it short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let server = RedisServer::start();
    let mut c = Criterion::default().configure_from_args();
    wake_latency(&mut c, server.as_ref(), quick);
    publish(&mut c, server.as_ref(), 1);
    publish(&mut c, server.as_ref(), 100);
    idle_cpu(if quick {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(5)
    });
    c.final_summary();
}
