//! Redis 7.0's `denyoom` commands: those that may grow memory, refused with OOM when
//! memory is full and nothing can be evicted.
//!
//! A list by name rather than a flag on every family's rows keeps the command tables of
//! the other families untouched; the lookup runs only when memory is over the limit.

/// Redis 7.0's commands with the `denyoom` flag (its `src/commands/*.json`), lowercase.
const DENYOOM: &[&str] = &[
    "append",
    "bitfield",
    "bitop",
    "blmove",
    "brpoplpush",
    "copy",
    "decr",
    "decrby",
    "geoadd",
    "georadius",
    "georadiusbymember",
    "geosearchstore",
    "getset",
    "hincrby",
    "hincrbyfloat",
    "hmset",
    "hset",
    "hsetnx",
    "incr",
    "incrby",
    "incrbyfloat",
    "linsert",
    "lmove",
    "lpush",
    "lpushx",
    "lset",
    "mset",
    "msetnx",
    "pfadd",
    "pfmerge",
    "psetex",
    "restore",
    "restore-asking",
    "rpoplpush",
    "rpush",
    "rpushx",
    "sadd",
    "sdiffstore",
    "set",
    "setbit",
    "setex",
    "setnx",
    "setrange",
    "sinterstore",
    "sort",
    "sunionstore",
    "xadd",
    "xgroup",
    "zadd",
    "zdiffstore",
    "zincrby",
    "zinterstore",
    "zrangestore",
    "zunionstore",
];

/// Whether the command `name` (lowercase, as in the table) may grow memory.
pub(crate) fn denies(name: &str) -> bool {
    DENYOOM.contains(&name)
}
