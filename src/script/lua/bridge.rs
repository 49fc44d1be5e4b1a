//! The `redis` table, and replies ↔ Lua values by Redis's rules.
//!
//! Reply → Lua: integer → number, bulk → string, nil → `false`, array → table, status →
//! `{ok = ..}`, error → `{err = ..}` (`pcall`; `call` raises it). Arguments: strings, and
//! numbers as Redis writes them (`%.17g`: `0.1` is `0.10000000000000001`). `redis.call` and
//! `redis.pcall` themselves are C functions (see `capi::call`).

use mlua::{Lua, MultiValue, Table, Value};

use crate::script::rhai::bridge::{error_reply_text, error_text};

/// The version scripts see (`redis.REDIS_VERSION`): the Redis whose behaviour redlite
/// follows.
const VERSION: &str = "7.0.15";
const VERSION_NUM: i64 = (7 << 16) | 15;

/// An error reply raised by `redis.call`: it keeps its code (`WRONGTYPE ...`) in the
/// script's error, where other errors get `ERR`.
#[derive(Debug)]
pub(crate) struct RaisedReply(pub(crate) String);

impl std::fmt::Display for RaisedReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RaisedReply {}

/// The `redis` table of a new state.
pub(crate) fn redis_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    super::capi::call::functions(lua, &t)?;
    t.raw_set(
        "error_reply",
        lua.create_function(|lua, s: mlua::String| {
            let text = error_reply_text(&s.to_string_lossy());
            tagged(lua, "err", text.as_bytes())
        })?,
    )?;
    t.raw_set(
        "status_reply",
        lua.create_function(|lua, s: mlua::String| tagged(lua, "ok", &s.as_bytes()))?,
    )?;
    t.raw_set("sha1hex", lua.create_function(sha1hex)?)?;
    t.raw_set("log", lua.create_function(log)?)?;
    t.raw_set("setresp", lua.create_function(setresp)?)?;
    t.raw_set("set_repl", lua.create_function(set_repl)?)?;
    t.raw_set("replicate_commands", lua.create_function(|_, ()| Ok(true))?)?;
    t.raw_set("breakpoint", lua.create_function(|_, ()| Ok(false))?)?;
    t.raw_set("debug", lua.create_function(|_, _: MultiValue| Ok(()))?)?;
    for (name, level) in [
        ("LOG_DEBUG", 0),
        ("LOG_VERBOSE", 1),
        ("LOG_NOTICE", 2),
        ("LOG_WARNING", 3),
    ] {
        t.raw_set(name, level)?;
    }
    for (name, flags) in [
        ("REPL_NONE", 0),
        ("REPL_AOF", 1),
        ("REPL_SLAVE", 2),
        ("REPL_REPLICA", 2),
        ("REPL_ALL", 3),
    ] {
        t.raw_set(name, flags)?;
    }
    t.raw_set("REDIS_VERSION", VERSION)?;
    t.raw_set("REDIS_VERSION_NUM", VERSION_NUM)?;
    Ok(t)
}

/// `{tag = text}`.
fn tagged(lua: &Lua, tag: &str, text: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 1)?;
    t.raw_set(tag, lua.create_string(text)?)?;
    Ok(t)
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn sha1hex(lua: &Lua, args: MultiValue) -> mlua::Result<mlua::String> {
    if args.len() != 1 {
        return Err(raise("ERR wrong number of arguments"));
    }
    let bytes = match args.front() {
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => lua
            .coerce_string(v.clone())?
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    lua.create_string(crate::script::cache::sha1_hex(&bytes))
}

/// `redis.log(level, message, ...)`: checked as Redis does, then dropped (an embedded
/// store has no server log).
#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn log(_: &Lua, args: MultiValue) -> mlua::Result<()> {
    if args.len() < 2 {
        return Err(raise("ERR redis.log() requires two arguments or more."));
    }
    match args.front() {
        Some(Value::Integer(0..=3)) => Ok(()),
        Some(Value::Integer(_) | Value::Number(_)) => Err(raise("ERR Invalid debug level.")),
        _ => Err(raise("ERR First argument must be a number (log level).")),
    }
}

/// `redis.setresp(2)`; replies are converted by RESP2's rules only.
#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn setresp(_: &Lua, args: MultiValue) -> mlua::Result<()> {
    if args.len() != 1 {
        return Err(raise("ERR redis.setresp() requires one argument."));
    }
    match args.front() {
        Some(Value::Integer(2)) => Ok(()),
        Some(Value::Integer(3)) => Err(raise(
            "ERR redlite scripts convert replies by RESP2's rules only (redis.setresp(2))",
        )),
        _ => Err(raise("ERR RESP version must be 2 or 3.")),
    }
}

/// `redis.set_repl(flags)`: accepted (each call of a script replays on its own).
#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn set_repl(_: &Lua, args: MultiValue) -> mlua::Result<()> {
    if args.len() != 1 {
        return Err(raise("ERR redis.set_repl() requires one argument."));
    }
    match args.front() {
        Some(Value::Integer(0..=3)) => Ok(()),
        _ => Err(raise(
            "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        )),
    }
}

/// An error the script's error text shows as it is (no `ERR ` added).
pub(crate) fn raise(text: &str) -> mlua::Error {
    mlua::Error::external(RaisedReply(text.into()))
}

/// The text of an error reply a script raised or returned (`{err = ..}`).
pub(crate) fn err_text(text: &str) -> String {
    error_text(text)
}
