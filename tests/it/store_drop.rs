//! Stores share one background expiry thread, which ends soon after the last store's drop.
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
fn stores_share_one_expiry_thread_that_ends_after_the_last_store() {
    if !cfg!(target_os = "linux") {
        return;
    }
    if let Some(passed) = in_child("stores_share_one_expiry_thread_that_ends_after_the_last_store")
    {
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
    assert_eq!(threads(), before + 1);
    // A connection holds the store too: the thread ends about a second after the last
    // handle goes (it lingers for the next store).
    let conn = stores[0].connection();
    drop(stores);
    assert_eq!(threads(), before + 1);
    drop(conn);
    wait_for_threads(before);
    // A store made after that starts the thread again, and it sweeps.
    let fast = crate::common::config().active_expiry_interval(Duration::from_millis(1));
    let store = Store::with_config(fast);
    assert_eq!(threads(), before + 1);
    store.execute(["SET", "k", "v", "PX", "1"]);
    let mut polls = 0;
    while store.execute(["DBSIZE"]) != redlite::Reply::Integer(0) {
        std::thread::sleep(Duration::from_millis(1));
        polls += 1;
        assert!(
            polls < 10_000,
            "the restarted sweeper did not reclaim in 10 s"
        );
    }
    drop(store);
    wait_for_threads(before);
}

/// Waits (up to 10 s) until the process has `n` threads.
fn wait_for_threads(n: usize) {
    let mut polls = 0;
    while threads() != n {
        std::thread::sleep(Duration::from_millis(10));
        polls += 1;
        assert!(polls < 1000, "{} threads, not {n}, after 10 s", threads());
    }
}

#[test]
fn many_stores_are_each_swept_on_their_own_interval() {
    let fast = crate::common::config().active_expiry_interval(Duration::from_millis(1));
    let slow = crate::common::config().active_expiry_interval(Duration::from_secs(3600));
    let idle: Vec<Store> = (0..50).map(|_| Store::with_config(slow.clone())).collect();
    let swept: Vec<Store> = (0..50).map(|_| Store::with_config(fast.clone())).collect();
    for s in idle.iter().chain(&swept) {
        for i in 0..20 {
            s.execute(["SET", &format!("k{i}"), "v", "PX", "1"]);
        }
    }
    std::thread::sleep(Duration::from_millis(5));
    let mut polls = 0;
    while swept
        .iter()
        .any(|s| s.execute(["DBSIZE"]) != redlite::Reply::Integer(0))
    {
        std::thread::sleep(Duration::from_millis(1));
        polls += 1;
        assert!(polls < 10_000, "a store was not swept in 10 s");
    }
    // DBSIZE counts keys not yet reclaimed (expired or not): the idle stores' sweeps are an
    // hour away, and nothing read their keys.
    for s in &idle {
        assert_eq!(s.execute(["DBSIZE"]), redlite::Reply::Integer(20));
    }
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
