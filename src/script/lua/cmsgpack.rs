//! `cmsgpack`: `pack`, `unpack`, `unpack_one` and `unpack_limit` as lua-cmsgpack 0.4.0 (the
//! version Redis ships) does them, byte for byte.
//!
//! Packing: a table whose keys are exactly `1..n` is an array, any other a map (in `next`
//! order); integral numbers are integers in the shortest form, others a 32-bit float when
//! that is exact, else a double; strings use the `str` forms (never `bin`); anything else
//! (functions, `cjson.null`, …) is nil, and so is a table nested 16 levels deep (how
//! lua-cmsgpack survives cycles). Unpacking runs without recursion and counts the Lua stack
//! slots lua-cmsgpack's recursion would use, so input nested too deep or with too many
//! values fails where Redis's does, with its texts.

use mlua::{Lua, MultiValue, Table, Value};

use super::args::{self, arg_error, check_bytes, check_integer, lib_error, opt_integer, vm_error};

/// lua-cmsgpack's `LUACMSGPACK_MAX_NESTING`: a table this deep packs as nil.
const MAX_NESTING: usize = 16;

/// Lua 5.1's `LUAI_MAXCSTACK`: the stack slots a C function may use.
const MAX_SLOTS: usize = 8000;

/// Values one unpack returns at most. Redis's Lua stack holds 7999; mlua keeps a few
/// slots of its own when it hands a callback's results back, so the bound is lower here.
const MAX_RESULTS: usize = 7900;

const TOO_MANY: &str =
    "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)";
const ARRAY_OVERFLOW: &str = "stack overflow (in function mp_decode_to_lua_array)";

/// The `cmsgpack` table.
pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", lua.create_function(pack)?)?;
    t.raw_set(
        "unpack",
        lua.create_function(|lua, a: MultiValue| {
            let s = check_bytes(lua, &a, 1)?;
            unpack_full(lua, &s.as_bytes(), 0, 0)
        })?,
    )?;
    t.raw_set(
        "unpack_one",
        lua.create_function(|lua, a: MultiValue| {
            let offset = opt_integer(lua, &a, 2, 0)?;
            let s = check_bytes(lua, &a, 1)?;
            unpack_full(lua, &s.as_bytes(), 1, offset)
        })?,
    )?;
    t.raw_set(
        "unpack_limit",
        lua.create_function(|lua, a: MultiValue| {
            let limit = check_integer(lua, &a, 2)?;
            let offset = opt_integer(lua, &a, 3, 0)?;
            let s = check_bytes(lua, &a, 1)?;
            unpack_full(lua, &s.as_bytes(), limit, offset)
        })?,
    )?;
    t.raw_set("_NAME", "cmsgpack")?;
    t.raw_set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.raw_set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    t.raw_set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "mlua hands callbacks their arguments by value"
)]
fn pack(lua: &Lua, args: MultiValue) -> mlua::Result<mlua::String> {
    if args.is_empty() {
        return Err(arg_error(lua, 0, "MessagePack pack needs input."));
    }
    let mut out = Out {
        bytes: Vec::new(),
        room: args::room(lua),
    };
    for v in &args {
        encode(v, 0, &mut out)?;
    }
    lua.create_string(out.bytes)
}

/// The packed bytes, bounded by what the Lua memory limit leaves.
struct Out {
    bytes: Vec<u8>,
    room: usize,
}

impl Out {
    fn put(&mut self, b: &[u8]) -> mlua::Result<()> {
        if self.bytes.len().saturating_add(b.len()) > self.room {
            return Err(mlua::Error::MemoryError("not enough memory".into()));
        }
        self.bytes.extend_from_slice(b);
        Ok(())
    }
}

fn encode(v: &Value, level: usize, out: &mut Out) -> mlua::Result<()> {
    match v {
        Value::String(s) => encode_bytes(&s.as_bytes(), out),
        Value::Boolean(b) => out.put(&[if *b { 0xc3 } else { 0xc2 }]),
        Value::Integer(_) | Value::Number(_) => encode_number(args::number(v).unwrap_or(0.0), out),
        Value::Table(t) if level < MAX_NESTING => encode_table(t, level, out),
        _ => out.put(&[0xc0]),
    }
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "each branch checked the range; longer lengths wrap as in lua-cmsgpack"
)]
fn encode_bytes(s: &[u8], out: &mut Out) -> mlua::Result<()> {
    let len = s.len();
    match u32::try_from(len) {
        Ok(n) if n < 32 => out.put(&[0xa0 | (n as u8)])?,
        Ok(n) if n <= 0xff => out.put(&[0xd9, n as u8])?,
        Ok(n) if n <= 0xffff => {
            out.put(&[0xda])?;
            out.put(&(n as u16).to_be_bytes())?;
        }
        // A longer string's length is written modulo 2^32, as lua-cmsgpack does.
        _ => {
            out.put(&[0xdb])?;
            out.put(&((len & 0xffff_ffff) as u32).to_be_bytes())?;
        }
    }
    out.put(s)
}

/// An integral number within `i64` is an integer, as lua-cmsgpack's `IS_INT64_EQUIVALENT`.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::float_cmp,
    reason = "the same casts and exact comparisons lua-cmsgpack makes"
)]
fn encode_number(d: f64, out: &mut Out) -> mlua::Result<()> {
    let n = args::to_integer(d);
    if !d.is_infinite() && n as f64 == d {
        return encode_int(n, out);
    }
    let f = d as f32;
    if f64::from(f) == d {
        out.put(&[0xca])?;
        out.put(&f.to_be_bytes())
    } else {
        out.put(&[0xcb])?;
        out.put(&d.to_be_bytes())
    }
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::match_same_arms,
    reason = "each branch checked the range; positive and negative fixnums are separate forms"
)]
fn encode_int(n: i64, out: &mut Out) -> mlua::Result<()> {
    match n {
        0..=127 => out.put(&[n as u8]),
        128..=0xff => out.put(&[0xcc, n as u8]),
        0x100..=0xffff => {
            out.put(&[0xcd])?;
            out.put(&(n as u16).to_be_bytes())
        }
        0x1_0000..=0xffff_ffff => {
            out.put(&[0xce])?;
            out.put(&(n as u32).to_be_bytes())
        }
        0x1_0000_0000.. => {
            out.put(&[0xcf])?;
            out.put(&(n as u64).to_be_bytes())
        }
        -32..=-1 => out.put(&[n as u8]),
        -128..=-33 => out.put(&[0xd0, n as u8]),
        -32768..=-129 => {
            out.put(&[0xd1])?;
            out.put(&(n as i16).to_be_bytes())
        }
        -2_147_483_648..=-32769 => {
            out.put(&[0xd2])?;
            out.put(&(n as i32).to_be_bytes())
        }
        _ => {
            out.put(&[0xd3])?;
            out.put(&n.to_be_bytes())
        }
    }
}

fn encode_table(t: &Table, level: usize, out: &mut Out) -> mlua::Result<()> {
    if is_array(t)? {
        let len = t.raw_len();
        header(out, len, 0x90, 0xdc)?;
        for i in 1..=len {
            let v = args::exact(
                t,
                Value::Integer(i64::try_from(i).unwrap_or(0)),
                t.raw_get(i)?,
            )?;
            encode(&v, level + 1, out)?;
        }
        return Ok(());
    }
    let mut len = 0usize;
    for pair in t.clone().pairs::<Value, Value>() {
        pair?;
        len += 1;
    }
    header(out, len, 0x80, 0xde)?;
    for pair in t.clone().pairs::<Value, Value>() {
        let (k, v) = pair?;
        let v = args::exact(t, k.clone(), v)?;
        encode(&k, level + 1, out)?;
        encode(&v, level + 1, out)?;
    }
    Ok(())
}

/// An array or map header: the fix form below 16, else 16 or 32 bits (`big` + 1).
#[allow(
    clippy::cast_possible_truncation,
    reason = "lengths past 32 bits are written modulo 2^32, as lua-cmsgpack does"
)]
fn header(out: &mut Out, len: usize, fix: u8, big: u8) -> mlua::Result<()> {
    if len <= 15 {
        out.put(&[fix | len as u8])
    } else if len <= 0xffff {
        out.put(&[big])?;
        out.put(&(len as u16).to_be_bytes())
    } else {
        out.put(&[big + 1])?;
        out.put(&(len as u32).to_be_bytes())
    }
}

/// lua-cmsgpack's `table_is_an_array`: every key a positive integer that fits a C `int`,
/// and the largest equal to the count (so the keys are exactly `1..n`).
fn is_array(t: &Table) -> mlua::Result<bool> {
    let (mut count, mut max) = (0i64, 0i64);
    for pair in t.clone().pairs::<Value, Value>() {
        let (k, _) = pair?;
        let Some(n) = args::number(&k) else {
            return Ok(false);
        };
        if n <= 0.0 || n > f64::from(i32::MAX) || n.fract() != 0.0 {
            return Ok(false);
        }
        max = max.max(args::to_integer(n));
        count += 1;
    }
    Ok(max == count)
}

/// `mp_unpack_full`: up to `limit` values from `offset` (both 0: every value, no offset
/// returned); otherwise the next offset (-1 at the end) comes first.
fn unpack_full(lua: &Lua, s: &[u8], limit: i64, offset: i64) -> mlua::Result<MultiValue> {
    let len = s.len();
    let decode_all = limit == 0 && offset == 0;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        reason = "lua-cmsgpack prints both as C ints"
    )]
    if offset < 0 || limit < 0 {
        // lua-cmsgpack prints the input's length where it says "limit".
        return Err(lib_error(
            lua,
            &format!(
                "Invalid request to unpack with offset of {} and limit of {}.",
                offset as i32, len as i32
            ),
        ));
    }
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        reason = "lua-cmsgpack prints both as C ints"
    )]
    if start > len {
        return Err(lib_error(
            lua,
            &format!(
                "Start offset {} greater than input length {}.",
                offset as i32, len as i32
            ),
        ));
    }
    let limit = if decode_all {
        i64::from(i32::MAX)
    } else {
        limit
    };
    let mut d = Decoder {
        lua,
        input: s,
        at: start,
        slots: 1,
    };
    let mut values = Vec::new();
    let fail = |f: Fail| match f {
        Fail::Eof => lib_error(lua, "Missing bytes in input."),
        Fail::BadFormat => lib_error(lua, "Bad data format in input."),
        Fail::Stack(text) => lib_error(lua, text),
        Fail::Lua(e) => e,
    };
    while d.at < len && i64::try_from(values.len()).unwrap_or(i64::MAX) < limit {
        if values.len() >= MAX_RESULTS {
            return Err(lib_error(lua, TOO_MANY));
        }
        values.push(d.value().map_err(fail)?);
    }
    if !decode_all {
        let next = if d.at == len {
            -1
        } else {
            i64::try_from(d.at).unwrap_or(i64::MAX)
        };
        values.insert(0, Value::Integer(next));
    }
    Ok(MultiValue::from_iter(values))
}

/// Why decoding stopped (lua-cmsgpack's cursor errors).
enum Fail {
    Eof,
    BadFormat,
    /// Lua's stack would overflow (`luaL_checkstack`'s text).
    Stack(&'static str),
    Lua(mlua::Error),
}

impl From<mlua::Error> for Fail {
    fn from(e: mlua::Error) -> Self {
        Fail::Lua(e)
    }
}

/// One item's header: a complete value, or the start of an array or map.
enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

/// An array or map being filled.
struct Open {
    table: Table,
    left: usize,
    /// Arrays: the next index. Maps: unused.
    index: i64,
    is_map: bool,
    key: Option<Value>,
}

struct Decoder<'a> {
    lua: &'a Lua,
    input: &'a [u8],
    at: usize,
    /// The Lua stack slots lua-cmsgpack would hold at this point (its argument included).
    slots: usize,
}

impl Decoder<'_> {
    fn need(&self, n: usize) -> Result<&[u8], Fail> {
        self.input
            .get(self.at..)
            .and_then(|rest| rest.get(..n))
            .ok_or(Fail::Eof)
    }

    /// `luaL_checkstack(L, 1, text)`.
    fn check_slot(&self, text: &'static str) -> Result<(), Fail> {
        if self.slots + 1 > MAX_SLOTS {
            return Err(Fail::Stack(text));
        }
        Ok(())
    }

    /// One complete value (`mp_decode_to_lua_type`), nested items without recursion.
    fn value(&mut self) -> Result<Value, Fail> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            self.need(1)?;
            self.check_slot(TOO_MANY)?;
            let (is_map, len) = match self.item()? {
                Item::Value(v) => {
                    self.slots += 1;
                    if let Some(v) = self.place(&mut open, v)? {
                        return Ok(v);
                    }
                    continue;
                }
                Item::Array(len) => (false, len),
                Item::Map(len) => (true, len),
            };
            let table = self.lua.create_table()?;
            self.slots += 1;
            if !is_map {
                self.check_slot(ARRAY_OVERFLOW)?;
            }
            if len == 0 {
                if let Some(v) = self.place(&mut open, Value::Table(table))? {
                    return Ok(v);
                }
                continue;
            }
            if !is_map {
                self.slots += 1; // the first index
            }
            open.push(Open {
                table,
                left: len,
                index: 1,
                is_map,
                key: None,
            });
        }
    }

    /// Puts a finished value in the innermost open table, closing each table it fills;
    /// the value itself when no table is open.
    fn place(&mut self, open: &mut Vec<Open>, mut value: Value) -> Result<Option<Value>, Fail> {
        loop {
            let Some(top) = open.last_mut() else {
                return Ok(Some(value));
            };
            if top.is_map && top.key.is_none() {
                top.key = Some(value);
                return Ok(None);
            }
            let key = if top.is_map {
                top.key.take().unwrap_or(Value::Nil)
            } else {
                let i = top.index;
                top.index += 1;
                Value::Integer(i)
            };
            set(&top.table, key, value)?;
            self.slots -= 2;
            top.left -= 1;
            if top.left > 0 {
                if !top.is_map {
                    self.slots += 1; // the next index
                }
                return Ok(None);
            }
            value = Value::Table(top.table.clone());
            open.pop();
        }
    }

    /// Reads one item's header (and a scalar's bytes); the cursor moves past them.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_precision_loss,
        reason = "each width is read as lua-cmsgpack's C casts read it"
    )]
    fn item(&mut self) -> Result<Item, Fail> {
        let tag = self.need(1)?[0];
        let (size, item) = match tag {
            0xc0 => (1, Item::Value(Value::Nil)),
            0xc2 => (1, Item::Value(Value::Boolean(false))),
            0xc3 => (1, Item::Value(Value::Boolean(true))),
            0xcc => (2, Item::Value(int(i64::from(self.need(2)?[1])))),
            0xd0 => (2, Item::Value(int(i64::from(self.need(2)?[1] as i8)))),
            0xcd => (3, Item::Value(int(self.be::<2>()? as i64))),
            0xd1 => (
                3,
                Item::Value(int(i64::from(self.be::<2>()? as u16 as i16))),
            ),
            0xce => (5, Item::Value(int(self.be::<4>()? as i64))),
            0xd2 => (
                5,
                Item::Value(int(i64::from(self.be::<4>()? as u32 as i32))),
            ),
            // uint 64 goes through a signed `lua_Integer` (wrapping), int 64 straight to a
            // double.
            0xcf | 0xd3 => (9, Item::Value(number(self.be::<8>()? as i64 as f64))),
            0xca => {
                let bits = self.be::<4>()? as u32;
                (5, Item::Value(number(f64::from(f32::from_bits(bits)))))
            }
            0xcb => (9, Item::Value(number(f64::from_bits(self.be::<8>()?)))),
            0xd9 => return self.string(1),
            0xda => return self.string(2),
            0xdb => return self.string(4),
            0xdc => (3, Item::Array(self.be::<2>()? as usize)),
            0xdd => (5, Item::Array(self.be::<4>()? as usize)),
            0xde => (3, Item::Map(self.be::<2>()? as usize)),
            0xdf => (5, Item::Map(self.be::<4>()? as usize)),
            0x00..=0x7f => (1, Item::Value(int(i64::from(tag)))),
            0xe0..=0xff => (1, Item::Value(int(i64::from(tag as i8)))),
            0xa0..=0xbf => {
                self.at += 1;
                return self.bytes(usize::from(tag & 0x1f));
            }
            0x90..=0x9f => (1, Item::Array(usize::from(tag & 0x0f))),
            0x80..=0x8f => (1, Item::Map(usize::from(tag & 0x0f))),
            _ => return Err(Fail::BadFormat),
        };
        self.at += size;
        Ok(item)
    }

    /// The `N`-byte big-endian number after the tag byte (`N` at most 8).
    fn be<const N: usize>(&self) -> Result<u64, Fail> {
        let b = self.need(1 + N)?;
        Ok(b[1..]
            .iter()
            .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    }

    /// A `str` with an `n`-byte length after its tag.
    fn string(&mut self, n: usize) -> Result<Item, Fail> {
        #[allow(clippy::cast_possible_truncation, reason = "at most 32 bits")]
        let len = match n {
            1 => self.be::<1>()? as usize,
            2 => self.be::<2>()? as usize,
            _ => self.be::<4>()? as usize,
        };
        self.at += 1 + n;
        self.bytes(len)
    }

    fn bytes(&mut self, len: usize) -> Result<Item, Fail> {
        let b = self.need(len)?;
        let s = self.lua.create_string(b)?;
        self.at += len;
        Ok(Item::Value(Value::String(s)))
    }
}

fn int(n: i64) -> Value {
    Value::Integer(n)
}

fn number(f: f64) -> Value {
    Value::Number(f)
}

/// `lua_settable` on a fresh table: a nil or NaN key is Lua's error (raised where the
/// library runs, so without a script line).
fn set(t: &Table, key: Value, value: Value) -> Result<(), Fail> {
    match key {
        Value::Nil => Err(Fail::Lua(vm_error("table index is nil"))),
        Value::Number(f) if f.is_nan() => Err(Fail::Lua(vm_error("table index is NaN"))),
        key => t.raw_set(key, value).map_err(Fail::Lua),
    }
}
