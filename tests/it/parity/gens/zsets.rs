//! Sorted sets. Scores are exact in binary so Redis 7.0's `%.17g` and the shortest
//! round-trip text (7.2+) print them the same way.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Exact, Loose};

const SCORES: &[&str] = &[
    "0", "1", "-1", "1.5", "2.5", "-0.5", "10", "+inf", "-inf", "abc", "nan",
    // string2d's corners: hex floats, range errors, spaces.
    "0x10", "-0x1p-1", "1e400", "1e-400", " 1", "1 ", "0x",
];
const SCORE_BOUNDS: &[&str] = &[
    "-inf", "+inf", "0", "1", "(1", "(1.5", "2.5", "-1", "abc", "(x",
    // zslParseRange's bare strtod: hex, overflow to inf, spaces, empty.
    "0x10", "(0x1p1", "1e400", "-1e400", "(1e-400", " 1", "( 2", " ", "", "(", "1 ",
];
const LEX_BOUNDS: &[&str] = &["-", "+", "[a", "(a", "[m1", "(m2", "[m3", "a", "[", "(1"];

/// Lex ranges are specified only when every member has the same score (Redis's docs call
/// mixed scores "unspecified", and its two encodings then answer differently). Lex
/// commands therefore run on one key that only ever gets score 0.
const LEX_KEY: &str = "lexz";

fn zadd_lex(g: &mut G) -> Vec<String> {
    let mut a = cmd!["ZADD", LEX_KEY];
    if g.chance(30) {
        a.push(g.pick(&["NX", "XX", "CH"]));
    }
    a.extend(g.many(1, 3, |g| cmd!["0", g.member()]));
    a
}

fn score(g: &mut G) -> String {
    g.pick(SCORES)
}

fn zadd(g: &mut G) -> Vec<String> {
    let mut a = cmd!["ZADD", g.key()];
    for _ in 0..g.rng.below(3) {
        a.push(g.pick(&["NX", "XX", "GT", "LT", "CH", "INCR"]));
    }
    a.extend(g.many(1, 3, |g| cmd![score(g), g.member()]));
    if g.chance(10) {
        a.pop();
    }
    a
}

/// ZRANGE with a random mix of BYSCORE/BYLEX, REV, LIMIT and WITHSCORES.
fn zrange(g: &mut G) -> Vec<String> {
    let by = g.rng.below(3);
    let key = if by == 2 {
        LEX_KEY.to_string()
    } else {
        g.key()
    };
    let mut a = cmd!["ZRANGE", key];
    let bounds = match by {
        0 => cmd![g.small(), g.small()],
        1 => cmd![g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)],
        _ => cmd![g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)],
    };
    a.extend(bounds);
    match by {
        1 => a.push("BYSCORE".into()),
        2 => a.push("BYLEX".into()),
        _ => {}
    }
    if g.chance(30) {
        a.push("REV".into());
    }
    if g.chance(30) {
        a.extend(cmd!["LIMIT", g.small(), g.small()]);
    }
    if g.chance(40) {
        a.push("WITHSCORES".into());
    }
    a
}

fn by_score(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key(), g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)];
    if g.chance(40) {
        a.push("WITHSCORES".into());
    }
    if g.chance(20) {
        a.extend(cmd!["LIMIT", g.small(), g.small()]);
    }
    a
}

/// ZUNIONSTORE-style: `[dest] numkeys key.. [WEIGHTS w..] [AGGREGATE a] [WITHSCORES]`.
fn combine(name: &str, g: &mut G, store: bool) -> Vec<String> {
    let n = g.rng.below(3) + 1;
    let mut a = cmd![name];
    if store {
        a.push(g.key());
    }
    a.push(if g.chance(5) {
        g.pick(&["0", "x"])
    } else {
        n.to_string()
    });
    a.extend(g.keys(n, n));
    if g.chance(30) && !name.starts_with("ZDIFF") {
        a.push("WEIGHTS".into());
        a.extend((0..n).map(|_| g.pick(&["1", "2", "0.5", "-1", "abc"])));
    }
    if g.chance(30) && !name.starts_with("ZDIFF") {
        a.extend(cmd!["AGGREGATE", g.pick(&["SUM", "MIN", "MAX", "BAD"])]);
    }
    if !store && g.chance(50) {
        a.push("WITHSCORES".into());
    }
    a
}

fn pop(name: &str, g: &mut G) -> Vec<String> {
    let mut a = cmd![name, g.key()];
    if g.chance(40) {
        a.push(g.small());
    }
    a
}

fn zmpop(g: &mut G) -> Vec<String> {
    let n = g.rng.below(2) + 1;
    let mut a = cmd!["ZMPOP", n.to_string()];
    a.extend(g.keys(n, n));
    a.push(g.pick(&["MIN", "MAX", "BAD"]));
    if g.chance(40) {
        a.extend(cmd!["COUNT", g.small()]);
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("zadd", Exact, 8, zadd),
        row("zincrby", Exact, 2, |g| {
            cmd!["ZINCRBY", g.key(), score(g), g.member()]
        }),
        row("zscore", Exact, 2, |g| cmd!["ZSCORE", g.key(), g.member()]),
        row("zmscore", Exact, 1, |g| {
            cmd!["ZMSCORE", g.key(), g.member(), g.member()]
        }),
        row("zcard", Exact, 2, |g| cmd!["ZCARD", g.key()]),
        row("zcount", Exact, 1, |g| {
            cmd![
                "ZCOUNT",
                g.key(),
                g.pick(SCORE_BOUNDS),
                g.pick(SCORE_BOUNDS)
            ]
        }),
        row("zlexcount", Exact, 1, |g| {
            cmd!["ZLEXCOUNT", LEX_KEY, g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)]
        }),
        row("zrank", Exact, 1, |g| cmd!["ZRANK", g.key(), g.member()]),
        row("zrevrank", Exact, 1, |g| {
            cmd!["ZREVRANK", g.key(), g.member()]
        }),
        row("zadd", Exact, 2, zadd_lex),
        row("zrem", Exact, 1, |g| cmd!["ZREM", LEX_KEY, g.member()]),
        row("zrem", Exact, 2, |g| {
            cmd!["ZREM", g.key(), g.member(), g.member()]
        }),
        row("zrange", Exact, 4, zrange),
        row("zrevrange", Exact, 1, |g| {
            cmd!["ZREVRANGE", g.key(), g.small(), g.small(), "WITHSCORES"]
        }),
        row("zrangebyscore", Exact, 1, |g| by_score("ZRANGEBYSCORE", g)),
        row("zrevrangebyscore", Exact, 1, |g| {
            by_score("ZREVRANGEBYSCORE", g)
        }),
        row("zrangebylex", Exact, 1, |g| {
            cmd![
                "ZRANGEBYLEX",
                LEX_KEY,
                g.pick(LEX_BOUNDS),
                g.pick(LEX_BOUNDS)
            ]
        }),
        row("zpopmin", Exact, 1, |g| pop("ZPOPMIN", g)),
        row("zpopmax", Exact, 1, |g| pop("ZPOPMAX", g)),
        row("zmpop", Exact, 1, zmpop),
        row("zremrangebyrank", Exact, 1, |g| {
            cmd!["ZREMRANGEBYRANK", g.key(), g.small(), g.small()]
        }),
        row("zremrangebyscore", Exact, 1, |g| {
            cmd![
                "ZREMRANGEBYSCORE",
                g.key(),
                g.pick(SCORE_BOUNDS),
                g.pick(SCORE_BOUNDS)
            ]
        }),
        row("zremrangebylex", Exact, 1, |g| {
            cmd![
                "ZREMRANGEBYLEX",
                LEX_KEY,
                g.pick(LEX_BOUNDS),
                g.pick(LEX_BOUNDS)
            ]
        }),
        row("zunionstore", Exact, 1, |g| combine("ZUNIONSTORE", g, true)),
        row("zinterstore", Exact, 1, |g| combine("ZINTERSTORE", g, true)),
        row("zdiffstore", Exact, 1, |g| combine("ZDIFFSTORE", g, true)),
        row("zunion", Exact, 1, |g| combine("ZUNION", g, false)),
        row("zinter", Exact, 1, |g| combine("ZINTER", g, false)),
        row("zdiff", Exact, 1, |g| combine("ZDIFF", g, false)),
        row("zrangestore", Exact, 1, |g| {
            cmd!["ZRANGESTORE", g.key(), g.key(), g.small(), g.small()]
        }),
        row("zrandmember", Loose, 1, |g| {
            let mut a = cmd!["ZRANDMEMBER", g.key()];
            if g.chance(70) {
                a.push(g.small());
                if g.chance(40) {
                    a.push("WITHSCORES".into());
                }
            }
            a
        }),
    ]
}
