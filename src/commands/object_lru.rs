//! OBJECT IDLETIME and OBJECT FREQ: the LRU/LFU data of a key (`evict::lru`).
//!
//! [`idletime`] and [`freq`] are two subcommands of the OBJECT command (`commands::object`).

use super::ctx::{Ctx, Res, err};
use crate::evict::lru;
use crate::reply::Reply;

/// Redis's `object.c` texts.
const LFU_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

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
