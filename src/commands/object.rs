//! OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP (IDLETIME and FREQ read the LRU/LFU
//! field eviction keeps: `commands::object_lru`). None of them counts as an access to the
//! key (Redis's `LOOKUP_NOTOUCH`).
//!
//! redlite stores each type one way; OBJECT ENCODING reports the encoding Redis 7.0 would
//! use for the value as it is now, under the current thresholds (`CONFIG SET
//! hash-max-listpack-entries` ...). It is computed, not stored, so it differs from Redis
//! where Redis's choice depends on history: Redis never converts back (a hash that grew
//! past the threshold and shrank again stays `hashtable` there), and strings written by
//! APPEND or SETRANGE are `raw` there whatever they hold. Computing the answer reads at most
//! a threshold's worth of elements: a container over the threshold is answered from its
//! length alone.

use super::ctx::{Ctx, Res, err};
use super::{Keys, Spec, data as spec, flag};
use crate::error::msg;
use crate::numbers::parse_i64;
use crate::reply::Reply;
use crate::server::live::{Thresholds, get};
use crate::types::Value;

/// The key is the argument after the subcommand.
const SECOND: Keys = Keys::Range {
    first: 2,
    last: 2,
    step: 1,
};

pub(crate) const COMMANDS: &[Spec] = &[spec("object", -2, flag::SUBCOMMANDS, SECOND, object)];

const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Print this help.",
];

/// Redis's `OBJ_SHARED_REFCOUNT`: what REFCOUNT says of the shared integers 0..9999.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;
/// Redis's `OBJ_SHARED_INTEGERS`.
const SHARED_INTEGERS: i64 = 10_000;
/// Redis's `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`.
const EMBSTR_LIMIT: usize = 44;

fn object(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let sub = String::from_utf8_lossy(a[1]).to_ascii_lowercase();
    match (sub.as_str(), a.len()) {
        ("encoding", 3) => {
            let t = &ctx.shared.server.live.encoding;
            Ok(peek(ctx, a[2])?.map_or(Reply::Nil, |v| Reply::bulk(encoding(v, t))))
        }
        ("refcount", 3) => Ok(peek(ctx, a[2])?.map_or(Reply::Nil, |v| {
            Reply::Integer(if shared_integer(v) {
                SHARED_REFCOUNT
            } else {
                1
            })
        })),
        ("idletime", 3) => super::object_lru::idletime(ctx, a[2]),
        ("freq", 3) => super::object_lru::freq(ctx, a[2]),
        ("help", 2) => Ok(Reply::Array(
            HELP.iter().map(|l| Reply::status(*l)).collect(),
        )),
        ("encoding" | "refcount" | "idletime" | "freq" | "help", _) => {
            err(msg::arity(&format!("object|{sub}")))
        }
        _ => err(msg::unknown_subcommand(a[1], "OBJECT")),
    }
}

/// The value of `key` without counting an access.
fn peek<'c>(ctx: &'c Ctx, key: &[u8]) -> Res<Option<&'c Value>> {
    Ok(ctx.peek(key)?.and_then(|e| e.value.as_ref()))
}

/// A string Redis would hold as one of its shared integer objects.
fn shared_integer(v: &Value) -> bool {
    let Value::Str(s) = v else { return false };
    as_int(s).is_some_and(|n| (0..SHARED_INTEGERS).contains(&n))
}

/// `string2l` on at most 20 bytes: what `tryObjectEncoding` stores as an integer.
fn as_int(s: &[u8]) -> Option<i64> {
    (s.len() <= 20).then(|| parse_i64(s)).flatten()
}

/// The encoding Redis 7.0 reports for `v` under thresholds `t`.
pub(crate) fn encoding(v: &Value, t: &Thresholds) -> &'static str {
    match v {
        Value::Str(s) if as_int(s).is_some() => "int",
        Value::Str(s) if s.len() <= EMBSTR_LIMIT => "embstr",
        Value::Str(_) => "raw",
        // 7.0 keeps every list in a quicklist (listpack lists are 7.2's).
        Value::List(_) => "quicklist",
        Value::Set(s) => {
            let small = fits(s.len(), get(&t.set_intset_entries));
            if small && s.iter().all(|m| parse_i64(m).is_some()) {
                "intset"
            } else {
                "hashtable"
            }
        }
        Value::Hash(h) => {
            let limit = get(&t.hash_value);
            let short = |b: &[u8]| fits(b.len(), limit);
            if fits(h.len(), get(&t.hash_entries)) && h.iter().all(|(f, v)| short(f) && short(v)) {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Value::ZSet(z) => {
            let limit = get(&t.zset_value);
            if fits(z.len(), get(&t.zset_entries)) && z.iter().all(|(m, _)| fits(m.len(), limit)) {
                "listpack"
            } else {
                "skiplist"
            }
        }
    }
}

fn fits(n: usize, limit: u64) -> bool {
    u64::try_from(n).is_ok_and(|n| n <= limit)
}
