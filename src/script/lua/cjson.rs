//! `cjson`: `encode` and `decode` as lua-cjson 2.1 (the version Redis ships) does them
//! with Redis's settings: numbers as `%.14g`, `/` escaped, empty tables as `{}`, arrays
//! refused when excessively sparse, nesting bounded (at 128 levels both ways; lua-cjson's
//! default is 1000). `cjson.null` is the
//! NULL light userdata. (Missing: the `encode_*`/`decode_*` configuration functions.)

use mlua::{Lua, Table, Value};

/// The nesting bound for encoding and decoding. lua-cjson's default is 1000; both
/// directions recurse here, so the bound is kept low enough for any thread's stack (a
/// debug build's frames are large).
const MAX_DEPTH: usize = 128;

/// The `cjson` table.
pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "encode",
        lua.create_function(|lua, v: Value| {
            let mut out = Vec::new();
            encode(&v, 1, &mut out).map_err(mlua::Error::runtime)?;
            lua.create_string(out)
        })?,
    )?;
    t.raw_set(
        "decode",
        lua.create_function(|lua, s: mlua::String| {
            let bytes = s.as_bytes();
            let mut parser = Parser {
                lua,
                text: &bytes,
                at: 0,
            };
            parser.document().map_err(mlua::Error::runtime)
        })?,
    )?;
    t.raw_set("null", Value::NULL)?;
    Ok(t)
}

/// Lua's `%.14g` (what `tostring` and lua-cjson print for a number).
pub(crate) fn format_number(f: f64) -> String {
    format_g(f, 14)
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

fn encode(v: &Value, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        #[allow(clippy::cast_precision_loss, reason = "Lua 5.1 numbers are doubles")]
        Value::Integer(n) => out.extend_from_slice(format_number(*n as f64).as_bytes()),
        Value::Number(f) if !f.is_finite() => {
            return Err("Cannot serialise number: must not be NaN or Inf".into());
        }
        Value::Number(f) => out.extend_from_slice(format_number(*f).as_bytes()),
        Value::String(s) => string(&s.as_bytes(), out),
        Value::Table(t) => {
            if depth > MAX_DEPTH {
                return Err(format!("Cannot serialise, excessive nesting ({depth})"));
            }
            table_value(t, depth, out)?;
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

/// Whether `t` is an array (its largest positive integer key, if every key is one and it
/// is not excessively sparse); `None` for an object.
fn array_len(t: &Table) -> Result<Option<usize>, String> {
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
    // lua-cjson's defaults: sparse arrays refused past index 10 when over half holes.
    if max > 10 && max > items * 2 {
        return Err("Cannot serialise table: excessively sparse array".into());
    }
    Ok(Some(max))
}

fn table_value(t: &Table, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    match array_len(t)? {
        Some(len) if len > 0 => {
            out.push(b'[');
            for i in 1..=len {
                if i > 1 {
                    out.push(b',');
                }
                let v: Value = t.raw_get(i).map_err(|e| e.to_string())?;
                encode(&v, depth + 1, out)?;
            }
            out.push(b']');
        }
        _ => {
            out.push(b'{');
            let mut first = true;
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, v) = pair.map_err(|e| e.to_string())?;
                if !first {
                    out.push(b',');
                }
                first = false;
                match &k {
                    Value::String(s) => string(&s.as_bytes(), out),
                    #[allow(clippy::cast_precision_loss, reason = "Lua 5.1 numbers are doubles")]
                    Value::Integer(n) => string(format_number(*n as f64).as_bytes(), out),
                    Value::Number(f) => string(format_number(*f).as_bytes(), out),
                    _ => {
                        return Err(
                            "Cannot serialise table: table key must be a number or string".into(),
                        );
                    }
                }
                out.push(b':');
                encode(&v, depth + 1, out)?;
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
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Value, String> {
        let v = self.value(1)?;
        self.skip_ws();
        if self.at < self.text.len() {
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

    fn unexpected(&self, what: &str) -> String {
        let found = if self.at >= self.text.len() {
            "T_END"
        } else {
            "invalid token"
        };
        format!(
            "Expected {what} but found {found} at character {}",
            self.at + 1
        )
    }

    fn lua_err(e: &mlua::Error) -> String {
        e.to_string()
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.skip_ws();
        let Some(&b) = self.text.get(self.at) else {
            return Err(self.unexpected("value"));
        };
        match b {
            b'{' | b'[' if depth > MAX_DEPTH => Err(format!(
                "Found too many nested data structures ({depth}) at character {}",
                self.at + 1
            )),
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let s = self.string()?;
                self.lua
                    .create_string(s)
                    .map(Value::String)
                    .map_err(|e| Self::lua_err(&e))
            }
            b't' => self.word(b"true", Value::Boolean(true)),
            b'f' => self.word(b"false", Value::Boolean(false)),
            b'n' => self.word(b"null", Value::NULL),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.unexpected("value")),
        }
    }

    fn word(&mut self, word: &[u8], v: Value) -> Result<Value, String> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(v)
        } else {
            Err(self.unexpected("value"))
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.text[start..self.at]).unwrap_or("");
        if let Ok(f) = text.parse::<f64>() {
            return Ok(Value::Number(f));
        }
        self.at = start;
        Err(self.unexpected("value"))
    }

    fn string(&mut self) -> Result<Vec<u8>, String> {
        let start = self.at;
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.text.get(self.at) else {
                self.at = start;
                return Err(self.unexpected("value"));
            };
            self.at += 1;
            match b {
                b'"' => return Ok(out),
                b'\\' => self.escape(&mut out, start)?,
                _ => out.push(b),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>, start: usize) -> Result<(), String> {
        let Some(&e) = self.text.get(self.at) else {
            self.at = start;
            return Err(self.unexpected("value"));
        };
        self.at += 1;
        let c = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode(out, start),
            _ => {
                self.at = start;
                return Err(self.unexpected("value"));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        let n = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
        self.at += 4;
        Some(n)
    }

    fn unicode(&mut self, out: &mut Vec<u8>, start: usize) -> Result<(), String> {
        let bad = |p: &mut Self| {
            p.at = start;
            p.unexpected("value")
        };
        let Some(mut cp) = self.hex4() else {
            return Err(bad(self));
        };
        if (0xD800..0xDC00).contains(&cp) {
            if !self.text[self.at..].starts_with(b"\\u") {
                return Err(bad(self));
            }
            self.at += 2;
            match self.hex4() {
                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                _ => return Err(bad(self)),
            }
        }
        let Some(c) = char::from_u32(cp) else {
            return Err(bad(self));
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
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
            let key = self.string()?;
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
    use super::format_number;

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
