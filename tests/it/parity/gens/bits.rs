//! Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD `BITFIELD_RO`, on keys shared with
//! every other family (so WRONGTYPE and strings written by SET are covered too).

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::Exact;

const OFFSETS: &[&str] = &[
    "0",
    "1",
    "7",
    "8",
    "15",
    "33",
    "63",
    "64",
    "100",
    "-1",
    "abc",
    "4294967295",
    "4294967296",
];
const RANGE: &[&str] = &[
    "0", "1", "2", "-1", "-2", "5", "-10", "100", "abc", "7", "13",
];
const TYPES: &[&str] = &[
    "u1", "i1", "u8", "i8", "u5", "i13", "u63", "i64", "u64", "i65", "x8", "i0", "u",
];
const FIELD_OFFSETS: &[&str] = &["0", "3", "8", "17", "#0", "#1", "#3", "-1", "#-1", "x"];
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "100",
    "-100",
    "127",
    "128",
    "255",
    "-129",
    "9223372036854775807",
    "-9223372036854775808",
    "x",
];

fn setbit(g: &mut G) -> Vec<String> {
    let bit = g.pick(&["0", "1", "1", "2", "-1", "x"]);
    cmd!["SETBIT", g.key(), g.pick(&OFFSETS[..9]), bit]
}

fn setbit_bad(g: &mut G) -> Vec<String> {
    // Never the largest valid offset: it would make a 512 MiB string on both sides.
    let offset = g.pick(&["-1", "abc", "4294967296", "1.5", ""]);
    cmd!["SETBIT", g.key(), offset, g.pick(&["0", "1", "2"])]
}

fn getbit(g: &mut G) -> Vec<String> {
    cmd!["GETBIT", g.key(), g.pick(OFFSETS)]
}

fn unit(g: &mut G, a: &mut Vec<String>) {
    if g.chance(50) {
        a.push(g.pick(&["BIT", "BYTE", "bit", "BAD"]));
    }
}

fn bitcount(g: &mut G) -> Vec<String> {
    let mut a = cmd!["BITCOUNT", g.key()];
    match g.rng.below(5) {
        0 => {}
        1 => a.push(g.pick(RANGE)),
        _ => {
            a.extend(cmd![g.pick(RANGE), g.pick(RANGE)]);
            unit(g, &mut a);
        }
    }
    a
}

fn bitpos(g: &mut G) -> Vec<String> {
    let mut a = cmd!["BITPOS", g.key(), g.pick(&["0", "1", "1", "0", "2", "x"])];
    match g.rng.below(4) {
        0 => {}
        1 => a.push(g.pick(RANGE)),
        _ => {
            a.extend(cmd![g.pick(RANGE), g.pick(RANGE)]);
            unit(g, &mut a);
        }
    }
    a
}

fn bitop(g: &mut G) -> Vec<String> {
    let op = g.pick(&["AND", "OR", "XOR", "NOT", "and", "nand"]);
    let mut a = cmd!["BITOP", op, g.key()];
    a.extend(g.keys(1, 3));
    a
}

fn field_op(g: &mut G) -> Vec<String> {
    match g.rng.below(9) {
        0..=2 => cmd!["GET", g.pick(TYPES), g.pick(FIELD_OFFSETS)],
        3 | 4 => cmd!["SET", g.pick(TYPES), g.pick(FIELD_OFFSETS), g.pick(VALUES)],
        5..=7 => cmd![
            "INCRBY",
            g.pick(TYPES),
            g.pick(FIELD_OFFSETS),
            g.pick(VALUES)
        ],
        _ => cmd!["OVERFLOW", g.pick(&["WRAP", "SAT", "FAIL", "sat", "BAD"])],
    }
}

fn bitfield(g: &mut G) -> Vec<String> {
    let name = g.pick(&["BITFIELD", "BITFIELD", "BITFIELD_RO"]);
    let mut a = cmd![name, g.key()];
    a.extend(g.many(0, 4, field_op));
    if g.chance(5) {
        a.push("GET".into());
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("setbit", Exact, 6, setbit),
        row("setbit", Exact, 1, setbit_bad),
        row("getbit", Exact, 3, getbit),
        row("bitcount", Exact, 3, bitcount),
        row("bitpos", Exact, 3, bitpos),
        row("bitop", Exact, 2, bitop),
        row("bitfield", Exact, 5, bitfield),
    ]
}
