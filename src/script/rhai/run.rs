//! One Rhai run: `KEYS`/`ARGV` in a reused scope, and Redis's error text.

use std::cell::RefCell;
use std::time::Duration;

use rhai::{AST, Array, Dynamic, EvalAltResult, Scope};

use super::bridge;
use crate::commands::Ctx;
use crate::reply::Reply;
use crate::script::cache::Compiled;
use crate::script::host;
use crate::script::run::Run;
use crate::script::watchdog;

/// Runs `script` on `ctx` (which already holds the locks the script needs) and returns
/// its reply. Writes made before an error stay, as in Redis: there is no rollback.
pub(crate) fn execute(
    ctx: &mut Ctx<'_, '_>,
    script: &Compiled,
    ast: &AST,
    keys: &[&[u8]],
    argv: &[&[u8]],
    read_only: bool,
) -> Reply {
    let scripts = match crate::script::state_or_error(ctx.shared) {
        Ok(scripts) => scripts,
        Err(reply) => return reply,
    };
    ctx.set_atomic();
    let run = || evaluate(ctx, scripts, script, ast, keys, argv, read_only);
    // The loom models switch between their threads inside a run: keep them on one stack.
    #[cfg(loom)]
    return run();
    #[cfg(not(loom))]
    crate::script::stack::run_on(scripts.stack_size, run)
        .unwrap_or_else(|| Reply::error("ERR could not reserve a stack to run the script on"))
}

/// The run itself, on the deep stack: everything that may clone, compare or drop a value
/// the script built happens in here, the conversion of its result included.
fn evaluate(
    ctx: &mut Ctx<'_, '_>,
    scripts: &crate::script::Scripts,
    script: &Compiled,
    ast: &AST,
    keys: &[&[u8]],
    argv: &[&[u8]],
    read_only: bool,
) -> Reply {
    let engine = scripts.engine();
    let mut scope = take_scope(keys, argv);
    // CONFIG SET busy-reply-threshold / lua-time-limit changes it between runs.
    let time_limit = ctx.shared.server.live.script_time_limit();
    let watched = watchdog::watch(&scripts.running, time_limit);
    let mut run = Run::new(
        ctx,
        keys,
        read_only,
        script.flags.allow_undeclared,
        watched.state(),
        script.flags.lang(),
    );
    let result = host::with_host(&mut run, || {
        engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast)
    });
    drop(watched);
    let reply = match result {
        Ok(value) => bridge::to_reply(value),
        Err(e) => Reply::error(error_text(*e, script.sha_str(), time_limit)),
    };
    give_back_scope(scope);
    reply
}

thread_local! {
    /// This thread's scope between runs: `KEYS` and `ARGV` only, refilled in place by the
    /// next run (its strings kept where they are equal), so a run builds no scope.
    static SCOPE: RefCell<Option<Scope<'static>>> = const { RefCell::new(None) };
}

/// Arrays longer than this are not kept between runs (their memory goes back).
const KEEP_ARGS: usize = 64;

/// A scope holding `KEYS` and `ARGV`: this thread's kept one, refilled, or a new one
/// (taken, not borrowed, so a run inside a run would only build its own).
fn take_scope(keys: &[&[u8]], argv: &[&[u8]]) -> Scope<'static> {
    let kept = SCOPE
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten();
    if let Some(mut scope) = kept {
        if let Some(slot) = scope.get_mut("KEYS") {
            refill(slot, keys);
        }
        if let Some(slot) = scope.get_mut("ARGV") {
            refill(slot, argv);
        }
        return scope;
    }
    let mut scope = Scope::new();
    scope.push("KEYS", strings(keys));
    scope.push("ARGV", strings(argv));
    scope
}

/// Makes `slot` the array of `args`, reusing its allocation and its equal strings.
fn refill(slot: &mut Dynamic, args: &[&[u8]]) {
    let flat = |items: &Array| {
        !items
            .iter()
            .any(|v| v.is_shared() || v.is_array() || v.is_map())
    };
    if slot.is_shared() || !slot.as_array_ref().is_ok_and(|items| flat(&items)) {
        let old = std::mem::replace(slot, Dynamic::from_array(Array::new()));
        bridge::dismantle(old);
    }
    let Ok(mut items) = slot.as_array_mut() else {
        *slot = Dynamic::from_array(strings(args));
        return;
    };
    items.truncate(args.len());
    for (i, arg) in args.iter().enumerate() {
        match items.get_mut(i) {
            Some(item) if holds(item, arg) => {}
            Some(item) => *item = string(arg),
            None => items.push(string(arg)),
        }
    }
}

/// Whether `item` is the string (or blob) `arg`.
fn holds(item: &Dynamic, arg: &[u8]) -> bool {
    if let Ok(s) = item.as_immutable_string_ref() {
        return s.as_bytes() == arg;
    }
    false
}

/// Keeps the run's scope for this thread's next run, without the script's own variables
/// (dropped without recursion); a scope whose `KEYS` or `ARGV` now nest or grew long is
/// dropped instead.
fn give_back_scope(mut scope: Scope<'static>) {
    while scope.len() > 2 {
        let last = scope
            .iter_raw()
            .last()
            .map(|(name, _, v)| (bridge::nests(v), name));
        match last {
            Some((true, name)) => {
                let name = name.to_string();
                match scope.remove::<Dynamic>(&name) {
                    Some(value) => bridge::dismantle(value),
                    None => {
                        scope.pop();
                    }
                }
            }
            _ => {
                scope.pop();
            }
        }
    }
    let keepable = scope.iter_raw().all(|(_, _, v)| {
        !v.is_shared() && v.as_array_ref().is_ok_and(|a| a.len() <= KEEP_ARGS) && !bridge::nests(v)
    });
    if !keepable {
        empty(scope);
        return;
    }
    let _ = SCOPE.try_with(|s| s.try_borrow_mut().map(|mut s| *s = Some(scope)));
}

/// Drops the run's variables, taking apart without recursion those holding arrays or maps.
fn empty(mut scope: Scope) {
    if !scope.iter_raw().any(|(_, _, v)| bridge::nests(v)) {
        return;
    }
    while let Some((name, _, value)) = scope.iter_raw().last() {
        if bridge::nests(value) {
            let name = name.to_string();
            if let Some(value) = scope.remove::<Dynamic>(&name) {
                bridge::dismantle(value);
                continue;
            }
        }
        scope.pop();
    }
}

/// Arguments as Rhai strings (blobs when not UTF-8).
fn strings(args: &[&[u8]]) -> Array {
    args.iter().map(|a| string(a)).collect()
}

fn string(arg: &[u8]) -> Dynamic {
    match std::str::from_utf8(arg) {
        Ok(s) => Dynamic::from(s.to_string()),
        Err(_) => Dynamic::from_blob(arg.to_vec()),
    }
}

/// Redis 7's script error text: `<error> script: <sha1>, on @user_script:<line>.`, where
/// an error reply raised by `redis::call` keeps its code and anything else gets `ERR`.
pub(crate) fn error_text(err: EvalAltResult, sha: &str, limit: Duration) -> String {
    let (mut inner, line) = innermost(err);
    let text = match &inner {
        EvalAltResult::ErrorRuntime(value, _) => runtime_text(value),
        EvalAltResult::ErrorTerminated(token, _) => terminated_text(token, limit),
        _ => {
            inner.clear_position();
            format!("ERR {inner}")
        }
    };
    if let EvalAltResult::ErrorRuntime(value, _) = inner {
        bridge::dismantle(value);
    }
    match line {
        Some(line) => format!("{text} script: {sha}, on @user_script:{line}."),
        None => format!("{text} script: {sha}."),
    }
}

/// The error inside any layers of script-function calls, and the line where it happened.
fn innermost(err: EvalAltResult) -> (EvalAltResult, Option<usize>) {
    let outer_line = err.position().line();
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => {
            let (e, line) = innermost(*inner);
            (e, line.or(outer_line))
        }
        other => (other, outer_line),
    }
}

/// Why the progress hook stopped the run: SCRIPT KILL (Redis's text), or the time limit.
fn terminated_text(token: &Dynamic, limit: Duration) -> String {
    if bridge::text_of(token).is_some_and(|t| t == watchdog::TOKEN_TIME) {
        format!(
            "ERR Script killed: it ran longer than the script time limit ({} ms)",
            limit.as_millis()
        )
    } else {
        watchdog::KILLED_TEXT.into()
    }
}

/// `throw`n values: `#{err: ..}` (from `redis::call` or `redis::error_reply`) keeps its
/// text; anything else is shown after `ERR`.
fn runtime_text(value: &Dynamic) -> String {
    if let Some(map) = value.read_lock::<rhai::Map>() {
        if let Some(text) = map.get("err").and_then(bridge::text_of) {
            return bridge::error_text(&text);
        }
    }
    // Showing a value recurses once per level of nesting.
    if bridge::nests_deeper_than(value, bridge::MAX_NESTING) {
        return "ERR reached lua stack limit".into();
    }
    format!("ERR {value}")
}
