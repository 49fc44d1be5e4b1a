//! MULTI / EXEC / DISCARD: basics (redis-semantics.md §1.1, §1.2), queue-time errors that
//! doom the transaction (§1.3), and runtime errors that roll nothing back (§1.4, §6).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::common::*;
use redlite::{Clock, Config, Error, ExecOutcome, Reply, Store};

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
    assert_eq!(c.execute(["EXEC"]), Reply::NilArray);
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

// --------------------------------------------------------------------------------------------
// Queue-time errors doom the transaction: EXEC replies EXECABORT and runs nothing (§1.3).

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

// EXEC refused for its arity ends the transaction and unwatches, as Redis's
// `rejectCommand` does, inside or outside MULTI.

const ABORT: &str =
    "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command";

#[test]
fn exec_with_arguments_inside_multi_discards_the_queue() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["MULTI"]), Reply::ok());
    assert_eq!(c.execute(["SET", "k", "v"]), Reply::status("QUEUED"));
    assert_eq!(c.execute(["EXEC", "x"]), Reply::error(ABORT));
    assert!(!c.in_multi());
    assert_eq!(c.execute(["EXEC"]), Reply::error("ERR EXEC without MULTI"));
    assert_eq!(c.execute(["GET", "k"]), Reply::Nil);
}

#[test]
fn exec_with_arguments_outside_multi_unwatches() {
    let store = Store::new();
    let mut c = store.connection();
    let mut other = store.connection();
    assert_eq!(c.execute(["WATCH", "k"]), Reply::ok());
    assert_eq!(c.execute(["EXEC", "x"]), Reply::error(ABORT));
    assert_eq!(other.execute(["SET", "k", "1"]), Reply::ok());
    assert_eq!(c.execute(["MULTI"]), Reply::ok());
    assert_eq!(c.execute(["INCR", "k"]), Reply::status("QUEUED"));
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![Reply::Integer(2)]));
}

// --------------------------------------------------------------------------------------------
// Runtime errors inside EXEC are error elements; nothing is rolled back (§1.4, §6).

#[test]
fn runtime_error_in_exec_is_an_element_and_the_other_commands_still_run() {
    let store = Store::new();
    store.set("s", "text").unwrap();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    c.execute(["INCR", "s"]);
    c.execute(["SET", "b", "2"]);
    assert_eq!(
        c.exec().unwrap(),
        ExecOutcome::Committed(vec![
            Reply::ok(),
            Reply::error("ERR value is not an integer or out of range"),
            Reply::ok(),
        ])
    );
    assert_eq!(store.get::<i64>("a").unwrap(), 1);
    assert_eq!(store.get::<i64>("b").unwrap(), 2);
}

#[test]
fn failing_command_in_exec_does_not_roll_back_earlier_writes() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "k", "v"]);
    c.execute(["GETRANGE", "k", "0", "-1"]);
    c.execute(["INCRBYFLOAT", "k", "1"]);
    let r = c.execute(["EXEC"]);
    assert_eq!(
        r,
        Reply::Array(vec![
            Reply::ok(),
            Reply::bulk("v"),
            Reply::error("ERR value is not a valid float"),
        ])
    );
    assert_eq!(store.get::<String>("k").unwrap(), "v");
}

/// A clock that moves two milliseconds forward each time it is read.
#[derive(Debug, Default)]
struct TickingClock(Arc<AtomicU64>);

impl Clock for TickingClock {
    fn now_ms(&self) -> u64 {
        1_000_000 + self.0.fetch_add(2, Ordering::SeqCst)
    }
}

#[test]
fn time_is_frozen_for_the_whole_exec() {
    let store = Store::with_config(Config::default().clock(TickingClock::default()));
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "k", "v", "PX", "1"]);
    c.execute(["GET", "k"]);
    c.execute(["GET", "k"]);
    // Each command outside EXEC reads the clock again; inside, one reading serves all, so
    // the 1 ms TTL cannot run out between the queued commands.
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![Reply::ok(), Reply::bulk("v"), Reply::bulk("v")])
    );
    assert_eq!(c.execute(["GET", "k"]), Reply::Nil);
}
