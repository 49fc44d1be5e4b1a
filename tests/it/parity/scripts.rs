//! Script parity: pairs of equivalent sources, Lua for Redis and Rhai for redlite, run on
//! the same data; replies are compared exactly once the script SHA1s (which differ, as the
//! sources do) are replaced by a placeholder.

/// One case: setup commands, then the script run `runs` times with the same KEYS/ARGV,
/// then commands that read back what the script left.
pub struct Case {
    pub name: &'static str,
    pub setup: &'static [&'static [&'static str]],
    pub lua: &'static str,
    pub rhai: &'static str,
    pub keys: &'static [&'static str],
    pub args: &'static [&'static str],
    pub runs: usize,
    pub after: &'static [&'static [&'static str]],
}

/// Raw commands whose replies do not depend on the language (argument checks, cache).
pub const RAW: &[&[&str]] = &[
    &["EVAL", "return 1", "3", "a"],
    &["EVAL", "return 1", "-1"],
    &["EVAL", "return 1", "x"],
    &["EVALSHA", "0000000000000000000000000000000000000000", "0"],
    &["EVALSHA", "short", "0"],
    &["EVAL"],
    &[
        "SCRIPT",
        "EXISTS",
        "0000000000000000000000000000000000000000",
    ],
    &["SCRIPT", "FLUSH"],
    &["SCRIPT", "FLUSH", "BAD"],
    &["SCRIPT", "NOPE"],
];

pub const CASES: &[Case] = &[
    Case {
        name: "the guide's increment (Example 2 done right)",
        setup: &[&["SET", "counter", "10"]],
        lua: "local current = tonumber(redis.call('GET', KEYS[1]) or '0')\n\
              local new = current + tonumber(ARGV[1])\n\
              redis.call('SET', KEYS[1], new)\n\
              return new",
        rhai: "let current = redis::call(\"GET\", KEYS[0]);\n\
               let current = if current == () { 0 } else { parse_int(current) };\n\
               let next = current + parse_int(ARGV[0]);\n\
               redis::call(\"SET\", KEYS[0], next);\n\
               next",
        keys: &["counter"],
        args: &["5"],
        runs: 3,
        after: &[&["GET", "counter"]],
    },
    Case {
        name: "transfer between two keys, refused when short",
        setup: &[&["SET", "a", "100"], &["SET", "b", "0"]],
        lua: "local from = tonumber(redis.call('GET', KEYS[1]))\n\
              local amount = tonumber(ARGV[1])\n\
              if from < amount then return redis.error_reply('INSUFFICIENT funds') end\n\
              redis.call('DECRBY', KEYS[1], amount)\n\
              return redis.call('INCRBY', KEYS[2], amount)",
        rhai: "let from = parse_int(redis::call(\"GET\", KEYS[0]));\n\
               let amount = parse_int(ARGV[0]);\n\
               if from < amount { return redis::error_reply(\"INSUFFICIENT funds\"); }\n\
               redis::call(\"DECRBY\", KEYS[0], amount);\n\
               redis::call(\"INCRBY\", KEYS[1], amount)",
        keys: &["a", "b"],
        args: &["40"],
        runs: 3,
        after: &[&["MGET", "a", "b"]],
    },
    Case {
        name: "arrays, integers and strings come back as they are",
        setup: &[],
        lua: "return {1, 2, 'three', {4, 'five'}}",
        rhai: "[1, 2, \"three\", [4, \"five\"]]",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "floats are truncated to integers",
        setup: &[],
        lua: "return 3.99",
        rhai: "3.99",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "true is 1, false is nil",
        setup: &[],
        lua: "return {true, false == false}",
        rhai: "[true, !false]",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "false returns nil",
        setup: &[],
        lua: "return false",
        rhai: "false",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "a nil reply is the script's nil",
        setup: &[],
        lua: "return redis.call('GET', KEYS[1]) == false",
        rhai: "redis::call(\"GET\", KEYS[0]) == ()",
        keys: &["missing"],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "status_reply",
        setup: &[],
        lua: "return redis.status_reply('FINE')",
        rhai: "redis::status_reply(\"FINE\")",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "error_reply keeps its code",
        setup: &[],
        lua: "return redis.error_reply('MY_ERR custom message')",
        rhai: "redis::error_reply(\"MY_ERR custom message\")",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "a status reply inside the script",
        setup: &[],
        lua: "return redis.call('SET', KEYS[1], 'v')['ok']",
        rhai: "redis::call(\"SET\", KEYS[0], \"v\").ok",
        keys: &["k"],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "pcall returns the error as a value",
        setup: &[&["SET", "s", "text"]],
        lua: "local r = redis.pcall('LPUSH', KEYS[1], 'x')\nreturn r['err']",
        rhai: "let r = redis::pcall(\"LPUSH\", KEYS[0], \"x\");\nr.err",
        keys: &["s"],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "call raises the command's error with the script suffix",
        setup: &[&["SET", "s", "text"]],
        lua: "return redis.call('LPUSH', KEYS[1], 'x')",
        rhai: "redis::call(\"LPUSH\", KEYS[0], \"x\")",
        keys: &["s"],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "writes before an error stay (no rollback)",
        setup: &[&["SET", "s", "text"]],
        lua: "redis.call('INCR', KEYS[1])\nreturn redis.call('LPUSH', KEYS[2], 'x')",
        rhai: "redis::call(\"INCR\", KEYS[0]);\nredis::call(\"LPUSH\", KEYS[1], \"x\")",
        keys: &["n", "s"],
        args: &[],
        runs: 2,
        after: &[&["GET", "n"]],
    },
    Case {
        name: "numbers passed to call are formatted as Redis 7.2 does",
        setup: &[],
        lua: "redis.call('ZADD', KEYS[1], 1.5, 'a', 2, 'b')\n\
              return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')",
        rhai: "redis::call(\"ZADD\", KEYS[0], 1.5, \"a\", 2, \"b\");\n\
               redis::call(\"ZRANGE\", KEYS[0], 0, -1, \"WITHSCORES\")",
        keys: &["z"],
        args: &[],
        runs: 1,
        after: &[&["ZSCORE", "z", "a"]],
    },
    Case {
        name: "hashes and lists through scripts",
        setup: &[&["HSET", "h", "f", "1"]],
        lua: "redis.call('HINCRBY', KEYS[1], 'f', ARGV[1])\n\
              redis.call('RPUSH', KEYS[2], ARGV[1], ARGV[2])\n\
              return {redis.call('HGET', KEYS[1], 'f'), redis.call('LRANGE', KEYS[2], 0, -1)}",
        rhai: "redis::call(\"HINCRBY\", KEYS[0], \"f\", ARGV[0]);\n\
               redis::call(\"RPUSH\", KEYS[1], ARGV[0], ARGV[1]);\n\
               [redis::call(\"HGET\", KEYS[0], \"f\"), redis::call(\"LRANGE\", KEYS[1], 0, -1)]",
        keys: &["h", "l"],
        args: &["4", "x"],
        runs: 2,
        after: &[&["HGETALL", "h"], &["LLEN", "l"]],
    },
    Case {
        name: "sha1hex",
        setup: &[],
        lua: "return redis.sha1hex('abc')",
        rhai: "redis::sha1hex(\"abc\")",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "unknown command from a script",
        setup: &[],
        lua: "return redis.pcall('NOSUCHCMD')['err']",
        rhai: "redis::pcall(\"NOSUCHCMD\").err",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
    Case {
        name: "wrong arity from a script",
        setup: &[],
        lua: "return redis.pcall('GET')['err']",
        rhai: "redis::pcall(\"GET\").err",
        keys: &[],
        args: &[],
        runs: 1,
        after: &[],
    },
];

/// The reply with every 40-hex-digit script SHA1 replaced, so two languages compare.
pub fn without_sha(reply: &redlite::Reply) -> redlite::Reply {
    match reply {
        redlite::Reply::Error(text) => redlite::Reply::error(mask_sha(text)),
        other => other.clone(),
    }
}

fn mask_sha(text: &str) -> String {
    match text.find("script: ") {
        Some(at) => {
            let start = at + "script: ".len();
            let end = (start + 40).min(text.len());
            format!("{}<sha>{}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    }
}
