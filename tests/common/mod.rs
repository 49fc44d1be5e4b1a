//! Helpers shared by the integration tests: a store on a manual clock, reply builders.
#![allow(dead_code)]

pub mod gate;
pub mod rss;

use redlite::{Config, Connection, ManualClock, Reply, Store};

/// A store whose time moves only when the test says so, with no background sweep.
pub fn setup() -> (Store, Connection, ManualClock) {
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()).active_expiry(false));
    let conn = store.connection();
    (store, conn, clock)
}

pub fn ok() -> Reply {
    Reply::ok()
}

pub fn nil() -> Reply {
    Reply::Nil
}

pub fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

pub fn bulk(s: impl AsRef<[u8]>) -> Reply {
    Reply::bulk(s)
}

pub fn err(text: &str) -> Reply {
    Reply::error(text.to_string())
}

pub fn status(text: &str) -> Reply {
    Reply::status(text.to_string())
}

pub fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(Reply::bulk).collect())
}

pub const NOT_INT: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const SYNTAX: &str = "ERR syntax error";

pub fn arity(name: &str) -> Reply {
    err(&format!(
        "ERR wrong number of arguments for '{name}' command"
    ))
}

pub fn bad_expire(name: &str) -> Reply {
    err(&format!("ERR invalid expire time in '{name}' command"))
}

/// The array of a KEYS-like reply, sorted, as strings.
pub fn sorted(reply: Reply) -> Vec<String> {
    let Reply::Array(items) = reply else {
        panic!("not an array: {reply:?}")
    };
    let mut out: Vec<String> = items
        .into_iter()
        .map(|r| match r {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("not a bulk: {other:?}"),
        })
        .collect();
    out.sort();
    out
}

/// Runs a whitespace-separated command line (no argument may contain a space).
pub fn run(c: &mut Connection, line: &str) -> Reply {
    c.execute(line.split_whitespace())
}

pub fn ints(items: &[i64]) -> Reply {
    Reply::Array(items.iter().map(|&n| Reply::Integer(n)).collect())
}

/// WATCH k on one connection, run `setup` then `line` on another, then MULTI/PING/EXEC on
/// the first: true when that EXEC committed (the write did not touch k).
pub fn exec_survives(store: &Store, setup: &str, line: &str) -> bool {
    let mut other = store.connection();
    run(&mut other, "DEL k");
    if !setup.is_empty() {
        run(&mut other, setup);
    }
    let mut c = store.connection();
    run(&mut c, "WATCH k");
    run(&mut other, line);
    run(&mut c, "MULTI");
    run(&mut c, "PING");
    run(&mut c, "EXEC") != Reply::Nil
}
