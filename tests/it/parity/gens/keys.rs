//! Generic key commands and server commands.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Exact, Scan, Ttl, Unordered};

const PATTERNS: &[&str] = &[
    "*", "k*", "k?", "[k]*", "*1*", "\\k*", "[^k]*", "?", "k[1-3]",
];

fn with_keys(name: &str, g: &mut G, min: usize, max: usize) -> Vec<String> {
    let mut a = cmd![name];
    a.extend(g.keys(min, max));
    a
}

/// EXPIRE-family: `name key <time> [NX|XX|GT|LT]`, with times that never fire mid-run.
/// GT and LT only go with absolute times: with relative ones, whether two TTLs tie
/// depends on both commands landing in the same millisecond.
fn expire(name: &'static str, times: &'static [&'static str]) -> impl Fn(&mut G) -> Vec<String> {
    move |g| {
        let mut a = cmd![name, g.key(), g.pick(times)];
        if g.chance(30) {
            if name.ends_with("AT") {
                a.push(g.pick(&["NX", "XX", "GT", "LT", "BAD"]));
            } else {
                a.push(g.pick(&["NX", "XX", "BAD"]));
            }
        }
        a
    }
}

fn scan(g: &mut G) -> Vec<String> {
    if g.chance(10) {
        return cmd!["SCAN", g.pick(&["abc", "1.5", "0 x"])];
    }
    let mut a = cmd!["SCAN", "0", "COUNT", "1000"];
    if g.chance(50) {
        a.extend(cmd!["MATCH", g.pick(PATTERNS)]);
    }
    if g.chance(30) {
        a.extend(cmd![
            "TYPE",
            g.pick(&["string", "list", "hash", "set", "zset"])
        ]);
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("del", Exact, 4, |g| with_keys("DEL", g, 1, 3)),
        row("unlink", Exact, 1, |g| with_keys("UNLINK", g, 1, 2)),
        row("exists", Exact, 3, |g| with_keys("EXISTS", g, 1, 3)),
        row("touch", Exact, 1, |g| with_keys("TOUCH", g, 1, 2)),
        row("type", Exact, 3, |g| cmd!["TYPE", g.key()]),
        row("rename", Exact, 2, |g| cmd!["RENAME", g.key(), g.key()]),
        row("renamenx", Exact, 1, |g| cmd!["RENAMENX", g.key(), g.key()]),
        row("copy", Exact, 2, |g| {
            let mut a = cmd!["COPY", g.key(), g.key()];
            if g.chance(40) {
                a.push(g.pick(&["REPLACE", "BAD"]));
            }
            a
        }),
        row("expire", Exact, 2, |g| {
            expire(
                "EXPIRE",
                &["100000", "200000", "-1", "0", "abc", "9223372036854775807"],
            )(g)
        }),
        row("pexpire", Exact, 1, |g| {
            expire("PEXPIRE", &["100000000", "-1", "0", "1.5"])(g)
        }),
        row("expireat", Exact, 1, |g| {
            expire(
                "EXPIREAT",
                &["4102444800", "4133980800", "1", "0", "-1", "abc"],
            )(g)
        }),
        row("pexpireat", Exact, 1, |g| {
            expire("PEXPIREAT", &["4102444800000", "4133980800000", "1", "x"])(g)
        }),
        row("ttl", Ttl(1), 3, |g| cmd!["TTL", g.key()]),
        row("pttl", Ttl(1000), 2, |g| cmd!["PTTL", g.key()]),
        row("expiretime", Ttl(1), 1, |g| cmd!["EXPIRETIME", g.key()]),
        row("pexpiretime", Ttl(1000), 1, |g| {
            cmd!["PEXPIRETIME", g.key()]
        }),
        row("persist", Exact, 2, |g| cmd!["PERSIST", g.key()]),
        row("keys", Unordered, 2, |g| cmd!["KEYS", g.pick(PATTERNS)]),
        row("scan", Scan, 1, scan),
        row("sort", Exact, 1, |g| {
            let mut a = cmd!["SORT", g.key(), "ALPHA"];
            if g.chance(50) {
                a.push("DESC".into());
            }
            if g.chance(30) {
                a.extend(cmd!["LIMIT", g.small(), g.small()]);
            }
            a
        }),
        row("dbsize", Exact, 2, |_| cmd!["DBSIZE"]),
        row("ping", Exact, 1, |g| match g.rng.below(3) {
            0 => cmd!["PING"],
            1 => cmd!["PING", g.val()],
            _ => cmd!["PING", "a", "b"],
        }),
        row("echo", Exact, 1, |g| cmd!["ECHO", g.val()]),
        row("select", Exact, 3, |g| {
            cmd!["SELECT", g.pick(&["0", "0", "1", "2", "abc", "16", "-1"])]
        }),
        row("flushdb", Exact, 1, |g| match g.rng.below(3) {
            0 => cmd!["FLUSHDB"],
            1 => cmd!["FLUSHDB", g.pick(&["ASYNC", "SYNC", "BAD"])],
            _ => cmd!["FLUSHDB", "SYNC", "SYNC"],
        }),
        row("flushall", Exact, 1, |_| cmd!["FLUSHALL"]),
    ]
}
