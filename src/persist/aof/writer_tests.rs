//! Tests of the log's writer, and the hooks its code calls under `cfg(test)`.

use std::cell::Cell;

use super::Log;
use crate::{Config, Fsync, Reply, Store};

thread_local! {
    /// What the last deferred wait of this thread owed, and the durable mark it saw
    /// when it returned.
    static ACKED: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

thread_local! {
    /// What a test runs on this thread as each wait for the log starts.
    static ON_WAIT: std::cell::RefCell<Option<Box<dyn Fn()>>> =
        std::cell::RefCell::new(None);
}

/// Runs this thread's `on_wait` hook (as a wait for the log starts).
pub(in crate::persist::aof) fn waiting() {
    ON_WAIT.with(|h| {
        if let Some(f) = &*h.borrow() {
            f();
        }
    });
}

/// Sets (or clears) what runs as each wait of this thread starts.
pub(in crate::persist::aof) fn on_wait(hook: Option<Box<dyn Fn()>>) {
    ON_WAIT.with(|h| *h.borrow_mut() = hook);
}

/// Called by `settle` right after its wait returned.
pub(in crate::persist::aof) fn acknowledged(log: &Log, below: u64) {
    let done = log.state.lock().done_below;
    ACKED.with(|a| a.set((below, done)));
}

fn folder(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A log whose file fails every write (`/dev/full`: ENOSPC) refuses writes with Redis's
/// MISCONF text; a rewrite onto a good file ends it.
#[cfg(target_os = "linux")]
#[test]
fn a_failing_log_refuses_writes_until_a_rewrite_replaces_it() {
    let dir = folder("log-fails");
    let store = Store::open(Config::default().data_dir(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "k", "1"]), Reply::ok());
    crate::persist::aof::failure_tests::fail_the_log(&store);
    assert_eq!(store.execute(["SET", "k", "2"]), Reply::ok());
    store.shared.aof.get().expect("a log").log.flush();
    let misconf = Reply::error("MISCONF Errors writing to the AOF file: No space left on device");
    assert_eq!(store.execute(["SET", "k", "3"]), misconf);
    assert_eq!(store.execute(["PING"]), misconf);
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("2"));
    let Reply::Bulk(info) = store.execute(["INFO", "persistence"]) else {
        panic!("INFO is a bulk string")
    };
    assert!(String::from_utf8_lossy(&info).contains("aof_last_write_status:err"));
    store.rewrite_aof().expect("a rewrite onto a new file");
    assert_eq!(store.execute(["SET", "k", "4"]), Reply::ok());
    drop(store);
    let store = Store::open(Config::default().data_dir(&dir)).expect("reopen");
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("4"));
}

#[test]
fn an_acknowledged_write_is_always_at_or_below_the_durable_mark() {
    const THREADS: usize = 8;
    const WRITES: i64 = 40;
    let dir = folder("durable-mark");
    let config = || Config::default().data_dir(&dir).appendfsync(Fsync::Always);
    let store = Store::open(config()).expect("open");
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = store.clone();
            s.spawn(move || {
                let key = format!("counter:{t}");
                let mut last = 0;
                for i in 1..=WRITES {
                    assert_eq!(store.execute(["INCR", key.as_str()]), Reply::Integer(i));
                    let (owed, durable) = ACKED.with(Cell::get);
                    // The reply came back after a wait for this write's own record
                    // (a new, higher number), and only once the mark covered it.
                    assert!(owed > last, "write {i} of thread {t} did not wait");
                    assert!(
                        durable >= owed,
                        "acknowledged {owed} above the mark {durable}"
                    );
                    last = owed;
                }
            });
        }
    });
    drop(store);
    let reopened = Store::open(config()).expect("reopen");
    for t in 0..THREADS {
        let key = format!("counter:{t}");
        assert_eq!(reopened.get::<i64>(key.as_str()).ok(), Some(WRITES));
    }
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reader_never_replies_with_a_write_that_is_not_durable_yet() {
    let dir = folder("durable-reads");
    let store =
        Store::open(Config::default().data_dir(&dir).appendfsync(Fsync::Always)).expect("open");
    let log = store
        .shared
        .aof
        .get()
        .map(|a| a.log.clone())
        .expect("a log");
    let writing = std::sync::atomic::AtomicUsize::new(4);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..30 {
                    store.execute(["INCR", "k"]);
                }
                writing.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            });
        }
        for _ in 0..2 {
            s.spawn(|| {
                while writing.load(std::sync::atomic::Ordering::Relaxed) > 0 {
                    // Only INCRs of `k` are logged, one record each: seeing value v
                    // needs records 0..v durable.
                    let seen = store.get::<Option<i64>>("k").ok().flatten().unwrap_or(0);
                    let durable = crate::keyspace::locks::Durable::durable_below(&*log);
                    assert!(
                        durable >= u64::try_from(seen).unwrap_or(0),
                        "saw {seen}, durable {durable}"
                    );
                }
            });
        }
    });
    assert_eq!(store.get::<i64>("k").ok(), Some(120));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_framing_records_are_what_the_encoder_writes() {
    let enc = |args: &[&str]| {
        let mut out = Vec::new();
        super::resp::encode(&mut out, args);
        out
    };
    assert_eq!(super::MULTI, enc(&["MULTI"]));
    assert_eq!(super::EXEC, enc(&["EXEC"]));
    assert_eq!(super::SELECT_0, enc(&["SELECT", "0"]));
}
