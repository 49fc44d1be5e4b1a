//! Server and introspection commands whose replies are deterministic on both sides:
//! CONFIG GET of parameters both have, CONFIG SET that changes nothing or fails, OBJECT
//! ENCODING, COMMAND GETKEYS, CLIENT SETNAME/GETNAME, WAIT 0.

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::{Encoding, Exact, Pairs};

/// Names and globs that mean the same on both sides (not `port`, `dir`, ...).
const CONFIG_NAMES: &[&str] = &[
    "hz",
    "HZ",
    "hash-max-*",
    "zset-max-*",
    "*intset*",
    "list-max-*",
    "notify-keyspace-events",
    "proto-max-bulk-len",
    "lua-time-limit",
    "busy-reply-threshold",
    "maxmemory",
    "maxmemory-policy",
    "appendonly",
    "appendfsync",
    "save",
    "databases",
    "no-such-parameter",
    "tls-port",
    "replica-read-only",
];

/// CONFIG SET arguments that either set the value already in force or fail. (Not a bad
/// `notify-keyspace-events`: Redis "restores" the old value after the failure through
/// its flags-to-text conversion, which drops `n` next to `A`, so the notification parity
/// running with `KEAn` would lose new-key events on the Redis side.)
const CONFIG_SETS: &[&[&str]] = &[
    &["hz", "10"],
    &["hz", "abc"],
    &["hz", "10", "hz", "10"],
    &["hash-max-listpack-entries", "512"],
    &["hash-max-ziplist-value", "64"],
    &["hash-max-listpack-entries", "-1"],
    &["zset-max-listpack-value", "big"],
    &[
        "set-max-intset-entries",
        "512",
        "zset-max-listpack-entries",
        "x",
    ],
    &["proto-max-bulk-len", "10"],
    &["proto-max-bulk-len", "512mb"],
    &["appendfsync", "sometimes"],
    &["save", "10"],
    &["daemonize", "yes"],
    &["no-such-parameter", "1"],
    &["hz"],
];

const GETKEYS: &[&[&str]] = &[
    &["GET", "a"],
    &["SET", "a", "b"],
    &["MSET", "a", "1", "b", "2"],
    &["ZUNIONSTORE", "d", "2", "a", "b"],
    &["LMOVE", "a", "b", "LEFT", "RIGHT"],
    &["PING", "x"],
    &["GET", "a", "b"],
    &["NOSUCHCOMMAND", "a"],
];

fn config_get(g: &mut G) -> Vec<String> {
    let mut a = cmd!["CONFIG", "GET", g.pick(CONFIG_NAMES)];
    if g.chance(30) {
        a.push(g.pick(CONFIG_NAMES));
    }
    a
}

fn config_set(g: &mut G) -> Vec<String> {
    let mut a = cmd!["CONFIG", "SET"];
    let i = g.rng.below(CONFIG_SETS.len());
    a.extend(CONFIG_SETS[i].iter().map(|s| (*s).to_owned()));
    a
}

fn getkeys(g: &mut G) -> Vec<String> {
    let mut a = cmd!["COMMAND", "GETKEYS"];
    let i = g.rng.below(GETKEYS.len());
    a.extend(GETKEYS[i].iter().map(|s| (*s).to_owned()));
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("config", Pairs, 2, config_get),
        row("config", Exact, 1, config_set),
        row("object", Encoding, 3, |g| {
            cmd!["OBJECT", "ENCODING", g.key()]
        }),
        row("command", Exact, 1, getkeys),
        row("wait", Exact, 1, |g| {
            cmd!["WAIT", "0", g.pick(&["0", "-1", "x"])]
        }),
        // CLIENT runs at once inside MULTI here (Redis queues it).
        row("client", Exact, 1, |g| {
            cmd![
                "CLIENT",
                "SETNAME",
                g.pick(&["a", "worker-1", "", "has space"])
            ]
        })
        .outside_multi(),
        row("client", Exact, 1, |_| cmd!["CLIENT", "GETNAME"]).outside_multi(),
    ]
}
