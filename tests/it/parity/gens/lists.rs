//! Lists (blocking variants excluded: they would block the Redis side).

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::Exact;

fn push(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key()];
    a.extend(g.many(1, 3, |g| cmd![g.member()]));
    a
}

fn pop(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key()];
    if g.chance(40) {
        a.push(g.small());
    }
    a
}

fn end(g: &mut G) -> String {
    g.pick(&["LEFT", "RIGHT", "left", "MIDDLE"])
}

fn lpos(g: &mut G) -> Vec<String> {
    let mut a = cmd!["LPOS", g.key(), g.member()];
    for _ in 0..g.rng.below(3) {
        let opt = g.pick(&["RANK", "COUNT", "MAXLEN", "BAD"]);
        a.extend(cmd![opt, g.small()]);
    }
    a
}

fn lmpop(g: &mut G) -> Vec<String> {
    let n = g.rng.below(3) + 1;
    let mut a = cmd!["LMPOP", n.to_string()];
    a.extend(g.keys(n, n));
    a.push(end(g));
    if g.chance(40) {
        a.extend(cmd!["COUNT", g.small()]);
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("lpush", Exact, 6, |g| push("LPUSH", g)),
        row("rpush", Exact, 6, |g| push("RPUSH", g)),
        row("lpushx", Exact, 1, |g| push("LPUSHX", g)),
        row("rpushx", Exact, 1, |g| push("RPUSHX", g)),
        row("lpop", Exact, 3, |g| pop("LPOP", g)),
        row("rpop", Exact, 3, |g| pop("RPOP", g)),
        row("llen", Exact, 2, |g| cmd!["LLEN", g.key()]),
        row("lrange", Exact, 4, |g| {
            cmd!["LRANGE", g.key(), g.small(), g.small()]
        }),
        row("lindex", Exact, 2, |g| cmd!["LINDEX", g.key(), g.small()]),
        row("lset", Exact, 2, |g| {
            cmd!["LSET", g.key(), g.small(), g.member()]
        }),
        row("linsert", Exact, 2, |g| {
            let pos = g.pick(&["BEFORE", "AFTER", "after", "BAD"]);
            cmd!["LINSERT", g.key(), pos, g.member(), g.member()]
        }),
        row("lrem", Exact, 2, |g| {
            cmd!["LREM", g.key(), g.small(), g.member()]
        }),
        row("ltrim", Exact, 2, |g| {
            cmd!["LTRIM", g.key(), g.small(), g.small()]
        }),
        row("lpos", Exact, 2, lpos),
        row("lmove", Exact, 2, |g| {
            cmd!["LMOVE", g.key(), g.key(), end(g), end(g)]
        }),
        row("rpoplpush", Exact, 1, |g| {
            cmd!["RPOPLPUSH", g.key(), g.key()]
        }),
        row("lmpop", Exact, 1, lmpop),
    ]
}
