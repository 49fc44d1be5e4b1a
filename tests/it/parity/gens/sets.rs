//! Sets. Random picks are compared loosely; plain SPOP is never generated.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Exact, Loose, Unordered};

fn members(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key()];
    a.extend(g.many(1, 3, |g| cmd![g.member()]));
    a
}

fn keys(name: &str, g: &mut G, min: usize) -> Vec<String> {
    let mut a = cmd![name];
    a.extend(g.keys(min, 3));
    a
}

fn sintercard(g: &mut G) -> Vec<String> {
    let n = g.rng.below(3) + 1;
    let mut a = cmd!["SINTERCARD", g.pick(&["1", "2", "3", "0", "x"])];
    a.extend(g.keys(n, n));
    if g.chance(30) {
        a.extend(cmd!["LIMIT", g.small()]);
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("sadd", Exact, 8, |g| members("SADD", g)),
        row("srem", Exact, 3, |g| members("SREM", g)),
        row("smembers", Unordered, 3, |g| cmd!["SMEMBERS", g.key()]),
        row("sismember", Exact, 2, |g| {
            cmd!["SISMEMBER", g.key(), g.member()]
        }),
        row("smismember", Exact, 1, |g| members("SMISMEMBER", g)),
        row("scard", Exact, 2, |g| cmd!["SCARD", g.key()]),
        // A count at least the set's size pops everything: no randomness.
        row("spop", Unordered, 1, |g| {
            cmd!["SPOP", g.key(), g.pick(&["100", "0", "-1", "abc"])]
        }),
        row("srandmember", Loose, 1, |g| {
            let mut a = cmd!["SRANDMEMBER", g.key()];
            if g.chance(70) {
                a.push(g.small());
            }
            a
        }),
        row("smove", Exact, 2, |g| {
            cmd!["SMOVE", g.key(), g.key(), g.member()]
        }),
        row("sinter", Unordered, 2, |g| keys("SINTER", g, 1)),
        row("sunion", Unordered, 2, |g| keys("SUNION", g, 1)),
        row("sdiff", Unordered, 2, |g| keys("SDIFF", g, 1)),
        row("sinterstore", Exact, 1, |g| keys("SINTERSTORE", g, 2)),
        row("sunionstore", Exact, 1, |g| keys("SUNIONSTORE", g, 2)),
        row("sdiffstore", Exact, 1, |g| keys("SDIFFSTORE", g, 2)),
        row("sintercard", Exact, 1, sintercard),
    ]
}
