//! Helpers shared by the integration tests: a store on a manual clock, reply builders,
//! error texts, and the WATCH / MULTI / EXEC probes that tell whether a write touched a key.

pub mod crc64;
pub mod datadir;
pub mod dataset;
pub mod gate;
pub mod poll;
pub mod rss;
#[cfg(feature = "lua")]
pub mod scripts_on_redis;

use redlite::{Config, Connection, ManualClock, Reply, ScriptEngine, Store};

/// The default config, but with Rhai for scripts without a shebang: the tests written in
/// Rhai run the same with the `lua` feature on (which makes Lua the default, as in Redis).
pub fn config() -> Config {
    Config::default().default_script_engine(ScriptEngine::Rhai)
}

/// A store built on [`config`].
pub fn rhai_store() -> Store {
    Store::with_config(config())
}

/// A store whose time moves only when the test says so, with no background sweep.
pub fn setup() -> (Store, Connection, ManualClock) {
    let clock = ManualClock::new();
    let store = Store::with_config(config().clock(clock.clone()).active_expiry(false));
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

pub fn queued() -> Reply {
    Reply::status("QUEUED")
}

pub fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(Reply::bulk).collect())
}

pub const NOT_INT: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const SYNTAX: &str = "ERR syntax error";
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

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

/// A new connection of `store` that `WATCHes` `keys`.
pub fn watching(store: &Store, keys: &[&str]) -> Connection {
    let mut c = store.connection();
    let mut argv = vec!["WATCH"];
    argv.extend_from_slice(keys);
    assert_eq!(c.execute(argv), Reply::ok());
    c
}

/// MULTI; PING; EXEC on `c`: true when EXEC replied the null array (a watched key
/// changed), false when it ran the PING. Any other reply (a null bulk too) fails the test.
pub fn exec_aborts(c: &mut Connection) -> bool {
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    match c.execute(["EXEC"]) {
        Reply::NilArray => true,
        Reply::Array(r) if r == vec![Reply::status("PONG")] => false,
        other => panic!("unexpected EXEC reply {other:?}"),
    }
}

/// MULTI; PING; EXEC on `c`: true when EXEC ran (see [`exec_aborts`]).
pub fn exec_commits(c: &mut Connection) -> bool {
    !exec_aborts(c)
}

/// Runs `write` on another connection between a WATCH of `keys` and EXEC: true when that
/// EXEC aborted, i.e. the write signalled one of the keys.
pub fn write_aborts(store: &Store, keys: &[&str], write: &[&str]) -> bool {
    let mut c = watching(store, keys);
    store.execute(write);
    exec_aborts(&mut c)
}

/// Deletes k and runs `setup` (a command line, or nothing), then tells whether `line` on
/// another connection leaves a WATCH of k intact: true when EXEC still commits.
pub fn exec_survives(store: &Store, setup: &str, line: &str) -> bool {
    let mut other = store.connection();
    run(&mut other, "DEL k");
    if !setup.is_empty() {
        run(&mut other, setup);
    }
    let write: Vec<&str> = line.split_whitespace().collect();
    !write_aborts(store, &["k"], &write)
}
