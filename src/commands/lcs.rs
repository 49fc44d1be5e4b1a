#![allow(
    clippy::many_single_char_names,
    reason = "a, b, i, j as in the LCS recurrence"
)]
//! LCS: the longest common subsequence of two strings (Redis 7's STRALGO successor).
//!
//! The dynamic-programming table is Redis's: (|a|+1) × (|b|+1) 32-bit cells, O(|a|·|b|) time.
//! Its memory is bounded as Redis 7.0.15 bounds it, by `proto-max-bulk-len` (512 MiB), and the
//! allocation is tried rather than assumed, so a huge input answers an error instead of
//! aborting the process.

use super::budget::Meter;
use super::ctx::{Ctx, Res, err};
use super::parse::{self, is};
use super::{Spec, TWO, data as spec};
use crate::error::msg;
use crate::reply::Reply;
use crate::types::Value;

pub(crate) const COMMANDS: &[Spec] = &[spec("lcs", -3, 0, TWO, lcs)];

#[derive(Default)]
struct Opts {
    len: bool,
    idx: bool,
    with_len: bool,
    min_len: u64,
}

fn options(a: &[&[u8]]) -> Res<Opts> {
    let mut o = Opts::default();
    let mut j = 3;
    while j < a.len() {
        let opt = a[j];
        if is(opt, "IDX") {
            o.idx = true;
        } else if is(opt, "LEN") {
            o.len = true;
        } else if is(opt, "WITHMATCHLEN") {
            o.with_len = true;
        } else if is(opt, "MINMATCHLEN") && j + 1 < a.len() {
            o.min_len = u64::try_from(parse::int(a[j + 1])?).unwrap_or(0);
            j += 1;
        } else {
            return err(msg::SYNTAX);
        }
        j += 1;
    }
    if o.len && o.idx {
        return err("ERR If you want both the length and indexes, please just use IDX.");
    }
    Ok(o)
}

fn string<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<&'c [u8]> {
    match ctx.get(key)? {
        None => Ok(&[]),
        Some(Value::Str(s)) => Ok(s),
        Some(_) => err("ERR The specified keys must contain string values"),
    }
}

/// The LCS length table, row-major with `b.len() + 1` columns.
struct Table {
    cells: Vec<u32>,
    cols: usize,
}

impl Table {
    /// The DP table, refused past `max` bytes (`proto-max-bulk-len`, as Redis 7.0.15 bounds it).
    fn build(a: &[u8], b: &[u8], max: usize) -> Res<Table> {
        let cols = b.len() + 1;
        let size = (a.len() + 1).saturating_mul(cols);
        if size.saturating_mul(4) > max {
            return err(
                "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
            );
        }
        let mut cells = Vec::new();
        if cells.try_reserve_exact(size).is_err() {
            return err("ERR Insufficient memory, failed allocating transient memory for LCS");
        }
        cells.resize(size, 0);
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                cells[i * cols + j] = if a[i - 1] == b[j - 1] {
                    cells[(i - 1) * cols + j - 1] + 1
                } else {
                    cells[(i - 1) * cols + j].max(cells[i * cols + j - 1])
                };
            }
        }
        Ok(Table { cells, cols })
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.cols + j]
    }
}

/// One matched range: (a start, a end, b start, b end), inclusive.
type Range = (usize, usize, usize, usize);

/// Walks the table back from the end as Redis does, collecting the LCS bytes (reversed)
/// and the contiguous match ranges in Redis's order (last first).
fn walk(t: &Table, a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<Range>) {
    let (mut i, mut j) = (a.len(), b.len());
    let mut text = Vec::new();
    let mut ranges = Vec::new();
    let mut cur: Option<Range> = None;
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            text.push(a[i - 1]);
            match &mut cur {
                None => cur = Some((i - 1, i - 1, j - 1, j - 1)),
                Some(r) if r.0 == i && r.2 == j => {
                    r.0 -= 1;
                    r.2 -= 1;
                }
                Some(_) => emit = true,
            }
            if cur.is_some_and(|r| r.0 == 0 || r.2 == 0) {
                emit = true;
            }
            i -= 1;
            j -= 1;
        } else {
            if t.at(i - 1, j) > t.at(i, j - 1) {
                i -= 1;
            } else {
                j -= 1;
            }
            emit |= cur.is_some();
        }
        if emit {
            if let Some(r) = cur.take() {
                ranges.push(r);
            }
        }
    }
    text.reverse();
    (text, ranges)
}

fn lcs(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let x = string(ctx, a[1])?;
    let y = string(ctx, a[2])?;
    let o = options(a)?;
    let t = Table::build(x, y, ctx.shared.server.live.proto_max_bulk_len())?;
    let len = Reply::Integer(i64::from(t.at(x.len(), y.len())));
    if o.len {
        return Ok(len);
    }
    let (text, ranges) = walk(&t, x, y);
    let mut m = Meter::new(ctx);
    if !o.idx {
        return m.bulk(text);
    }
    let kept: Vec<&Range> = ranges
        .iter()
        .filter(|r| o.min_len == 0 || (r.1 - r.0 + 1) as u64 >= o.min_len)
        .collect();
    m.reserve(kept.len().saturating_mul(7))?;
    let int = |n: usize| Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    let matches = kept
        .iter()
        .map(|r| {
            let mut item = vec![
                Reply::Array(vec![int(r.0), int(r.1)]),
                Reply::Array(vec![int(r.2), int(r.3)]),
            ];
            if o.with_len {
                item.push(int(r.1 - r.0 + 1));
            }
            Reply::Array(item)
        })
        .collect();
    Ok(Reply::Array(vec![
        Reply::bulk("matches"),
        Reply::Array(matches),
        Reply::bulk("len"),
        len,
    ]))
}
