//! RDB snapshots of a 1M-key store: loading `dump.rdb` (redlite vs `redis-server` loading the
//! same file), writing the snapshot (redlite's SAVE vs Redis's SAVE of the same data), and the
//! longest a writer waits while a snapshot is taken.
//!
//! `cargo bench --bench persist_rdb -- --warm-up-time 1 --measurement-time 3`
//!
//! The writer-pause figure is printed (`writer pause during a 1M-key snapshot: ...`): it is a
//! maximum, which criterion's mean-based statistics do not report.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use redlite::{Config, Store};

const KEYS: usize = 1_000_000;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-bench-rdb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A store of `KEYS` string keys (`key:NNNNNNN` → `value:NNNNNNN`) saved to `dir`.
fn filled(dir: &Path) -> Store {
    let store = Store::with_config(Config::default().data_dir(dir).appendonly(false));
    for i in 0..KEYS {
        store
            .set(format!("key:{i:07}"), format!("value:{i:07}"))
            .unwrap();
    }
    store
}

/// A `redis-server` serving `dir` (killed on drop); `None` when it is not installed.
struct Server {
    child: Child,
    con: redis::Connection,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server(dir: &Path) -> Option<Server> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--dbfilename",
            "dump.rdb",
        ])
        .args(["--dir", dir.to_str()?, "--enable-debug-command", "yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| eprintln!("skipped redis-server side: {e}"))
        .ok()?;
    let url = format!("redis://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let con = redis::Client::open(url.as_str()).and_then(|c| c.get_connection());
        if let Ok(mut con) = con {
            if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                return Some(Server { child, con });
            }
        }
        thread::sleep(Duration::from_millis(20));
    }
    None
}

fn load(c: &mut Criterion, dir: &Path) {
    let path = dir.join("dump.rdb");
    let mut g = c.benchmark_group("persist_rdb/load_1m_keys");
    g.sample_size(10);
    g.bench_function("redlite", |b| {
        b.iter_batched(
            Store::new,
            |store| {
                assert_eq!(store.load_rdb_file(&path).unwrap(), KEYS);
                store
            },
            BatchSize::PerIteration,
        );
    });
    if let Some(mut server) = redis_server(dir) {
        g.bench_function("redis_server", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    redis::cmd("FLUSHALL")
                        .arg("SYNC")
                        .exec(&mut server.con)
                        .unwrap();
                    let start = Instant::now();
                    redis::cmd("DEBUG")
                        .arg("RELOAD")
                        .arg("NOSAVE")
                        .arg("NOFLUSH")
                        .exec(&mut server.con)
                        .unwrap();
                    total += start.elapsed();
                }
                total
            });
        });
    }
    g.finish();
}

fn save(c: &mut Criterion, store: &Store, dir: &Path) {
    let mut g = c.benchmark_group("persist_rdb/save_1m_keys");
    g.sample_size(10);
    g.bench_function("redlite", |b| b.iter(|| store.save().unwrap()));
    let theirs = dir.join("redis");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::copy(dir.join("dump.rdb"), theirs.join("dump.rdb")).unwrap();
    if let Some(mut server) = redis_server(&theirs) {
        g.bench_function("redis_server", |b| {
            b.iter(|| redis::cmd("SAVE").exec(&mut server.con).unwrap());
        });
    }
    g.finish();
}

/// What the writers saw: the longest SET, how many SETs, how many took over 1 ms / 10 ms.
#[derive(Default)]
struct Waits {
    worst: Duration,
    sets: u64,
    over_1ms: u64,
    over_10ms: u64,
}

/// Two writer threads SET random keys for 5 s, while `during` runs in a loop on this
/// thread (nothing, or snapshots of the 1M-key store); returns what the writers saw and how
/// many times `during` ran.
fn writers_while(store: &Store, mut during: impl FnMut()) -> (Waits, u32) {
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2u64)
        .map(|t| {
            let (store, stop) = (store.clone(), stop.clone());
            thread::spawn(move || {
                let mut rng = fastrand::Rng::with_seed(t);
                let mut w = Waits::default();
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("key:{:07}", rng.usize(0..KEYS));
                    let start = Instant::now();
                    store.set(key, "changed").unwrap();
                    let took = start.elapsed();
                    w.worst = w.worst.max(took);
                    w.sets += 1;
                    w.over_1ms += u64::from(took > Duration::from_millis(1));
                    w.over_10ms += u64::from(took > Duration::from_millis(10));
                }
                w
            })
        })
        .collect();
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_secs(5) {
        during();
        runs += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let mut all = Waits::default();
    for w in writers {
        let w = w.join().unwrap();
        all.worst = all.worst.max(w.worst);
        all.sets += w.sets;
        all.over_1ms += w.over_1ms;
        all.over_10ms += w.over_10ms;
    }
    (all, runs)
}

/// The longest a writer waits while snapshots of the 1M-key store are taken, beside the
/// same writers with no snapshot (on a shared machine the scheduler alone causes stalls).
fn writer_pause(store: &Store) {
    let print = |what: &str, w: &Waits| {
        eprintln!(
            "{what}: longest SET {:?}; {} SETs from 2 threads, {} over 1 ms, {} over 10 ms",
            w.worst, w.sets, w.over_1ms, w.over_10ms
        );
    };
    let (idle, _) = writers_while(store, || thread::sleep(Duration::from_millis(10)));
    print("writers alone", &idle);
    let mut hold = Duration::ZERO;
    let (busy, snapshots) = writers_while(store, || {
        let (image, held) = store.rdb_image_timed().unwrap();
        assert!(image.len() > KEYS * 20);
        hold = hold.max(held);
    });
    eprintln!("longest the snapshots held any shard lock: {hold:?}");
    print(
        &format!("writers during {snapshots} 1M-key snapshots"),
        &busy,
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let dir = temp_dir();
    let store = filled(&dir);
    store.save().unwrap();
    load(&mut c, &dir);
    save(&mut c, &store, &dir);
    writer_pause(&store);
    c.final_summary();
    let _ = std::fs::remove_dir_all(&dir);
}
