//! String commands: GET, SET and friends, counters, ranges.

use super::budget::{self, Meter};
use super::ctx::{Ctx, Res, err, wrongtype};
use super::keys::replay_pexpireat;
use super::parse::{self, is};
use super::{ALL, ONE, PAIRS, Spec, W, data as spec};
use crate::effects::ev;
use crate::error::msg;
use crate::numbers::LongDouble;
use crate::reply::Reply;
use crate::types::{Bytes, Value, bytes};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("get", 2, 0, ONE, get),
    spec("set", -3, W, ONE, set),
    spec("setnx", 3, W, ONE, setnx),
    spec("setex", 4, W, ONE, setex),
    spec("psetex", 4, W, ONE, psetex),
    spec("getset", 3, W, ONE, getset),
    spec("getdel", 2, W, ONE, getdel),
    spec("getex", -2, W, ONE, getex),
    spec("mget", -2, 0, ALL, mget),
    spec("mset", -3, W, PAIRS, mset),
    spec("msetnx", -3, W, PAIRS, msetnx),
    spec("incr", 2, W, ONE, incr),
    spec("decr", 2, W, ONE, decr),
    spec("incrby", 3, W, ONE, incrby),
    spec("decrby", 3, W, ONE, decrby),
    spec("incrbyfloat", 3, W, ONE, incrbyfloat),
    spec("append", 3, W, ONE, append),
    spec("strlen", 2, 0, ONE, strlen),
    spec("getrange", 4, 0, ONE, getrange),
    spec("substr", 4, 0, ONE, getrange),
    spec("setrange", 4, W, ONE, setrange),
];

/// The string at `key`: `None` when missing, WRONGTYPE when another type.
fn string<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c Bytes>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(_) => Err(wrongtype()),
    }
}

fn get(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    budget::bulk_or_nil(ctx, string(ctx, a[1])?)
}

/// What SET's options asked for.
#[derive(Default)]
struct SetOpts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    /// (option word, value): EX, PX, EXAT or PXAT.
    expire: Option<(&'static str, &'a [u8])>,
}

/// Parses SET's options with Redis's conflict rules: NX/XX exclusive, one kind of expiry
/// (the same kind repeated is fine, the last wins), KEEPTTL excludes any expiry.
fn set_options<'a>(opts: &[&'a [u8]]) -> Res<SetOpts<'a>> {
    let mut o = SetOpts::default();
    let mut i = 0;
    while i < opts.len() {
        let a = opts[i];
        let next = opts.get(i + 1);
        let kind = ["EX", "PX", "EXAT", "PXAT"].into_iter().find(|w| is(a, w));
        if is(a, "NX") && !o.xx {
            o.nx = true;
        } else if is(a, "XX") && !o.nx {
            o.xx = true;
        } else if is(a, "GET") {
            o.get = true;
        } else if is(a, "KEEPTTL") && o.expire.is_none() {
            o.keepttl = true;
        } else if let (Some(kind), Some(v)) = (kind, next) {
            if o.keepttl || o.expire.is_some_and(|(k, _)| k != kind) {
                return err(msg::SYNTAX);
            }
            o.expire = Some((kind, v));
            i += 1;
        } else {
            return err(msg::SYNTAX);
        }
        i += 1;
    }
    Ok(o)
}

fn deadline(kind: &str, raw: &[u8], now: u64, cmd: &str) -> Res<u64> {
    let seconds = kind.starts_with('E');
    let absolute = kind.ends_with("AT");
    parse::positive_deadline(raw, seconds, absolute, now, cmd)
}

fn set(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() == 3 {
        // Plain SET: replace whatever is there (any type, any TTL) in one lookup.
        ctx.set(a[1], Value::Str(bytes(a[2])), 0, ev::SET)?;
        return Ok(Reply::ok());
    }
    let o = set_options(&a[3..])?;
    let at = match o.expire {
        Some((kind, raw)) => Some(deadline(kind, raw, ctx.now(), "set")?),
        None => None,
    };
    // GET's reply is built (and its size checked) before anything is written.
    let (exists, old) = match ctx.entry(a[1])? {
        None => (false, Reply::Nil),
        Some(e) => match (&e.value, o.get) {
            (Some(Value::Str(s)), true) => (true, budget::bulk(ctx, s)?),
            (_, true) => return Err(wrongtype()),
            (_, false) => (true, Reply::Nil),
        },
    };
    if (o.nx && exists) || (o.xx && !exists) {
        return Ok(old);
    }
    let keep = match (o.keepttl, ctx.entry(a[1])?) {
        (true, Some(e)) => e.expires_at,
        _ => 0,
    };
    ctx.set(a[1], Value::Str(bytes(a[2])), at.unwrap_or(keep), ev::SET)?;
    if let Some(at) = at {
        expiry_set(ctx, a[1], a[2], at);
    }
    Ok(if o.get { old } else { Reply::ok() })
}

fn setnx(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if ctx.entry(a[1])?.is_some() {
        return Ok(Reply::Integer(0));
    }
    ctx.set(a[1], Value::Str(bytes(a[2])), 0, ev::SET)?;
    Ok(Reply::Integer(1))
}

fn setex_with(ctx: &mut Ctx, a: &[&[u8]], seconds: bool, cmd: &str) -> Res {
    let at = parse::positive_deadline(a[2], seconds, false, ctx.now(), cmd)?;
    ctx.set(a[1], Value::Str(bytes(a[3])), at, ev::SET)?;
    expiry_set(ctx, a[1], a[3], at);
    Ok(Reply::ok())
}

/// A SET with a relative or absolute expiry: the `expire` event, and a replay with the
/// absolute deadline (`SET key value PXAT ms`), as Redis 7 propagates it.
fn expiry_set(ctx: &mut Ctx, key: &[u8], value: &[u8], at: u64) {
    ctx.note(key, ev::EXPIRE);
    if ctx.listening() {
        let at = at.to_string();
        ctx.replay([&b"SET"[..], key, value, b"PXAT", at.as_bytes()]);
    }
}

fn setex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    setex_with(ctx, a, true, "setex")
}

fn psetex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    setex_with(ctx, a, false, "psetex")
}

fn getset(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let old = budget::bulk_or_nil(ctx, string(ctx, a[1])?)?;
    ctx.set(a[1], Value::Str(bytes(a[2])), 0, ev::SET)?;
    Ok(old)
}

fn getdel(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let Some(old) = string(ctx, a[1])? else {
        return Ok(Reply::Nil);
    };
    let old = budget::bulk(ctx, old)?;
    ctx.remove(a[1], ev::DEL)?;
    ctx.replay([&b"DEL"[..], a[1]]);
    Ok(old)
}

/// GETEX's one optional expiry change.
enum Ttl {
    Keep,
    Persist,
    At(u64),
}

/// GETEX's chosen option: (EX|PX|EXAT|PXAT|PERSIST, its raw time).
type GetexOpt<'a> = Option<(&'static str, Option<&'a [u8]>)>;

/// GETEX's option, checked for syntax only: the time itself is validated after the key
/// lookup, as Redis does (a missing key answers nil even with `EX -5`).
fn getex_option<'a>(opts: &[&'a [u8]]) -> Res<GetexOpt<'a>> {
    let mut ttl: Option<(&str, Option<&[u8]>)> = None;
    let mut i = 0;
    while i < opts.len() {
        let a = opts[i];
        let kind = ["EX", "PX", "EXAT", "PXAT"].into_iter().find(|w| is(a, w));
        match (kind, opts.get(i + 1)) {
            _ if is(a, "PERSIST") && ttl.is_none_or(|(k, _)| k == "PERSIST") => {
                ttl = Some(("PERSIST", None));
            }
            (Some(kind), Some(v)) if ttl.is_none_or(|(k, _)| k == kind) => {
                ttl = Some((kind, Some(v)));
                i += 1;
            }
            _ => return err(msg::SYNTAX),
        }
        i += 1;
    }
    Ok(ttl)
}

fn getex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let opt = getex_option(&a[2..])?;
    let Some(value) = string(ctx, a[1])? else {
        return Ok(Reply::Nil);
    };
    let value = budget::bulk(ctx, value)?;
    let ttl = match opt {
        None => Ttl::Keep,
        Some((_, None)) => Ttl::Persist,
        Some((kind, Some(raw))) => Ttl::At(deadline(kind, raw, ctx.now(), "getex")?),
    };
    let now = ctx.now();
    match ttl {
        Ttl::Keep => {}
        Ttl::At(at) if at <= now => {
            ctx.remove(a[1], ev::DEL)?;
            ctx.replay([&b"DEL"[..], a[1]]);
        }
        Ttl::At(at) => {
            if let Some(mut e) = ctx.get_mut(a[1])? {
                e.set_expires_at(at);
                e.signal(ev::EXPIRE);
                replay_pexpireat(ctx, a[1], at);
            }
        }
        Ttl::Persist => {
            if let Some(mut e) = ctx.get_mut(a[1])? {
                if e.expires_at() != 0 {
                    e.set_expires_at(0);
                    e.signal(ev::PERSIST);
                    ctx.replay([&b"PERSIST"[..], a[1]]);
                }
            }
        }
    }
    Ok(value)
}

fn mget(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    // A key named many times is copied each time: meter the reply, not the arguments.
    let mut m = Meter::new(ctx);
    let mut items = m.array(a.len() - 1)?;
    for k in &a[1..] {
        items.push(match ctx.get(k) {
            Ok(Some(Value::Str(s))) => m.bulk(s)?,
            _ => Reply::Nil,
        });
    }
    Ok(Reply::Array(items))
}

fn check_pairs(a: &[&[u8]]) -> Res<()> {
    if a.len() % 2 == 0 {
        return err(msg::arity(
            &String::from_utf8_lossy(a[0]).to_ascii_lowercase(),
        ));
    }
    Ok(())
}

fn mset(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    check_pairs(a)?;
    for pair in a[1..].chunks_exact(2) {
        ctx.set(pair[0], Value::Str(bytes(pair[1])), 0, ev::SET)?;
    }
    Ok(Reply::ok())
}

fn msetnx(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    check_pairs(a)?;
    for pair in a[1..].chunks_exact(2) {
        if ctx.entry(pair[0])?.is_some() {
            return Ok(Reply::Integer(0));
        }
    }
    mset(ctx, a)?;
    Ok(Reply::Integer(1))
}

/// Adds `by` to the integer at `key` (missing counts as 0), keeping its TTL.
pub(crate) fn incr_by(ctx: &mut Ctx, key: &[u8], by: i64) -> Res {
    let current = match string(ctx, key)? {
        None => 0,
        Some(s) => parse::int(s)?,
    };
    let Some(new) = current.checked_add(by) else {
        return err(msg::OVERFLOW);
    };
    let text = Value::Str(bytes(itoa(new).as_bytes()));
    match ctx.get_mut(key)? {
        Some(mut e) => {
            *e.value_mut() = text;
            e.signal(ev::INCRBY);
        }
        None => {
            ctx.set(key, text, 0, ev::INCRBY)?;
        }
    }
    Ok(Reply::Integer(new))
}

fn itoa(n: i64) -> String {
    n.to_string()
}

fn incr(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    incr_by(ctx, a[1], 1)
}

fn decr(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    incr_by(ctx, a[1], -1)
}

fn incrby(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let by = parse::int(a[2])?;
    incr_by(ctx, a[1], by)
}

fn decrby(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let by = parse::int(a[2])?;
    if by == i64::MIN {
        return err(msg::DECR_OVERFLOW);
    }
    incr_by(ctx, a[1], -by)
}

fn incrbyfloat(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    // Redis checks the type, then the stored value, then the increment.
    let current = match string(ctx, a[1])? {
        None => LongDouble::ZERO,
        Some(s) => parse::long_double(s)?,
    };
    let by = parse::long_double(a[2])?;
    let new = current.add(by);
    if !new.is_finite() {
        return err(msg::NAN_OR_INF);
    }
    let text = new.to_human();
    let value = Value::Str(bytes(text.as_bytes()));
    match ctx.get_mut(a[1])? {
        Some(mut e) => {
            *e.value_mut() = value;
            e.signal(ev::INCRBYFLOAT);
        }
        None => {
            ctx.set(a[1], value, 0, ev::INCRBYFLOAT)?;
        }
    }
    // Float rounding may differ where the log is replayed: replay the result.
    ctx.replay([&b"SET"[..], a[1], text.as_bytes(), b"KEEPTTL"]);
    Ok(Reply::bulk(text))
}

fn append(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let len = string(ctx, a[1])?.map_or(0, smallvec::SmallVec::len);
    if len + a[2].len() > ctx.shared.server.live.proto_max_bulk_len() {
        return err(msg::TOO_LONG);
    }
    let (mut e, _) = ctx.get_or_create(a[1], || Value::Str(Bytes::new()))?;
    let Value::Str(s) = e.value_mut() else {
        return Err(wrongtype());
    };
    s.extend_from_slice(a[2]);
    let len = s.len();
    e.signal(ev::APPEND);
    Ok(Reply::from_len(len))
}

fn strlen(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let len = string(ctx, a[1])?.map_or(0, smallvec::SmallVec::len);
    Ok(Reply::from_len(len))
}

/// Redis's GETRANGE clamping: negative indexes count from the end, then clamp to the string.
fn getrange(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let start = parse::int(a[2])?;
    let end = parse::int(a[3])?;
    let s: &[u8] = string(ctx, a[1])?.map_or(&[], |s| &s[..]);
    // A length fits in i64 (no allocation exceeds isize::MAX).
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    if (start < 0 && end < 0 && start > end) || len == 0 {
        return Ok(Reply::bulk(""));
    }
    let fix = |i: i64| if i < 0 { (len + i).max(0) } else { i };
    let (start, end) = (fix(start), fix(end).min(len - 1));
    if start > end {
        return Ok(Reply::bulk(""));
    }
    // Both lie in 0..len here.
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return Ok(Reply::bulk(""));
    };
    budget::bulk(ctx, &s[start..=end])
}

fn setrange(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let offset = parse::int(a[2])?;
    let Ok(offset) = usize::try_from(offset) else {
        return err(msg::OFFSET_RANGE);
    };
    let value = a[3];
    let current = string(ctx, a[1])?.map(smallvec::SmallVec::len);
    if value.is_empty() {
        return Ok(Reply::from_len(current.unwrap_or(0)));
    }
    if offset.saturating_add(value.len()) > ctx.shared.server.live.proto_max_bulk_len() {
        return err(msg::TOO_LONG);
    }
    let (mut e, _) = ctx.get_or_create(a[1], || Value::Str(Bytes::new()))?;
    let Value::Str(s) = e.value_mut() else {
        return Err(wrongtype());
    };
    let end = offset + value.len();
    if s.len() < end {
        s.resize(end, 0);
    }
    s[offset..end].copy_from_slice(value);
    let len = s.len();
    e.signal(ev::SETRANGE);
    Ok(Reply::from_len(len))
}
