//! BITFIELD and `BITFIELD_RO`: integers of 1..64 bits at any bit offset, with Redis's
//! overflow rules (WRAP, SAT, FAIL).

use super::{Ctx, offset, open_for_bits, read};
use crate::commands::ctx::{Res, err, wrongtype};
use crate::commands::parse::{self, is};
use crate::effects::ev;
use crate::error::msg;
use crate::reply::Reply;
use crate::types::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Get,
    Set,
    Incr,
}

/// One parsed operation.
#[derive(Clone, Copy)]
struct FieldOp {
    kind: Kind,
    signed: bool,
    bits: u32,
    offset: u64,
    value: i64,
    overflow: Overflow,
}

const BAD_TYPE: &str = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/// `i1`..`i64` or `u1`..`u63`.
fn field_type(raw: &[u8]) -> Res<(bool, u32)> {
    let signed = match raw.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return err(BAD_TYPE),
    };
    let max = if signed { 64 } else { 63 };
    match crate::numbers::parse_i64(&raw[1..]) {
        Some(n) if (1..=max).contains(&n) => Ok((signed, u32::try_from(n).unwrap_or(1))),
        _ => err(BAD_TYPE),
    }
}

/// Parses every operation first, as Redis does: any error answers before the key is read.
fn parse_ops(a: &[&[u8]], max: usize) -> Res<Vec<FieldOp>> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < a.len() {
        let left = a.len() - j - 1;
        let sub = a[j];
        let kind = if is(sub, "GET") && left >= 2 {
            Kind::Get
        } else if is(sub, "SET") && left >= 3 {
            Kind::Set
        } else if is(sub, "INCRBY") && left >= 3 {
            Kind::Incr
        } else if is(sub, "OVERFLOW") && left >= 1 {
            overflow = match a[j + 1] {
                w if is(w, "WRAP") => Overflow::Wrap,
                w if is(w, "SAT") => Overflow::Sat,
                w if is(w, "FAIL") => Overflow::Fail,
                _ => return err("ERR Invalid OVERFLOW type specified"),
            };
            j += 2;
            continue;
        } else {
            return err(msg::SYNTAX);
        };
        let (signed, bits) = field_type(a[j + 1])?;
        let offset = offset(a[j + 2], Some(bits), max)?;
        let value = if kind == Kind::Get {
            0
        } else {
            parse::int(a[j + 3])?
        };
        ops.push(FieldOp {
            kind,
            signed,
            bits,
            offset,
            value,
            overflow,
        });
        j += if kind == Kind::Get { 3 } else { 4 };
    }
    Ok(ops)
}

pub(super) fn bitfield(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(ctx, a, false)
}

pub(super) fn bitfield_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(ctx, a, true)
}

fn run(ctx: &mut Ctx, a: &[&[u8]], read_only: bool) -> Res {
    let ops = parse_ops(a, ctx.shared.server.live.proto_max_bulk_len())?;
    let last_write = ops
        .iter()
        .filter(|o| o.kind != Kind::Get)
        .map(|o| o.offset + u64::from(o.bits) - 1)
        .max();
    let Some(last_write) = last_write else {
        let s = read(ctx, a[1])?.unwrap_or_default();
        return Ok(Reply::Array(ops.iter().map(|o| get_reply(s, o)).collect()));
    };
    if read_only {
        return err("ERR BITFIELD_RO only supports the GET subcommand");
    }
    let (mut e, dirty) = open_for_bits(ctx, a[1], last_write)?;
    let Value::Str(s) = e.value_mut() else {
        return Err(wrongtype());
    };
    let mut changed = dirty;
    let replies = ops
        .iter()
        .map(|o| {
            if o.kind == Kind::Get {
                return get_reply(s, o);
            }
            let (reply, wrote) = write(s, o);
            changed |= wrote;
            reply
        })
        .collect();
    if changed {
        e.signal(ev::SETBIT);
    }
    Ok(Reply::Array(replies))
}

/// Reads `bits` bits at `offset`, most significant first; bits past the end read as zero.
fn get_bits(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for i in 0..u64::from(bits) {
        let (byte, mask) = super::locate(offset + i);
        let bit = s.get(byte).is_some_and(|b| b & mask != 0);
        v = (v << 1) | u64::from(bit);
    }
    v
}

/// Writes the low `bits` bits of `v` at `offset` (the string already reaches that far).
fn set_bits(s: &mut [u8], offset: u64, bits: u32, v: u64) {
    for i in 0..bits {
        let (byte, mask) = super::locate(offset + u64::from(i));
        let on = (v >> (bits - 1 - i)) & 1 == 1;
        if let Some(b) = s.get_mut(byte) {
            if on {
                *b |= mask;
            } else {
                *b &= !mask;
            }
        }
    }
}

/// Sign-extends a `bits`-wide field.
#[allow(
    clippy::cast_possible_wrap,
    reason = "two's complement reinterpretation"
)]
fn signed(v: u64, bits: u32) -> i64 {
    if bits < 64 && v & (1 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

#[allow(clippy::cast_possible_wrap, reason = "u63 fields fit in i64")]
fn get_reply(s: &[u8], o: &FieldOp) -> Reply {
    let v = get_bits(s, o.offset, o.bits);
    Reply::Integer(if o.signed {
        signed(v, o.bits)
    } else {
        v as i64
    })
}

/// SET or INCRBY: the reply (old value for SET, new for INCRBY, nil when FAIL refused) and
/// whether the stored bits changed.
#[allow(
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "two's complement reinterpretation"
)]
fn write(s: &mut [u8], o: &FieldOp) -> (Reply, bool) {
    let raw = get_bits(s, o.offset, o.bits);
    let (old, incr, base) = if o.signed {
        let old = signed(raw, o.bits);
        match o.kind {
            Kind::Incr => (old, o.value, old),
            _ => (old, 0, o.value),
        }
    } else {
        match o.kind {
            Kind::Incr => (raw as i64, o.value, raw as i64),
            _ => (raw as i64, 0, o.value),
        }
    };
    let checked = if o.signed {
        signed_overflow(base, incr, o.bits, o.overflow)
    } else {
        unsigned_overflow(base as u64, incr, o.bits, o.overflow).map(|v| v as i64)
    };
    let Some(new) = checked else {
        return (Reply::Nil, false);
    };
    set_bits(s, o.offset, o.bits, new as u64);
    let reply = if o.kind == Kind::Incr { new } else { old };
    (Reply::Integer(reply), new != old)
}

/// `value + incr` stored unsigned in `bits` bits: wrapped, saturated, or `None` (FAIL).
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    };
    let over = value > max || (incr > 0 && incr.unsigned_abs() > max - value.min(max));
    let under = !over && incr < 0 && incr.unsigned_abs() > value;
    if !over && !under {
        return Some(value.wrapping_add_signed(incr));
    }
    match ow {
        Overflow::Wrap => Some(value.wrapping_add_signed(incr) & max),
        Overflow::Sat => Some(if over { max } else { 0 }),
        Overflow::Fail => None,
    }
}

/// `value + incr` stored signed in `bits` bits: wrapped, saturated, or `None` (FAIL).
#[allow(
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "two's complement arithmetic, as Redis does it"
)]
fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let sum = i128::from(value) + i128::from(incr);
    let over = sum > i128::from(max);
    let under = sum < i128::from(min);
    if !over && !under {
        // In range of `bits` <= 64 bits here, so it fits i64.
        return i64::try_from(sum).ok();
    }
    match ow {
        Overflow::Wrap => Some(signed(
            (value as u64).wrapping_add(incr as u64) & mask(bits),
            bits,
        )),
        Overflow::Sat => Some(if over { max } else { min }),
        Overflow::Fail => None,
    }
}

fn mask(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}
