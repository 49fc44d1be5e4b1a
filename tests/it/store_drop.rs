//! Dropping a store stops its background expiry thread before the drop returns.
//!
//! Threads are counted in /proc/self/task (Linux only). Other tests in the same binary start
//! stores of their own, so the counting runs in a child process that runs this test alone.

use std::time::Duration;

use redlite::Store;

const CHILD: &str = "REDLITE_THREAD_COUNT_CHILD";

/// This process's threads.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, std::iter::Iterator::count)
}

/// Runs the test named `name` (in this module) alone in a child process; true when the
/// child passed. Returns `None` inside the child, which then does the work.
fn in_child(name: &str) -> Option<bool> {
    if std::env::var_os(CHILD).is_some() {
        return None;
    }
    // The test's path inside its binary: this module's path without the crate name.
    let path = match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{name}"),
        None => name.to_string(),
    };
    let exe = std::env::current_exe().expect("the test binary's path");
    let status = std::process::Command::new(exe)
        .args([&path, "--exact", "--test-threads=1"])
        .env(CHILD, "1")
        .status()
        .expect("run the test binary");
    Some(status.success())
}

#[test]
fn dropped_stores_stop_their_expiry_threads() {
    if !cfg!(target_os = "linux") {
        return;
    }
    if let Some(passed) = in_child("dropped_stores_stop_their_expiry_threads") {
        assert!(passed, "the child process failed");
        return;
    }
    // An interval far longer than the test: no pass is running when a store drops, so the
    // drop that releases the last handle is always this thread's (see `Sweeper::drop`).
    let config = crate::common::config().active_expiry_interval(Duration::from_secs(3600));
    let before = threads();
    let stores: Vec<Store> = (0..200)
        .map(|_| Store::with_config(config.clone()))
        .collect();
    assert_eq!(threads(), before + 200);
    // A connection holds the store too: the thread stops when the last handle goes.
    let conn = stores[0].connection();
    drop(stores);
    assert_eq!(threads(), before + 1);
    drop(conn);
    assert_eq!(threads(), before);
}

#[test]
fn stores_dropped_while_their_sweeper_runs_do_not_hang() {
    // A 1 ms interval makes the thread often hold the last handle when the store drops: it
    // then ends the store itself and exits without joining itself.
    let config = crate::common::config().active_expiry_interval(Duration::from_millis(1));
    for i in 0..200 {
        let store = Store::with_config(config.clone());
        store.execute(["SET", "k", "v", "PX", "1"]);
        if i % 2 == 0 {
            std::thread::yield_now();
        }
        drop(store);
    }
}

#[test]
fn dropped_stores_stop_their_timer_threads() {
    if !cfg!(target_os = "linux") {
        return;
    }
    if let Some(passed) = in_child("dropped_stores_stop_their_timer_threads") {
        assert!(passed, "the child process failed");
        return;
    }
    let config = crate::common::config().active_expiry(false);
    let before = threads();
    let stores: Vec<Store> = (0..20)
        .map(|_| Store::with_config(config.clone()))
        .collect();
    for s in &stores {
        // An awaited pop with a timeout on the system clock starts the store's timer thread.
        let pop = s.blpop_async::<Option<(String, String)>, _>(&["q"], Duration::from_millis(20));
        assert_eq!(crate::common::poll::block_on(pop).unwrap(), None);
    }
    // Each store starts its timer thread, unless its deadline had already passed when the
    // wait was queued (a thread descheduled that long fires it at once): on a loaded
    // machine a few may start none.
    let during = threads();
    assert!(
        during > before && during <= before + 20,
        "{before} -> {during}"
    );
    drop(stores);
    assert_eq!(threads(), before);
}
