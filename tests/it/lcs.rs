//! LCS with LEN, IDX, MINMATCHLEN and WITHMATCHLEN (Redis's documented example), and the
//! bound on its table.

use crate::common::{bulk, err, int, setup};
use redlite::Reply;

fn pair(a: i64, b: i64) -> Reply {
    Reply::Array(vec![int(a), int(b)])
}

fn texts() -> redlite::Connection {
    let (_s, mut c, _) = setup();
    c.execute(["MSET", "key1", "ohmytext", "key2", "mynewtext"]);
    c
}

#[test]
fn lcs_returns_the_subsequence_or_its_length() {
    let mut c = texts();
    assert_eq!(c.execute(["LCS", "key1", "key2"]), bulk("mytext"));
    assert_eq!(c.execute(["LCS", "key1", "key2", "LEN"]), int(6));
    assert_eq!(c.execute(["LCS", "key1", "missing"]), bulk(""));
}

#[test]
fn lcs_idx_lists_matches_from_the_end() {
    let mut c = texts();
    let all = c.execute(["LCS", "key1", "key2", "IDX"]);
    let m = |a: (i64, i64), b: (i64, i64)| Reply::Array(vec![pair(a.0, a.1), pair(b.0, b.1)]);
    assert_eq!(
        all,
        Reply::Array(vec![
            bulk("matches"),
            Reply::Array(vec![m((4, 7), (5, 8)), m((2, 3), (0, 1))]),
            bulk("len"),
            int(6)
        ])
    );
    let long = c.execute([
        "LCS",
        "key1",
        "key2",
        "IDX",
        "MINMATCHLEN",
        "4",
        "WITHMATCHLEN",
    ]);
    assert_eq!(
        long,
        Reply::Array(vec![
            bulk("matches"),
            Reply::Array(vec![Reply::Array(vec![pair(4, 7), pair(5, 8), int(4)])]),
            bulk("len"),
            int(6)
        ])
    );
}

#[test]
fn lcs_errors_use_redis_texts() {
    let mut c = texts();
    assert_eq!(
        c.execute(["LCS", "key1", "key2", "LEN", "IDX"]),
        err("ERR If you want both the length and indexes, please just use IDX.")
    );
    assert_eq!(
        c.execute(["LCS", "key1", "key2", "FOO"]),
        err("ERR syntax error")
    );
    c.execute(["LPUSH", "l", "x"]);
    assert_eq!(
        c.execute(["LCS", "key1", "l"]),
        err("ERR The specified keys must contain string values")
    );
}

#[test]
fn lcs_refuses_a_table_past_proto_max_bulk_len() {
    let (_s, mut c, _) = setup();
    // 12000 x 12000 cells of 4 bytes: 576 MB, past the 512 MB bound.
    let big = "a".repeat(12_000);
    c.execute(["MSET", "x", &big, "y", &big]);
    assert_eq!(
        c.execute(["LCS", "x", "y", "LEN"]),
        err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    );
}
