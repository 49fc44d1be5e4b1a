//! Command generators, one table per family. Each row names a command, says how its reply
//! is compared and how often it is picked, and builds random arguments from small
//! alphabets so that commands keep colliding on the same keys, fields and members.
//!
//! Adding a family: write `<family>.rs` with `pub fn gens() -> Vec<Gen>` and list it in
//! [`all`]. Commands redlite does not know yet are skipped automatically.

mod bits;
mod databases;
mod geo;
mod hashes;
mod hll;
mod keys;
mod lists;
mod server;
mod sets;
mod sort;
mod strings;
mod txn;
mod zsets;

use super::compare::Cmp;
use super::rng::Rng;

/// Builds an argument vector from anything `String::from` takes.
macro_rules! cmd {
    ($($x:expr),* $(,)?) => { vec![$(String::from($x)),*] };
}
pub(crate) use cmd;

/// One command generator.
pub struct Gen {
    /// Lowercase command name (also used to ask redlite whether it knows the command).
    pub name: &'static str,
    pub cmp: Cmp,
    /// Relative frequency.
    pub weight: u32,
    pub make: fn(&mut G) -> Vec<String>,
    /// Whether it may be queued inside MULTI.
    pub in_multi: bool,
}

impl Gen {
    /// Never queued inside MULTI: used for INCRBYFLOAT, whose f64 text can differ from
    /// Redis's long double text; outside MULTI the driver re-aligns the value at once,
    /// inside EXEC a later command of the same transaction would see the difference.
    pub fn outside_multi(mut self) -> Gen {
        self.in_multi = false;
        self
    }
}

/// A table row.
pub fn row(name: &'static str, cmp: Cmp, weight: u32, make: fn(&mut G) -> Vec<String>) -> Gen {
    Gen {
        name,
        cmp,
        weight,
        make,
        in_multi: true,
    }
}

/// Every family's generators.
pub fn all() -> Vec<Gen> {
    [
        strings::gens(),
        keys::gens(),
        txn::gens(),
        hashes::gens(),
        lists::gens(),
        sets::gens(),
        zsets::gens(),
        databases::gens(),
        bits::gens(),
        sort::gens(),
        geo::gens(),
        hll::gens(),
        server::gens(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Commands never generated, and why.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "TIME, RANDOMKEY",
        "answers depend on the clock or on chance",
    ),
    (
        "SCAN with cursors != 0, HSCAN/SSCAN/ZSCAN",
        "cursor values are an implementation detail",
    ),
    (
        "plain SPOP (no count)",
        "removes a random member: the two sides would drift apart",
    ),
    (
        "BLPOP & other blocking commands",
        "would block the Redis connection",
    ),
    (
        "numeric SORT ... STORE, ALPHA SORT BY a pattern with LIMIT or STORE",
        "Redis 7.0 checks a stale errno after strtod, and leaves ALPHA ties to qsort",
    ),
    (
        "INFO, COMMAND (COUNT, INFO, LIST, DOCS), CLIENT ID/LIST/INFO/KILL, HELLO, DEBUG, \
         OBJECT REFCOUNT/HELP, CONFIG SET that changes a value",
        "ids, counts and timings differ; redlite has fewer commands; DEBUG is off in a \
         default redis-server; REFCOUNT depends on how a value was written; a changed \
         parameter would outlive one run on the shared server",
    ),
    (
        "EVAL, EVALSHA, SCRIPT",
        "generated as commands of their own only without the `lua` feature (Rhai has no twin in Redis); with it, 10% of all commands run wrapped in a Lua EVAL",
    ),
];

/// The random source plus the alphabets arguments are drawn from.
pub struct G<'a> {
    pub rng: &'a mut Rng,
}

const KEYS: &[&str] = &["k1", "k2", "k3", "k4", "k5"];
const VALUES: &[&str] = &[
    "",
    "a",
    "b",
    "abc",
    "1",
    "2",
    "-1",
    "10",
    "01",
    "1.5",
    " 1",
    "x y",
    "é",
    "9223372036854775807",
    "-9223372036854775808",
];
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "3",
    "10",
    "-5",
    "abc",
    "1.5",
    "",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
];
const SMALL: &[&str] = &["0", "1", "2", "-1", "-2", "3", "5", "-100", "100", "abc"];
const FLOATS: &[&str] = &[
    "0.5",
    "1.5",
    "-2.25",
    "3",
    "0",
    "1e2",
    "-1",
    "abc",
    "inf",
    "nan",
    // strtold's corners: hex floats, past a double's range, 18+ digits, spaces.
    "0x10",
    "0x1p-2",
    "1e-400",
    "1e400",
    "0.1",
    "0.333333333333333333333",
    " 1",
    "1 ",
    "-0",
];
const FIELDS: &[&str] = &["f1", "f2", "f3", "a"];
const MEMBERS: &[&str] = &["m1", "m2", "m3", "m4", "a", "1"];

impl G<'_> {
    pub fn key(&mut self) -> String {
        self.rng.pick(KEYS).to_string()
    }

    /// Between `min` and `max` keys (repeats allowed).
    pub fn keys(&mut self, min: usize, max: usize) -> Vec<String> {
        let n = min + self.rng.below(max - min + 1);
        (0..n).map(|_| self.key()).collect()
    }

    pub fn val(&mut self) -> String {
        self.rng.pick(VALUES).to_string()
    }

    pub fn int(&mut self) -> String {
        self.rng.pick(INTS).to_string()
    }

    /// Small integers (indexes, counts, offsets), with a few bad ones.
    pub fn small(&mut self) -> String {
        self.rng.pick(SMALL).to_string()
    }

    pub fn float(&mut self) -> String {
        self.rng.pick(FLOATS).to_string()
    }

    pub fn field(&mut self) -> String {
        self.rng.pick(FIELDS).to_string()
    }

    pub fn member(&mut self) -> String {
        self.rng.pick(MEMBERS).to_string()
    }

    pub fn pick(&mut self, items: &[&str]) -> String {
        self.rng.pick(items).to_string()
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.rng.chance(percent)
    }

    /// `n` items made by `f`, with `n` in `min..=max`.
    pub fn many(
        &mut self,
        min: usize,
        max: usize,
        mut f: impl FnMut(&mut Self) -> Vec<String>,
    ) -> Vec<String> {
        let n = min + self.rng.below(max - min + 1);
        (0..n).flat_map(|_| f(self)).collect()
    }
}
