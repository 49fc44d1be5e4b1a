//! The compact blobs Redis stores inside RDB strings: listpacks (7.0's small lists, hashes and
//! sets' siblings, zsets), ziplists (older files) and intsets. Each is decoded into its
//! elements as byte strings (integers as their decimal text, as Redis returns them).
//!
//! Offsets in errors are relative to the blob; the caller adds where the blob starts.

use super::input::{Damage, Read};
use crate::types::{Bytes, bytes};

fn damage<T>(offset: usize, what: &'static str) -> Read<T> {
    Err(Damage {
        offset,
        what: what.into(),
    })
}

fn get(b: &[u8], at: usize, n: usize) -> Read<&[u8]> {
    match b.get(at..at.saturating_add(n)) {
        Some(s) if s.len() == n => Ok(s),
        _ => damage(at, "packed entry runs past its blob"),
    }
}

fn int_bytes(n: i64) -> Bytes {
    bytes(n.to_string().as_bytes())
}

/// Sign-extends the low `bits` of `v`.
fn signed(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    #[allow(
        clippy::cast_possible_wrap,
        reason = "two's complement reinterpretation"
    )]
    let v = (v << shift) as i64;
    v >> shift
}

fn le(b: &[u8]) -> u64 {
    b.iter()
        .rev()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

/// Bytes the listpack back-length of an entry of `len` bytes takes.
fn backlen_size(len: usize) -> usize {
    match len {
        0..128 => 1,
        128..16_384 => 2,
        16_384..2_097_152 => 3,
        2_097_152..268_435_456 => 4,
        _ => 5,
    }
}

/// The elements of a listpack (`listpack.c`): a 6-byte header (total bytes, count), entries
/// each followed by its back-length, and 0xFF.
pub(crate) fn listpack(b: &[u8]) -> Read<Vec<Bytes>> {
    let header = get(b, 0, 6)?;
    let total = usize::try_from(le(&header[..4])).unwrap_or(usize::MAX);
    if total != b.len() {
        return damage(0, "listpack size does not match its header");
    }
    let mut out = Vec::new();
    let mut at = 6;
    loop {
        let first = *get(b, at, 1)?.first().unwrap_or(&0xff);
        if first == 0xff {
            break;
        }
        let (elem, len) = listpack_entry(b, at, first)?;
        out.push(elem);
        at += len + backlen_size(len);
    }
    if at + 1 != b.len() {
        return damage(at, "listpack ends before its last byte");
    }
    let count = le(&header[4..6]);
    // 65535 means "count unknown" (a listpack with more elements than fit).
    if count != 65_535 && count != out.len() as u64 {
        return damage(4, "listpack element count does not match its entries");
    }
    Ok(out)
}

/// One listpack entry at `at` (first byte `first`): the element and the entry's length
/// without its back-length.
fn listpack_entry(b: &[u8], at: usize, first: u8) -> Read<(Bytes, usize)> {
    let int = |n: usize, bits: u32| -> Read<(Bytes, usize)> {
        let v = le(get(b, at + 1, n)?);
        Ok((int_bytes(signed(v, bits)), 1 + n))
    };
    let string = |skip: usize, len: usize| -> Read<(Bytes, usize)> {
        Ok((bytes(get(b, at + skip, len)?), skip + len))
    };
    match first {
        0x00..=0x7f => Ok((int_bytes(i64::from(first)), 1)),
        0x80..=0xbf => string(1, usize::from(first & 0x3f)),
        0xc0..=0xdf => {
            let low = get(b, at + 1, 1)?[0];
            let v = (u64::from(first & 0x1f) << 8) | u64::from(low);
            Ok((int_bytes(signed(v, 13)), 2))
        }
        0xe0..=0xef => {
            let low = get(b, at + 1, 1)?[0];
            string(2, (usize::from(first & 0x0f) << 8) | usize::from(low))
        }
        0xf0 => {
            let len = usize::try_from(le(get(b, at + 1, 4)?)).unwrap_or(usize::MAX);
            string(5, len)
        }
        0xf1 => int(2, 16),
        0xf2 => int(3, 24),
        0xf3 => int(4, 32),
        0xf4 => int(8, 64),
        _ => damage(at, "unknown listpack entry encoding"),
    }
}

/// The elements of a ziplist (`ziplist.c`, files before 7.0): a 10-byte header, entries
/// (previous length, encoding, data) and 0xFF.
pub(crate) fn ziplist(b: &[u8]) -> Read<Vec<Bytes>> {
    let header = get(b, 0, 10)?;
    if usize::try_from(le(&header[..4])).ok() != Some(b.len()) {
        return damage(0, "ziplist size does not match its header");
    }
    let mut out = Vec::new();
    let mut at = 10;
    loop {
        let first = get(b, at, 1)?[0];
        if first == 0xff {
            break;
        }
        at += if first == 0xfe { 5 } else { 1 };
        let (elem, len) = ziplist_entry(b, at)?;
        out.push(elem);
        at += len;
    }
    if at + 1 != b.len() {
        return damage(at, "ziplist ends before its last byte");
    }
    let count = le(&header[8..10]);
    if count != 65_535 && count != out.len() as u64 {
        return damage(8, "ziplist element count does not match its entries");
    }
    Ok(out)
}

/// One ziplist entry's encoding and data at `at`: the element and the bytes it took.
fn ziplist_entry(b: &[u8], at: usize) -> Read<(Bytes, usize)> {
    let enc = get(b, at, 1)?[0];
    let int = |n: usize, bits: u32| -> Read<(Bytes, usize)> {
        Ok((int_bytes(signed(le(get(b, at + 1, n)?), bits)), 1 + n))
    };
    let string = |skip: usize, len: usize| -> Read<(Bytes, usize)> {
        Ok((bytes(get(b, at + skip, len)?), skip + len))
    };
    match enc >> 6 {
        0 => string(1, usize::from(enc & 0x3f)),
        1 => {
            let low = get(b, at + 1, 1)?[0];
            string(2, (usize::from(enc & 0x3f) << 8) | usize::from(low))
        }
        2 => {
            let n = get(b, at + 1, 4)?;
            let len = u32::from_be_bytes([n[0], n[1], n[2], n[3]]);
            string(5, usize::try_from(len).unwrap_or(usize::MAX))
        }
        _ => match enc {
            0xc0 => int(2, 16),
            0xd0 => int(4, 32),
            0xe0 => int(8, 64),
            0xf0 => int(3, 24),
            0xfe => int(1, 8),
            0xf1..=0xfd => Ok((int_bytes(i64::from(enc & 0x0f) - 1), 1)),
            _ => damage(at, "unknown ziplist entry encoding"),
        },
    }
}

/// The members of an intset (`intset.c`): element width (2, 4 or 8), count, then sorted
/// little-endian integers.
pub(crate) fn intset(b: &[u8]) -> Read<Vec<Bytes>> {
    let header = get(b, 0, 8)?;
    let width = usize::try_from(le(&header[..4])).unwrap_or(0);
    if !matches!(width, 2 | 4 | 8) {
        return damage(0, "unknown intset encoding");
    }
    let count = usize::try_from(le(&header[4..8])).unwrap_or(usize::MAX);
    if count.checked_mul(width).and_then(|n| n.checked_add(8)) != Some(b.len()) {
        return damage(4, "intset length does not match its count");
    }
    #[allow(clippy::cast_possible_truncation, reason = "width is 2, 4 or 8")]
    let bits = (width * 8) as u32;
    Ok(b[8..]
        .chunks_exact(width)
        .map(|c| int_bytes(signed(le(c), bits)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[Bytes]) -> Vec<String> {
        v.iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    #[test]
    fn decodes_a_listpack_of_small_and_negative_ints_and_strings() {
        // 7-bit 5, 13-bit -1 (0x1fff), 6-bit string "ab", 16-bit 1000.
        let mut lp = vec![0, 0, 0, 0, 4, 0];
        lp.extend_from_slice(&[0x05, 1]);
        lp.extend_from_slice(&[0xdf, 0xff, 2]);
        lp.extend_from_slice(&[0x82, b'a', b'b', 3]);
        lp.extend_from_slice(&[0xf1, 0xe8, 0x03, 3]);
        lp.push(0xff);
        let total = u32::try_from(lp.len()).unwrap();
        lp[..4].copy_from_slice(&total.to_le_bytes());
        assert_eq!(strs(&listpack(&lp).unwrap()), ["5", "-1", "ab", "1000"]);
    }

    #[test]
    fn decodes_a_ziplist_with_immediate_and_wide_ints() {
        let mut zl = vec![0; 10];
        zl.extend_from_slice(&[0, 0xf2]); // immediate 1
        zl.extend_from_slice(&[2, 0xfe, 0x80]); // int8 -128
        zl.extend_from_slice(&[3, 0x02, b'h', b'i']);
        zl.push(0xff);
        let total = u32::try_from(zl.len()).unwrap();
        zl[..4].copy_from_slice(&total.to_le_bytes());
        zl[8] = 3;
        assert_eq!(strs(&ziplist(&zl).unwrap()), ["1", "-128", "hi"]);
    }

    #[test]
    fn decodes_an_intset_and_rejects_a_short_one() {
        let mut is = vec![2, 0, 0, 0, 2, 0, 0, 0];
        is.extend_from_slice(&(-3i16).to_le_bytes());
        is.extend_from_slice(&7i16.to_le_bytes());
        assert_eq!(strs(&intset(&is).unwrap()), ["-3", "7"]);
        assert!(intset(&is[..10]).is_err());
    }
}
