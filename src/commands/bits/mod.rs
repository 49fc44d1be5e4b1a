//! Bitmaps: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD, on string values.
//!
//! A bitmap is a plain string: bit 0 is the most significant bit of byte 0, as in Redis.
//! Offsets are capped at Redis's `proto-max-bulk-len` (512 MiB of bytes), which bounds how
//! far one write can grow a string.

mod count;
mod field;
mod op;

use super::ctx::{Ctx, Res, err, wrongtype};
use super::{ONE, Spec, W, data as spec};
use crate::effects::ev;
use crate::numbers::parse_i64;
use crate::reply::Reply;
use crate::types::{Bytes, Value};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("setbit", 4, W, ONE, setbit),
    spec("getbit", 3, 0, ONE, getbit),
    spec("bitcount", -2, 0, ONE, count::bitcount),
    spec("bitpos", -3, 0, ONE, count::bitpos),
    spec("bitop", -4, W, op::KEYS, op::bitop),
    spec("bitfield", -2, W, ONE, field::bitfield),
    spec("bitfield_ro", -2, 0, ONE, field::bitfield_ro),
];

/// Redis's text for a bad offset (not an integer, negative, or past 512 MiB).
const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";

/// A bit offset as Redis reads it; with `width` set, `#n` means `n * width` (BITFIELD). The
/// byte it falls in must be below `max` (`proto-max-bulk-len`).
fn offset(raw: &[u8], width: Option<u32>, max: usize) -> Res<u64> {
    let (digits, scale) = match (raw.first(), width) {
        (Some(b'#'), Some(w)) => (&raw[1..], u64::from(w)),
        _ => (raw, 1),
    };
    let n = parse_i64(digits).and_then(|n| u64::try_from(n).ok());
    match n.and_then(|n| n.checked_mul(scale)) {
        Some(bit) if bit >> 3 < max as u64 => Ok(bit),
        _ => err(BAD_OFFSET),
    }
}

/// The string at `key` as bytes (empty when missing); WRONGTYPE for other types.
fn read<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c [u8]>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(_) => Err(wrongtype()),
    }
}

/// Byte index and in-byte mask of a bit offset (already bounded by [`offset`]).
#[allow(
    clippy::cast_possible_truncation,
    reason = "offsets are below 2^32 bytes, which fits usize on the 64-bit targets we build"
)]
fn locate(bit: u64) -> (usize, u8) {
    ((bit >> 3) as usize, 0x80 >> (bit & 7))
}

/// Opens `key` for a bit write reaching `last_bit`, zero-extending it; the flag says whether
/// it was created or grew (Redis counts either as a change).
fn open_for_bits<'c>(
    ctx: &'c mut Ctx<'_, '_>,
    key: &'c [u8],
    last_bit: u64,
) -> Res<(super::ctx::KeyMut<'c>, bool)> {
    if !matches!(ctx.get(key)?, None | Some(Value::Str(_))) {
        return Err(wrongtype());
    }
    let (mut e, created) = ctx.get_or_create(key, || Value::Str(Bytes::new()))?;
    let Value::Str(s) = e.value_mut() else {
        return Err(wrongtype());
    };
    let need = locate(last_bit).0 + 1;
    let grew = s.len() < need;
    if grew {
        s.resize(need, 0);
    }
    Ok((e, created || grew))
}

fn setbit(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let bit = offset(a[2], None, ctx.shared.server.live.proto_max_bulk_len())?;
    let on = match parse_i64(a[3]) {
        Some(v @ (0 | 1)) => v == 1,
        _ => return err("ERR bit is not an integer or out of range"),
    };
    let (mut e, dirty) = open_for_bits(ctx, a[1], bit)?;
    let (byte, mask) = locate(bit);
    let Value::Str(s) = e.value_mut() else {
        return Err(wrongtype());
    };
    let was = s[byte] & mask != 0;
    if on {
        s[byte] |= mask;
    } else {
        s[byte] &= !mask;
    }
    // Redis signals only a real change (or a created / grown string).
    if dirty || was != on {
        e.signal(ev::SETBIT);
    }
    Ok(Reply::Integer(i64::from(was)))
}

fn getbit(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let bit = offset(a[2], None, ctx.shared.server.live.proto_max_bulk_len())?;
    let s = read(ctx, a[1])?.unwrap_or_default();
    let (byte, mask) = locate(bit);
    let set = s.get(byte).is_some_and(|b| b & mask != 0);
    Ok(Reply::Integer(i64::from(set)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_offsets_scale_by_the_width() {
        const TEST_MAX: usize = 512 << 20;
        assert_eq!(offset(b"#3", Some(8), TEST_MAX).ok(), Some(24));
        assert_eq!(offset(b"#3", None, TEST_MAX).ok(), None);
        assert_eq!(
            offset(b"4294967295", None, TEST_MAX).ok(),
            Some(4_294_967_295)
        );
        assert!(offset(b"4294967296", None, TEST_MAX).is_err());
        assert!(offset(b"-1", None, TEST_MAX).is_err());
        assert!(offset(b"#9223372036854775807", Some(8), TEST_MAX).is_err());
    }
}
