//! Argument checks of Lua's C API (`luaL_checklstring`, `luaL_checkinteger`,
//! `luaL_optinteger`, `luaL_argerror`) for the libraries rewritten in Rust, with Lua 5.1's
//! texts: `bad argument #2 to 'unpack_one' (number expected, got string)`.

use mlua::{Lua, MultiValue, Table, Value};

/// Lua's name for the type of `v` (`lua_typename`); `no value` past the last argument.
pub(crate) fn type_name(v: Option<&Value>) -> &'static str {
    match v {
        None => "no value",
        Some(Value::Nil) => "nil",
        Some(Value::Boolean(_)) => "boolean",
        Some(Value::Integer(_) | Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Table(_)) => "table",
        Some(Value::Function(_)) => "function",
        Some(Value::Thread(_)) => "thread",
        Some(_) => "userdata",
    }
}

/// `luaL_argerror`: `bad argument #<at> to '<name>' (<text>)`, raised at the caller's line.
/// The name is the one the call site used (`local p = struct.pack; p()` says `'p'`), `?`
/// when there is none (a call straight from `pcall`), as Lua finds it.
pub(crate) fn arg_error(lua: &Lua, at: usize, text: &str) -> mlua::Error {
    let (name, method) = lua.inspect_stack(0).map_or((None, false), |frame| {
        let names = frame.names();
        let method = names.name_what == Some("method");
        (names.name.map(std::borrow::Cow::into_owned), method)
    });
    let name = name.unwrap_or_else(|| "?".into());
    if method && at == 1 {
        return lib_error(lua, &format!("calling '{name}' on bad self ({text})"));
    }
    let at = if method { at - 1 } else { at };
    lib_error(lua, &format!("bad argument #{at} to '{name}' ({text})"))
}

fn type_error(lua: &Lua, args: &MultiValue, at: usize, want: &str) -> mlua::Error {
    let got = type_name(args.get(at - 1));
    arg_error(lua, at, &format!("{want} expected, got {got}"))
}

/// `luaL_checklstring`: argument `at` (1-based) as bytes; numbers convert, as in Lua.
pub(crate) fn check_bytes(lua: &Lua, args: &MultiValue, at: usize) -> mlua::Result<mlua::String> {
    match args.get(at - 1) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => lua
            .coerce_string(v.clone())?
            .ok_or_else(|| type_error(lua, args, at, "string")),
        _ => Err(type_error(lua, args, at, "string")),
    }
}

/// `luaL_checknumber`: argument `at` as a number; numeric strings convert.
pub(crate) fn check_number(lua: &Lua, args: &MultiValue, at: usize) -> mlua::Result<f64> {
    let v = args.get(at - 1);
    let n = match v {
        #[allow(clippy::cast_precision_loss, reason = "Lua 5.1 numbers are doubles")]
        Some(Value::Integer(n)) => Some(*n as f64),
        Some(Value::Number(f)) => Some(*f),
        Some(v @ Value::String(_)) => lua.coerce_number(v.clone()).ok().flatten(),
        _ => None,
    };
    n.ok_or_else(|| type_error(lua, args, at, "number"))
}

/// `luaL_checkinteger`: a number truncated toward zero (`lua_tointeger` on x86-64).
pub(crate) fn check_integer(lua: &Lua, args: &MultiValue, at: usize) -> mlua::Result<i64> {
    check_number(lua, args, at).map(to_integer)
}

/// `luaL_optinteger`: `default` when the argument is absent or nil.
pub(crate) fn opt_integer(
    lua: &Lua,
    args: &MultiValue,
    at: usize,
    default: i64,
) -> mlua::Result<i64> {
    match args.get(at - 1) {
        None | Some(Value::Nil) => Ok(default),
        Some(_) => check_integer(lua, args, at),
    }
}

/// C's `(long long)d` on x86-64: truncated; NaN and out-of-range values give `i64::MIN`
/// (the "integer indefinite" value), so a Lua number result near `i64::MAX` becomes the
/// integer reply Redis gives.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "the C cast is the operation"
)]
pub(crate) fn to_integer(d: f64) -> i64 {
    if d.is_nan() || d >= i64::MAX as f64 || d < i64::MIN as f64 {
        i64::MIN
    } else {
        d as i64
    }
}

/// A Lua number as `f64` (mlua hands integral numbers over as integers).
#[allow(clippy::cast_precision_loss, reason = "Lua 5.1 numbers are doubles")]
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(n) => Some(*n as f64),
        Value::Number(f) => Some(*f),
        _ => None,
    }
}

/// Room left under the run's Lua memory limit: a library building a large string in Rust
/// stops there, as the same string built in Lua would.
pub(crate) fn room(lua: &Lua) -> usize {
    let limit = lua.set_memory_limit(0).unwrap_or(0);
    let _ = lua.set_memory_limit(limit);
    if limit == 0 {
        usize::MAX
    } else {
        limit.saturating_sub(lua.used_memory())
    }
}

/// An error a library raises as `luaL_error` does: its text already carries the calling
/// Lua line when there is one (`user_script:1: Missing bytes in input.`), so a script that
/// catches it with `pcall` sees what it would see in Redis.
#[derive(Debug)]
pub(crate) struct LibError(pub(crate) String);

impl std::fmt::Display for LibError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LibError {}

/// `luaL_error(L, text)`: `text` after `luaL_where(L, 1)`, the caller's `source:line: `
/// when the caller is Lua code (nothing when `pcall` called the library directly).
pub(crate) fn lib_error(lua: &Lua, text: &str) -> mlua::Error {
    let at = lua
        .inspect_stack(1)
        .and_then(|frame| {
            let line = frame.curr_line();
            let src = frame.source().short_src.map(std::borrow::Cow::into_owned)?;
            (line > 0).then(|| format!("{src}:{line}: "))
        })
        .unwrap_or_default();
    mlua::Error::external(LibError(format!("{at}{text}")))
}

/// The entry `v` of `t` at `key`, with a zero re-read as the double it is: mlua hands a
/// number within 2^-52 of zero over as the integer 0, which would pack `1e-20` as `0`.
/// (Function arguments cannot be re-read: a tiny number passed straight to a library
/// function arrives as 0.)
pub(crate) fn exact(t: &Table, key: Value, v: Value) -> mlua::Result<Value> {
    if matches!(v, Value::Integer(0)) {
        let f = t.raw_get::<f64>(key)?;
        if f != 0.0 {
            return Ok(Value::Number(f));
        }
    }
    Ok(v)
}

/// An error Lua's VM raises where a library runs (`table index is nil`): no line.
pub(crate) fn vm_error(text: &str) -> mlua::Error {
    mlua::Error::external(LibError(text.into()))
}
