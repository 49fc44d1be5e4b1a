//! A live start racing the closed log's rewrite, and the hooks its code calls under
//! `cfg(test)`.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::{Config, Reply, Store};

thread_local! {
    /// What a test runs on this thread once a rewrite switched files (before it lists
    /// its new base).
    static AFTER_ROTATE: RefCell<Option<Box<dyn Fn()>>> = RefCell::new(None);
    /// What a test runs on this thread as `appendonly no` is about to close the log.
    static CLOSING: RefCell<Option<Box<dyn Fn()>>> = RefCell::new(None);
}

/// Runs this thread's closing hook (`LogSwitch::turn_off`).
pub(in crate::persist::aof) fn closing() {
    CLOSING.with(|h| {
        if let Some(f) = &*h.borrow() {
            f();
        }
    });
}

/// Where start threads report their steps: (folder, step).
static STARTS: Mutex<Vec<mpsc::Sender<(PathBuf, &'static str)>>> = Mutex::new(Vec::new());

/// Runs this thread's after-rotate hook (`Aof::rewrite_on`).
pub(in crate::persist::aof) fn after_rotate() {
    AFTER_ROTATE.with(|h| {
        if let Some(f) = &*h.borrow() {
            f();
        }
    });
}

/// A start thread of `dir` reached `step`.
pub(in crate::persist::aof) fn start_step(dir: &Path, step: &'static str) {
    for tx in STARTS.lock().iter() {
        let _ = tx.send((dir.to_path_buf(), step));
    }
}

fn folder(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-live-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn in_progress(store: &Store) -> bool {
    let Reply::Bulk(info) = store.execute(["INFO", "persistence"]) else {
        panic!("INFO is a bulk string")
    };
    String::from_utf8_lossy(&info).contains("aof_rewrite_in_progress:1")
}

/// `BGREWRITEAOF`'s rewrite is held after its switch of files while `appendonly no` then
/// `appendonly yes` run: the start numbers its files after the folder's manifest, which
/// the held rewrite is about to replace. The start must not list a base and log beside
/// the rewrite's (one of them would lose writes or name deleted files).
#[test]
fn a_start_after_appendonly_no_waits_for_the_closed_logs_rewrite() {
    let dir = folder("rewrite-race");
    let store = Store::open(Config::default().data_dir(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "a", "1"]), Reply::ok());
    let (steps_tx, steps) = mpsc::channel();
    STARTS.lock().push(steps_tx);
    let (reached_tx, reached) = mpsc::channel::<()>();
    let (go_tx, go) = mpsc::channel::<()>();
    let rewriter = {
        let store = store.clone();
        std::thread::spawn(move || {
            let go = std::sync::Mutex::new(go);
            AFTER_ROTATE.with(|h| {
                *h.borrow_mut() = Some(Box::new(move || {
                    let _ = reached_tx.send(());
                    let _ = go.lock().map(|g| g.recv());
                }));
            });
            store.rewrite_aof()
        })
    };
    reached.recv().expect("the rewrite switched files");
    assert_eq!(store.execute(["SET", "b", "2"]), Reply::ok());
    store.execute(["CONFIG", "SET", "appendonly", "no"]);
    assert_eq!(store.execute(["SET", "c", "3"]), Reply::ok());
    store.execute(["CONFIG", "SET", "appendonly", "yes"]);
    // The start either ends at once (it did not wait: the race) or waits for the rewrite.
    let canonical = std::fs::canonicalize(&dir).expect("the folder");
    let step = loop {
        let (at, step) = steps.recv().expect("a start step");
        if at == dir || at == canonical {
            break step;
        }
    };
    let _ = go_tx.send(());
    let _ = rewriter.join().expect("the rewrite thread");
    let deadline = Instant::now() + Duration::from_secs(30);
    while in_progress(&store) {
        assert!(Instant::now() < deadline, "the log never started");
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = step;
    assert_eq!(store.execute(["SET", "d", "4"]), Reply::ok());
    store.flush_log();
    drop(store);
    let store = Store::open(Config::default().data_dir(&dir)).expect("reopens");
    for (k, v) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")] {
        assert_eq!(store.execute(["GET", k]), Reply::bulk(v), "{k}");
    }
}

/// A write to a database nobody used yet is not under CONFIG's locks (they cover the
/// databases made so far): it can reach the log while `appendonly no` closes it, after
/// the switch noted where numbering stops. The next log must still number its records
/// after it, or a shard stamped with its number would make readers wait under `Always`
/// for a record the new log has not written.
#[test]
fn a_log_started_after_appendonly_no_numbers_after_every_record_of_the_closed_one() {
    let dir = folder("numbering");
    let store = Store::open(Config::default().data_dir(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "a", "1"]), Reply::ok());
    let closed = store.shared.aof.get().expect("a log");
    let writer = store.clone();
    CLOSING.with(|h| {
        *h.borrow_mut() = Some(Box::new(move || {
            let writer = writer.clone();
            std::thread::spawn(move || {
                let mut conn = writer.connection();
                conn.execute(["SELECT", "5"]);
                assert_eq!(conn.execute(["SET", "late", "1"]), Reply::ok());
            })
            .join()
            .expect("the writer");
        }));
    });
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendonly", "no"]),
        Reply::ok()
    );
    CLOSING.with(|h| *h.borrow_mut() = None);
    assert_eq!(
        store.shared.aof.next_first(),
        closed.log().next_seq(),
        "the closed log's last number"
    );
}
