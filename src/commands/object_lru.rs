//! OBJECT IDLETIME and OBJECT FREQ: the LRU/LFU data of a key (`evict::lru`).
//!
//! [`idletime`] and [`freq`] are the two subcommands for whichever OBJECT command the
//! table holds; the row here carries only them and HELP.

use super::ctx::{Ctx, Res, err};
use super::parse::is;
use super::{Keys, Spec, data as spec};
use crate::evict::lru;
use crate::reply::Reply;

const SECOND: Keys = Keys::Range {
    first: 2,
    last: 2,
    step: 1,
};

pub(crate) const COMMANDS: &[Spec] = &[spec("object", -2, 0, SECOND, object)];

/// Redis's `object.c` texts.
const LFU_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

fn object(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    match a.len() {
        3 if is(a[1], "idletime") => idletime(ctx, a[2]),
        3 if is(a[1], "freq") => freq(ctx, a[2]),
        2 if is(a[1], "help") => Ok(help()),
        _ if ["idletime", "freq", "help"].iter().any(|s| is(a[1], s)) => {
            let sub = String::from_utf8_lossy(a[1]).to_ascii_lowercase();
            err(crate::error::msg::arity(&format!("object|{sub}")))
        }
        _ => err(super::memory::unknown_subcommand(a[1], "OBJECT")),
    }
}

/// `OBJECT IDLETIME key`: seconds since the key was last read or written (Nil if missing).
///
/// # Errors
///
/// Redis's error while an LFU policy is selected (keys then carry no access time).
pub(crate) fn idletime(ctx: &mut Ctx, key: &[u8]) -> Res {
    if ctx.shared.memory.is_lfu() {
        return err(LFU_SELECTED);
    }
    let Some(e) = ctx.peek(key)? else {
        return Ok(Reply::Nil);
    };
    let field = e.lru.load(std::sync::atomic::Ordering::Relaxed);
    let idle = lru::idle_ms(ctx.now(), field) / 1000;
    Ok(Reply::Integer(i64::try_from(idle).unwrap_or(i64::MAX)))
}

/// `OBJECT FREQ key`: the key's logarithmic access counter after decay (Nil if missing).
///
/// # Errors
///
/// Redis's error unless an LFU policy is selected.
pub(crate) fn freq(ctx: &mut Ctx, key: &[u8]) -> Res {
    if !ctx.shared.memory.is_lfu() {
        return err(LFU_NOT_SELECTED);
    }
    let decay = ctx.shared.memory.lfu_decay_time();
    let Some(e) = ctx.peek(key)? else {
        return Ok(Reply::Nil);
    };
    let field = e.lru.load(std::sync::atomic::Ordering::Relaxed);
    Ok(Reply::Integer(i64::from(lru::lfu_decayed(
        field,
        ctx.now(),
        decay,
    ))))
}

fn help() -> Reply {
    let lines = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::status(*l)).collect())
}
