//! BITOP AND | OR | XOR | NOT destkey key [key ...].

use super::read;
use crate::commands::Keys;
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::parse::is;
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;
use crate::types::{Bytes, Value};

/// The destination (argument 2) and every source after it.
pub(super) const KEYS: Keys = Keys::Range {
    first: 2,
    last: -1,
    step: 1,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Xor,
    Not,
}

fn op(name: &[u8]) -> Res<Op> {
    [
        ("AND", Op::And),
        ("OR", Op::Or),
        ("XOR", Op::Xor),
        ("NOT", Op::Not),
    ]
    .into_iter()
    .find(|(w, _)| is(name, w))
    .map_or_else(|| err(msg::SYNTAX), |(_, o)| Ok(o))
}

/// The result bytes: as long as the longest source, missing bytes read as zero.
fn combine(op: Op, sources: &[&[u8]]) -> Vec<u8> {
    let longest = sources.iter().map(|s| s.len()).max().unwrap_or(0);
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let mut out: Vec<u8> = (0..longest).map(|i| at(sources[0], i)).collect();
    if op == Op::Not {
        for b in &mut out {
            *b = !*b;
        }
        return out;
    }
    for src in &sources[1..] {
        for (i, b) in out.iter_mut().enumerate() {
            let x = at(src, i);
            match op {
                Op::And => *b &= x,
                Op::Or => *b |= x,
                Op::Xor | Op::Not => *b ^= x,
            }
        }
    }
    out
}

pub(super) fn bitop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let op = op(a[1])?;
    if op == Op::Not && a.len() != 4 {
        return err("ERR BITOP NOT must be called with a single source key.");
    }
    let result = {
        let mut sources = Vec::with_capacity(a.len() - 3);
        for key in &a[3..] {
            sources.push(read(ctx, key)?.unwrap_or_default());
        }
        combine(op, &sources)
    };
    let len = result.len();
    if len == 0 {
        // An empty result deletes the destination, as Redis does.
        ctx.remove(a[2], ev::DEL)?;
    } else {
        ctx.set(a[2], Value::Str(Bytes::from_vec(result)), 0, ev::SET)?;
    }
    Ok(Reply::from_len(len))
}
