//! Cursors, random picks and their argument rules for the dense containers (hashes, sets).
//!
//! Where redlite differs from Redis here, on purpose: containers of at most `SMALL` (128)
//! elements answer HSCAN / SSCAN in one call with cursor 0 whatever COUNT says, as Redis's
//! listpack/intset encodings do; larger ones iterate COUNT positions per call with the cursor
//! described below. Random picks with a negative count (repeats allowed) take any count Redis
//! takes; the reply is bounded by `max-reply-bytes` instead (see `budget`).
//!
//! HSCAN / SSCAN walk positions from the top of the container's dense vector downwards; the
//! cursor is the first position not visited yet (0 ends the walk). Elements are removed only
//! with `swap_remove`, which moves the *last* element into the hole: that element sits at or
//! above the cursor (already visited) or, when the container shrank below the cursor, below
//! it (still to visit). Either way no element present for the whole iteration is missed;
//! some may be returned twice, which Redis's SCAN contract allows.

use std::ops::Range;

use super::ctx::{Res, err};
use super::parse;
use crate::reply::Reply;

/// `getRangeLongFromObjectOrReply(.., -LONG_MAX, LONG_MAX, ..)`'s text, typo included.
const COUNT_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// `getLongFromObjectOrReply`'s text (HRANDFIELD WITHVALUES with a count past `LONG_MAX/2`).
pub(crate) const OUT_OF_RANGE: &str = "ERR value is out of range";

/// Containers up to this size answer in one call with cursor 0, as Redis's small encodings
/// (listpack, intset) do whatever COUNT says.
pub(crate) const SMALL: usize = 128;

/// The positions one SCAN call visits and the cursor to reply.
pub(crate) fn step(len: usize, cursor: u64, count: usize) -> (Range<usize>, u64) {
    if len <= SMALL {
        return (0..len, 0);
    }
    let upper = match cursor {
        0 => len,
        c => usize::try_from(c).unwrap_or(usize::MAX).min(len),
    };
    let lower = upper.saturating_sub(count.max(1));
    (lower..upper, lower as u64)
}

/// `count` distinct positions out of `0..len`, in random order (`count` < `len`).
///
/// Floyd's sampling: O(count) time and memory however large the container is.
pub(crate) fn distinct(len: usize, count: usize) -> Vec<usize> {
    let count = count.min(len);
    let mut chosen = std::collections::HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    for j in len - count..len {
        let t = fastrand::usize(..=j);
        let pick = if chosen.insert(t) { t } else { j };
        chosen.insert(pick);
        out.push(pick);
    }
    fastrand::shuffle(&mut out);
    out
}

/// `count` positions out of `0..len` (`len` > 0), repeats allowed.
pub(crate) fn with_repeats(len: usize, count: usize) -> impl Iterator<Item = usize> {
    (0..count).map(move |_| fastrand::usize(..len))
}

/// A random-count argument (SRANDMEMBER, HRANDFIELD): any i64 but `i64::MIN`; negative means
/// repeats allowed.
pub(crate) fn random_count(raw: &[u8]) -> Res<i64> {
    let n = parse::int(raw)?;
    if n == i64::MIN {
        return err(COUNT_RANGE);
    }
    Ok(n)
}

/// How many elements a random pick of `count` from `len` elements replies: all `|count|`
/// when negative (repeats), at most `len` when positive.
pub(crate) fn picked(len: usize, count: i64) -> usize {
    let n = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    match () {
        () if len == 0 => 0,
        () if count < 0 => n,
        () => n.min(len),
    }
}

/// The fewest bytes each element of a random pick of `count` holds: the shortest of `lens`
/// (the elements' lengths) when a pick with repeats asks for at least as many elements as
/// there are, else 0 (scanning would cost more than the reply). Lets a huge negative count
/// fail at once, before its reply is reserved.
pub(crate) fn least_bytes(count: i64, lens: impl ExactSizeIterator<Item = usize>) -> usize {
    if count >= 0 || (lens.len() as u64) > count.unsigned_abs() {
        return 0;
    }
    lens.min().unwrap_or(0)
}

/// The positions of a random pick of `count` from `len` elements: distinct and in random
/// order when positive (every position, in order, when it asks for all), repeats allowed
/// when negative. Allocates [`picked`] positions: reserve that many replies first.
pub(crate) fn positions(len: usize, count: i64) -> Vec<usize> {
    let n = picked(len, count);
    if count < 0 {
        with_repeats(len, n).collect()
    } else if n >= len {
        (0..len).collect()
    } else {
        distinct(len, n)
    }
}

/// `[cursor, [items...]]`, the shape of every SCAN-family reply.
pub(crate) fn scan_reply(next: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(items)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_containers_answer_at_once() {
        assert_eq!(step(5, 0, 1), (0..5, 0));
        assert_eq!(step(5, 77, 1), (0..5, 0));
    }

    #[test]
    fn large_containers_walk_down() {
        assert_eq!(step(1000, 0, 10), (990..1000, 990));
        assert_eq!(step(1000, 990, 10), (980..990, 980));
        assert_eq!(step(1000, 5, 10), (0..5, 0));
        assert_eq!(step(200, 5000, 10), (190..200, 190));
    }

    #[test]
    fn distinct_positions_are_distinct_and_in_range() {
        for (len, count) in [(10, 9), (1000, 3), (50, 50)] {
            let mut v = distinct(len, count);
            assert_eq!(v.len(), count);
            v.sort_unstable();
            v.dedup();
            assert_eq!(v.len(), count);
            assert!(v.iter().all(|&i| i < len));
        }
    }
}
