//! FUNCTION and FCALL / `FCALL_RO`, as data commands (inside MULTI they run at EXEC).

use super::{Function, Library};
use crate::commands::budget::Meter;
use crate::commands::ctx::err;
use crate::commands::parse::is;
use crate::commands::{Ctx, DataFn, Keys, Res, Spec, data, flag, glob};
use crate::error::msg;
use crate::reply::Reply;

const fn fcall_row(name: &'static str, flags: u8, run: DataFn) -> Spec {
    Spec {
        plan: Some(super::plan_keys),
        writes: Some(super::writes),
        ..data(name, -3, flags | flag::NOSCRIPT, Keys::Script, run)
    }
}

pub(crate) const COMMANDS: &[Spec] = &[
    fcall_row("fcall", flag::MAY_WRITE, fcall),
    fcall_row("fcall_ro", 0, fcall_ro),
];

/// FUNCTION's row (the persist layer lists it, since DUMP and RESTORE need the RDB codec;
/// it hands the other subcommands to [`function`]). FUNCTION changes the libraries, not
/// keys: it locks nothing.
pub(crate) const fn function_row(run: DataFn) -> Spec {
    Spec {
        writes: Some(super::writes),
        ..data(
            "function",
            -2,
            flag::NOSCRIPT | flag::MAY_WRITE,
            Keys::None,
            run,
        )
    }
}

fn fcall(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    call(ctx, a, false)
}

fn fcall_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    call(ctx, a, true)
}

/// Redis's order: the function, numkeys, then the flags against `_RO`.
fn call(ctx: &mut Ctx, a: &[&[u8]], ro: bool) -> Res {
    let scripts = crate::script::state_or_error(ctx.shared)?;
    let lib = scripts
        .functions
        .find(a[1])
        .ok_or_else(|| Reply::error("ERR Function not found"))?;
    let Some(function) = lib.function(a[1]).cloned() else {
        return err("ERR Function not found");
    };
    let Some(numkeys) = std::str::from_utf8(a[2])
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return err("ERR Bad number of keys provided");
    };
    let rest = &a[3..];
    if numkeys > i64::try_from(rest.len()).unwrap_or(i64::MAX) {
        return err("ERR Number of keys can't be greater than number of args");
    }
    let Ok(numkeys) = usize::try_from(numkeys) else {
        return err("ERR Number of keys can't be negative");
    };
    if ro && !function.no_writes() {
        return err("ERR Can not execute a script with write flag using *_ro command.");
    }
    let (keys, argv) = rest.split_at(numkeys);
    Ok(run(
        ctx,
        &lib,
        &function,
        keys,
        argv,
        ro || function.no_writes(),
    ))
}

#[cfg(feature = "lua")]
fn run(
    ctx: &mut Ctx,
    lib: &Library,
    function: &Function,
    keys: &[&[u8]],
    argv: &[&[u8]],
    read_only: bool,
) -> Reply {
    crate::script::watchdog::as_function(|| {
        crate::script::lua::run::execute_function(ctx, lib, &function.name, keys, argv, read_only)
    })
}

/// Without Lua no library can be loaded, so no function is ever found.
#[cfg(not(feature = "lua"))]
fn run(_: &mut Ctx, _: &Library, _: &Function, _: &[&[u8]], _: &[&[u8]], _: bool) -> Reply {
    Reply::error(LUA_MISSING)
}

#[cfg(not(feature = "lua"))]
const LUA_MISSING: &str = "ERR Engine 'LUA' not found: FUNCTION needs redlite's `lua` feature";

/// Redis 7.0's FUNCTION HELP, word for word.
const HELP: &[&str] = &[
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
];

/// Every FUNCTION subcommand but DUMP and RESTORE. A change to the libraries replays as
/// written (the log and replicas see it; it touches no key).
pub(crate) fn function(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let reply = subcommand(ctx, a)?;
    let sub = a[1];
    if ["LOAD", "DELETE", "FLUSH"].iter().any(|s| is(sub, s)) {
        ctx.replay(a.iter().copied());
    }
    Ok(reply)
}

fn subcommand(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let sub = a[1];
    let argc = a.len();
    if is(sub, "LOAD") && argc >= 3 {
        load(ctx, &a[2..])
    } else if is(sub, "LIST") {
        list(ctx, &a[2..])
    } else if is(sub, "DELETE") && argc == 3 {
        let scripts = crate::script::state_or_error(ctx.shared)?;
        if scripts.functions.delete(a[2]) {
            Ok(Reply::ok())
        } else {
            err("ERR Library not found")
        }
    } else if is(sub, "FLUSH") && argc <= 3 {
        if a.get(2).is_some_and(|o| !is(o, "ASYNC") && !is(o, "SYNC")) {
            return err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        }
        crate::script::state_or_error(ctx.shared)?.functions.flush();
        Ok(Reply::ok())
    } else if is(sub, "STATS") && argc == 2 {
        stats(ctx)
    } else if is(sub, "KILL") && argc == 2 {
        let scripts = crate::script::state_or_error(ctx.shared)?;
        scripts
            .running
            .kill(crate::script::watchdog::Kind::Function)
            .map(|()| Reply::ok())
            .map_err(Reply::error)
    } else if is(sub, "HELP") && argc == 2 {
        Ok(Reply::Array(
            HELP.iter().map(|l| Reply::status(*l)).collect(),
        ))
    } else if [
        "LOAD", "DELETE", "FLUSH", "STATS", "HELP", "DUMP", "RESTORE", "KILL",
    ]
    .iter()
    .any(|s| is(sub, s))
    {
        let name = String::from_utf8_lossy(sub).to_ascii_lowercase();
        err(msg::arity(&format!("function|{name}")))
    } else {
        err(msg::unknown_subcommand(sub, "FUNCTION"))
    }
}

/// FUNCTION LOAD [REPLACE] code.
fn load(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut replace = false;
    let mut at = 0;
    while at + 1 < a.len() {
        if is(a[at], "REPLACE") {
            replace = true;
            at += 1;
        } else {
            return Err(Reply::error(format!(
                "ERR Unknown option given: {}",
                String::from_utf8_lossy(a[at])
            )));
        }
    }
    let Some(&code) = a.get(at) else {
        return err("ERR Function code is missing");
    };
    let scripts = crate::script::state_or_error(ctx.shared)?;
    let lib = super::restore::library(ctx.shared, code).map_err(Reply::error)?;
    let name = lib.name.clone();
    scripts.functions.add(lib, replace).map_err(Reply::error)?;
    Ok(Reply::bulk(name))
}

/// Runs the library's code on this thread's Lua state to learn its functions.
#[cfg(feature = "lua")]
pub(crate) fn build(
    scripts: &crate::script::Scripts,
    name: Vec<u8>,
    code: &[u8],
) -> Result<Library, String> {
    let sha = crate::script::cache::sha1_hex(code);
    let functions = crate::script::lua::library::register(code, &sha, &scripts.limits)?;
    if functions.is_empty() {
        return Err("ERR No functions registered".into());
    }
    Ok(Library {
        name,
        code: code.into(),
        sha,
        functions,
    })
}

#[cfg(not(feature = "lua"))]
pub(crate) fn build(_: &crate::script::Scripts, _: Vec<u8>, _: &[u8]) -> Result<Library, String> {
    Err(LUA_MISSING.into())
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE], libraries by name, functions by name.
fn list(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut with_code = false;
    let mut pattern = None;
    let mut i = 0;
    while i < a.len() {
        if !with_code && is(a[i], "WITHCODE") {
            with_code = true;
        } else if pattern.is_none() && is(a[i], "LIBRARYNAME") {
            let Some(&p) = a.get(i + 1) else {
                return err("ERR library name argument was not given");
            };
            pattern = Some(p);
            i += 1;
        } else {
            return Err(Reply::error(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(a[i])
            )));
        }
        i += 1;
    }
    let scripts = crate::script::state_or_error(ctx.shared)?;
    let mut meter = Meter::new(ctx);
    let mut out = Vec::new();
    for lib in scripts.functions.all() {
        if pattern.is_some_and(|p| !glob::matches(p, &lib.name)) {
            continue;
        }
        meter.reserve(8)?;
        let mut entry = vec![
            Reply::bulk("library_name"),
            meter.bulk(&lib.name)?,
            Reply::bulk("engine"),
            Reply::bulk("LUA"),
            Reply::bulk("functions"),
            functions_reply(&lib, &mut meter)?,
        ];
        if with_code {
            entry.push(Reply::bulk("library_code"));
            entry.push(meter.bulk(&lib.code)?);
        }
        out.push(Reply::Array(entry));
    }
    Ok(Reply::Array(out))
}

fn functions_reply(lib: &Library, meter: &mut Meter) -> Res {
    let mut out = Vec::with_capacity(lib.functions.len());
    for f in &lib.functions {
        meter.reserve(6 + FLAG_COUNT)?;
        let description = match &f.description {
            Some(d) => meter.bulk(d)?,
            None => Reply::Nil,
        };
        let flags = super::FLAG_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| f.flags & (1 << i) != 0)
            .map(|(_, name)| Reply::status(*name))
            .collect();
        out.push(Reply::Array(vec![
            Reply::bulk("name"),
            meter.bulk(&f.name)?,
            Reply::bulk("description"),
            description,
            Reply::bulk("flags"),
            Reply::Array(flags),
        ]));
    }
    Ok(Reply::Array(out))
}

const FLAG_COUNT: usize = super::FLAG_NAMES.len();

/// FUNCTION STATS: no run is reported as in progress (each run holds its locks; a
/// FUNCTION STATS can only see the store between runs on its own thread).
fn stats(ctx: &mut Ctx) -> Res {
    let scripts = crate::script::state_or_error(ctx.shared)?;
    let (libraries, functions) = scripts.functions.counts();
    let count = |n: usize| Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    Ok(Reply::Array(vec![
        Reply::bulk("running_script"),
        Reply::Nil,
        Reply::bulk("engines"),
        Reply::Array(vec![
            Reply::bulk("LUA"),
            Reply::Array(vec![
                Reply::bulk("libraries_count"),
                count(libraries),
                Reply::bulk("functions_count"),
                count(functions),
            ]),
        ]),
    ]))
}

#[cfg(all(test, not(feature = "lua")))]
mod tests {
    #[test]
    fn function_load_without_lua_names_the_missing_engine() {
        let store = crate::Store::new();
        let reply = store.execute(["FUNCTION", "LOAD", "#!lua name=x\nreturn 1"]);
        assert_eq!(reply, crate::Reply::error(super::LUA_MISSING));
        assert_eq!(
            store.execute(["FCALL", "f", "0"]),
            crate::Reply::error("ERR Function not found")
        );
    }
}
