//! Replies are bounded in bytes (`Config::max_reply_bytes`): a huge count, a key named many
//! times, a long EXEC queue or a range over a huge container answers an error instead of
//! allocating past the bound, and a refused pop removes nothing.

use crate::common::{bulk, err, int, nil};
use redlite::{Config, Reply, Store};

/// The bound of the small stores below.
const LIMIT: usize = 1 << 20;

fn too_large(limit: usize) -> Reply {
    err(&format!(
        "ERR reply exceeds max-reply-bytes ({limit} bytes)"
    ))
}

/// A store whose replies may hold at most [`LIMIT`] bytes.
fn small() -> Store {
    Store::with_config(
        Config::default()
            .max_reply_bytes(LIMIT)
            .active_expiry(false),
    )
}

fn run(s: &Store, args: &[&str]) -> Reply {
    s.execute(args)
}

fn len(r: &Reply) -> usize {
    match r {
        Reply::Array(items) => items.len(),
        other => panic!("not an array: {other}"),
    }
}

/// `name` followed by `key` `times` times, then `tail`.
fn repeated<'a>(name: &'a str, key: &'a str, times: usize, tail: &[&'a str]) -> Vec<&'a str> {
    let mut argv = vec![name];
    argv.extend(std::iter::repeat_n(key, times));
    argv.extend_from_slice(tail);
    argv
}

// Counts: the reply grows with a number, not with the data.

#[test]
fn zrandmember_with_huge_negative_count_is_an_error() {
    let s = Store::new();
    run(&s, &["ZADD", "z", "1", "a"]);
    assert_eq!(
        run(&s, &["ZRANDMEMBER", "z", "-9223372036854775807"]),
        too_large(1 << 30)
    );
    // Redis's own error for WITHSCORES past LONG_MAX / 2.
    assert_eq!(
        run(
            &s,
            &["ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"]
        ),
        err("ERR value is out of range")
    );
    assert_eq!(
        run(
            &s,
            &["ZRANDMEMBER", "z", "-4611686018427387903", "WITHSCORES"]
        ),
        too_large(1 << 30)
    );
    assert_eq!(len(&run(&s, &["ZRANDMEMBER", "z", "-5", "WITHSCORES"])), 10);
}

#[test]
fn srandmember_negative_count_is_bounded_in_bytes_not_elements() {
    let s = Store::new();
    let member = "m".repeat(1024);
    run(&s, &["SADD", "s", &member]);
    // 2^24 elements of 1 KiB would be 16 GiB.
    assert_eq!(
        run(&s, &["SRANDMEMBER", "s", "-16777216"]),
        too_large(1 << 30)
    );
    assert_eq!(
        run(&s, &["SRANDMEMBER", "s", "-9223372036854775807"]),
        too_large(1 << 30)
    );
    assert_eq!(len(&run(&s, &["SRANDMEMBER", "s", "-100"])), 100);
}

#[test]
fn hrandfield_negative_count_is_bounded_in_bytes() {
    let s = Store::new();
    let value = "v".repeat(1024);
    run(&s, &["HSET", "h", "f", &value]);
    assert_eq!(
        run(&s, &["HRANDFIELD", "h", "-16777216", "WITHVALUES"]),
        too_large(1 << 30)
    );
    assert_eq!(
        run(&s, &["HRANDFIELD", "h", "-9223372036854775807"]),
        too_large(1 << 30)
    );
    assert_eq!(
        run(
            &s,
            &["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"]
        ),
        err("ERR value is out of range")
    );
    assert_eq!(len(&run(&s, &["HRANDFIELD", "h", "-7", "WITHVALUES"])), 14);
}

#[test]
fn random_picks_fail_on_the_configured_bound() {
    let s = small();
    run(&s, &["SADD", "s", "a", "b"]);
    run(&s, &["ZADD", "z", "1", "a"]);
    run(&s, &["HSET", "h", "f", "v"]);
    // 32 bytes per element: 40,000 elements pass 1 MiB, 20,000 do not.
    assert_eq!(len(&run(&s, &["SRANDMEMBER", "s", "-20000"])), 20_000);
    assert_eq!(run(&s, &["SRANDMEMBER", "s", "-40000"]), too_large(LIMIT));
    assert_eq!(run(&s, &["ZRANDMEMBER", "z", "-40000"]), too_large(LIMIT));
    assert_eq!(run(&s, &["HRANDFIELD", "h", "-40000"]), too_large(LIMIT));
}

// Inputs multiplied: one big value copied once per argument.

#[test]
fn mget_of_a_big_key_named_many_times_is_an_error() {
    let s = small();
    run(&s, &["SET", "k", &"x".repeat(64 << 10)]);
    assert_eq!(len(&run(&s, &repeated("MGET", "k", 10, &[]))), 10);
    assert_eq!(run(&s, &repeated("MGET", "k", 20, &[])), too_large(LIMIT));
    assert_eq!(
        run(&s, &repeated("MGET", "k", 1_000_000, &[])),
        too_large(LIMIT)
    );
}

#[test]
fn hmget_of_a_big_field_named_many_times_is_an_error() {
    let s = small();
    run(&s, &["HSET", "h", "f", &"x".repeat(64 << 10)]);
    let mut argv = vec!["HMGET", "h"];
    argv.extend(std::iter::repeat_n("f", 100));
    assert_eq!(run(&s, &argv), too_large(LIMIT));
    argv.truncate(12);
    assert_eq!(len(&run(&s, &argv)), 10);
}

#[test]
fn many_small_replies_per_argument_are_bounded_too() {
    let s = small();
    run(&s, &["SADD", "s", "a"]);
    run(&s, &["ZADD", "z", "1", "a"]);
    // 40,000 arguments make 40,000 elements of 32 bytes: past 1 MiB.
    assert_eq!(
        run(&s, &repeated("SMISMEMBER", "s", 40_000, &[])),
        too_large(LIMIT)
    );
    let mut zmscore = repeated("ZMSCORE", "a", 40_000, &[]);
    zmscore.insert(1, "z");
    assert_eq!(run(&s, &zmscore), too_large(LIMIT));
    assert_eq!(
        len(&run(&s, &repeated("SMISMEMBER", "s", 20_000, &[]))),
        19_999
    );
}

#[test]
fn exec_replies_share_one_reply_budget() {
    let s = small();
    run(&s, &["SET", "big", &"x".repeat(300 << 10)]);
    let mut c = s.connection();
    c.execute(["MULTI"]);
    for _ in 0..5 {
        c.execute(["GET", "big"]);
    }
    c.execute(["INCR", "n"]);
    let Reply::Array(replies) = c.execute(["EXEC"]) else {
        panic!("EXEC did not commit")
    };
    assert!(
        replies[..3]
            .iter()
            .all(|r| matches!(r, Reply::Bulk(b) if b.len() == 300 << 10))
    );
    assert_eq!(replies[3..5], [too_large(LIMIT), too_large(LIMIT)]);
    // Later commands still run: EXEC does not roll back, it only refuses big replies.
    assert_eq!(replies[5], int(1));
    assert_eq!(run(&s, &["GET", "n"]), bulk("1"));
}

// Ranges over containers larger than the bound.

#[test]
fn replies_larger_than_the_bound_are_errors_whatever_builds_them() {
    let s = small();
    let big = "x".repeat(16 << 10);
    for i in 0..100 {
        let f = format!("f{i}");
        run(&s, &["RPUSH", "l", &big]);
        run(&s, &["HSET", "h", &f, &big]);
        run(&s, &["SADD", "s", &format!("{f}{big}")]);
        run(&s, &["ZADD", "z", &i.to_string(), &format!("{f}{big}")]);
        run(&s, &["SET", &format!("{f}{big}"), "v"]);
    }
    run(&s, &["SET", "str", &"y".repeat(2 << 20)]);
    for argv in [
        &["LRANGE", "l", "0", "-1"][..],
        &["HGETALL", "h"],
        &["HVALS", "h"],
        &["HSCAN", "h", "0", "COUNT", "1000"],
        &["SMEMBERS", "s"],
        &["SUNION", "s", "s"],
        &["SSCAN", "s", "0", "COUNT", "1000"],
        &["ZRANGE", "z", "0", "-1"],
        &["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"],
        &["ZUNION", "2", "z", "z"],
        &["ZSCAN", "z", "0"],
        &["KEYS", "*"],
        &["SCAN", "0", "COUNT", "1000"],
        &["GET", "str"],
        &["GETRANGE", "str", "0", "-1"],
    ] {
        assert_eq!(run(&s, argv), too_large(LIMIT), "{argv:?}");
    }
    assert_eq!(len(&run(&s, &["LRANGE", "l", "0", "9"])), 10);
    assert_eq!(len(&run(&s, &["ZRANGE", "z", "0", "9"])), 10);
    assert_eq!(run(&s, &["GETRANGE", "str", "0", "1"]), bulk("yy"));
}

#[test]
fn pops_refused_by_the_bound_remove_nothing() {
    let s = small();
    let big = "x".repeat(64 << 10);
    for i in 0..40 {
        run(&s, &["RPUSH", "l", &big]);
        run(&s, &["SADD", "s", &format!("{i}{big}")]);
        run(&s, &["ZADD", "z", &i.to_string(), &format!("{i}{big}")]);
    }
    run(&s, &["SET", "str", &"y".repeat(2 << 20)]);
    for argv in [
        &["LPOP", "l", "40"][..],
        &["RPOP", "l", "40"],
        &["LMPOP", "1", "l", "LEFT", "COUNT", "40"],
        &["SPOP", "s", "40"],
        &["ZPOPMIN", "z", "40"],
        &["ZPOPMAX", "z", "40"],
        &["ZMPOP", "1", "z", "MIN", "COUNT", "40"],
        &["GETDEL", "str"],
        &["GETSET", "str", "new"],
        &["SET", "str", "new", "GET"],
        &["GETEX", "str", "PX", "1"],
    ] {
        assert_eq!(run(&s, argv), too_large(LIMIT), "{argv:?}");
    }
    assert_eq!(run(&s, &["LLEN", "l"]), int(40));
    assert_eq!(run(&s, &["SCARD", "s"]), int(40));
    assert_eq!(run(&s, &["ZCARD", "z"]), int(40));
    assert_eq!(run(&s, &["STRLEN", "str"]), int(2 << 20));
    assert_eq!(run(&s, &["PTTL", "str"]), int(-1));
    // What fits still pops.
    assert_eq!(len(&run(&s, &["LPOP", "l", "5"])), 5);
    assert_eq!(len(&run(&s, &["SPOP", "s", "5"])), 5);
    assert_eq!(len(&run(&s, &["ZPOPMIN", "z", "5"])), 10);
}

#[test]
fn moving_an_element_larger_than_the_bound_moves_nothing() {
    let s = small();
    run(&s, &["RPUSH", "l", &"x".repeat(2 << 20)]);
    assert_eq!(
        run(&s, &["LMOVE", "l", "m", "LEFT", "RIGHT"]),
        too_large(LIMIT)
    );
    assert_eq!(run(&s, &["RPOPLPUSH", "l", "l"]), too_large(LIMIT));
    assert_eq!(run(&s, &["LLEN", "l"]), int(1));
    assert_eq!(run(&s, &["EXISTS", "m"]), int(0));
    assert_eq!(run(&s, &["LPOP", "l"]), too_large(LIMIT));
    assert_eq!(run(&s, &["LINDEX", "l", "0"]), too_large(LIMIT));
    assert_eq!(run(&s, &["LLEN", "l"]), int(1));
}

// Intermediates: the sorted-set algebra reads a key named many times in place.

#[test]
fn zset_algebra_does_not_copy_a_key_named_many_times() {
    let s = Store::new();
    for i in 0..16 {
        run(
            &s,
            &[
                "ZADD",
                "z",
                &i.to_string(),
                &format!("{i}{}", "m".repeat(256 << 10)),
            ],
        );
    }
    // Copying each of 10,000 inputs would take 40 GiB before the missing key empties the
    // result.
    let n = "10001";
    let inter = repeated("ZINTER", "z", 10_000, &["missing"]);
    let mut inter = inter;
    inter.insert(1, n);
    assert_eq!(run(&s, &inter), Reply::Array(vec![]));
    let mut diff = repeated("ZDIFF", "z", 10_000, &[]);
    diff.insert(1, "missing");
    diff.insert(1, n);
    assert_eq!(run(&s, &diff), Reply::Array(vec![]));
    let mut card = repeated("ZINTERCARD", "z", 10_000, &["missing"]);
    card.insert(1, n);
    assert_eq!(run(&s, &card), int(0));
}

#[test]
fn zset_algebra_weights_each_naming_of_a_repeated_key() {
    let s = Store::new();
    run(&s, &["ZADD", "z", "1", "a", "2", "b"]);
    run(&s, &["SADD", "p", "a"]);
    let r = run(
        &s,
        &[
            "ZUNION",
            "3",
            "z",
            "z",
            "p",
            "WEIGHTS",
            "1",
            "2",
            "10",
            "WITHSCORES",
        ],
    );
    assert_eq!(
        r,
        Reply::Array(vec![bulk("b"), bulk("6"), bulk("a"), bulk("13")])
    );
    let r = run(
        &s,
        &["ZINTER", "2", "z", "p", "AGGREGATE", "MAX", "WITHSCORES"],
    );
    assert_eq!(r, Reply::Array(vec![bulk("a"), bulk("1")]));
    assert_eq!(
        run(&s, &["ZDIFF", "2", "z", "p"]),
        Reply::Array(vec![bulk("b")])
    );
    assert_eq!(run(&s, &["ZINTERCARD", "3", "z", "z", "p"]), int(1));
    assert_eq!(run(&s, &["GET", "nothing"]), nil());
}
