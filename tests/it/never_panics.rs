//! `execute` never panics and always answers a well-formed reply, whatever the arguments:
//! seeded random argument vectors over every command in the table (read from
//! `redlite::command_names()`, so new families are covered as they land), plus junk names,
//! inside and outside MULTI/EXEC. A failure prints the seed and the argv to replay it.

use redlite::{Config, ManualClock, Reply, Store};

/// xorshift64*: tiny, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Words that steer commands into their option parsers.
const WORDS: &[&str] = &[
    "NX",
    "XX",
    "GT",
    "LT",
    "GET",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "KEEPTTL",
    "PERSIST",
    "MATCH",
    "COUNT",
    "TYPE",
    "REPLACE",
    "DB",
    "ASYNC",
    "SYNC",
    "WITHSCORES",
    "LIMIT",
    "BYSCORE",
    "BYLEX",
    "REV",
    "BEFORE",
    "AFTER",
    "LEFT",
    "RIGHT",
    "RANK",
    "MAXLEN",
    "CH",
    "INCR",
    "string",
    "list",
    "hash",
    "set",
    "zset",
    "none",
    "BIT",
    "BYTE",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "OVERFLOW",
    "WRAP",
    "SAT",
    "FAIL",
    "INCRBY",
    "SET",
    "u8",
    "i16",
    "i64",
    "u63",
    "#1",
    "#-1",
    "MINMATCHLEN",
    "WITHMATCHLEN",
    "x*",
    "x*->f",
    "#",
    "nosort",
    "FROMLONLAT",
    "FROMMEMBER",
    "BYRADIUS",
    "BYBOX",
    "WITHDIST",
    "WITHCOORD",
    "WITHHASH",
    "ANY",
    "STOREDIST",
    "km",
    "mi",
    "13.361389",
    "38.115556",
    "85.1",
    "ALPHA",
    "BY",
    "STORE",
    "DESC",
    "GET",
    "LIMIT",
    "IDX",
    "LEN",
    "k*",
    "k*->f",
    "HYLL",
    // Subcommands of the server commands (not DEBUG SLEEP: a random number of seconds
    // would stall the run; nor CLIENT REPLY OFF: every later reply would be Nil).
    "ENCODING",
    "REFCOUNT",
    "RESETSTAT",
    "REWRITE",
    "GETKEYS",
    "GETKEYSANDFLAGS",
    "FILTERBY",
    "PATTERN",
    "ACLCAT",
    "SETNAME",
    "GETNAME",
    "KILL",
    "SKIPME",
    "ID",
    "INFO",
    "LIST",
    "DOCS",
    "NO-EVICT",
    "SET-ACTIVE-EXPIRE",
    "hz",
    "hash-max-*",
    "proto-max-bulk-len",
    "all",
];

/// Numbers at the edges of every parser (kept below sizes that would allocate much).
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "10",
    "15",
    "16",
    "-10",
    "100",
    "1000",
    "65536",
    "-0",
    "+1",
    "01",
    " 1",
    "1 ",
    "1.5",
    "-1.5",
    "1e3",
    "1e400",
    "-1e400",
    "1e-400",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "2147483647",
    "2147483648",
    "4294967296",
    "536870912",
    "99999999999999999999",
    "0x10",
    "",
    "(1",
    "[a",
    "-",
    "+",
];

const GLOBS: &[&str] = &[
    "*",
    "?",
    "[",
    "[^",
    "[a-",
    "\\",
    "*a*a*a*a*a*b",
    "[]]",
    "k*",
    "**",
];

const JUNK_NAMES: &[&str] = &[
    "",
    "nope",
    "GETT",
    "\0",
    "set\0",
    "ééé",
    "multi ",
    "GETxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
];

fn random_arg(rng: &mut Rng) -> Vec<u8> {
    match rng.below(7) {
        0 | 1 => format!("k{}", rng.below(6)).into_bytes(),
        2 => rng.pick(NUMBERS).as_bytes().to_vec(),
        3 => rng.pick(WORDS).as_bytes().to_vec(),
        4 => rng.pick(GLOBS).as_bytes().to_vec(),
        5 => (0..rng.below(12)).map(|_| rng.next() as u8).collect(),
        _ => (rng.next() as i64 >> rng.below(63))
            .to_string()
            .into_bytes(),
    }
}

fn random_argv(rng: &mut Rng, names: &[&str]) -> Vec<Vec<u8>> {
    let name = if rng.below(10) == 0 {
        let junk: Vec<u8> = (0..rng.below(30)).map(|_| rng.next() as u8).collect();
        match rng.below(2) {
            0 => rng.pick(JUNK_NAMES).as_bytes().to_vec(),
            _ => junk,
        }
    } else {
        let n = rng.pick(names);
        if rng.below(2) == 0 {
            n.to_ascii_uppercase().into_bytes()
        } else {
            n.as_bytes().to_vec()
        }
    };
    let mut argv = vec![name];
    for _ in 0..rng.below(8) {
        argv.push(random_arg(rng));
    }
    argv
}

/// An error's text starts with an uppercase code word, and nothing reports a bug.
fn check(reply: &Reply, argv: &[Vec<u8>], seed: u64) {
    let show = || {
        let args: Vec<String> = argv
            .iter()
            .map(|a| format!("{:?}", String::from_utf8_lossy(a)))
            .collect();
        format!("seed {seed:#x}, argv [{}]", args.join(", "))
    };
    match reply {
        Reply::Error(text) => {
            let code = text.split(' ').next().unwrap_or("");
            assert!(
                !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase()),
                "malformed error {text:?} for {}",
                show()
            );
            assert!(!text.contains("internal error"), "{text} for {}", show());
            assert!(!text.contains('\r') && !text.contains('\n'), "{}", show());
        }
        Reply::Status(text) => assert!(!text.is_empty(), "empty status for {}", show()),
        Reply::Array(items) => items.iter().for_each(|r| check(r, argv, seed)),
        _ => {}
    }
}

/// The blocking commands (BLPOP, ...), by name.
fn blocks(name: &[u8]) -> bool {
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    [
        "blpop",
        "brpop",
        "blmove",
        "brpoplpush",
        "blmpop",
        "bzpopmin",
        "bzpopmax",
        "bzmpop",
    ]
    .contains(&name.as_str())
}

fn run(seed: u64, commands: usize) {
    let names = redlite::command_names();
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()).active_expiry(false));
    let mut conns: Vec<_> = (0..3).map(|_| store.connection()).collect();
    let mut rng = Rng(seed | 1);
    let mut succeeded = 0;
    for i in 0..commands {
        let argv = random_argv(&mut rng, &names);
        let conn = rng.below(conns.len());
        // Drive transactions often enough that queued commands run inside EXEC too.
        match rng.below(40) {
            0 => check(&conns[conn].execute(["MULTI"]), &argv, seed),
            1 => check(&conns[conn].execute(["EXEC"]), &argv, seed),
            2 => check(&conns[conn].execute(["WATCH", "k1", "k2"]), &argv, seed),
            3 => clock.advance(std::time::Duration::from_millis(rng.below(3000) as u64)),
            4 if i % 997 == 0 => {
                store.purge_expired();
            }
            _ => {}
        }
        let reply = if blocks(&argv[0]) && !conns[conn].in_multi() {
            // On its own it could wait forever (the clock is manual): run it where
            // blocking commands answer at once.
            conns[conn].execute(["MULTI"]);
            conns[conn].execute(&argv);
            conns[conn].execute(["EXEC"])
        } else {
            conns[conn].execute(&argv)
        };
        check(&reply, &argv, seed);
        succeeded += usize::from(!reply.is_error());
        if conns[conn].is_subscribed() && rng.below(4) == 0 {
            // Subscribed mode refuses data commands: leave it now and then.
            conns[conn].execute(["RESET"]);
        }
    }
    // The fuzzing is only worth something if commands get past their parsers.
    assert!(
        succeeded > commands / 5,
        "seed {seed:#x}: only {succeeded} replies were not errors"
    );
    for c in &mut conns {
        let r = c.execute(["EXEC"]);
        check(&r, &[b"EXEC".to_vec()], seed);
    }
}

#[test]
fn twenty_thousand_random_commands_never_panic() {
    for seed in [0x5eed_0001u64, 0xdead_beef, 0x1234_5678_9abc] {
        run(seed, 7_000);
    }
}

#[test]
fn every_command_survives_every_edge_argument() {
    let names = redlite::command_names();
    let store = Store::with_config(Config::default().active_expiry(false));
    let mut c = store.connection();
    c.execute(["SET", "k0", "v"]);
    let edges: Vec<&str> = NUMBERS.iter().chain(GLOBS).chain(WORDS).copied().collect();
    for name in &names {
        for edge in &edges {
            for argv in [
                vec![*name, edge],
                vec![*name, "k0", edge],
                vec![*name, "k0", edge, edge],
                vec![*name, "k0", "k1", edge, edge, edge],
            ] {
                let owned: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
                let r = c.execute(&argv);
                check(&r, &owned, 0);
            }
        }
        c.execute(["EXEC"]);
        c.execute(["RESET"]);
        c.execute(["SET", "k0", "v"]);
    }
}
