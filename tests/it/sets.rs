//! Set commands: exact replies, errors, WATCH signalling, SSCAN's guarantee, threads.

use std::collections::HashSet;
use std::thread;

use crate::common::*;
use redlite::{Reply, Store};

#[test]
fn sadd_and_srem_count_changes() {
    let s = Store::new();
    assert_eq!(s.execute(&["SADD", "s", "a", "b", "a"]), Reply::Integer(2));
    assert_eq!(s.execute(&["SADD", "s", "b", "c"]), Reply::Integer(1));
    assert_eq!(s.execute(&["SCARD", "s"]), Reply::Integer(3));
    assert_eq!(s.execute(&["SREM", "s", "a", "zz", "a"]), Reply::Integer(1));
    assert_eq!(sorted(s.execute(&["SMEMBERS", "s"])), ["b", "c"]);
    assert_eq!(s.execute(&["TYPE", "s"]), Reply::status("set"));
    assert_eq!(s.execute(&["SREM", "s", "b", "c"]), Reply::Integer(2));
    assert_eq!(s.execute(&["EXISTS", "s"]), Reply::Integer(0));
}

#[test]
fn membership_queries() {
    let s = Store::new();
    s.execute(&["SADD", "s", "a", "b"]);
    assert_eq!(s.execute(&["SISMEMBER", "s", "a"]), Reply::Integer(1));
    assert_eq!(s.execute(&["SISMEMBER", "s", "z"]), Reply::Integer(0));
    assert_eq!(
        s.execute(&["SMISMEMBER", "s", "a", "z", "b"]),
        ints(&[1, 0, 1])
    );
    assert_eq!(s.execute(&["SMISMEMBER", "none", "a", "b"]), ints(&[0, 0]));
    assert_eq!(s.execute(&["SISMEMBER", "none", "a"]), Reply::Integer(0));
    assert_eq!(s.execute(&["SCARD", "none"]), Reply::Integer(0));
    assert_eq!(s.execute(&["SMEMBERS", "none"]), bulks(&[]));
}

#[test]
fn every_set_command_refuses_other_types() {
    let s = Store::new();
    s.execute(&["SET", "str", "v"]);
    s.execute(&["SADD", "s", "a"]);
    let cmds: &[&[&str]] = &[
        &["SADD", "str", "a"],
        &["SREM", "str", "a"],
        &["SISMEMBER", "str", "a"],
        &["SMISMEMBER", "str", "a"],
        &["SCARD", "str"],
        &["SMEMBERS", "str"],
        &["SRANDMEMBER", "str"],
        &["SRANDMEMBER", "str", "2"],
        &["SPOP", "str"],
        &["SPOP", "str", "2"],
        &["SSCAN", "str", "0"],
        &["SMOVE", "str", "s", "a"],
        &["SMOVE", "s", "str", "a"],
        &["SINTER", "s", "str"],
        &["SINTER", "missing", "str"],
        &["SUNION", "s", "str"],
        &["SDIFF", "s", "str"],
        &["SINTERSTORE", "d", "s", "str"],
        &["SUNIONSTORE", "d", "s", "str"],
        &["SDIFFSTORE", "d", "s", "str"],
        &["SINTERCARD", "2", "s", "str"],
    ];
    for cmd in cmds {
        assert_eq!(s.execute(*cmd), err(WRONGTYPE), "{cmd:?}");
    }
    assert_eq!(s.execute(&["GET", "str"]), bulk("v"));
    assert_eq!(s.execute(&["SMEMBERS", "s"]), bulks(&["a"]));
    assert_eq!(s.execute(&["EXISTS", "d"]), Reply::Integer(0));
}

#[test]
fn srandmember_count_rules() {
    let s = Store::new();
    s.execute(&["SADD", "s", "a", "b", "c"]);
    assert_eq!(s.execute(&["SRANDMEMBER", "none"]), Reply::Nil);
    assert_eq!(s.execute(&["SRANDMEMBER", "none", "5"]), bulks(&[]));
    assert_eq!(s.execute(&["SRANDMEMBER", "s", "0"]), bulks(&[]));
    assert_eq!(
        sorted(s.execute(&["SRANDMEMBER", "s", "3"])),
        ["a", "b", "c"]
    );
    assert_eq!(
        sorted(s.execute(&["SRANDMEMBER", "s", "100"])),
        ["a", "b", "c"]
    );
    let two = sorted(s.execute(&["SRANDMEMBER", "s", "2"]));
    assert_eq!(two.len(), 2);
    assert_ne!(two[0], two[1]);
    let repeats = sorted(s.execute(&["SRANDMEMBER", "s", "-30"]));
    assert_eq!(repeats.len(), 30);
    assert!(
        repeats
            .iter()
            .all(|m| ["a", "b", "c"].contains(&m.as_str()))
    );
    assert_eq!(s.execute(&["SCARD", "s"]), Reply::Integer(3));
    assert_eq!(
        s.execute(&["SRANDMEMBER", "s", "1", "2"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["SRANDMEMBER", "s", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        s.execute(&["SRANDMEMBER", "s", "-9223372036854775808"]),
        err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
        )
    );
}

#[test]
fn srandmember_with_negative_count_repeats_a_single_member() {
    let s = Store::new();
    s.execute(&["SADD", "s", "only"]);
    assert_eq!(
        s.execute(&["SRANDMEMBER", "s", "-3"]),
        bulks(&["only", "only", "only"])
    );
    assert_eq!(s.execute(&["SRANDMEMBER", "s"]), bulk("only"));
}

#[test]
fn spop_count_rules() {
    let s = Store::new();
    assert_eq!(s.execute(&["SPOP", "none"]), Reply::Nil);
    assert_eq!(s.execute(&["SPOP", "none", "3"]), bulks(&[]));
    s.execute(&["SADD", "s", "a", "b", "c", "d"]);
    assert_eq!(s.execute(&["SPOP", "s", "0"]), bulks(&[]));
    assert_eq!(
        s.execute(&["SPOP", "s", "-1"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        s.execute(&["SPOP", "s", "x"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(s.execute(&["SPOP", "s", "1", "2"]), err("ERR syntax error"));
    let popped = sorted(s.execute(&["SPOP", "s", "2"]));
    assert_eq!(popped.len(), 2);
    assert_ne!(popped[0], popped[1]);
    let mut rest = sorted(s.execute(&["SMEMBERS", "s"]));
    rest.extend(popped);
    rest.sort();
    assert_eq!(rest, ["a", "b", "c", "d"]);
    let Reply::Bulk(_) = s.execute(&["SPOP", "s"]) else {
        panic!()
    };
    assert_eq!(s.execute(&["SCARD", "s"]), Reply::Integer(1));
    assert_eq!(sorted(s.execute(&["SPOP", "s", "10"])).len(), 1);
    assert_eq!(s.execute(&["EXISTS", "s"]), Reply::Integer(0));
}

#[test]
fn smove_moves_and_follows_redis_edge_cases() {
    let s = Store::new();
    s.execute(&["SADD", "src", "a", "b"]);
    s.execute(&["SET", "str", "v"]);
    assert_eq!(s.execute(&["SMOVE", "src", "dst", "a"]), Reply::Integer(1));
    assert_eq!(s.execute(&["SMOVE", "src", "dst", "zz"]), Reply::Integer(0));
    assert_eq!(s.execute(&["SMEMBERS", "dst"]), bulks(&["a"]));
    // Missing source: 0 before the destination's type is checked.
    assert_eq!(s.execute(&["SMOVE", "none", "str", "a"]), Reply::Integer(0));
    // Same key: 1 when the member is there, and nothing changes.
    assert_eq!(s.execute(&["SMOVE", "src", "src", "b"]), Reply::Integer(1));
    assert_eq!(s.execute(&["SMOVE", "src", "src", "a"]), Reply::Integer(0));
    // Moving the last member deletes the source.
    assert_eq!(s.execute(&["SMOVE", "src", "dst", "b"]), Reply::Integer(1));
    assert_eq!(s.execute(&["EXISTS", "src"]), Reply::Integer(0));
    assert_eq!(sorted(s.execute(&["SMEMBERS", "dst"])), ["a", "b"]);
}

#[test]
fn set_algebra_replies() {
    let s = Store::new();
    s.execute(&["SADD", "a", "1", "2", "3", "4"]);
    s.execute(&["SADD", "b", "2", "3", "5"]);
    s.execute(&["SADD", "c", "3", "6"]);
    assert_eq!(sorted(s.execute(&["SINTER", "a", "b"])), ["2", "3"]);
    assert_eq!(sorted(s.execute(&["SINTER", "a", "b", "c"])), ["3"]);
    assert_eq!(s.execute(&["SINTER", "a", "missing"]), bulks(&[]));
    assert_eq!(sorted(s.execute(&["SINTER", "a"])), ["1", "2", "3", "4"]);
    assert_eq!(
        sorted(s.execute(&["SUNION", "a", "b", "missing"])),
        ["1", "2", "3", "4", "5"]
    );
    assert_eq!(sorted(s.execute(&["SDIFF", "a", "b", "c"])), ["1", "4"]);
    assert_eq!(
        sorted(s.execute(&["SDIFF", "a", "missing"])),
        ["1", "2", "3", "4"]
    );
    assert_eq!(s.execute(&["SDIFF", "missing", "a"]), bulks(&[]));
}

#[test]
fn store_forms_replace_the_destination() {
    let s = Store::new();
    s.execute(&["SADD", "a", "1", "2", "3"]);
    s.execute(&["SADD", "b", "2", "3", "4"]);
    s.execute(&["SET", "d", "old"]);
    s.execute(&["EXPIRE", "d", "100"]);
    assert_eq!(
        s.execute(&["SINTERSTORE", "d", "a", "b"]),
        Reply::Integer(2)
    );
    assert_eq!(sorted(s.execute(&["SMEMBERS", "d"])), ["2", "3"]);
    assert_eq!(s.execute(&["TTL", "d"]), Reply::Integer(-1));
    assert_eq!(
        s.execute(&["SUNIONSTORE", "d", "a", "b"]),
        Reply::Integer(4)
    );
    assert_eq!(s.execute(&["SDIFFSTORE", "d", "a", "b"]), Reply::Integer(1));
    assert_eq!(s.execute(&["SMEMBERS", "d"]), bulks(&["1"]));
    // The destination may be a source.
    assert_eq!(
        s.execute(&["SUNIONSTORE", "a", "a", "b"]),
        Reply::Integer(4)
    );
    assert_eq!(s.execute(&["SCARD", "a"]), Reply::Integer(4));
}

#[test]
fn store_with_an_empty_result_deletes_the_destination() {
    let s = Store::new();
    s.execute(&["SADD", "a", "1"]);
    s.execute(&["SADD", "b", "2"]);
    s.execute(&["SET", "d", "x"]);
    assert_eq!(
        s.execute(&["SINTERSTORE", "d", "a", "b"]),
        Reply::Integer(0)
    );
    assert_eq!(s.execute(&["EXISTS", "d"]), Reply::Integer(0));
    s.execute(&["SET", "d", "x"]);
    assert_eq!(s.execute(&["SDIFFSTORE", "d", "a", "a"]), Reply::Integer(0));
    assert_eq!(s.execute(&["EXISTS", "d"]), Reply::Integer(0));
    s.execute(&["SET", "d", "x"]);
    assert_eq!(
        s.execute(&["SUNIONSTORE", "d", "none1", "none2"]),
        Reply::Integer(0)
    );
    assert_eq!(s.execute(&["EXISTS", "d"]), Reply::Integer(0));
}

#[test]
fn sinterstore_with_a_wrongtype_source_leaves_the_destination_alone() {
    let s = Store::new();
    s.execute(&["SADD", "a", "1"]);
    s.execute(&["SET", "str", "v"]);
    s.execute(&["SADD", "dst", "keep"]);
    assert_eq!(
        s.execute(&["SINTERSTORE", "dst", "a", "str"]),
        err(WRONGTYPE)
    );
    assert_eq!(
        s.execute(&["SINTERSTORE", "dst", "missing", "str"]),
        err(WRONGTYPE)
    );
    assert_eq!(s.execute(&["SMEMBERS", "dst"]), bulks(&["keep"]));
    assert!(!write_aborts(
        &s,
        &["dst"],
        &["SINTERSTORE", "dst", "a", "str"]
    ));
}

#[test]
fn store_signals_the_destination_only_when_it_changes() {
    let s = Store::new();
    s.execute(&["SADD", "a", "1"]);
    s.execute(&["SADD", "b", "2"]);
    // Empty result, destination missing: nothing to delete, no signal.
    assert!(!write_aborts(&s, &["d"], &["SINTERSTORE", "d", "a", "b"]));
    // Empty result, destination present: deleted, signalled.
    s.execute(&["SADD", "d", "x"]);
    assert!(write_aborts(&s, &["d"], &["SINTERSTORE", "d", "a", "b"]));
    // Non-empty result always signals.
    assert!(write_aborts(&s, &["d"], &["SUNIONSTORE", "d", "a", "b"]));
}

#[test]
fn sintercard_counts_with_limit_and_reports_argument_errors() {
    let s = Store::new();
    s.execute(&["SADD", "a", "1", "2", "3", "4"]);
    s.execute(&["SADD", "b", "2", "3", "4", "5"]);
    assert_eq!(s.execute(&["SINTERCARD", "2", "a", "b"]), Reply::Integer(3));
    assert_eq!(
        s.execute(&["SINTERCARD", "2", "a", "b", "LIMIT", "2"]),
        Reply::Integer(2)
    );
    assert_eq!(
        s.execute(&["SINTERCARD", "2", "a", "b", "limit", "0"]),
        Reply::Integer(3)
    );
    assert_eq!(s.execute(&["SINTERCARD", "1", "a"]), Reply::Integer(4));
    assert_eq!(
        s.execute(&["SINTERCARD", "2", "a", "missing"]),
        Reply::Integer(0)
    );
    let numkeys = err("ERR numkeys should be greater than 0");
    assert_eq!(s.execute(&["SINTERCARD", "0", "a"]), numkeys);
    assert_eq!(s.execute(&["SINTERCARD", "-1", "a"]), numkeys);
    assert_eq!(s.execute(&["SINTERCARD", "x", "a"]), numkeys);
    assert_eq!(
        s.execute(&["SINTERCARD", "3", "a", "b"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    let limit = err("ERR LIMIT can't be negative");
    assert_eq!(s.execute(&["SINTERCARD", "1", "a", "LIMIT", "-1"]), limit);
    assert_eq!(s.execute(&["SINTERCARD", "1", "a", "LIMIT", "x"]), limit);
    assert_eq!(
        s.execute(&["SINTERCARD", "1", "a", "LIMIT"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["SINTERCARD", "1", "a", "b"]),
        err("ERR syntax error")
    );
}

#[test]
fn sscan_small_and_large_sets() {
    let s = Store::new();
    s.execute(&["SADD", "small", "a", "b", "ab"]);
    // COUNT does not split a small set's reply.
    assert_eq!(
        s.execute(&["SSCAN", "small", "0", "MATCH", "a*", "COUNT", "1"]),
        s.execute(&["SSCAN", "small", "0", "MATCH", "a*"])
    );
    let Reply::Array(r) = s.execute(&["SSCAN", "small", "0", "MATCH", "a*"]) else {
        panic!()
    };
    assert_eq!(r[0], bulk("0"));
    assert_eq!(sorted(r[1].clone()), ["a", "ab"]);
    assert_eq!(
        s.execute(&["SSCAN", "none", "0"]),
        Reply::Array(vec![bulk("0"), bulks(&[])])
    );
    assert_eq!(
        s.execute(&["SSCAN", "small", "0", "NOVALUES"]),
        err("ERR syntax error")
    );
    assert_eq!(
        s.execute(&["SSCAN", "small", "-1"]),
        err("ERR invalid cursor")
    );

    let members: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    s.sadd("big", &members).unwrap();
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    let mut calls = 0;
    loop {
        let Reply::Array(r) = s.execute(&["SSCAN", "big", &cursor, "COUNT", "25"]) else {
            panic!()
        };
        calls += 1;
        seen.extend(sorted(r[1].clone()));
        // Churn between calls: remove a member that is not m0..m499, add a new one.
        s.execute(&["SREM", "big", &format!("m{}", 500 + calls * 11 % 500)]);
        s.execute(&["SADD", "big", &format!("new{calls}")]);
        cursor = match &r[0] {
            Reply::Bulk(b) => String::from_utf8(b.clone()).unwrap(),
            _ => panic!(),
        };
        if cursor == "0" {
            break;
        }
    }
    assert!(
        calls > 30,
        "a large set must iterate in steps, got {calls} calls"
    );
    for i in 0..500 {
        assert!(seen.contains(&format!("m{i}")), "m{i} missed");
    }
}

#[test]
fn no_op_set_writes_do_not_abort_watch() {
    let s = Store::new();
    s.execute(&["SADD", "k", "a"]);
    s.execute(&["SADD", "other", "b"]);
    assert!(!write_aborts(&s, &["k"], &["SADD", "k", "a"]));
    assert!(!write_aborts(&s, &["k"], &["SREM", "k", "zz"]));
    assert!(!write_aborts(&s, &["missing"], &["SREM", "missing", "zz"]));
    assert!(!write_aborts(&s, &["k"], &["SMOVE", "k", "other", "zz"]));
    assert!(!write_aborts(&s, &["k"], &["SPOP", "k", "0"]));
    // SMOVE of a member already in the destination touches only the source.
    s.execute(&["SADD", "k", "b"]);
    assert!(!write_aborts(&s, &["other"], &["SMOVE", "k", "other", "b"]));
    assert_eq!(s.execute(&["SMEMBERS", "k"]), bulks(&["a"]));
}

#[test]
fn real_set_writes_abort_watch() {
    let s = Store::new();
    s.execute(&["SADD", "k", "a", "b", "c"]);
    assert!(write_aborts(&s, &["k"], &["SADD", "k", "a", "new"]));
    assert!(write_aborts(&s, &["k"], &["SREM", "k", "new"]));
    assert!(write_aborts(&s, &["k"], &["SPOP", "k"]));
    s.execute(&["DEL", "k"]);
    s.execute(&["SADD", "k", "a", "b"]);
    assert!(write_aborts(&s, &["k"], &["SMOVE", "k", "d", "a"]));
    assert!(write_aborts(&s, &["d"], &["SMOVE", "k", "d", "b"]));
    assert_eq!(s.execute(&["EXISTS", "k"]), Reply::Integer(0));
    s.execute(&["SADD", "k", "x"]);
    assert!(write_aborts(&s, &["k"], &["SREM", "k", "x"]));
    assert_eq!(s.execute(&["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn generic_key_commands_see_sets() {
    let s = Store::new();
    s.execute(&["SADD", "s", "a"]);
    s.execute(&["SET", "str", "v"]);
    assert_eq!(
        s.execute(&["SCAN", "0", "TYPE", "set"]),
        Reply::Array(vec![bulk("0"), bulks(&["s"])])
    );
    assert_eq!(s.execute(&["COPY", "s", "s2"]), Reply::Integer(1));
    s.execute(&["SADD", "s2", "b"]);
    assert_eq!(s.execute(&["SCARD", "s"]), Reply::Integer(1));
    assert_eq!(s.execute(&["RENAME", "s2", "s3"]), Reply::ok());
    assert_eq!(sorted(s.execute(&["SMEMBERS", "s3"])), ["a", "b"]);
    assert_eq!(s.execute(&["TYPE", "s3"]), Reply::status("set"));
}

#[test]
fn typed_set_methods_round_trip() {
    let s = Store::new();
    assert_eq!(s.sadd("s", &["a", "b", "c"]).unwrap(), 3);
    assert_eq!(s.srem("s", &["c", "zz"]).unwrap(), 1);
    assert!(s.sismember("s", "a").unwrap());
    assert_eq!(s.smismember("s", &["a", "c"]).unwrap(), vec![true, false]);
    assert_eq!(s.scard("s").unwrap(), 2);
    let members: HashSet<String> = s.smembers("s").unwrap();
    assert_eq!(members, HashSet::from(["a".to_string(), "b".to_string()]));
    assert!(s.smove("s", "t", "a").unwrap());
    assert!(!s.smove("s", "t", "a").unwrap());
    s.sadd("t", &["b"]).unwrap();
    assert_eq!(s.sinter::<Vec<String>, _>(&["s", "t"]).unwrap(), vec!["b"]);
    assert_eq!(s.sinterstore("i", &["s", "t"]).unwrap(), 1);
    assert_eq!(s.sunionstore("u", &["s", "t"]).unwrap(), 2);
    assert_eq!(s.sdiffstore("d", &["t", "s"]).unwrap(), 1);
    assert_eq!(s.sintercard(&["s", "t"], 0).unwrap(), 1);
    assert_eq!(s.spop_count::<Vec<String>>("u", 5).unwrap().len(), 2);
    assert!(!s.exists("u").unwrap());
    s.set("str", 1).unwrap();
    assert_eq!(s.sadd("str", &["x"]).unwrap_err().to_string(), WRONGTYPE);
}

#[test]
fn concurrent_smove_never_loses_or_duplicates_a_member() {
    let s = Store::new();
    let members: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    s.sadd("left", &members).unwrap();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            thread::spawn(move || {
                for i in 0..2000 {
                    let m = format!("m{}", (i * 7 + t * 13) % 200);
                    let (from, to) = if (i + t) % 2 == 0 {
                        ("left", "right")
                    } else {
                        ("right", "left")
                    };
                    s.smove(from, to, &m).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let left: HashSet<String> = s.smembers("left").unwrap();
    let right: HashSet<String> = s.smembers("right").unwrap();
    assert_eq!(left.len() + right.len(), 200);
    assert!(left.is_disjoint(&right));
    let union: HashSet<String> = left.union(&right).cloned().collect();
    assert_eq!(union, members.into_iter().collect());
}

#[test]
fn concurrent_sadd_and_spop_account_for_every_member() {
    let s = Store::new();
    let adders: Vec<_> = (0..4)
        .map(|t| {
            let s = s.clone();
            thread::spawn(move || {
                for i in 0..1000 {
                    assert_eq!(s.sadd("pool", &[format!("t{t}-{i}")]).unwrap(), 1);
                }
            })
        })
        .collect();
    let poppers: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            thread::spawn(move || {
                let mut got = Vec::new();
                for _ in 0..500 {
                    got.extend(s.spop_count::<Vec<String>>("pool", 2).unwrap());
                }
                got
            })
        })
        .collect();
    for h in adders {
        h.join().unwrap();
    }
    let mut popped = Vec::new();
    for h in poppers {
        popped.extend(h.join().unwrap());
    }
    let left: Vec<String> = s.smembers("pool").unwrap();
    let total = popped.len() + left.len();
    let all: HashSet<String> = popped.into_iter().chain(left).collect();
    assert_eq!(total, 4000, "a member was popped twice or lost");
    assert_eq!(all.len(), 4000);
}
