//! MULTI / EXEC / DISCARD basics (redis-semantics.md §1.1, §1.2).

use redlite::{ExecOutcome, Reply, Store};

fn ok() -> Reply {
    Reply::ok()
}

fn queued() -> Reply {
    Reply::status("QUEUED")
}

#[test]
fn multi_replies_ok_and_commands_reply_queued() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["MULTI"]), ok());
    assert_eq!(c.execute(["SET", "a", "1"]), queued());
    assert_eq!(c.execute(["PING"]), queued());
    assert!(c.in_multi());
}

#[test]
fn queued_commands_do_not_run_before_exec() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    assert_eq!(store.get::<Option<i64>>("a").unwrap(), None);
}

#[test]
fn exec_returns_one_reply_per_queued_command_in_order() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    c.execute(["INCR", "a"]);
    c.execute(["GET", "a"]);
    c.execute(["PING"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![
            ok(),
            Reply::Integer(2),
            Reply::bulk("2"),
            Reply::status("PONG")
        ])
    );
    assert!(!c.in_multi());
}

#[test]
fn empty_multi_exec_returns_empty_array() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![]));
}

#[test]
fn empty_exec_outcome_is_committed_not_aborted() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    assert_eq!(c.exec().unwrap(), ExecOutcome::Committed(vec![]));
}

#[test]
fn reads_inside_multi_reply_queued_not_data() {
    let store = Store::new();
    store.set("k", "v").unwrap();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    assert_eq!(c.execute(["GET", "k"]), queued());
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![Reply::bulk("v")]));
}

#[test]
fn discard_replies_ok_drops_the_queue_and_leaves_data_unchanged() {
    let store = Store::new();
    store.set("a", "b").unwrap();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    assert_eq!(c.execute(["DEL", "a"]), queued());
    assert_eq!(c.execute(["DISCARD"]), ok());
    assert!(!c.in_multi());
    assert_eq!(c.execute(["GET", "a"]), Reply::bulk("b"));
}

#[test]
fn discard_unwatches_all_keys() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "x"]);
    c.execute(["MULTI"]);
    c.execute(["DISCARD"]);
    store.set("x", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![Reply::status("PONG")])
    );
}

#[test]
fn discard_clears_the_watch_dirty_flag() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "x"]);
    c.execute(["SET", "x", "10"]);
    c.execute(["MULTI"]);
    c.execute(["DISCARD"]);
    c.execute(["MULTI"]);
    c.execute(["INCR", "x"]);
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![Reply::Integer(11)]));
}

#[test]
fn exec_without_multi_is_an_error() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["EXEC"]), Reply::error("ERR EXEC without MULTI"));
}

#[test]
fn exec_outcome_without_multi_is_an_error() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.exec(),
        Err(redlite::Error::Reply("ERR EXEC without MULTI".into()))
    );
}

#[test]
fn discard_without_multi_is_an_error() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.execute(["DISCARD"]),
        Reply::error("ERR DISCARD without MULTI")
    );
}

#[test]
fn nested_multi_is_an_error_that_keeps_the_transaction() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    assert_eq!(
        c.execute(["MULTI"]),
        Reply::error("ERR MULTI calls can not be nested")
    );
    c.execute(["INCR", "a"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![ok(), Reply::Integer(2)])
    );
}

#[test]
fn watch_inside_multi_is_an_error_that_keeps_the_transaction() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    assert_eq!(
        c.execute(["WATCH", "a"]),
        Reply::error("ERR WATCH inside MULTI is not allowed")
    );
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![ok()]));
}

#[test]
fn watch_inside_multi_does_not_watch_the_key() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["WATCH", "a"]);
    c.execute(["PING"]);
    c.execute(["EXEC"]);
    // Had WATCH registered the key, this write would abort the next EXEC.
    store.set("a", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![Reply::status("PONG")])
    );
}

#[test]
fn unwatch_inside_multi_is_queued_and_replies_ok_in_exec() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    assert_eq!(c.execute(["UNWATCH"]), queued());
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![ok()]));
}

#[test]
fn unwatch_inside_multi_does_not_save_a_touched_transaction() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "x"]);
    store.set("x", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["UNWATCH"]);
    c.execute(["SET", "y", "1"]);
    assert_eq!(c.execute(["EXEC"]), Reply::Nil);
    assert!(!store.exists("y").unwrap());
}

#[test]
fn watch_without_keys_is_an_arity_error() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.execute(["WATCH"]),
        Reply::error("ERR wrong number of arguments for 'watch' command")
    );
}

#[test]
fn later_commands_in_exec_see_earlier_ones() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "5"]);
    c.execute(["RENAME", "a", "b"]);
    c.execute(["INCRBY", "b", "10"]);
    c.execute(["EXISTS", "a"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![ok(), ok(), Reply::Integer(15), Reply::Integer(0)])
    );
}

#[test]
fn commands_are_case_insensitive_inside_multi() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["multi"]), ok());
    assert_eq!(c.execute(["set", "a", "1"]), queued());
    assert_eq!(c.execute(["Exec"]), Reply::Array(vec![ok()]));
}
