//! Runtime errors inside EXEC are error elements; nothing is rolled back (§1.4, §6).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redlite::{Clock, Config, ExecOutcome, Reply, Store};

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
