//! Doubles: Redis's `string2d` (ZADD scores, weights), the bare `strtod` of score ranges, and
//! `d2string` for printing scores.

use rustc_apfloat::Float;
use rustc_apfloat::ieee::Double;

use super::strtod::{Literal, is_c_space, scan};

/// Redis's `string2d` (ZADD and ZINCRBY scores, WEIGHTS): the whole text as `strtod` reads
/// it, including hex floats (`0x10`, `0x1p-2`) and `inf`/`-inf`, with no leading space, no
/// NaN, and no range error (a finite text that overflows to infinity or underflows to zero).
pub(crate) fn parse_double(s: &[u8]) -> Option<f64> {
    if let Some(v) = quick(s) {
        return Some(v);
    }
    let literal = scan(s)?;
    let v = to_f64(&literal)?;
    let range_error = (v.is_infinite() && !matches!(literal, Literal::Infinity { .. }))
        || (v == 0.0 && literal.nonzero());
    (!range_error).then_some(v)
}

/// One end of a score range as `zslParseRange` reads it (after any `(`): a bare `strtod`
/// whose end must be the text's terminating NUL. So leading spaces are skipped, overflow
/// gives ±inf and underflow 0 without complaint, the text counts only up to an embedded
/// NUL, and an empty text reads as 0 (while one of spaces alone is refused, since strtod
/// then points back at its start).
pub(crate) fn parse_range_bound(s: &[u8]) -> Option<f64> {
    let text = s.split(|&c| c == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Some(0.0);
    }
    if let Some(v) = quick(text) {
        return Some(v);
    }
    let start = text.iter().position(|&c| !is_c_space(c))?;
    to_f64(&scan(&text[start..])?)
}

/// SORT's score parse (Redis's bare `strtod` then its checks): leading spaces are skipped,
/// the text counts up to an embedded NUL, an empty text reads as 0, and NaN or a range error
/// (a finite text that overflows or underflows) is refused.
pub(crate) fn parse_sort_score(s: &[u8]) -> Option<f64> {
    let text = s.split(|&c| c == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Some(0.0);
    }
    if let Some(v) = quick(text) {
        return Some(v);
    }
    let start = text.iter().position(|&c| !is_c_space(c))?;
    let literal = scan(&text[start..])?;
    let v = to_f64(&literal)?;
    let range_error = (v.is_infinite() && !matches!(literal, Literal::Infinity { .. }))
        || (v == 0.0 && literal.nonzero());
    (!range_error).then_some(v)
}

/// The common case without the scanner: a decimal that reads as a finite, non-zero value.
/// Rust's `f64::from_str` reads exactly strtod's decimal grammar (when all of the text must
/// be read), so only hex floats, infinities, zeros (range error or not) and refusals need
/// the full rules.
fn quick(s: &[u8]) -> Option<f64> {
    let v: f64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    (v.is_finite() && v != 0.0).then_some(v)
}

/// The value strtod gives: correctly rounded, ±inf on overflow, 0 on underflow.
fn to_f64(literal: &Literal) -> Option<f64> {
    let (negative, v) = match *literal {
        Literal::Infinity { negative } => (negative, f64::INFINITY),
        Literal::Decimal { negative, text, .. } => (negative, text.parse().ok()?),
        Literal::Hex {
            negative,
            digits,
            exponent,
            ..
        } => {
            let text = format!("0x{digits}p{exponent}");
            let parsed = Double::from_str_r(&text, rustc_apfloat::Round::NearestTiesToEven).ok()?;
            let bits = u64::try_from(parsed.value.to_bits()).ok()?;
            (negative, f64::from_bits(bits))
        }
    };
    Some(if negative { -v } else { v })
}

/// Formats a double as Redis 7.2+ replies it (ZSCORE, ZINCRBY, ...), following `d2string`:
/// `nan`/`inf`/`-inf`, `0`/`-0`, integral values up to 2^62 as integers, and otherwise the
/// shortest round-trip digits laid out as fpconv's `emit_digits` does.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "double2ll's range check: |v| <= i64::MAX/2 and integral, so `v as i64` is exact"
)]
pub(crate) fn format_double(v: f64) -> String {
    const HALF: f64 = (i64::MAX / 2) as f64;
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // double2ll: |v| <= LLONG_MAX/2 and integral prints through the integer path.
    if (-HALF..=HALF).contains(&v) && v.fract() == 0.0 {
        return format!("{}", v as i64);
    }
    let sci = format!("{:e}", v.abs()); // shortest digits: "d.ddde<x>"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp10: i32 = exp.parse().unwrap_or(0);
    let sign = if v < 0.0 { "-" } else { "" };
    format!("{sign}{}", emit_digits(&digits, exp10, v < 0.0))
}

/// fpconv's layout of `digits` × 10^K where `exp10` is the scientific exponent
/// (K + ndigits - 1): plain integer, plain decimal, or `d.ddde±x`.
fn emit_digits(digits: &str, exp10: i32, neg: bool) -> String {
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let k = exp10 - nd + 1;
    let exp = exp10.abs();
    if k >= 0 && exp < nd + 7 {
        return format!("{digits}{}", "0".repeat(k.unsigned_abs() as usize));
    }
    if k < 0 && (k > -7 || exp < 4) {
        let offset = nd + k;
        if offset <= 0 {
            return format!("0.{}{digits}", "0".repeat(offset.unsigned_abs() as usize));
        }
        let (int, frac) = digits.split_at(offset.unsigned_abs() as usize);
        return format!("{int}.{frac}");
    }
    let keep = digits.len().min(if neg { 17 } else { 18 });
    let (first, rest) = digits[..keep].split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    let esign = if exp10 < 0 { '-' } else { '+' };
    format!("{first}{dot}{rest}e{esign}{exp}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<f64> {
        parse_double(s.as_bytes())
    }

    #[test]
    fn scores_follow_string2d() {
        assert_eq!(d("1.5"), Some(1.5));
        assert_eq!(d("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(d("+Infinity"), Some(f64::INFINITY));
        assert_eq!(d("5.0e3"), Some(5000.0));
        assert_eq!(d("0x10"), Some(16.0));
        assert_eq!(d("0x1p4"), Some(16.0));
        assert_eq!(d("-0x.8"), Some(-0.5));
        assert_eq!(d("0x1.fffffffffffff8p1023"), None, "rounds up past DBL_MAX");
        assert_eq!(d("0x1p-1074"), Some(f64::from_bits(1)));
        assert_eq!(
            d("1e-310"),
            Some(1e-310),
            "a subnormal is not a range error"
        );
        assert_eq!(d("0e-400"), Some(0.0), "written as zero: no underflow");
        assert!(d("-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
        for bad in [
            "",
            " 1",
            "\x0b1",
            "1 ",
            "nan",
            "1e400",
            "-1e400",
            "1e-400",
            "0x1p-1080",
            "0x1p1024",
            "abc",
            "1\0",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn range_bounds_follow_bare_strtod() {
        let b = |s: &str| parse_range_bound(s.as_bytes());
        assert_eq!(b(""), Some(0.0));
        assert_eq!(b(" 1"), Some(1.0));
        assert_eq!(b("\x0b1"), Some(1.0));
        assert_eq!(b("1e400"), Some(f64::INFINITY));
        assert_eq!(b("-1e400"), Some(f64::NEG_INFINITY));
        assert_eq!(b("1e-400"), Some(0.0));
        assert_eq!(b("0x20"), Some(32.0));
        assert_eq!(b("2\0junk"), Some(2.0), "strtod stops at the NUL");
        for bad in [" ", "1 ", "nan", "(1", "0x", "x"] {
            assert_eq!(b(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn doubles_print_as_d2string() {
        assert_eq!(format_double(10.0), "10");
        assert_eq!(format_double(1.1), "1.1");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(-0.0), "-0");
    }
}
