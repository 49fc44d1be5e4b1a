//! The parameter table of CONFIG GET / SET: one row per parameter that means something in
//! process. Adding a parameter is one row: its name, its alias, how to read it, and how to
//! check and apply a new value (`None`: read-only).
//!
//! A setter is called twice per `CONFIG SET`: first with `apply == false` for every pair
//! (so a bad value anywhere changes nothing), then with `apply == true`. That is how
//! `CONFIG SET a 1 b 2` is all or none, as Redis's is.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::values::{self, Range};
use super::{memory, persist};
use crate::events::notify;
use crate::shared::Shared;

/// Reads a parameter's value as CONFIG GET prints it.
pub(crate) type GetFn = fn(&Shared) -> String;
/// Checks a new value and, when `apply`, puts it in force. The error is Redis's reason
/// (what follows `CONFIG SET failed (possibly related to argument '..') - `).
pub(crate) type SetFn = fn(&Shared, &[u8], bool) -> Result<(), String>;

/// One parameter.
pub(crate) struct Param {
    pub(crate) name: &'static str,
    /// Redis's older name for it (`hash-max-ziplist-entries` ...).
    pub(crate) alias: Option<&'static str>,
    pub(crate) get: GetFn,
    pub(crate) set: Option<SetFn>,
}

const fn row(name: &'static str, get: GetFn, set: SetFn) -> Param {
    Param {
        name,
        alias: None,
        get,
        set: Some(set),
    }
}

const fn aka(name: &'static str, alias: &'static str, get: GetFn, set: SetFn) -> Param {
    Param {
        name,
        alias: Some(alias),
        get,
        set: Some(set),
    }
}

/// The live parameters.
pub(crate) const PARAMS: &[Param] = &[
    row("notify-keyspace-events", get_notify, set_notify),
    row("hz", get_hz, set_hz),
    aka("busy-reply-threshold", "lua-time-limit", get_busy, set_busy),
    row("proto-max-bulk-len", get_bulk_len, set_bulk_len),
    aka(
        "hash-max-listpack-entries",
        "hash-max-ziplist-entries",
        |s| get_u(&s.server.live.encoding.hash_entries),
        |s, v, apply| set_u(&s.server.live.encoding.hash_entries, v, apply, false),
    ),
    aka(
        "hash-max-listpack-value",
        "hash-max-ziplist-value",
        |s| get_u(&s.server.live.encoding.hash_value),
        |s, v, apply| set_u(&s.server.live.encoding.hash_value, v, apply, true),
    ),
    row(
        "set-max-intset-entries",
        |s| get_u(&s.server.live.encoding.set_intset_entries),
        |s, v, apply| set_u(&s.server.live.encoding.set_intset_entries, v, apply, false),
    ),
    aka(
        "zset-max-listpack-entries",
        "zset-max-ziplist-entries",
        |s| get_u(&s.server.live.encoding.zset_entries),
        |s, v, apply| set_u(&s.server.live.encoding.zset_entries, v, apply, false),
    ),
    aka(
        "zset-max-listpack-value",
        "zset-max-ziplist-value",
        |s| get_u(&s.server.live.encoding.zset_value),
        |s, v, apply| set_u(&s.server.live.encoding.zset_value, v, apply, true),
    ),
    aka(
        "list-max-listpack-size",
        "list-max-ziplist-size",
        |s| s.server.live.encoding.list_size.load(Relaxed).to_string(),
        set_list_size,
    ),
    row(
        "appendonly",
        persist::get_appendonly,
        persist::set_appendonly,
    ),
    row(
        "appendfsync",
        persist::get_appendfsync,
        persist::set_appendfsync,
    ),
    row("save", persist::get_save, persist::set_save),
    row("dir", persist::get_dir, persist::set_dir),
    row(
        "stop-writes-on-bgsave-error",
        persist::get_stop_writes,
        persist::set_stop_writes,
    ),
    row("maxmemory", memory::get_maxmemory, memory::set_maxmemory),
    row("maxmemory-policy", memory::get_policy, memory::set_policy),
    row(
        "maxmemory-samples",
        memory::get_samples,
        memory::set_samples,
    ),
    row(
        "lfu-log-factor",
        memory::get_log_factor,
        memory::set_log_factor,
    ),
    row(
        "lfu-decay-time",
        memory::get_decay_time,
        memory::set_decay_time,
    ),
];

fn get_notify(s: &Shared) -> String {
    notify::flags_to_string(s.events.notify_flags())
}

fn set_notify(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let flags = std::str::from_utf8(v)
        .ok()
        .and_then(notify::parse_flags)
        .ok_or_else(|| notify::BAD_CLASS.to_owned())?;
    if apply {
        s.events.set_notify(&s.listeners, flags);
    }
    Ok(())
}

fn get_hz(s: &Shared) -> String {
    s.server.live.hz().to_string()
}

/// Any value in `0..=INT_MAX` is accepted and capped to 1..500, as Redis does.
fn set_hz(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let hz = values::integer(v, Range::signed(0, i64::from(i32::MAX)))?;
    if apply {
        s.server.live.set_hz(u64::try_from(hz).unwrap_or(1));
    }
    Ok(())
}

fn get_busy(s: &Shared) -> String {
    s.server.live.script_time_limit().as_millis().to_string()
}

/// Scripts' time limit, in milliseconds (here a script past it is stopped).
fn set_busy(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let ms = values::integer(v, Range::signed(0, i64::MAX))?;
    if apply {
        s.server
            .live
            .set_script_time_limit_ms(u64::try_from(ms).unwrap_or(0));
    }
    Ok(())
}

fn get_bulk_len(s: &Shared) -> String {
    s.server.live.proto_max_bulk_len().to_string()
}

fn set_bulk_len(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let n = values::memory(v, Range::signed(1024 * 1024, i64::MAX))?;
    if apply {
        s.server.live.set_proto_max_bulk_len(n);
    }
    Ok(())
}

fn get_u(a: &AtomicU64) -> String {
    a.load(Relaxed).to_string()
}

/// A `size_t` parameter in `0..=LONG_MAX`, as a plain integer or (`memory`) with a unit.
fn set_u(a: &AtomicU64, v: &[u8], apply: bool, memory: bool) -> Result<(), String> {
    let range = Range::unsigned(0, i64::MAX);
    let n = if memory {
        values::memory(v, range)?
    } else {
        u64::try_from(values::integer(v, range)?).unwrap_or(0)
    };
    if apply {
        a.store(n, Relaxed);
    }
    Ok(())
}

fn set_list_size(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let n = values::integer(v, Range::signed(i64::from(i32::MIN), i64::from(i32::MAX)))?;
    if apply {
        s.server.live.encoding.list_size.store(n, Relaxed);
    }
    Ok(())
}
