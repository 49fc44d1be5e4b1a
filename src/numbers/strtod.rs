//! The grammar of C's `strtod`/`strtold` (C locale), which every Redis float parser is
//! built on. Redis always checks that the parse ended at the end of the text, so this reads
//! a whole text or nothing; where the digits become a value is the caller's choice (f64 or
//! long double).

/// C's `isspace` in the C locale. Rust's `is_ascii_whitespace` leaves out `\v`, which
/// `strtod` skips and `string2d` refuses like any other space.
pub(super) fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A text `strtod` reads in full, sorted by how it becomes a value.
#[derive(Debug, PartialEq)]
pub(super) enum Literal<'a> {
    /// `inf` or `infinity` in any case: exact, never a range error.
    Infinity { negative: bool },
    /// Decimal significand and exponent, without the sign, in the grammar that Rust's
    /// `f64::from_str` and apfloat read alike (`1.`, `.5`, `1e+5`).
    Decimal {
        negative: bool,
        text: &'a str,
        nonzero: bool,
    },
    /// C99 hex float after the `0x`: hex digits with an optional point, and the binary
    /// exponent's decimal text (strtod allows leaving it out, apfloat needs one).
    Hex {
        negative: bool,
        digits: &'a str,
        exponent: &'a str,
        nonzero: bool,
    },
}

impl Literal<'_> {
    /// Whether the significand has a non-zero digit: a zero result then means the value
    /// underflowed (strtod's ERANGE), not that it was written as zero.
    pub(super) fn nonzero(&self) -> bool {
        match self {
            Literal::Infinity { .. } => true,
            Literal::Decimal { nonzero, .. } | Literal::Hex { nonzero, .. } => *nonzero,
        }
    }
}

/// Reads `s` as strtod does when the whole text must be consumed. NaN in any spelling
/// (`nan`, `-nan`, `nan(1)`) is `None`: every Redis caller refuses it. Leading spaces are
/// refused too; callers that follow strtod in skipping them do so first.
pub(super) fn scan(s: &[u8]) -> Option<Literal<'_>> {
    let (negative, body) = match s.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, s),
    };
    match body {
        // Without a hex digit after it, strtod reads "0" and stops at the `x`: trailing text.
        [b'0', b'x' | b'X', rest @ ..] => hex(negative, rest),
        [b'i' | b'I', ..] => {
            let inf = body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity");
            inf.then_some(Literal::Infinity { negative })
        }
        _ => decimal(negative, body),
    }
}

/// `digits [. digits] [e [sign] digits]` with at least one significand digit.
fn decimal(negative: bool, body: &[u8]) -> Option<Literal<'_>> {
    let (end, nonzero) = significand(body, u8::is_ascii_digit)?;
    let rest = &body[end..];
    if let [b'e' | b'E', exp @ ..] = rest {
        exponent(exp)?;
    } else if !rest.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    Some(Literal::Decimal {
        negative,
        text,
        nonzero,
    })
}

/// `hexdigits [. hexdigits] [p [sign] digits]` with at least one significand digit.
fn hex(negative: bool, body: &[u8]) -> Option<Literal<'_>> {
    let (end, nonzero) = significand(body, u8::is_ascii_hexdigit)?;
    let (digits, rest) = body.split_at(end);
    let exponent = match rest {
        [] => "0",
        [b'p' | b'P', exp @ ..] => {
            exponent(exp)?;
            std::str::from_utf8(exp).ok()?
        }
        _ => return None,
    };
    Some(Literal::Hex {
        negative,
        digits: std::str::from_utf8(digits).ok()?,
        exponent,
        nonzero,
    })
}

/// The significand's length (digits and at most one point, at least one digit) and whether
/// a digit is non-zero.
fn significand(s: &[u8], digit: impl Fn(&u8) -> bool) -> Option<(usize, bool)> {
    let (mut any, mut nonzero, mut dot) = (false, false, false);
    let mut end = 0;
    for &c in s {
        if digit(&c) {
            any = true;
            nonzero |= c != b'0';
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            break;
        }
        end += 1;
    }
    any.then_some((end, nonzero))
}

/// `[sign] digits` to the end of the text. Without a digit strtod stops before the
/// exponent letter, which is then trailing text.
fn exponent(s: &[u8]) -> Option<()> {
    let digits = match s {
        [b'+' | b'-', rest @ ..] => rest,
        _ => s,
    };
    (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit)).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_reads_decimal_hex_and_infinity_in_full() {
        for ok in [
            "1",
            "-1",
            "+1",
            "1.",
            ".5",
            "1.5e3",
            "1E-3",
            "1e+3",
            "0x10",
            "0X1p4",
            "0x.8",
            "0x1.8P-1",
            "inf",
            "-INF",
            "+Infinity",
            "1e99999999999999999999",
        ] {
            assert!(scan(ok.as_bytes()).is_some(), "{ok:?}");
        }
        for bad in [
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.5.2",
            "0x",
            "0x.",
            "0xg",
            "0x1p",
            "0x1p+",
            "1x",
            "nan",
            "-nan",
            "NaN(1)",
            "infin",
            "infinityy",
            " 1",
            "1 ",
            "1\0",
            "--1",
            "+-1",
            "١",
        ] {
            assert_eq!(scan(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn zero_significands_are_told_apart_from_underflow() {
        assert!(!scan(b"0.000e-400").is_some_and(|l| l.nonzero()));
        assert!(scan(b"0.001e-400").is_some_and(|l| l.nonzero()));
        assert!(!scan(b"0x0.0p-9999").is_some_and(|l| l.nonzero()));
        assert!(scan(b"0x0.a").is_some_and(|l| l.nonzero()));
    }
}
