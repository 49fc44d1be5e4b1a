//! Waiting for a busy shard lock (`keyspace/locks/spin.rs`): a waiter watches the lock word
//! for a few microseconds, then waits the ordinary way. Exact counts with many more threads
//! than cores on one key, readers that never see half a script, and waiters that outlast
//! the watch (a lock held for milliseconds) still served.

use std::thread;

use crate::common::*;
use redlite::{Reply, Store};

const THREADS: usize = 8;

/// The guide's increment: in Lua when the feature is on (the hot path this lock wait was
/// measured on), else in Rhai.
#[cfg(feature = "lua")]
const INCREMENT: &str = "#!lua
    local c = tonumber(redis.call('GET', KEYS[1]) or '0')
    local n = c + tonumber(ARGV[1])
    redis.call('SET', KEYS[1], n)
    return n";
#[cfg(not(feature = "lua"))]
const INCREMENT: &str = r#"#!rhai
    let c = redis::call("GET", KEYS[0]);
    let n = (if c == () { 0 } else { parse_int(c) }) + parse_int(ARGV[0]);
    redis::call("SET", KEYS[0], n); n"#;

fn load(store: &Store, script: &str) -> String {
    match store.execute(["SCRIPT", "LOAD", script]) {
        Reply::Bulk(sha) => String::from_utf8(sha).expect("a SHA1 is hex"),
        other => panic!("SCRIPT LOAD: {other}"),
    }
}

/// Runs `work(thread index)` on `threads` threads at once and waits for all.
fn on_threads(threads: usize, work: impl Fn(usize) + Sync) {
    thread::scope(|s| {
        for t in 0..threads {
            let work = &work;
            s.spawn(move || work(t));
        }
    });
}

#[test]
fn eight_threads_running_a_script_on_one_key_lose_no_increment() {
    let (store, _c, _) = setup();
    let sha = load(&store, INCREMENT);
    on_threads(THREADS, |_| {
        let mut conn = store.connection();
        for _ in 0..4_000 {
            let reply = conn.execute(["EVALSHA", &sha, "1", "counter", "1"]);
            assert!(matches!(reply, Reply::Integer(_)), "{reply}");
        }
    });
    assert_eq!(store.execute(["GET", "counter"]), bulk("32000"));
}

#[test]
fn readers_waiting_on_a_scripts_locks_never_see_half_of_it() {
    let (store, _c, _) = setup();
    // Both keys get the same new value in one run; a reader must see them equal.
    let both =
        "#!rhai\nlet n = redis::call(\"INCR\", KEYS[0]); redis::call(\"SET\", KEYS[1], n); n";
    let sha = load(&store, both);
    on_threads(THREADS, |t| {
        let mut conn = store.connection();
        for _ in 0..2_000 {
            if t % 2 == 0 {
                conn.execute(["EVALSHA", &sha, "2", "pair:a", "pair:b"]);
            } else {
                let Reply::Array(seen) = conn.execute(["MGET", "pair:a", "pair:b"]) else {
                    panic!("MGET replies an array");
                };
                assert_eq!(seen[0], seen[1], "a reader saw half a script");
            }
        }
    });
    let runs = (THREADS / 2 * 2_000).to_string();
    assert_eq!(
        store.execute(["MGET", "pair:a", "pair:b"]),
        bulks(&[&runs, &runs])
    );
}

#[test]
fn waiters_outlasting_the_watch_are_all_served_exactly() {
    let (store, _c, _) = setup();
    // Holds the key's lock for far longer than a waiter watches it (~1 ms of work), so
    // the other threads fall back to parking and must still each get their turn.
    let slow = "#!rhai\nlet x = 0; for i in 0..20000 { x += i; } redis::call(\"INCR\", KEYS[0])";
    let sha = load(&store, slow);
    on_threads(5, |t| {
        let mut conn = store.connection();
        for _ in 0..200 {
            let reply = if t == 0 {
                conn.execute(["EVALSHA", &sha, "1", "hot"])
            } else {
                conn.execute(["INCR", "hot"])
            };
            assert!(matches!(reply, Reply::Integer(_)), "{reply}");
        }
    });
    assert_eq!(store.execute(["GET", "hot"]), bulk("1000"));
}
