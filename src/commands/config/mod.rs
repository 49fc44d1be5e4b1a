//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the parameter table (`params`, the
//! live ones; `inert`, Redis's others with their defaults).

mod inert;
mod memory;
pub(crate) mod params;
mod persist;
mod values;

use super::ctx::{Ctx, Res, err};
use super::{Keys, Spec, data as spec, flag};
use crate::error::msg;
use crate::reply::Reply;
use crate::shared::Shared;
use params::{PARAMS, Param};

pub(crate) const COMMANDS: &[Spec] = &[spec(
    "config",
    -2,
    flag::NOSCRIPT | flag::SUBCOMMANDS,
    Keys::AllDbs,
    config,
)];

const HELP: &[&str] = &[
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Print this help.",
];

fn config(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let sub = a[1];
    let lower = String::from_utf8_lossy(sub).to_ascii_lowercase();
    let n = a.len();
    match lower.as_str() {
        "get" if n >= 3 => Ok(get(ctx.shared, &a[2..])),
        "set" if n >= 4 && n % 2 == 0 => Ok(set(ctx.shared, &a[2..])),
        "set" if n >= 4 => err(msg::SYNTAX),
        "resetstat" if n == 2 => {
            reset_stats(ctx);
            Ok(Reply::ok())
        }
        "rewrite" if n == 2 => err("ERR The server is running without a config file"),
        "help" if n == 2 => Ok(Reply::Array(
            HELP.iter().map(|l| Reply::status(*l)).collect(),
        )),
        "get" | "set" | "resetstat" | "rewrite" | "help" => {
            err(msg::arity(&format!("config|{lower}")))
        }
        _ => err(msg::unknown_subcommand(sub, "CONFIG")),
    }
}

/// A parameter found by name or alias: the live row, or an inert value.
enum Found {
    Live(&'static Param),
    Inert(&'static str),
}

fn lookup(name: &str) -> Option<Found> {
    if let Some(p) = PARAMS
        .iter()
        .find(|p| p.name == name || p.alias == Some(name))
    {
        return Some(Found::Live(p));
    }
    let i = inert::INERT
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()?;
    Some(Found::Inert(inert::INERT[i].1))
}

fn value(shared: &Shared, found: &Found) -> String {
    match found {
        Found::Live(p) => (p.get)(shared),
        Found::Inert(v) => (*v).to_owned(),
    }
}

/// Every name a glob may match: each live row's name and alias, then the inert names.
fn all_names() -> impl Iterator<Item = &'static str> {
    PARAMS
        .iter()
        .flat_map(|p| std::iter::once(p.name).chain(p.alias))
        .chain(inert::INERT.iter().map(|(n, _)| *n))
}

/// 7.0's reply: a flat array of name, value pairs. A pattern without glob characters is
/// looked up exactly (its name printed as given); a glob matches names and aliases, without
/// regard to case. A name matched twice (in any case) is listed once, as Redis's
/// case-insensitive dictionary of matches keeps it.
fn get(shared: &Shared, patterns: &[&[u8]]) -> Reply {
    let mut out: Vec<(String, String)> = Vec::new();
    for pattern in patterns {
        let text = String::from_utf8_lossy(pattern).into_owned();
        let lower = text.to_ascii_lowercase();
        if !text.contains(['[', '*', '?']) {
            if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&text)) {
                continue;
            }
            if let Some(found) = lookup(&lower) {
                let v = value(shared, &found);
                out.push((text, v));
            }
            continue;
        }
        for name in all_names() {
            if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            if super::glob::matches(lower.as_bytes(), name.as_bytes()) {
                if let Some(found) = lookup(name) {
                    out.push((name.to_owned(), value(shared, &found)));
                }
            }
        }
    }
    Reply::Array(
        out.into_iter()
            .flat_map(|(n, v)| [Reply::bulk(n), Reply::bulk(v)])
            .collect(),
    )
}

/// All pairs are checked before any is applied, so either all take effect or none does.
fn set(shared: &Shared, pairs: &[&[u8]]) -> Reply {
    let mut rows: Vec<(&'static Param, &[u8], String)> = Vec::with_capacity(pairs.len() / 2);
    // Redis reports an unknown name before any other problem.
    for pair in pairs.chunks_exact(2) {
        let name = String::from_utf8_lossy(pair[0]).into_owned();
        if lookup(&name.to_ascii_lowercase()).is_none() {
            return Reply::error(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
            ));
        }
    }
    for pair in pairs.chunks_exact(2) {
        let name = String::from_utf8_lossy(pair[0]).into_owned();
        let row = match lookup(&name.to_ascii_lowercase()) {
            Some(Found::Live(p)) if p.set.is_some() => p,
            _ => return failed(&name, "can't set immutable config"),
        };
        if rows.iter().any(|(p, _, _)| std::ptr::eq(*p, row)) {
            return failed(&name, "duplicate parameter");
        }
        rows.push((row, pair[1], name));
    }
    for (row, v, _) in &rows {
        if let Some(Err(why)) = row.set.map(|set| set(shared, v, false)) {
            return failed(row.name, &why);
        }
    }
    for (row, v, _) in &rows {
        if let Some(Err(why)) = row.set.map(|set| set(shared, v, true)) {
            // Checked above; a setter that fails only when applying would be a bug.
            return failed(row.name, &why);
        }
    }
    Reply::ok()
}

fn failed(name: &str, why: &str) -> Reply {
    Reply::error(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
    ))
}

/// CONFIG RESETSTAT: the command, error and connection counters, and each shard's hits,
/// misses and expired keys. CONFIG's row holds every shard of every database (read-locked, `Keys::AllDbs`) so
/// that this never takes a lock itself: inside an EXEC, which may hold some shards
/// already, taking one would deadlock.
fn reset_stats(ctx: &Ctx) {
    ctx.shared.server.stats.reset();
    ctx.shared
        .memory
        .evicted
        .store(0, std::sync::atomic::Ordering::Relaxed);
    for shard in ctx.held_shards() {
        shard.counts.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_names_are_sorted_for_binary_search() {
        assert!(inert::INERT.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn no_name_is_both_live_and_inert() {
        for p in PARAMS {
            for name in std::iter::once(p.name).chain(p.alias) {
                assert!(
                    inert::INERT
                        .binary_search_by(|(n, _)| (*n).cmp(name))
                        .is_err(),
                    "{name}"
                );
            }
        }
    }
}
