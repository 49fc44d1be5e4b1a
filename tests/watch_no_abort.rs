//! What must NOT abort EXEC: reads, no-op writes, other keys, the transaction's own queue (§1.5, §1.6).

use redlite::{Connection, Reply, Store};

fn watching(store: &Store, keys: &[&str]) -> Connection {
    let mut c = store.connection();
    let mut argv = vec!["WATCH"];
    argv.extend_from_slice(keys);
    assert_eq!(c.execute(argv), Reply::ok());
    c
}

/// MULTI; PING; EXEC: true when EXEC ran.
fn exec_commits(c: &mut Connection) -> bool {
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    match c.execute(["EXEC"]) {
        Reply::Nil => false,
        Reply::Array(r) if r == vec![Reply::status("PONG")] => true,
        other => panic!("unexpected EXEC reply {other:?}"),
    }
}

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
