#![allow(
    clippy::float_cmp,
    reason = "Redis's series stop when a term no longer changes the sum: exact equality is the rule"
)]
//! Redis 7's cardinality estimator (`hllCount`): Ertl's improved estimator over the
//! histogram of register values, with the same floating-point steps so the rounded result
//! is Redis's.

use super::{Bad, HDR, Q, REGISTERS, dense, is_dense, sparse};

/// Registers to count: a stored value, or merged registers one byte each (PFCOUNT of many
/// keys, Redis's internal `HLL_RAW`).
pub(crate) enum Registers<'a> {
    Stored(&'a [u8]),
    Raw(&'a [u8; REGISTERS]),
}

/// 0.5 / ln 2.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if prev == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if prev == z {
            return z / 3.0;
        }
    }
}

/// The estimated cardinality; a sparse value whose runs do not cover every register is
/// corrupt.
pub(crate) fn count(regs: &Registers<'_>) -> Result<u64, Bad> {
    let mut histo = [0u32; 64];
    match regs {
        Registers::Raw(max) => max.iter().for_each(|&r| histo[usize::from(r & 63)] += 1),
        Registers::Stored(v) if is_dense(v) => dense::histogram(&v[HDR..], &mut histo),
        Registers::Stored(v) => sparse::histogram(&v[HDR..], &mut histo).ok_or(Bad::Corrupt)?,
    }
    let m = 16384.0_f64;
    let mut z = m * tau((m - f64::from(histo[Q as usize + 1])) / m);
    for j in (1..=Q as usize).rev() {
        z += f64::from(histo[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histo[0]) / m);
    let e = (ALPHA_INF * m * m / z).round();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive estimate far below 2^64, as Redis casts it"
    )]
    Ok(e as u64)
}
