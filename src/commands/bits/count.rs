//! BITCOUNT and BITPOS: ranges in bytes or (Redis 7) bits, with Redis's clamping.

use super::read;
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::parse::{self, is};
use crate::error::msg;
use crate::reply::Reply;

/// A byte range clamped to the string, with masks for the bits of the edge bytes that lie
/// outside a BIT range (Redis's `first_byte_neg_mask` / `last_byte_neg_mask`).
struct Span {
    start: i64,
    end: i64,
    first_out: u8,
    last_out: u8,
}

/// `BYTE` or `BIT` (absent: bytes).
fn unit(arg: Option<&&[u8]>) -> Res<bool> {
    match arg {
        None => Ok(false),
        Some(a) if is(a, "BIT") => Ok(true),
        Some(a) if is(a, "BYTE") => Ok(false),
        Some(_) => err(msg::SYNTAX),
    }
}

/// Redis's range clamping for a string of `len` bytes.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the masks are computed from the low 3 bits of a non-negative offset"
)]
fn clamp(len: i64, mut start: i64, mut end: i64, bits: bool) -> Span {
    let total = if bits { len << 3 } else { len };
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0).min(total - 1);
    let (mut first_out, mut last_out) = (0, 0);
    if bits && start <= end {
        first_out = !((1u16 << (8 - (start & 7))) - 1) as u8;
        last_out = ((1u16 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    Span {
        start,
        end,
        first_out,
        last_out,
    }
}

fn len_i64(s: &[u8]) -> i64 {
    i64::try_from(s.len()).unwrap_or(i64::MAX)
}

/// Counts set bits. Per 64-bit word the bits are summed into byte lanes (SWAR), and the
/// lanes are added across 31 words at a time (31 × 8 stays below 256) before one
/// horizontal sum: a loop the compiler vectorizes on baseline x86-64 (no `popcnt`), several
/// times faster than a `count_ones` per word there.
pub(crate) fn popcount(bytes: &[u8]) -> u64 {
    const M1: u64 = 0x5555_5555_5555_5555;
    const M2: u64 = 0x3333_3333_3333_3333;
    const M4: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const BLOCK: usize = 8 * 31;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut total = 0u64;
    for block in &mut blocks {
        let mut lanes = 0u64;
        for w in block.chunks_exact(8) {
            let mut x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            x -= (x >> 1) & M1;
            x = (x & M2) + ((x >> 2) & M2);
            lanes += (x + (x >> 4)) & M4;
        }
        // Byte lanes (each at most 248) into 16-bit lanes, then their sum into the top 16.
        let pairs = (lanes & 0x00ff_00ff_00ff_00ff) + ((lanes >> 8) & 0x00ff_00ff_00ff_00ff);
        total += pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48;
    }
    total
        + blocks
            .remainder()
            .iter()
            .map(|b| u64::from(b.count_ones()))
            .sum::<u64>()
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "start <= end are clamped into the string here"
)]
pub(super) fn bitcount(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let Some(s) = read(ctx, a[1])? else {
        return Ok(Reply::Integer(0));
    };
    let span = match a.len() {
        2 => Span {
            start: 0,
            end: len_i64(s) - 1,
            first_out: 0,
            last_out: 0,
        },
        4 | 5 => {
            let start = parse::int(a[2])?;
            let end = parse::int(a[3])?;
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Integer(0));
            }
            clamp(len_i64(s), start, end, unit(a.get(4))?)
        }
        _ => return err(msg::SYNTAX),
    };
    if span.start > span.end {
        return Ok(Reply::Integer(0));
    }
    let (start, end) = (span.start as usize, span.end as usize);
    let mut n = popcount(&s[start..=end]);
    n -= u64::from((s[start] & span.first_out).count_ones());
    n -= u64::from((s[end] & span.last_out).count_ones());
    Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)))
}

pub(super) fn bitpos(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let bit = match parse::int(a[2])? {
        b @ (0 | 1) => b == 1,
        _ => return err("ERR The bit argument must be 1 or 0."),
    };
    let Some(s) = read(ctx, a[1])? else {
        return Ok(Reply::Integer(if bit { -1 } else { 0 }));
    };
    let len = len_i64(s);
    let (span, end_given) = match a.len() {
        3 => (clamp(len, 0, len - 1, false), false),
        4..=6 => {
            let start = parse::int(a[3])?;
            let bits = unit(a.get(5))?;
            let end = match a.get(4) {
                Some(e) => parse::int(e)?,
                None if bits => (len << 3) + 7,
                None => len - 1,
            };
            (clamp(len, start, end, bits), a.len() >= 5)
        }
        _ => return err(msg::SYNTAX),
    };
    Ok(Reply::Integer(find(s, &span, bit, end_given)))
}

/// BITPOS inside a clamped span: bits of the edge bytes outside a BIT range read as the
/// opposite of the bit searched, so they never match. Past the end, a clear bit is found
/// just after the string (it reads as zero-padded) unless the range's end was given.
#[allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation,
    reason = "start <= end are clamped into the string"
)]
fn find(s: &[u8], span: &Span, bit: bool, end_given: bool) -> i64 {
    if span.start > span.end {
        return -1;
    }
    let range = &s[span.start as usize..=span.end as usize];
    let last = range.len() - 1;
    let hit = range.iter().enumerate().find_map(|(i, &b)| {
        let mut out = 0;
        if i == 0 {
            out |= span.first_out;
        }
        if i == last {
            out |= span.last_out;
        }
        let b = if bit { b & !out } else { !(b | out) };
        (b != 0).then(|| len_i64(&range[..i]) * 8 + i64::from(b.leading_zeros()))
    });
    match hit {
        Some(pos) => pos + (span.start << 3),
        None if bit || end_given => -1,
        None => len_i64(range) * 8 + (span.start << 3),
    }
}

#[cfg(test)]
mod tests {
    use super::popcount;

    #[test]
    fn popcount_matches_a_bit_by_bit_count() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let bytes: Vec<u8> = (0..5000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed.to_le_bytes()[3]
            })
            .collect();
        for len in [0, 1, 7, 8, 247, 248, 249, 500, 4999, 5000] {
            let naive: u64 = bytes[..len].iter().map(|b| u64::from(b.count_ones())).sum();
            assert_eq!(popcount(&bytes[..len]), naive, "{len}");
        }
        assert_eq!(popcount(&[0xff; 10_000]), 80_000);
    }
}
