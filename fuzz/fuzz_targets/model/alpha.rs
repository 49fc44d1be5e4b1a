//! The small alphabets the modelled commands draw from, so that commands collide, and
//! helpers shared by the families.

use arbitrary::Unstructured;
use redlite::Reply;

/// Model keys. Nothing outside the model uses these names (see the `commands` target's
/// argument alphabet).
pub const KEYS: &[&str] = &["k0", "k1", "k2", "k3"];
/// String values, hash values and increments: integers at the edges and near-integers.
pub const VALUES: &[&str] = &[
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
/// Hash fields.
pub const FIELDS: &[&str] = &["f0", "f1", "f2"];
/// List elements and set members (numbers too: small sets may be stored as integers).
pub const ELEMS: &[&str] = &["a", "b", "1", "01", "-1"];
/// Indexes and counts, with non-integers and the i64 edges.
pub const INDEXES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "-3",
    "10",
    "-100",
    "abc",
    "",
    "9223372036854775807",
    "-9223372036854775808",
];

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const NOT_INT: &str = "ERR value is not an integer or out of range";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";

pub fn wrongtype() -> Reply {
    Reply::error(WRONGTYPE)
}

pub fn pick(u: &mut Unstructured, from: &[&str]) -> arbitrary::Result<Vec<u8>> {
    Ok(u.choose(from)?.as_bytes().to_vec())
}

/// One to three picks (repeats allowed: Redis counts them once).
pub fn some(u: &mut Unstructured, from: &[&str]) -> arbitrary::Result<Vec<Vec<u8>>> {
    let n = u.int_in_range(1..=3)?;
    (0..n).map(|_| pick(u, from)).collect()
}

pub fn key(u: &mut Unstructured) -> arbitrary::Result<Vec<u8>> {
    pick(u, KEYS)
}

/// A command line: the name, then the arguments.
pub fn line<'a>(name: &str, args: impl IntoIterator<Item = &'a Vec<u8>>) -> Vec<Vec<u8>> {
    let mut out = vec![name.as_bytes().to_vec()];
    out.extend(args.into_iter().cloned());
    out
}

/// Redis's strict integer syntax (string2ll): optional '-', no '+', no leading zeros,
/// no spaces, at most 20 characters, fits in i64.
pub fn strict_int(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?;
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = !digits.is_empty()
        && s.len() <= 20
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0";
    if ok { s.parse().ok() } else { None }
}
