//! MEMORY: USAGE (what one key costs) and HELP here; STATS, DOCTOR, MALLOC-STATS and PURGE
//! in `memory_stats`.

use super::ctx::{Ctx, Res, err};
use super::memory_stats;
use super::parse::{self, is};
use super::{Keys, Spec, data as spec};
use crate::error::msg;
use crate::keyspace::accounting;
use crate::reply::Reply;
use crate::types::memsize;

/// The key is the subcommand's argument.
const SECOND: Keys = Keys::Range {
    first: 2,
    last: 2,
    step: 1,
};

pub(crate) const COMMANDS: &[Spec] = &[Spec {
    plan: Some(memory_stats::plan),
    ..spec("memory", -2, 0, SECOND, memory)
}];

/// The subcommands that take no argument (Redis's arity 2 for each).
const BARE: &[&str] = &["help", "stats", "doctor", "malloc-stats", "purge"];

/// Redis's default `SAMPLES` (`OBJ_COMPUTE_SIZE_DEF_SAMPLES`).
const DEFAULT_SAMPLES: usize = 5;

fn memory(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if is(a[1], "usage") && a.len() >= 3 {
        return usage(ctx, a);
    }
    if a.len() == 2 {
        if is(a[1], "help") {
            return Ok(help());
        }
        if is(a[1], "stats") {
            return memory_stats::stats(ctx);
        }
        if is(a[1], "doctor") {
            return Ok(memory_stats::doctor(ctx));
        }
        if is(a[1], "malloc-stats") {
            return Ok(Reply::bulk(memory_stats::NO_MALLOC_STATS));
        }
        if is(a[1], "purge") {
            // Without jemalloc Redis has nothing to purge and answers OK.
            return Ok(Reply::ok());
        }
    }
    if is(a[1], "usage") || BARE.iter().any(|b| is(a[1], b)) {
        let sub = String::from_utf8_lossy(a[1]).to_ascii_lowercase();
        return err(msg::arity(&format!("memory|{sub}")));
    }
    err(unknown_subcommand(a[1], "MEMORY"))
}

/// Redis's text for a subcommand it does not know.
pub(crate) fn unknown_subcommand(sub: &[u8], command: &str) -> String {
    let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
    format!("ERR unknown subcommand '{sub}'. Try {command} HELP.")
}

/// `MEMORY USAGE key [SAMPLES n]`: the slot, the key and the value, as `store.used_memory`
/// counts them; `SAMPLES 0` reads every element of a container.
fn usage(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut samples = DEFAULT_SAMPLES;
    let mut j = 3;
    while j < a.len() {
        if is(a[j], "samples") && j + 1 < a.len() {
            let n = parse::int(a[j + 1])?;
            let Ok(n) = usize::try_from(n) else {
                return err(msg::SYNTAX);
            };
            samples = n;
            j += 2;
        } else {
            return err(msg::SYNTAX);
        }
    }
    let Some(e) = ctx.peek(a[2])? else {
        return Ok(Reply::Nil);
    };
    let Some(value) = &e.value else {
        return Ok(Reply::Nil);
    };
    // The slot's share of its table: the slot, its index and control bytes.
    let slot = accounting::SLOT_BYTES + 9;
    let bytes = slot + memsize::key_heap(a[2].len()) + value.heap_size(samples);
    Ok(Reply::Integer(i64::try_from(bytes).unwrap_or(i64::MAX)))
}

fn help() -> Reply {
    let lines = [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::status(*l)).collect())
}
