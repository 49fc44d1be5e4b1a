//! Strings: GET/SET and options, counters, ranges.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Exact, Float};

/// Expiry options that never fire during a run (large or already past) or are invalid.
/// Past times only for GETEX, which deletes the key at once: SET in Redis 7.0 leaves a
/// logically expired key that DBSIZE counts until the active cycle reclaims it.
fn expiry(g: &mut G, past: bool) -> Vec<String> {
    let at: &[&str] = if past {
        &["4102444800", "1"]
    } else {
        &["4102444800"]
    };
    let pxat: &[&str] = if past {
        &["4102444800000", "1"]
    } else {
        &["4102444800000"]
    };
    match g.rng.below(9) {
        0 => cmd!["EX", g.pick(&["100000", "200000"])],
        1 => cmd!["PX", "100000000"],
        2 => cmd!["EXAT", g.pick(at)],
        3 => cmd!["PXAT", g.pick(pxat)],
        4 => cmd!["EX", g.pick(&["0", "-1", "abc", "9223372036854775807"])],
        5 => cmd!["PX", g.pick(&["0", "-5", "1.5"])],
        6 => cmd!["KEEPTTL"],
        7 => cmd!["EX"],
        _ => cmd!["PERSIST"],
    }
}

fn set(g: &mut G) -> Vec<String> {
    let mut a = cmd!["SET", g.key(), g.val()];
    for _ in 0..g.rng.below(3) {
        match g.rng.below(5) {
            0 => a.push(g.pick(&["NX", "XX"])),
            1 => a.push("GET".into()),
            2 => a.push(g.pick(&["nx", "BADOPT"])),
            _ => a.extend(expiry(g, false)),
        }
    }
    a
}

fn getex(g: &mut G) -> Vec<String> {
    let mut a = cmd!["GETEX", g.key()];
    if g.chance(70) {
        a.extend(expiry(g, true));
    }
    a
}

fn mset(g: &mut G) -> Vec<String> {
    let name = g.pick(&["MSET", "MSETNX"]);
    let mut a = cmd![name];
    a.extend(g.many(1, 3, |g| cmd![g.key(), g.val()]));
    if g.chance(10) {
        a.pop();
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("get", Exact, 8, |g| cmd!["GET", g.key()]),
        row("set", Exact, 10, set),
        row("setnx", Exact, 2, |g| cmd!["SETNX", g.key(), g.val()]),
        row("setex", Exact, 2, |g| {
            cmd![
                "SETEX",
                g.key(),
                g.pick(&["100000", "0", "-1", "abc"]),
                g.val()
            ]
        }),
        row("psetex", Exact, 1, |g| {
            cmd!["PSETEX", g.key(), g.pick(&["100000000", "0", "x"]), g.val()]
        }),
        row("getset", Exact, 2, |g| cmd!["GETSET", g.key(), g.val()]),
        row("getdel", Exact, 2, |g| cmd!["GETDEL", g.key()]),
        row("getex", Exact, 2, getex),
        row("mget", Exact, 3, |g| {
            let mut a = cmd!["MGET"];
            a.extend(g.keys(1, 4));
            a
        }),
        row("mset", Exact, 3, mset),
        row("msetnx", Exact, 1, |g| cmd!["MSETNX", g.key(), g.val()]),
        row("incr", Exact, 4, |g| cmd!["INCR", g.key()]),
        row("decr", Exact, 2, |g| cmd!["DECR", g.key()]),
        row("incrby", Exact, 3, |g| cmd!["INCRBY", g.key(), g.int()]),
        row("decrby", Exact, 2, |g| cmd!["DECRBY", g.key(), g.int()]),
        row("incrbyfloat", Float, 3, |g| {
            cmd!["INCRBYFLOAT", g.key(), g.float()]
        })
        .outside_multi(),
        row("append", Exact, 3, |g| cmd!["APPEND", g.key(), g.val()]),
        row("strlen", Exact, 2, |g| cmd!["STRLEN", g.key()]),
        row("getrange", Exact, 2, |g| {
            cmd!["GETRANGE", g.key(), g.small(), g.small()]
        }),
        row("substr", Exact, 1, |g| {
            cmd!["SUBSTR", g.key(), g.small(), g.small()]
        }),
        row("setrange", Exact, 2, |g| {
            let off = g.pick(&["0", "1", "3", "10", "-1", "abc", "536870912"]);
            cmd!["SETRANGE", g.key(), off, g.val()]
        }),
        row("lcs", Exact, 1, |g| {
            let mut a = cmd!["LCS", g.key(), g.key()];
            if g.chance(50) {
                a.push(g.pick(&["LEN", "IDX", "BAD"]));
            }
            a
        }),
    ]
}
