//! INFO: Redis 7.0's sections, fields and text layout (`# Section` headers, `field:value`
//! lines ending in CRLF, a blank line between sections), with real figures where the
//! store has them (see `sections`).
//!
//! `INFO` and `INFO default` give the default sections; `all` adds commandstats;
//! `everything` is the same here (there are no modules); otherwise each argument names a
//! section, case-insensitively, and unknown names add nothing. INFO's row holds every
//! shard of every database for reading (`Keys::AllDbs`): the keyspace figures and the per-shard counters are
//! read under those locks, never by taking a lock of its own (which, inside an EXEC that
//! holds some shards, would deadlock).

mod sections;

use super::ctx::{Ctx, Res};
use super::{Keys, Spec, data as spec};
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[spec("info", -1, 0, Keys::AllDbs, info)];

/// Every section, in Redis's order, and whether the default set includes it.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("cluster", true),
    ("keyspace", true),
];

fn info(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let wanted = wanted(&a[1..]);
    let mut out = String::new();
    for (name, _) in SECTIONS.iter().filter(|(n, _)| wanted.contains(n)) {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        sections::write(ctx, name, &mut out);
    }
    Ok(Reply::bulk(out))
}

/// The sections the arguments ask for, as Redis 7.0's `genInfoSectionDict` picks them.
fn wanted(args: &[&[u8]]) -> Vec<&'static str> {
    let defaults = || SECTIONS.iter().filter(|(_, d)| *d).map(|(n, _)| *n);
    if args.is_empty() {
        return defaults().collect();
    }
    let mut out: Vec<&'static str> = Vec::new();
    for arg in args {
        let lower = String::from_utf8_lossy(arg).to_ascii_lowercase();
        match lower.as_str() {
            "default" => out.extend(defaults()),
            "all" | "everything" => out.extend(SECTIONS.iter().map(|(n, _)| *n)),
            name => out.extend(SECTIONS.iter().map(|(n, _)| *n).filter(|n| *n == name)),
        }
    }
    out
}
