//! Set algebra over several keys: SINTER, SUNION, SDIFF, their STORE forms and SINTERCARD.
//!
//! Every source key is type-checked before anything is computed or written, so a WRONGTYPE
//! source leaves the destination of a STORE untouched (Redis ≥ 6.2.5, #9032).

use super::{new_set, set};
use crate::commands::budget;
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::parse::{self, is};
use crate::commands::{ALL, Keys, Spec, W, data as spec};
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;
use crate::types::{Bytes, SetValue};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("sinter", -2, 0, ALL, sinter),
    spec("sunion", -2, 0, ALL, sunion),
    spec("sdiff", -2, 0, ALL, sdiff),
    spec("sinterstore", -3, W, ALL, sinterstore),
    spec("sunionstore", -3, W, ALL, sunionstore),
    spec("sdiffstore", -3, W, ALL, sdiffstore),
    spec(
        "sintercard",
        -3,
        0,
        Keys::NumKeys { at: 1, dest: None },
        sintercard,
    ),
];

#[derive(Clone, Copy)]
enum Op {
    Inter,
    Union,
    Diff,
}

/// Every source set (missing keys as `None`), or WRONGTYPE if any key holds another type.
fn sources<'c>(ctx: &'c Ctx<'_, '_>, keys: &[&[u8]]) -> Res<Vec<Option<&'c SetValue>>> {
    keys.iter().map(|k| set(ctx, k)).collect()
}

/// Members of the intersection, at most `limit` of them (0: no limit).
fn inter<'s>(sets: &[Option<&'s SetValue>], limit: usize) -> Vec<&'s Bytes> {
    let Some(present) = sets.iter().copied().collect::<Option<Vec<_>>>() else {
        return Vec::new(); // a missing key is an empty set
    };
    let Some(smallest) = present.iter().min_by_key(|s| s.len()) else {
        return Vec::new();
    };
    let limit = if limit == 0 { usize::MAX } else { limit };
    smallest
        .iter()
        .filter(|m| present.iter().all(|s| s.contains(&m[..])))
        .take(limit)
        .collect()
}

fn union<'s>(sets: &[Option<&'s SetValue>]) -> Vec<&'s Bytes> {
    let mut seen = SetValue::default();
    let mut out = Vec::new();
    for m in sets.iter().flatten().flat_map(|s| s.iter()) {
        if seen.insert(m.clone()) {
            out.push(m);
        }
    }
    out
}

fn diff<'s>(sets: &[Option<&'s SetValue>]) -> Vec<&'s Bytes> {
    let Some(Some(first)) = sets.first() else {
        return Vec::new();
    };
    let others: Vec<&SetValue> = sets[1..].iter().flatten().copied().collect();
    first
        .iter()
        .filter(|m| others.iter().all(|s| !s.contains(&m[..])))
        .collect()
}

fn compute<'s>(op: Op, sets: &[Option<&'s SetValue>]) -> Vec<&'s Bytes> {
    match op {
        Op::Inter => inter(sets, 0),
        Op::Union => union(sets),
        Op::Diff => diff(sets),
    }
}

fn read(ctx: &mut Ctx, a: &[&[u8]], op: Op) -> Res {
    let sets = sources(ctx, &a[1..])?;
    budget::bulks(ctx, compute(op, &sets))
}

/// Stores the result in `a[1]` (replacing any value and TTL); an empty result deletes it,
/// which signals only if it existed.
fn store(ctx: &mut Ctx, a: &[&[u8]], op: Op) -> Res {
    let members: Vec<Bytes> = {
        let sets = sources(ctx, &a[2..])?;
        compute(op, &sets).into_iter().cloned().collect()
    };
    if members.is_empty() {
        ctx.remove(a[1], ev::DEL)?;
        return Ok(Reply::Integer(0));
    }
    let n = members.len();
    let event = match op {
        Op::Inter => ev::SINTERSTORE,
        Op::Union => ev::SUNIONSTORE,
        Op::Diff => ev::SDIFFSTORE,
    };
    ctx.set(a[1], new_set(members), 0, event)?;
    Ok(Reply::from_len(n))
}

fn sinter(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read(ctx, a, Op::Inter)
}

fn sunion(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read(ctx, a, Op::Union)
}

fn sdiff(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read(ctx, a, Op::Diff)
}

fn sinterstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    store(ctx, a, Op::Inter)
}

fn sunionstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    store(ctx, a, Op::Union)
}

fn sdiffstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    store(ctx, a, Op::Diff)
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit], with Redis's argument errors.
fn sintercard(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let numkeys = parse::int(a[1])
        .ok()
        .filter(|n| *n > 0)
        .map_or_else(|| err("ERR numkeys should be greater than 0"), Ok)?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > a.len() - 2 {
        return err("ERR Number of keys can't be greater than number of args");
    }
    let mut limit = 0;
    let mut i = 2 + numkeys;
    while i < a.len() {
        if is(a[i], "LIMIT") && i + 1 < a.len() {
            limit = parse::int(a[i + 1])
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .map_or_else(|| err("ERR LIMIT can't be negative"), Ok)?;
            i += 2;
        } else {
            return err(msg::SYNTAX);
        }
    }
    let sets = sources(ctx, &a[2..2 + numkeys])?;
    Ok(Reply::from_len(inter(&sets, limit).len()))
}
