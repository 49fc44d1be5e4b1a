//! Queue-time errors doom the transaction: EXEC replies EXECABORT and runs nothing (§1.3).

use redlite::{Error, Reply, Store};

const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

#[test]
fn unknown_command_in_multi_is_rejected_at_once() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    assert_eq!(
        c.execute(["NOSUCHCMD", "a", "b"]),
        Reply::error("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' ")
    );
}

#[test]
fn unknown_command_in_multi_makes_exec_abort_and_run_nothing() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    c.execute(["NOSUCHCMD"]);
    c.execute(["SET", "b", "1"]);
    assert_eq!(c.execute(["EXEC"]), Reply::error(EXECABORT));
    assert_eq!(store.dbsize().unwrap(), 0);
}

#[test]
fn wrong_arity_in_multi_is_rejected_and_makes_exec_abort() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    assert_eq!(
        c.execute(["INCR", "a", "b", "c"]),
        Reply::error("ERR wrong number of arguments for 'incr' command")
    );
    assert_eq!(c.execute(["EXEC"]), Reply::error(EXECABORT));
    assert!(!store.exists("a").unwrap());
}

#[test]
fn commands_after_a_queue_error_still_reply_queued() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["NOSUCHCMD"]);
    assert_eq!(c.execute(["SET", "a", "1"]), Reply::status("QUEUED"));
}

#[test]
fn exec_outcome_reports_execabort_as_an_error() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["GET"]);
    assert_eq!(c.exec(), Err(Error::Reply(EXECABORT.into())));
}

#[test]
fn execabort_clears_the_multi_state() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["NOSUCHCMD"]);
    c.execute(["EXEC"]);
    assert!(!c.in_multi());
    assert_eq!(c.execute(["PING"]), Reply::status("PONG"));
    assert_eq!(c.execute(["EXEC"]), Reply::error("ERR EXEC without MULTI"));
}

#[test]
fn execabort_unwatches_all_keys() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "x"]);
    c.execute(["MULTI"]);
    c.execute(["NOSUCHCMD"]);
    c.execute(["EXEC"]);
    store.set("x", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![Reply::status("PONG")])
    );
}

#[test]
fn execabort_wins_over_a_touched_watch() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["WATCH", "x"]);
    store.set("x", 1).unwrap();
    c.execute(["MULTI"]);
    c.execute(["NOSUCHCMD"]);
    assert_eq!(c.execute(["EXEC"]), Reply::error(EXECABORT));
}

#[test]
fn exec_with_arguments_in_multi_aborts_the_transaction_at_once() {
    // Redis's rejectCommand turns EXEC's own arity error into EXECABORT and discards.
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    assert_eq!(
        c.execute(["EXEC", "now"]),
        Reply::error(
            "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"
        )
    );
    assert!(!c.in_multi());
    assert_eq!(c.execute(["EXEC"]), Reply::error("ERR EXEC without MULTI"));
}

#[test]
fn option_and_number_errors_are_queued_and_fail_only_at_exec() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    for cmd in [
        &["SET", "k", "v", "BADOPT"][..],
        &["SET", "k", "v", "NX", "XX"],
        &["INCRBY", "k", "notanumber"],
        &["MSET", "a", "1", "b"],
        &["SET", "ok", "1"],
    ] {
        assert_eq!(c.execute(cmd), Reply::status("QUEUED"));
    }
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![
            Reply::error("ERR syntax error"),
            Reply::error("ERR syntax error"),
            Reply::error("ERR value is not an integer or out of range"),
            Reply::error("ERR wrong number of arguments for 'mset' command"),
            Reply::ok(),
        ])
    );
}
