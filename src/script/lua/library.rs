//! A FUNCTION library on one thread's Lua state: its code run once (under the operation
//! and memory limits) with `redis.register_function` available, which collects the
//! functions it registers, with Redis 7.0's checks and error texts.

use std::cell::RefCell;
use std::collections::HashMap;

use mlua::{Lua, MultiValue, Value};

use super::bridge::raise;
use super::run::{self, FUNCTION_SOURCE};
use super::state::{State, syntax_text};
use super::{BUSY, strip_shebang};
use crate::config::ScriptLimits;
use crate::script::cache::Sha;
use crate::script::functions::{FLAG_NAMES, Function};

/// A library's functions on this thread.
pub(crate) struct Loaded {
    infos: Vec<Function>,
    functions: HashMap<Vec<u8>, mlua::Function, foldhash::fast::RandomState>,
}

impl Loaded {
    /// The Lua function registered as `name`.
    pub(crate) fn function(&self, name: &[u8]) -> Result<mlua::Function, String> {
        self.functions
            .get(name)
            .cloned()
            .ok_or_else(|| "ERR Function not found".into())
    }
}

type Registered = Vec<(Function, mlua::Function)>;

thread_local! {
    /// The functions registered so far by the library being loaded on this thread; `None`
    /// when no library is loading (`register_function` is refused then, as in Redis).
    static REGISTERING: RefCell<Option<Registered>> = const { RefCell::new(None) };
}

/// FUNCTION LOAD's check of `code` (whose SHA1 is `sha`) on this thread: the functions it
/// registers, sorted by name. This thread keeps them for its FCALLs.
pub(crate) fn register(
    code: &[u8],
    sha: &Sha,
    limits: &ScriptLimits,
) -> Result<Vec<Function>, String> {
    super::state::with(|st| st.library(code, sha, limits).map(|l| l.infos.clone()))
        .unwrap_or_else(|| Err(BUSY.into()))
}

/// Runs the library's code on `st`. The error is Redis's reply text.
pub(crate) fn load(st: &State, code: &[u8], limits: &ScriptLimits) -> Result<Loaded, String> {
    let env = super::sandbox::load_env(&st.lua).map_err(|e| format!("ERR {e}"))?;
    let body = strip_shebang(code);
    let f = st
        .lua
        .load(&*body)
        .set_name(FUNCTION_SOURCE)
        .set_environment(env)
        .into_function()
        .map_err(|e| format!("ERR Error compiling function: {}", syntax_text(&e)))?;
    let outer = REGISTERING.with(|r| r.replace(Some(Vec::new())));
    let source = run::source();
    run::set_source(FUNCTION_SOURCE);
    run::arm(limits.max_operations);
    let room = st
        .lua
        .used_memory()
        .saturating_add(limits.defaults.lua_max_memory);
    let before = st.lua.set_memory_limit(room).unwrap_or(0);
    let result = st.runner.call::<(bool, Value)>(f);
    let _ = st.lua.set_memory_limit(before);
    run::disarm();
    // Back to what the caller had: an FCALL that ran the library first still reports its
    // function's lines.
    run::set_source(source);
    let registered = REGISTERING.with(|r| r.replace(outer)).unwrap_or_default();
    let failure = match result {
        Ok((true, _)) => return Ok(collect(registered)),
        Ok((false, value)) => run::failure_text(&value),
        Err(e) => run::error_text(&e),
    };
    Err(format!("ERR Error registering functions: {failure}"))
}

fn collect(registered: Registered) -> Loaded {
    let mut infos: Vec<Function> = registered.iter().map(|(info, _)| info.clone()).collect();
    infos.sort_by(|a, b| a.name.cmp(&b.name));
    let functions = registered
        .into_iter()
        .map(|(info, f)| (info.name, f))
        .collect();
    Loaded { infos, functions }
}

/// `redis.register_function(name, callback)` or
/// `redis.register_function{function_name=.., callback=.., flags={..}, description=..}`.
#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
pub(crate) fn register_function(_: &Lua, args: MultiValue) -> mlua::Result<()> {
    if REGISTERING.with(|r| r.borrow().is_none()) {
        return Err(raise(
            "ERR redis.register_function can only be called on FUNCTION LOAD command",
        ));
    }
    let parsed = match args.len() {
        1 => named(args.front()),
        2 => positional(&args),
        _ => Err("wrong number of arguments to redis.register_function"),
    };
    let (info, f) = parsed.map_err(|text| raise(&format!("ERR {text}")))?;
    if !crate::script::functions::valid_name(&info.name) {
        return Err(raise(crate::script::functions::NAME_TEXT));
    }
    REGISTERING.with(|r| {
        let mut r = r.borrow_mut();
        let list = r.get_or_insert_with(Vec::new);
        if list.iter().any(|(known, _)| known.name == info.name) {
            return Err(raise("ERR Function already exists in the library"));
        }
        list.push((info, f));
        Ok(())
    })
}

type Parsed = Result<(Function, mlua::Function), &'static str>;

fn positional(args: &MultiValue) -> Parsed {
    let Some(Value::String(name)) = args.front() else {
        return Err("first argument to redis.register_function must be a string");
    };
    let Some(Value::Function(f)) = args.get(1) else {
        return Err("second argument to redis.register_function must be a function");
    };
    let info = Function {
        name: name.as_bytes().to_vec(),
        flags: 0,
        description: None,
    };
    Ok((info, f.clone()))
}

fn named(arg: Option<&Value>) -> Parsed {
    let Some(Value::Table(t)) = arg else {
        return Err(
            "calling redis.register_function with a single argument is only \
                    applicable to Lua table (representing named arguments).",
        );
    };
    let (mut name, mut callback, mut description, mut flags) = (None, None, None, 0);
    for pair in t.clone().pairs::<Value, Value>() {
        let Ok((Value::String(key), value)) = pair else {
            return Err("named argument key given to redis.register_function is not a string");
        };
        let key = key.as_bytes();
        if key.eq_ignore_ascii_case(b"function_name") {
            let Value::String(s) = value else {
                return Err(
                    "function_name argument given to redis.register_function must be a string",
                );
            };
            name = Some(s.as_bytes().to_vec());
        } else if key.eq_ignore_ascii_case(b"description") {
            let Value::String(s) = value else {
                return Err(
                    "description argument given to redis.register_function must be a string",
                );
            };
            description = Some(s.as_bytes().to_vec());
        } else if key.eq_ignore_ascii_case(b"callback") {
            let Value::Function(f) = value else {
                return Err(
                    "callback argument given to redis.register_function must be a function",
                );
            };
            callback = Some(f);
        } else if key.eq_ignore_ascii_case(b"flags") {
            let Value::Table(list) = value else {
                return Err("flags argument to redis.register_function must be a table \
                            representing function flags");
            };
            flags = read_flags(&list).ok_or("unknown flag given")?;
        } else {
            return Err("unknown argument given to redis.register_function");
        }
    }
    let name = name.ok_or("redis.register_function must get a function name argument")?;
    let callback = callback.ok_or("redis.register_function must get a callback argument")?;
    let info = Function {
        name,
        flags,
        description,
    };
    Ok((info, callback))
}

/// The flag bits of a `flags` table's values; `None` for one Redis does not know.
fn read_flags(list: &mlua::Table) -> Option<u8> {
    let mut flags = 0;
    for pair in list.clone().pairs::<Value, Value>() {
        let Ok((_, Value::String(s))) = pair else {
            return None;
        };
        let s = s.as_bytes();
        let at = FLAG_NAMES
            .iter()
            .position(|name| s.eq_ignore_ascii_case(name.as_bytes()))?;
        flags |= 1 << at;
    }
    Some(flags)
}
