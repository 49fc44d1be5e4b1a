//! Sorted set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.
//! Plain sets are valid inputs (every member scores 1), as in Redis.

use std::collections::HashMap;

use super::ctx::{Ctx, Res, err, wrongtype};
use super::parse::{self, is};
use super::zparse::{elements_reply, store};
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;
use crate::types::{Bytes, Hasher, Value, ZSet, bytes};

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

/// One input: its (member, score) pairs, or `None` for a missing key.
type Input = Option<Vec<(Bytes, f64)>>;

struct Args {
    inputs: Vec<Input>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Reads an input key: a zset, a set (scores 1), missing, or WRONGTYPE.
fn input(ctx: &Ctx, key: &[u8]) -> Res<Input> {
    Ok(match ctx.get(key)? {
        None => None,
        Some(Value::ZSet(z)) => Some(
            z.iter_all()
                .into_iter()
                .map(|(m, s)| (bytes(m), s))
                .collect(),
        ),
        Some(Value::Set(s)) => Some(s.iter().map(|m| (m.clone(), 1.0)).collect()),
        Some(_) => return Err(wrongtype()),
    })
}

/// Parses `numkeys key... [options]` at `a[at]`, reading the keys before the options as
/// Redis does (so a WRONGTYPE input wins over a bad option). `dest` marks STORE forms,
/// `card` ZINTERCARD.
fn args(ctx: &Ctx, a: &[&[u8]], at: usize, op: Op, dest: bool, card: bool) -> Res<Args> {
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
                *slot = parse::parse_float(a[i + 1 + j])
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
    let inputs = &args.inputs;
    match op {
        Op::Union => {
            for (input, &w) in inputs.iter().zip(&args.weights) {
                for (m, s) in input.iter().flatten() {
                    let v = weighted(*s, w);
                    acc.entry(&m[..])
                        .and_modify(|a| *a = combine(*a, v, args.aggregate))
                        .or_insert(v);
                }
            }
        }
        Op::Inter => {
            if inputs.iter().any(Option::is_none) {
                return ZSet::new();
            }
            let sets: Vec<HashMap<&[u8], f64, Hasher>> = inputs
                .iter()
                .flatten()
                .map(|v| v.iter().map(|(m, s)| (&m[..], *s)).collect())
                .collect();
            for (m, s) in inputs[0].iter().flatten() {
                let mut total = weighted(*s, args.weights[0]);
                let mut all = true;
                for (set, &w) in sets.iter().zip(&args.weights).skip(1) {
                    match set.get(&m[..]) {
                        Some(&o) => total = combine(total, weighted(o, w), args.aggregate),
                        None => {
                            all = false;
                            break;
                        }
                    }
                }
                if all {
                    acc.insert(&m[..], total);
                }
            }
        }
        Op::Diff => {
            for (m, s) in inputs[0].iter().flatten() {
                acc.insert(&m[..], *s);
            }
            for other in inputs.iter().skip(1).flatten() {
                for (m, _) in other {
                    acc.remove(&m[..]);
                }
            }
        }
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
    Ok(elements_reply(&z.iter_all(), args.withscores))
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
    Ok(Reply::Integer(n as i64))
}
