//! Hash commands: exact replies, errors, WATCH signalling, HSCAN's guarantee, threads.

use std::collections::{HashMap, HashSet};
use std::thread;

use crate::common::*;
use redlite::{Reply, Store};

#[test]
fn hset_counts_new_fields_and_hmset_replies_ok() {
    let s = Store::new();
    assert_eq!(
        s.execute(&["HSET", "h", "a", "1", "b", "2"]),
        Reply::Integer(2)
    );
    assert_eq!(
        s.execute(&["HSET", "h", "a", "9", "c", "3"]),
        Reply::Integer(1)
    );
    assert_eq!(s.execute(&["HMSET", "h", "d", "4"]), Reply::ok());
    assert_eq!(s.execute(&["HGET", "h", "a"]), bulk("9"));
    assert_eq!(s.execute(&["HLEN", "h"]), Reply::Integer(4));
    assert_eq!(s.execute(&["TYPE", "h"]), Reply::status("hash"));
}

#[test]
fn hset_with_odd_arguments_is_an_arity_error() {
    let s = Store::new();
    assert_eq!(
        s.execute(&["HSET", "h", "a", "1", "b"]),
        err("ERR wrong number of arguments for 'hset' command")
    );
    assert_eq!(
        s.execute(&["HMSET", "h", "a", "1", "b"]),
        err("ERR wrong number of arguments for 'hmset' command")
    );
    assert_eq!(
        s.execute(&["HSET", "h", "a"]),
        err("ERR wrong number of arguments for 'hset' command")
    );
    assert_eq!(s.execute(&["EXISTS", "h"]), Reply::Integer(0));
}

#[test]
fn hset_odd_arguments_fail_at_exec_time_not_queue_time() {
    let s = Store::new();
    let mut c = s.connection();
    c.execute(["MULTI"]);
    assert_eq!(
        c.execute(["HSET", "h", "f", "v", "f2"]),
        Reply::status("QUEUED")
    );
    assert_eq!(c.execute(["HSET", "h", "f", "v"]), Reply::status("QUEUED"));
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![
            err("ERR wrong number of arguments for 'hset' command"),
            Reply::Integer(1)
        ])
    );
}

#[test]
fn reads_on_missing_keys_act_on_an_empty_hash() {
    let s = Store::new();
    assert_eq!(s.execute(&["HGET", "no", "f"]), Reply::Nil);
    assert_eq!(
        s.execute(&["HMGET", "no", "a", "b"]),
        Reply::Array(vec![Reply::Nil, Reply::Nil])
    );
    assert_eq!(s.execute(&["HEXISTS", "no", "f"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HLEN", "no"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HSTRLEN", "no", "f"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HKEYS", "no"]), bulks(&[]));
    assert_eq!(s.execute(&["HVALS", "no"]), bulks(&[]));
    assert_eq!(s.execute(&["HGETALL", "no"]), bulks(&[]));
    assert_eq!(s.execute(&["HDEL", "no", "f"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HRANDFIELD", "no"]), Reply::Nil);
    assert_eq!(s.execute(&["HRANDFIELD", "no", "3"]), bulks(&[]));
    assert_eq!(
        s.execute(&["HSCAN", "no", "0"]),
        Reply::Array(vec![bulk("0"), bulks(&[])])
    );
}

#[test]
fn field_reads_return_exact_values() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "hello", "b", ""]);
    assert_eq!(
        s.execute(&["HMGET", "h", "a", "x", "b"]),
        Reply::Array(vec![bulk("hello"), Reply::Nil, bulk("")])
    );
    assert_eq!(s.execute(&["HEXISTS", "h", "a"]), Reply::Integer(1));
    assert_eq!(s.execute(&["HEXISTS", "h", "x"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HSTRLEN", "h", "a"]), Reply::Integer(5));
    assert_eq!(s.execute(&["HSTRLEN", "h", "x"]), Reply::Integer(0));
    assert_eq!(sorted(s.execute(&["HKEYS", "h"])), ["a", "b"]);
    assert_eq!(sorted(s.execute(&["HVALS", "h"])), ["", "hello"]);
    let all: HashMap<String, String> = s.hgetall("h").unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all["a"], "hello");
    assert_eq!(all["b"], "");
}

#[test]
fn hsetnx_sets_only_missing_fields() {
    let s = Store::new();
    assert_eq!(s.execute(&["HSETNX", "h", "f", "1"]), Reply::Integer(1));
    assert_eq!(s.execute(&["HSETNX", "h", "f", "2"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HGET", "h", "f"]), bulk("1"));
}

#[test]
fn hdel_counts_removed_fields_and_deletes_the_emptied_key() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1", "b", "2"]);
    assert_eq!(s.execute(&["HDEL", "h", "a", "a", "zz"]), Reply::Integer(1));
    assert_eq!(s.execute(&["EXISTS", "h"]), Reply::Integer(1));
    assert_eq!(s.execute(&["HDEL", "h", "b"]), Reply::Integer(1));
    assert_eq!(s.execute(&["EXISTS", "h"]), Reply::Integer(0));
    assert_eq!(s.execute(&["TYPE", "h"]), Reply::status("none"));
}

#[test]
fn hincrby_adds_and_reports_redis_errors() {
    let s = Store::new();
    assert_eq!(s.execute(&["HINCRBY", "h", "n", "5"]), Reply::Integer(5));
    assert_eq!(s.execute(&["HINCRBY", "h", "n", "-7"]), Reply::Integer(-2));
    assert_eq!(s.execute(&["HGET", "h", "n"]), bulk("-2"));
    s.execute(&[
        "HSET",
        "h",
        "text",
        "abc",
        "spaced",
        " 1",
        "big",
        "9223372036854775807",
    ]);
    assert_eq!(
        s.execute(&["HINCRBY", "h", "text", "1"]),
        err("ERR hash value is not an integer")
    );
    assert_eq!(
        s.execute(&["HINCRBY", "h", "spaced", "1"]),
        err("ERR hash value is not an integer")
    );
    assert_eq!(
        s.execute(&["HINCRBY", "h", "big", "1"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        s.execute(&["HINCRBY", "h", "n", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        s.execute(&["HGET", "h", "big"]),
        bulk("9223372036854775807")
    );
}

#[test]
fn hincrbyfloat_formats_like_incrbyfloat_and_reports_redis_errors() {
    let s = Store::new();
    s.execute(&["HSET", "h", "f", "10.50", "text", "abc"]);
    assert_eq!(s.execute(&["HINCRBYFLOAT", "h", "f", "0.1"]), bulk("10.6"));
    assert_eq!(
        s.execute(&["HINCRBYFLOAT", "h", "new", "2.5e3"]),
        bulk("2500")
    );
    assert_eq!(s.execute(&["HGET", "h", "f"]), bulk("10.6"));
    assert_eq!(
        s.execute(&["HINCRBYFLOAT", "h", "text", "1"]),
        err("ERR hash value is not a float")
    );
    assert_eq!(
        s.execute(&["HINCRBYFLOAT", "h", "f", "inf"]),
        err("ERR value is NaN or Infinity")
    );
    assert_eq!(
        s.execute(&["HINCRBYFLOAT", "h", "f", "x"]),
        err("ERR value is not a valid float")
    );
    // Redis adds in long double: 2e308 is finite there (its limit is ~1.19e4932).
    s.execute(&["HSET", "h", "huge", "1e4932"]);
    assert_eq!(
        s.execute(&["HINCRBYFLOAT", "h", "huge", "1e4932"]),
        err("ERR increment would produce NaN or Infinity")
    );
    assert_eq!(s.execute(&["HGET", "h", "huge"]), bulk("1e4932"));
}

#[test]
fn every_hash_command_refuses_other_types() {
    let s = Store::new();
    s.execute(&["SET", "str", "v"]);
    let cmds: &[&[&str]] = &[
        &["HSET", "str", "f", "v"],
        &["HMSET", "str", "f", "v"],
        &["HSETNX", "str", "f", "v"],
        &["HGET", "str", "f"],
        &["HMGET", "str", "f"],
        &["HDEL", "str", "f"],
        &["HEXISTS", "str", "f"],
        &["HLEN", "str"],
        &["HSTRLEN", "str", "f"],
        &["HKEYS", "str"],
        &["HVALS", "str"],
        &["HGETALL", "str"],
        &["HINCRBY", "str", "f", "1"],
        &["HINCRBYFLOAT", "str", "f", "1"],
        &["HRANDFIELD", "str"],
        &["HRANDFIELD", "str", "2"],
        &["HSCAN", "str", "0"],
    ];
    for cmd in cmds {
        assert_eq!(s.execute(*cmd), err(WRONGTYPE), "{cmd:?}");
    }
    assert_eq!(s.execute(&["GET", "str"]), bulk("v"));
}

#[test]
fn hrandfield_count_rules() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(s.execute(&["HRANDFIELD", "h", "0"]), bulks(&[]));
    assert_eq!(
        sorted(s.execute(&["HRANDFIELD", "h", "10"])),
        ["a", "b", "c"]
    );
    let two = sorted(s.execute(&["HRANDFIELD", "h", "2"]));
    assert_eq!(two.len(), 2);
    assert_ne!(two[0], two[1]);
    let Reply::Array(repeats) = s.execute(&["HRANDFIELD", "h", "-20"]) else {
        panic!()
    };
    assert_eq!(repeats.len(), 20);
    let Reply::Array(pairs) = s.execute(&["HRANDFIELD", "h", "-5", "WITHVALUES"]) else {
        panic!()
    };
    assert_eq!(pairs.len(), 10);
    for p in pairs.chunks(2) {
        let f = String::from_utf8(match &p[0] {
            Reply::Bulk(b) => b.clone(),
            _ => panic!(),
        })
        .unwrap();
        assert_eq!(s.execute(&["HGET", "h", &f]), p[1]);
    }
    let Reply::Bulk(one) = s.execute(&["HRANDFIELD", "h"]) else {
        panic!()
    };
    assert!([&b"a"[..], b"b", b"c"].contains(&&one[..]));
}

#[test]
fn hrandfield_argument_errors() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1"]);
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "1", "NOPE"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "1", "WITHVALUES", "x"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "-9223372036854775808"]),
        err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
        )
    );
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"]),
        err("ERR value is out of range")
    );
    // Documented difference: Redis streams any negative count; redlite bounds the reply's
    // bytes (Config::max_reply_bytes, 1 GiB by default).
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "-9223372036854775807"]),
        err("ERR reply exceeds max-reply-bytes (1073741824 bytes)")
    );
    assert_eq!(
        s.execute(&["HRANDFIELD", "h", "9223372036854775807"]),
        bulks(&["a"])
    );
}

#[test]
fn hscan_small_hash_returns_everything_with_cursor_zero() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1", "b", "2", "ab", "3"]);
    let Reply::Array(r) = s.execute(&["HSCAN", "h", "0", "COUNT", "1"]) else {
        panic!()
    };
    assert_eq!(r[0], bulk("0"));
    assert_eq!(sorted(r[1].clone()), ["1", "2", "3", "a", "ab", "b"]);
    let Reply::Array(r) = s.execute(&["HSCAN", "h", "0", "MATCH", "a*", "NOVALUES"]) else {
        panic!()
    };
    assert_eq!(sorted(r[1].clone()), ["a", "ab"]);
}

#[test]
fn hscan_argument_errors() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1"]);
    assert_eq!(s.execute(&["HSCAN", "h", "x"]), err("ERR invalid cursor"));
    assert_eq!(
        s.execute(&["HSCAN", "h", "0", "COUNT", "0"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["HSCAN", "h", "0", "TYPE", "hash"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["HSCAN", "h", "0", "MATCH"]),
        err("ERR syntax error")
    );
}

/// Runs HSCAN to the end, collecting fields; `between` runs after each call.
fn full_hscan(s: &Store, key: &str, mut between: impl FnMut(usize)) -> (Vec<String>, usize) {
    let mut cursor = "0".to_string();
    let mut fields = Vec::new();
    let mut calls = 0;
    loop {
        let Reply::Array(r) = s.execute(&["HSCAN", key, &cursor, "COUNT", "10"]) else {
            panic!()
        };
        calls += 1;
        let Reply::Array(items) = &r[1] else { panic!() };
        for pair in items.chunks(2) {
            let Reply::Bulk(f) = &pair[0] else { panic!() };
            fields.push(String::from_utf8(f.clone()).unwrap());
        }
        let Reply::Bulk(c) = &r[0] else { panic!() };
        cursor = String::from_utf8(c.clone()).unwrap();
        if cursor == "0" {
            return (fields, calls);
        }
        between(calls);
    }
}

#[test]
fn hscan_large_hash_iterates_with_a_real_cursor() {
    let s = Store::new();
    let pairs: Vec<(String, usize)> = (0..1000).map(|i| (format!("f{i}"), i)).collect();
    s.hset_multiple("h", &pairs).unwrap();
    let (fields, calls) = full_hscan(&s, "h", |_| {});
    assert_eq!(calls, 100);
    let unique: HashSet<_> = fields.iter().cloned().collect();
    assert_eq!(fields.len(), 1000);
    assert_eq!(unique.len(), 1000);
}

#[test]
fn hscan_returns_every_field_present_throughout_despite_deletes_and_inserts() {
    let s = Store::new();
    let pairs: Vec<(String, usize)> = (0..1000).map(|i| (format!("f{i}"), i)).collect();
    s.hset_multiple("h", &pairs).unwrap();
    // Between calls delete some fields (never f0..f499) and add new ones.
    let (fields, _) = full_hscan(&s, "h", |call| {
        let victim = format!("f{}", 500 + (call * 7) % 500);
        s.execute(&["HDEL", "h", &victim]);
        s.execute(&["HSET", "h", &format!("new{call}"), "x"]);
    });
    let seen: HashSet<_> = fields.into_iter().collect();
    for i in 0..500 {
        assert!(seen.contains(&format!("f{i}")), "f{i} missed");
    }
}

#[test]
fn no_op_hash_writes_do_not_abort_watch() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1"]);
    let mut c = watching(&s, &["h", "missing"]);
    assert_eq!(s.execute(&["HDEL", "h", "nope"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HDEL", "missing", "nope"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HSETNX", "h", "a", "2"]), Reply::Integer(0));
    assert_eq!(s.execute(&["HGET", "h", "a"]), bulk("1"));
    assert!(exec_commits(&mut c));
}

#[test]
fn real_hash_writes_abort_watch() {
    let s = Store::new();
    let writes: &[&[&str]] = &[
        &["HSET", "h", "a", "1"], // same value still signals
        &["HDEL", "h", "a"],      // deleting the last field deletes the key
        &["HINCRBY", "h", "n", "1"],
        &["HINCRBYFLOAT", "h", "n", "1"],
        &["HSETNX", "h", "new", "1"],
        &["HMSET", "h", "a", "1"],
    ];
    for w in writes {
        s.execute(&["DEL", "h"]);
        s.execute(&["HSET", "h", "a", "1", "n", "1"]);
        assert!(write_aborts(&s, &["h"], w), "{w:?}");
    }
    // Emptying the hash (HDEL of every field) signals the deletion.
    s.execute(&["DEL", "h"]);
    s.execute(&["HSET", "h", "a", "1"]);
    assert!(write_aborts(&s, &["h"], &["HDEL", "h", "a"]));
}

#[test]
fn generic_key_commands_see_hashes() {
    let s = Store::new();
    s.execute(&["HSET", "h", "a", "1"]);
    s.execute(&["SET", "str", "v"]);
    assert_eq!(s.execute(&["KEYS", "h*"]), bulks(&["h"]));
    assert_eq!(
        s.execute(&["SCAN", "0", "TYPE", "hash"]),
        Reply::Array(vec![bulk("0"), bulks(&["h"])])
    );
    assert_eq!(s.execute(&["COPY", "h", "h2"]), Reply::Integer(1));
    s.execute(&["HSET", "h2", "b", "2"]);
    assert_eq!(s.execute(&["HLEN", "h"]), Reply::Integer(1));
    assert_eq!(s.execute(&["RENAME", "h2", "h3"]), Reply::ok());
    assert_eq!(s.execute(&["HGET", "h3", "b"]), bulk("2"));
    assert_eq!(s.execute(&["TYPE", "h3"]), Reply::status("hash"));
}

#[test]
#[allow(clippy::float_cmp, reason = "these sums are exact in binary")]
fn typed_hash_methods_round_trip() {
    let s = Store::new();
    assert!(s.hset("h", "a", 1).unwrap());
    assert_eq!(s.hset_multiple("h", &[("b", 2), ("c", 3)]).unwrap(), 2);
    assert!(!s.hset_nx("h", "a", 9).unwrap());
    assert_eq!(s.hget::<i64>("h", "a").unwrap(), 1);
    assert_eq!(
        s.hmget::<Vec<Option<i64>>, _>("h", &["a", "z"]).unwrap(),
        vec![Some(1), None]
    );
    assert_eq!(s.hlen("h").unwrap(), 3);
    assert!(s.hexists("h", "b").unwrap());
    assert_eq!(s.hincr_by("h", "a", 10).unwrap(), 11);
    assert_eq!(s.hincr_by_float("h", "x", 1.5).unwrap(), 1.5);
    assert_eq!(s.hdel("h", &["b", "c", "zz"]).unwrap(), 2);
    let all: HashMap<String, String> = s.hgetall("h").unwrap();
    assert_eq!(
        all,
        HashMap::from([("a".into(), "11".into()), ("x".into(), "1.5".into())])
    );
    s.set("str", 1).unwrap();
    let e = s.hget::<Option<String>>("str", "f").unwrap_err();
    assert_eq!(e.to_string(), WRONGTYPE);
}

#[test]
fn concurrent_hincrby_loses_no_update() {
    let s = Store::new();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            thread::spawn(move || {
                for _ in 0..1000 {
                    s.hincr_by("counters", "hits", 1).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(s.hget::<i64>("counters", "hits").unwrap(), 8000);
    assert_eq!(s.hlen("counters").unwrap(), 1);
}

#[test]
fn concurrent_hset_on_distinct_fields_keeps_them_all() {
    let s = Store::new();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            thread::spawn(move || {
                for i in 0..500 {
                    assert!(s.hset("h", format!("t{t}-{i}"), i).unwrap());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(s.hlen("h").unwrap(), 4000);
    assert_eq!(s.hget::<i64>("h", "t7-499").unwrap(), 499);
}
