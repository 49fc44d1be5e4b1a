//! SORT and `SORT_RO` with BY, GET, LIMIT, STORE. Elements like `1` name keys like `k1` through
//! the `k*` patterns, so BY and GET read the other families' keys. Orders Redis leaves to
//! chance (a set's iteration order, ALPHA ties by a pattern) are compared as multisets.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Exact, SortScores, Unordered};

const BY: &[&str] = &["k*", "k*->f1", "k*->a", "nosort", "x*", "k*->"];
const GET: &[&str] = &["#", "k*", "k*->f1", "k*->a", "const", "*"];

fn limit(g: &mut G, a: &mut Vec<String>) {
    if g.chance(30) {
        a.extend(cmd!["LIMIT", g.small(), g.small()]);
    }
}

fn gets(g: &mut G, a: &mut Vec<String>) {
    for _ in 0..g.rng.below(3) {
        a.extend(cmd!["GET", g.pick(GET)]);
    }
}

/// Numeric order is total (ties go to the element's bytes): exact, LIMIT too. No STORE:
/// Redis's stale-errno refusals (see `Cmp::SortScores`) would make the two sides drift.
fn numeric(g: &mut G) -> Vec<String> {
    let name = g.pick(&["SORT", "SORT", "SORT_RO"]);
    let mut a = cmd![name.clone(), g.key()];
    if g.chance(40) {
        a.extend(cmd!["BY", g.pick(&["k*", "k*->f1", "x*"])]);
    }
    if g.chance(40) {
        a.push(g.pick(&["DESC", "ASC", "desc"]));
    }
    limit(g, &mut a);
    gets(g, &mut a);
    if g.chance(3) {
        a.push(g.pick(&["BAD", "LIMIT", "STORE"]));
    }
    a
}

/// ALPHA without a pattern: a total order, exact.
fn alpha(g: &mut G) -> Vec<String> {
    let mut a = cmd!["SORT", g.key(), "ALPHA"];
    if g.chance(50) {
        a.push("DESC".into());
    }
    limit(g, &mut a);
    gets(g, &mut a);
    if g.chance(25) {
        a.extend(cmd!["STORE", g.key()]);
    }
    a
}

/// ALPHA by a pattern, or a constant BY: ties and sets keep an order Redis leaves to its
/// encoding, so no LIMIT and no STORE, compared as multisets. (Always ALPHA: numeric
/// scores belong to `numeric`, see `Cmp::SortScores`.)
fn loose(g: &mut G) -> Vec<String> {
    let mut a = cmd![
        g.pick(&["SORT", "SORT_RO"]),
        g.key(),
        "BY",
        g.pick(BY),
        "ALPHA"
    ];
    if g.chance(30) {
        a.push("DESC".into());
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("sort", SortScores, 4, numeric),
        row("sort", Exact, 2, alpha),
        row("sort", Unordered, 2, loose),
        row("sort_ro", Exact, 1, |g| {
            cmd!["SORT_RO", g.key(), "STORE", g.key()]
        }),
    ]
}
