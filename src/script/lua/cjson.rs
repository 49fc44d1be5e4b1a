//! `cjson`: `encode` and `decode` as lua-cjson 2.1 (the version Redis ships) does them
//! with Redis's settings: numbers as `%.14g`, `/` escaped, empty tables as `{}`, arrays
//! refused when excessively sparse, nesting bounded (at 128 levels both ways; lua-cjson's
//! default is 1000). `cjson.null` is the
//! NULL light userdata. The settings functions (`encode_max_depth`, …) are in
//! `cjson_settings`; the depth settings take effect up to the 128-level bound.

use mlua::{Lua, MultiValue, Table, Value};

use super::args::lib_error;
use super::cjson_settings::{self, Settings};

/// The nesting bound for encoding and decoding. lua-cjson's default is 1000; both
/// directions recurse here, so the bound is kept low enough for any thread's stack (a
/// debug build's frames are large).
const MAX_DEPTH: usize = 128;

/// The `cjson` table.
pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "encode",
        lua.create_function(|lua, a: MultiValue| {
            let v = one_argument(lua, &a)?;
            let mut out = Vec::new();
            let settings = cjson_settings::current();
            encode(v, 1, &settings, &mut out).map_err(|e| lib_error(lua, &e))?;
            lua.create_string(out)
        })?,
    )?;
    t.raw_set(
        "decode",
        lua.create_function(|lua, a: MultiValue| {
            one_argument(lua, &a)?;
            let s = super::args::check_bytes(lua, &a, 1)?;
            let bytes = s.as_bytes();
            let mut parser = Parser {
                lua,
                text: &bytes,
                at: 0,
                settings: cjson_settings::current(),
            };
            parser.document().map_err(|e| lib_error(lua, &e))
        })?,
    )?;
    t.raw_set("null", Value::NULL)?;
    cjson_settings::register(lua, &t)?;
    Ok(t)
}

/// `encode` and `decode` take exactly one argument (lua-cjson's check and text).
fn one_argument<'a>(lua: &Lua, a: &'a MultiValue) -> mlua::Result<&'a Value> {
    match a.front() {
        Some(v) if a.len() == 1 => Ok(v),
        _ => Err(super::args::arg_error(lua, 1, "expected 1 argument")),
    }
}

/// C's `%.<precision>g`.
pub(crate) fn format_g(f: f64, precision: usize) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let digits = precision.max(1) - 1;
    let sci = format!("{f:.digits$e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let p = i32::try_from(precision).unwrap_or(17);
    if exp < -4 || exp >= p {
        let mantissa = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    let decimals = usize::try_from(p - 1 - exp).unwrap_or(0);
    trim_zeros(&format!("{f:.decimals$}")).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn encode(v: &Value, depth: usize, cfg: &Settings, out: &mut Vec<u8>) -> Result<(), String> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        #[allow(clippy::cast_precision_loss, reason = "Lua 5.1 numbers are doubles")]
        Value::Integer(n) => number(*n as f64, cfg, out)?,
        Value::Number(f) => number(*f, cfg, out)?,
        Value::String(s) => string(&s.as_bytes(), out),
        Value::Table(t) => {
            if depth > max_depth(cfg.encode_max_depth) {
                return Err(format!("Cannot serialise, excessive nesting ({depth})"));
            }
            table_value(t, depth, cfg, out)?;
        }
        other => {
            return Err(format!(
                "Cannot serialise {}: type not supported",
                other.type_name()
            ));
        }
    }
    Ok(())
}

/// The nesting bound in effect: the setting, up to [`MAX_DEPTH`].
fn max_depth(setting: i64) -> usize {
    usize::try_from(setting).unwrap_or(0).min(MAX_DEPTH)
}

/// `json_append_number`: NaN and infinities by the `encode_invalid_numbers` setting, the
/// rest as `%.<precision>g`.
fn number(f: f64, cfg: &Settings, out: &mut Vec<u8>) -> Result<(), String> {
    if !f.is_finite() {
        match cfg.encode_invalid {
            0 => return Err("Cannot serialise number: must not be NaN or Inf".into()),
            1 if f.is_nan() => {
                out.extend_from_slice(b"nan");
                return Ok(());
            }
            1 => {}
            _ => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    let precision = usize::try_from(cfg.precision).unwrap_or(14);
    out.extend_from_slice(format_g(f, precision).as_bytes());
    Ok(())
}

/// Whether `t` is an array (its largest positive integer key, if every key is one and it
/// is not excessively sparse); `None` for an object (also for a sparse array when
/// `encode_sparse_array` converts them).
fn array_len(t: &Table, cfg: &Settings) -> Result<Option<usize>, String> {
    let (mut max, mut items) = (0usize, 0usize);
    for pair in t.clone().pairs::<Value, Value>() {
        let (k, _) = pair.map_err(|e| e.to_string())?;
        let index = match k {
            Value::Integer(n) if n >= 1 => usize::try_from(n).ok(),
            _ => None,
        };
        let Some(index) = index else {
            return Ok(None);
        };
        max = max.max(index);
        items += 1;
    }
    // By default sparse arrays are refused past index 10 when over half holes.
    let ratio = usize::try_from(cfg.sparse_ratio).unwrap_or(0);
    let safe = usize::try_from(cfg.sparse_safe).unwrap_or(0);
    if ratio > 0 && max > items.saturating_mul(ratio) && max > safe {
        if !cfg.sparse_convert {
            return Err("Cannot serialise table: excessively sparse array".into());
        }
        return Ok(None);
    }
    Ok(Some(max))
}

fn table_value(t: &Table, depth: usize, cfg: &Settings, out: &mut Vec<u8>) -> Result<(), String> {
    match array_len(t, cfg)? {
        Some(len) if len > 0 => {
            out.push(b'[');
            for i in 1..=len {
                if i > 1 {
                    out.push(b',');
                }
                let v: Value = t.raw_get(i).map_err(|e| e.to_string())?;
                let key = Value::Integer(i64::try_from(i).unwrap_or(0));
                let v = super::args::exact(t, key, v).map_err(|e| e.to_string())?;
                encode(&v, depth + 1, cfg, out)?;
            }
            out.push(b']');
        }
        _ => {
            out.push(b'{');
            let mut first = true;
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, v) = pair.map_err(|e| e.to_string())?;
                let v = super::args::exact(t, k.clone(), v).map_err(|e| e.to_string())?;
                if !first {
                    out.push(b',');
                }
                first = false;
                match &k {
                    Value::String(s) => string(&s.as_bytes(), out),
                    Value::Integer(_) | Value::Number(_) => {
                        out.push(b'"');
                        number(super::args::number(&k).unwrap_or(0.0), cfg, out)?;
                        out.push(b'"');
                    }
                    other => {
                        let kind = super::args::type_name(Some(other));
                        return Err(format!(
                            "Cannot serialise {kind}: table key must be a number or string"
                        ));
                    }
                }
                out.push(b':');
                encode(&v, depth + 1, cfg, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..0x20 | 0x7f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

struct Parser<'a> {
    lua: &'a Lua,
    text: &'a [u8],
    at: usize,
    settings: Settings,
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Value, String> {
        let v = self.value(1)?;
        self.skip_ws();
        // A NUL ends the text, as it ends lua-cjson's C string.
        if self.text.get(self.at).is_some_and(|&b| b != 0) {
            return Err(self.unexpected("the end"));
        }
        Ok(v)
    }

    fn skip_ws(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    /// lua-cjson's parse error: what it expected and the token found here.
    fn unexpected(&self, what: &str) -> String {
        format!(
            "Expected {what} but found {} at character {}",
            self.found(),
            self.at + 1
        )
    }

    /// A token's own error (`json_set_token_error`) at the position.
    fn token_error(&self, what: &str, found: &str) -> String {
        format!(
            "Expected {what} but found {found} at character {}",
            self.at + 1
        )
    }

    /// The name of the token at the position (`json_token_type_name`, or its error).
    fn found(&self) -> &'static str {
        let rest = &self.text[self.at.min(self.text.len())..];
        let number = || {
            if cjson_settings::strtod(rest).is_some() {
                "T_NUMBER"
            } else {
                "invalid number"
            }
        };
        match rest.first() {
            None | Some(0) => "T_END",
            Some(b'{') => "T_OBJ_BEGIN",
            Some(b'}') => "T_OBJ_END",
            Some(b'[') => "T_ARR_BEGIN",
            Some(b']') => "T_ARR_END",
            Some(b',') => "T_COMMA",
            Some(b':') => "T_COLON",
            Some(b'"') => "T_STRING",
            Some(b'-' | b'0'..=b'9') => {
                if !self.settings.decode_invalid && cjson_settings::is_invalid_number(rest) {
                    "invalid number"
                } else {
                    number()
                }
            }
            _ if rest.starts_with(b"true") || rest.starts_with(b"false") => "T_BOOLEAN",
            _ if rest.starts_with(b"null") => "T_NULL",
            _ if self.settings.decode_invalid && cjson_settings::is_invalid_number(rest) => {
                number()
            }
            _ => "invalid token",
        }
    }

    fn lua_err(e: &mlua::Error) -> String {
        e.to_string()
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.skip_ws();
        let Some(&b) = self.text.get(self.at) else {
            return Err(self.unexpected("value"));
        };
        let depth_bound = max_depth(self.settings.decode_max_depth);
        match b {
            b'{' | b'[' if depth > depth_bound => Err(format!(
                "Found too many nested data structures ({depth}) at character {}",
                self.at + 1
            )),
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let s = self.string("value")?;
                self.lua
                    .create_string(s)
                    .map(Value::String)
                    .map_err(|e| Self::lua_err(&e))
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ if self.text[self.at..].starts_with(b"true") => self.word(4, Value::Boolean(true)),
            _ if self.text[self.at..].starts_with(b"false") => self.word(5, Value::Boolean(false)),
            _ if self.text[self.at..].starts_with(b"null") => self.word(4, Value::NULL),
            _ if self.settings.decode_invalid
                && cjson_settings::is_invalid_number(&self.text[self.at..]) =>
            {
                self.number()
            }
            _ => Err(self.unexpected("value")),
        }
    }

    fn word(&mut self, len: usize, v: Value) -> Result<Value, String> {
        self.at += len;
        Ok(v)
    }

    /// A number as lua-cjson reads one: `strtod`, after refusing hex, `inf`, `nan`, a
    /// leading `+` or zero unless `decode_invalid_numbers` is on (the default).
    fn number(&mut self) -> Result<Value, String> {
        let rest = &self.text[self.at..];
        if !self.settings.decode_invalid && cjson_settings::is_invalid_number(rest) {
            return Err(self.unexpected("value"));
        }
        match cjson_settings::strtod(rest) {
            Some((f, used)) => {
                self.at += used;
                Ok(Value::Number(f))
            }
            None => Err(self.unexpected("value")),
        }
    }

    /// A string token (the position at its opening quote); `what` names what the parser
    /// expected, for the error. A NUL ends the text, as in C.
    fn string(&mut self, what: &str) -> Result<Vec<u8>, String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.text.get(self.at).filter(|&&b| b != 0) else {
                return Err(self.token_error(what, "unexpected end of string"));
            };
            match b {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => self.escape(&mut out, what)?,
                _ => {
                    out.push(b);
                    self.at += 1;
                }
            }
        }
    }

    /// An escape (the position at its backslash, where its errors point).
    fn escape(&mut self, out: &mut Vec<u8>, what: &str) -> Result<(), String> {
        let c = match self.text.get(self.at + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                return match self.unicode(out) {
                    Some(()) => Ok(()),
                    None => Err(self.token_error(what, "invalid unicode escape code")),
                };
            }
            _ => return Err(self.token_error(what, "invalid escape code")),
        };
        out.push(c);
        self.at += 2;
        Ok(())
    }

    /// Four hex digits at `at` (nothing else, not even a sign).
    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    }

    /// `json_append_unicode_escape`: `\uXXXX`, or a surrogate pair of two; `None` (the
    /// position unmoved) when invalid.
    fn unicode(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let mut cp = self.hex4(self.at + 2)?;
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 || self.text.get(self.at + 6..self.at + 8) != Some(b"\\u") {
                return None;
            }
            let lo = self.hex4(self.at + 8)?;
            if lo & 0xFC00 != 0xDC00 {
                return None;
            }
            cp = (((cp & 0x3FF) << 10) | (lo & 0x3FF)) + 0x10000;
            len = 12;
        }
        let c = char::from_u32(cp)?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        self.at += len;
        Some(())
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.at += 1;
        let t = self.lua.create_table().map_err(|e| Self::lua_err(&e))?;
        self.skip_ws();
        if self.text.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Value::Table(t));
        }
        let mut i = 1;
        loop {
            let v = self.value(depth + 1)?;
            t.raw_set(i, v).map_err(|e| Self::lua_err(&e))?;
            i += 1;
            self.skip_ws();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Table(t));
                }
                _ => return Err(self.unexpected("comma or array end")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.at += 1;
        let t = self.lua.create_table().map_err(|e| Self::lua_err(&e))?;
        self.skip_ws();
        if self.text.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Value::Table(t));
        }
        loop {
            self.skip_ws();
            if self.text.get(self.at) != Some(&b'"') {
                return Err(self.unexpected("object key string"));
            }
            let key = self.string("object key string")?;
            self.skip_ws();
            if self.text.get(self.at) != Some(&b':') {
                return Err(self.unexpected("colon"));
            }
            self.at += 1;
            let v = self.value(depth + 1)?;
            let key = self.lua.create_string(key).map_err(|e| Self::lua_err(&e))?;
            t.raw_set(key, v).map_err(|e| Self::lua_err(&e))?;
            self.skip_ws();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Table(t));
                }
                _ => return Err(self.unexpected("comma or object end")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::format_g;

    fn format_number(f: f64) -> String {
        format_g(f, 14)
    }

    #[test]
    fn numbers_print_as_lua_prints_them() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(0.1), "0.1");
        assert_eq!(format_number(1e15), "1e+15");
        assert_eq!(format_number(123_456_789_012_345.0), "1.2345678901234e+14");
        assert_eq!(format_number(2f64.powi(53)), "9.007199254741e+15");
        assert_eq!(format_number(0.0001), "0.0001");
        assert_eq!(format_number(0.00001), "1e-05");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(1.0 / 3.0), "0.33333333333333");
    }
}
