//! Sparse registers: run-length opcodes, exactly as Redis writes them.
//!
//! - ZERO `00xxxxxx`: 1..=64 zero registers.
//! - XZERO `01xxxxxx yyyyyyyy`: 1..=16384 zero registers.
//! - VAL `1vvvvvxx`: 1..=4 registers of value 1..=32.
//!
//! [`set`] follows Redis's `hllSparseSet` step for step (the split into at most three
//! opcodes, then merging adjacent equal VALs in a window of five), since the bytes a GET
//! returns depend on that exact sequence.

use super::{Bad, DENSE, DENSE_SIZE, HDR, REGISTERS, SPARSE_MAX_BYTES, dense, invalidate};
use crate::types::Bytes;

const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
const XZERO_MAX_LEN: usize = 16384;

/// One decoded opcode.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

impl Op {
    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        }
    }

    fn width(self) -> usize {
        if let Op::XZero(_) = self { 2 } else { 1 }
    }
}

/// The opcode at `p`; `None` when an XZERO is cut off by the end.
fn op_at(v: &[u8], p: usize) -> Option<Op> {
    let b = *v.get(p)?;
    Some(match b & 0xc0 {
        0 => Op::Zero(usize::from(b & 0x3f) + 1),
        0x40 => Op::XZero(((usize::from(b & 0x3f) << 8) | usize::from(*v.get(p + 1)?)) + 1),
        _ => Op::Val(((b >> 2) & 0x1f) + 1, usize::from(b & 3) + 1),
    })
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "lengths are bounded by the opcode"
)]
fn val(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len - 1) as u8
}

/// Encodes a run of `len` zeros as Redis does: ZERO up to 64, XZERO beyond.
#[allow(
    clippy::cast_possible_truncation,
    reason = "lengths are bounded by the opcode"
)]
fn zeros(out: &mut Vec<u8>, len: usize) {
    if len > ZERO_MAX_LEN {
        let l = len - 1;
        out.push((l >> 8) as u8 | 0x40);
        out.push((l & 0xff) as u8);
    } else {
        out.push((len - 1) as u8);
    }
}

/// Appends XZERO opcodes for `n` zero registers (a new HLL).
pub(super) fn push_zeros(v: &mut Bytes, mut n: usize) {
    let mut out = Vec::new();
    while n > 0 {
        let run = n.min(XZERO_MAX_LEN);
        let l = run - 1;
        #[allow(clippy::cast_possible_truncation, reason = "l < 16384")]
        out.extend_from_slice(&[(l >> 8) as u8 | 0x40, (l & 0xff) as u8]);
        n -= run;
    }
    v.extend_from_slice(&out);
}

/// Raises register `index` to `count` in the sparse value `v` (header included), promoting
/// to dense when Redis would. True when a register grew.
pub(super) fn set(v: &mut Bytes, index: usize, count: u8) -> Result<bool, Bad> {
    if count > VAL_MAX_VALUE {
        return promote(v, index, count);
    }
    let end = v.len();
    let (mut p, mut first, mut prev, mut found) = (HDR, 0usize, None, None);
    while p < end {
        let op = op_at(v, p).ok_or(Bad::Corrupt)?;
        if index < first + op.span() {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.width();
        first += op.span();
    }
    let Some(op) = found else {
        return Err(Bad::Corrupt);
    };
    match op {
        Op::Val(old, _) if old >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => {
            v[p] = val(count, 1);
            merge_window(v, prev.unwrap_or(HDR));
            return Ok(true);
        }
        _ => {}
    }
    let last = first + op.span() - 1;
    let mut seq = Vec::with_capacity(5);
    match op {
        Op::Val(cur, _) => {
            if index != first {
                seq.push(val(cur, index - first));
            }
            seq.push(val(count, 1));
            if index != last {
                seq.push(val(cur, last - index));
            }
        }
        Op::Zero(_) | Op::XZero(_) => {
            if index != first {
                zeros(&mut seq, index - first);
            }
            seq.push(val(count, 1));
            if index != last {
                zeros(&mut seq, last - index);
            }
        }
    }
    let old_len = op.width();
    if seq.len() > old_len && v.len() + seq.len() - old_len > SPARSE_MAX_BYTES {
        return promote(v, index, count);
    }
    let tail = v[p + old_len..].to_vec();
    v.truncate(p);
    v.extend_from_slice(&seq);
    v.extend_from_slice(&tail);
    merge_window(v, prev.unwrap_or(HDR));
    Ok(true)
}

/// Redis's clean-up after a set: from the opcode before the change, up to five opcodes on,
/// adjacent VALs of one value are joined while the run fits (4).
fn merge_window(v: &mut Bytes, mut p: usize) {
    let mut scan = 5;
    while p < v.len() && scan > 0 {
        scan -= 1;
        let b = v[p];
        match b & 0xc0 {
            0x40 => {
                p += 2;
                continue;
            }
            0 => {
                p += 1;
                continue;
            }
            _ => {}
        }
        if let (Some(Op::Val(v1, l1)), Some(Op::Val(v2, l2))) = (op_at(v, p), op_at(v, p + 1)) {
            if v1 == v2 && l1 + l2 <= VAL_MAX_LEN {
                v[p + 1] = val(v1, l1 + l2);
                v.remove(p);
                continue;
            }
        }
        p += 1;
    }
    invalidate(v);
}

/// Converts to dense (Redis copies the header, cached cardinality included), then sets.
fn promote(v: &mut Bytes, index: usize, count: u8) -> Result<bool, Bad> {
    to_dense(v)?;
    dense::set(&mut v[HDR..], index, count);
    Ok(true)
}

/// Every register of a sparse value, in order, as (value, run length).
fn runs(r: &[u8]) -> impl Iterator<Item = Option<(u8, usize)>> + '_ {
    let mut p = 0;
    std::iter::from_fn(move || {
        if p >= r.len() {
            return None;
        }
        let op = op_at(r, p);
        p += op.map_or(1, Op::width);
        Some(op.map(|op| match op {
            Op::Zero(n) | Op::XZero(n) => (0, n),
            Op::Val(v, n) => (v, n),
        }))
    })
}

/// Sparse to dense in place; corrupt runs (past 16384 registers, or short) fail.
pub(super) fn to_dense(v: &mut Bytes) -> Result<(), Bad> {
    if v[4] == DENSE {
        return Ok(());
    }
    let mut out = Bytes::from_slice(&v[..HDR]);
    out[4] = DENSE;
    out.resize(DENSE_SIZE, 0);
    let mut i = 0;
    for run in runs(&v[HDR..]) {
        let (value, n) = run.ok_or(Bad::Corrupt)?;
        if value != 0 {
            if i + n > REGISTERS {
                return Err(Bad::Corrupt);
            }
            for r in i..i + n {
                dense::set(&mut out[HDR..], r, value);
            }
        }
        i += n;
    }
    if i != REGISTERS {
        return Err(Bad::Corrupt);
    }
    *v = out;
    Ok(())
}

/// Merges the sparse registers `r` (after the header) into `max`.
pub(super) fn merge_into(max: &mut [u8; REGISTERS], r: &[u8]) -> Result<(), Bad> {
    let mut i = 0;
    for run in runs(r) {
        let (value, n) = run.ok_or(Bad::Corrupt)?;
        if value != 0 {
            if i + n > REGISTERS {
                return Err(Bad::Corrupt);
            }
            for m in &mut max[i..i + n] {
                *m = (*m).max(value);
            }
        }
        i += n;
    }
    if i == REGISTERS {
        Ok(())
    } else {
        Err(Bad::Corrupt)
    }
}

/// The histogram of register values (Redis's `hllSparseRegHisto`); `None` when the runs do
/// not cover exactly 16384 registers.
pub(super) fn histogram(r: &[u8], histo: &mut [u32; 64]) -> Option<()> {
    let mut i = 0;
    for run in runs(r) {
        let (value, n) = run?;
        histo[usize::from(value)] += u32::try_from(n).unwrap_or(u32::MAX);
        i += n;
    }
    (i == REGISTERS).then_some(())
}
