//! String commands, checked against Redis 7's replies (cases from tests/unit/type/string.tcl
//! and incr.tcl).

use std::time::Duration;

use crate::common::*;
use redlite::{Reply, Store};

#[test]
fn set_and_get_including_empty_and_binary_values() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["SET", "x", "foobar"]), ok());
    assert_eq!(c.execute(["GET", "x"]), bulk("foobar"));
    assert_eq!(c.execute(["SET", "x", ""]), ok());
    assert_eq!(c.execute(["GET", "x"]), bulk(""));
    let bin: &[u8] = b"a\0b\r\n\xff";
    assert_eq!(c.execute([&b"SET"[..], b"bin", bin]), ok());
    assert_eq!(c.execute([&b"GET"[..], b"bin"]), bulk(bin));
    assert_eq!(c.execute(["GET", "missing"]), nil());
    assert_eq!(c.execute(["get", "x"]), bulk(""));
}

#[test]
fn set_nx_and_xx() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["SET", "foo", "1", "nx"]), ok());
    assert_eq!(c.execute(["SET", "foo", "2", "nx"]), nil());
    assert_eq!(c.execute(["GET", "foo"]), bulk("1"));
    assert_eq!(c.execute(["SET", "bar", "1", "xx"]), nil());
    assert_eq!(c.execute(["EXISTS", "bar"]), int(0));
    assert_eq!(c.execute(["SET", "foo", "2", "XX"]), ok());
    assert_eq!(c.execute(["GET", "foo"]), bulk("2"));
    // The same flag twice is accepted.
    assert_eq!(c.execute(["SET", "foo", "3", "XX", "XX"]), ok());
}

#[test]
fn set_get_option_returns_the_old_value_whether_or_not_it_sets() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["SET", "foo", "bar2", "GET"]), bulk("bar"));
    assert_eq!(c.execute(["GET", "foo"]), bulk("bar2"));
    c.execute(["DEL", "foo"]);
    assert_eq!(c.execute(["SET", "foo", "bar", "GET"]), nil());
    assert_eq!(c.execute(["GET", "foo"]), bulk("bar"));
    assert_eq!(c.execute(["SET", "foo", "baz", "GET", "XX"]), bulk("bar"));
    assert_eq!(c.execute(["GET", "foo"]), bulk("baz"));
    c.execute(["DEL", "foo"]);
    assert_eq!(c.execute(["SET", "foo", "bar", "GET", "XX"]), nil());
    assert_eq!(c.execute(["GET", "foo"]), nil());
    assert_eq!(c.execute(["SET", "foo", "bar", "GET", "NX"]), nil());
    assert_eq!(c.execute(["GET", "foo"]), bulk("bar"));
    assert_eq!(c.execute(["SET", "foo", "baz", "NX", "GET"]), bulk("bar"));
    assert_eq!(c.execute(["GET", "foo"]), bulk("bar"));
}

#[test]
fn set_expiry_options_set_the_ttl() {
    let (_s, mut c, clock) = setup();
    let now_ms = 1_767_225_600_000u64;
    assert_eq!(c.execute(["SET", "a", "v", "EX", "10"]), ok());
    assert_eq!(c.execute(["PTTL", "a"]), int(10_000));
    assert_eq!(c.execute(["SET", "b", "v", "px", "1500"]), ok());
    assert_eq!(c.execute(["PTTL", "b"]), int(1500));
    let exat = (now_ms / 1000 + 20).to_string();
    assert_eq!(c.execute(["SET", "c", "v", "EXAT", &exat]), ok());
    assert_eq!(c.execute(["TTL", "c"]), int(20));
    let pxat = (now_ms + 2500).to_string();
    assert_eq!(c.execute(["SET", "d", "v", "PXAT", &pxat]), ok());
    assert_eq!(c.execute(["PEXPIRETIME", "d"]), bulk_int(now_ms + 2500));
    // Same option twice: the last value wins.
    assert_eq!(c.execute(["SET", "e", "v", "EX", "1", "EX", "7"]), ok());
    assert_eq!(c.execute(["TTL", "e"]), int(7));
    assert_eq!(c.execute(["SET", "f", "v", "XX"]), nil());
    c.execute(["SET", "f", "old"]);
    assert_eq!(c.execute(["SET", "f", "bar", "xx", "px", "10000"]), ok());
    assert_eq!(c.execute(["TTL", "f"]), int(10));
    clock.advance(Duration::from_millis(1501));
    assert_eq!(c.execute(["GET", "b"]), nil());
    assert_eq!(c.execute(["GET", "a"]), bulk("v"));
}

fn bulk_int(n: u64) -> redlite::Reply {
    int(n as i64)
}

#[test]
fn set_clears_the_ttl_and_keepttl_keeps_it() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar", "EX", "100"]);
    assert_eq!(c.execute(["SET", "foo", "baz"]), ok());
    assert_eq!(c.execute(["TTL", "foo"]), int(-1));
    c.execute(["SET", "foo", "bar", "EX", "100"]);
    assert_eq!(c.execute(["SET", "foo", "baz", "KEEPTTL"]), ok());
    assert_eq!(c.execute(["TTL", "foo"]), int(100));
    assert_eq!(c.execute(["GET", "foo"]), bulk("baz"));
    assert_eq!(c.execute(["SET", "foo", "bax", "EX", "5"]), ok());
    assert_eq!(c.execute(["TTL", "foo"]), int(5));
    assert_eq!(c.execute(["SET", "new", "v", "KEEPTTL"]), ok());
    assert_eq!(c.execute(["TTL", "new"]), int(-1));
}

#[test]
fn set_rejects_conflicting_or_unknown_options() {
    let (_s, mut c, _) = setup();
    let bad: &[&[&str]] = &[
        &["foo", "bar", "non-existing-option"],
        &["foo", "bar", "NX", "XX"],
        &["foo", "bar", "XX", "NX"],
        &["foo", "bar", "EX", "10", "PX", "100"],
        &["foo", "bar", "PX", "100", "EXAT", "100"],
        &["foo", "bar", "EXAT", "100", "PXAT", "100"],
        &["foo", "bar", "KEEPTTL", "EX", "10"],
        &["foo", "bar", "PX", "10", "KEEPTTL"],
        &["foo", "bar", "EX"],
        &["foo", "bar", "PERSIST"],
        &["foo", "bar", "GET", "10"],
    ];
    for args in bad {
        let mut argv = vec!["SET"];
        argv.extend_from_slice(args);
        assert_eq!(c.execute(&argv), err(SYNTAX), "{argv:?}");
    }
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
}

#[test]
fn set_expiry_value_errors() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["SET", "foo", "bar", "EX", "ten"]), err(NOT_INT));
    assert_eq!(c.execute(["SET", "foo", "bar", "EX", ""]), err(NOT_INT));
    assert_eq!(
        c.execute(["SET", "foo", "bar", "EX", "0"]),
        bad_expire("set")
    );
    assert_eq!(
        c.execute(["SET", "foo", "bar", "PX", "-1"]),
        bad_expire("set")
    );
    assert_eq!(
        c.execute(["SET", "foo", "bar", "EXAT", "0"]),
        bad_expire("set")
    );
    assert_eq!(
        c.execute(["SET", "foo", "bar", "EX", "10000000000000000"]),
        bad_expire("set")
    );
    assert_eq!(
        c.execute(["SET", "foo", "bar", "EX", "-9223372036854775808"]),
        bad_expire("set")
    );
    assert_eq!(
        c.execute(["SET", "foo", "bar", "PX", "9223372036854775807"]),
        bad_expire("set")
    );
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
    // The expiry is checked before NX/XX decide anything.
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(
        c.execute(["SET", "foo", "x", "NX", "EX", "0"]),
        bad_expire("set")
    );
}

#[test]
fn setnx_including_against_an_expired_key() {
    let (_s, mut c, clock) = setup();
    assert_eq!(c.execute(["SETNX", "novar", "foobared"]), int(1));
    assert_eq!(c.execute(["GET", "novar"]), bulk("foobared"));
    assert_eq!(c.execute(["SETNX", "novar", "blabla"]), int(0));
    assert_eq!(c.execute(["GET", "novar"]), bulk("foobared"));
    c.execute(["SET", "x", "10"]);
    c.execute(["EXPIRE", "x", "10000"]);
    assert_eq!(c.execute(["SETNX", "x", "20"]), int(0));
    c.execute(["EXPIRE", "x", "1"]);
    clock.advance(Duration::from_secs(2));
    assert_eq!(c.execute(["SETNX", "x", "20"]), int(1));
    assert_eq!(c.execute(["GET", "x"]), bulk("20"));
    assert_eq!(c.execute(["TTL", "x"]), int(-1));
    assert_eq!(c.execute(["SETNX", "x"]), arity("setnx"));
}

#[test]
fn setex_and_psetex() {
    let (_s, mut c, clock) = setup();
    assert_eq!(c.execute(["SETEX", "k", "10", "v"]), ok());
    assert_eq!(c.execute(["TTL", "k"]), int(10));
    assert_eq!(c.execute(["GET", "k"]), bulk("v"));
    assert_eq!(c.execute(["PSETEX", "p", "1500", "v"]), ok());
    assert_eq!(c.execute(["PTTL", "p"]), int(1500));
    assert_eq!(c.execute(["SETEX", "k", "0", "v"]), bad_expire("setex"));
    assert_eq!(c.execute(["SETEX", "k", "-10", "v"]), bad_expire("setex"));
    assert_eq!(c.execute(["PSETEX", "k", "0", "v"]), bad_expire("psetex"));
    assert_eq!(c.execute(["SETEX", "k", "x", "v"]), err(NOT_INT));
    assert_eq!(
        c.execute(["SETEX", "k", "9223372036854775807", "v"]),
        bad_expire("setex")
    );
    clock.advance(Duration::from_millis(1501));
    assert_eq!(c.execute(["GET", "p"]), nil());
    assert_eq!(c.execute(["SETEX", "k", "10"]), arity("setex"));
}

#[test]
fn getset_replaces_and_clears_the_ttl() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["GETSET", "foo", "xyz"]), nil());
    assert_eq!(c.execute(["GET", "foo"]), bulk("xyz"));
    c.execute(["SET", "foo", "bar", "EX", "100"]);
    assert_eq!(c.execute(["GETSET", "foo", "xyz"]), bulk("bar"));
    assert_eq!(c.execute(["GET", "foo"]), bulk("xyz"));
    assert_eq!(c.execute(["TTL", "foo"]), int(-1));
}

#[test]
fn getdel_returns_and_deletes() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["GETDEL", "foo"]), bulk("bar"));
    assert_eq!(c.execute(["GETDEL", "foo"]), nil());
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
}

#[test]
fn getex_options() {
    let (_s, mut c, clock) = setup();
    let now_s = 1_767_225_600u64;
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["GETEX", "foo"]), bulk("bar"));
    assert_eq!(c.execute(["TTL", "foo"]), int(-1));
    assert_eq!(c.execute(["GETEX", "foo", "EX", "10"]), bulk("bar"));
    assert_eq!(c.execute(["TTL", "foo"]), int(10));
    assert_eq!(c.execute(["GETEX", "foo", "px", "10000"]), bulk("bar"));
    assert_eq!(c.execute(["PTTL", "foo"]), int(10000));
    let exat = (now_s + 30).to_string();
    assert_eq!(c.execute(["GETEX", "foo", "EXAT", &exat]), bulk("bar"));
    assert_eq!(c.execute(["TTL", "foo"]), int(30));
    let pxat = (now_s * 1000 + 40_000).to_string();
    assert_eq!(c.execute(["GETEX", "foo", "PXAT", &pxat]), bulk("bar"));
    assert_eq!(c.execute(["TTL", "foo"]), int(40));
    assert_eq!(c.execute(["GETEX", "foo", "PERSIST"]), bulk("bar"));
    assert_eq!(c.execute(["TTL", "foo"]), int(-1));
    // An absolute time already past deletes the key (and still returns the value).
    assert_eq!(c.execute(["GETEX", "foo", "EXAT", "1"]), bulk("bar"));
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
    c.execute(["SET", "foo", "bar", "PX", "1"]);
    clock.advance(Duration::from_millis(2));
    assert_eq!(c.execute(["GETEX", "foo"]), nil());
    assert_eq!(c.execute(["GET", "foo"]), nil());
}

#[test]
fn getex_errors() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(
        c.execute(["GETEX", "foo", "non-existent-option"]),
        err(SYNTAX)
    );
    assert_eq!(c.execute(["GETEX", "foo", "EX"]), err(SYNTAX));
    assert_eq!(
        c.execute(["GETEX", "foo", "EX", "1", "PX", "1"]),
        err(SYNTAX)
    );
    assert_eq!(
        c.execute(["GETEX", "foo", "PERSIST", "EX", "1"]),
        err(SYNTAX)
    );
    assert_eq!(
        c.execute(["GETEX", "foo", "EX", "1", "PERSIST"]),
        err(SYNTAX)
    );
    assert_eq!(c.execute(["GETEX", "foo", "KEEPTTL"]), err(SYNTAX));
    assert_eq!(c.execute(["GETEX", "foo", "NX"]), err(SYNTAX));
    assert_eq!(c.execute(["GETEX", "foo", "EX", "0"]), bad_expire("getex"));
    // Redis looks the key up before it checks the time: a missing key answers nil.
    assert_eq!(c.execute(["GETEX", "nokey", "EX", "-1"]), nil());
    assert_eq!(c.execute(["GETEX", "foo", "EX", "x"]), err(NOT_INT));
    assert_eq!(
        c.execute(["GETEX", "foo", "PERSIST", "PERSIST"]),
        bulk("bar")
    );
    assert_eq!(c.execute(["GETEX"]), arity("getex"));
    assert_eq!(c.execute(["GETEX", "nokey", "EX", "5"]), nil());
}

// GETEX validates its time only once it has found a string, as Redis does: a missing key
// answers nil and a key of another type WRONGTYPE, whatever the time says.

#[test]
fn getex_on_missing_key_ignores_a_bad_time() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["GETEX", "nokey", "PX", "-5"]), Reply::Nil);
    assert_eq!(c.execute(["GETEX", "nokey", "EX", "0"]), Reply::Nil);
}

#[test]
fn getex_on_a_string_rejects_a_bad_time() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["SET", "k", "v"]);
    assert_eq!(
        c.execute(["GETEX", "k", "EX", "0"]),
        Reply::error("ERR invalid expire time in 'getex' command")
    );
    assert_eq!(
        c.execute(["GETEX", "k", "EX", "abc"]),
        Reply::error("ERR value is not an integer or out of range")
    );
}

#[test]
fn getex_syntax_errors_come_first() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.execute(["GETEX", "nokey", "EX"]),
        Reply::error("ERR syntax error")
    );
}

#[test]
fn mget_returns_nil_for_missing_keys() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "BAR"]);
    c.execute(["SET", "bar", "FOO"]);
    assert_eq!(c.execute(["MGET", "foo", "bar"]), bulks(&["BAR", "FOO"]));
    let r = c.execute(["MGET", "foo", "baazz", "bar"]);
    assert_eq!(
        r,
        redlite::Reply::Array(vec![bulk("BAR"), nil(), bulk("FOO")])
    );
    assert_eq!(c.execute(["MGET"]), arity("mget"));
}

#[test]
fn mset_and_msetnx() {
    let (_s, mut c, _) = setup();
    let z = "x x x x x x x\n\n\r\n";
    assert_eq!(c.execute(["MSET", "x", "10", "y", "foo bar", "z", z]), ok());
    assert_eq!(
        c.execute(["MGET", "x", "y", "z"]),
        bulks(&["10", "foo bar", z])
    );
    assert_eq!(c.execute(["MSET", "x", "10", "y"]), arity("mset"));
    assert_eq!(c.execute(["MSETNX", "x", "20", "y"]), arity("msetnx"));
    assert_eq!(c.execute(["MSET", "x"]), arity("mset"));
    c.execute(["SET", "x", "x"]);
    assert_eq!(c.execute(["MSET", "x", "xxx", "x", "yyy"]), ok());
    assert_eq!(c.execute(["GET", "x"]), bulk("yyy"));
    assert_eq!(
        c.execute(["MSETNX", "x1", "xxx", "y2", "yyy", "x", "20"]),
        int(0)
    );
    assert_eq!(c.execute(["EXISTS", "x1", "y2"]), int(0));
    assert_eq!(c.execute(["MSETNX", "x1", "xxx", "y2", "yyy"]), int(1));
    assert_eq!(c.execute(["MGET", "x1", "y2"]), bulks(&["xxx", "yyy"]));
    c.execute(["DEL", "x1"]);
    assert_eq!(c.execute(["MSETNX", "x1", "xxx", "x1", "yyy"]), int(1));
    assert_eq!(c.execute(["GET", "x1"]), bulk("yyy"));
    assert_eq!(c.execute(["MSETNX", "x1", "xxx", "x1", "zzz"]), int(0));
    assert_eq!(c.execute(["GET", "x1"]), bulk("yyy"));
}

#[test]
fn mset_clears_ttls() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "a", "1", "EX", "100"]);
    c.execute(["MSET", "a", "2", "b", "3"]);
    assert_eq!(c.execute(["TTL", "a"]), int(-1));
}

#[test]
fn incr_and_decr_family() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["INCR", "novar"]), int(1));
    assert_eq!(c.execute(["GET", "novar"]), bulk("1"));
    assert_eq!(c.execute(["INCR", "novar"]), int(2));
    c.execute(["SET", "novar", "100"]);
    assert_eq!(c.execute(["INCR", "novar"]), int(101));
    c.execute(["SET", "novar", "17179869184"]);
    assert_eq!(c.execute(["INCR", "novar"]), int(17_179_869_185));
    c.execute(["SET", "novar", "17179869184"]);
    assert_eq!(
        c.execute(["INCRBY", "novar", "17179869184"]),
        int(34_359_738_368)
    );
    c.execute(["SET", "novar", "17179869184"]);
    assert_eq!(c.execute(["DECRBY", "novar", "17179869185"]), int(-1));
    assert_eq!(c.execute(["DECR", "fresh"]), int(-1));
    assert_eq!(c.execute(["INCR", "fresh"]), int(0));
    assert_eq!(c.execute(["DECRBY", "fresh", "-5"]), int(5));
    assert_eq!(c.execute(["INCRBY", "fresh", "-7"]), int(-2));
    assert_eq!(c.execute(["GET", "fresh"]), bulk("-2"));
}

#[test]
fn incr_rejects_values_that_are_not_strict_integers() {
    let (_s, mut c, _) = setup();
    for v in [
        "    11",
        "11    ",
        "    11    ",
        "01",
        "+1",
        "-0",
        "1.5",
        "",
        "abc",
        "9223372036854775808",
        "1e3",
        "0x10",
    ] {
        c.execute(["SET", "novar", v]);
        assert_eq!(c.execute(["INCR", "novar"]), err(NOT_INT), "{v:?}");
        assert_eq!(c.execute(["GET", "novar"]), bulk(v));
    }
    c.execute(["SET", "n", "5"]);
    for by in [
        "+1",
        " 1",
        "1 ",
        "01",
        "-0",
        "1.0",
        "",
        "99999999999999999999",
    ] {
        assert_eq!(c.execute(["INCRBY", "n", by]), err(NOT_INT), "{by:?}");
        assert_eq!(c.execute(["DECRBY", "n", by]), err(NOT_INT), "{by:?}");
    }
    assert_eq!(c.execute(["GET", "n"]), bulk("5"));
}

#[test]
fn incr_overflow_errors() {
    let (_s, mut c, _) = setup();
    let over = "ERR increment or decrement would overflow";
    c.execute(["SET", "max", "9223372036854775807"]);
    assert_eq!(c.execute(["INCR", "max"]), err(over));
    assert_eq!(c.execute(["INCRBY", "max", "1"]), err(over));
    assert_eq!(c.execute(["GET", "max"]), bulk("9223372036854775807"));
    c.execute(["SET", "min", "-9223372036854775808"]);
    assert_eq!(c.execute(["DECR", "min"]), err(over));
    assert_eq!(c.execute(["DECRBY", "min", "1"]), err(over));
    assert_eq!(
        c.execute(["INCRBY", "min", "-9223372036854775808"]),
        err(over)
    );
    c.execute(["SET", "x", "0"]);
    assert_eq!(
        c.execute(["DECRBY", "x", "-9223372036854775808"]),
        err("ERR decrement would overflow")
    );
    assert_eq!(
        c.execute(["INCRBY", "x", "-9223372036854775808"]),
        int(i64::MIN)
    );
}

#[test]
fn incr_keeps_the_ttl() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "n", "1", "EX", "100"]);
    c.execute(["INCR", "n"]);
    c.execute(["INCRBY", "n", "5"]);
    c.execute(["DECR", "n"]);
    c.execute(["INCRBYFLOAT", "n", "0.5"]);
    assert_eq!(c.execute(["GET", "n"]), bulk("6.5"));
    assert_eq!(c.execute(["TTL", "n"]), int(100));
}

#[test]
fn incrbyfloat_values_and_format() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["INCRBYFLOAT", "novar", "1"]), bulk("1"));
    assert_eq!(c.execute(["GET", "novar"]), bulk("1"));
    assert_eq!(c.execute(["INCRBYFLOAT", "novar", "0.25"]), bulk("1.25"));
    c.execute(["SET", "novar", "1.5"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "novar", "1.5"]), bulk("3"));
    c.execute(["SET", "novar", "17179869184"]);
    assert_eq!(
        c.execute(["INCRBYFLOAT", "novar", "1.5"]),
        bulk("17179869185.5")
    );
    c.execute(["SET", "novar", "17179869184"]);
    assert_eq!(
        c.execute(["INCRBYFLOAT", "novar", "17179869184"]),
        bulk("34359738368")
    );
    // The examples of the INCRBYFLOAT docs.
    c.execute(["SET", "mykey", "10.50"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "mykey", "0.1"]), bulk("10.6"));
    assert_eq!(c.execute(["INCRBYFLOAT", "mykey", "-5"]), bulk("5.6"));
    c.execute(["SET", "mykey", "5.0e3"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "mykey", "2.0e2"]), bulk("5200"));
    c.execute(["SET", "foo", "1"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", "-1.1"]), bulk("-0.1"));
    // Long double arithmetic shows no binary noise in the printed decimals.
    c.execute(["SET", "f", "0.1"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "f", "0.2"]), bulk("0.3"));
    // Never an exponent, at most 17 decimals.
    c.execute(["SET", "e", "0"]);
    assert_eq!(
        c.execute(["INCRBYFLOAT", "e", "1e20"]),
        bulk("100000000000000000000")
    );
    c.execute(["SET", "e", "0"]);
    assert_eq!(
        c.execute(["INCRBYFLOAT", "e", "1.5e-10"]),
        bulk("0.00000000015")
    );
    c.execute(["SET", "e", "0"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "e", "1e-30"]), bulk("0"));
}

#[test]
fn incrbyfloat_has_no_negative_zero() {
    let (_s, mut c, _) = setup();
    let third = (1.0f64 / 41.0).to_string();
    let minus = (-1.0f64 / 41.0).to_string();
    c.execute(["INCRBYFLOAT", "foo", &third]);
    c.execute(["INCRBYFLOAT", "foo", &minus]);
    assert_eq!(c.execute(["GET", "foo"]), bulk("0"));
}

#[test]
fn incrbyfloat_errors() {
    let (_s, mut c, _) = setup();
    for v in ["    11", "11    ", " 11 ", "1\x002", "abc", ""] {
        c.execute(["SET", "novar", v]);
        assert_eq!(
            c.execute(["INCRBYFLOAT", "novar", "1.0"]),
            err(NOT_FLOAT),
            "{v:?}"
        );
    }
    c.execute(["SET", "foo", "0"]);
    let naninf = "ERR increment would produce NaN or Infinity";
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", "+inf"]), err(naninf));
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", "-inf"]), err(naninf));
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", "nan"]), err(NOT_FLOAT));
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", "1.5x"]), err(NOT_FLOAT));
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", " 1"]), err(NOT_FLOAT));
    // Redis adds in long double: 3.4e308 is finite there, 2e4932 is not.
    c.execute(["SET", "big", "1e4932"]);
    assert_eq!(c.execute(["INCRBYFLOAT", "big", "1e4932"]), err(naninf));
    // A long double's text must stay under 5120 bytes.
    let long = format!("1.{}", "0".repeat(5200));
    assert_eq!(c.execute(["INCRBYFLOAT", "foo", &long]), err(NOT_FLOAT));
    assert_eq!(c.execute(["GET", "foo"]), bulk("0"));
}

#[test]
fn append_and_strlen() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["APPEND", "foo", "bar"]), int(3));
    assert_eq!(c.execute(["APPEND", "foo", "100"]), int(6));
    assert_eq!(c.execute(["GET", "foo"]), bulk("bar100"));
    assert_eq!(c.execute(["APPEND", "empty", ""]), int(0));
    assert_eq!(c.execute(["EXISTS", "empty"]), int(1));
    assert_eq!(c.execute(["STRLEN", "notakey"]), int(0));
    c.execute(["SET", "myinteger", "-555"]);
    assert_eq!(c.execute(["STRLEN", "myinteger"]), int(4));
    c.execute(["SET", "mystring", "foozzz0123456789 baz"]);
    assert_eq!(c.execute(["STRLEN", "mystring"]), int(20));
    c.execute(["SET", "t", "a", "EX", "100"]);
    c.execute(["APPEND", "t", "b"]);
    assert_eq!(c.execute(["TTL", "t"]), int(100));
}

#[test]
fn setrange_pads_and_checks_offsets() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["SETRANGE", "mykey", "0", "foo"]), int(3));
    assert_eq!(c.execute(["GET", "mykey"]), bulk("foo"));
    c.execute(["DEL", "mykey"]);
    assert_eq!(c.execute(["SETRANGE", "mykey", "0", ""]), int(0));
    assert_eq!(c.execute(["EXISTS", "mykey"]), int(0));
    assert_eq!(c.execute(["SETRANGE", "mykey", "1", "foo"]), int(4));
    assert_eq!(c.execute(["GET", "mykey"]), bulk("\0foo"));
    c.execute(["SET", "mykey", "foo"]);
    assert_eq!(c.execute(["SETRANGE", "mykey", "0", "b"]), int(3));
    assert_eq!(c.execute(["GET", "mykey"]), bulk("boo"));
    assert_eq!(c.execute(["SETRANGE", "mykey", "0", ""]), int(3));
    assert_eq!(c.execute(["SETRANGE", "mykey", "1", "b"]), int(3));
    assert_eq!(c.execute(["GET", "mykey"]), bulk("bbo"));
    assert_eq!(c.execute(["SETRANGE", "mykey", "4", "bar"]), int(7));
    assert_eq!(c.execute(["GET", "mykey"]), bulk("bbo\0bar"));
    c.execute(["SET", "mykey", "1234"]);
    assert_eq!(c.execute(["SETRANGE", "mykey", "5", "2"]), int(6));
    assert_eq!(c.execute(["GET", "mykey"]), bulk("1234\x002"));
    let too_long = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    let near = (512 * 1024 * 1024 - 4).to_string();
    assert_eq!(
        c.execute(["SETRANGE", "other", &near, "world"]),
        err(too_long)
    );
    assert_eq!(
        c.execute(["SETRANGE", "mykey", &near, "world"]),
        err(too_long)
    );
    assert_eq!(
        c.execute(["SETRANGE", "mykey", "-1", "world"]),
        err("ERR offset is out of range")
    );
    for huge in ["9223372036854775807", "2147483647"] {
        assert_eq!(c.execute(["SETRANGE", "K", huge, "A"]), err(too_long));
    }
    assert_eq!(c.execute(["SETRANGE", "K", "x", "A"]), err(NOT_INT));
    // An empty value never checks the size.
    assert_eq!(
        c.execute(["SETRANGE", "K", "9223372036854775807", ""]),
        int(0)
    );
}

#[test]
fn getrange_clamps_like_redis() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["GETRANGE", "mykey", "0", "-1"]), bulk(""));
    c.execute(["SET", "mykey", "Hello World"]);
    let cases = [
        ("0", "3", "Hell"),
        ("0", "-1", "Hello World"),
        ("-4", "-1", "orld"),
        ("5", "3", ""),
        ("5", "5000", " World"),
        ("-5000", "10000", "Hello World"),
        ("0", "-100", "H"),
        ("1", "-100", ""),
        ("-1", "-100", ""),
        ("-100", "-99", "H"),
        ("-100", "-100", "H"),
        ("-100", "-101", ""),
        ("0", "4294967297", "Hello World"),
        ("-9223372036854775808", "9223372036854775807", "Hello World"),
    ];
    for (start, end, want) in cases {
        assert_eq!(
            c.execute(["GETRANGE", "mykey", start, end]),
            bulk(want),
            "{start} {end}"
        );
    }
    assert_eq!(c.execute(["GETRANGE", "mykey", "a", "1"]), err(NOT_INT));
    assert_eq!(c.execute(["GETRANGE", "nokey", "0", "x"]), err(NOT_INT));
    c.execute(["SET", "key", "abcde"]);
    assert_eq!(c.execute(["SUBSTR", "key", "0", "0"]), bulk("a"));
    assert_eq!(c.execute(["SUBSTR", "key", "0", "3"]), bulk("abcd"));
    assert_eq!(c.execute(["SUBSTR", "key", "-4", "-1"]), bulk("bcde"));
    assert_eq!(c.execute(["SUBSTR", "key", "-1", "-3"]), bulk(""));
    assert_eq!(c.execute(["SUBSTR", "key", "7", "8"]), bulk(""));
    assert_eq!(c.execute(["SUBSTR", "nokey", "0", "1"]), bulk(""));
    c.execute(["SET", "empty", ""]);
    assert_eq!(c.execute(["GETRANGE", "empty", "0", "-1"]), bulk(""));
}

/// A random model check of GETRANGE against Tcl's `string range` semantics with Redis's
/// negative-index conversion, as the Redis fuzz test does.
#[test]
fn getrange_matches_a_model_on_random_input() {
    let (_s, mut c, _) = setup();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..500 {
        let len = next(40) as usize;
        let s: Vec<u8> = (0..len).map(|_| next(256) as u8).collect();
        let start = next(100) as i64 - 50;
        let end = next(100) as i64 - 50;
        c.execute([&b"SET"[..], b"bin", &s]);
        let got = c.execute(["GETRANGE", "bin", &start.to_string(), &end.to_string()]);
        assert_eq!(
            got,
            bulk(model_range(&s, start, end)),
            "{s:?} {start} {end}"
        );
    }
}

fn model_range(s: &[u8], start: i64, end: i64) -> Vec<u8> {
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return vec![];
    }
    let fix = |i: i64| if i < 0 { (len + i).max(0) } else { i };
    let (a, b) = (fix(start), fix(end).min(len - 1));
    if len == 0 || a > b {
        return vec![];
    }
    s[a as usize..=b as usize].to_vec()
}

#[test]
fn arity_errors_name_the_command() {
    let (_s, mut c, _) = setup();
    let cases: &[(&[&str], &str)] = &[
        (&["GET"], "get"),
        (&["GET", "a", "b"], "get"),
        (&["SET", "k"], "set"),
        (&["GETSET", "k"], "getset"),
        (&["GETDEL"], "getdel"),
        (&["INCR"], "incr"),
        (&["INCRBY", "k"], "incrby"),
        (&["DECRBY", "k", "1", "2"], "decrby"),
        (&["INCRBYFLOAT", "k"], "incrbyfloat"),
        (&["APPEND", "k"], "append"),
        (&["STRLEN"], "strlen"),
        (&["GETRANGE", "k", "0"], "getrange"),
        (&["SETRANGE", "k", "0"], "setrange"),
        (&["MSETNX", "k"], "msetnx"),
        (&["PSETEX", "k", "1"], "psetex"),
    ];
    for (argv, name) in cases {
        assert_eq!(c.execute(*argv), arity(name), "{argv:?}");
    }
}

#[test]
#[allow(clippy::float_cmp, reason = "these sums are exact in binary")]
fn typed_api_runs_the_same_commands() {
    let (store, _c, _) = setup();
    store.set("n", 7).unwrap();
    assert_eq!(store.incr_by("n", 5).unwrap(), 12);
    assert_eq!(store.get::<String>("n").unwrap(), "12");
    assert_eq!(store.incr_by_float("n", 0.5).unwrap(), 12.5);
    assert_eq!(store.append("n", "x").unwrap(), 5);
    match store.incr("n") {
        Err(redlite::Error::Reply(text)) => assert_eq!(text, NOT_INT),
        other => panic!("unexpected {other:?}"),
    }
}
