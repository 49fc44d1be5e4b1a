//! COMMAND, COMMAND COUNT / INFO / DOCS / LIST / GETKEYS / GETKEYSANDFLAGS / HELP, from the
//! one command table (`Shared::commands`), shaped as Redis 7 answers.
//!
//! What the table knows is what these report: arity, whether a command writes, is refused
//! in scripts, blocks, or finds its keys through a count; its key positions. So flags are
//! `write` / `readonly`, `noscript`, `blocking`, `movablekeys`; ACL categories are the
//! matching `@write` / `@read` / `@blocking`; Redis's finer flags (`fast`, `denyoom`,
//! `loading` ...), tips and subcommands are not in the table and are left out. COMMAND DOCS
//! is brief: each command's name with an empty documentation map.

use super::ctx::{Ctx, Res, err};
use super::{Keys, Spec, data as spec, flag};
use crate::error::msg;
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[spec("command", -1, flag::SUBCOMMANDS, Keys::None, command)];

const HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Print this help.",
];

fn command(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let table = ctx.shared.commands;
    let Some(sub) = a.get(1) else {
        return Ok(Reply::Array(table.iter().map(info).collect()));
    };
    let lower = String::from_utf8_lossy(sub).to_ascii_lowercase();
    let n = a.len();
    match lower.as_str() {
        "count" if n == 2 => Ok(Reply::from_len(table.len())),
        "info" if n == 2 => Ok(Reply::Array(table.iter().map(info).collect())),
        "info" => Ok(Reply::Array(
            a[2..]
                .iter()
                .map(|name| table.lookup(name).map_or(Reply::Nil, info))
                .collect(),
        )),
        "docs" => Ok(docs(ctx, &a[2..])),
        "list" => list(ctx, &a[2..]),
        "getkeys" if n >= 3 => getkeys(ctx, &a[2..], false),
        "getkeysandflags" if n >= 3 => getkeys(ctx, &a[2..], true),
        "help" if n == 2 => Ok(Reply::Array(
            HELP.iter().map(|l| Reply::status(*l)).collect(),
        )),
        "count" | "getkeys" | "getkeysandflags" | "help" => {
            err(msg::arity(&format!("command|{lower}")))
        }
        _ => err(msg::unknown_subcommand(sub, "COMMAND")),
    }
}

fn int(n: impl TryInto<i64>) -> Reply {
    Reply::Integer(n.try_into().unwrap_or(i64::MAX))
}

fn statuses(items: &[&'static str]) -> Reply {
    Reply::Array(items.iter().map(|s| Reply::status(*s)).collect())
}

fn flags(spec: &Spec) -> Vec<&'static str> {
    let mut out = Vec::new();
    if spec.is_write() {
        out.push("write");
    } else if has_keys(spec) && !spec.has(flag::MAY_WRITE) {
        out.push("readonly");
    }
    if spec.has(flag::NOSCRIPT) {
        out.push("noscript");
    }
    if spec.has(flag::BLOCKING) {
        out.push("blocking");
    }
    if matches!(spec.keys, Keys::NumKeys { .. } | Keys::Script) {
        out.push("movablekeys");
    }
    out
}

fn categories(spec: &Spec) -> Vec<&'static str> {
    let mut out = Vec::new();
    if spec.is_write() {
        out.push("@write");
    } else if has_keys(spec) && !spec.has(flag::MAY_WRITE) {
        out.push("@read");
    }
    if spec.has(flag::BLOCKING) {
        out.push("@blocking");
    }
    out
}

fn has_keys(spec: &Spec) -> bool {
    !matches!(spec.keys, Keys::None | Keys::All | Keys::AllDbs)
}

/// Redis's legacy (first, last, step) triple.
fn legacy_range(spec: &Spec) -> (i64, i64, i64) {
    let i = |n: usize| i64::try_from(n).unwrap_or(0);
    match spec.keys {
        Keys::Range { first, last, step } => (i(first), i64::try_from(last).unwrap_or(0), i(step)),
        Keys::NumKeys { dest: Some(d), .. } => (i(d), i(d), 1),
        _ => (0, 0, 0),
    }
}

/// One key spec: its access flags, where the search begins, how keys are found.
fn key_spec(write: bool, begin: usize, find: Reply) -> Reply {
    Reply::Array(vec![
        Reply::bulk("flags"),
        statuses(if write { &["RW"] } else { &["RO"] }),
        Reply::bulk("begin_search"),
        Reply::Array(vec![
            Reply::bulk("type"),
            Reply::bulk("index"),
            Reply::bulk("spec"),
            Reply::Array(vec![Reply::bulk("index"), int(begin)]),
        ]),
        Reply::bulk("find_keys"),
        find,
    ])
}

fn range_find(lastkey: i64, step: usize) -> Reply {
    Reply::Array(vec![
        Reply::bulk("type"),
        Reply::bulk("range"),
        Reply::bulk("spec"),
        Reply::Array(vec![
            Reply::bulk("lastkey"),
            Reply::Integer(lastkey),
            Reply::bulk("keystep"),
            int(step),
            Reply::bulk("limit"),
            Reply::Integer(0),
        ]),
    ])
}

fn keynum_find() -> Reply {
    Reply::Array(vec![
        Reply::bulk("type"),
        Reply::bulk("keynum"),
        Reply::bulk("spec"),
        Reply::Array(vec![
            Reply::bulk("keynumidx"),
            Reply::Integer(0),
            Reply::bulk("firstkey"),
            Reply::Integer(1),
            Reply::bulk("keystep"),
            Reply::Integer(1),
        ]),
    ])
}

fn key_specs(spec: &Spec) -> Vec<Reply> {
    let w = spec.is_write();
    match spec.keys {
        Keys::Range { first, last, step } => {
            // `lastkey` counts from the first key; negative ones count from the end.
            let lastkey = if last < 0 {
                i64::try_from(last).unwrap_or(-1)
            } else {
                i64::try_from(last).unwrap_or(0) - i64::try_from(first).unwrap_or(0)
            };
            vec![key_spec(w, first, range_find(lastkey, step))]
        }
        Keys::NumKeys { at, dest } => {
            let mut out: Vec<Reply> = dest
                .map(|d| key_spec(w, d, range_find(0, 1)))
                .into_iter()
                .collect();
            out.push(key_spec(w && dest.is_none(), at, keynum_find()));
            out
        }
        Keys::Script => vec![key_spec(spec.has(flag::MAY_WRITE), 2, keynum_find())],
        Keys::None | Keys::All | Keys::AllDbs => Vec::new(),
    }
}

/// A command's COMMAND INFO entry (Redis 7's ten fields).
fn info(spec: &Spec) -> Reply {
    let (first, last, step) = legacy_range(spec);
    Reply::Array(vec![
        Reply::bulk(spec.name),
        Reply::Integer(i64::from(spec.arity)),
        statuses(&flags(spec)),
        Reply::Integer(first),
        Reply::Integer(last),
        Reply::Integer(step),
        statuses(&categories(spec)),
        Reply::Array(Vec::new()),
        Reply::Array(key_specs(spec)),
        Reply::Array(Vec::new()),
    ])
}

/// Brief: each named (or every) command with an empty documentation map; unknown names
/// are left out, as Redis leaves them out.
fn docs(ctx: &Ctx, names: &[&[u8]]) -> Reply {
    let table = ctx.shared.commands;
    let specs: Vec<&Spec> = if names.is_empty() {
        table.iter().collect()
    } else {
        names.iter().filter_map(|n| table.lookup(n)).collect()
    };
    Reply::Array(
        specs
            .into_iter()
            .flat_map(|s| [Reply::bulk(s.name), Reply::Array(Vec::new())])
            .collect(),
    )
}

/// `COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]`.
fn list(ctx: &Ctx, opts: &[&[u8]]) -> Res {
    let table = ctx.shared.commands;
    let keep: Box<dyn Fn(&Spec) -> bool> = match opts {
        [] => Box::new(|_| true),
        [by, kind, value] if super::parse::is(by, "filterby") => {
            let value = String::from_utf8_lossy(value).to_ascii_lowercase();
            match () {
                () if super::parse::is(kind, "module") => Box::new(|_| false),
                () if super::parse::is(kind, "aclcat") => {
                    let cat = format!("@{}", value.trim_start_matches('@'));
                    Box::new(move |s| categories(s).contains(&cat.as_str()))
                }
                () if super::parse::is(kind, "pattern") => {
                    Box::new(move |s| super::glob::matches(value.as_bytes(), s.name.as_bytes()))
                }
                () => return err(msg::SYNTAX),
            }
        }
        _ => return err(msg::SYNTAX),
    };
    Ok(Reply::Array(
        table
            .iter()
            .filter(|s| keep(s))
            .map(|s| Reply::bulk(s.name))
            .collect(),
    ))
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS of the command line `line`.
fn getkeys(ctx: &Ctx, line: &[&[u8]], with_flags: bool) -> Res {
    let Some(spec) = ctx.shared.commands.lookup(line[0]) else {
        return err("ERR Invalid command specified");
    };
    if !spec.arity_ok(line.len()) {
        return err("ERR Invalid number of arguments specified for command");
    }
    if !has_keys(spec) {
        return err("ERR The command has no key arguments");
    }
    let access = if spec.is_write() { "RW" } else { "RO" };
    let mut keys = Vec::new();
    spec.for_each_key(line, |k| {
        keys.push(if with_flags {
            Reply::Array(vec![Reply::bulk(k), statuses(&[access])])
        } else {
            Reply::bulk(k)
        });
    });
    Ok(Reply::Array(keys))
}
