//! A Zipf(s) sampler over ranks 0..n (rank 0 the most popular), from a precomputed CDF:
//! O(log n) per draw, deterministic for a seed. Shared by the eviction bench and table.
#![allow(
    dead_code,
    clippy::cast_precision_loss,
    reason = "ranks and 53-bit draws fit an f64 exactly; not every user calls every item"
)]

/// Zipf-distributed ranks.
pub struct Zipf {
    cdf: Vec<f64>,
    rng: u64,
}

impl Zipf {
    /// `n` ranks with exponent `s`, drawn from a xorshift seeded with `seed`.
    pub fn new(n: usize, s: f64, seed: u64) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut sum = 0.0;
        for k in 1..=n {
            sum += 1.0 / (k as f64).powf(s);
            cdf.push(sum);
        }
        for c in &mut cdf {
            *c /= sum;
        }
        Zipf { cdf, rng: seed | 1 }
    }

    /// The next rank.
    pub fn next(&mut self) -> usize {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let u = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

/// The key of a rank, scrambled so that popular keys do not share a prefix.
pub fn key(rank: usize) -> String {
    format!(
        "key:{:012}",
        (rank as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24
    )
}
