//! `cjson`'s settings functions, as lua-cjson 2.1 has them: `encode_sparse_array`,
//! `encode_max_depth`, `decode_max_depth`, `encode_number_precision`, `encode_keep_buffer`,
//! `encode_invalid_numbers`, `decode_invalid_numbers` (each returns the setting, and
//! changes it when given a value).
//!
//! In Redis a setting lasts until the server restarts, for every later script. Here it
//! lasts for the rest of the run that made it: scripts keep no state between runs (and
//! each thread has its own Lua state, so a lasting setting would depend on the thread).

use std::cell::Cell;

use mlua::{Lua, MultiValue, Table, Value};

use super::args::{arg_error, check_integer};

/// lua-cjson's configuration, Redis's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) sparse_convert: bool,
    pub(crate) sparse_ratio: i64,
    pub(crate) sparse_safe: i64,
    pub(crate) encode_max_depth: i64,
    pub(crate) decode_max_depth: i64,
    pub(crate) precision: i64,
    keep_buffer: bool,
    /// 0 `off` (an error), 1 `on` (`inf`, `nan`), 2 `null`.
    pub(crate) encode_invalid: i64,
    pub(crate) decode_invalid: bool,
}

const DEFAULTS: Settings = Settings {
    sparse_convert: false,
    sparse_ratio: 2,
    sparse_safe: 10,
    encode_max_depth: 1000,
    decode_max_depth: 1000,
    precision: 14,
    keep_buffer: true,
    encode_invalid: 0,
    decode_invalid: true,
};

thread_local! {
    /// The settings and the run (`watchdog::run_id`) that made them.
    static SETTINGS: Cell<(u64, Settings)> = const { Cell::new((u64::MAX, DEFAULTS)) };
}

/// The settings of the run in progress on this thread.
pub(crate) fn current() -> Settings {
    let (run, settings) = SETTINGS.with(Cell::get);
    if run == crate::script::watchdog::run_id() {
        settings
    } else {
        DEFAULTS
    }
}

fn update(f: impl FnOnce(&mut Settings)) -> Settings {
    let mut s = current();
    f(&mut s);
    SETTINGS.with(|c| c.set((crate::script::watchdog::run_id(), s)));
    s
}

/// One integer setting of [`Settings`].
type Field = fn(&mut Settings) -> &mut i64;

/// Adds the settings functions to the `cjson` table.
pub(crate) fn register(lua: &Lua, t: &Table) -> mlua::Result<()> {
    t.raw_set(
        "encode_sparse_array",
        lua.create_function(|lua, a: MultiValue| {
            too_many(lua, &a, 3)?;
            let convert = enum_option(lua, &a, 1, &["off", "on"])?;
            let ratio = integer_option(lua, &a, 2, 0, i64::from(i32::MAX))?;
            let safe = integer_option(lua, &a, 3, 0, i64::from(i32::MAX))?;
            let s = update(|s| {
                if let Some(c) = convert {
                    s.sparse_convert = c == 1;
                }
                s.sparse_ratio = ratio.unwrap_or(s.sparse_ratio);
                s.sparse_safe = safe.unwrap_or(s.sparse_safe);
            });
            Ok((s.sparse_convert, s.sparse_ratio, s.sparse_safe))
        })?,
    )?;
    let integers: [(&str, Field, i64); 3] = [
        (
            "encode_max_depth",
            |s| &mut s.encode_max_depth,
            i64::from(i32::MAX),
        ),
        (
            "decode_max_depth",
            |s| &mut s.decode_max_depth,
            i64::from(i32::MAX),
        ),
        ("encode_number_precision", |s| &mut s.precision, 14),
    ];
    for (name, field, max) in integers {
        t.raw_set(
            name,
            lua.create_function(move |lua, a: MultiValue| {
                too_many(lua, &a, 1)?;
                let v = integer_option(lua, &a, 1, 1, max)?;
                let mut s = update(|s| {
                    if let Some(v) = v {
                        *field(s) = v;
                    }
                });
                Ok(*field(&mut s))
            })?,
        )?;
    }
    t.raw_set(
        "encode_keep_buffer",
        lua.create_function(|lua, a: MultiValue| {
            too_many(lua, &a, 1)?;
            let v = enum_option(lua, &a, 1, &["off", "on"])?;
            Ok(update(|s| s.keep_buffer = v.map_or(s.keep_buffer, |v| v == 1)).keep_buffer)
        })?,
    )?;
    t.raw_set(
        "encode_invalid_numbers",
        lua.create_function(|lua, a: MultiValue| {
            too_many(lua, &a, 1)?;
            let v = enum_option(lua, &a, 1, &["off", "on", "null"])?;
            let s = update(|s| s.encode_invalid = v.unwrap_or(s.encode_invalid));
            Ok(match s.encode_invalid {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                _ => Value::String(lua.create_string("null")?),
            })
        })?,
    )?;
    t.raw_set(
        "decode_invalid_numbers",
        lua.create_function(|lua, a: MultiValue| {
            too_many(lua, &a, 1)?;
            let v = enum_option(lua, &a, 1, &["off", "on"])?;
            Ok(
                update(|s| s.decode_invalid = v.map_or(s.decode_invalid, |v| v == 1))
                    .decode_invalid,
            )
        })?,
    )?;
    Ok(())
}

/// `json_arg_init`'s check.
fn too_many(lua: &Lua, a: &MultiValue, most: usize) -> mlua::Result<()> {
    if a.len() > most {
        return Err(arg_error(lua, most + 1, "found too many arguments"));
    }
    Ok(())
}

/// `json_integer_option`: `None` for nil; the range error names argument 1 whichever
/// argument it was, as lua-cjson's does.
fn integer_option(
    lua: &Lua,
    a: &MultiValue,
    at: usize,
    min: i64,
    max: i64,
) -> mlua::Result<Option<i64>> {
    if matches!(a.get(at - 1), None | Some(Value::Nil)) {
        return Ok(None);
    }
    let v = check_integer(lua, a, at)?;
    // lua-cjson keeps the value in a C int.
    #[allow(clippy::cast_possible_truncation, reason = "the C int conversion")]
    let v = i64::from(v as i32);
    if v < min || v > max {
        return Err(arg_error(
            lua,
            1,
            &format!("expected integer between {min} and {max}"),
        ));
    }
    Ok(Some(v))
}

/// `json_enum_option`: `None` for nil, else the option's index (a boolean counts as
/// `off`/`on`).
fn enum_option(
    lua: &Lua,
    a: &MultiValue,
    at: usize,
    options: &[&str],
) -> mlua::Result<Option<i64>> {
    let name = match a.get(at - 1) {
        None | Some(Value::Nil) => return Ok(None),
        Some(Value::Boolean(b)) => return Ok(Some(i64::from(*b))),
        Some(_) => super::args::check_bytes(lua, a, at)?,
    };
    let name = name.as_bytes();
    match options.iter().position(|o| o.as_bytes() == &name[..]) {
        Some(i) => Ok(Some(i64::try_from(i).unwrap_or(0))),
        None => Err(arg_error(
            lua,
            at,
            &format!("invalid option '{}'", String::from_utf8_lossy(&name)),
        )),
    }
}

/// lua-cjson's `json_is_invalid_number`: text a strict JSON parser refuses but `strtod`
/// reads (`+1`, `0x10`, `012`, `inf`, `nan`).
pub(crate) fn is_invalid_number(text: &[u8]) -> bool {
    let mut p = text;
    if p.first() == Some(&b'+') {
        return true;
    }
    if p.first() == Some(&b'-') {
        p = &p[1..];
    }
    match p.first() {
        Some(b'0') => matches!(p.get(1), Some(b'x' | b'X' | b'0'..=b'9')),
        Some(&c) if c <= b'9' => false,
        _ => {
            let starts = |w: &[u8]| p.get(..3).is_some_and(|h| h.eq_ignore_ascii_case(w));
            starts(b"inf") || starts(b"nan")
        }
    }
}

/// C's `strtod` on `text` (no leading spaces here): the number and how many bytes it
/// took, or `None` when no number starts there.
pub(crate) fn strtod(text: &[u8]) -> Option<(f64, usize)> {
    let (negative, start) = match text.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let rest = &text[start..];
    let ci = |w: &[u8]| {
        rest.get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w))
    };
    let (value, used) = if ci(b"infinity") {
        (f64::INFINITY, 8)
    } else if ci(b"inf") {
        (f64::INFINITY, 3)
    } else if ci(b"nan") {
        (f64::NAN, nan_len(rest))
    } else if (ci(b"0x")) && hex_start(&rest[2..]) {
        hex(&rest[2..]).map(|(v, n)| (v, n + 2))?
    } else {
        decimal(rest)?
    };
    Some((if negative { -value } else { value }, start + used))
}

/// `nan` and an optional `(chars)` after it.
fn nan_len(rest: &[u8]) -> usize {
    if rest.get(3) == Some(&b'(')
        && let Some(close) = rest[4..].iter().position(|&b| b == b')')
        && rest[4..4 + close]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return 4 + close + 1;
    }
    3
}

fn hex_start(p: &[u8]) -> bool {
    match p.first() {
        Some(c) if c.is_ascii_hexdigit() => true,
        Some(b'.') => p.get(1).is_some_and(u8::is_ascii_hexdigit),
        _ => false,
    }
}

/// Hex digits, an optional fraction and a `p` exponent (after `0x`).
#[allow(
    clippy::cast_precision_loss,
    reason = "strtod rounds the same way for these sizes"
)]
fn hex(p: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut value = 0.0f64;
    while let Some(d) = p.get(i).and_then(|c| char::from(*c).to_digit(16)) {
        value = value * 16.0 + f64::from(d);
        i += 1;
    }
    if p.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 1.0 / 16.0;
        while let Some(d) = p.get(i).and_then(|c| char::from(*c).to_digit(16)) {
            value += f64::from(d) * scale;
            scale /= 16.0;
            i += 1;
        }
    }
    if matches!(p.get(i), Some(b'p' | b'P'))
        && let Some((exp, n)) = exponent(&p[i + 1..])
    {
        value *= 2f64.powi(exp);
        i += 1 + n;
    }
    Some((value, i))
}

/// Decimal digits, an optional fraction and an optional `e` exponent.
fn decimal(p: &[u8]) -> Option<(f64, usize)> {
    let digits = |from: usize| p[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(0);
    let mut i = int;
    let mut frac = 0;
    if p.get(i) == Some(&b'.') {
        frac = digits(i + 1);
        if int > 0 || frac > 0 {
            i += 1 + frac;
        }
    }
    if int == 0 && frac == 0 {
        return None;
    }
    if matches!(p.get(i), Some(b'e' | b'E'))
        && let Some((_, n)) = exponent(&p[i + 1..])
    {
        i += 1 + n;
    }
    let text = std::str::from_utf8(&p[..i]).ok()?;
    text.parse::<f64>().ok().map(|v| (v, i))
}

/// An exponent's sign and digits: its value (saturated) and length.
fn exponent(p: &[u8]) -> Option<(i32, usize)> {
    let (sign, start) = match p.first() {
        Some(b'-') => (-1, 1),
        Some(b'+') => (1, 1),
        _ => (1, 0),
    };
    let n = p[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let v = p[start..start + n].iter().fold(0i32, |acc, d| {
        acc.saturating_mul(10).saturating_add(i32::from(d - b'0'))
    });
    Some((sign * v.min(100_000), start + n))
}

#[cfg(test)]
mod tests {
    use super::{is_invalid_number, strtod};

    #[test]
    fn strtod_reads_what_c_reads() {
        assert_eq!(strtod(b"0x10,"), Some((16.0, 4)));
        assert_eq!(strtod(b"1.5e1]"), Some((15.0, 5)));
        assert_eq!(strtod(b"-inf"), Some((f64::NEG_INFINITY, 4)));
        assert_eq!(strtod(b"Infinity"), Some((f64::INFINITY, 8)));
        assert_eq!(strtod(b"1e"), Some((1.0, 1)));
        assert_eq!(strtod(b"0x"), Some((0.0, 1)));
        assert_eq!(strtod(b"-"), None);
        assert_eq!(strtod(b".5"), Some((0.5, 2)));
        assert_eq!(strtod(b"1.e5x"), Some((1e5, 4)));
        assert_eq!(strtod(b"1.x"), Some((1.0, 2)));
        assert_eq!(strtod(b"1e+x"), Some((1.0, 1)));
        assert!(strtod(b"nan(x1)").is_some_and(|(v, n)| v.is_nan() && n == 7));
    }

    #[test]
    fn invalid_numbers_are_the_ones_lua_cjson_names() {
        for text in [&b"+1"[..], b"0x1", b"01", b"-inf", b"NaN"] {
            assert!(is_invalid_number(text), "{text:?}");
        }
        for text in [&b"0"[..], b"-1.5", b"10", b"0.5"] {
            assert!(!is_invalid_number(text), "{text:?}");
        }
    }
}
