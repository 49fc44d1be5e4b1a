//! TTLs and expiry: the EXPIRE and TTL families, which writes keep or clear a TTL, lazy
//! expiry on every access, the active sweep, and time frozen for one command (cases from
//! Redis's tests/unit/expire.tcl). All on a manual clock; nothing sleeps except the one
//! test of the background thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::common::*;
use redlite::{Clock, Config, ManualClock, Reply, Store};

const NOW_MS: i64 = 1_767_225_600_000;

#[test]
fn ttl_family_for_missing_and_persistent_keys() {
    let (_s, mut c, _) = setup();
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(c.execute([cmd, "nokey"]), int(-2), "{cmd}");
    }
    c.execute(["SET", "k", "v"]);
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(c.execute([cmd, "k"]), int(-1), "{cmd}");
    }
}

#[test]
fn ttl_rounds_to_the_nearest_second() {
    let (_s, mut c, clock) = setup();
    c.execute(["SET", "k", "v", "PX", "1500"]);
    assert_eq!(c.execute(["TTL", "k"]), int(2));
    clock.advance(Duration::from_millis(1));
    assert_eq!(c.execute(["TTL", "k"]), int(1));
    assert_eq!(c.execute(["PTTL", "k"]), int(1499));
    clock.advance(Duration::from_secs(1));
    assert_eq!(c.execute(["TTL", "k"]), int(0));
    assert_eq!(c.execute(["PTTL", "k"]), int(499));
    // At the deadline itself the key still exists (expired once now > deadline).
    clock.advance(Duration::from_millis(499));
    assert_eq!(c.execute(["PTTL", "k"]), int(0));
    assert_eq!(c.execute(["GET", "k"]), bulk("v"));
    clock.advance(Duration::from_millis(1));
    assert_eq!(c.execute(["PTTL", "k"]), int(-2));
}

#[test]
fn expiretime_is_absolute() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "k", "v", "PX", "100500"]);
    assert_eq!(c.execute(["PEXPIRETIME", "k"]), int(NOW_MS + 100_500));
    assert_eq!(
        c.execute(["EXPIRETIME", "k"]),
        int((NOW_MS + 100_500 + 500) / 1000)
    );
    let at = (NOW_MS / 1000 + 3600).to_string();
    assert_eq!(c.execute(["EXPIREAT", "k", &at]), int(1));
    assert_eq!(c.execute(["EXPIRETIME", "k"]), int(NOW_MS / 1000 + 3600));
    assert_eq!(c.execute(["PEXPIRETIME", "k"]), int(NOW_MS + 3_600_000));
}

#[test]
fn expire_sets_and_replaces_ttls() {
    let (_s, mut c, clock) = setup();
    c.execute(["SET", "x", "foobar"]);
    assert_eq!(c.execute(["EXPIRE", "x", "5"]), int(1));
    assert_eq!(c.execute(["TTL", "x"]), int(5));
    assert_eq!(c.execute(["EXPIRE", "x", "10"]), int(1));
    assert_eq!(c.execute(["TTL", "x"]), int(10));
    assert_eq!(c.execute(["PEXPIRE", "x", "2500"]), int(1));
    assert_eq!(c.execute(["PTTL", "x"]), int(2500));
    let pat = (NOW_MS + 7000).to_string();
    assert_eq!(c.execute(["PEXPIREAT", "x", &pat]), int(1));
    assert_eq!(c.execute(["PTTL", "x"]), int(7000));
    clock.advance(Duration::from_millis(7001));
    assert_eq!(c.execute(["GET", "x"]), nil());
    assert_eq!(c.execute(["EXPIRE", "nokey", "100"]), int(0));
}

#[test]
fn expire_in_the_past_deletes_the_key() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["EXPIRE", "foo", "-1"]), int(1));
    assert_eq!(c.execute(["TTL", "foo"]), int(-2));
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["EXPIRE", "foo", "0"]), int(1));
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(
        c.execute(["PEXPIREAT", "foo", "-9223372036854770000"]),
        int(1)
    );
    assert_eq!(c.execute(["TTL", "foo"]), int(-2));
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["EXPIREAT", "foo", "1"]), int(1));
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["PEXPIREAT", "foo", &NOW_MS.to_string()]), int(1));
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
}

#[test]
fn expire_time_overflow_errors() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar"]);
    let max = "9223372036854775807";
    assert_eq!(c.execute(["EXPIRE", "foo", max]), bad_expire("expire"));
    assert_eq!(
        c.execute(["EXPIRE", "foo", "-9223372036854775808"]),
        bad_expire("expire")
    );
    assert_eq!(c.execute(["EXPIREAT", "foo", max]), bad_expire("expireat"));
    assert_eq!(c.execute(["PEXPIRE", "foo", max]), bad_expire("pexpire"));
    assert_eq!(
        c.execute(["EXPIRE", "foo", "9223370399119966"]),
        bad_expire("expire")
    );
    assert_eq!(c.execute(["PEXPIREAT", "foo", max]), int(1));
    assert_eq!(c.execute(["PEXPIRETIME", "foo"]), int(i64::MAX));
    assert_eq!(c.execute(["EXPIRE", "foo", "x"]), err(NOT_INT));
    assert_eq!(c.execute(["EXPIRE", "foo", ""]), err(NOT_INT));
    assert_eq!(c.execute(["EXPIRE", "foo", "1.5"]), err(NOT_INT));
    assert_eq!(c.execute(["EXPIRE", "foo"]), arity("expire"));
}

#[test]
fn expire_nx_xx_gt_lt() {
    let (_s, mut c, _) = setup();
    for opt in ["NX", "XX", "GT", "LT"] {
        assert_eq!(c.execute(["EXPIRE", "none", "100", opt]), int(0), "{opt}");
    }
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "XX"]), int(0));
    assert_eq!(c.execute(["TTL", "foo"]), int(-1));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "NX"]), int(1));
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "NX"]), int(0));
    assert_eq!(c.execute(["TTL", "foo"]), int(200));
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "XX"]), int(1));
    assert_eq!(c.execute(["TTL", "foo"]), int(100));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "GT"]), int(1));
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "GT"]), int(0));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "GT"]), int(0));
    assert_eq!(c.execute(["TTL", "foo"]), int(200));
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "LT"]), int(1));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "LT"]), int(0));
    assert_eq!(c.execute(["TTL", "foo"]), int(100));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "XX", "GT"]), int(1));
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "lt", "xx"]), int(1));
    assert_eq!(c.execute(["TTL", "foo"]), int(100));
    // Without a TTL, GT never sets (no TTL is infinite) and LT always does.
    c.execute(["SET", "foo", "bar"]);
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "GT"]), int(0));
    assert_eq!(c.execute(["TTL", "foo"]), int(-1));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "LT", "XX"]), int(0));
    assert_eq!(c.execute(["EXPIRE", "foo", "200", "LT"]), int(1));
    assert_eq!(c.execute(["TTL", "foo"]), int(200));
    // A past time that passes the condition still deletes.
    assert_eq!(c.execute(["EXPIRE", "foo", "-1", "LT"]), int(1));
    assert_eq!(c.execute(["EXISTS", "foo"]), int(0));
}

#[test]
fn expire_option_errors_come_before_the_time() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "foo", "bar"]);
    let nx = err("ERR NX and XX, GT or LT options at the same time are not compatible");
    let gtlt = err("ERR GT and LT options at the same time are not compatible");
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "NX", "XX"]), nx);
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "NX", "GT"]), nx);
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "LT", "NX"]), nx);
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "GT", "LT"]), gtlt);
    assert_eq!(c.execute(["EXPIRE", "foo", "100", "NX", "NX"]), int(1));
    assert_eq!(
        c.execute(["EXPIRE", "foo", "100", "AB"]),
        err("ERR Unsupported option AB")
    );
    assert_eq!(
        c.execute(["EXPIRE", "foo", "notanint", "XX", "AB"]),
        err("ERR Unsupported option AB")
    );
    assert_eq!(c.execute(["PEXPIRE", "foo", "notanint", "NX", "GT"]), nx);
}

// Error texts that echo user input replace CR and LF with spaces, as Redis does, so an
// error reply is always one RESP line.
#[test]
fn expire_unsupported_option_echoes_without_newlines() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["SET", "k", "v"]);
    assert_eq!(
        c.execute(["EXPIRE", "k", "10", "a\r\nb"]),
        Reply::error("ERR Unsupported option a  b")
    );
}

#[test]
fn expire_does_not_resurrect_keys() {
    let (_s, mut c, clock) = setup();
    c.execute(["SET", "foo", "bar", "PX", "10"]);
    clock.advance(Duration::from_millis(11));
    assert_eq!(c.execute(["EXPIRE", "foo", "100"]), int(0));
    assert_eq!(c.execute(["PERSIST", "foo"]), int(0));
    assert_eq!(c.execute(["GET", "foo"]), nil());
}

#[test]
fn persist_removes_a_ttl() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "x", "foo"]);
    c.execute(["EXPIRE", "x", "50"]);
    assert_eq!(c.execute(["PERSIST", "x"]), int(1));
    assert_eq!(c.execute(["TTL", "x"]), int(-1));
    assert_eq!(c.execute(["PERSIST", "x"]), int(0));
    assert_eq!(c.execute(["PERSIST", "nokey"]), int(0));
    assert_eq!(c.execute(["GET", "x"]), bulk("foo"));
}

#[test]
fn writes_that_replace_clear_the_ttl_and_writes_that_modify_keep_it() {
    let (_s, mut c, _) = setup();
    let volatile = |c: &mut redlite::Connection, v: &str| {
        c.execute(["SET", "k", v, "EX", "100"]);
    };
    let replacing: &[&[&str]] = &[
        &["SET", "k", "x"],
        &["GETSET", "k", "x"],
        &["MSET", "k", "x"],
        &["SETEX", "k", "1000", "x"],
    ];
    for argv in replacing {
        volatile(&mut c, "1");
        c.execute(*argv);
        let want = if argv[0] == "SETEX" { 1000 } else { -1 };
        assert_eq!(c.execute(["TTL", "k"]), int(want), "{argv:?}");
    }
    let modifying: &[&[&str]] = &[
        &["INCR", "k"],
        &["DECR", "k"],
        &["INCRBY", "k", "3"],
        &["DECRBY", "k", "3"],
        &["INCRBYFLOAT", "k", "1.5"],
        &["APPEND", "k", "0"],
        &["SETRANGE", "k", "0", "7"],
        &["SET", "k", "9", "KEEPTTL"],
        &["GETEX", "k"],
        &["GET", "k"],
    ];
    for argv in modifying {
        volatile(&mut c, "1");
        c.execute(*argv);
        assert_eq!(c.execute(["TTL", "k"]), int(100), "{argv:?}");
    }
    // "EXPIRE - write on expire should work"
    c.execute(["DEL", "x"]);
    c.execute(["SET", "x", "foo", "EX", "100"]);
    c.execute(["APPEND", "x", "bar"]);
    assert_eq!(c.execute(["GET", "x"]), bulk("foobar"));
}

/// Every command sees an expired key as missing, even before anything reclaims it.
#[test]
fn lazy_expiry_on_every_access() {
    let (_s, mut c, clock) = setup();
    let reset = |c: &mut redlite::Connection, clock: &ManualClock| {
        c.execute(["FLUSHDB"]);
        c.execute(["SET", "k", "5", "PX", "10"]);
        c.execute(["SET", "k2", "x", "PX", "10"]);
        clock.advance(Duration::from_millis(11));
    };
    let expect: &[(&[&str], Reply)] = &[
        (&["GET", "k"], nil()),
        (&["EXISTS", "k"], int(0)),
        (&["TYPE", "k"], status("none")),
        (&["TTL", "k"], int(-2)),
        (&["PTTL", "k"], int(-2)),
        (&["EXPIRETIME", "k"], int(-2)),
        (&["STRLEN", "k"], int(0)),
        (&["GETRANGE", "k", "0", "-1"], bulk("")),
        (&["MGET", "k", "k2"], Reply::Array(vec![nil(), nil()])),
        (&["KEYS", "*"], Reply::Array(vec![])),
        (&["RANDOMKEY"], nil()),
        (
            &["SCAN", "0", "COUNT", "1000"],
            Reply::Array(vec![bulk("0"), Reply::Array(vec![])]),
        ),
        (&["GETDEL", "k"], nil()),
        (&["GETEX", "k", "PERSIST"], nil()),
        (&["GETSET", "k", "n"], nil()),
        (&["SET", "k", "n", "GET"], nil()),
        (&["SET", "k", "n", "XX"], nil()),
        (&["SET", "k", "n", "NX"], ok()),
        (&["SETNX", "k", "n"], int(1)),
        (&["MSETNX", "k", "n", "k2", "m"], int(1)),
        (&["INCR", "k"], int(1)),
        (&["INCRBYFLOAT", "k", "2"], bulk("2")),
        (&["APPEND", "k", "ab"], int(2)),
        (&["SETRANGE", "k", "1", "ab"], int(3)),
        (&["DEL", "k", "k2"], int(0)),
        (&["UNLINK", "k"], int(0)),
        (&["TOUCH", "k"], int(0)),
        (&["RENAME", "k", "z"], err("ERR no such key")),
        (&["RENAMENX", "k", "z"], err("ERR no such key")),
        (&["COPY", "k", "z"], int(0)),
        (&["EXPIRE", "k", "100"], int(0)),
        (&["PERSIST", "k"], int(0)),
    ];
    for (argv, want) in expect {
        reset(&mut c, &clock);
        assert_eq!(&c.execute(*argv), want, "{argv:?}");
    }
    // Commands that recreate the key start fresh: no TTL left over.
    for argv in [
        &["INCR", "k"][..],
        &["APPEND", "k", "x"],
        &["SETRANGE", "k", "0", "x"],
    ] {
        reset(&mut c, &clock);
        c.execute(argv);
        assert_eq!(c.execute(["TTL", "k"]), int(-1), "{argv:?}");
    }
}

/// Redis's DBSIZE counts keys that expired but were not reclaimed yet; the sweep and
/// writes that touch them reclaim them.
#[test]
fn dbsize_counts_unreclaimed_keys_until_purged() {
    let (store, mut c, clock) = setup();
    c.execute(["PSETEX", "key1", "500", "a"]);
    c.execute(["PSETEX", "key2", "500", "a"]);
    c.execute(["PSETEX", "key3", "500", "a"]);
    c.execute(["SET", "keep", "a"]);
    assert_eq!(c.execute(["DBSIZE"]), int(4));
    clock.advance(Duration::from_secs(1));
    assert_eq!(c.execute(["DBSIZE"]), int(4));
    assert_eq!(c.execute(["KEYS", "*"]), bulks(&["keep"]));
    // A write that touches an expired key reclaims it.
    assert_eq!(c.execute(["DEL", "key1"]), int(0));
    assert_eq!(c.execute(["DBSIZE"]), int(3));
    assert_eq!(store.purge_expired(), 2);
    assert_eq!(c.execute(["DBSIZE"]), int(1));
    assert_eq!(store.purge_expired(), 0);
}

#[test]
fn purge_reclaims_many_keys_across_shards() {
    let (store, mut c, clock) = setup();
    for i in 0..2000 {
        let ttl = if i % 2 == 0 { "10" } else { "100000" };
        c.execute(["SET", &format!("k{i}"), "v", "PX", ttl]);
    }
    clock.advance(Duration::from_millis(11));
    assert_eq!(store.purge_expired(), 1000);
    assert_eq!(c.execute(["DBSIZE"]), int(1000));
    assert_eq!(store.dbsize().unwrap(), 1000);
}

/// The background thread needs real time to run, so this one test polls, bounded.
#[test]
fn background_sweep_reclaims_expired_keys() {
    let clock = ManualClock::new();
    let config = Config::default()
        .clock(clock.clone())
        .active_expiry(true)
        .active_expiry_interval(Duration::from_millis(1));
    let store = Store::with_config(config);
    for i in 0..500 {
        store.execute(["SET", &format!("k{i}"), "v", "PX", "10"]);
    }
    store.execute(["SET", "keep", "v"]);
    assert_eq!(store.dbsize().unwrap(), 501);
    clock.advance(Duration::from_millis(11));
    let mut polls = 0;
    while store.dbsize().unwrap() > 1 {
        polls += 1;
        assert!(polls < 10_000, "the sweeper did not reclaim in 10 s");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(store.execute(["KEYS", "*"]), bulks(&["keep"]));
}

/// A clock that counts how often it is read, and moves forward a second on each read, so
/// any command that read it twice would see time move under it.
#[derive(Debug, Clone)]
struct CountingClock {
    reads: Arc<AtomicU64>,
}

impl Clock for CountingClock {
    fn now_ms(&self) -> u64 {
        let n = self.reads.fetch_add(1, Ordering::SeqCst);
        NOW_MS as u64 + n * 1000
    }
}

#[test]
fn time_is_frozen_for_one_command_and_one_exec() {
    let reads = Arc::new(AtomicU64::new(0));
    let clock = CountingClock {
        reads: reads.clone(),
    };
    let store = Store::with_config(Config::default().clock(clock).active_expiry(false));
    let mut c = store.connection();
    let read_at_most_once = |c: &mut redlite::Connection, argv: &[&str]| {
        let before = reads.load(Ordering::SeqCst);
        let reply = c.execute(argv);
        // At most once: a command reads the clock only when a key it touches has an
        // expiry (or it sets or reports one), and then exactly once.
        assert!(reads.load(Ordering::SeqCst) - before <= 1, "{argv:?}");
        reply
    };
    // One EXEC sets every key at one time, 1.5 s before it expires: the next command
    // (one tick later) sees all of them, the one after sees none. A command that re-read
    // the clock per key would see a mix.
    c.execute(["MULTI"]);
    for k in ["a", "b", "c", "d"] {
        c.execute(["SET", k, "v", "PX", "1500"]);
    }
    read_at_most_once(&mut c, &["EXEC"]);
    let live = bulks(&["v", "v", "v", "v"]);
    assert_eq!(
        read_at_most_once(&mut c, &["MGET", "a", "b", "c", "d"]),
        live
    );
    let gone = Reply::Array(vec![nil(); 4]);
    assert_eq!(
        read_at_most_once(&mut c, &["MGET", "a", "b", "c", "d"]),
        gone
    );
    for argv in [
        &["EXISTS", "a", "b", "c", "d"][..],
        &["DEL", "a", "b"],
        &["KEYS", "*"],
        &["SCAN", "0"],
        &["DBSIZE"],
        &["TTL", "c"],
        &["INCR", "n"],
    ] {
        read_at_most_once(&mut c, argv);
    }
    c.execute(["MULTI"]);
    for _ in 0..5 {
        c.execute(["SET", "t", "v", "PX", "1500"]);
        c.execute(["PTTL", "t"]);
    }
    let replies = read_at_most_once(&mut c, &["EXEC"]);
    let Reply::Array(replies) = replies else {
        panic!("EXEC failed")
    };
    assert!(replies.iter().skip(1).step_by(2).all(|r| *r == int(1500)));
}
