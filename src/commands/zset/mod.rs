//! Sorted set commands: the table, and the single-member commands (ZADD, ZINCRBY, ZREM,
//! ZSCORE, ZMSCORE, ZCARD, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK). Ranges are in `ranges`,
//! pops and sampling in `pops`, set algebra in `algebra`.

use crate::commands::budget::Meter;
use crate::commands::ctx::{Ctx, Res, err, wrongtype};
use crate::commands::parse::{self, is};
use crate::commands::{Keys, ONE, Spec, W, data as spec};
use common::{
    NAN_SCORE, lex_range, lex_ranks, score_range, score_ranks, score_reply, with_zset, zset,
};

mod algebra;
mod common;
mod pops;
mod ranges;
use crate::effects::ev;
use crate::error::msg;
use crate::numbers::format_double;
use crate::reply::Reply;
use crate::types::{Value, ZSet};

const NUM1: Keys = Keys::NumKeys { at: 1, dest: None };
const NUM2: Keys = Keys::NumKeys {
    at: 2,
    dest: Some(1),
};
/// ZRANGESTORE dst src: both are keys.
const TWO: Keys = crate::commands::TWO;

pub(crate) const COMMANDS: &[Spec] = &[
    spec("zadd", -4, W, ONE, zadd),
    spec("zincrby", 4, W, ONE, zincrby),
    spec("zrem", -3, W, ONE, zrem),
    spec("zscore", 3, 0, ONE, zscore),
    spec("zmscore", -3, 0, ONE, zmscore),
    spec("zcard", 2, 0, ONE, zcard),
    spec("zcount", 4, 0, ONE, zcount),
    spec("zlexcount", 4, 0, ONE, zlexcount),
    spec("zrank", -3, 0, ONE, zrank),
    spec("zrevrank", -3, 0, ONE, zrevrank),
    spec("zrange", -4, 0, ONE, ranges::zrange),
    spec("zrangebyscore", -4, 0, ONE, ranges::zrangebyscore),
    spec("zrevrangebyscore", -4, 0, ONE, ranges::zrevrangebyscore),
    spec("zrangebylex", -4, 0, ONE, ranges::zrangebylex),
    spec("zrevrangebylex", -4, 0, ONE, ranges::zrevrangebylex),
    spec("zrevrange", -4, 0, ONE, ranges::zrevrange),
    spec("zrangestore", -5, W, TWO, ranges::zrangestore),
    spec("zremrangebyrank", 4, W, ONE, ranges::zremrangebyrank),
    spec("zremrangebyscore", 4, W, ONE, ranges::zremrangebyscore),
    spec("zremrangebylex", 4, W, ONE, ranges::zremrangebylex),
    spec("zpopmin", -2, W, ONE, pops::zpopmin),
    spec("zpopmax", -2, W, ONE, pops::zpopmax),
    spec("zmpop", -4, W, NUM1, pops::zmpop),
    spec("zrandmember", -2, 0, ONE, pops::zrandmember),
    spec("zscan", -3, 0, ONE, pops::zscan),
    spec("zunion", -3, 0, NUM1, algebra::zunion),
    spec("zinter", -3, 0, NUM1, algebra::zinter),
    spec("zdiff", -3, 0, NUM1, algebra::zdiff),
    spec("zunionstore", -4, W, NUM2, algebra::zunionstore),
    spec("zinterstore", -4, W, NUM2, algebra::zinterstore),
    spec("zdiffstore", -4, W, NUM2, algebra::zdiffstore),
    spec("zintercard", -3, 0, NUM1, algebra::zintercard),
];

/// ZADD's flags.
#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// Reads ZADD's leading flags; returns them and the index of the first score.
fn add_flags(a: &[&[u8]]) -> (AddFlags, usize) {
    let mut f = AddFlags::default();
    let mut i = 2;
    while let Some(&w) = a.get(i) {
        let slot = match () {
            () if is(w, "NX") => &mut f.nx,
            () if is(w, "XX") => &mut f.xx,
            () if is(w, "GT") => &mut f.gt,
            () if is(w, "LT") => &mut f.lt,
            () if is(w, "CH") => &mut f.ch,
            () if is(w, "INCR") => &mut f.incr,
            () => break,
        };
        *slot = true;
        i += 1;
    }
    (f, i)
}

/// A parsed `score member` pair.
type ScoreMember<'a> = (f64, &'a [u8]);

/// ZADD's checks, in Redis's order: pairs, flag conflicts, INCR arity, then every score
/// (so a bad score leaves the set untouched).
fn add_args<'a>(a: &[&'a [u8]]) -> Res<(AddFlags, Vec<ScoreMember<'a>>)> {
    let (f, at) = add_flags(a);
    let rest = &a[at..];
    if rest.is_empty() || rest.len() % 2 != 0 {
        return err(msg::SYNTAX);
    }
    if f.nx && f.xx {
        return err("ERR XX and NX options at the same time are not compatible");
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return err("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if f.incr && rest.len() > 2 {
        return err("ERR INCR option supports a single increment-element pair");
    }
    let pairs = rest
        .chunks(2)
        .map(|p| Ok((parse::float(p[0])?, p[1])))
        .collect::<Res<Vec<_>>>()?;
    Ok((f, pairs))
}

/// What adding one element did.
enum Added {
    New(f64),
    Updated(f64),
    /// Processed but unchanged (INCR by 0, or the same score).
    Same(f64),
    /// NX/XX/GT/LT stopped it.
    Skipped,
}

/// Redis's `zsetAdd` for one element.
#[allow(
    clippy::float_cmp,
    reason = "Redis compares scores exactly: an equal score is no update"
)]
fn add_one(z: &mut ZSet, f: AddFlags, score: f64, member: &[u8]) -> Res<Added> {
    let Some(cur) = z.score(member) else {
        if f.xx {
            return Ok(Added::Skipped);
        }
        z.insert(member, score);
        return Ok(Added::New(score));
    };
    if f.nx {
        return Ok(Added::Skipped);
    }
    let new = if f.incr { cur + score } else { score };
    if new.is_nan() {
        return err(NAN_SCORE);
    }
    if (f.lt && new >= cur) || (f.gt && new <= cur) {
        return Ok(Added::Skipped);
    }
    if new == cur {
        return Ok(Added::Same(new));
    }
    z.insert(member, new);
    Ok(Added::Updated(new))
}

/// ZADD itself (GEOADD adds its encoded points through it).
pub(crate) fn zadd(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (f, pairs) = add_args(a)?;
    zadd_run(ctx, a[1], f, &pairs)
}

fn zincrby(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let incr = parse::float(a[2])?;
    let f = AddFlags {
        incr: true,
        ..AddFlags::default()
    };
    zadd_run(ctx, a[1], f, &[(incr, a[3])])
}

fn zadd_run(ctx: &mut Ctx, key: &[u8], f: AddFlags, pairs: &[(f64, &[u8])]) -> Res {
    match ctx.get(key)? {
        Some(Value::ZSet(_)) => {}
        Some(_) => return Err(wrongtype()),
        None if f.xx => {
            return Ok(if f.incr {
                Reply::Nil
            } else {
                Reply::Integer(0)
            });
        }
        None => {
            ctx.get_or_create(key, || Value::ZSet(Box::default()))?;
        }
    }
    let (mut added, mut changed, mut last) = (0, 0, None);
    let event = if f.incr { ev::ZINCR } else { ev::ZADD };
    let result = with_zset(ctx, key, event, |z| {
        for &(score, member) in pairs {
            match add_one(z, f, score, member) {
                Ok(Added::New(s)) => (added, last) = (added + 1, Some(s)),
                Ok(Added::Updated(s)) => (changed, last) = (changed + 1, Some(s)),
                Ok(Added::Same(s)) => last = Some(s),
                Ok(Added::Skipped) => last = None,
                Err(e) => return (Err(e), added + changed > 0),
            }
        }
        (Ok(()), added + changed > 0)
    })?;
    result.unwrap_or(Ok(()))?;
    Ok(match (f.incr, last) {
        (true, Some(s)) => score_reply(s),
        (true, None) => Reply::Nil,
        (false, _) if f.ch => Reply::Integer(added + changed),
        (false, _) => Reply::Integer(added),
    })
}

fn zrem(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let removed = with_zset(ctx, a[1], ev::ZREM, |z| {
        let n = a[2..].iter().filter(|m| z.remove(m).is_some()).count();
        (n, n > 0)
    })?;
    Ok(Reply::from_len(removed.unwrap_or(0)))
}

fn zscore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let s = zset(ctx, a[1])?.and_then(|z| z.score(a[2]));
    Ok(s.map_or(Reply::Nil, score_reply))
}

fn zmscore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let z = zset(ctx, a[1])?;
    let mut m = Meter::new(ctx);
    let mut scores = m.array(a.len() - 2)?;
    for member in &a[2..] {
        scores.push(match z.and_then(|z| z.score(member)) {
            Some(s) => m.bulk(format_double(s))?,
            None => Reply::Nil,
        });
    }
    Ok(Reply::Array(scores))
}

fn zcard(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    Ok(Reply::from_len(zset(ctx, a[1])?.map_or(0, ZSet::len)))
}

fn zcount(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (min, max) = score_range(a[2], a[3])?;
    let n = zset(ctx, a[1])?.map_or(0, |z| {
        let (lo, hi) = score_ranks(z, min, max);
        hi - lo
    });
    Ok(Reply::from_len(n))
}

fn zlexcount(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let (min, max) = lex_range(a[2], a[3])?;
    let n = zset(ctx, a[1])?.map_or(0, |z| {
        let (lo, hi) = lex_ranks(z, &min, &max);
        hi - lo
    });
    Ok(Reply::from_len(n))
}

fn rank(ctx: &mut Ctx, a: &[&[u8]], rev: bool, name: &str) -> Res {
    let withscore = match a.get(3) {
        None => false,
        Some(w) if a.len() == 4 && is(w, "WITHSCORE") => true,
        Some(_) if a.len() > 4 => return err(msg::arity(name)),
        Some(_) => return err(msg::SYNTAX),
    };
    // Nil bulk without WITHSCORE, null array with it: both are `Reply::Nil`.
    let Some(z) = zset(ctx, a[1])? else {
        return Ok(Reply::Nil);
    };
    let (Some(r), Some(s)) = (z.rank(a[2]), z.score(a[2])) else {
        return Ok(Reply::Nil);
    };
    let r = Reply::from_len(if rev { z.len() - 1 - r } else { r });
    Ok(if withscore {
        Reply::Array(vec![r, score_reply(s)])
    } else {
        r
    })
}

fn zrank(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    rank(ctx, a, false, "zrank")
}

fn zrevrank(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    rank(ctx, a, true, "zrevrank")
}
