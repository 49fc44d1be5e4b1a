//! Redis's argument parsing and number formatting rules, exactly.

use super::ctx::{Res, err};
use crate::error::msg;

/// Redis's `string2ll`: optional `-`, then digits with no leading zero (`0` alone is fine),
/// nothing else: no `+`, no spaces, no `-0`, must fit in i64.
pub(crate) fn int(s: &[u8]) -> Res<i64> {
    parse_int(s).map_or_else(|| err(msg::NOT_INT), Ok)
}

fn parse_int(s: &[u8]) -> Option<i64> {
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 19 || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// Redis's `getPositiveLongFromObjectOrReply` with no custom text: a non-integer and a
/// negative value both get "must be positive" (LPOP/RPOP/SPOP counts).
pub(crate) fn count(s: &[u8]) -> Res<usize> {
    count_or(s, msg::NOT_POSITIVE)
}

/// `getPositiveLongFromObjectOrReply` with a custom text (LPOS's `COUNT can't be negative`).
pub(crate) fn count_or(s: &[u8], text: &'static str) -> Res<usize> {
    let n = int_in(s, 0, i64::MAX, Some(text))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Redis's `getRangeLongFromObjectOrReply`: with a text, that text is the reply for a
/// non-integer and for a value outside `min..=max`; without one, the generic texts.
pub(crate) fn int_in(s: &[u8], min: i64, max: i64, text: Option<&'static str>) -> Res<i64> {
    match (parse_int(s), text) {
        (Some(n), _) if (min..=max).contains(&n) => Ok(n),
        (_, Some(t)) => err(t),
        (None, None) => err(msg::NOT_INT),
        (Some(_), None) => err(format!(
            "ERR value is out of range, value must between {min} and {max}"
        )),
    }
}

/// Redis's `getIntFromObjectOrReply`: an integer that fits in a C `int`. With `msg`, both
/// failures reply `text` (a caller's own wording); without, the usual texts.
pub(crate) fn int32(s: &[u8], text: Option<&'static str>) -> Res<i32> {
    let n = match (parse_int(s), text) {
        (Some(n), _) => n,
        (None, Some(m)) => return err(m),
        (None, None) => return err(msg::NOT_INT),
    };
    match (i32::try_from(n), text) {
        (Ok(n), _) => Ok(n),
        (Err(_), Some(m)) => err(m),
        (Err(_), None) => err(msg::INT32_RANGE),
    }
}

/// Redis's `string2d` acceptance (ZADD scores, ...): what `strtod` parses in full, no
/// leading space, no NaN, no overflow to infinity or underflow to zero. `inf`/`-inf` are
/// accepted.
pub(crate) fn float(s: &[u8]) -> Res<f64> {
    parse_float(s).map_or_else(|| err(msg::NOT_FLOAT), Ok)
}

pub(crate) fn parse_float(s: &[u8]) -> Option<f64> {
    let (v, underflow) = strtod(s)?;
    (!underflow).then_some(v)
}

/// Redis's `string2ld` (INCRBYFLOAT): a long double. Its text must be under 5120 bytes
/// (`MAX_LONG_DOUBLE_CHARS`), and values too small for an f64 are fine (a long double holds
/// them), so they read as the nearest f64 instead of failing.
pub(crate) fn long_double(s: &[u8]) -> Res<f64> {
    match strtod(s) {
        Some((v, _)) if s.len() < 5 * 1024 => Ok(v),
        _ => err(msg::NOT_FLOAT),
    }
}

/// The full-text parse shared by both: the value, and whether it underflowed to zero.
fn strtod(s: &[u8]) -> Option<(f64, bool)> {
    let text = std::str::from_utf8(s).ok()?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    let body = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
    let literal_inf = body == "inf" || body == "infinity";
    if v.is_infinite() && !literal_inf {
        return None; // overflow (strtod sets ERANGE)
    }
    let mantissa = body.split('e').next().unwrap_or("");
    let underflow = v == 0.0 && mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c));
    Some((v, underflow))
}

/// Formats a double as Redis 7.2+ replies it (ZSCORE, ZINCRBY, ...), following `d2string`:
/// `nan`/`inf`/`-inf`, `0`/`-0`, integral values up to 2^62 as integers, and otherwise the
/// shortest round-trip digits laid out as fpconv's `emit_digits` does.
pub(crate) fn format_double(v: f64) -> String {
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
    const HALF: f64 = (i64::MAX / 2) as f64;
    if (-HALF..=HALF).contains(&v) && v == v.trunc() {
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
    let nd = digits.len() as i32;
    let k = exp10 - nd + 1;
    let exp = exp10.abs();
    if k >= 0 && exp < nd + 7 {
        return format!("{digits}{}", "0".repeat(k as usize));
    }
    if k < 0 && (k > -7 || exp < 4) {
        let offset = nd + k;
        if offset <= 0 {
            return format!("0.{}{digits}", "0".repeat((-offset) as usize));
        }
        let (int, frac) = digits.split_at(offset as usize);
        return format!("{int}.{frac}");
    }
    let keep = digits.len().min(if neg { 17 } else { 18 });
    let (first, rest) = digits[..keep].split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    let esign = if exp10 < 0 { '-' } else { '+' };
    format!("{first}{dot}{rest}e{esign}{exp}")
}

/// INCRBYFLOAT's output for `sum`, the result of adding numbers no larger than `largest`
/// in magnitude. Redis adds in long double and prints `%.17Lf` with trailing zeros trimmed:
/// never an exponent, at most 17 decimals, no `-0`. Its long double carries ~19 significant
/// digits, so the 17 decimals of a sum like 0.1 + 0.2 show `0.3`. An f64 carries 15 exact
/// digits (DBL_DIG), counted from the largest operand (the rounding error of a sum scales
/// with it, which matters when x + -x leaves noise), so we print those, within 17 decimals.
pub(crate) fn format_incr_float(sum: f64, largest: f64) -> String {
    let scale = sum.abs().max(largest.abs());
    let magnitude = if scale == 0.0 {
        1
    } else {
        scale.log10().floor() as i32 + 1
    };
    let decimals = (15 - magnitude).clamp(0, 17) as usize;
    let fixed = format!("{sum:.decimals$}");
    let trimmed = if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.')
    } else {
        &fixed
    };
    match trimmed {
        "-0" => "0".into(),
        t => t.into(),
    }
}

/// A SET / GETEX / SETEX expiry: `raw` seconds (or ms), relative (or absolute), must be > 0.
/// Returns the absolute deadline in Unix ms, or Redis's "invalid expire time" error.
pub(crate) fn positive_deadline(
    raw: &[u8],
    seconds: bool,
    absolute: bool,
    now: u64,
    cmd: &str,
) -> Res<u64> {
    let n = int(raw)?;
    let bad = || err(msg::expire_time(cmd));
    if n <= 0 {
        return bad();
    }
    let ms = if seconds {
        n.checked_mul(1000)
    } else {
        Some(n)
    };
    let Some(ms) = ms else { return bad() };
    let at = if absolute {
        Some(ms)
    } else {
        ms.checked_add(now as i64)
    };
    at.map_or_else(bad, |at| Ok(at as u64))
}

/// Case-insensitive comparison with an ASCII keyword.
pub(crate) fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_integers() {
        assert_eq!(parse_int(b"0"), Some(0));
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int(b"9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "-",
            "+1",
            " 1",
            "1 ",
            "01",
            "-0",
            "1.5",
            "9223372036854775808",
            "abc",
        ] {
            assert_eq!(parse_int(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn floats_follow_strtold() {
        assert_eq!(parse_float(b"1.5"), Some(1.5));
        assert_eq!(parse_float(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_float(b"5.0e3"), Some(5000.0));
        for bad in ["", " 1", "1 ", "nan", "1e400", "1e-400", "abc"] {
            assert_eq!(parse_float(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn double_and_incrbyfloat_formats() {
        assert_eq!(format_double(10.0), "10");
        assert_eq!(format_double(1.1), "1.1");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_incr_float(10.5 + 0.1, 0.0), "10.6");
        assert_eq!(format_incr_float(5200.0, 0.0), "5200");
        assert_eq!(format_incr_float(-0.0, 0.0), "0");
        assert_eq!(format_incr_float(1e-20, 0.0), "0");
        assert_eq!(format_incr_float(0.1 + 0.2, 0.0), "0.3");
        assert_eq!(format_incr_float(1.0 - 1.1, 1.1), "-0.1");
        let x = 1.0 / 41.0;
        assert_eq!(format_incr_float(0.024390243902439 - x, x), "0");
        assert_eq!(format_incr_float(17179869184.0 + 1.5, 0.0), "17179869185.5");
        assert_eq!(format_incr_float(1.5e-10, 0.0), "0.00000000015");
        assert_eq!(format_incr_float(1e20, 0.0), "100000000000000000000");
    }
}
