//! Commands across databases: MOVE, SWAPDB, COPY .. DB (SELECT is with the server commands).
//! Databases 0-2 keep keys colliding; 16, -1 and text cover the errors.

use super::{Gen, cmd, row};
use crate::parity::compare::Cmp::Exact;

const DBS: &[&str] = &["0", "1", "1", "2", "2", "16", "-1", "x"];

pub fn gens() -> Vec<Gen> {
    vec![
        row("move", Exact, 3, |g| cmd!["MOVE", g.key(), g.pick(DBS)]),
        row("swapdb", Exact, 1, |g| {
            cmd!["SWAPDB", g.pick(DBS), g.pick(DBS)]
        }),
        row("copy", Exact, 2, |g| {
            let mut a = cmd!["COPY", g.key(), g.key(), "DB", g.pick(DBS)];
            if g.chance(40) {
                a.push("REPLACE".into());
            }
            a
        }),
    ]
}
