//! Redis's `string2ll`.

/// Redis's `string2ll`: optional `-`, then digits with no leading zero (`0` alone is fine),
/// nothing else: no `+`, no spaces, no `-0`, and the value must fit in an i64.
pub(crate) fn parse_i64(s: &[u8]) -> Option<i64> {
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

/// `n` in decimal without allocating: the digits are `buf[..len]` (20 bytes hold any i64).
#[allow(
    clippy::cast_possible_truncation,
    reason = "a remainder of 10 is one digit"
)]
pub(crate) fn format_i64(n: i64) -> ([u8; 20], usize) {
    let mut buf = [0u8; 20];
    let mut digits = n.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (digits % 10) as u8;
        digits /= 10;
        if digits == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    let len = buf.len() - at;
    buf.copy_within(at.., 0);
    (buf, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
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
            "-9223372036854775809",
            "abc",
        ] {
            assert_eq!(parse_i64(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn format_i64_writes_every_i64_as_its_decimal_text() {
        for n in [0, 7, -7, 10, -10, 1_234_567_890, i64::MAX, i64::MIN] {
            let (buf, len) = super::format_i64(n);
            assert_eq!(&buf[..len], n.to_string().as_bytes());
        }
    }
}
