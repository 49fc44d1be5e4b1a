//! C's `long double` as Redis builds it on x86-64 (INCRBYFLOAT, HINCRBYFLOAT): the 80-bit
//! x87 format with a 64-bit significand, emulated exactly (`rustc_apfloat`, LLVM's soft
//! float), so sums and their printed digits are Redis's, not an f64 approximation of them.

use std::fmt::Write as _;

use rustc_apfloat::ieee::X87DoubleExtended as X87;
use rustc_apfloat::{Float, Round};

use super::strtod::{Literal, is_c_space, scan};

/// `MAX_LONG_DOUBLE_CHARS`: `string2ld` copies the text into a buffer of this size and
/// refuses texts that do not fit with their NUL.
const MAX_CHARS: usize = 5 * 1024;
/// The x87 exponent bias, and the bit position of the significand's explicit integer bit.
const BIAS: i32 = 16383;
const SIG_BITS: i32 = 63;
/// `%.17Lf`: INCRBYFLOAT prints 17 decimals, then trims trailing zeros.
const DECIMALS: usize = 17;

/// An x86-64 C `long double`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LongDouble(X87);

impl LongDouble {
    /// What a missing key or field counts as.
    pub(crate) const ZERO: LongDouble = LongDouble(X87::ZERO);

    /// Redis's `string2ld`: the whole text as `strtold` reads it (hex floats and `inf`
    /// included), shorter than 5120 bytes, no leading space, no NaN, and no range error,
    /// which for a long double means beyond about 1.19e4932 or below about 3.6e-4951 (so
    /// `1e400` and `1e-400`, out of range for a double, are fine here).
    pub(crate) fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.len() >= MAX_CHARS || s.first().is_some_and(|&c| is_c_space(c)) {
            return None;
        }
        let literal = scan(s)?;
        let (negative, v) = match literal {
            Literal::Infinity { negative } => (negative, X87::INFINITY),
            Literal::Decimal { negative, text, .. } => (
                negative,
                short_decimal(text).map_or_else(|| read(text), Some)?,
            ),
            Literal::Hex {
                negative,
                digits,
                exponent,
                ..
            } => (negative, read(&format!("0x{digits}p{exponent}"))?),
        };
        let overflow = v.is_infinite() && !matches!(literal, Literal::Infinity { .. });
        if overflow || (v.is_zero() && literal.nonzero()) {
            return None;
        }
        Some(LongDouble(if negative { -v } else { v }))
    }

    /// `a + b` rounded as the x87 unit does by default (to nearest, ties to even, 64 bits).
    pub(crate) fn add(self, other: LongDouble) -> LongDouble {
        LongDouble(self.0.add_r(other.0, Round::NearestTiesToEven).value)
    }

    /// `(long long) ceill(x * 1000.0)` as x86-64 computes it (Redis's timeouts in seconds,
    /// `getTimeoutFromObjectOrReply`): a value a `long long` cannot hold, infinity included,
    /// converts to the x87 "integer indefinite", the most negative `long long`.
    pub(crate) fn ceil_thousandths(self) -> i64 {
        let thousand = X87::from_u128(1000).value;
        let ms = self
            .0
            .mul_r(thousand, Round::NearestTiesToEven)
            .value
            .round_to_integral(Round::TowardPositive)
            .value;
        let r = ms.to_i128(64);
        if r.status.contains(rustc_apfloat::Status::INVALID_OP) {
            return i64::MIN;
        }
        i64::try_from(r.value).unwrap_or(i64::MIN)
    }

    /// Neither infinite nor NaN (C's `!isnan(x) && !isinf(x)`).
    pub(crate) fn is_finite(self) -> bool {
        self.0.is_finite()
    }

    /// Redis's `ld2string(.., LD_STR_HUMAN)`: `%.17Lf` with trailing zeros (and a bare
    /// point) trimmed and `-0` shown as `0`; `inf`/`-inf` for infinities. Never an exponent,
    /// so 1e400 prints all 401 of its digits, as Redis does.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "`bits as u64` keeps the low 64 bits on purpose: the significand"
    )]
    pub(crate) fn to_human(self) -> String {
        if self.0.is_nan() {
            return "nan".into();
        }
        let neg = self.0.is_negative();
        if self.0.is_infinite() {
            return if neg { "-inf" } else { "inf" }.into();
        }
        let bits = self.0.to_bits();
        let sig = bits as u64; // the low 64 bits: the significand, integer bit included
        let biased = ((bits >> 64) & 0x7fff) as i32;
        // Subnormals share the smallest normal exponent (their integer bit is 0).
        let exp2 = biased.max(1) - BIAS - SIG_BITS;
        let mut text = String::from(if neg { "-" } else { "" });
        text.push_str(&fixed_digits(sig, exp2));
        trim_fraction(text)
    }
}

/// The usual increment without apfloat's big-number parse: at most 19 significant digits
/// `m` and a decimal exponent `e` with `m × 10^e` an integer below 2^64 (exact in a long
/// double) or `m / 10^k` for `k <= 19`, where both are exact long doubles and one
/// correctly rounded division gives the correctly rounded value, as strtold does.
fn short_decimal(text: &str) -> Option<X87> {
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = int.bytes().chain(frac.bytes()).skip_while(|&c| c == b'0');
    let mut m: u64 = 0;
    let mut count = 0;
    for c in digits {
        count += 1;
        if count > 19 {
            return None;
        }
        m = m * 10 + u64::from(c - b'0');
    }
    let e = exp.checked_sub(i32::try_from(frac.len()).ok()?)?;
    let exact = |n: u64| X87::from_u128(u128::from(n)).value;
    if e >= 0 {
        let scaled = 10u64.checked_pow(e.unsigned_abs())?.checked_mul(m)?;
        return Some(exact(scaled));
    }
    let divisor = 10u64.checked_pow(e.unsigned_abs())?;
    Some(
        exact(m)
            .div_r(exact(divisor), Round::NearestTiesToEven)
            .value,
    )
}

/// A decimal or hex text (no sign) in apfloat's grammar, rounded to nearest.
fn read(text: &str) -> Option<X87> {
    Some(X87::from_str_r(text, Round::NearestTiesToEven).ok()?.value)
}

/// `sig × 2^exp2` printed with exactly 17 decimals, rounded half to even on the exact
/// binary value (glibc's printf in the default rounding mode).
#[allow(clippy::cast_possible_truncation, reason = "DECIMALS is 17")]
fn fixed_digits(sig: u64, exp2: i32) -> String {
    if exp2 >= 0 {
        // An integer: no fraction to round.
        let mut out = decimal(&shifted_left(sig, exp2.unsigned_abs()));
        out.push('.');
        out.push_str(&"0".repeat(DECIMALS));
        return out;
    }
    // sig × 10^17 < 2^121 fits in a u128; dividing by 2^-exp2 is a shift with rounding.
    let scaled = u128::from(sig) * 10u128.pow(DECIMALS as u32);
    let shift = exp2.unsigned_abs();
    let q = if shift >= 128 {
        0 // below a quarter of the last decimal place: rounds to zero
    } else {
        let q = scaled >> shift;
        let rem = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        q + u128::from(rem > half || (rem == half && q & 1 == 1))
    };
    let digits = format!("{q:0>width$}", width = DECIMALS + 1);
    let (int, frac) = digits.split_at(digits.len() - DECIMALS);
    format!("{int}.{frac}")
}

/// `%.17Lf`'s trailing zeros go, then a bare point, and `-0` becomes `0`.
fn trim_fraction(mut text: String) -> String {
    let keep = text.trim_end_matches('0').trim_end_matches('.').len();
    text.truncate(keep);
    if text == "-0" { "0".into() } else { text }
}

/// `v << shift` as little-endian 32-bit limbs (up to 16,384 bits for a long double).
fn shifted_left(v: u64, shift: u32) -> Vec<u32> {
    let mut limbs = vec![0u32; (shift / 32) as usize];
    let wide = u128::from(v) << (shift % 32);
    let mut rest = wide;
    while rest != 0 {
        limbs.push((rest & 0xffff_ffff) as u32);
        rest >>= 32;
    }
    limbs
}

/// The decimal digits of a little-endian limb number, by repeated division by 10^9.
fn decimal(limbs: &[u32]) -> String {
    const CHUNK: u64 = 1_000_000_000;
    let mut n: Vec<u32> = limbs.to_vec();
    let mut chunks = Vec::new();
    while n.iter().any(|&l| l != 0) {
        let mut rem = 0u64;
        for limb in n.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            // cur < CHUNK << 32, so the quotient fits in 32 bits.
            *limb = u32::try_from(cur / CHUNK).unwrap_or(u32::MAX);
            rem = cur % CHUNK;
        }
        while n.last() == Some(&0) {
            n.pop();
        }
        chunks.push(rem);
    }
    let mut out = chunks
        .pop()
        .map_or_else(|| "0".to_string(), |c| c.to_string());
    for c in chunks.iter().rev() {
        let _ = write!(out, "{c:09}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human(s: &str) -> Option<String> {
        LongDouble::parse(s.as_bytes()).map(LongDouble::to_human)
    }

    fn sum(a: &str, b: &str) -> String {
        let (a, b) = (
            LongDouble::parse(a.as_bytes()),
            LongDouble::parse(b.as_bytes()),
        );
        a.zip(b)
            .map(|(a, b)| a.add(b).to_human())
            .unwrap_or_default()
    }

    #[test]
    fn long_doubles_follow_string2ld() {
        assert_eq!(human("0x10").as_deref(), Some("16"));
        assert_eq!(human("1e-400").as_deref(), Some("0"));
        assert_eq!(
            human("1e-4940").as_deref(),
            Some("0"),
            "subnormal, not a range error"
        );
        assert_eq!(human("-inf").as_deref(), Some("-inf"));
        let big = human("1e400").unwrap_or_default();
        assert_eq!(big.len(), 401);
        assert!(big.starts_with("100000000000000000002818806839475865145864"));
        for bad in ["", " 1", "1 ", "nan", "1e5000", "1e-5000", "0x1p-16446"] {
            assert!(human(bad).is_none(), "{bad:?}");
        }
        let long = |n: usize| format!("0.{}", "1".repeat(n - 2));
        assert_eq!(human(&long(5119)).as_deref(), Some("0.11111111111111111"));
        assert!(human(&long(5120)).is_none(), "MAX_LONG_DOUBLE_CHARS");
    }

    #[test]
    fn short_decimals_round_as_the_full_parser_does() {
        let texts = [
            "0.1",
            "0.3",
            "1.1",
            "2.2",
            "12345.678",
            "9999999999999999999",
            "0.0000000000000000001",
            "1e19",
            "18446744073709551615",
            "1.5e-10",
            "123e-5",
            "0.00",
            "7",
            "3.14159265358979323",
        ];
        for t in texts {
            let full = read(t).map(rustc_apfloat::Float::to_bits);
            let short = short_decimal(t).map(rustc_apfloat::Float::to_bits);
            assert!(
                short.is_none() || short == full,
                "{t}: {short:?} vs {full:?}"
            );
        }
        assert!(short_decimal("0.1").is_some() && short_decimal("1e19").is_some());
        assert!(
            short_decimal("12345678901234567890").is_none(),
            "20 digits: the full parser"
        );
    }

    #[test]
    fn long_double_sums_print_as_ld2string_human() {
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("10.5", "0.1"), "10.6");
        assert_eq!(sum("1", "-1.1"), "-0.1");
        assert_eq!(sum("0.333333333333333333333", "0"), "0.33333333333333333");
        assert_eq!(sum("5.0e3", "200"), "5200");
        assert_eq!(sum("-1e-20", "0"), "0", "no -0");
        assert_eq!(sum("1.5e-10", "0"), "0.00000000015");
        assert_eq!(sum("1e20", "0"), "100000000000000000000");
        assert_eq!(sum("17179869184", "1.5"), "17179869185.5");
    }
}
