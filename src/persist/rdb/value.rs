//! One value in RDB form (`rdbSaveObject` / `rdbLoadObject`): what DUMP payloads and each
//! key of an RDB file hold after the type byte.
//!
//! Writing uses the plainest encodings redis-server 7.0 loads (raw strings, `LIST`, `SET`,
//! `ZSET_2`, `HASH`); reading accepts every encoding 7.0 writes and the older ones it loads.

use super::input::{Input, Read};
use super::packed;
use crate::types::{Bytes, HashValue, ListValue, SetValue, Value, ZSet, bytes};

/// RDB value types (rdb.h).
pub(crate) mod ty {
    pub(crate) const STRING: u8 = 0;
    pub(crate) const LIST: u8 = 1;
    pub(crate) const SET: u8 = 2;
    pub(crate) const ZSET: u8 = 3;
    pub(crate) const HASH: u8 = 4;
    pub(crate) const ZSET_2: u8 = 5;
    pub(crate) const MODULE: u8 = 6;
    pub(crate) const MODULE_2: u8 = 7;
    pub(crate) const HASH_ZIPMAP: u8 = 9;
    pub(crate) const LIST_ZIPLIST: u8 = 10;
    pub(crate) const SET_INTSET: u8 = 11;
    pub(crate) const ZSET_ZIPLIST: u8 = 12;
    pub(crate) const HASH_ZIPLIST: u8 = 13;
    pub(crate) const LIST_QUICKLIST: u8 = 14;
    pub(crate) const STREAM_LISTPACKS: u8 = 15;
    pub(crate) const HASH_LISTPACK: u8 = 16;
    pub(crate) const ZSET_LISTPACK: u8 = 17;
    pub(crate) const LIST_QUICKLIST_2: u8 = 18;
    pub(crate) const STREAM_LISTPACKS_2: u8 = 19;
}

/// Whether `t` is a value type byte (as opposed to an opcode, 245 and up).
pub(crate) fn is_value_type(t: u8) -> bool {
    t <= 19 || t == 20 || t == 21
}

// ---- writing -------------------------------------------------------------------------

/// Appends an RDB length.
pub(crate) fn put_len(out: &mut Vec<u8>, n: usize) {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "each arm checked the range"
    )]
    match n {
        0..64 => out.push(n as u8),
        64..16_384 => out.extend_from_slice(&[0x40 | (n >> 8) as u8, n as u8]),
        _ => {
            if let Ok(n) = u32::try_from(n) {
                out.push(0x80);
                out.extend_from_slice(&n.to_be_bytes());
            } else {
                out.push(0x81);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
    }
}

/// Appends a raw string.
pub(crate) fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    put_len(out, s.len());
    out.extend_from_slice(s);
}

/// The type byte `value` is written with.
pub(crate) fn type_of(value: &Value) -> u8 {
    match value {
        Value::Str(_) => ty::STRING,
        Value::List(_) => ty::LIST,
        Value::Set(_) => ty::SET,
        Value::ZSet(_) => ty::ZSET_2,
        Value::Hash(_) => ty::HASH,
    }
}

/// Appends `value`'s encoding (without its type byte).
pub(crate) fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Str(s) => put_str(out, s),
        Value::List(l) => {
            put_len(out, l.len());
            l.iter().for_each(|e| put_str(out, e));
        }
        Value::Set(s) => {
            put_len(out, s.len());
            s.iter().for_each(|m| put_str(out, m));
        }
        Value::ZSet(z) => {
            put_len(out, z.len());
            // Redis writes the skiplist from its tail, so loading (which inserts at the
            // head when scores only grow) stays linear; order does not matter to us.
            for (member, score) in z.iter() {
                put_str(out, member);
                out.extend_from_slice(&score.to_le_bytes());
            }
        }
        Value::Hash(h) => {
            put_len(out, h.len());
            for (f, v) in h.iter() {
                put_str(out, f);
                put_str(out, v);
            }
        }
    }
}

// ---- reading -------------------------------------------------------------------------

/// Reads a value of RDB type `t`. `None` for a container with no elements, which Redis
/// skips when loading a file (and RESTORE refuses).
pub(crate) fn read_value(inp: &mut Input<'_>, t: u8) -> Read<Option<Value>> {
    let value = match t {
        ty::STRING => Value::Str(bytes(&inp.string()?)),
        ty::LIST | ty::SET => plain_list_or_set(inp, t)?,
        ty::ZSET | ty::ZSET_2 => Value::ZSet(Box::new(plain_zset(inp, t)?)),
        ty::HASH => Value::Hash(Box::new(plain_hash(inp)?)),
        ty::LIST_QUICKLIST | ty::LIST_QUICKLIST_2 => quicklist(inp, t)?,
        ty::LIST_ZIPLIST => Value::List(Box::new(blob(inp, packed::ziplist)?.into())),
        ty::SET_INTSET => {
            let items = blob(inp, packed::intset)?;
            set_of(inp, items)?
        }
        ty::ZSET_ZIPLIST => {
            let items = blob(inp, packed::ziplist)?;
            zset_of(inp, &items)?
        }
        ty::ZSET_LISTPACK => {
            let items = blob(inp, packed::listpack)?;
            zset_of(inp, &items)?
        }
        ty::HASH_ZIPLIST => {
            let items = blob(inp, packed::ziplist)?;
            hash_of(inp, items)?
        }
        ty::HASH_LISTPACK => {
            let items = blob(inp, packed::listpack)?;
            hash_of(inp, items)?
        }
        ty::HASH_ZIPMAP => {
            return inp.damage("zipmap hashes (RDB before version 4) are not supported");
        }
        ty::STREAM_LISTPACKS | ty::STREAM_LISTPACKS_2 | 21 => {
            return inp.damage("streams are not supported by redlite");
        }
        ty::MODULE | ty::MODULE_2 => {
            return inp.damage("module values are not supported by redlite");
        }
        20 => return inp.damage("listpack sets (RDB 11, Redis 7.2) are not supported"),
        _ => return inp.damage(format!("unknown value type {t}")),
    };
    Ok((!value.is_empty_container()).then_some(value))
}

/// A packed blob inside a string, decoded by `decode`, with its offsets made absolute.
fn blob(inp: &mut Input<'_>, decode: fn(&[u8]) -> Read<Vec<Bytes>>) -> Read<Vec<Bytes>> {
    let start = inp.pos();
    let data = inp.string()?;
    decode(&data).map_err(|mut d| {
        d.offset += start;
        d
    })
}

fn plain_list_or_set(inp: &mut Input<'_>, t: u8) -> Read<Value> {
    let n = inp.count(1)?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        items.push(bytes(&inp.string()?));
    }
    if t == ty::LIST {
        Ok(Value::List(Box::new(ListValue::from(items))))
    } else {
        set_of(inp, items)
    }
}

fn set_of(inp: &Input<'_>, items: Vec<Bytes>) -> Read<Value> {
    let mut set = SetValue::with_capacity_and_hasher(items.len(), crate::types::Hasher::default());
    for m in items {
        if !set.insert(m) {
            return inp.damage("duplicate set member");
        }
    }
    Ok(Value::Set(Box::new(set)))
}

fn plain_zset(inp: &mut Input<'_>, t: u8) -> Read<ZSet> {
    let n = inp.count(2)?;
    let mut z = ZSet::new();
    for _ in 0..n {
        let member = inp.string()?;
        let score = if t == ty::ZSET_2 {
            inp.binary_double()?
        } else {
            inp.text_double()?
        };
        if score.is_nan() {
            return inp.damage("a sorted set score that is NaN");
        }
        if z.insert(&member, score).is_some() {
            return inp.damage("duplicate sorted set member");
        }
    }
    Ok(z)
}

/// A zset from a packed member, score, member, score ... sequence.
fn zset_of(inp: &Input<'_>, items: &[Bytes]) -> Read<Value> {
    if items.len() % 2 != 0 {
        return inp.damage("a packed sorted set with an odd number of entries");
    }
    let mut z = ZSet::new();
    for pair in items.chunks_exact(2) {
        let score = crate::numbers::parse_double(&pair[1]);
        let Some(score) = score.filter(|s| !s.is_nan()) else {
            return inp.damage("a packed sorted set score that is not a number");
        };
        if z.insert(&pair[0], score).is_some() {
            return inp.damage("duplicate sorted set member");
        }
    }
    Ok(Value::ZSet(Box::new(z)))
}

fn plain_hash(inp: &mut Input<'_>) -> Read<HashValue> {
    let n = inp.count(2)?;
    let mut h = HashValue::with_capacity_and_hasher(n, crate::types::Hasher::default());
    for _ in 0..n {
        let field = bytes(&inp.string()?);
        let value = bytes(&inp.string()?);
        if h.insert(field, value).is_some() {
            return inp.damage("duplicate hash field");
        }
    }
    Ok(h)
}

/// A hash from a packed field, value, field, value ... sequence.
fn hash_of(inp: &Input<'_>, items: Vec<Bytes>) -> Read<Value> {
    if items.len() % 2 != 0 {
        return inp.damage("a packed hash with an odd number of entries");
    }
    let mut h =
        HashValue::with_capacity_and_hasher(items.len() / 2, crate::types::Hasher::default());
    let mut it = items.into_iter();
    while let (Some(f), Some(v)) = (it.next(), it.next()) {
        if h.insert(f, v).is_some() {
            return inp.damage("duplicate hash field");
        }
    }
    Ok(Value::Hash(Box::new(h)))
}

/// Quicklist nodes: ziplists (type 14), or (type 18) each a container kind (1 plain
/// element, 2 a listpack) and its data.
fn quicklist(inp: &mut Input<'_>, t: u8) -> Read<Value> {
    let nodes = inp.count(1)?;
    let mut list = ListValue::new();
    for _ in 0..nodes {
        let container = if t == ty::LIST_QUICKLIST_2 {
            inp.len()?
        } else {
            2
        };
        match container {
            1 => list.push_back(bytes(&inp.string()?)),
            2 if t == ty::LIST_QUICKLIST_2 => list.extend(blob(inp, packed::listpack)?),
            2 => list.extend(blob(inp, packed::ziplist)?),
            _ => return inp.damage("unknown quicklist node container"),
        }
    }
    Ok(Value::List(Box::new(list)))
}

// ---- DUMP payloads ---------------------------------------------------------------------

/// Why a payload was refused, in Redis's two words for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PayloadError {
    /// `ERR DUMP payload version or checksum are wrong`.
    VersionOrChecksum,
    /// `ERR Bad data format`.
    BadFormat,
}

/// `value` as a DUMP payload: type byte, encoding, RDB version (2 bytes LE), CRC64 (8 LE).
pub(crate) fn dump(value: &Value) -> Vec<u8> {
    let mut out = vec![type_of(value)];
    put_value(&mut out, value);
    seal(&mut out);
    out
}

/// Appends a payload's footer: the RDB version (2 bytes LE) and the CRC64 of all before.
pub(crate) fn seal(out: &mut Vec<u8>) {
    out.extend_from_slice(&super::VERSION.to_le_bytes());
    let crc = super::crc64::update(0, out);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// The body of a payload whose footer checks out (`verifyDumpPayload`): a version no newer
/// than RDB 10 and a matching CRC64.
///
/// # Errors
///
/// [`PayloadError::VersionOrChecksum`] otherwise.
pub(crate) fn verified_body(payload: &[u8]) -> Result<&[u8], PayloadError> {
    let Some(body_len) = payload.len().checked_sub(10) else {
        return Err(PayloadError::VersionOrChecksum);
    };
    let footer = &payload[body_len..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&footer[2..]);
    if version > super::VERSION
        || super::crc64::update(0, &payload[..body_len + 2]) != u64::from_le_bytes(crc)
    {
        return Err(PayloadError::VersionOrChecksum);
    }
    Ok(&payload[..body_len])
}

/// The value of a DUMP payload (Redis's `verifyDumpPayload`, then `rdbLoadObject`).
///
/// # Errors
///
/// [`PayloadError::VersionOrChecksum`] for a footer newer than RDB 10 or a CRC mismatch;
/// [`PayloadError::BadFormat`] for anything that does not decode to one whole non-empty
/// value of a supported type.
pub(crate) fn restore(payload: &[u8]) -> Result<Value, PayloadError> {
    let mut inp = Input::new(verified_body(payload)?);
    let t = inp.byte().map_err(|_| PayloadError::BadFormat)?;
    match read_value(&mut inp, t) {
        Ok(Some(v)) if inp.at_end() => Ok(v),
        _ => Err(PayloadError::BadFormat),
    }
}

/// An upper bound of [`dump`]'s length, computed without building it (each string costs at
/// most 9 bytes of length prefix, each score 8).
pub(crate) fn dump_size_bound(value: &Value) -> usize {
    let s = |b: &[u8]| b.len() + 9;
    let body = match value {
        Value::Str(b) => s(b),
        Value::List(l) => l.iter().map(|e| s(e)).sum(),
        Value::Set(m) => m.iter().map(|e| s(e)).sum(),
        Value::ZSet(z) => z.iter().map(|(m, _)| s(m) + 8).sum(),
        Value::Hash(h) => h.iter().map(|(f, v)| s(f) + s(v)).sum(),
    };
    body + 1 + 9 + 10
}
