//! `MurmurHash64A`, the 64-bit `MurmurHash2` Redis hashes `HyperLogLog` elements with
//! (endian-neutral: words are read little-endian on every target).

const M: u64 = 0xc6a4_a793_5bd1_e995;
const R: u32 = 47;

/// The hash of `key` with `seed`, bit for bit Redis's `MurmurHash64A`.
pub(crate) fn murmur64a(key: &[u8], seed: u64) -> u64 {
    // Redis multiplies `len * m` in 64 bits, then xors with the 32-bit seed.
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut words = key.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let mut k = u64::from_le_bytes(b);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}
