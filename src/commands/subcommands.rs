//! Redis 7 checks a subcommand's name and arity before the command runs (or is queued
//! inside MULTI): `CONFIG SET hz` is refused with `'config|set'`'s arity error at once,
//! and dooms the transaction. Rows flagged `SUBCOMMANDS` are checked here, from this
//! table, on the same path as the command's own arity.

use super::{Spec, flag};
use crate::error::msg;

/// (command, subcommand, arity) as Redis 7.0's command table has them.
const ARITIES: &[(&str, &str, i32)] = &[
    ("config", "get", -3),
    ("config", "set", -4),
    ("config", "resetstat", 2),
    ("config", "rewrite", 2),
    ("config", "help", 2),
    ("object", "encoding", 3),
    ("object", "refcount", 3),
    ("object", "freq", 3),
    ("object", "idletime", 3),
    ("object", "help", 2),
    ("command", "count", 2),
    ("command", "list", -2),
    ("command", "info", -2),
    ("command", "docs", -2),
    ("command", "getkeys", -3),
    ("command", "getkeysandflags", -3),
    ("command", "help", 2),
    ("client", "id", 2),
    ("client", "getname", 2),
    ("client", "setname", 3),
    ("client", "info", 2),
    ("client", "list", -2),
    ("client", "kill", -3),
    ("client", "no-evict", 3),
    ("client", "no-touch", 3),
    ("client", "reply", 3),
    ("client", "help", 2),
];

/// The refusal of `argv` when `spec` has subcommands and this one is unknown or has the
/// wrong number of arguments.
#[inline]
pub(crate) fn check(spec: &Spec, argv: &[&[u8]]) -> Result<(), String> {
    if !spec.has(flag::SUBCOMMANDS) {
        return Ok(());
    }
    check_slow(spec, argv)
}

#[cold]
fn check_slow(spec: &Spec, argv: &[&[u8]]) -> Result<(), String> {
    // COMMAND alone is a command of its own (the full listing).
    let Some(sub) = argv.get(1) else {
        return Ok(());
    };
    let row = ARITIES
        .iter()
        .find(|(cmd, name, _)| *cmd == spec.name && name.as_bytes().eq_ignore_ascii_case(sub));
    let Some(&(_, name, arity)) = row else {
        return Err(msg::unknown_subcommand(
            sub,
            &spec.name.to_ascii_uppercase(),
        ));
    };
    let argc = i64::try_from(argv.len()).unwrap_or(i64::MAX);
    let ok = if arity >= 0 {
        argc == i64::from(arity)
    } else {
        argc >= -i64::from(arity)
    };
    if ok {
        Ok(())
    } else {
        Err(msg::arity(&format!("{}|{name}", spec.name)))
    }
}
