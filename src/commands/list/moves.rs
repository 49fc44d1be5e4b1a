//! List commands that move elements between keys (LMOVE, RPOPLPUSH, LMPOP) and LPOS.
//!
//! The dispatcher has already locked every key's shard in ascending order, so a move is
//! one atomic step: no other thread sees the element in neither list or in both.

use super::{list, pop_n, pop_replies, push_all, with_list};
use crate::commands::budget::{self, ELEMENT, Meter};
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::parse::{self, is};
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;
use crate::types::Value;

const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
const MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
const NUMKEYS: &str = "ERR numkeys should be greater than 0";
const COUNT_ZERO: &str = "ERR count should be greater than 0";

/// `LEFT` → true, `RIGHT` → false.
fn side(w: &[u8]) -> Res<bool> {
    if is(w, "LEFT") {
        Ok(true)
    } else if is(w, "RIGHT") {
        Ok(false)
    } else {
        err(msg::SYNTAX)
    }
}

pub(super) fn lmove(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (from, to) = (side(a[3])?, side(a[4])?);
    move_one(ctx, a[1], a[2], from, to)
}

pub(super) fn rpoplpush(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    move_one(ctx, a[1], a[2], false, true)
}

fn move_one(ctx: &mut Ctx, src: &[u8], dst: &[u8], from_left: bool, to_left: bool) -> Res {
    let Some(l) = list(ctx, src)? else {
        return Ok(Reply::Nil);
    };
    let end = if from_left { l.front() } else { l.back() };
    let len = end.map_or(0, smallvec::SmallVec::len);
    list(ctx, dst)?; // WRONGTYPE on the destination before anything is popped
    budget::check(ctx, ELEMENT + len)?; // and the reply's size
    // Redis's order of events: the push onto `dst` (with `new` if it is created), then the
    // pop from `src`, then `del` if `src` emptied. The element leaves `src` first, but the
    // key is signalled only after the push; a rotation (`src == dst`) never empties the key
    // (nor loses its TTL) on the way.
    let item = match ctx.get_mut(src)? {
        Some(mut e) => match e.value_mut() {
            Value::List(l) => pop_n(l, from_left, 1).pop(),
            _ => None,
        },
        None => None,
    };
    let Some(item) = item else {
        return Ok(Reply::Nil);
    };
    push_all(ctx, dst, &[&item], to_left)?;
    if let Some(mut e) = ctx.get_mut(src)? {
        e.signal(if from_left { ev::LPOP } else { ev::RPOP });
    }
    ctx.remove_if_empty(src)?;
    Ok(Reply::bulk(item))
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub(super) fn lmpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let numkeys = parse::int_in(a[1], 1, i64::MAX, Some(NUMKEYS))?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > a.len().saturating_sub(3) {
        return err(msg::SYNTAX);
    }
    let keys = &a[2..2 + numkeys];
    let left = side(a[2 + numkeys])?;
    let count = mpop_count(&a[3 + numkeys..])?;
    for &key in keys {
        let mut m = Meter::new(ctx);
        m.reserve(2)?;
        m.bytes(key.len())?;
        let event = if left { ev::LPOP } else { ev::RPOP };
        let popped = with_list(ctx, key, event, |l| pop_replies(l, left, count, &mut m))?;
        if let Some(items) = popped.transpose()?.filter(|i| !i.is_empty()) {
            return Ok(Reply::Array(vec![Reply::bulk(key), Reply::Array(items)]));
        }
    }
    Ok(Reply::NilArray)
}

/// The `[COUNT count]` tail of LMPOP / ZMPOP (count ≥ 1, given at most once).
pub(crate) fn mpop_count(opts: &[&[u8]]) -> Res<usize> {
    let mut count = None;
    let mut i = 0;
    while i < opts.len() {
        match opts.get(i + 1) {
            Some(v) if is(opts[i], "COUNT") && count.is_none() => {
                let n = parse::int_in(v, 1, i64::MAX, Some(COUNT_ZERO))?;
                count = Some(usize::try_from(n).unwrap_or(usize::MAX));
                i += 2;
            }
            _ => return err(msg::SYNTAX),
        }
    }
    Ok(count.unwrap_or(1))
}

/// LPOS's options: RANK (non-zero), COUNT (0 = all), MAXLEN (0 = unlimited).
struct LposOpts {
    rank: i64,
    count: Option<usize>,
    maxlen: usize,
}

fn lpos_options(opts: &[&[u8]]) -> Res<LposOpts> {
    let mut o = LposOpts {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    let mut i = 0;
    while i < opts.len() {
        let Some(&v) = opts.get(i + 1) else {
            return err(msg::SYNTAX);
        };
        if is(opts[i], "RANK") {
            o.rank = parse::int_in(v, -i64::MAX, i64::MAX, None)?;
            if o.rank == 0 {
                return err(RANK_ZERO);
            }
        } else if is(opts[i], "COUNT") {
            o.count = Some(parse::count_or(v, COUNT_NEGATIVE)?);
        } else if is(opts[i], "MAXLEN") {
            o.maxlen = parse::count_or(v, MAXLEN_NEGATIVE)?;
        } else {
            return err(msg::SYNTAX);
        }
        i += 2;
    }
    Ok(o)
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
pub(super) fn lpos(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let o = lpos_options(&a[3..])?;
    let Some(l) = list(ctx, a[1])? else {
        return Ok(match o.count {
            Some(_) => Reply::Array(Vec::new()),
            None => Reply::Nil,
        });
    };
    let want = match o.count {
        Some(0) => usize::MAX,
        Some(n) => n,
        None => 1,
    };
    let maxlen = if o.maxlen == 0 { usize::MAX } else { o.maxlen };
    let mut skip = o.rank.unsigned_abs() - 1;
    let order: Box<dyn Iterator<Item = usize>> = if o.rank > 0 {
        Box::new(0..l.len())
    } else {
        Box::new((0..l.len()).rev())
    };
    let mut m = Meter::new(ctx);
    let mut found = Vec::new();
    for i in order.take(maxlen) {
        if l[i][..] != *a[2] {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        m.reserve(1)?;
        found.push(Reply::from_len(i));
        if found.len() >= want {
            break;
        }
    }
    Ok(match o.count {
        Some(_) => Reply::Array(found),
        None => found.pop().unwrap_or(Reply::Nil),
    })
}
