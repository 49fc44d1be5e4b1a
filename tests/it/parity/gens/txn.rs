//! MULTI / EXEC / DISCARD / WATCH / UNWATCH.

use super::{Gen, cmd, row};
use crate::parity::compare::Cmp::Exact;

pub fn gens() -> Vec<Gen> {
    vec![
        row("multi", Exact, 4, |_| cmd!["MULTI"]),
        row("exec", Exact, 4, |_| cmd!["EXEC"]),
        row("discard", Exact, 1, |_| cmd!["DISCARD"]),
        row("watch", Exact, 4, |g| {
            let mut a = cmd!["WATCH"];
            a.extend(g.keys(1, 3));
            a
        }),
        row("unwatch", Exact, 1, |_| cmd!["UNWATCH"]),
    ]
}
