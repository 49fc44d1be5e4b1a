//! List commands: pushes and pops at both ends, ranges, indexes, LREM, LTRIM, LINSERT.
//! Multi-key moves (LMOVE, RPOPLPUSH, LMPOP) and LPOS live in `moves`.

use crate::commands::budget::{self, Meter};
use crate::commands::ctx::{Ctx, Res, err, wrongtype};
use crate::commands::parse::{self, is};
use crate::commands::{ONE, Spec, W, data as spec};

pub(crate) mod moves;
use crate::effects::{Event, ev};
use crate::error::msg;
use crate::reply::Reply;
use crate::types::{Bytes, ListValue, Shrink, Value, bytes};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("lpush", -3, W, ONE, lpush),
    spec("rpush", -3, W, ONE, rpush),
    spec("lpushx", -3, W, ONE, lpushx),
    spec("rpushx", -3, W, ONE, rpushx),
    spec("lpop", -2, W, ONE, lpop),
    spec("rpop", -2, W, ONE, rpop),
    spec("llen", 2, 0, ONE, llen),
    spec("lrange", 4, 0, ONE, lrange),
    spec("lindex", 3, 0, ONE, lindex),
    spec("lset", 4, W, ONE, lset),
    spec("lrem", 4, W, ONE, lrem),
    spec("ltrim", 4, W, ONE, ltrim),
    spec("linsert", 5, W, ONE, linsert),
    spec("lpos", -3, 0, ONE, moves::lpos),
    spec("lmove", 5, W, crate::commands::TWO, moves::lmove),
    spec("rpoplpush", 3, W, crate::commands::TWO, moves::rpoplpush),
    spec(
        "lmpop",
        -4,
        W,
        crate::commands::Keys::NumKeys { at: 1, dest: None },
        moves::lmpop,
    ),
];

/// The list at `key`: `None` when missing, WRONGTYPE when another type.
pub(super) fn list<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c ListValue>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => Err(wrongtype()),
    }
}

/// Runs `f` on the existing list at `key`; `f` says whether it wrote (then the key is
/// signalled). An emptied list is deleted. `None` when the key is missing.
pub(super) fn with_list<T>(
    ctx: &mut Ctx,
    key: &[u8],
    event: Event,
    f: impl FnOnce(&mut ListValue) -> (T, bool),
) -> Res<Option<T>> {
    let Some(mut e) = ctx.get_mut(key)? else {
        return Ok(None);
    };
    let Value::List(l) = e.value_mut() else {
        return Err(wrongtype());
    };
    let (out, wrote) = f(l);
    if wrote {
        l.shrink_if_sparse();
        e.signal(event);
    }
    ctx.remove_if_empty(key)?;
    Ok(Some(out))
}

/// Pushes `items` at one end of the list at `key`, creating it; returns the new length.
pub(super) fn push_all(ctx: &mut Ctx, key: &[u8], items: &[&[u8]], left: bool) -> Res<usize> {
    if ctx.get(key)?.is_some_and(|v| !matches!(v, Value::List(_))) {
        return Err(wrongtype());
    }
    let (mut e, _) = ctx.get_or_create(key, || Value::List(Box::default()))?;
    let Value::List(l) = e.value_mut() else {
        return Err(wrongtype());
    };
    for item in items {
        if left {
            l.push_front(bytes(item));
        } else {
            l.push_back(bytes(item));
        }
    }
    let len = l.len();
    e.signal(if left { ev::LPUSH } else { ev::RPUSH });
    Ok(len)
}

fn push(ctx: &mut Ctx, a: &[&[u8]], left: bool, only_existing: bool) -> Res {
    if only_existing && list(ctx, a[1])?.is_none() {
        return Ok(Reply::Integer(0));
    }
    let len = push_all(ctx, a[1], &a[2..], left)?;
    Ok(Reply::from_len(len))
}

fn lpush(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    push(ctx, a, true, false)
}

fn rpush(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    push(ctx, a, false, false)
}

fn lpushx(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    push(ctx, a, true, true)
}

fn rpushx(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    push(ctx, a, false, true)
}

/// Takes up to `n` elements from one end, in pop order.
pub(super) fn pop_n(l: &mut ListValue, left: bool, n: usize) -> Vec<Bytes> {
    let n = n.min(l.len());
    if left {
        l.drain(..n).collect()
    } else {
        let at = l.len() - n;
        l.drain(at..).rev().collect()
    }
}

/// Pops up to `n` elements from one end as bulk replies, in pop order. The replies are
/// built (and metered) from the elements in place before any is removed, so a pop refused
/// by the budget leaves the list as it was. The bool says whether anything was removed.
pub(super) fn pop_replies(
    l: &mut ListValue,
    left: bool,
    n: usize,
    m: &mut Meter,
) -> (Res<Vec<Reply>>, bool) {
    let n = n.min(l.len());
    let replies = if left {
        peek(l.iter().take(n), n, m)
    } else {
        peek(l.iter().rev().take(n), n, m)
    };
    if replies.is_ok() {
        if left {
            l.drain(..n);
        } else {
            l.truncate(l.len() - n);
        }
    }
    let wrote = replies.is_ok() && n > 0;
    (replies, wrote)
}

fn peek<'l>(items: impl Iterator<Item = &'l Bytes>, n: usize, m: &mut Meter) -> Res<Vec<Reply>> {
    let mut out = m.array(n)?;
    for item in items {
        out.push(m.bulk(item)?);
    }
    Ok(out)
}

/// LPOP/RPOP: without a count, one element or nil; with one, an array, a null array for a
/// missing key (Redis ≥ 7.0), and an empty array for count 0 (nothing is written).
fn pop(ctx: &mut Ctx, a: &[&[u8]], left: bool, name: &str) -> Res {
    let count = match a.len() {
        2 => None,
        3 => Some(parse::count(a[2])?),
        _ => return err(msg::arity(name)),
    };
    let n = count.unwrap_or(1);
    let mut m = Meter::new(ctx);
    let event = if left { ev::LPOP } else { ev::RPOP };
    let popped = with_list(ctx, a[1], event, |l| pop_replies(l, left, n, &mut m))?;
    Ok(match (popped.transpose()?, count) {
        (None, None) => Reply::Nil,
        // With a count, Redis answers a missing key with a null array.
        (None, Some(_)) => Reply::NilArray,
        (Some(items), Some(_)) => Reply::Array(items),
        (Some(mut items), None) => items.pop().unwrap_or(Reply::Nil),
    })
}

pub(super) fn lpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop(ctx, a, true, "lpop")
}

pub(super) fn rpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop(ctx, a, false, "rpop")
}

fn llen(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    Ok(Reply::from_len(list(ctx, a[1])?.map_or(0, ListValue::len)))
}

/// Redis's start/stop clamping (negative counts from the end); `None` for an empty range.
pub(super) fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    // Lengths fit in i64 (no allocation exceeds isize::MAX), and after the checks below
    // `start` and `stop` lie in 0..len, so the conversions back cannot fail.
    let len = i64::try_from(len).ok()?;
    let start = if start < 0 { start + len } else { start }.max(0);
    let stop = if stop < 0 { stop + len } else { stop };
    if start > stop || start >= len {
        return None;
    }
    Some((
        usize::try_from(start).ok()?,
        usize::try_from(stop.min(len - 1)).ok()?,
    ))
}

fn lrange(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (start, stop) = (parse::int(a[2])?, parse::int(a[3])?);
    let Some(l) = list(ctx, a[1])? else {
        return Ok(Reply::Array(Vec::new()));
    };
    Ok(match clamp_range(start, stop, l.len()) {
        Some((s, e)) => budget::bulks(ctx, l.range(s..=e))?,
        None => Reply::Array(Vec::new()),
    })
}

/// A possibly negative index into a list of `len`, if it is inside.
fn index_of(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 {
        i + i64::try_from(len).ok()?
    } else {
        i
    };
    usize::try_from(i).ok().filter(|&i| i < len)
}

fn lindex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    // Redis looks the key up before parsing the index: a missing key answers nil.
    let Some(l) = list(ctx, a[1])? else {
        return Ok(Reply::Nil);
    };
    let i = parse::int(a[2])?;
    budget::bulk_or_nil(ctx, index_of(i, l.len()).map(|i| &l[i]))
}

fn lset(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if list(ctx, a[1])?.is_none() {
        return err(msg::NO_SUCH_KEY);
    }
    let i = parse::int(a[2])?;
    let done = with_list(ctx, a[1], ev::LSET, |l| match index_of(i, l.len()) {
        Some(i) => {
            l[i] = bytes(a[3]);
            (true, true)
        }
        None => (false, false),
    })?;
    match done {
        Some(true) => Ok(Reply::ok()),
        _ => err(msg::INDEX_RANGE),
    }
}

/// Removes up to `limit` elements equal to `v` (all when 0), the last ones when `rev`.
fn remove_matching(l: &mut ListValue, v: &[u8], limit: usize, rev: bool) -> usize {
    let matches = l.iter().filter(|x| x[..] == *v).count();
    let remove = if limit == 0 {
        matches
    } else {
        limit.min(matches)
    };
    // From the tail: keep the first `matches - remove` matches, drop the rest.
    let mut keep_first = if rev { matches - remove } else { 0 };
    let mut left = remove;
    l.retain(|x| {
        if x[..] != *v || left == 0 {
            return true;
        }
        if keep_first > 0 {
            keep_first -= 1;
            return true;
        }
        left -= 1;
        false
    });
    remove
}

fn lrem(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let count = parse::int(a[2])?;
    let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    let removed = with_list(ctx, a[1], ev::LREM, |l| {
        let n = remove_matching(l, a[3], limit, count < 0);
        (n, n > 0)
    })?;
    Ok(Reply::from_len(removed.unwrap_or(0)))
}

fn ltrim(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (start, stop) = (parse::int(a[2])?, parse::int(a[3])?);
    // Redis signals LTRIM even when it keeps every element.
    with_list(ctx, a[1], ev::LTRIM, |l| {
        match clamp_range(start, stop, l.len()) {
            Some((s, e)) => {
                l.truncate(e + 1);
                l.drain(..s);
            }
            None => l.clear(),
        }
        ((), true)
    })?;
    Ok(Reply::ok())
}

fn linsert(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let after = match a[2] {
        w if is(w, "BEFORE") => false,
        w if is(w, "AFTER") => true,
        _ => return err(msg::SYNTAX),
    };
    let len = with_list(ctx, a[1], ev::LINSERT, |l| {
        match l.iter().position(|x| x[..] == *a[3]) {
            Some(i) => {
                l.insert(i + usize::from(after), bytes(a[4]));
                (i64::try_from(l.len()).unwrap_or(i64::MAX), true)
            }
            None => (-1, false),
        }
    })?;
    Ok(Reply::Integer(len.unwrap_or(0)))
}
