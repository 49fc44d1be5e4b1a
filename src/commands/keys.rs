//! Generic key commands: DEL, EXISTS, TYPE, RENAME, the EXPIRE and TTL families,
//! KEYS, SCAN and RANDOMKEY.

use super::budget::{self, Meter};
use super::ctx::{Ctx, Res, err};
use super::parse::{self, is};
use super::{ALL, Keys, ONE, Spec, TWO, W, data as spec, glob};
use crate::clock::Now;
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[
    spec("del", -2, W, ALL, del),
    spec("unlink", -2, W, ALL, del),
    spec("exists", -2, 0, ALL, exists),
    spec("touch", -2, 0, ALL, exists),
    spec("type", 2, 0, ONE, type_),
    spec("rename", 3, W, TWO, rename),
    spec("renamenx", 3, W, TWO, renamenx),
    spec("expire", -3, W, ONE, expire),
    spec("pexpire", -3, W, ONE, pexpire),
    spec("expireat", -3, W, ONE, expireat),
    spec("pexpireat", -3, W, ONE, pexpireat),
    spec("ttl", 2, 0, ONE, ttl),
    spec("pttl", 2, 0, ONE, pttl),
    spec("expiretime", 2, 0, ONE, expiretime),
    spec("pexpiretime", 2, 0, ONE, pexpiretime),
    spec("persist", 2, W, ONE, persist),
    spec("keys", 2, 0, Keys::All, keys),
    spec("scan", -2, 0, Keys::All, scan),
    spec("randomkey", 1, 0, Keys::All, randomkey),
];

fn del(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut n = 0;
    for k in &a[1..] {
        n += i64::from(ctx.remove(k, ev::DEL)?.is_some());
    }
    Ok(Reply::Integer(n))
}

fn exists(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut n = 0;
    for k in &a[1..] {
        n += i64::from(ctx.entry(k)?.is_some());
    }
    Ok(Reply::Integer(n))
}

fn type_(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let name = ctx.get(a[1])?.map_or("none", |v| v.type_name());
    Ok(Reply::status(name))
}

/// Moves src to dst with its TTL. `nx`: only when dst is missing.
fn rename_with(ctx: &mut Ctx, a: &[&[u8]], nx: bool) -> Res {
    let Some(expires_at) = ctx.entry(a[1])?.map(|e| e.expires_at) else {
        return err(msg::NO_SUCH_KEY);
    };
    if a[1] == a[2] {
        return Ok(if nx { Reply::Integer(0) } else { Reply::ok() });
    }
    if nx && ctx.entry(a[2])?.is_some() {
        return Ok(Reply::Integer(0));
    }
    // Redis deletes an existing destination silently and adds it anew: `new` on the
    // destination, then `rename_from`, then `rename_to`.
    if let Some(value) = ctx.take(a[1])? {
        ctx.add(a[2], value, expires_at)?;
        ctx.note(a[1], ev::RENAME_FROM);
        ctx.note(a[2], ev::RENAME_TO);
    }
    Ok(if nx { Reply::Integer(1) } else { Reply::ok() })
}

fn rename(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    rename_with(ctx, a, false)
}

fn renamenx(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    rename_with(ctx, a, true)
}

/// EXPIRE's NX / XX / GT / LT.
#[derive(Default)]
struct Cond {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn expire_conditions(opts: &[&[u8]]) -> Res<Cond> {
    let mut c = Cond::default();
    for o in opts {
        match () {
            () if is(o, "NX") => c.nx = true,
            () if is(o, "XX") => c.xx = true,
            () if is(o, "GT") => c.gt = true,
            () if is(o, "LT") => c.lt = true,
            () => {
                // Reply::error keeps it on one line, as Redis does.
                let shown = String::from_utf8_lossy(o);
                return err(format!("ERR Unsupported option {shown}"));
            }
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return err("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if c.gt && c.lt {
        return err("ERR GT and LT options at the same time are not compatible");
    }
    Ok(c)
}

/// The absolute deadline EXPIRE* asks for; any value (past ones delete the key).
fn expire_deadline(raw: &[u8], seconds: bool, absolute: bool, now: u64, cmd: &str) -> Res<i64> {
    let n = parse::int(raw)?;
    let bad = || err(msg::expire_time(cmd));
    let ms = if seconds {
        n.checked_mul(1000)
    } else {
        Some(n)
    };
    let Some(ms) = ms else { return bad() };
    if absolute {
        return Ok(ms);
    }
    ms.checked_add(parse::signed_ms(now)).map_or_else(bad, Ok)
}

fn expire_generic(ctx: &mut Ctx, a: &[&[u8]], seconds: bool, absolute: bool, cmd: &str) -> Res {
    let cond = expire_conditions(&a[3..])?;
    let when = expire_deadline(a[2], seconds, absolute, ctx.now(), cmd)?;
    let Some(current) = ctx.entry(a[1])?.map(|e| e.expires_at) else {
        return Ok(Reply::Integer(0));
    };
    let has_ttl = current != 0;
    let current = parse::signed_ms(current);
    let refused = (cond.nx && has_ttl)
        || (cond.xx && !has_ttl)
        || (cond.gt && (!has_ttl || when <= current))
        || (cond.lt && has_ttl && when >= current);
    if refused {
        return Ok(Reply::Integer(0));
    }
    if when <= parse::signed_ms(ctx.now()) {
        ctx.remove(a[1], ev::DEL)?;
        ctx.replay([&b"DEL"[..], a[1]]);
    } else if let Some(mut e) = ctx.get_mut(a[1])? {
        // `when` is past `now` here, so it is positive.
        let when = when.unsigned_abs();
        e.set_expires_at(when);
        e.signal(ev::EXPIRE);
        replay_pexpireat(ctx, a[1], when);
    }
    Ok(Reply::Integer(1))
}

/// A relative or conditional expiry replays as the absolute deadline it set.
pub(crate) fn replay_pexpireat(ctx: &mut Ctx, key: &[u8], at: u64) {
    if ctx.listening() {
        let at = at.to_string();
        ctx.replay([&b"PEXPIREAT"[..], key, at.as_bytes()]);
    }
}

fn expire(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    expire_generic(ctx, a, true, false, "expire")
}

fn pexpire(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    expire_generic(ctx, a, false, false, "pexpire")
}

fn expireat(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    expire_generic(ctx, a, true, true, "expireat")
}

fn pexpireat(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    expire_generic(ctx, a, false, true, "pexpireat")
}

/// TTL family: -2 missing, -1 no expiry, else remaining (or absolute) time.
fn ttl_generic(ctx: &mut Ctx, key: &[u8], ms: bool, absolute: bool) -> Res {
    let Some(at) = ctx.entry(key)?.map(|e| e.expires_at) else {
        return Ok(Reply::Integer(-2));
    };
    if at == 0 {
        return Ok(Reply::Integer(-1));
    }
    let at = parse::signed_ms(at);
    let v = if absolute {
        at
    } else {
        (at - parse::signed_ms(ctx.now())).max(0)
    };
    Ok(Reply::Integer(if ms { v } else { round_to_seconds(v) }))
}

/// Milliseconds to seconds, rounding half up as Redis's `(ttl+500)/1000` does, without its
/// overflow near `i64::MAX` (`v` is never negative here).
fn round_to_seconds(v: i64) -> i64 {
    v / 1000 + i64::from(v % 1000 >= 500)
}

fn ttl(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    ttl_generic(ctx, a[1], false, false)
}

fn pttl(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    ttl_generic(ctx, a[1], true, false)
}

fn expiretime(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    ttl_generic(ctx, a[1], false, true)
}

fn pexpiretime(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    ttl_generic(ctx, a[1], true, true)
}

fn persist(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let Some(mut e) = ctx.get_mut(a[1])? else {
        return Ok(Reply::Integer(0));
    };
    if e.expires_at() == 0 {
        return Ok(Reply::Integer(0));
    }
    e.set_expires_at(0);
    e.signal(ev::PERSIST);
    Ok(Reply::Integer(1))
}

fn keys(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let now = Now::fixed(ctx.now());
    let pattern = a[1];
    let all = pattern == b"*";
    let found = ctx
        .db_shards()
        .flat_map(|shard| shard.iter_live(&now))
        .filter(|(k, _)| all || glob::matches(pattern, k))
        .map(|(k, _)| k);
    budget::bulks(ctx, found)
}

/// SCAN's cursor: shard index in the high bits, the position bound inside it in the low
/// 40. Each shard is walked from its last slot downwards (see `keyspace::shard`).
const POS_BITS: u32 = 40;
const POS_MAX: u64 = (1 << POS_BITS) - 1;
/// "No bound yet" as a position: on a 32-bit target it truncates to `usize::MAX`, which
/// bounds nothing either.
#[allow(
    clippy::cast_possible_truncation,
    reason = "truncation on 32-bit targets keeps the meaning"
)]
const POS_MAX_USIZE: usize = POS_MAX as usize;

fn decode_cursor(c: u64) -> (usize, usize) {
    if c == 0 {
        return (0, POS_MAX_USIZE);
    }
    ((c >> POS_BITS) as usize, (c & POS_MAX) as usize)
}

fn encode_cursor(shard: usize, upper: usize) -> u64 {
    ((shard as u64) << POS_BITS) | (upper as u64).min(POS_MAX)
}

/// SCAN's MATCH / COUNT / TYPE, shared with HSCAN, SSCAN and ZSCAN.
pub(crate) struct ScanOpts<'a> {
    pub(crate) pattern: Option<&'a [u8]>,
    pub(crate) count: usize,
    pub(crate) type_name: Option<&'a [u8]>,
}

/// Parses scan options; `allow_type` is true only for SCAN itself.
pub(crate) fn scan_options<'a>(opts: &[&'a [u8]], allow_type: bool) -> Res<ScanOpts<'a>> {
    let mut o = ScanOpts {
        pattern: None,
        count: 10,
        type_name: None,
    };
    let mut i = 0;
    while i < opts.len() {
        let Some(&v) = opts.get(i + 1) else {
            return err(msg::SYNTAX);
        };
        if is(opts[i], "MATCH") {
            o.pattern = Some(v).filter(|p| *p != b"*");
        } else if is(opts[i], "COUNT") {
            let n = parse::int(v)?;
            if n < 1 {
                return err(msg::SYNTAX);
            }
            o.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if allow_type && is(opts[i], "TYPE") {
            o.type_name = Some(v);
        } else {
            return err(msg::SYNTAX);
        }
        i += 2;
    }
    Ok(o)
}

/// Parses a SCAN-family cursor as Redis's `string2ull` does: a strict integer that is not
/// negative, or else whatever `strtoull` reads in full (leading spaces, `+`, leading zeros;
/// a `-` wraps around, as in C).
pub(crate) fn parse_cursor(raw: &[u8]) -> Res<u64> {
    let strict = parse::int(raw).ok();
    let cursor = match strict {
        Some(n) => u64::try_from(n).ok(),
        None => strtoull(raw),
    };
    cursor.map_or_else(|| err("ERR invalid cursor"), Ok)
}

fn strtoull(raw: &[u8]) -> Option<u64> {
    let start = raw.iter().position(|b| !b" \t\n\x0b\x0c\r".contains(b))?;
    let (neg, digits) = match raw[start..].split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, &raw[start..]),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

#[allow(
    clippy::many_single_char_names,
    reason = "the handlers' convention (a: args, m: meter) plus the walk's s, e"
)]
fn scan(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let cursor = parse_cursor(a[1])?;
    let o = scan_options(&a[2..], true)?;
    let now = Now::fixed(ctx.now());
    let (mut s, mut upper) = decode_cursor(cursor);
    let shards: Vec<_> = ctx.db_shards().collect();
    let mut m = Meter::new(ctx);
    let mut found = Vec::new();
    let mut examined = 0;
    while s < shards.len() && examined < o.count {
        let shard = shards[s];
        let mut pos = upper.min(shard.slots());
        while pos > 0 && examined < o.count {
            pos -= 1;
            examined += 1;
            let Some((key, e)) = shard.slot(pos) else {
                continue;
            };
            let Some(v) = e.live(&now) else { continue };
            let type_ok = o.type_name.is_none_or(|t| is(t, v.type_name()));
            let match_ok = o.pattern.is_none_or(|p| glob::matches(p, key));
            if type_ok && match_ok {
                m.push(&mut found, key)?;
            }
        }
        if pos == 0 {
            s += 1;
            upper = POS_MAX_USIZE;
        } else {
            upper = pos;
        }
    }
    let next = if s >= shards.len() {
        0
    } else {
        encode_cursor(s, upper)
    };
    Ok(Reply::Array(vec![
        Reply::bulk(next.to_string()),
        Reply::Array(found),
    ]))
}

fn randomkey(ctx: &mut Ctx, _a: &[&[u8]]) -> Res {
    let now = Now::fixed(ctx.now());
    let shards: Vec<_> = ctx.db_shards().collect();
    let total: usize = shards.iter().map(|s| s.slots()).sum();
    if total == 0 {
        return Ok(Reply::Nil);
    }
    // Random slots first (O(1) each); fall back to a walk when most slots are expired.
    for _ in 0..64 {
        let mut pick = fastrand::usize(..total);
        for shard in &shards {
            if pick < shard.slots() {
                if let Some((k, e)) = shard.slot(pick) {
                    if e.live(&now).is_some() {
                        return budget::bulk(ctx, k);
                    }
                }
                break;
            }
            pick -= shard.slots();
        }
    }
    let first = shards.iter().find_map(|s| s.iter_live(&now).next());
    budget::bulk_or_nil(ctx, first.map(|(k, _)| k))
}
