//! Expiry arithmetic at the edges of Redis's signed 64-bit milliseconds: every overflow is
//! Redis's `invalid expire time` error, TTLs round without overflowing, and the clock never
//! wraps. Replies were checked against redis-server 7.0.15 (its clock at 2025/2026, as the
//! `ManualClock` here).

use std::time::Duration;

use crate::common::*;
use redlite::{Clock, Config, Connection, ManualClock, Store};

const MAX: &str = "9223372036854775807"; // i64::MAX ms
const MAX_S: &str = "9223372036854775"; // i64::MAX / 1000
const PAST_MAX_S: &str = "9223372036854776"; // * 1000 overflows

fn x(c: &mut Connection, args: &[&str]) -> redlite::Reply {
    c.execute(args)
}

#[test]
fn expiretime_of_the_latest_deadline_rounds_like_redis() {
    let (_s, mut c, _clock) = setup();
    assert_eq!(x(&mut c, &["SET", "k", "v", "PXAT", MAX]), ok());
    assert_eq!(x(&mut c, &["EXPIRETIME", "k"]), int(9_223_372_036_854_776));
    assert_eq!(x(&mut c, &["PEXPIRETIME", "k"]), int(i64::MAX));
    // ManualClock::new() stands at 1_767_225_600_000.
    assert_eq!(x(&mut c, &["PTTL", "k"]), int(i64::MAX - 1_767_225_600_000));
    assert_eq!(x(&mut c, &["TTL", "k"]), int(9_223_370_269_629_176));
}

#[test]
fn ttl_near_the_epoch_of_the_latest_deadline_does_not_overflow() {
    let clock = ManualClock::at(0);
    let store = Store::with_config(Config::default().clock(clock).active_expiry(false));
    let mut c = store.connection();
    x(&mut c, &["SET", "k", "v", "PXAT", MAX]);
    assert_eq!(x(&mut c, &["TTL", "k"]), int(9_223_372_036_854_776));
    assert_eq!(x(&mut c, &["PTTL", "k"]), int(i64::MAX - 1));
}

#[test]
fn set_family_refuses_deadlines_past_i64_ms() {
    let (_s, mut c, _clock) = setup();
    let refused: &[&[&str]] = &[
        &["SET", "k", "v", "EX", PAST_MAX_S],
        &["SET", "k", "v", "EX", MAX_S], // fits, but now + it does not
        &["SET", "k", "v", "PX", MAX],
        &["SET", "k", "v", "EXAT", PAST_MAX_S],
        &["SET", "k", "v", "EX", "0"],
        &["SET", "k", "v", "PX", "-5"],
        &["SET", "k", "v", "EXAT", "0"],
        &["SET", "k", "v", "PXAT", "-1"],
    ];
    for args in refused {
        assert_eq!(x(&mut c, args), bad_expire("set"), "{args:?}");
    }
    assert_eq!(
        x(&mut c, &["SETEX", "k", PAST_MAX_S, "v"]),
        bad_expire("setex")
    );
    assert_eq!(x(&mut c, &["SETEX", "k", MAX_S, "v"]), bad_expire("setex"));
    assert_eq!(x(&mut c, &["SETEX", "k", "-1", "v"]), bad_expire("setex"));
    assert_eq!(x(&mut c, &["PSETEX", "k", MAX, "v"]), bad_expire("psetex"));
    assert_eq!(x(&mut c, &["PSETEX", "k", "0", "v"]), bad_expire("psetex"));
    let not_int = ["SET", "k", "v", "EX", "9223372036854775808"];
    assert_eq!(x(&mut c, &not_int), err(NOT_INT));
    assert_eq!(x(&mut c, &["EXISTS", "k"]), int(0));
    assert_eq!(x(&mut c, &["SET", "k", "v", "EXAT", MAX_S]), ok());
    assert_eq!(x(&mut c, &["EXPIRETIME", "k"]), int(9_223_372_036_854_775));
}

#[test]
fn getex_refuses_deadlines_past_i64_ms() {
    let (_s, mut c, _clock) = setup();
    x(&mut c, &["SET", "g", "v"]);
    for (kind, n) in [
        ("EX", PAST_MAX_S),
        ("PX", MAX),
        ("EXAT", PAST_MAX_S),
        ("EX", "0"),
    ] {
        assert_eq!(
            x(&mut c, &["GETEX", "g", kind, n]),
            bad_expire("getex"),
            "{kind} {n}"
        );
    }
    assert_eq!(x(&mut c, &["GETEX", "g", "PXAT", MAX]), bulk("v"));
    assert_eq!(x(&mut c, &["PEXPIRETIME", "g"]), int(i64::MAX));
    assert_eq!(x(&mut c, &["EXPIRETIME", "g"]), int(9_223_372_036_854_776));
}

#[test]
fn expire_family_refuses_overflow_and_accepts_the_extremes() {
    let (_s, mut c, _clock) = setup();
    x(&mut c, &["SET", "k", "v"]);
    assert_eq!(x(&mut c, &["EXPIRE", "k", MAX_S]), bad_expire("expire"));
    assert_eq!(
        x(&mut c, &["EXPIRE", "k", PAST_MAX_S]),
        bad_expire("expire")
    );
    assert_eq!(x(&mut c, &["PEXPIRE", "k", MAX]), bad_expire("pexpire"));
    assert_eq!(
        x(&mut c, &["EXPIREAT", "k", PAST_MAX_S]),
        bad_expire("expireat")
    );
    let not_int = ["EXPIRE", "k", "9223372036854775808"];
    assert_eq!(x(&mut c, &not_int), err(NOT_INT));
    assert_eq!(x(&mut c, &["EXPIREAT", "k", MAX_S]), int(1));
    assert_eq!(x(&mut c, &["PEXPIREAT", "k", MAX]), int(1));
    assert_eq!(x(&mut c, &["EXPIRETIME", "k"]), int(9_223_372_036_854_776));
    // NX / XX / GT / LT compare at the very top of the range.
    assert_eq!(x(&mut c, &["PEXPIREAT", "k", MAX, "GT"]), int(0));
    assert_eq!(x(&mut c, &["PEXPIREAT", "k", MAX, "LT"]), int(0));
    assert_eq!(x(&mut c, &["EXPIREAT", "k", MAX_S, "NX"]), int(0));
    assert_eq!(x(&mut c, &["EXPIREAT", "k", MAX_S, "LT"]), int(1));
    assert_eq!(x(&mut c, &["PEXPIREAT", "k", MAX, "XX"]), int(1));
    assert_eq!(x(&mut c, &["PEXPIRETIME", "k"]), int(i64::MAX));
    // The most negative times are fine: the key is deleted.
    let smallest_s = "-9223372036854775";
    assert_eq!(
        x(&mut c, &["EXPIRE", "k", "-9223372036854776"]),
        bad_expire("expire")
    );
    assert_eq!(x(&mut c, &["EXPIRE", "k", smallest_s]), int(1));
    for cmd in ["PEXPIRE", "PEXPIREAT"] {
        x(&mut c, &["SET", "k", "v"]);
        assert_eq!(
            x(&mut c, &[cmd, "k", "-9223372036854775808"]),
            int(1),
            "{cmd}"
        );
        assert_eq!(x(&mut c, &["EXISTS", "k"]), int(0));
    }
}

#[test]
fn manual_clock_saturates_instead_of_wrapping_into_the_past() {
    let clock = ManualClock::new();
    clock.advance(Duration::MAX);
    assert_eq!(clock.now_ms(), i64::MAX as u64);
    clock.advance(Duration::from_millis(1));
    assert_eq!(clock.now_ms(), i64::MAX as u64, "stays at the end of time");
    clock.set(u64::MAX);
    assert_eq!(clock.now_ms(), i64::MAX as u64);
    assert_eq!(ManualClock::at(u64::MAX).now_ms(), i64::MAX as u64);
    clock.set(5);
    clock.advance(Duration::from_millis(2));
    assert_eq!(clock.now_ms(), 7);
}

#[test]
fn a_store_at_the_end_of_time_answers_every_expiry_command() {
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()).active_expiry(false));
    let mut c = store.connection();
    x(&mut c, &["SET", "old", "v", "PX", "1000"]);
    x(&mut c, &["SET", "k", "v", "PXAT", MAX]);
    clock.advance(Duration::MAX);
    assert_eq!(x(&mut c, &["GET", "old"]), nil());
    assert_eq!(x(&mut c, &["SET", "n", "v", "EX", "1"]), bad_expire("set"));
    assert_eq!(x(&mut c, &["SETEX", "n", "1", "v"]), bad_expire("setex"));
    assert_eq!(x(&mut c, &["GETEX", "k", "PX", "1"]), bad_expire("getex"));
    assert_eq!(x(&mut c, &["PEXPIRE", "k", "1"]), bad_expire("pexpire"));
    // Its deadline is now: Redis expires a key only once now is past it.
    assert_eq!(x(&mut c, &["PTTL", "k"]), int(0));
    assert_eq!(x(&mut c, &["EXPIRETIME", "k"]), int(9_223_372_036_854_776));
    assert_eq!(x(&mut c, &["TIME"]), bulks(&["9223372036854775", "807000"]));
    x(&mut c, &["SET", "p", "v"]);
    assert_eq!(x(&mut c, &["PEXPIRE", "p", "-1"]), int(1));
    assert_eq!(x(&mut c, &["EXISTS", "p"]), int(0));
}

#[test]
fn typed_set_ex_with_huge_durations_is_an_error_not_a_panic() {
    let (store, _c, _clock) = setup();
    let huge = store.set_ex("k", "v", Duration::MAX);
    assert_eq!(huge, Err(redlite::Error::Reply(NOT_INT.into())));
    let past_now = store.set_ex("k", "v", Duration::from_millis(i64::MAX as u64));
    let want = "ERR invalid expire time in 'set' command";
    assert_eq!(past_now, Err(redlite::Error::Reply(want.into())));
    // Queued, the argument fails when EXEC runs it, as in Redis.
    let queued = store.transaction(&["k"], |tx| {
        tx.set_ex("k", "v", Duration::MAX);
        Ok(())
    });
    assert!(
        matches!(&queued, Err(redlite::Error::PartiallyApplied { index: 0, error }) if error == NOT_INT),
        "{queued:?}"
    );
}
