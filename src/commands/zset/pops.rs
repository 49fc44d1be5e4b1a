//! Sorted set pops (ZPOPMIN, ZPOPMAX, ZMPOP), sampling (ZRANDMEMBER) and ZSCAN.

use std::collections::HashSet;

use super::common::{elements_reply, with_zset, zset};
use crate::commands::budget::{self, Meter};
use crate::commands::ctx::{Ctx, Res, err, wrongtype};
use crate::commands::glob;
use crate::commands::keys::{parse_cursor, scan_options};
use crate::commands::list::moves::mpop_count;
use crate::commands::parse::{self, is};
use crate::commands::scan_and_sample;
use crate::effects::ev;
use crate::error::msg;
use crate::numbers::format_double;
use crate::reply::Reply;
use crate::types::{Value, ZSet};

const NUMKEYS: &str = "ERR numkeys should be greater than 0";

/// Pops up to `n` elements from the low (`max` false) or high end of the set at `key`, in
/// pop order, replying `reply(elements)`; `None` when the key is missing. The reply is built
/// (and metered) before anything is removed, so a pop refused by the budget removes nothing.
fn pop_from(
    ctx: &mut Ctx,
    key: &[u8],
    max: bool,
    n: usize,
    reply: impl FnOnce(&[(&[u8], f64)]) -> Res,
) -> Res<Option<Reply>> {
    let event = if max { ev::ZPOPMAX } else { ev::ZPOPMIN };
    let popped = with_zset(ctx, key, event, |z| {
        let n = n.min(z.len());
        let (lo, hi) = if max { (z.len() - n, z.len()) } else { (0, n) };
        let built = reply(&z.range(lo, hi, max));
        if built.is_ok() {
            z.remove_ranks(lo, hi);
        }
        let wrote = built.is_ok() && n > 0;
        (built, wrote)
    })?;
    popped.transpose()
}

/// ZPOPMIN/ZPOPMAX key [count]: a flat member/score array (RESP2), empty when missing.
fn zpop(ctx: &mut Ctx, a: &[&[u8]], max: bool) -> Res {
    let n = match a.len() {
        2 => 1,
        3 => parse::count(a[2])?,
        // Redis's ZPOPMIN/ZPOPMAX take any number of arguments and call extras a syntax error.
        _ => return err(msg::SYNTAX),
    };
    // Redis checks the type before it looks at a zero count.
    if ctx.get(a[1])?.is_some_and(|v| !matches!(v, Value::ZSet(_))) {
        return Err(wrongtype());
    }
    if n == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let mut m = Meter::new(ctx);
    let popped = pop_from(ctx, a[1], max, n, |items| {
        elements_reply(&mut m, items, true)
    })?;
    Ok(popped.unwrap_or(Reply::Array(Vec::new())))
}

pub(super) fn zpopmin(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    zpop(ctx, a, false)
}

pub(super) fn zpopmax(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    zpop(ctx, a, true)
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: `[key, [[member, score] ...]]` from
/// the first non-empty set, or a null array.
pub(super) fn zmpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let numkeys = parse::int_in(a[1], 1, i64::MAX, Some(NUMKEYS))?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > a.len().saturating_sub(3) {
        return err(msg::SYNTAX);
    }
    let max = match a[2 + numkeys] {
        w if is(w, "MIN") => false,
        w if is(w, "MAX") => true,
        _ => return err(msg::SYNTAX),
    };
    let count = mpop_count(&a[3 + numkeys..])?;
    for &key in &a[2..2 + numkeys] {
        let mut m = Meter::new(ctx);
        // A set that exists is never empty (emptied sets are deleted), so this pops.
        if let Some(reply) = pop_from(ctx, key, max, count, |items| mpop_reply(&mut m, key, items))?
        {
            return Ok(reply);
        }
    }
    Ok(Reply::NilArray)
}

/// `[key, [[member, score] ...]]`, metered.
fn mpop_reply(m: &mut Meter, key: &[u8], items: &[(&[u8], f64)]) -> Res {
    let mut head = m.array(2)?;
    head.push(m.bulk(key)?);
    let mut pairs = m.array(items.len())?;
    for (member, s) in items {
        let mut pair = m.array(2)?;
        pair.push(m.bulk(member)?);
        pair.push(m.bulk(format_double(*s))?);
        pairs.push(Reply::Array(pair));
    }
    head.push(Reply::Array(pairs));
    Ok(Reply::Array(head))
}

/// ZRANDMEMBER key [count [WITHSCORES]]
pub(super) fn zrandmember(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() == 2 {
        let z = zset(ctx, a[1])?;
        let pick = z.and_then(|z| z.at(fastrand::usize(..z.len().max(1))));
        return budget::bulk_or_nil(ctx, pick.map(|(m, _)| m));
    }
    let count = parse::int_in(a[2], -i64::MAX, i64::MAX, None)?;
    let withscores = match a.get(3) {
        None => false,
        Some(w) if a.len() == 4 && is(w, "WITHSCORES") => true,
        Some(_) => return err(msg::SYNTAX),
    };
    if withscores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return err("ERR value is out of range");
    }
    let Some(z) = zset(ctx, a[1])? else {
        return Ok(Reply::Array(Vec::new()));
    };
    // Sized before the sample is drawn: a negative count is bounded only by the budget.
    let mut m = Meter::new(ctx);
    let n = scan_and_sample::picked(z.len(), count);
    budget::check_picks(ctx, n, 1 + usize::from(withscores), || {
        scan_and_sample::least_bytes(count, z.iter().map(|(m, _)| m.len()))
    })?;
    elements_reply(&mut m, &sample(z, count), withscores)
}

/// `count` random elements: distinct when positive (the whole set in order when it asks
/// for at least that many), possibly repeated when negative.
fn sample(z: &ZSet, count: i64) -> Vec<(&[u8], f64)> {
    let len = z.len();
    let n = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    if len == 0 || n == 0 {
        return Vec::new();
    }
    if count < 0 {
        return (0..n)
            .filter_map(|_| z.at(fastrand::usize(..len)))
            .collect();
    }
    if n >= len {
        return z.iter_all();
    }
    let mut ranks: Vec<usize> = if n * 2 > len {
        // Most of the set: shuffle every rank and keep a prefix.
        let mut all: Vec<usize> = (0..len).collect();
        fastrand::shuffle(&mut all);
        all.truncate(n);
        all
    } else {
        let mut picked = HashSet::with_capacity(n);
        while picked.len() < n {
            picked.insert(fastrand::usize(..len));
        }
        picked.into_iter().collect()
    };
    fastrand::shuffle(&mut ranks);
    ranks.into_iter().filter_map(|r| z.at(r)).collect()
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]. The whole set is returned in one call
/// with cursor 0 (Redis does the same for small sets): a rank cursor would skip members
/// when earlier ones are removed between calls, breaking SCAN's guarantee.
pub(super) fn zscan(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    parse_cursor(a[2])?;
    let empty = || Reply::Array(vec![Reply::bulk("0"), Reply::Array(Vec::new())]);
    let Some(z) = zset(ctx, a[1])? else {
        return Ok(empty());
    };
    let o = scan_options(&a[3..], false)?;
    let items: Vec<(&[u8], f64)> = z
        .iter_all()
        .into_iter()
        .filter(|(m, _)| o.pattern.is_none_or(|p| glob::matches(p, m)))
        .collect();
    let items = elements_reply(&mut Meter::new(ctx), &items, true)?;
    Ok(Reply::Array(vec![Reply::bulk("0"), items]))
}
