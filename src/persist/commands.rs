//! DUMP, RESTORE, SAVE, BGSAVE and LASTSAVE. A family of its own above `commands/` (as the
//! connection and script families are), since it needs the RDB codec and the saver; the
//! registry lists its rows.

use crate::commands::budget;
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::parse::{self, is};
use crate::commands::{Keys, ONE, Spec, W, data as spec, flag};
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;

use super::rdb::{self, PayloadError};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("dump", 2, 0, ONE, dump),
    spec("restore", -4, W, ONE, restore),
    spec("save", 1, flag::NOSCRIPT, Keys::None, save),
    spec("bgsave", -1, flag::NOSCRIPT, Keys::None, bgsave),
    spec("lastsave", 1, 0, Keys::None, lastsave),
];

const BUSYKEY: &str = "BUSYKEY Target key name already exists.";
const BAD_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";
const BAD_FORMAT: &str = "ERR Bad data format";

/// The serialized value, or nil. The payload is bounded like any reply: its size is
/// checked (from an upper bound computed without copying) before it is built.
fn dump(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let Some(value) = ctx.get(a[1])? else {
        return Ok(Reply::Nil);
    };
    budget::check(
        ctx,
        budget::ELEMENT.saturating_add(rdb::dump_size_bound(value)),
    )?;
    Ok(Reply::bulk(rdb::dump(value)))
}

/// RESTORE's options, checked in Redis's order.
#[derive(Default)]
struct Options {
    replace: bool,
    absttl: bool,
}

fn options(a: &[&[u8]]) -> Res<Options> {
    let mut o = Options::default();
    let (mut idle, mut freq) = (false, false);
    let mut j = 4;
    while j < a.len() {
        let more = j + 1 < a.len();
        if is(a[j], "REPLACE") {
            o.replace = true;
        } else if is(a[j], "ABSTTL") {
            o.absttl = true;
        } else if is(a[j], "IDLETIME") && more && !freq {
            if parse::int(a[j + 1])? < 0 {
                return err("ERR Invalid IDLETIME value, must be >= 0");
            }
            idle = true;
            j += 1;
        } else if is(a[j], "FREQ") && more && !idle {
            if !(0..=255).contains(&parse::int(a[j + 1])?) {
                return err("ERR Invalid FREQ value, must be >= 0 and <= 255");
            }
            freq = true;
            j += 1;
        } else {
            return err(msg::SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: Redis's checks in its
/// order (options, BUSYKEY, TTL, payload), then delete-and-add with the `restore` event. A
/// relative TTL replays as an absolute one (Redis rewrites it and appends ABSTTL); IDLETIME
/// and FREQ are accepted and checked, but redlite keeps no LRU/LFU data to set.
fn restore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let o = options(a)?;
    if !o.replace && ctx.entry(a[1])?.is_some() {
        return err(BUSYKEY);
    }
    let ttl = parse::int(a[2])?;
    if ttl < 0 {
        return err("ERR Invalid TTL value, must be >= 0");
    }
    let value = match rdb::restore(a[3]) {
        Ok(v) => v,
        Err(PayloadError::VersionOrChecksum) => return err(BAD_PAYLOAD),
        Err(PayloadError::BadFormat) => return err(BAD_FORMAT),
    };
    let ttl = ttl.unsigned_abs();
    let expires_at = match (ttl, o.absttl) {
        (0, _) => 0,
        (t, true) => t,
        (t, false) => t.saturating_add(ctx.now()),
    };
    if expires_at != 0 && expires_at <= ctx.now() {
        // Already expired: nothing is stored; an existing key given REPLACE goes, as a DEL.
        if o.replace && ctx.remove(a[1], ev::DEL)?.is_some() {
            ctx.replay([&b"DEL"[..], a[1]]);
        }
        return Ok(Reply::ok());
    }
    ctx.add(a[1], value, expires_at)?;
    ctx.note(a[1], ev::RESTORE);
    if ttl != 0 && !o.absttl && ctx.listening() {
        let at = expires_at.to_string();
        let mut args: Vec<&[u8]> = vec![a[0], a[1], at.as_bytes(), a[3]];
        args.extend_from_slice(&a[4..]);
        args.push(b"ABSTTL");
        ctx.replay(args);
    }
    Ok(Reply::ok())
}

/// SAVE: a snapshot written now, on the caller's thread (Redis blocks its one thread too;
/// here only this caller waits, and writers go on, see `persist::snapshot`).
fn save(ctx: &mut Ctx, _: &[&[u8]]) -> Res {
    if ctx.held_shards().next().is_some() {
        // Inside EXEC with keys locked: the snapshot's instant would need those locks.
        return err("ERR SAVE inside a transaction that holds keys is not supported; use BGSAVE");
    }
    if ctx
        .shared
        .saves
        .bgsave_running
        .load(crate::sync::Ordering::Acquire)
    {
        return err("ERR Background save already in progress");
    }
    match super::save::save(ctx.shared, false) {
        Ok(_) => Ok(Reply::ok()),
        Err(e) => err(e.reply_text()),
    }
}

/// BGSAVE [SCHEDULE].
fn bgsave(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let schedule = match a {
        [_] => false,
        [_, s] if is(s, "SCHEDULE") => true,
        _ => return err(msg::SYNTAX),
    };
    match super::bgsave(ctx.shared, schedule) {
        Ok(super::Bgsave::Started) => Ok(Reply::status("Background saving started")),
        Ok(super::Bgsave::Scheduled) => Ok(Reply::status("Background saving scheduled")),
        Err(text) => err(text),
    }
}

/// LASTSAVE: Unix seconds of the last successful save.
fn lastsave(ctx: &mut Ctx, _: &[&[u8]]) -> Res {
    let at = ctx
        .shared
        .saves
        .last_save
        .load(crate::sync::Ordering::Acquire);
    Ok(Reply::Integer(i64::try_from(at).unwrap_or(i64::MAX)))
}
