//! Command arguments as Redis reads them: integers, counts and ranges with each command's
//! error texts, floats, expiry times, keywords. The number rules themselves live in
//! [`crate::numbers`].

use super::ctx::{Res, err};
use crate::error::msg;
use crate::numbers::{self, LongDouble, parse_i64 as parse_int};

/// Redis's `string2ll` (see `numbers::parse_i64`), or `ERR value is not an integer or out
/// of range`.
pub(crate) fn int(s: &[u8]) -> Res<i64> {
    parse_int(s).map_or_else(|| err(msg::NOT_INT), Ok)
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

/// Redis's `getDoubleFromObjectOrReply` (ZADD scores, ...): `string2d`, or
/// `ERR value is not a valid float`.
pub(crate) fn float(s: &[u8]) -> Res<f64> {
    numbers::parse_double(s).map_or_else(|| err(msg::NOT_FLOAT), Ok)
}

/// Redis's `getLongDoubleFromObjectOrReply` (INCRBYFLOAT, HINCRBYFLOAT): `string2ld`, or
/// `ERR value is not a valid float`.
pub(crate) fn long_double(s: &[u8]) -> Res<LongDouble> {
    LongDouble::parse(s).map_or_else(|| err(msg::NOT_FLOAT), Ok)
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
        ms.checked_add(signed_ms(now))
    };
    at.and_then(|at| u64::try_from(at).ok())
        .map_or_else(bad, Ok)
}

/// A time in Unix ms as an `i64`, for arithmetic with signed arguments. Saturating changes
/// nothing real: `i64::MAX` ms is 292 million years away.
pub(crate) fn signed_ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Case-insensitive comparison with an ASCII keyword.
pub(crate) fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}
