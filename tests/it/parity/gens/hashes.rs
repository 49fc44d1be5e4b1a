//! Hashes.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Exact, Float, Loose, Pairs, Unordered};

fn field_values(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key()];
    a.extend(g.many(1, 3, |g| cmd![g.field(), g.val()]));
    if g.chance(10) {
        a.pop();
    }
    a
}

fn with_fields(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key()];
    a.extend(g.many(1, 3, |g| cmd![g.field()]));
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("hset", Exact, 8, |g| field_values("HSET", g)),
        row("hmset", Exact, 2, |g| field_values("HMSET", g)),
        row("hsetnx", Exact, 2, |g| {
            cmd!["HSETNX", g.key(), g.field(), g.val()]
        }),
        row("hget", Exact, 4, |g| cmd!["HGET", g.key(), g.field()]),
        row("hmget", Exact, 2, |g| with_fields("HMGET", g)),
        row("hdel", Exact, 3, |g| with_fields("HDEL", g)),
        row("hlen", Exact, 2, |g| cmd!["HLEN", g.key()]),
        row("hexists", Exact, 2, |g| cmd!["HEXISTS", g.key(), g.field()]),
        row("hstrlen", Exact, 1, |g| cmd!["HSTRLEN", g.key(), g.field()]),
        row("hgetall", Pairs, 3, |g| cmd!["HGETALL", g.key()]),
        row("hkeys", Unordered, 1, |g| cmd!["HKEYS", g.key()]),
        row("hvals", Unordered, 1, |g| cmd!["HVALS", g.key()]),
        row("hincrby", Exact, 3, |g| {
            cmd!["HINCRBY", g.key(), g.field(), g.int()]
        }),
        row("hincrbyfloat", Float, 2, |g| {
            cmd!["HINCRBYFLOAT", g.key(), g.field(), g.float()]
        })
        .outside_multi(),
        row("hrandfield", Loose, 1, |g| {
            let mut a = cmd!["HRANDFIELD", g.key()];
            if g.chance(70) {
                a.push(g.small());
                if g.chance(50) {
                    a.push(g.pick(&["WITHVALUES", "BAD"]));
                }
            }
            a
        }),
    ]
}
