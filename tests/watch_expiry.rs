//! Expiry and WATCH, including Redis 7's stale-key exception (§1.7). Time is a ManualClock.

use std::time::Duration;

use redlite::{Config, Connection, ManualClock, Reply, Store};

fn store() -> (Store, ManualClock) {
    let clock = ManualClock::new();
    let config = Config::default().clock(clock.clone()).active_expiry(false);
    (Store::with_config(config), clock)
}

fn watching(store: &Store, key: &str) -> Connection {
    let mut c = store.connection();
    assert_eq!(c.execute(["WATCH", key]), Reply::ok());
    c
}

/// MULTI; PING; EXEC: true when EXEC replied the null array.
fn exec_aborts(c: &mut Connection) -> bool {
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    match c.execute(["EXEC"]) {
        Reply::Nil => true,
        Reply::Array(r) if r == vec![Reply::status("PONG")] => false,
        other => panic!("unexpected EXEC reply {other:?}"),
    }
}

#[test]
fn watch_aborts_when_the_key_expires_after_watch_even_if_not_yet_deleted() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, "x");
    clock.advance(Duration::from_millis(101));
    assert!(exec_aborts(&mut c));
}

#[test]
fn watch_aborts_when_the_expired_key_is_reclaimed_by_the_sweep() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, "x");
    clock.advance(Duration::from_millis(101));
    assert_eq!(store.purge_expired(), 1);
    assert!(exec_aborts(&mut c));
}

#[test]
fn watch_aborts_when_the_expired_key_is_lazily_deleted_by_a_write() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, "x");
    clock.advance(Duration::from_millis(101));
    assert_eq!(store.del(&["x"]).unwrap(), 0);
    assert!(exec_aborts(&mut c));
}

#[test]
fn watch_does_not_abort_when_the_key_is_still_live_at_exec() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, "x");
    clock.advance(Duration::from_millis(100));
    assert!(!exec_aborts(&mut c));
}

#[test]
fn watch_of_a_stale_key_does_not_fail_exec() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, "x");
    assert!(!store.exists("x").unwrap());
    assert!(!exec_aborts(&mut c));
}

#[test]
fn deleting_a_watched_stale_key_does_not_fail_exec() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, "x");
    assert_eq!(store.del(&["x"]).unwrap(), 0);
    store.purge_expired();
    assert!(!exec_aborts(&mut c));
}

#[test]
fn flushdb_while_watching_a_stale_key_does_not_fail_exec() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, "x");
    store.execute(["FLUSHDB"]);
    assert!(!exec_aborts(&mut c));
}

#[test]
fn recreating_a_watched_stale_key_fails_exec() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, "x");
    store.set("x", "new").unwrap();
    assert!(exec_aborts(&mut c));
}

#[test]
fn stale_key_watched_by_one_connection_still_aborts_one_that_watched_it_live() {
    let (store, clock) = store();
    store.set_ex("x", "v", Duration::from_millis(10)).unwrap();
    let mut live = watching(&store, "x");
    clock.advance(Duration::from_millis(11));
    let mut stale = watching(&store, "x");
    assert!(exec_aborts(&mut live));
    assert!(!exec_aborts(&mut stale));
}

#[test]
fn watch_does_not_require_the_key_to_exist() {
    let (store, _) = store();
    store.set("x", 1).unwrap();
    store.del(&["x"]).unwrap();
    let mut c = watching(&store, "x");
    assert_eq!(c.execute(["GET", "x"]), Reply::Nil);
    assert!(!exec_aborts(&mut c));
}

#[test]
fn setting_a_ttl_on_a_watched_key_aborts_even_before_it_runs_out() {
    let (store, _) = store();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, "x");
    store.expire("x", 100).unwrap();
    assert!(exec_aborts(&mut c));
}
