//! The EVAL family and SCRIPT, as data commands: inside MULTI they run at EXEC, under
//! EXEC's locks, like any other queued command.

use super::run;
use crate::commands::ctx::err;
use crate::commands::parse::{self, is};
use crate::commands::{Ctx, DataFn, Keys, Res, Spec, data, flag};
use crate::error::msg;
use crate::reply::Reply;

/// Numkeys is the second argument, the keys follow it.
const SCRIPT_KEYS: Keys = Keys::Script;

/// An EVAL-family row: its locks are planned from the script's flags, and whether it
/// writes depends on them too (the hooks of `commands::Spec`).
const fn eval_row(name: &'static str, flags: u8, run: DataFn) -> Spec {
    Spec {
        plan: Some(super::plan_keys),
        writes: Some(super::writes),
        ..data(name, -3, flags | flag::NOSCRIPT, SCRIPT_KEYS, run)
    }
}

pub(crate) const COMMANDS: &[Spec] = &[
    eval_row("eval", flag::MAY_WRITE, eval),
    eval_row("evalsha", flag::MAY_WRITE, evalsha),
    eval_row("eval_ro", 0, eval_ro),
    eval_row("evalsha_ro", 0, evalsha_ro),
    // SCRIPT changes the script cache, not keys: it locks nothing (so SCRIPT KILL can reach
    // a script that holds every shard).
    Spec {
        writes: Some(super::writes),
        ..data(
            "script",
            -2,
            flag::NOSCRIPT | flag::MAY_WRITE,
            Keys::None,
            script,
        )
    },
];

fn eval(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    generic(ctx, a, false, false)
}

fn evalsha(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    generic(ctx, a, true, false)
}

fn eval_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    generic(ctx, a, false, true)
}

fn evalsha_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    generic(ctx, a, true, true)
}

/// Redis checks numkeys first, then finds (or compiles) the script, then its flags.
fn generic(ctx: &mut Ctx, a: &[&[u8]], by_sha: bool, ro: bool) -> Res {
    let numkeys = parse::int(a[2])?;
    let rest = &a[3..];
    if numkeys > i64::try_from(rest.len()).unwrap_or(i64::MAX) {
        return err("ERR Number of keys can't be greater than number of args");
    }
    let Ok(numkeys) = usize::try_from(numkeys) else {
        return err("ERR Number of keys can't be negative");
    };
    let scripts = super::state_or_error(ctx.shared)?;
    let (script, found_at) = if by_sha {
        let (script, generation) = scripts
            .take_planned(a[1])
            .ok_or_else(|| Reply::error(msg::NOSCRIPT))?;
        (script, Some(generation))
    } else {
        (scripts.load(a[1], false).map_err(Reply::error)?, None)
    };
    if ro && script.flags.shebang && !script.flags.no_writes {
        return err("ERR Can not execute a script with write flag using *_ro command.");
    }
    // EVALSHA of a script loaded after this command planned its locks: it was missing
    // when the command started, so answer as if it still were.
    let shards = ctx.shared.keyspace.shard_count();
    if script.flags.allow_undeclared && ctx.db_shards().count() < shards {
        return err(msg::NOSCRIPT);
    }
    let (keys, argv) = rest.split_at(numkeys);
    let read_only = ro || script.flags.no_writes;
    let reply = run::execute(ctx, &script, keys, argv, read_only);
    if let Some(generation) = found_at {
        scripts.give_back(script, generation);
    }
    Ok(reply)
}

const HELP: &[&str] = &[
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the scripts cache.",
    "KILL",
    "    Kill the currently executing scripts that have not written yet.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Print this help.",
];

fn script(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let scripts = super::state_or_error(ctx.shared)?;
    let sub = a[1];
    let argc = a.len();
    if is(sub, "LOAD") && argc == 3 {
        let script = scripts.load(a[2], true).map_err(Reply::error)?;
        Ok(Reply::bulk(script.sha))
    } else if is(sub, "EXISTS") && argc >= 3 {
        let found = a[2..].iter().map(|sha| scripts.cache.contains(sha));
        Ok(Reply::Array(found.map(Reply::from_bool).collect()))
    } else if is(sub, "FLUSH") && argc <= 3 {
        if a.get(2).is_some_and(|o| !is(o, "ASYNC") && !is(o, "SYNC")) {
            return err("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        }
        scripts.cache.flush();
        Ok(Reply::ok())
    } else if is(sub, "KILL") && argc == 2 {
        scripts
            .running
            .kill(super::watchdog::Kind::Eval)
            .map(|()| Reply::ok())
            .map_err(Reply::error)
    } else if is(sub, "HELP") && argc == 2 {
        Ok(Reply::Array(
            HELP.iter().map(|l| Reply::status(*l)).collect(),
        ))
    } else if ["LOAD", "EXISTS", "FLUSH", "KILL", "HELP"]
        .iter()
        .any(|s| is(sub, s))
    {
        let name = String::from_utf8_lossy(sub).to_ascii_lowercase();
        err(msg::arity(&format!("script|{name}")))
    } else {
        err(msg::unknown_subcommand(sub, "SCRIPT"))
    }
}
