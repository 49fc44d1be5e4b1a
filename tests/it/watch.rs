//! WATCH: every write Redis signals on a watched key aborts EXEC, what must not abort it,
//! and expiry with Redis 7's stale-key exception (redis-semantics.md §1.5 to §1.7, §6).

use std::time::Duration;

use crate::common::*;
use redlite::{Connection, ExecOutcome, Reply, Store};

// --------------------------------------------------------------------------------------------
// Every write Redis signals on a watched key aborts EXEC with a null reply (§1.5, §1.6, §6).

/// MULTI; SET probe 1; EXEC — and checks that the queued write ran only on commit.
fn probe_exec_aborts(store: &Store, c: &mut Connection) -> bool {
    c.execute(["MULTI"]);
    c.execute(["SET", "probe", "1"]);
    let aborted = c.exec().unwrap() == ExecOutcome::Aborted;
    assert_eq!(store.exists("probe").unwrap(), !aborted);
    aborted
}

#[test]
fn watch_aborts_on_write_by_another_connection() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    store.connection().execute(["SET", "x", "2"]);
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborted_exec_replies_null() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    store.set("x", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    assert_eq!(c.execute(["EXEC"]), Reply::NilArray);
}

#[test]
fn watch_aborts_on_write_by_the_same_connection() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    c.execute(["SET", "x", "40"]);
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_set_of_the_same_value() {
    let store = Store::new();
    store.set("x", "same").unwrap();
    let mut c = watching(&store, &["x"]);
    store.set("x", "same").unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_append_of_empty_string() {
    let store = Store::new();
    store.set("x", "v").unwrap();
    let mut c = watching(&store, &["x"]);
    store.execute(["APPEND", "x", ""]);
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_incr() {
    let store = Store::new();
    let mut c = watching(&store, &["n"]);
    store.incr_by("n", 0).unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_del() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    assert_eq!(store.del(&["x"]).unwrap(), 1);
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_rename_onto_the_watched_key() {
    let store = Store::new();
    store.set("src", 1).unwrap();
    let mut c = watching(&store, &["dst"]);
    store.rename("src", "dst").unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_rename_away_from_the_watched_key() {
    let store = Store::new();
    store.set("src", 1).unwrap();
    let mut c = watching(&store, &["src"]);
    store.rename("src", "dst").unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_flushdb_of_an_existing_watched_key() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    store.execute(["FLUSHDB"]);
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_flushall_of_an_existing_watched_key() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    store.execute(["FLUSHALL"]);
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_expire_that_only_extends_the_ttl() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    store.expire("x", 100).unwrap();
    let mut c = watching(&store, &["x"]);
    assert!(store.expire("x", 1000).unwrap());
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_persist_that_removes_a_ttl() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    store.expire("x", 100).unwrap();
    let mut c = watching(&store, &["x"]);
    assert!(store.persist("x").unwrap());
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_a_missing_watched_key_is_created() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    store.set("x", 1).unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_a_missing_key_is_created_then_deleted() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    store.set("x", 1).unwrap();
    store.del(&["x"]).unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_an_existing_key_is_deleted_then_recreated_with_the_same_value() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    store.del(&["x"]).unwrap();
    store.set("x", 1).unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_any_one_of_several_watched_keys_changes() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "a", "b", "c"]);
    store.set("b", 1).unwrap();
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_the_key_was_touched_before_watching_it_again() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    c.execute(["SET", "x", "1"]);
    // Watching again must not refresh the version seen by the first WATCH.
    assert_eq!(c.execute(["WATCH", "x"]), Reply::ok());
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_of_a_new_key_on_a_touched_connection_still_aborts() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    store.set("x", 1).unwrap();
    assert_eq!(c.execute(["WATCH", "y"]), Reply::ok());
    assert!(probe_exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_another_connection_s_exec_writes_the_key() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    let mut other = store.connection();
    other.execute(["MULTI"]);
    other.execute(["SET", "x", "1"]);
    other.execute(["EXEC"]);
    assert!(probe_exec_aborts(&store, &mut c));
}

// --------------------------------------------------------------------------------------------
// What must NOT abort EXEC: reads, no-op writes, other keys, the transaction's own queue (§1.5, §1.6).

#[test]
fn watch_is_not_aborted_by_reads() {
    let store = Store::new();
    store.set("x", "v").unwrap();
    let mut c = watching(&store, &["x"]);
    let reads: &[&[&str]] = &[
        &["GET", "x"],
        &["EXISTS", "x"],
        &["TOUCH", "x"],
        &["TYPE", "x"],
        &["TTL", "x"],
        &["STRLEN", "x"],
        &["GETRANGE", "x", "0", "-1"],
        &["MGET", "x", "y"],
        &["GETEX", "x"],
        &["KEYS", "*"],
        &["SCAN", "0"],
        &["DBSIZE"],
        &["RANDOMKEY"],
    ];
    for r in reads {
        assert!(!store.execute(*r).is_error(), "{r:?}");
        assert!(!c.execute(*r).is_error(), "{r:?}");
    }
    assert!(exec_commits(&mut c));
}

#[test]
fn watch_is_not_aborted_by_writes_to_other_keys() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    store.set("y", 1).unwrap();
    store.del(&["y"]).unwrap();
    store.execute(["MSET", "a", "1", "b", "2"]);
    assert!(exec_commits(&mut c));
}

#[test]
fn watch_is_not_aborted_by_no_op_writes() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x", "missing"]);
    let noops: &[&[&str]] = &[
        &["DEL", "missing"],
        &["UNLINK", "missing"],
        &["SETNX", "x", "2"],
        &["SET", "x", "2", "NX"],
        &["SET", "missing", "2", "XX"],
        &["EXPIRE", "missing", "10"],
        &["PERSIST", "x"],
        &["PERSIST", "missing"],
        &["RENAME", "x", "x"],
        &["SETRANGE", "x", "0", ""],
        &["MSETNX", "x", "9", "missing", "9"],
    ];
    for cmd in noops {
        assert!(!store.execute(*cmd).is_error(), "{cmd:?}");
    }
    assert!(exec_commits(&mut c));
    assert_eq!(store.get::<i64>("x").unwrap(), 1);
}

#[test]
fn watch_is_not_aborted_by_flush_when_the_watched_key_is_missing() {
    let store = Store::new();
    store.set("other", 1).unwrap();
    let mut c = watching(&store, &["missing"]);
    store.execute(["FLUSHALL"]);
    assert!(exec_commits(&mut c));
}

#[test]
fn watch_is_not_aborted_by_the_transaction_s_own_queued_writes() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    c.execute(["MULTI"]);
    c.execute(["SET", "x", "1"]);
    c.execute(["INCR", "x"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![Reply::ok(), Reply::Integer(2)])
    );
}

#[test]
fn watch_of_unchanged_keys_commits() {
    let store = Store::new();
    let mut c = watching(&store, &["x", "y", "z"]);
    c.execute(["WATCH", "k"]);
    assert!(exec_commits(&mut c));
}

#[test]
fn watching_a_key_twice_is_a_no_op() {
    let store = Store::new();
    let mut c = watching(&store, &["x", "x"]);
    c.execute(["WATCH", "x"]);
    assert!(exec_commits(&mut c));
}

#[test]
fn unwatch_forgets_keys_and_clears_the_dirty_flag() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    store.set("x", 1).unwrap();
    assert_eq!(c.execute(["UNWATCH"]), Reply::ok());
    assert!(exec_commits(&mut c));
}

#[test]
fn unwatch_with_nothing_watched_replies_ok() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["UNWATCH"]), Reply::ok());
    assert!(exec_commits(&mut c));
}

#[test]
fn exec_unwatches_keys_after_a_successful_exec() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    assert!(exec_commits(&mut c));
    store.set("x", 1).unwrap();
    assert!(exec_commits(&mut c));
}

#[test]
fn exec_unwatches_keys_after_an_aborted_exec() {
    let store = Store::new();
    let mut c = watching(&store, &["x"]);
    store.set("x", 1).unwrap();
    assert!(!exec_commits(&mut c));
    store.set("x", 2).unwrap();
    assert!(exec_commits(&mut c));
}

#[test]
fn watches_belong_to_one_connection() {
    let store = Store::new();
    let mut a = watching(&store, &["x"]);
    let mut b = store.connection();
    store.set("x", 1).unwrap();
    assert!(exec_commits(&mut b));
    assert!(!exec_commits(&mut a));
}

// --------------------------------------------------------------------------------------------
// Expiry and WATCH, including Redis 7's stale-key exception (§1.7). Time is a ManualClock.

#[test]
fn watch_aborts_when_the_key_expires_after_watch_even_if_not_yet_deleted() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, &["x"]);
    clock.advance(Duration::from_millis(101));
    assert!(exec_aborts(&mut c));
}

#[test]
fn watch_aborts_when_the_expired_key_is_reclaimed_by_the_sweep() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, &["x"]);
    clock.advance(Duration::from_millis(101));
    assert_eq!(store.purge_expired(), 1);
    assert!(exec_aborts(&mut c));
}

#[test]
fn watch_aborts_when_the_expired_key_is_lazily_deleted_by_a_write() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, &["x"]);
    clock.advance(Duration::from_millis(101));
    assert_eq!(store.del(&["x"]).unwrap(), 0);
    assert!(exec_aborts(&mut c));
}

#[test]
fn watch_does_not_abort_when_the_key_is_still_live_at_exec() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(100)).unwrap();
    let mut c = watching(&store, &["x"]);
    clock.advance(Duration::from_millis(100));
    assert!(!exec_aborts(&mut c));
}

#[test]
fn watch_of_a_stale_key_does_not_fail_exec() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, &["x"]);
    assert!(!store.exists("x").unwrap());
    assert!(!exec_aborts(&mut c));
}

#[test]
fn deleting_a_watched_stale_key_does_not_fail_exec() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, &["x"]);
    assert_eq!(store.del(&["x"]).unwrap(), 0);
    store.purge_expired();
    assert!(!exec_aborts(&mut c));
}

#[test]
fn flushdb_while_watching_a_stale_key_does_not_fail_exec() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, &["x"]);
    store.execute(["FLUSHDB"]);
    assert!(!exec_aborts(&mut c));
}

#[test]
fn recreating_a_watched_stale_key_fails_exec() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(1)).unwrap();
    clock.advance(Duration::from_millis(2));
    let mut c = watching(&store, &["x"]);
    store.set("x", "new").unwrap();
    assert!(exec_aborts(&mut c));
}

#[test]
fn stale_key_watched_by_one_connection_still_aborts_one_that_watched_it_live() {
    let (store, _, clock) = setup();
    store.set_ex("x", "v", Duration::from_millis(10)).unwrap();
    let mut live = watching(&store, &["x"]);
    clock.advance(Duration::from_millis(11));
    let mut stale = watching(&store, &["x"]);
    assert!(exec_aborts(&mut live));
    assert!(!exec_aborts(&mut stale));
}

#[test]
fn watch_does_not_require_the_key_to_exist() {
    let (store, _, _) = setup();
    store.set("x", 1).unwrap();
    store.del(&["x"]).unwrap();
    let mut c = watching(&store, &["x"]);
    assert_eq!(c.execute(["GET", "x"]), Reply::Nil);
    assert!(!exec_aborts(&mut c));
}

#[test]
fn setting_a_ttl_on_a_watched_key_aborts_even_before_it_runs_out() {
    let (store, _, _) = setup();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, &["x"]);
    store.expire("x", 100).unwrap();
    assert!(exec_aborts(&mut c));
}
