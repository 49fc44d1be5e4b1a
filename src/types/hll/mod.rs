//! `HyperLogLog` values in Redis's exact representation, so that a GET of an HLL key returns
//! the bytes Redis would hold and PFCOUNT gives Redis's numbers.
//!
//! Layout (Redis's `struct hllhdr`): `HYLL`, an encoding byte (0 dense, 1 sparse), three
//! unused bytes, then the cached cardinality as 8 little-endian bytes whose top bit marks
//! the cache stale. Registers follow: 16384 of 6 bits (dense, 12288 bytes), or the sparse
//! run-length opcodes ZERO, XZERO and VAL (see [`sparse`]). A sparse value is promoted to
//! dense when a register passes 32 or the value would pass `hll-sparse-max-bytes`.

mod count;
mod dense;
mod murmur;
mod sparse;

pub(crate) use count::{Registers, count};

use crate::types::Bytes;

/// Header bytes before the registers.
pub(crate) const HDR: usize = 16;
/// Registers (2^14).
pub(crate) const REGISTERS: usize = 1 << P;
const P: u32 = 14;
/// Hash bits left after the register index.
const Q: u32 = 64 - P;
/// A dense value's size: header plus 16384 six-bit registers.
pub(crate) const DENSE_SIZE: usize = HDR + REGISTERS * 6 / 8;
/// Redis's `hll-sparse-max-bytes` default.
pub(crate) const SPARSE_MAX_BYTES: usize = 3000;
/// Redis's seed for element hashes.
const SEED: u64 = 0xadc8_3b19;

const DENSE: u8 = 0;
const SPARSE: u8 = 1;

/// The value is not an HLL Redis would accept (the WRONGTYPE-like text), or its registers
/// are corrupt (Redis's INVALIDOBJ).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Bad {
    NotHll,
    Corrupt,
}

/// Redis's texts for [`Bad`].
pub(crate) const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
pub(crate) const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

/// Redis's `isHLLObjectOrReply`: magic, a known encoding, the dense size.
pub(crate) fn check(v: &[u8]) -> Result<(), Bad> {
    let ok = v.len() >= HDR
        && &v[..4] == b"HYLL"
        && v[4] <= SPARSE
        && (v[4] == SPARSE || v.len() == DENSE_SIZE);
    if ok { Ok(()) } else { Err(Bad::NotHll) }
}

/// A new, empty HLL: sparse, all registers in one XZERO run, cardinality cache 0 (valid).
pub(crate) fn new() -> Bytes {
    let mut v = Bytes::from_slice(b"HYLL");
    v.resize(HDR, 0);
    v[4] = SPARSE;
    sparse::push_zeros(&mut v, REGISTERS);
    v
}

pub(crate) fn is_dense(v: &[u8]) -> bool {
    v[4] == DENSE
}

/// The register and the run length ("000..1" pattern) an element sets.
fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur::murmur64a(element, SEED);
    #[allow(clippy::cast_possible_truncation, reason = "masked to 14 bits")]
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1 << Q);
    #[allow(clippy::cast_possible_truncation, reason = "at most Q + 1 = 51")]
    let count = rest.trailing_zeros() as u8 + 1;
    (index, count)
}

/// Adds one element; true when a register grew.
pub(crate) fn add(v: &mut Bytes, element: &[u8]) -> Result<bool, Bad> {
    let (index, count) = pattern(element);
    set(v, index, count)
}

/// Raises register `index` to `count` (no-op when already at least that).
pub(crate) fn set(v: &mut Bytes, index: usize, count: u8) -> Result<bool, Bad> {
    if is_dense(v) {
        Ok(dense::set(&mut v[HDR..], index, count))
    } else {
        sparse::set(v, index, count)
    }
}

/// Converts a sparse value to dense in place (a dense one is left alone).
pub(crate) fn to_dense(v: &mut Bytes) -> Result<(), Bad> {
    sparse::to_dense(v)
}

/// Marks the cached cardinality stale.
pub(crate) fn invalidate(v: &mut [u8]) {
    v[15] |= 0x80;
}

/// The cached cardinality, if valid.
pub(crate) fn cached(v: &[u8]) -> Option<u64> {
    if v[15] & 0x80 != 0 {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&v[8..16]);
    Some(u64::from_le_bytes(b))
}

pub(crate) fn store_cache(v: &mut [u8], card: u64) {
    v[8..16].copy_from_slice(&card.to_le_bytes());
}

/// Merges `v`'s registers into `max` (one byte per register), keeping the larger.
pub(crate) fn merge_into(max: &mut [u8; REGISTERS], v: &[u8]) -> Result<(), Bad> {
    if is_dense(v) {
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense::get(&v[HDR..], i));
        }
        Ok(())
    } else {
        sparse::merge_into(max, &v[HDR..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_hll_is_sparse_with_one_xzero_run() {
        let v = new();
        assert_eq!(&v[..], b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert_eq!(check(&v), Ok(()));
    }

    #[test]
    fn elements_land_in_the_register_redis_picks() {
        // Read off Redis 7.0's bytes after `PFADD h a`: XZERO 12711, VAL 2x1, XZERO 3672.
        assert_eq!(pattern(b"a"), (12_711, 2));
        let mut v = new();
        assert_eq!(add(&mut v, b"a"), Ok(true));
        assert_eq!(&v[16..], b"q\xa6\x84NW");
    }
}
