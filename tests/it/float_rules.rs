//! Floats are read with Redis's own rules everywhere (strtod: hex floats, `inf`, range
//! errors, spaces) and INCRBYFLOAT/HINCRBYFLOAT compute in C `long double` as Redis does.
//! Every expected reply here was taken from redis-server 7.0.15.

use crate::common::*;
use redlite::{Connection, Store};

const WEIGHT: &str = "ERR weight value is not a float";
const RANGE: &str = "ERR min or max is not a float";

fn x(c: &mut Connection, args: &[&str]) -> redlite::Reply {
    c.execute(args)
}

#[test]
fn zadd_and_zincrby_accept_hex_floats() {
    let mut c = Store::new().connection();
    assert_eq!(
        x(
            &mut c,
            &["ZADD", "z", "0x10", "m", "0x1p4", "m2", "-0x.8", "m3"]
        ),
        int(3)
    );
    assert_eq!(x(&mut c, &["ZSCORE", "z", "m"]), bulk("16"));
    assert_eq!(x(&mut c, &["ZSCORE", "z", "m3"]), bulk("-0.5"));
    assert_eq!(x(&mut c, &["ZINCRBY", "z", "0x1p-1", "m"]), bulk("16.5"));
    assert_eq!(
        x(&mut c, &["ZADD", "z", "INCR", "0x1p1", "m"]),
        bulk("18.5")
    );
}

#[test]
fn zadd_refuses_scores_strtod_flags_or_does_not_read_in_full() {
    let mut c = Store::new().connection();
    for score in [
        "1e400",
        "-1e400",
        "1e-400",
        "0x1p-1080",
        " 1",
        "\x0b1",
        "1 ",
        "nan",
        "0x",
        "",
    ] {
        assert_eq!(
            x(&mut c, &["ZADD", "z", score, "m"]),
            err(NOT_FLOAT),
            "{score:?}"
        );
    }
    assert_eq!(
        x(&mut c, &["ZADD", "z", "1e-310", "m"]),
        int(1),
        "a subnormal is fine"
    );
    assert_eq!(x(&mut c, &["ZADD", "z", "-Infinity", "n"]), int(1));
    assert_eq!(x(&mut c, &["ZSCORE", "z", "n"]), bulk("-inf"));
}

#[test]
fn score_ranges_read_hex_and_let_strtod_skip_spaces() {
    let mut c = Store::new().connection();
    x(
        &mut c,
        &[
            "ZADD", "z", "-0.5", "a", "1e-310", "b", "16", "c", "16.5", "d",
        ],
    );
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "0x0", "0x20"]), int(3));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "(0x10", "inf"]), int(1));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "(-0x.8", "(0x10.8"]), int(2));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", " 1", "100"]), int(2));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "( 1", "100"]), int(2));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "\x0b1", "100"]), int(2));
    // An empty bound is 0 (strtod ends on the NUL); overflow and underflow are no error.
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "", "100"]), int(3));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "(", "100"]), int(3));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "-1e400", "1e999"]), int(4));
    assert_eq!(x(&mut c, &["ZCOUNT", "z", "(1e-400", "1"]), int(1));
    for bad in [" ", "( ", "1 ", "0x", "nan", "(nan", "[1"] {
        assert_eq!(
            x(&mut c, &["ZCOUNT", "z", bad, "100"]),
            err(RANGE),
            "{bad:?}"
        );
    }
    assert_eq!(
        x(&mut c, &["ZREMRANGEBYSCORE", "z", "(0x1p3", "+inf"]),
        int(2)
    );
    assert_eq!(
        x(&mut c, &["ZRANGEBYSCORE", "z", "-inf", "0x0"]),
        bulks(&["a"])
    );
}

#[test]
fn weights_follow_string2d() {
    let mut c = Store::new().connection();
    x(&mut c, &["ZADD", "z", "1", "a"]);
    assert_eq!(
        x(&mut c, &["ZUNIONSTORE", "o", "1", "z", "WEIGHTS", "0x2"]),
        int(1)
    );
    assert_eq!(x(&mut c, &["ZSCORE", "o", "a"]), bulk("2"));
    for w in ["1e400", "1e-400", " 2", "nan"] {
        assert_eq!(
            x(&mut c, &["ZUNIONSTORE", "o", "1", "z", "WEIGHTS", w]),
            err(WEIGHT)
        );
    }
}

#[test]
fn incrbyfloat_accepts_hex_and_long_double_range() {
    let mut c = Store::new().connection();
    assert_eq!(x(&mut c, &["INCRBYFLOAT", "k", "0x10"]), bulk("16"));
    assert_eq!(x(&mut c, &["INCRBYFLOAT", "k", "0x1p4"]), bulk("32"));
    assert_eq!(x(&mut c, &["INCRBYFLOAT", "k", "1e-400"]), bulk("32"));
    assert_eq!(x(&mut c, &["INCRBYFLOAT", "k", "-0x1.8p1"]), bulk("29"));
    x(&mut c, &["SET", "k", "0x10"]);
    assert_eq!(x(&mut c, &["INCRBYFLOAT", "k", "1"]), bulk("17"));
    for bad in ["1e5000", "1e-5000", "0x1p16384", " 1", "1 ", "nan"] {
        assert_eq!(
            x(&mut c, &["INCRBYFLOAT", "k", bad]),
            err(NOT_FLOAT),
            "{bad:?}"
        );
    }
    // Past a double's range, a long double still holds it: Redis prints every digit.
    let big = x(&mut c, &["INCRBYFLOAT", "big", "1e400"]);
    let redlite::Reply::Bulk(text) = big else {
        panic!("{big:?}")
    };
    assert_eq!(text.len(), 401);
    assert!(text.starts_with(b"1000000000000000000028188068394758651458645343362905203862"));
    x(&mut c, &["SET", "big", "1e400"]);
    assert_eq!(x(&mut c, &["INCRBYFLOAT", "big", "-1e400"]), bulk("0"));
}

#[test]
fn incrbyfloat_prints_long_double_digits_not_double_ones() {
    let mut c = Store::new().connection();
    let cases = [
        ("a", "0.333333333333333333333", "0.33333333333333333"),
        ("a", "0.1", "0.43333333333333333"),
        ("b", "1.1", "1.1"),
        ("b", "2.2", "3.3"),
        ("c", "9007199254740993", "9007199254740993"),
        ("d", "1e19", "10000000000000000000"),
        ("d", "1", "10000000000000000001"),
    ];
    for (key, by, want) in cases {
        assert_eq!(
            x(&mut c, &["INCRBYFLOAT", key, by]),
            bulk(want),
            "{key} += {by}"
        );
    }
}

#[test]
fn hincrbyfloat_reads_long_doubles_like_incrbyfloat() {
    let mut c = Store::new().connection();
    assert_eq!(x(&mut c, &["HINCRBYFLOAT", "h", "g", "1e-400"]), bulk("0"));
    assert_eq!(x(&mut c, &["HINCRBYFLOAT", "h", "g", "0x1p4"]), bulk("16"));
    assert_eq!(
        x(
            &mut c,
            &["HINCRBYFLOAT", "h", "g", "0.333333333333333333333"]
        ),
        bulk("16.33333333333333333")
    );
    assert_eq!(
        x(&mut c, &["HINCRBYFLOAT", "h", "f", "1e5000"]),
        err(NOT_FLOAT)
    );
    x(&mut c, &["HSET", "h", "s", "0x20", "s2", " 1"]);
    assert_eq!(x(&mut c, &["HINCRBYFLOAT", "h", "s", "1"]), bulk("33"));
    assert_eq!(
        x(&mut c, &["HINCRBYFLOAT", "h", "s2", "1"]),
        err("ERR hash value is not a float")
    );
    let big = x(&mut c, &["HINCRBYFLOAT", "h", "f", "1e400"]);
    assert!(
        matches!(&big, redlite::Reply::Bulk(t) if t.len() == 401),
        "{big:?}"
    );
}

#[test]
#[allow(clippy::float_cmp, reason = "these sums are exact in binary")]
fn typed_float_readers_use_redis_rules() -> Result<(), redlite::Error> {
    let store = Store::new();
    store.set("k", "0x10")?;
    assert_eq!(store.get::<f64>("k")?, 16.0);
    assert_eq!(store.incr_by_float("k", 0.5)?, 16.5);
    store.set("k", " 1")?;
    assert!(
        store.get::<f64>("k").is_err(),
        "string2d refuses a leading space"
    );
    Ok(())
}
