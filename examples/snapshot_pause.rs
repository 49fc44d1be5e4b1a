//! The writer pause while 1M-key snapshots are taken, measured so that a shared machine's
//! scheduler does not pass for the snapshot: two writer threads SET random keys for 5 s
//! with no snapshot, then for 5 s while snapshots run back to back. For each SET the
//! writer reads its own run-queue delay (`/proc/thread-self/schedstat`, Linux) before and
//! after, so a SET's time splits into time spent waiting for a core and the rest (running,
//! or blocked on a lock, e.g. the snapshot's). The snapshot side reports its own shard-lock
//! holds, counted inside the snapshot code (`Store::rdb_image_profiled`), likewise with and
//! without its run-queue delay.
//!
//! `cargo run --release --example snapshot_pause`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as rates"
)]

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redlite::{SnapshotHolds, Store};

const KEYS: usize = 1_000_000;
const SPAN: Duration = Duration::from_secs(5);
/// Bucket bounds of the histograms; the last bucket is everything longer.
const BOUNDS: [Duration; 4] = [
    Duration::from_micros(10),
    Duration::from_micros(100),
    Duration::from_millis(1),
    Duration::from_millis(10),
];

/// What one writer saw: SETs per length, by wall clock and less the run-queue delay.
#[derive(Default)]
struct Waits {
    sets: u64,
    wall: [u64; 5],
    running: [u64; 5],
    worst_wall: Duration,
    worst_running: Duration,
}

impl Waits {
    fn add(&mut self, wall: Duration, queued: Duration) {
        let running = wall.saturating_sub(queued);
        self.sets += 1;
        self.wall[bucket(wall)] += 1;
        self.running[bucket(running)] += 1;
        self.worst_wall = self.worst_wall.max(wall);
        self.worst_running = self.worst_running.max(running);
    }

    fn merge(&mut self, o: &Waits) {
        self.sets += o.sets;
        for i in 0..5 {
            self.wall[i] += o.wall[i];
            self.running[i] += o.running[i];
        }
        self.worst_wall = self.worst_wall.max(o.worst_wall);
        self.worst_running = self.worst_running.max(o.worst_running);
    }
}

fn bucket(d: Duration) -> usize {
    BOUNDS.iter().position(|&b| d <= b).unwrap_or(BOUNDS.len())
}

/// This thread's run-queue delay so far (zero where the kernel does not report it).
fn queued(stat: Option<&File>) -> Duration {
    let mut buf = [0u8; 128];
    let Some(n) = stat.and_then(|f| f.read_at(&mut buf, 0).ok()) else {
        return Duration::ZERO;
    };
    let text = String::from_utf8_lossy(&buf[..n]);
    let ns = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Two writers SET random keys for `SPAN` while `during` runs in a loop on this thread.
fn writers_while(store: &Store, mut during: impl FnMut()) -> (Waits, u32) {
    let stop = AtomicBool::new(false);
    let mut all = Waits::default();
    let mut runs = 0;
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..2u64)
            .map(|t| {
                let (store, stop) = (store.clone(), &stop);
                s.spawn(move || {
                    let stat = File::open("/proc/thread-self/schedstat").ok();
                    let mut rng = fastrand::Rng::with_seed(t);
                    let mut w = Waits::default();
                    while !stop.load(Ordering::Relaxed) {
                        let key = format!("key:{:07}", rng.usize(0..KEYS));
                        let q = queued(stat.as_ref());
                        let start = Instant::now();
                        let _ = store.set(key, "changed");
                        let wall = start.elapsed();
                        w.add(wall, queued(stat.as_ref()).saturating_sub(q));
                    }
                    w
                })
            })
            .collect();
        let start = Instant::now();
        while start.elapsed() < SPAN {
            during();
            runs += 1;
        }
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            if let Ok(w) = w.join() {
                all.merge(&w);
            }
        }
    });
    (all, runs)
}

fn print_waits(what: &str, w: &Waits) {
    println!(
        "{what}: {} SETs; longest {:?} wall, {:?} less run-queue delay",
        w.sets, w.worst_wall, w.worst_running
    );
    println!(
        "  wall       (<=10us, <=100us, <=1ms, <=10ms, >10ms): {:?}",
        w.wall
    );
    println!(
        "  less queue (<=10us, <=100us, <=1ms, <=10ms, >10ms): {:?}",
        w.running
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::new();
    for i in 0..KEYS {
        store.set(format!("key:{i:07}"), format!("value:{i:07}"))?;
    }
    let (idle, _) = writers_while(&store, || std::thread::sleep(Duration::from_millis(10)));
    print_waits("writers alone", &idle);
    let mut all = SnapshotHolds::default();
    let mut worst_running = Duration::ZERO;
    let (busy, snapshots) = writers_while(&store, || {
        if let Ok((_, h)) = store.rdb_image_profiled() {
            worst_running = worst_running.max(h.longest_running);
            all.holds += h.holds;
            all.total += h.total;
            all.longest = all.longest.max(h.longest);
            for (a, b) in all.histogram.iter_mut().zip(h.histogram) {
                *a += b;
            }
        }
    });
    print_waits(&format!("writers during {snapshots} snapshots"), &busy);
    println!(
        "snapshot lock holds: {} in {snapshots} snapshots, {:?} in all; longest {:?} wall, \
         {worst_running:?} less run-queue delay",
        all.holds, all.total, all.longest
    );
    println!(
        "  wall (<=10us, <=100us, <=1ms, <=10ms, >10ms): {:?}",
        all.histogram
    );
    Ok(())
}
