//! Set commands on one or two keys: SADD, SREM, membership, SPOP / SRANDMEMBER, SMOVE, SSCAN.
//! The multi-key algebra (SINTER, SUNION, SDIFF and their STORE forms) is in `algebra`.

use crate::commands::budget::{self, Meter};
use crate::commands::ctx::{Ctx, KeyMut, Res, err, wrongtype};
use crate::commands::keys::{parse_cursor, scan_options};
use crate::commands::parse;
use crate::commands::scan_and_sample::{self, random_count, scan_reply};
use crate::commands::{ONE, Spec, TWO, W, data as spec, glob};

pub(crate) mod algebra;
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;
use crate::types::{Bytes, SetValue, Shrink, Value, bytes};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("sadd", -3, W, ONE, sadd),
    spec("srem", -3, W, ONE, srem),
    spec("sismember", 3, 0, ONE, sismember),
    spec("smismember", -3, 0, ONE, smismember),
    spec("scard", 2, 0, ONE, scard),
    spec("smembers", 2, 0, ONE, smembers),
    spec("srandmember", -2, 0, ONE, srandmember),
    spec("spop", -2, W, ONE, spop),
    spec("smove", 4, W, TWO, smove),
    spec("sscan", -3, 0, ONE, sscan),
];

/// The set at `key`: `None` when missing, WRONGTYPE when another type.
pub(crate) fn set<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c SetValue>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(wrongtype()),
    }
}

/// The set inside an entry the caller already type-checked.
fn inner<'e>(e: &'e mut KeyMut<'_>) -> Res<&'e mut SetValue> {
    match e.value_mut() {
        Value::Set(s) => Ok(s),
        _ => Err(wrongtype()),
    }
}

/// A new set holding `members`.
pub(crate) fn new_set(members: impl IntoIterator<Item = Bytes>) -> Value {
    let mut s = SetValue::default();
    s.extend(members);
    Value::Set(Box::new(s))
}

fn sadd(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let fresh = match set(ctx, a[1])? {
        Some(s) => a[2..].iter().any(|m| !s.contains(*m)),
        None => true,
    };
    // Adding only present members is a no-op write: no signal, WATCH stays intact.
    if !fresh {
        return Ok(Reply::Integer(0));
    }
    let (mut e, _) = ctx.get_or_create(a[1], || Value::Set(Box::default()))?;
    let s = inner(&mut e)?;
    let added: i64 = a[2..].iter().map(|m| i64::from(s.insert(bytes(m)))).sum();
    e.signal(ev::SADD);
    Ok(Reply::Integer(added))
}

fn srem(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    set(ctx, a[1])?;
    let Some(mut e) = ctx.get_mut(a[1])? else {
        return Ok(Reply::Integer(0));
    };
    let s = inner(&mut e)?;
    // swap_remove only: SSCAN's cursor relies on it (see scan_and_sample).
    let removed: i64 = a[2..].iter().map(|m| i64::from(s.swap_remove(*m))).sum();
    s.shrink_if_sparse();
    if removed > 0 {
        e.signal(ev::SREM);
        ctx.remove_if_empty(a[1])?;
    }
    Ok(Reply::Integer(removed))
}

fn sismember(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let found = set(ctx, a[1])?.is_some_and(|s| s.contains(a[2]));
    Ok(Reply::from_bool(found))
}

fn smismember(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let s = set(ctx, a[1])?;
    let mut items = Meter::new(ctx).array(a.len() - 2)?;
    items.extend(
        a[2..]
            .iter()
            .map(|m| Reply::from_bool(s.is_some_and(|s| s.contains(*m)))),
    );
    Ok(Reply::Array(items))
}

fn scard(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    Ok(Reply::from_len(
        set(ctx, a[1])?.map_or(0, indexmap::IndexSet::len),
    ))
}

fn smembers(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    budget::bulks(ctx, set(ctx, a[1])?.into_iter().flatten())
}

fn srandmember(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() > 3 {
        return err(msg::SYNTAX);
    }
    if a.len() == 2 {
        let pick = set(ctx, a[1])?.and_then(|s| s.get_index(fastrand::usize(..s.len().max(1))));
        return budget::bulk_or_nil(ctx, pick);
    }
    let count = random_count(a[2])?;
    let Some(s) = set(ctx, a[1])? else {
        return Ok(Reply::Array(Vec::new()));
    };
    // Sized before anything is allocated: a negative count is bounded only by the budget.
    let n = scan_and_sample::picked(s.len(), count);
    budget::check_picks(ctx, n, 1, || {
        scan_and_sample::least_bytes(count, s.iter().map(smallvec::SmallVec::len))
    })?;
    let mut m = Meter::new(ctx);
    let mut out = m.array(n)?;
    for i in scan_and_sample::positions(s.len(), count) {
        if let Some(member) = s.get_index(i) {
            out.push(m.bulk(member)?);
        }
    }
    Ok(Reply::Array(out))
}

fn spop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() > 3 {
        return err(msg::SYNTAX);
    }
    let count = match a.get(2) {
        Some(raw) => Some(parse::count(raw)?),
        None => None,
    };
    let Some(s) = set(ctx, a[1])? else {
        return Ok(count.map_or(Reply::Nil, |_| Reply::Array(Vec::new())));
    };
    let want = count.unwrap_or(1);
    if want == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let picks = if want >= s.len() {
        (0..s.len()).collect()
    } else {
        scan_and_sample::distinct(s.len(), want)
    };
    // The reply is built (and its size checked) before anything is removed, so a refused
    // SPOP pops nothing.
    let mut m = Meter::new(ctx);
    let mut out = m.array(picks.len())?;
    for i in picks {
        if let Some(member) = s.get_index(i) {
            out.push(m.bulk(member)?);
        }
    }
    if let Some(mut e) = ctx.get_mut(a[1])? {
        let s = inner(&mut e)?;
        for r in &out {
            if let Reply::Bulk(member) = r {
                s.swap_remove(&member[..]);
            }
        }
        s.shrink_if_sparse();
        e.signal(ev::SPOP);
    }
    ctx.remove_if_empty(a[1])?;
    // The members were picked at random: replay their removal, not the pick.
    if ctx.listening() {
        let removal = [&b"SREM"[..], a[1]].into_iter();
        let members = out.iter().filter_map(|r| match r {
            Reply::Bulk(m) => Some(&m[..]),
            _ => None,
        });
        ctx.replay(removal.chain(members));
    }
    Ok(match count {
        Some(_) => Reply::Array(out),
        None => out.pop().unwrap_or(Reply::Nil),
    })
}

fn smove(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (src, dst, member) = (a[1], a[2], a[3]);
    // A missing source answers 0 before the destination's type is looked at, as in Redis.
    let Some(in_src) = set(ctx, src)?.map(|s| s.contains(member)) else {
        return Ok(Reply::Integer(0));
    };
    let in_dst = set(ctx, dst)?.is_some_and(|s| s.contains(member));
    if src == dst || !in_src {
        return Ok(Reply::from_bool(in_src));
    }
    if let Some(mut e) = ctx.get_mut(src)? {
        let s = inner(&mut e)?;
        s.swap_remove(member);
        s.shrink_if_sparse();
        e.signal(ev::SREM);
    }
    ctx.remove_if_empty(src)?;
    // Already in the destination: only the source changed, so only it is signalled.
    if !in_dst {
        let (mut e, _) = ctx.get_or_create(dst, || Value::Set(Box::default()))?;
        inner(&mut e)?.insert(bytes(member));
        e.signal(ev::SADD);
    }
    Ok(Reply::Integer(1))
}

fn sscan(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let cursor = parse_cursor(a[2])?;
    // Redis looks the key up before it parses the options.
    let Some(s) = set(ctx, a[1])? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let o = scan_options(&a[3..], false)?;
    let (range, next) = scan_and_sample::step(s.len(), cursor, o.count);
    let mut m = Meter::new(ctx);
    let mut found = Vec::new();
    for member in range.filter_map(|i| s.get_index(i)) {
        if o.pattern.is_none_or(|p| glob::matches(p, member)) {
            m.push(&mut found, member)?;
        }
    }
    Ok(scan_reply(next, found))
}
