//! Hash commands: HSET and friends, counters, HRANDFIELD, HSCAN.

use super::budget::{self, Meter};
use super::ctx::{Ctx, KeyMut, Res, err, wrongtype};
use super::keys::{parse_cursor, scan_options};
use super::parse::{self, is};
use super::scan_and_sample::{self, OUT_OF_RANGE, random_count, scan_reply};
use super::{ONE, Spec, W, data as spec, glob};
use crate::effects::{Event, ev};
use crate::error::msg;
use crate::numbers::LongDouble;
use crate::reply::Reply;
use crate::types::{Bytes, HashValue, Shrink, Value, bytes};

const NOT_INT: &str = "ERR hash value is not an integer";
const NOT_FLOAT: &str = "ERR hash value is not a float";
const NAN_INCR: &str = "ERR value is NaN or Infinity";

pub(crate) const COMMANDS: &[Spec] = &[
    spec("hset", -4, W, ONE, hset),
    spec("hmset", -4, W, ONE, hmset),
    spec("hsetnx", 4, W, ONE, hsetnx),
    spec("hget", 3, 0, ONE, hget),
    spec("hmget", -3, 0, ONE, hmget),
    spec("hdel", -3, W, ONE, hdel),
    spec("hexists", 3, 0, ONE, hexists),
    spec("hlen", 2, 0, ONE, hlen),
    spec("hstrlen", 3, 0, ONE, hstrlen),
    spec("hkeys", 2, 0, ONE, hkeys),
    spec("hvals", 2, 0, ONE, hvals),
    spec("hgetall", 2, 0, ONE, hgetall),
    spec("hincrby", 4, W, ONE, hincrby),
    spec("hincrbyfloat", 4, W, ONE, hincrbyfloat),
    spec("hrandfield", -2, 0, ONE, hrandfield),
    spec("hscan", -3, 0, ONE, hscan),
];

/// The hash at `key`: `None` when missing, WRONGTYPE when another type.
fn hash<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c HashValue>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(wrongtype()),
    }
}

/// The hash inside an entry the caller already type-checked.
fn inner<'e>(e: &'e mut KeyMut<'_>) -> Res<&'e mut HashValue> {
    match e.value_mut() {
        Value::Hash(h) => Ok(h),
        _ => Err(wrongtype()),
    }
}

/// The hash at `key` for writing, created empty when missing. The type is checked before
/// anything is created, so a WRONGTYPE leaves the keyspace untouched.
fn hash_for_write<'c>(ctx: &'c mut Ctx<'_, '_>, key: &'c [u8]) -> Res<KeyMut<'c>> {
    hash(ctx, key)?;
    let (e, _) = ctx.get_or_create(key, || Value::Hash(Box::default()))?;
    Ok(e)
}

/// HSET/HMSET need field-value pairs; Redis checks the count when the command runs.
fn check_pairs(a: &[&[u8]]) -> Res<()> {
    if a.len() % 2 == 1 {
        let name = String::from_utf8_lossy(a[0]).to_ascii_lowercase();
        return err(msg::arity(&name));
    }
    Ok(())
}

/// Sets every pair; returns how many fields are new. Always a signalled write.
fn set_pairs(ctx: &mut Ctx, a: &[&[u8]]) -> Res<i64> {
    check_pairs(a)?;
    let mut e = hash_for_write(ctx, a[1])?;
    let h = inner(&mut e)?;
    let mut added = 0;
    for pair in a[2..].chunks_exact(2) {
        added += i64::from(h.insert(bytes(pair[0]), bytes(pair[1])).is_none());
    }
    e.signal(ev::HSET);
    Ok(added)
}

fn hset(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    Ok(Reply::Integer(set_pairs(ctx, a)?))
}

fn hmset(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    set_pairs(ctx, a)?;
    Ok(Reply::ok())
}

fn hsetnx(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if hash(ctx, a[1])?.is_some_and(|h| h.contains_key(a[2])) {
        return Ok(Reply::Integer(0));
    }
    let mut e = hash_for_write(ctx, a[1])?;
    inner(&mut e)?.insert(bytes(a[2]), bytes(a[3]));
    e.signal(ev::HSET);
    Ok(Reply::Integer(1))
}

fn hget(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let v = hash(ctx, a[1])?.and_then(|h| h.get(a[2]));
    budget::bulk_or_nil(ctx, v)
}

fn hmget(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let h = hash(ctx, a[1])?;
    // A field named many times is copied each time: meter the reply, not the arguments.
    let mut m = Meter::new(ctx);
    let mut items = m.array(a.len() - 2)?;
    for f in &a[2..] {
        items.push(match h.and_then(|h| h.get(*f)) {
            Some(v) => m.bulk(v)?,
            None => Reply::Nil,
        });
    }
    Ok(Reply::Array(items))
}

fn hdel(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    hash(ctx, a[1])?;
    let Some(mut e) = ctx.get_mut(a[1])? else {
        return Ok(Reply::Integer(0));
    };
    let h = inner(&mut e)?;
    let mut removed = 0;
    for f in &a[2..] {
        // swap_remove only: HSCAN's cursor relies on it (see scan_and_sample).
        removed += i64::from(h.swap_remove(*f).is_some());
    }
    h.shrink_if_sparse();
    if removed > 0 {
        e.signal(ev::HDEL);
        ctx.remove_if_empty(a[1])?;
    }
    Ok(Reply::Integer(removed))
}

fn hexists(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let found = hash(ctx, a[1])?.is_some_and(|h| h.contains_key(a[2]));
    Ok(Reply::from_bool(found))
}

fn hlen(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    Ok(Reply::from_len(
        hash(ctx, a[1])?.map_or(0, indexmap::IndexMap::len),
    ))
}

fn hstrlen(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let len = hash(ctx, a[1])?
        .and_then(|h| h.get(a[2]))
        .map_or(0, smallvec::SmallVec::len);
    Ok(Reply::from_len(len))
}

fn hkeys(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    budget::bulks(ctx, hash(ctx, a[1])?.into_iter().flat_map(|h| h.keys()))
}

fn hvals(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    budget::bulks(ctx, hash(ctx, a[1])?.into_iter().flat_map(|h| h.values()))
}

fn hgetall(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let flat = hash(ctx, a[1])?
        .into_iter()
        .flat_map(|h| h.iter())
        .flat_map(|(f, v)| [f, v]);
    budget::bulks(ctx, flat)
}

/// Stores `text` in `field` of the hash at `key` (created when missing) and signals.
fn store_field(ctx: &mut Ctx, key: &[u8], field: &[u8], text: &[u8], event: Event) -> Res<()> {
    let mut e = hash_for_write(ctx, key)?;
    inner(&mut e)?.insert(bytes(field), bytes(text));
    e.signal(event);
    Ok(())
}

fn hincrby(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let by = parse::int(a[3])?;
    let current = match hash(ctx, a[1])?.and_then(|h| h.get(a[2])) {
        None => 0,
        Some(v) => parse::int(v).or_else(|_| err(NOT_INT))?,
    };
    let Some(new) = current.checked_add(by) else {
        return err(msg::OVERFLOW);
    };
    store_field(ctx, a[1], a[2], new.to_string().as_bytes(), ev::HINCRBY)?;
    Ok(Reply::Integer(new))
}

fn hincrbyfloat(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    // Redis reads both in long double (`string2ld`), as INCRBYFLOAT does.
    let by = parse::long_double(a[3])?;
    if !by.is_finite() {
        return err(NAN_INCR);
    }
    let current = match hash(ctx, a[1])?.and_then(|h| h.get(a[2])) {
        None => LongDouble::ZERO,
        Some(v) => LongDouble::parse(v).map_or_else(|| err(NOT_FLOAT), Ok)?,
    };
    let new = current.add(by);
    if !new.is_finite() {
        return err(msg::NAN_OR_INF);
    }
    let text = new.to_human();
    store_field(ctx, a[1], a[2], text.as_bytes(), ev::HINCRBYFLOAT)?;
    // Float arithmetic may round differently elsewhere: replay the result, not the sum.
    ctx.replay([&b"HSET"[..], a[1], a[2], text.as_bytes()]);
    Ok(Reply::bulk(text))
}

fn hrandfield(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() == 2 {
        let Some(h) = hash(ctx, a[1])? else {
            return Ok(Reply::Nil);
        };
        let pick = h.get_index(fastrand::usize(..h.len().max(1)));
        return budget::bulk_or_nil(ctx, pick.map(|(f, _)| f));
    }
    let count = random_count(a[2])?;
    let with_values = match a.get(3) {
        None => false,
        Some(w) if a.len() == 4 && is(w, "WITHVALUES") => true,
        Some(_) => return err(msg::SYNTAX),
    };
    if with_values && count.unsigned_abs() > (i64::MAX / 2) as u64 {
        return err(OUT_OF_RANGE);
    }
    let Some(h) = hash(ctx, a[1])? else {
        return Ok(Reply::Array(Vec::new()));
    };
    // Sized before anything is allocated: a negative count is bounded only by the budget.
    let n = scan_and_sample::picked(h.len(), count);
    let pair = |(f, v): (&Bytes, &Bytes)| f.len() + if with_values { v.len() } else { 0 };
    let elements = 1 + usize::from(with_values);
    budget::check_picks(ctx, n, elements, || {
        scan_and_sample::least_bytes(count, h.iter().map(pair))
    })?;
    let mut m = Meter::new(ctx);
    let mut out = m.array(n.saturating_mul(1 + usize::from(with_values)))?;
    for (f, v) in scan_and_sample::positions(h.len(), count)
        .into_iter()
        .filter_map(|i| h.get_index(i))
    {
        out.push(m.bulk(f)?);
        if with_values {
            out.push(m.bulk(v)?);
        }
    }
    Ok(Reply::Array(out))
}

/// HSCAN's options: `NOVALUES` (Redis 7.4) is a flag; the rest is SCAN's MATCH / COUNT.
fn split_novalues<'a>(opts: &[&'a [u8]]) -> (Vec<&'a [u8]>, bool) {
    let mut rest = Vec::with_capacity(opts.len());
    let mut novalues = false;
    let mut i = 0;
    while i < opts.len() {
        if is(opts[i], "NOVALUES") {
            novalues = true;
            i += 1;
            continue;
        }
        rest.extend(opts[i..].iter().take(2));
        i += 2;
    }
    (rest, novalues)
}

fn hscan(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let cursor = parse_cursor(a[2])?;
    // Redis looks the key up before it parses the options.
    let Some(h) = hash(ctx, a[1])? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let (opts, novalues) = split_novalues(&a[3..]);
    let o = scan_options(&opts, false)?;
    let (range, next) = scan_and_sample::step(h.len(), cursor, o.count);
    let mut m = Meter::new(ctx);
    let mut found = Vec::new();
    for (f, v) in range.filter_map(|i| h.get_index(i)) {
        if o.pattern.is_none_or(|p| glob::matches(p, f)) {
            m.push(&mut found, f)?;
            if !novalues {
                m.push(&mut found, v)?;
            }
        }
    }
    Ok(scan_reply(next, found))
}
