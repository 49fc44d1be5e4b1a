//! The modelled commands: how each is written as arguments and what it does.

use arbitrary::{Arbitrary, Unstructured};
use redlite::Reply;

use super::{Model, Val};

/// Model keys: a tiny alphabet so that commands collide. Nothing outside the model uses
/// these names (see the `commands` target's argument alphabet).
const KEYS: &[&str] = &["k0", "k1", "k2", "k3"];
const VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "10",
    "a",
    "abc",
    "01",
    " 1",
    "1.5",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775806",
];

/// Stands in the model's EXEC reply for a command outside the model (not checked).
pub const OPAQUE: &str = "<opaque: not modelled>";

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INT: &str = "ERR value is not an integer or out of range";
const OVERFLOW: &str = "ERR increment or decrement would overflow";

/// A modelled command with its arguments.
#[derive(Clone, Debug)]
pub enum Op {
    Get(Vec<u8>),
    Set(Vec<u8>, Vec<u8>),
    Del(Vec<Vec<u8>>),
    Exists(Vec<Vec<u8>>),
    Incr(Vec<u8>),
    Append(Vec<u8>, Vec<u8>),
    Strlen(Vec<u8>),
    FlushAll,
    Multi,
    Exec,
    Discard,
    Watch(Vec<Vec<u8>>),
    Unwatch,
    /// A command outside the model, queued in MULTI: its reply is not predicted.
    Opaque,
}

fn key(u: &mut Unstructured) -> arbitrary::Result<Vec<u8>> {
    Ok(u.choose(KEYS)?.as_bytes().to_vec())
}

fn keys(u: &mut Unstructured) -> arbitrary::Result<Vec<Vec<u8>>> {
    let n = u.int_in_range(1..=3)?;
    (0..n).map(|_| key(u)).collect()
}

fn value(u: &mut Unstructured) -> arbitrary::Result<Vec<u8>> {
    Ok(u.choose(VALUES)?.as_bytes().to_vec())
}

impl<'a> Arbitrary<'a> for Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Op> {
        Ok(match u.int_in_range(0..=15)? {
            0 | 1 => Op::Get(key(u)?),
            2 | 3 => Op::Set(key(u)?, value(u)?),
            4 => Op::Del(keys(u)?),
            5 => Op::Exists(keys(u)?),
            6 | 7 => Op::Incr(key(u)?),
            8 => Op::Append(key(u)?, value(u)?),
            9 => Op::Strlen(key(u)?),
            10 => Op::Multi,
            11 => Op::Exec,
            12 => Op::Discard,
            13 => Op::Watch(keys(u)?),
            14 => Op::Unwatch,
            _ if u.ratio(1, 8)? => Op::FlushAll,
            _ => Op::Get(key(u)?),
        })
    }
}

impl Op {
    /// The command line sent to redlite.
    pub fn args(&self) -> Vec<Vec<u8>> {
        let name = |n: &str| vec![n.as_bytes().to_vec()];
        let with = |n: &str, rest: &[Vec<u8>]| [name(n), rest.to_vec()].concat();
        match self {
            Op::Get(k) => with("GET", &[k.clone()]),
            Op::Set(k, v) => with("SET", &[k.clone(), v.clone()]),
            Op::Del(ks) => with("DEL", ks),
            Op::Exists(ks) => with("EXISTS", ks),
            Op::Incr(k) => with("INCR", &[k.clone()]),
            Op::Append(k, v) => with("APPEND", &[k.clone(), v.clone()]),
            Op::Strlen(k) => with("STRLEN", &[k.clone()]),
            Op::FlushAll => name("FLUSHALL"),
            Op::Multi => name("MULTI"),
            Op::Exec => name("EXEC"),
            Op::Discard => name("DISCARD"),
            Op::Watch(ks) => with("WATCH", ks),
            Op::Unwatch => name("UNWATCH"),
            Op::Opaque => name("PING"),
        }
    }
}

/// Redis's strict integer syntax (string2ll): optional '-', no '+', no leading zeros,
/// no spaces, at most 20 characters, fits in i64.
fn strict_int(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?;
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = !digits.is_empty()
        && s.len() <= 20
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0";
    if ok { s.parse().ok() } else { None }
}

impl Model {
    /// Runs a data op now (outside MULTI, or inside EXEC).
    pub(super) fn apply(&mut self, op: &Op) -> Reply {
        match op {
            Op::Get(k) => match self.data.get(k) {
                None => Reply::Nil,
                Some(Val::Str(s)) => Reply::Bulk(s.clone()),
            },
            Op::Set(k, v) => {
                self.data.insert(k.clone(), Val::Str(v.clone()));
                self.signal(k);
                Reply::ok()
            }
            Op::Del(ks) => {
                let mut n = 0;
                for k in ks {
                    if self.data.remove(k).is_some() {
                        self.signal(k);
                        n += 1;
                    }
                }
                Reply::Integer(n)
            }
            Op::Exists(ks) => {
                Reply::Integer(ks.iter().filter(|k| self.data.contains_key(*k)).count() as i64)
            }
            Op::Incr(k) => self.incr(k),
            Op::Append(k, v) => {
                let Val::Str(s) = self.data.entry(k.clone()).or_insert(Val::Str(Vec::new()));
                s.extend_from_slice(v);
                let len = s.len() as i64;
                self.signal(k);
                Reply::Integer(len)
            }
            Op::Strlen(k) => match self.data.get(k) {
                None => Reply::Integer(0),
                Some(Val::Str(s)) => Reply::Integer(s.len() as i64),
            },
            Op::FlushAll => {
                let keys: Vec<Vec<u8>> = self.data.drain().map(|(k, _)| k).collect();
                keys.iter().for_each(|k| self.signal(k));
                Reply::ok()
            }
            // UNWATCH queued in MULTI: EXEC already unwatched.
            Op::Unwatch => Reply::ok(),
            Op::Opaque => Reply::status(OPAQUE),
            Op::Multi | Op::Exec | Op::Discard | Op::Watch(_) => Reply::error("ERR not a data op"),
        }
    }

    fn incr(&mut self, k: &[u8]) -> Reply {
        let current = match self.data.get(k) {
            None => 0,
            Some(Val::Str(s)) => match strict_int(s) {
                Some(n) => n,
                None => return Reply::error(NOT_INT),
            },
        };
        let Some(new) = current.checked_add(1) else {
            return Reply::error(OVERFLOW);
        };
        self.data
            .insert(k.to_vec(), Val::Str(new.to_string().into_bytes()));
        self.signal(k);
        Reply::Integer(new)
    }
}

/// Kept for the day a second type lands in [`Val`]: its commands answer WRONGTYPE on strings.
#[allow(dead_code)]
fn wrongtype() -> Reply {
    Reply::error(WRONGTYPE)
}
