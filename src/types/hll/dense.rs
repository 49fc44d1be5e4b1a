//! Dense registers: 16384 six-bit values packed little-endian into 12288 bytes, as Redis's
//! `HLL_DENSE_GET_REGISTER` / `HLL_DENSE_SET_REGISTER` lay them out.

/// Register `i` of the packed registers `r`.
pub(super) fn get(r: &[u8], i: usize) -> u8 {
    let byte = i * 6 / 8;
    let fb = (i * 6) & 7;
    let b0 = u16::from(r[byte]);
    let b1 = u16::from(r.get(byte + 1).copied().unwrap_or(0));
    #[allow(clippy::cast_possible_truncation, reason = "masked to 6 bits")]
    let v = (((b0 >> fb) | (b1 << (8 - fb))) & 63) as u8;
    v
}

/// Writes register `i` (the value fits 6 bits).
#[allow(
    clippy::cast_possible_truncation,
    reason = "the shifted parts are single bytes"
)]
fn put(r: &mut [u8], i: usize, v: u8) {
    let byte = i * 6 / 8;
    let fb = (i * 6) & 7;
    let v = u16::from(v);
    r[byte] &= !((63u16 << fb) as u8);
    r[byte] |= (v << fb) as u8;
    if let Some(next) = r.get_mut(byte + 1) {
        *next &= !((63u16 >> (8 - fb)) as u8);
        *next |= (v >> (8 - fb)) as u8;
    }
}

/// Raises register `i` to `count`; true when it grew.
pub(super) fn set(r: &mut [u8], i: usize, count: u8) -> bool {
    if count > get(r, i) {
        put(r, i, count);
        true
    } else {
        false
    }
}
