//! Memory given back: for FLUSHALL of 1M keys, UNWATCH of 200k watched missing keys, and
//! containers of 1M elements cut to one, the process's resident memory (`VmRSS`) and its live
//! heap bytes before, at the peak and after.
//!
//! Each step runs in a child process of its own, so one step's freed memory does not pad
//! the next one's figures. Names are short (up to 16 bytes live inline, inside the tables),
//! so the tables are what is measured. RSS is what the kernel sees; names longer than 16
//! bytes get chunks of their own, which glibc keeps for reuse rather than return (the
//! "24-byte fields" line) until `malloc_trim` (the "trimmed" column). The live heap, counted
//! by a wrapper around the system allocator, shows what the store itself still holds. RSS is
//! Linux only (else it reads 0).
//!
//! `cargo run --release --example memory_release`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

#[path = "../tests/it/common/rss.rs"]
mod rss;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use redlite::{Config, Connection, Store};

/// The system allocator, counting the bytes live at any time.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed straight to `System` with the caller's own arguments; the
// counter only observes sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// RSS and live heap, in MiB.
#[derive(Clone, Copy)]
struct Sample {
    rss: f64,
    heap: f64,
}

fn sample() -> Sample {
    let mib = |b: f64| b / f64::from(1 << 20);
    Sample {
        rss: mib(rss::rss().map_or(0.0, |r| r.resident as f64)),
        heap: mib(LIVE.load(Ordering::Relaxed) as f64),
    }
}

/// glibc's `malloc_trim`: returns the free memory glibc keeps for reuse to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    #[allow(unsafe_code)]
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim takes no pointers and only releases memory malloc holds free.
    #[allow(unsafe_code)]
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// One line: RSS before, at the peak, after, and after `malloc_trim`; the live heap before,
/// at the peak and after.
fn report(step: &str, before: Sample, peak: Sample, after: Sample) {
    let kept = |b: f64, p: f64, a: f64| 100.0 * (a - b).max(0.0) / (p - b).max(f64::EPSILON);
    trim();
    let trimmed = sample();
    println!(
        "{step:<29} RSS {:5.1} / {:5.1} / {:5.1} ({:4.1}%) / trimmed {:5.1} ({:4.1}%)   heap {:5.1} / {:5.1} / {:4.1} ({:3.1}%)",
        before.rss,
        peak.rss,
        after.rss,
        kept(before.rss, peak.rss, after.rss),
        trimmed.rss,
        kept(before.rss, peak.rss, trimmed.rss),
        before.heap,
        peak.heap,
        after.heap,
        kept(before.heap, peak.heap, after.heap),
    );
}

fn store() -> Store {
    Store::with_config(Config::default().active_expiry(false))
}

/// Runs `head` with the arguments `arg(i)` for i in `range`, 1,000 at a time.
fn batched(
    s: &Store,
    head: &[&str],
    range: std::ops::Range<usize>,
    arg: impl Fn(usize) -> Vec<String>,
) {
    let mut start = range.start;
    while start < range.end {
        let end = range.end.min(start + 1000);
        let mut argv: Vec<String> = head.iter().map(std::string::ToString::to_string).collect();
        argv.extend((start..end).flat_map(&arg));
        s.execute(&argv);
        start = end;
    }
}

const N: usize = 1_000_000;

fn flushall() {
    let s = store();
    let before = sample();
    batched(&s, &["MSET"], 0..N, |i| {
        vec![format!("key:{i:012}"), format!("v{i}")]
    });
    let peak = sample();
    s.execute(["FLUSHALL"]);
    report("FLUSHALL of 1M keys", before, peak, sample());
}

fn unwatch() {
    let s = store();
    let before = sample();
    // 100 connections of 2,000 keys each (WATCH checks each key against the connection's
    // own set, so one connection of 200k keys would spend its time there).
    let mut conns: Vec<Connection> = (0..100).map(|_| s.connection()).collect();
    for (c, conn) in conns.iter_mut().enumerate() {
        let mut argv = vec!["WATCH".to_string()];
        argv.extend((0..2000).map(|i| format!("w:{c}:{i}")));
        conn.execute(&argv);
    }
    let peak = sample();
    for conn in &mut conns {
        conn.execute(["UNWATCH"]);
    }
    report("UNWATCH of 200k missing keys", before, peak, sample());
    drop(conns);
    report("  then connections dropped", before, peak, sample());
}

/// Fills a key with 1M elements with `head` + `arg`, then removes all but the first with
/// `cut` + `cut_arg` for the others (batched, so no big reply is built on the way), or with
/// `cut` alone when `cut_arg` is `None`.
fn container(
    step: &str,
    head: &[&str],
    arg: fn(usize) -> Vec<String>,
    cut: &[&str],
    cut_arg: Option<fn(usize) -> Vec<String>>,
) {
    let s = store();
    let before = sample();
    batched(&s, head, 0..N, arg);
    let peak = sample();
    match cut_arg {
        Some(cut_arg) => batched(&s, cut, 1..N, cut_arg),
        None => assert!(!s.execute(cut).is_error()),
    }
    report(step, before, peak, sample());
}

fn run(step: &str) {
    match step {
        "flushall" => flushall(),
        "unwatch" => unwatch(),
        "zset" => container(
            "zset of 1M cut to one",
            &["ZADD", "z"],
            |i| vec![i.to_string(), format!("m{i}")],
            &["ZREM", "z"],
            Some(|i| vec![format!("m{i}")]),
        ),
        "hash" => container(
            "hash of 1M cut to one",
            &["HSET", "h"],
            |i| vec![format!("f{i}"), "v".into()],
            &["HDEL", "h"],
            Some(|i| vec![format!("f{i}")]),
        ),
        "hash-long" => container(
            "  same, 24-byte fields",
            &["HSET", "h"],
            |i| vec![format!("field:{i:018}"), "v".into()],
            &["HDEL", "h"],
            Some(|i| vec![format!("field:{i:018}")]),
        ),
        "set" => container(
            "set of 1M cut to one",
            &["SADD", "s"],
            |i| vec![format!("m{i}")],
            &["SREM", "s"],
            Some(|i| vec![format!("m{i}")]),
        ),
        "list" => container(
            "list of 1M cut to one",
            &["RPUSH", "l"],
            |i| vec![format!("e{i}")],
            &["LTRIM", "l", "0", "0"],
            None,
        ),
        other => eprintln!("unknown step {other}"),
    }
}

fn main() {
    if let Some(step) = std::env::args().nth(1) {
        return run(&step);
    }
    println!("MiB: before / peak / after (kept % of the growth) / after malloc_trim");
    let exe = std::env::current_exe().expect("this example's path");
    for step in [
        "flushall",
        "unwatch",
        "zset",
        "hash",
        "hash-long",
        "set",
        "list",
    ] {
        let status = std::process::Command::new(&exe).arg(step).status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("step {step} failed");
        }
    }
}
