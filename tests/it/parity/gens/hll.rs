//! `HyperLogLog`: PFADD PFCOUNT PFMERGE on their own keys `h1`, `h2` and on the shared `k*`
//! keys (WRONGTYPE, strings that are not HLLs), with GET showing the stored bytes.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::Exact;

const KEYS: &[&str] = &["h1", "h2", "h1", "h2", "k1", "k2"];

fn key(g: &mut G) -> String {
    g.pick(KEYS)
}

fn pfadd(g: &mut G) -> Vec<String> {
    let mut a = cmd!["PFADD", key(g)];
    // Mostly fresh elements (so the sparse form grows and gets promoted), some repeats.
    for _ in 0..g.rng.below(40) {
        if g.chance(20) {
            a.push(g.member());
        } else {
            a.push(format!("e{}", g.rng.below(5000)));
        }
    }
    a
}

fn keys(g: &mut G, name: &str, min: usize) -> Vec<String> {
    let mut a = cmd![name];
    for _ in 0..min + g.rng.below(3) {
        a.push(key(g));
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("pfadd", Exact, 8, pfadd),
        row("pfcount", Exact, 3, |g| keys(g, "PFCOUNT", 1)),
        row("pfmerge", Exact, 2, |g| keys(g, "PFMERGE", 1)),
        row("get", Exact, 2, |g| cmd!["GET", g.pick(&["h1", "h2"])]),
    ]
}
