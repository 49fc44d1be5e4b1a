//! ZRANGE and its older forms (ZRANGEBYSCORE, ZREVRANGEBYLEX, ...), ZRANGESTORE and the
//! ZREMRANGEBY* commands. Every form goes through one parser, as Redis's
//! `zrangeGenericCommand` does, so option rules and error texts agree across them.

use super::common::{
    LexBound, ScoreBound, elements_reply, lex_range, lex_ranks, score_range, score_ranks, store,
    with_zset, zset,
};
use crate::commands::budget::Meter;
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::list::clamp_range;
use crate::commands::parse::{self, is};
use crate::effects::{Event, ev};
use crate::error::msg;
use crate::reply::Reply;
use crate::types::ZSet;

const LIMIT_NEEDS_BY: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
const LEX_NO_SCORES: &str = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rank,
    Score,
    Lex,
}

/// A parsed range: which elements, in which direction, and how to reply.
enum Bounds<'a> {
    Rank(i64, i64),
    Score(ScoreBound, ScoreBound),
    Lex(LexBound<'a>, LexBound<'a>),
}

struct Request<'a> {
    bounds: Bounds<'a>,
    rev: bool,
    /// (offset, count); count < 0 means no limit.
    limit: (i64, i64),
    withscores: bool,
}

/// Parses `key min max [options]` starting at `a[at]` (the key). `kind` and `rev` are fixed
/// by the older command forms; ZRANGE leaves them to BYSCORE / BYLEX / REV.
fn request<'a>(
    a: &[&'a [u8]],
    at: usize,
    fixed_kind: Option<Kind>,
    fixed_rev: Option<bool>,
    storing: bool,
) -> Res<Request<'a>> {
    let (mut kind, mut rev) = (fixed_kind, fixed_rev);
    let (mut withscores, mut limit) = (false, (0, -1));
    let mut i = at + 3;
    while i < a.len() {
        let w = a[i];
        let left = a.len() - i - 1;
        if !storing && is(w, "WITHSCORES") {
            withscores = true;
        } else if is(w, "LIMIT") && left >= 2 {
            limit = (parse::int(a[i + 1])?, parse::int(a[i + 2])?);
            i += 2;
        } else if rev.is_none() && is(w, "REV") {
            rev = Some(true);
        } else if kind.is_none() && is(w, "BYLEX") {
            kind = Some(Kind::Lex);
        } else if kind.is_none() && is(w, "BYSCORE") {
            kind = Some(Kind::Score);
        } else {
            return err(msg::SYNTAX);
        }
        i += 1;
    }
    let (kind, rev) = (kind.unwrap_or(Kind::Rank), rev.unwrap_or(false));
    // Redis tests the count against its "unset" value -1, so `LIMIT 0 -1` slips through.
    if limit.1 != -1 && kind == Kind::Rank {
        return err(LIMIT_NEEDS_BY);
    }
    if withscores && kind == Kind::Lex {
        return err(LEX_NO_SCORES);
    }
    let (mut min, mut max) = (a[at + 1], a[at + 2]);
    if rev && kind != Kind::Rank {
        std::mem::swap(&mut min, &mut max); // given as max, min
    }
    let bounds = match kind {
        Kind::Rank => Bounds::Rank(parse::int(min)?, parse::int(max)?),
        Kind::Score => {
            let (lo, hi) = score_range(min, max)?;
            Bounds::Score(lo, hi)
        }
        Kind::Lex => {
            let (lo, hi) = lex_range(min, max)?;
            Bounds::Lex(lo, hi)
        }
    };
    Ok(Request {
        bounds,
        rev,
        limit,
        withscores,
    })
}

/// The elements `r` selects from `z`, in reply order.
fn select<'z>(z: &'z ZSet, r: &Request) -> Vec<(&'z [u8], f64)> {
    let len = z.len();
    let (lo, hi) = match &r.bounds {
        Bounds::Rank(start, stop) => {
            let Some((s, e)) = clamp_range(*start, *stop, len) else {
                return Vec::new();
            };
            return if r.rev {
                z.range(len - 1 - e, len - s, true)
            } else {
                z.range(s, e + 1, false)
            };
        }
        Bounds::Score(min, max) => score_ranks(z, *min, *max),
        Bounds::Lex(min, max) => lex_ranks(z, min, max),
    };
    let (offset, count) = r.limit;
    // A negative offset skips everything in Redis (its skip loop never ends early).
    let Ok(offset) = usize::try_from(offset) else {
        return Vec::new();
    };
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let span = hi - lo;
    if offset >= span {
        return Vec::new();
    }
    let take = count.min(span - offset);
    if r.rev {
        z.range(hi - offset - take, hi - offset, true)
    } else {
        z.range(lo + offset, lo + offset + take, false)
    }
}

fn range_reply(ctx: &mut Ctx, a: &[&[u8]], kind: Option<Kind>, rev: Option<bool>) -> Res {
    let r = request(a, 1, kind, rev, false)?;
    let Some(z) = zset(ctx, a[1])? else {
        return Ok(Reply::Array(Vec::new()));
    };
    elements_reply(&mut Meter::new(ctx), &select(z, &r), r.withscores)
}

pub(super) fn zrange(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    range_reply(ctx, a, None, None)
}

pub(super) fn zrevrange(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    range_reply(ctx, a, Some(Kind::Rank), Some(true))
}

pub(super) fn zrangebyscore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    range_reply(ctx, a, Some(Kind::Score), Some(false))
}

pub(super) fn zrevrangebyscore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    range_reply(ctx, a, Some(Kind::Score), Some(true))
}

pub(super) fn zrangebylex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    range_reply(ctx, a, Some(Kind::Lex), Some(false))
}

pub(super) fn zrevrangebylex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    range_reply(ctx, a, Some(Kind::Lex), Some(true))
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
pub(super) fn zrangestore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let r = request(a, 2, None, None, true)?;
    let mut result = ZSet::new();
    if let Some(z) = zset(ctx, a[2])? {
        for (m, s) in select(z, &r) {
            result.insert(m, s);
        }
    }
    store(ctx, a[1], result, ev::ZRANGESTORE)
}

/// Removes the ascending ranks `ranks(z)` from the set at `key`; replies the count.
fn remove_ranks(
    ctx: &mut Ctx,
    key: &[u8],
    event: Event,
    ranks: impl FnOnce(&ZSet) -> (usize, usize),
) -> Res {
    let n = with_zset(ctx, key, event, |z| {
        let (lo, hi) = ranks(z);
        let n = z.remove_ranks(lo, hi);
        (n, n > 0)
    })?;
    Ok(Reply::from_len(n.unwrap_or(0)))
}

pub(super) fn zremrangebyrank(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (start, stop) = (parse::int(a[2])?, parse::int(a[3])?);
    remove_ranks(ctx, a[1], ev::ZREMRANGEBYRANK, |z| {
        clamp_range(start, stop, z.len()).map_or((0, 0), |(s, e)| (s, e + 1))
    })
}

pub(super) fn zremrangebyscore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (min, max) = score_range(a[2], a[3])?;
    remove_ranks(ctx, a[1], ev::ZREMRANGEBYSCORE, |z| {
        score_ranks(z, min, max)
    })
}

pub(super) fn zremrangebylex(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (min, max) = lex_range(a[2], a[3])?;
    remove_ranks(ctx, a[1], ev::ZREMRANGEBYLEX, |z| lex_ranks(z, &min, &max))
}
