//! `pcall`'s error value as Redis 7.0 gives it: Redis raises errors from `redis.call` as
//! `{err = ..}` tables, and its `pcall` hands a script the table's `err` string (for
//! compatibility with scripts written for Redis 6, where errors were strings). So
//! `local ok, e = pcall(redis.call, 'INCR', k)` gives `false, "ERR value is not an integer
//! or out of range"`, and `pcall(error, {err = 'x'})` gives `false, "x"`. Errors that come
//! through mlua as userdata become their text the same way. An `xpcall` handler sees the
//! value Redis's would (see [`raised`]).

use mlua::{Lua, MultiValue, Value};

use super::args::LibError;
use super::bridge::RaisedReply;

/// `pcall`'s results with a failure's error value turned into its text.
#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
pub(crate) fn caught(lua: &Lua, mut results: MultiValue) -> mlua::Result<MultiValue> {
    if !matches!(results.front(), Some(Value::Boolean(false))) {
        return Ok(results);
    }
    let value = match results.get(1) {
        Some(Value::Error(e)) => Value::String(lua.create_string(error_text(e))?),
        Some(Value::Table(t)) => match t.raw_get::<Value>("err") {
            Ok(s @ Value::String(_)) => s,
            _ => return Ok(results),
        },
        _ => return Ok(results),
    };
    if let Some(slot) = results.get_mut(1) {
        *slot = value;
    }
    Ok(results)
}

/// The error value an `xpcall` handler sees, as in Redis 7.0: `{err = ..}` for an error
/// of `redis.call`, the text of a library's error; Lua's own error values as they are.
pub(crate) fn raised(lua: &Lua, e: Value) -> mlua::Result<Value> {
    let Value::Error(err) = &e else {
        return Ok(e);
    };
    let text = error_text(err);
    if is_reply(err) {
        let t = lua.create_table_with_capacity(0, 1)?;
        t.raw_set("err", lua.create_string(text)?)?;
        return Ok(Value::Table(t));
    }
    Ok(Value::String(lua.create_string(text)?))
}

/// Whether `e` is an error reply raised by `redis.call` (a table in Redis).
fn is_reply(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::CallbackError { cause, .. } => is_reply(cause),
        mlua::Error::ExternalError(inner) => inner.downcast_ref::<RaisedReply>().is_some(),
        _ => false,
    }
}

/// The text Redis's error value would hold.
fn error_text(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => error_text(cause),
        mlua::Error::ExternalError(inner) => {
            if let Some(raised) = inner.downcast_ref::<RaisedReply>() {
                raised.0.clone()
            } else if let Some(lib) = inner.downcast_ref::<LibError>() {
                lib.0.clone()
            } else {
                inner.to_string()
            }
        }
        mlua::Error::RuntimeError(text) => text.clone(),
        mlua::Error::MemoryError(_) => "not enough memory".into(),
        other => other.to_string(),
    }
}
