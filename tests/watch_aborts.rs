//! Every write Redis signals on a watched key aborts EXEC with a null reply (§1.5, §1.6, §6).

use redlite::{Connection, ExecOutcome, Reply, Store};

/// WATCH `key` on a new connection of `store`.
fn watching(store: &Store, key: &str) -> Connection {
    let mut c = store.connection();
    assert_eq!(c.execute(["WATCH", key]), Reply::ok());
    c
}

/// MULTI; SET probe 1; EXEC — and checks that the queued write ran only on commit.
fn exec_aborts(store: &Store, c: &mut Connection) -> bool {
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
    let mut c = watching(&store, "x");
    store.connection().execute(["SET", "x", "2"]);
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborted_exec_replies_null() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    store.set("x", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    assert_eq!(c.execute(["EXEC"]), Reply::Nil);
}

#[test]
fn watch_aborts_on_write_by_the_same_connection() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    c.execute(["SET", "x", "40"]);
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_set_of_the_same_value() {
    let store = Store::new();
    store.set("x", "same").unwrap();
    let mut c = watching(&store, "x");
    store.set("x", "same").unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_append_of_empty_string() {
    let store = Store::new();
    store.set("x", "v").unwrap();
    let mut c = watching(&store, "x");
    store.execute(["APPEND", "x", ""]);
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_incr() {
    let store = Store::new();
    let mut c = watching(&store, "n");
    store.incr_by("n", 0).unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_del() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, "x");
    assert_eq!(store.del(&["x"]).unwrap(), 1);
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_rename_onto_the_watched_key() {
    let store = Store::new();
    store.set("src", 1).unwrap();
    let mut c = watching(&store, "dst");
    store.rename("src", "dst").unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_rename_away_from_the_watched_key() {
    let store = Store::new();
    store.set("src", 1).unwrap();
    let mut c = watching(&store, "src");
    store.rename("src", "dst").unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_flushdb_of_an_existing_watched_key() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, "x");
    store.execute(["FLUSHDB"]);
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_flushall_of_an_existing_watched_key() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, "x");
    store.execute(["FLUSHALL"]);
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_expire_that_only_extends_the_ttl() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    store.expire("x", 100).unwrap();
    let mut c = watching(&store, "x");
    assert!(store.expire("x", 1000).unwrap());
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_on_persist_that_removes_a_ttl() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    store.expire("x", 100).unwrap();
    let mut c = watching(&store, "x");
    assert!(store.persist("x").unwrap());
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_a_missing_watched_key_is_created() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    store.set("x", 1).unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_a_missing_key_is_created_then_deleted() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    store.set("x", 1).unwrap();
    store.del(&["x"]).unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_an_existing_key_is_deleted_then_recreated_with_the_same_value() {
    let store = Store::new();
    store.set("x", 1).unwrap();
    let mut c = watching(&store, "x");
    store.del(&["x"]).unwrap();
    store.set("x", 1).unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_any_one_of_several_watched_keys_changes() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "a", "b", "c"]);
    store.set("b", 1).unwrap();
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_the_key_was_touched_before_watching_it_again() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    c.execute(["SET", "x", "1"]);
    // Watching again must not refresh the version seen by the first WATCH.
    assert_eq!(c.execute(["WATCH", "x"]), Reply::ok());
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_of_a_new_key_on_a_touched_connection_still_aborts() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    store.set("x", 1).unwrap();
    assert_eq!(c.execute(["WATCH", "y"]), Reply::ok());
    assert!(exec_aborts(&store, &mut c));
}

#[test]
fn watch_aborts_when_another_connection_s_exec_writes_the_key() {
    let store = Store::new();
    let mut c = watching(&store, "x");
    let mut other = store.connection();
    other.execute(["MULTI"]);
    other.execute(["SET", "x", "1"]);
    other.execute(["EXEC"]);
    assert!(exec_aborts(&store, &mut c));
}
