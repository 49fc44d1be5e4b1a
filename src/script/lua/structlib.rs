//! `struct`: `pack`, `unpack` and `size` as the `lua_struct` Redis ships does them on x86-64
//! (native order little-endian, `long` and `size_t` 8 bytes, default alignment 1).
//!
//! Format letters: `>` `<` (byte order), `!n` (alignment, a power of two; 8 without `n`),
//! `x` (a zero byte), `b B h H l L T` and `in In` (integers, lower case signed, `n` bytes up
//! to 32), `f d` (floats), `cn` (`n` bytes; `c0` packs the whole string, and unpacks as many
//! bytes as the previous result says), `s` (zero-terminated), spaces ignored. `lua_struct`'s
//! C casts are copied where they show (integers wider than 8 bytes, numbers out of range).

use mlua::{Lua, MultiValue, Table, Value};

use super::args::{arg_error, check_bytes, check_number, lib_error, opt_integer, to_integer};

/// `MAXINTSIZE`: the widest integer format (`i32`).
const MAX_INT_SIZE: usize = 32;

/// `MAXALIGN` on x86-64 (a double's alignment).
const MAX_ALIGN: usize = 8;

/// Results one `unpack` returns at most (see `cmsgpack`'s bound: mlua needs a few of Lua's
/// 8000 stack slots).
const MAX_RESULTS: usize = 7900;

/// The `struct` table.
pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", lua.create_function(pack)?)?;
    t.raw_set("unpack", lua.create_function(unpack)?)?;
    t.raw_set("size", lua.create_function(size)?)?;
    Ok(t)
}

/// Byte order and alignment (`Header`).
struct Header {
    little: bool,
    align: usize,
}

impl Header {
    fn new() -> Self {
        Header {
            little: true,
            align: 1,
        }
    }
}

/// A format string read as C reads it: up to its first NUL.
struct Format<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Format<'_> {
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        if b == 0 {
            return None;
        }
        self.at += 1;
        Some(b)
    }

    /// `getnum`: the digits here, or `default` when there are none.
    fn number(&mut self, lua: &Lua, default: usize) -> mlua::Result<usize> {
        if !self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            return Ok(default);
        }
        let mut a: i32 = 0;
        while let Some(&d) = self.bytes.get(self.at).filter(|d| d.is_ascii_digit()) {
            let d = i32::from(d - b'0');
            if a > i32::MAX / 10 || a * 10 > i32::MAX - d {
                return Err(lib_error(lua, "integral size overflow"));
            }
            a = a * 10 + d;
            self.at += 1;
        }
        Ok(usize::try_from(a).unwrap_or(0))
    }

    /// `optsize`: the size of option `opt` (reading its number).
    fn size(&mut self, lua: &Lua, opt: u8) -> mlua::Result<usize> {
        Ok(match opt {
            b'B' | b'b' | b'x' => 1,
            b'H' | b'h' => 2,
            b'f' => 4,
            b'L' | b'l' | b'T' | b'd' => 8,
            b'c' => self.number(lua, 1)?,
            b'i' | b'I' => {
                let n = self.number(lua, 4)?;
                if n > MAX_INT_SIZE {
                    return Err(lib_error(
                        lua,
                        &format!("integral size {n} is larger than limit of {MAX_INT_SIZE}"),
                    ));
                }
                n
            }
            _ => 0,
        })
    }

    /// `controloptions`: the options that set the header (anything else is an error).
    fn control(&mut self, lua: &Lua, opt: u8, h: &mut Header) -> mlua::Result<()> {
        match opt {
            b' ' => {}
            b'>' => h.little = false,
            b'<' => h.little = true,
            b'!' => {
                let a = self.number(lua, MAX_ALIGN)?;
                if !a.is_power_of_two() {
                    return Err(lib_error(
                        lua,
                        &format!("alignment {a} is not a power of 2"),
                    ));
                }
                h.align = a;
            }
            _ => {
                let text = format!("invalid format option '{}'", char::from(opt));
                return Err(arg_error(lua, 1, &text));
            }
        }
        Ok(())
    }
}

/// `gettoalign`: padding before an item of `size` at `len`.
fn padding(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size.wrapping_sub(len & (size - 1))) & (size - 1)
}

fn is_integer(opt: u8) -> bool {
    matches!(
        opt,
        b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I'
    )
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn pack(lua: &Lua, mut args: MultiValue) -> mlua::Result<mlua::String> {
    let fmt = check_bytes(lua, &args, 1)?;
    // `lua_struct` pushes a nil after its arguments: a missing one reads as that nil.
    args.push_back(Value::Nil);
    let fmt = fmt.as_bytes();
    let mut f = Format { bytes: &fmt, at: 0 };
    let mut h = Header::new();
    let mut out = Vec::new();
    let mut arg = 2;
    while let Some(opt) = f.next() {
        let mut size = f.size(lua, opt)?;
        let pad = padding(out.len(), &h, opt, size);
        out.resize(out.len() + pad, 0);
        if is_integer(opt) {
            put_integer(&mut out, check_number(lua, &args, arg)?, h.little, size);
            arg += 1;
            continue;
        }
        match opt {
            b'x' => out.push(0),
            #[allow(clippy::cast_possible_truncation, reason = "C's (float) cast")]
            b'f' => {
                let v = check_number(lua, &args, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&if h.little {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                });
            }
            b'd' => {
                let v = check_number(lua, &args, arg)?;
                arg += 1;
                out.extend_from_slice(&if h.little {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                });
            }
            b'c' | b's' => {
                let s = check_bytes(lua, &args, arg)?;
                let s = s.as_bytes();
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                // `lua_struct` names the argument after the string (its counter has moved on).
                let Some(bytes) = s.get(..size) else {
                    return Err(arg_error(lua, arg, "string too short"));
                };
                out.extend_from_slice(bytes);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => f.control(lua, opt, &mut h)?,
        }
    }
    lua.create_string(out)
}

/// `putinteger`: the number as C casts it to 64 bits, `size` bytes of it (zeros past 8).
#[allow(
    clippy::cast_possible_truncation,
    reason = "one byte of the value at a time"
)]
fn put_integer(out: &mut Vec<u8>, n: f64, little: bool, size: usize) {
    let value = c_unsigned(n);
    let byte = |i: usize| {
        if i < 8 { (value >> (8 * i)) as u8 } else { 0 }
    };
    if little {
        out.extend((0..size).map(byte));
    } else {
        out.extend((0..size).rev().map(byte));
    }
}

/// `lua_struct`'s `n < 0 ? (Uinttype)(Inttype)n : (Uinttype)n` as x86-64 computes it.
#[allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "the C casts are the operation"
)]
fn c_unsigned(n: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if n < 0.0 {
        to_integer(n) as u64
    } else if n < TWO_63 {
        n as u64
    } else {
        // The compiled conversion: subtract 2^63, convert (out of range: 2^63), flip the
        // top bit.
        (to_integer(n - TWO_63) as u64) ^ (1 << 63)
    }
}

/// `getinteger`: `size` bytes as `lua_struct` reads them into 64 bits.
#[allow(
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "the C casts are the operation"
)]
fn get_integer(bytes: &[u8], little: bool, signed: bool) -> f64 {
    let fold = |l: u64, &b: &u8| l.wrapping_shl(8) | u64::from(b);
    let mut l = if little {
        bytes.iter().rev().fold(0, fold)
    } else {
        bytes.iter().fold(0, fold)
    };
    if !signed {
        return l as f64;
    }
    // `size * 8 - 1` as an x86 shift count (taken modulo 64).
    let shift = (bytes.len() * 8).wrapping_sub(1) as u32;
    let mask = u64::MAX.wrapping_shl(shift);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn unpack(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let fmt = check_bytes(lua, &args, 1)?;
    let fmt = fmt.as_bytes();
    let data = check_bytes(lua, &args, 2)?;
    let data = data.as_bytes();
    #[allow(clippy::cast_sign_loss, reason = "C's size_t: negative offsets wrap")]
    let pos = opt_integer(lua, &args, 3, 1)? as u64;
    if pos == 0 {
        return Err(arg_error(lua, 3, "offset must be 1 or greater"));
    }
    let mut u = Unpacker {
        lua,
        data: &data,
        pos: usize::try_from(pos - 1).unwrap_or(usize::MAX),
        out: Vec::new(),
    };
    let mut f = Format { bytes: &fmt, at: 0 };
    let mut h = Header::new();
    while let Some(opt) = f.next() {
        let size = f.size(lua, opt)?;
        u.item(&mut f, &mut h, opt, size)?;
    }
    #[allow(
        clippy::cast_possible_wrap,
        reason = "C pushes size_t as a lua_Integer"
    )]
    let next = u.pos.wrapping_add(1) as i64;
    u.out.push(Value::Integer(next));
    Ok(MultiValue::from_iter(u.out))
}

struct Unpacker<'a> {
    lua: &'a Lua,
    data: &'a [u8],
    pos: usize,
    out: Vec<Value>,
}

impl Unpacker<'_> {
    /// `size` bytes at the position, or `lua_struct`'s error.
    fn take(&self, size: usize) -> mlua::Result<&[u8]> {
        let end = self.pos.checked_add(size);
        end.and_then(|end| self.data.get(self.pos..end))
            .ok_or_else(|| arg_error(self.lua, 2, "data string too short"))
    }

    fn item(
        &mut self,
        f: &mut Format<'_>,
        h: &mut Header,
        opt: u8,
        mut size: usize,
    ) -> mlua::Result<()> {
        self.pos = self.pos.wrapping_add(padding(self.pos, h, opt, size));
        self.take(size)?;
        if self.out.len() + 2 > MAX_RESULTS {
            return Err(lib_error(self.lua, "stack overflow (too many results)"));
        }
        let value = if is_integer(opt) {
            let signed = opt.is_ascii_lowercase();
            Some(Value::Number(get_integer(
                self.take(size)?,
                h.little,
                signed,
            )))
        } else {
            match opt {
                b'x' => None,
                b'f' => {
                    let b: [u8; 4] = self.take(4)?.try_into().unwrap_or_default();
                    let v = if h.little {
                        f32::from_le_bytes(b)
                    } else {
                        f32::from_be_bytes(b)
                    };
                    Some(Value::Number(f64::from(v)))
                }
                b'd' => {
                    let b: [u8; 8] = self.take(8)?.try_into().unwrap_or_default();
                    let v = if h.little {
                        f64::from_le_bytes(b)
                    } else {
                        f64::from_be_bytes(b)
                    };
                    Some(Value::Number(v))
                }
                b'c' => {
                    if size == 0 {
                        size = self.previous_size()?;
                    }
                    Some(Value::String(self.lua.create_string(self.take(size)?)?))
                }
                b's' => {
                    let rest = self.data.get(self.pos..).unwrap_or_default();
                    let Some(end) = rest.iter().position(|&b| b == 0) else {
                        return Err(lib_error(self.lua, "unfinished string in data"));
                    };
                    size = end + 1;
                    Some(Value::String(self.lua.create_string(&rest[..end])?))
                }
                _ => {
                    f.control(self.lua, opt, h)?;
                    None
                }
            }
        };
        self.out.extend(value);
        self.pos = self.pos.wrapping_add(size);
        Ok(())
    }

    /// `c0`: the size is the previous result (a number, or a string that reads as one),
    /// which it replaces.
    fn previous_size(&mut self) -> mlua::Result<usize> {
        let n = match self.out.last() {
            Some(v @ (Value::Integer(_) | Value::Number(_))) => super::args::number(v),
            Some(v @ Value::String(_)) => self.lua.coerce_number(v.clone()).ok().flatten(),
            _ => None,
        };
        let Some(n) = n else {
            return Err(lib_error(self.lua, "format 'c0' needs a previous size"));
        };
        self.out.pop();
        #[allow(clippy::cast_sign_loss, reason = "C's size_t cast")]
        Ok(usize::try_from(to_integer(n) as u64).unwrap_or(usize::MAX))
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn size(lua: &Lua, args: MultiValue) -> mlua::Result<i64> {
    let fmt = check_bytes(lua, &args, 1)?;
    let fmt = fmt.as_bytes();
    let mut f = Format { bytes: &fmt, at: 0 };
    let mut h = Header::new();
    let mut pos = 0usize;
    while let Some(opt) = f.next() {
        let size = f.size(lua, opt)?;
        pos = pos.saturating_add(padding(pos, &h, opt, size));
        if opt == b's' {
            return Err(arg_error(lua, 1, "option 's' has no fixed size"));
        }
        if opt == b'c' && size == 0 {
            return Err(arg_error(lua, 1, "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            f.control(lua, opt, &mut h)?;
        }
        pos = pos.saturating_add(size);
    }
    Ok(i64::try_from(pos).unwrap_or(i64::MAX))
}
