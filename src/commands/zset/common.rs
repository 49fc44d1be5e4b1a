//! Sorted-set argument rules shared by the zset commands: score and lex range bounds (parsed
//! as Redis's `zslParseRange` / `zslParseLexRange` do), resolving a range to ranks, and the
//! access helpers and reply shapes.

use crate::commands::budget::Meter;
use crate::commands::ctx::{Ctx, Res, wrongtype};
use crate::effects::{Event, ev};
use crate::numbers::{format_double, parse_range_bound};
use crate::reply::Reply;
use crate::types::{Value, ZSet};

pub(super) const NOT_FLOAT_RANGE: &str = "ERR min or max is not a float";
pub(super) const NOT_LEX_RANGE: &str = "ERR min or max not valid string range item";
pub(super) const NAN_SCORE: &str = "ERR resulting score is not a number (NaN)";

/// The sorted set at `key`: `None` when missing, WRONGTYPE when another type.
pub(super) fn zset<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c ZSet>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(wrongtype()),
    }
}

/// Runs `f` on the existing sorted set at `key`; `f` says whether it wrote (then the key is
/// signalled). An emptied set is deleted. `None` when the key is missing.
pub(super) fn with_zset<T>(
    ctx: &mut Ctx,
    key: &[u8],
    event: Event,
    f: impl FnOnce(&mut ZSet) -> (T, bool),
) -> Res<Option<T>> {
    let Some(mut e) = ctx.get_mut(key)? else {
        return Ok(None);
    };
    let Value::ZSet(z) = e.value_mut() else {
        return Err(wrongtype());
    };
    let (out, wrote) = f(z);
    if wrote {
        e.signal(event);
    }
    ctx.remove_if_empty(key)?;
    Ok(Some(out))
}

/// Replaces `dst` with `result` (a *STORE command); an empty result deletes `dst`.
pub(super) fn store(ctx: &mut Ctx, dst: &[u8], result: ZSet, event: Event) -> Res {
    let n = result.len();
    if n == 0 {
        ctx.remove(dst, ev::DEL)?;
    } else {
        ctx.set(dst, Value::ZSet(Box::new(result)), 0, event)?;
    }
    Ok(Reply::from_len(n))
}

/// A score as Redis replies it (a bulk string).
pub(super) fn score_reply(v: f64) -> Reply {
    Reply::bulk(format_double(v))
}

/// Members, with their scores interleaved when `withscores` (RESP2's flat shape), metered.
pub(super) fn elements_reply(m: &mut Meter, items: &[(&[u8], f64)], withscores: bool) -> Res {
    let mut out = m.array(items.len().saturating_mul(1 + usize::from(withscores)))?;
    for (member, s) in items {
        out.push(m.bulk(member)?);
        if withscores {
            out.push(m.bulk(format_double(*s))?);
        }
    }
    Ok(Reply::Array(out))
}

/// One end of a score range.
#[derive(Clone, Copy, Debug)]
pub(super) struct ScoreBound {
    pub(super) value: f64,
    pub(super) exclusive: bool,
}

fn score_bound(raw: &[u8]) -> Option<ScoreBound> {
    match raw.split_first() {
        Some((b'(', rest)) => parse_range_bound(rest).map(|value| ScoreBound {
            value,
            exclusive: true,
        }),
        _ => parse_range_bound(raw).map(|value| ScoreBound {
            value,
            exclusive: false,
        }),
    }
}

/// A score range `min max`, or `ERR min or max is not a float`.
pub(super) fn score_range(min: &[u8], max: &[u8]) -> Res<(ScoreBound, ScoreBound)> {
    match (score_bound(min), score_bound(max)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Reply::error(NOT_FLOAT_RANGE)),
    }
}

/// One end of a lex range.
#[derive(Clone, Debug)]
pub(super) enum LexBound<'a> {
    NegInf,
    PosInf,
    Incl(&'a [u8]),
    Excl(&'a [u8]),
}

fn lex_bound(raw: &[u8]) -> Option<LexBound<'_>> {
    match raw.split_first()? {
        (b'+', []) => Some(LexBound::PosInf),
        (b'-', []) => Some(LexBound::NegInf),
        (b'[', rest) => Some(LexBound::Incl(rest)),
        (b'(', rest) => Some(LexBound::Excl(rest)),
        _ => None,
    }
}

/// A lex range `min max`, or `ERR min or max not valid string range item`.
pub(super) fn lex_range<'a>(min: &'a [u8], max: &'a [u8]) -> Res<(LexBound<'a>, LexBound<'a>)> {
    match (lex_bound(min), lex_bound(max)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Reply::error(NOT_LEX_RANGE)),
    }
}

/// The ascending ranks `lo..hi` whose scores lie inside `min..max`.
pub(super) fn score_ranks(z: &ZSet, min: ScoreBound, max: ScoreBound) -> (usize, usize) {
    let lo = z.count_below(|s, _| {
        if min.exclusive {
            s <= min.value
        } else {
            s < min.value
        }
    });
    let hi = z.count_below(|s, _| {
        if max.exclusive {
            s < max.value
        } else {
            s <= max.value
        }
    });
    (lo, hi.max(lo))
}

/// The ascending ranks `lo..hi` whose members lie inside `min..max` (all scores equal, as
/// Redis requires for lex ranges).
pub(super) fn lex_ranks(z: &ZSet, min: &LexBound, max: &LexBound) -> (usize, usize) {
    let lo = z.count_below(|_, m| match min {
        LexBound::NegInf => false,
        LexBound::PosInf => true,
        LexBound::Incl(x) => m < *x,
        LexBound::Excl(x) => m <= *x,
    });
    let hi = z.count_below(|_, m| match max {
        LexBound::NegInf => false,
        LexBound::PosInf => true,
        LexBound::Incl(x) => m <= *x,
        LexBound::Excl(x) => m < *x,
    });
    (lo, hi.max(lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp, reason = "parsing must give these exact doubles")]
    fn score_bounds_follow_strtod() {
        let b = score_bound(b"(1.5").unwrap();
        assert!(b.exclusive && b.value == 1.5);
        assert_eq!(score_bound(b"-inf").unwrap().value, f64::NEG_INFINITY);
        assert_eq!(score_bound(b"+inf").unwrap().value, f64::INFINITY);
        assert_eq!(score_bound(b"(").unwrap().value, 0.0);
        assert!(score_bound(b"nan").is_none());
        assert!(score_bound(b"1x").is_none());
        assert!(score_bound(b"[1").is_none());
        assert_eq!(score_bound(b"(0x10").unwrap().value, 16.0);
        assert!(
            score_bound(b"( ").is_none(),
            "spaces alone are not a number"
        );
    }

    #[test]
    fn lex_bounds_need_a_prefix() {
        assert!(matches!(lex_bound(b"+"), Some(LexBound::PosInf)));
        assert!(matches!(lex_bound(b"[a"), Some(LexBound::Incl(b"a"))));
        assert!(matches!(lex_bound(b"("), Some(LexBound::Excl(b""))));
        assert!(lex_bound(b"a").is_none());
        assert!(lex_bound(b"+a").is_none());
        assert!(lex_bound(b"").is_none());
    }
}
