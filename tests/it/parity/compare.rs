//! How two replies are compared: exactly, or loosely where Redis itself gives no order
//! (SMEMBERS, HGETALL, KEYS ...), randomness (SRANDMEMBER ...) or a clock (TTL).

use redlite::Reply;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// Byte for byte.
    Exact,
    /// An array whose order means nothing: compared as a multiset.
    Unordered,
    /// A flat field, value, field, value ... array: compared as a multiset of pairs.
    Pairs,
    /// An integer from the clock: equal within the tolerance (negative codes exact).
    Ttl(i64),
    /// Random picks: the same kind of reply and the same array length; errors and
    /// integers exact.
    Loose,
    /// SCAN's `[cursor, keys]`: cursor exact, keys as a multiset.
    Scan,
    /// OBJECT ENCODING: equal, or Redis's answer is one its history explains (it never
    /// converts back, and APPEND / SETRANGE leave a `raw` string) where redlite computes
    /// the encoding from the value as it is now.
    Encoding,
    /// INCRBYFLOAT's text: equal as an f64. redlite now emulates Redis's x86-64 `long
    /// double`, so the texts should match exactly (the re-alignment count stays 0); kept as
    /// a safety net: the driver copies Redis's text to both sides so later commands compare
    /// exactly again.
    Float,
    /// SORT's numeric scores: Redis 7.0 tests `errno == ERANGE` after `strtod` without
    /// clearing errno first, so after any earlier float overflow in the server it may refuse
    /// scores that parse cleanly. Its "can't be converted" error is accepted against a
    /// redlite array; everything else is exact.
    SortScores,
}

/// Whether the redlite reply `lite` is acceptable given Redis's reply `redis`.
pub fn same(cmp: Cmp, redis: &Reply, lite: &Reply) -> bool {
    match (cmp, redis, lite) {
        (Cmp::SortScores, Reply::Error(e), Reply::Array(_))
            if e.contains("One or more scores can't be converted into double") =>
        {
            true
        }
        (_, Reply::Error(_), _) | (_, _, Reply::Error(_)) | (Cmp::Exact, _, _) => redis == lite,
        (Cmp::Unordered, Reply::Array(a), Reply::Array(b)) => sorted(a) == sorted(b),
        (Cmp::Pairs, Reply::Array(a), Reply::Array(b)) => pairs(a) == pairs(b),
        (Cmp::Ttl(tol), Reply::Integer(a), Reply::Integer(b)) => {
            if *a < 0 || *b < 0 {
                a == b
            } else {
                (a - b).abs() <= tol
            }
        }
        (Cmp::Loose, a, b) => loose(a, b),
        (Cmp::Encoding, Reply::Bulk(a), Reply::Bulk(b)) => encoding(a, b),
        (Cmp::Float, Reply::Bulk(a), Reply::Bulk(b)) => float(a) == float(b) && float(a).is_some(),
        (Cmp::Scan, Reply::Array(a), Reply::Array(b)) => {
            a.len() == 2 && b.len() == 2 && a[0] == b[0] && same(Cmp::Unordered, &a[1], &b[1])
        }
        _ => redis == lite,
    }
}

fn encoding(redis: &[u8], lite: &[u8]) -> bool {
    redis == lite
        || matches!(
            (redis, lite),
            (b"raw", b"embstr" | b"int")
                // INCRBYFLOAT stores its result as an embstr even when it reads as an
                // integer ("7"); redlite reports what the value holds now.
                | (b"embstr", b"int")
                | (b"hashtable", b"intset" | b"listpack")
                | (b"skiplist", b"listpack")
        )
}

fn loose(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Array(x), Reply::Array(y)) => x.len() == y.len(),
        (Reply::Bulk(_), Reply::Bulk(_)) => true,
        _ => a == b,
    }
}

fn sorted(items: &[Reply]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|r| format!("{r:?}")).collect();
    v.sort();
    v
}

fn pairs(items: &[Reply]) -> Option<Vec<String>> {
    if items.len() % 2 != 0 {
        return None;
    }
    let mut v: Vec<String> = items.chunks(2).map(|p| format!("{p:?}")).collect();
    v.sort();
    Some(v)
}

fn float(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.parse().ok()
}
