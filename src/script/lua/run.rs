//! One Lua run: limits armed, `KEYS`/`ARGV` filled, the function called through the runner
//! (`xpcall` with [`handler`]), the result converted by Redis's rules.

use std::cell::Cell;

use mlua::{Lua, MultiValue, Value};

use super::bridge::{RaisedReply, err_text};
use super::sandbox::HOOK_EVERY;
use super::{BUSY, Chunk, state};
use crate::commands::Ctx;
use crate::commands::budget::Meter;
use crate::reply::Reply;
use crate::script::cache::Compiled;
use crate::script::functions::Library;
use crate::script::host;
use crate::script::run::Run;
use crate::script::watchdog::{self, Stop};

/// Why this thread's run was stopped by a limit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopped {
    Watchdog(Stop),
    Operations,
}

thread_local! {
    /// Instructions run so far (in hook steps), and the run's limit.
    static OPS: Cell<(u64, u64)> = const { Cell::new((0, u64::MAX)) };
    static STOPPED: Cell<Option<Stopped>> = const { Cell::new(None) };
    /// The script line where the run's error happened.
    static LINE: Cell<Option<i32>> = const { Cell::new(None) };
    /// The run's time limit, for its error text.
    static LIMIT_MS: Cell<u128> = const { Cell::new(0) };
    /// The chunk name of the code running (`@user_script`, `@user_function`).
    static SOURCE: Cell<&'static str> = const { Cell::new(SCRIPT_SOURCE) };
}

/// Runs `chunk` on `ctx` (which already holds the locks the script needs).
pub(crate) fn execute(
    ctx: &mut Ctx<'_, '_>,
    script: &Compiled,
    chunk: &Chunk,
    keys: &[&[u8]],
    argv: &[&[u8]],
    read_only: bool,
) -> Reply {
    let how = Target {
        label: script.sha_str(),
        source: SCRIPT_SOURCE,
        allow_undeclared: script.flags.allow_undeclared,
        lang: script.flags.lang(),
    };
    run(ctx, &how, keys, read_only, |st| {
        Ok(match st.take_planned(&script.sha, keys, argv) {
            Some(f) => Args::Script(f, argv, true),
            None => Args::Script(st.function(&script.sha, &chunk.source)?, argv, false),
        })
    })
}

/// Fills `KEYS`/`ARGV` for the EVALSHA `args` of `script` before its command takes its
/// locks (less work while they are held); the run finds them filled if nothing ran Lua on
/// this thread in between. Malformed arguments prepare nothing (the handler reports them).
pub(crate) fn plan(script: &Compiled, chunk: &Chunk, args: &[&[u8]]) {
    let _ = state::with(|st| {
        let (Some(numkeys), Some(rest)) = (args.get(2), args.get(3..)) else {
            return;
        };
        let numkeys = crate::commands::parse::int(numkeys).ok();
        let Some(numkeys) = numkeys.and_then(|n| usize::try_from(n).ok()) else {
            return;
        };
        if numkeys <= rest.len() {
            let (keys, argv) = rest.split_at(numkeys);
            let _ = st.prepare(&script.sha, &chunk.source, keys, argv);
        }
    });
}

/// Forgets a run prepared on this thread (without building a state if there is none).
pub(crate) fn forget_planned() {
    state::forget_planned();
}

/// Runs the function `name` of `lib` on `ctx` (FCALL): called with `KEYS` and `ARGV` as
/// its two arguments, as Redis calls functions.
pub(crate) fn execute_function(
    ctx: &mut Ctx<'_, '_>,
    lib: &Library,
    name: &[u8],
    keys: &[&[u8]],
    argv: &[&[u8]],
    read_only: bool,
) -> Reply {
    let label = String::from_utf8_lossy(name);
    let how = Target {
        label: &label,
        source: FUNCTION_SOURCE,
        allow_undeclared: false,
        lang: "lua",
    };
    let Ok(scripts) = crate::script::state_or_error(ctx.shared) else {
        return Reply::error(BUSY);
    };
    let limits = scripts.limits.clone();
    run(ctx, &how, keys, read_only, |st| {
        st.forget_planned();
        let f = st.library(&lib.code, &lib.sha, &limits)?.function(name)?;
        let k = st
            .lua
            .create_sequence_from(keys.iter().map(|k| mlua::BString::from(*k)));
        let a = st
            .lua
            .create_sequence_from(argv.iter().map(|a| mlua::BString::from(*a)));
        match (k, a) {
            (Ok(k), Ok(a)) => Ok(Args::Function(f, k, a)),
            (Err(e), _) | (_, Err(e)) => Err(format!("ERR {e}")),
        }
    })
}

/// The chunk names of scripts and of libraries (Redis's, seen in error texts).
pub(crate) const SCRIPT_SOURCE: &str = "@user_script";
pub(crate) const FUNCTION_SOURCE: &str = "@user_function";

/// What a run is, for its error texts and key checks.
struct Target<'t> {
    /// What the error texts name: the SHA1 of a script, the name of a function.
    label: &'t str,
    /// The chunk name its code was loaded under.
    source: &'static str,
    allow_undeclared: bool,
    lang: &'static str,
}

/// What a run passes: a script's `ARGV` (its `KEYS` are the run's keys), or a function's
/// two arguments.
enum Args<'a> {
    /// The registry slot of the compiled script, `ARGV`, and whether the tables already
    /// hold the arguments (filled while the command planned its locks).
    Script(std::ffi::c_int, &'a [&'a [u8]], bool),
    Function(mlua::Function, mlua::Table, mlua::Table),
}

fn run<'a>(
    ctx: &mut Ctx<'_, '_>,
    how: &Target<'_>,
    keys: &[&[u8]],
    read_only: bool,
    prepare: impl FnOnce(&mut state::State) -> Result<Args<'a>, String>,
) -> Reply {
    let scripts = match crate::script::state_or_error(ctx.shared) {
        Ok(scripts) => scripts,
        Err(reply) => return reply,
    };
    ctx.set_atomic();
    // CONFIG SET busy-reply-threshold / lua-time-limit changes it between runs.
    let time_limit = ctx.shared.server.live.script_time_limit();
    let watched = watchdog::watch(&scripts.running, time_limit);
    let mut run = Run::new(
        ctx,
        keys,
        read_only,
        how.allow_undeclared,
        watched.state(),
        how.lang,
    );
    let limits = &scripts.limits;
    let reply = state::with_planned(|st| {
        SOURCE.with(|s| s.set(how.source));
        let args = prepare(st)?;
        arm(limits.max_operations);
        LIMIT_MS.with(|l| l.set(time_limit.as_millis()));
        let max_memory = limits.defaults.lua_max_memory;
        let result = host::with_host(&mut run, || match args {
            Args::Script(f, argv, filled) => st
                .call_script(f, keys, argv, filled, max_memory)
                .map(Ran::Direct),
            Args::Function(f, k, a) => {
                let room = st.lua.used_memory().saturating_add(max_memory);
                let _ = st.lua.set_memory_limit(room);
                st.runner.call::<(bool, Value)>((f, k, a)).map(Ran::Mlua)
            }
        });
        let _ = st.lua.set_memory_limit(0);
        disarm();
        let mut meter = Meter::new(run.ctx);
        let outcome = match result {
            Ok(Ran::Direct(pending)) => st.take(pending, &mut meter).map_err(Failure::Text),
            Ok(Ran::Mlua((true, value))) => {
                Ok(to_reply(value, &mut meter, 0).unwrap_or_else(|e| e))
            }
            Ok(Ran::Mlua((false, value))) => Err(Failure::Text(failure_text(&value))),
            Err(e) => Err(Failure::Error(e)),
        };
        // Only now, with the run's values off the Lua stack.
        super::capi::call::resume_panic();
        Ok::<_, String>(outcome)
    });
    let sha = how.label;
    let reply = match reply {
        None => Reply::error(BUSY),
        Some(Err(text)) => Reply::error(text),
        Some(Ok(Ok(reply))) => reply,
        Some(Ok(Err(Failure::Text(text)))) => Reply::error(located(&text, sha)),
        Some(Ok(Err(Failure::Error(e)))) => Reply::error(located(&error_text(&e), sha)),
    };
    drop(run);
    drop(watched);
    reply
}

/// How a run was made: on the C API (a script), or through mlua (a function).
enum Ran {
    Direct(state::Pending),
    Mlua((bool, Value)),
}

/// Why a run failed: the text of what it raised, or an error of mlua's.
enum Failure {
    Text(String),
    Error(mlua::Error),
}

/// The text of what the runner gave back for a failed run. Lua skips the handler for a
/// memory error: its message comes as it is.
pub(crate) fn failure_text(value: &Value) -> String {
    match value {
        Value::String(s) if s.as_bytes().as_ref() == b"not enough memory" => OUT_OF_MEMORY.into(),
        Value::String(s) => s.to_string_lossy(),
        _ => "ERR unknown error".into(),
    }
}

/// Arms the operation limit (and clears the last run's stop and line) for a run or a
/// library load on this thread.
pub(crate) fn arm(max_operations: u64) {
    OPS.with(|o| o.set((0, max_operations)));
    STOPPED.with(|s| s.set(None));
    LINE.with(|l| l.set(None));
}

/// Lifts the operation limit after a run.
pub(crate) fn disarm() {
    OPS.with(|o| o.set((0, u64::MAX)));
}

/// The chunk name whose lines the error texts report.
pub(crate) fn source() -> &'static str {
    SOURCE.with(Cell::get)
}

/// Sets the chunk name whose lines the error texts report.
pub(crate) fn set_source(source: &'static str) {
    SOURCE.with(|s| s.set(source));
}

pub(crate) const OUT_OF_MEMORY: &str =
    "ERR Out of memory: the script passed the Lua memory limit (lua_max_memory)";

/// Redis 7's `<error> script: <sha1>, on @user_script:<line>.`
fn located(text: &str, sha: &str) -> String {
    match LINE.with(Cell::get) {
        Some(line) => {
            let source = SOURCE.with(Cell::get);
            format!("{text} script: {sha}, on {source}:{line}.")
        }
        None => format!("{text} script: {sha}."),
    }
}

/// The instruction hook: counts instructions, and stops the run at the operation limit,
/// the time limit or SCRIPT KILL (again at each later step, should the script catch it).
pub(crate) fn on_hook() -> mlua::Result<()> {
    if let Some(stopped) = STOPPED.with(Cell::get) {
        return Err(stop_error(stopped));
    }
    let (ops, max) = OPS.with(Cell::get);
    let ops = ops.saturating_add(u64::from(HOOK_EVERY));
    OPS.with(|o| o.set((ops, max)));
    let stopped = if ops > max {
        Some(Stopped::Operations)
    } else {
        watchdog::poll(ops).map(Stopped::Watchdog)
    };
    match stopped {
        Some(stopped) => {
            STOPPED.with(|s| s.set(Some(stopped)));
            Err(stop_error(stopped))
        }
        None => Ok(()),
    }
}

fn stop_error(stopped: Stopped) -> mlua::Error {
    mlua::Error::external(RaisedReply(stop_text(stopped)))
}

fn stop_text(stopped: Stopped) -> String {
    match stopped {
        Stopped::Watchdog(Stop::Killed) => watchdog::KILLED_TEXT.into(),
        Stopped::Watchdog(Stop::Time) => {
            let limit = LIMIT_MS.with(Cell::get);
            format!("ERR Script killed: it ran longer than the script time limit ({limit} ms)")
        }
        Stopped::Operations => {
            "ERR Script stopped: it ran more Lua instructions than the script operation limit"
                .into()
        }
    }
}

/// `pcall`'s results, passed on unless a limit stopped the run (a script must not catch
/// that and go on).
pub(crate) fn check_stopped(_: &Lua, results: MultiValue) -> mlua::Result<MultiValue> {
    match STOPPED.with(Cell::get) {
        Some(stopped) => Err(stop_error(stopped)),
        None => Ok(results),
    }
}

/// The runner's message handler: records the script line where the error happened and
/// turns the error into its reply text (a raised error reply keeps its code; anything else
/// gets `ERR`).
pub(crate) fn handler(lua: &Lua, err: Value) -> mlua::Result<String> {
    let line = error_line(lua);
    LINE.with(|l| l.set(line));
    if let Some(stopped) = STOPPED.with(Cell::get) {
        return Ok(stop_text(stopped));
    }
    Ok(match err {
        Value::String(s) => format!("ERR {}", s.to_string_lossy()),
        Value::Table(t) => match t.raw_get::<Value>("err") {
            Ok(Value::String(s)) => err_text(&s.to_string_lossy()),
            _ => "ERR unknown error".into(),
        },
        Value::Error(e) => error_text_at(&e, line),
        Value::Nil => "ERR nil".into(),
        other => match lua.coerce_string(other) {
            Ok(Some(s)) => format!("ERR {}", s.to_string_lossy()),
            _ => "ERR unknown error".into(),
        },
    })
}

/// Frames searched for the script's own line.
const MAX_FRAMES: usize = 256;

/// The line of the innermost frame running the script's own code.
fn error_line(lua: &Lua) -> Option<i32> {
    (0..MAX_FRAMES)
        .map_while(|level| lua.inspect_stack(level))
        .find_map(|frame| {
            let line = frame.curr_line();
            let ours = frame.source().source.as_deref() == Some(SOURCE.with(Cell::get));
            (ours && line > 0).then_some(line)
        })
}

/// The text of an error that came through mlua.
pub(crate) fn error_text(e: &mlua::Error) -> String {
    error_text_at(e, None)
}

/// The same, for an error raised at `line`: a library's error (`luaL_error` in Redis's C
/// libraries) names the script line, as Lua's own errors do.
fn error_text_at(e: &mlua::Error, line: Option<i32>) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => error_text_at(cause, line),
        mlua::Error::RuntimeError(text) if line.is_some() => {
            let source = SOURCE.with(Cell::get);
            let source = source.strip_prefix('@').unwrap_or(source);
            format!("ERR {source}:{}: {text}", line.unwrap_or_default())
        }
        mlua::Error::ExternalError(inner) => match inner.downcast_ref::<RaisedReply>() {
            Some(raised) => raised.0.clone(),
            None => format!("ERR {inner}"),
        },
        mlua::Error::RuntimeError(text) => format!("ERR {text}"),
        mlua::Error::MemoryError(_) => OUT_OF_MEMORY.into(),
        other => format!("ERR {other}"),
    }
}

/// The deepest table nesting a result may have (as the Rhai engine's).
pub(crate) const MAX_NESTING: usize = crate::script::rhai::bridge::MAX_NESTING;

/// A script's result as a reply: number → integer (truncated), string → bulk, `false`/nil
/// → nil, `true` → 1, `{err = ..}` → error, `{ok = ..}` → status, other tables → array up
/// to the first nil.
pub(crate) fn to_reply(value: Value, meter: &mut Meter, depth: usize) -> Result<Reply, Reply> {
    Ok(match value {
        Value::Boolean(true) => Reply::Integer(1),
        Value::Integer(n) => Reply::Integer(n),
        Value::Number(f) => Reply::Integer(super::args::to_integer(f)),
        Value::String(s) => meter.bulk(&*s.as_bytes())?,
        Value::Table(t) => {
            if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
                return Ok(Reply::error(err_text(&e.to_string_lossy())));
            }
            if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
                return Ok(Reply::status(s.to_string_lossy()));
            }
            if depth >= MAX_NESTING {
                return Err(Reply::error("ERR reached lua stack limit"));
            }
            let mut out = Vec::new();
            for i in 1.. {
                match t.raw_get::<Value>(i) {
                    Ok(Value::Nil) | Err(_) => break,
                    Ok(item) => {
                        meter.reserve(1)?;
                        out.push(to_reply(item, meter, depth + 1)?);
                    }
                }
            }
            Reply::Array(out)
        }
        Value::Error(e) => Reply::error(error_text(&e)),
        _ => Reply::Nil,
    })
}
