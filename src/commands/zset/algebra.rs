//! Sorted set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.
//! Plain sets are valid inputs (every member scores 1), as in Redis.

use std::collections::HashMap;

use super::common::{elements_reply, store};
use crate::commands::budget::Meter;
use crate::commands::ctx::{Ctx, Res, err, wrongtype};
use crate::commands::parse::{self, is};
use crate::effects::ev;
use crate::error::msg;
use crate::numbers;
use crate::reply::Reply;
use crate::types::{Hasher, SetValue, Value, ZSet};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// One input, borrowed from the keyspace: a key named several times costs nothing extra
/// (copying each input would multiply a big set by the number of times it is named).
#[derive(Clone, Copy)]
enum Input<'c> {
    Missing,
    ZSet(&'c ZSet),
    /// A plain set: every member scores 1.
    Set(&'c SetValue),
}

impl<'c> Input<'c> {
    fn score(self, member: &[u8]) -> Option<f64> {
        match self {
            Input::Missing => None,
            Input::ZSet(z) => z.score(member),
            Input::Set(s) => s.contains(member).then_some(1.0),
        }
    }

    /// Every (member, score), in no particular order.
    fn each(self, mut f: impl FnMut(&'c [u8], f64)) {
        match self {
            Input::Missing => {}
            Input::ZSet(z) => z.iter().for_each(|(m, s)| f(m, s)),
            Input::Set(s) => s.iter().for_each(|m| f(m, 1.0)),
        }
    }
}

struct Args<'c> {
    inputs: Vec<Input<'c>>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Reads an input key: a zset, a set (scores 1), missing, or WRONGTYPE.
fn input<'c>(ctx: &'c Ctx, key: &[u8]) -> Res<Input<'c>> {
    Ok(match ctx.get(key)? {
        None => Input::Missing,
        Some(Value::ZSet(z)) => Input::ZSet(z),
        Some(Value::Set(s)) => Input::Set(s),
        Some(_) => return Err(wrongtype()),
    })
}

/// Parses `numkeys key... [options]` at `a[at]`, reading the keys before the options as
/// Redis does (so a WRONGTYPE input wins over a bad option). `dest` marks STORE forms,
/// `card` ZINTERCARD.
#[allow(
    clippy::many_single_char_names,
    reason = "the handlers' convention (a: args) plus n, the key count"
)]
fn args<'c>(ctx: &'c Ctx, a: &[&[u8]], at: usize, op: Op, dest: bool, card: bool) -> Res<Args<'c>> {
    let n = parse::int(a[at])?;
    if n < 1 {
        return err(format!(
            "ERR at least 1 input key is needed for '{}' command",
            String::from_utf8_lossy(a[0]).to_ascii_lowercase()
        ));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n > a.len() - at - 1 {
        return err(msg::SYNTAX);
    }
    let keys = &a[at + 1..at + 1 + n];
    let inputs = keys
        .iter()
        .map(|k| input(ctx, k))
        .collect::<Res<Vec<_>>>()?;
    let mut out = Args {
        inputs,
        weights: vec![1.0; n],
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let mut i = at + 1 + n;
    while i < a.len() {
        let left = a.len() - i;
        let w = a[i];
        if op != Op::Diff && !card && left > n && is(w, "WEIGHTS") {
            for (j, slot) in out.weights.iter_mut().enumerate() {
                *slot = numbers::parse_double(a[i + 1 + j])
                    .map_or_else(|| err("ERR weight value is not a float"), Ok)?;
            }
            i += 1 + n;
        } else if op != Op::Diff && !card && left >= 2 && is(w, "AGGREGATE") {
            out.aggregate = match a[i + 1] {
                x if is(x, "SUM") => Aggregate::Sum,
                x if is(x, "MIN") => Aggregate::Min,
                x if is(x, "MAX") => Aggregate::Max,
                _ => return err(msg::SYNTAX),
            };
            i += 2;
        } else if !dest && !card && is(w, "WITHSCORES") {
            out.withscores = true;
            i += 1;
        } else if card && left >= 2 && is(w, "LIMIT") {
            out.limit = parse::count_or(a[i + 1], "ERR LIMIT can't be negative")?;
            i += 2;
        } else {
            return err(msg::SYNTAX);
        }
    }
    Ok(out)
}

/// `w * s`, with Redis's rule that `inf * 0` counts as 0 rather than NaN.
fn weighted(s: f64, w: f64) -> f64 {
    let v = s * w;
    if v.is_nan() { 0.0 } else { v }
}

fn combine(acc: f64, v: f64, agg: Aggregate) -> f64 {
    match agg {
        // inf + -inf is NaN; Redis keeps 0 instead.
        Aggregate::Sum => {
            let t = acc + v;
            if t.is_nan() { 0.0 } else { t }
        }
        Aggregate::Min => acc.min(v),
        Aggregate::Max => acc.max(v),
    }
}

fn compute(args: &Args, op: Op) -> ZSet {
    let mut acc: HashMap<&[u8], f64, Hasher> = HashMap::default();
    let (inputs, weights) = (&args.inputs, &args.weights);
    match op {
        Op::Union => {
            for (input, &w) in inputs.iter().zip(weights) {
                input.each(|m, s| {
                    let v = weighted(s, w);
                    acc.entry(m)
                        .and_modify(|a| *a = combine(*a, v, args.aggregate))
                        .or_insert(v);
                });
            }
        }
        Op::Inter => {
            if inputs.iter().any(|i| matches!(i, Input::Missing)) {
                return ZSet::new();
            }
            inputs[0].each(|m, s| {
                let mut total = weighted(s, weights[0]);
                for (other, &w) in inputs.iter().zip(weights).skip(1) {
                    match other.score(m) {
                        Some(o) => total = combine(total, weighted(o, w), args.aggregate),
                        None => return,
                    }
                }
                acc.insert(m, total);
            });
        }
        Op::Diff => inputs[0].each(|m, s| {
            if inputs[1..].iter().all(|other| other.score(m).is_none()) {
                acc.insert(m, s);
            }
        }),
    }
    let mut z = ZSet::new();
    for (m, s) in acc {
        z.insert(m, s);
    }
    z
}

fn read_form(ctx: &mut Ctx, a: &[&[u8]], op: Op) -> Res {
    let args = args(ctx, a, 1, op, false, false)?;
    let z = compute(&args, op);
    elements_reply(&mut Meter::new(ctx), &z.iter_all(), args.withscores)
}

fn store_form(ctx: &mut Ctx, a: &[&[u8]], op: Op) -> Res {
    let args = args(ctx, a, 2, op, true, false)?;
    let z = compute(&args, op);
    let event = match op {
        Op::Union => ev::ZUNIONSTORE,
        Op::Inter => ev::ZINTERSTORE,
        Op::Diff => ev::ZDIFFSTORE,
    };
    store(ctx, a[1], z, event)
}

pub(super) fn zunion(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read_form(ctx, a, Op::Union)
}

pub(super) fn zinter(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read_form(ctx, a, Op::Inter)
}

pub(super) fn zdiff(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read_form(ctx, a, Op::Diff)
}

pub(super) fn zunionstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    store_form(ctx, a, Op::Union)
}

pub(super) fn zinterstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    store_form(ctx, a, Op::Inter)
}

pub(super) fn zdiffstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    store_form(ctx, a, Op::Diff)
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]: stops counting at `limit` (0 = all).
pub(super) fn zintercard(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let args = args(ctx, a, 1, Op::Inter, false, true)?;
    let n = compute(&args, Op::Inter).len();
    let n = if args.limit > 0 { n.min(args.limit) } else { n };
    Ok(Reply::from_len(n))
}
