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

/// Adds every register's value to `histo`. Six bytes hold eight registers little-endian,
/// so each 48-bit load yields eight values with shifts alone (Redis unrolls the same way).
pub(super) fn histogram(r: &[u8], histo: &mut [u32; 64]) {
    for six in r.chunks_exact(6) {
        let w = u64::from_le_bytes([six[0], six[1], six[2], six[3], six[4], six[5], 0, 0]);
        for k in 0..8 {
            #[allow(clippy::cast_possible_truncation, reason = "masked to 6 bits")]
            let v = ((w >> (6 * k)) & 63) as usize;
            histo[v] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_counts_each_register_once() {
        let mut r = vec![0u8; 12_288];
        for i in 0..16_384 {
            #[allow(clippy::cast_possible_truncation, reason = "i % 64 fits")]
            set(&mut r, i, (i % 64) as u8);
        }
        let mut histo = [0u32; 64];
        histogram(&r, &mut histo);
        let mut slow = [0u32; 64];
        (0..16_384).for_each(|i| slow[usize::from(get(&r, i))] += 1);
        assert_eq!(histo, slow);
        assert_eq!(histo[0], 256);
    }
}
