//! Fuzz target `commands`: arbitrary command sequences over two connections.
//!
//! String, key, hash, list and set commands and WATCH / MULTI / EXEC / DISCARD are
//! checked reply by reply against the reference model in `model/` (replies whose order
//! Redis leaves open, SMEMBERS and HGETALL, compared sorted). Any other command of any family, with
//! arguments from a small alphabet (never a model key), must not panic and must give a
//! well-formed reply; when MULTI is open the model follows whether redlite queued it.

#![no_main]

mod model;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use redlite::{Clock, Config, ManualClock, Reply, Store};

use model::{Model, Op, matches, well_formed};

/// Commands outside the model, from every family (whether redlite knows them yet or not).
/// Not here: the modelled ones, FLUSHDB/SWAPDB (would touch model keys), SELECT (would move
/// a connection off the modelled database 0), blocking pops.
const OTHER: &[&str] = &[
    "setnx",
    "setex",
    "psetex",
    "getset",
    "getdel",
    "getex",
    "mget",
    "mset",
    "msetnx",
    "decr",
    "incrby",
    "decrby",
    "incrbyfloat",
    "getrange",
    "substr",
    "setrange",
    "lcs",
    "unlink",
    "touch",
    "type",
    "rename",
    "renamenx",
    "copy",
    "move",
    "expire",
    "pexpire",
    "expireat",
    "pexpireat",
    "ttl",
    "pttl",
    "expiretime",
    "pexpiretime",
    "persist",
    "keys",
    "scan",
    "randomkey",
    "sort",
    "sort_ro",
    "ping",
    "echo",
    "time",
    "dbsize",
    "hset",
    "hsetnx",
    "hget",
    "hmget",
    "hmset",
    "hdel",
    "hlen",
    "hexists",
    "hgetall",
    "hkeys",
    "hvals",
    "hincrby",
    "hincrbyfloat",
    "hstrlen",
    "hrandfield",
    "hscan",
    "lpush",
    "rpush",
    "lpushx",
    "rpushx",
    "lpop",
    "rpop",
    "llen",
    "lrange",
    "lindex",
    "lset",
    "linsert",
    "lrem",
    "ltrim",
    "lpos",
    "lmove",
    "rpoplpush",
    "lmpop",
    "sadd",
    "srem",
    "smembers",
    "sismember",
    "smismember",
    "scard",
    "spop",
    "srandmember",
    "smove",
    "sinter",
    "sunion",
    "sdiff",
    "sinterstore",
    "sunionstore",
    "sdiffstore",
    "sintercard",
    "sscan",
    "zadd",
    "zincrby",
    "zscore",
    "zmscore",
    "zcard",
    "zcount",
    "zlexcount",
    "zrank",
    "zrevrank",
    "zrem",
    "zrange",
    "zrevrange",
    "zrangebyscore",
    "zrevrangebyscore",
    "zrangebylex",
    "zrevrangebylex",
    "zpopmin",
    "zpopmax",
    "zmpop",
    "zremrangebyrank",
    "zremrangebyscore",
    "zremrangebylex",
    "zunionstore",
    "zinterstore",
    "zdiffstore",
    "zunion",
    "zinter",
    "zdiff",
    "zrangestore",
    "zrandmember",
    "zintercard",
    "zscan",
    "setbit",
    "getbit",
    "bitcount",
    "bitpos",
    "bitop",
    "bitfield",
    "bitfield_ro",
    "pfadd",
    "pfcount",
    "pfmerge",
    "geoadd",
    "geopos",
    "geohash",
    "geodist",
    "geosearch",
    "geosearchstore",
    "georadius",
    "georadius_ro",
    "georadiusbymember",
    "georadiusbymember_ro",
    "nosuchcommand",
    "",
];

/// Arguments of the commands outside the model: keys `x0`..`x2`, numbers, option words.
const WORDS: &[&str] = &[
    "x0",
    "x1",
    "x2",
    "f",
    "m",
    "0",
    "1",
    "-1",
    "2",
    "10",
    "3",
    "-100",
    "abc",
    "",
    "1.5",
    "+inf",
    "-inf",
    "nan",
    "(1",
    "[a",
    "-",
    "+",
    "*",
    "9223372036854775807",
    "-9223372036854775808",
    "WITHSCORES",
    "LIMIT",
    "COUNT",
    "BYSCORE",
    "BYLEX",
    "REV",
    "NX",
    "XX",
    "GT",
    "LT",
    "CH",
    "INCR",
    "LEFT",
    "RIGHT",
    "BEFORE",
    "AFTER",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "KEEPTTL",
    "PERSIST",
    "GET",
    "MATCH",
    "TYPE",
    "REPLACE",
    "ALPHA",
    "DESC",
    "WEIGHTS",
    "AGGREGATE",
    "SUM",
    "MIN",
    "MAX",
    "RANK",
    "MAXLEN",
    "IDX",
    "LEN",
    "WITHVALUES",
    "STORE",
    "BY",
    "ASYNC",
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
    // Huge counts and offsets: replies and intermediates must stay bounded.
    "-9223372036854775807",
    "16777216",
    "-16777216",
    "4294967296",
    "536870911",
    "536870912",
];

/// Commands whose key count grows with their arguments (run with many keys). Not WATCH:
/// watching `x` keys would make EXEC's outcome depend on writes the model does not follow.
const MANY_KEYS: &[&str] = &[
    "mget", "exists", "del", "touch", "unlink", "sunion", "sinter", "sdiff", "sunionstore",
    "mset", "msetnx",
];

enum Action {
    Model(Op),
    Other(Vec<Vec<u8>>),
    /// Moves the store's clock by this many ms, backwards too (NTP can step a clock back).
    Clock(i32),
}

struct Step {
    conn: usize,
    action: Action,
}

/// A multi-key command over thousands of `x` keys (never a model key).
fn many_keys(u: &mut Unstructured) -> arbitrary::Result<Vec<Vec<u8>>> {
    let mut args = vec![u.choose(MANY_KEYS)?.as_bytes().to_vec()];
    let n = u.int_in_range(100..=5000)?;
    args.extend((0..n).map(|i| format!("x{}", i % 2500).into_bytes()));
    Ok(args)
}

fn other(u: &mut Unstructured) -> arbitrary::Result<Vec<Vec<u8>>> {
    if u.ratio(1, 50)? {
        return many_keys(u);
    }
    let mut args = vec![u.choose(OTHER)?.as_bytes().to_vec()];
    for _ in 0..u.int_in_range(0..=6)? {
        if u.ratio(1, 10)? {
            // Raw bytes, marked so they never spell a model key.
            let raw: Vec<u8> = Arbitrary::arbitrary(u)?;
            args.push([&[0xFF][..], &raw[..raw.len().min(32)]].concat());
        } else {
            args.push(u.choose(WORDS)?.as_bytes().to_vec());
        }
    }
    Ok(args)
}

impl<'a> Arbitrary<'a> for Step {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Step> {
        let conn = usize::from(u.arbitrary::<bool>()?);
        let action = if u.ratio(1, 40)? {
            Action::Clock(u.int_in_range(-5_000..=5_000)?)
        } else if u.ratio(1, 4)? {
            Action::Other(other(u)?)
        } else {
            Action::Model(u.arbitrary()?)
        };
        Ok(Step { conn, action })
    }
}

struct Input(Vec<Step>);

/// A command line as text, for failure messages and `cargo fuzz fmt`.
fn shown(args: &[Vec<u8>]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|a| String::from_utf8_lossy(a).into())
        .collect();
    words.join(" ")
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Input> {
        let mut steps = Vec::new();
        while !u.is_empty() && steps.len() < 256 {
            steps.push(u.arbitrary()?);
        }
        Ok(Input(steps))
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.0 {
            let args = match &s.action {
                Action::Model(op) => op.args(),
                Action::Other(a) => a.clone(),
                Action::Clock(ms) => vec![format!("(clock {ms:+} ms)").into_bytes()],
            };
            writeln!(f, "c{}: {}", s.conn, shown(&args))?;
        }
        Ok(())
    }
}

fuzz_target!(|input: Input| {
    let clock = ManualClock::at(1_700_000_000_000);
    // A small reply bound: huge counts reach the budget's error path quickly instead of
    // building replies of up to the default 1 GiB under the sanitizer.
    let config = Config::default()
        .shards(4)
        .active_expiry(false)
        .max_reply_bytes(16 << 20)
        .clock(clock.clone());
    let store = Store::with_config(config);
    let mut conns = [store.connection(), store.connection()];
    let mut model = Model::new(2);
    for (i, step) in input.0.iter().enumerate() {
        let c = step.conn;
        match &step.action {
            Action::Model(op) => {
                let got = conns[c].execute(op.args());
                let want = model.step(c, op);
                assert!(
                    matches(&want, &got),
                    "step {i} c{c} {}: want {want:?}, got {got:?}",
                    shown(&op.args())
                );
            }
            Action::Clock(ms) => {
                // The model has no time (its keys never expire): only `x` keys feel this.
                let now = clock.now_ms();
                clock.set(now.saturating_add_signed(i64::from(*ms)));
            }
            Action::Other(args) => {
                let got = conns[c].execute(args);
                assert!(well_formed(&got, 0), "step {i}: malformed reply {got:?}");
                if model.in_multi(c) {
                    match &got {
                        Reply::Status(s) if s == "QUEUED" => model.queue_opaque(c),
                        Reply::Error(_) => model.queue_error(c),
                        other => {
                            panic!("step {i}: in MULTI, {other:?} is neither QUEUED nor an error")
                        }
                    }
                }
            }
        }
    }
});
