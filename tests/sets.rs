//! Set commands: exact replies, errors, WATCH signalling, SSCAN's guarantee, threads.

use std::collections::HashSet;
use std::thread;

use redlite::{Reply, Store};

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn run(s: &Store, args: &[&str]) -> Reply {
    s.execute(args)
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(Reply::bulk).collect())
}

fn error(text: &str) -> Reply {
    Reply::error(text.to_string())
}

fn ints(items: &[i64]) -> Reply {
    Reply::Array(items.iter().map(|&i| Reply::Integer(i)).collect())
}

/// Sorted bulk strings of an array reply.
fn sorted(r: Reply) -> Vec<String> {
    let Reply::Array(items) = r else {
        panic!("not an array: {r}")
    };
    let mut v: Vec<String> = items
        .into_iter()
        .map(|i| match i {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("not a bulk: {other}"),
        })
        .collect();
    v.sort();
    v
}

/// Runs `w` between a WATCH of `keys` and EXEC; true when EXEC aborted.
fn aborts(s: &Store, keys: &[&str], w: &[&str]) -> bool {
    let mut c = s.connection();
    for k in keys {
        c.execute(["WATCH", k]);
    }
    run(s, w);
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    match c.execute(["EXEC"]) {
        Reply::Nil => true,
        r => {
            assert_eq!(r, Reply::Array(vec![Reply::status("PONG")]));
            false
        }
    }
}

#[test]
fn sadd_and_srem_count_changes() {
    let s = Store::new();
    assert_eq!(run(&s, &["SADD", "s", "a", "b", "a"]), Reply::Integer(2));
    assert_eq!(run(&s, &["SADD", "s", "b", "c"]), Reply::Integer(1));
    assert_eq!(run(&s, &["SCARD", "s"]), Reply::Integer(3));
    assert_eq!(run(&s, &["SREM", "s", "a", "zz", "a"]), Reply::Integer(1));
    assert_eq!(sorted(run(&s, &["SMEMBERS", "s"])), ["b", "c"]);
    assert_eq!(run(&s, &["TYPE", "s"]), Reply::status("set"));
    assert_eq!(run(&s, &["SREM", "s", "b", "c"]), Reply::Integer(2));
    assert_eq!(run(&s, &["EXISTS", "s"]), Reply::Integer(0));
}

#[test]
fn membership_queries() {
    let s = Store::new();
    run(&s, &["SADD", "s", "a", "b"]);
    assert_eq!(run(&s, &["SISMEMBER", "s", "a"]), Reply::Integer(1));
    assert_eq!(run(&s, &["SISMEMBER", "s", "z"]), Reply::Integer(0));
    assert_eq!(
        run(&s, &["SMISMEMBER", "s", "a", "z", "b"]),
        ints(&[1, 0, 1])
    );
    assert_eq!(run(&s, &["SMISMEMBER", "none", "a", "b"]), ints(&[0, 0]));
    assert_eq!(run(&s, &["SISMEMBER", "none", "a"]), Reply::Integer(0));
    assert_eq!(run(&s, &["SCARD", "none"]), Reply::Integer(0));
    assert_eq!(run(&s, &["SMEMBERS", "none"]), bulks(&[]));
}

#[test]
fn every_set_command_refuses_other_types() {
    let s = Store::new();
    run(&s, &["SET", "str", "v"]);
    run(&s, &["SADD", "s", "a"]);
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
        assert_eq!(run(&s, cmd), error(WRONGTYPE), "{cmd:?}");
    }
    assert_eq!(run(&s, &["GET", "str"]), bulk("v"));
    assert_eq!(run(&s, &["SMEMBERS", "s"]), bulks(&["a"]));
    assert_eq!(run(&s, &["EXISTS", "d"]), Reply::Integer(0));
}

#[test]
fn srandmember_count_rules() {
    let s = Store::new();
    run(&s, &["SADD", "s", "a", "b", "c"]);
    assert_eq!(run(&s, &["SRANDMEMBER", "none"]), Reply::Nil);
    assert_eq!(run(&s, &["SRANDMEMBER", "none", "5"]), bulks(&[]));
    assert_eq!(run(&s, &["SRANDMEMBER", "s", "0"]), bulks(&[]));
    assert_eq!(sorted(run(&s, &["SRANDMEMBER", "s", "3"])), ["a", "b", "c"]);
    assert_eq!(
        sorted(run(&s, &["SRANDMEMBER", "s", "100"])),
        ["a", "b", "c"]
    );
    let two = sorted(run(&s, &["SRANDMEMBER", "s", "2"]));
    assert_eq!(two.len(), 2);
    assert_ne!(two[0], two[1]);
    let repeats = sorted(run(&s, &["SRANDMEMBER", "s", "-30"]));
    assert_eq!(repeats.len(), 30);
    assert!(
        repeats
            .iter()
            .all(|m| ["a", "b", "c"].contains(&m.as_str()))
    );
    assert_eq!(run(&s, &["SCARD", "s"]), Reply::Integer(3));
    assert_eq!(
        run(&s, &["SRANDMEMBER", "s", "1", "2"]),
        error("ERR syntax error")
    );
    assert_eq!(
        run(&s, &["SRANDMEMBER", "s", "x"]),
        error("ERR value is not an integer or out of range")
    );
    assert_eq!(
        run(&s, &["SRANDMEMBER", "s", "-9223372036854775808"]),
        error(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
        )
    );
}

#[test]
fn srandmember_with_negative_count_repeats_a_single_member() {
    let s = Store::new();
    run(&s, &["SADD", "s", "only"]);
    assert_eq!(
        run(&s, &["SRANDMEMBER", "s", "-3"]),
        bulks(&["only", "only", "only"])
    );
    assert_eq!(run(&s, &["SRANDMEMBER", "s"]), bulk("only"));
}

#[test]
fn spop_count_rules() {
    let s = Store::new();
    assert_eq!(run(&s, &["SPOP", "none"]), Reply::Nil);
    assert_eq!(run(&s, &["SPOP", "none", "3"]), bulks(&[]));
    run(&s, &["SADD", "s", "a", "b", "c", "d"]);
    assert_eq!(run(&s, &["SPOP", "s", "0"]), bulks(&[]));
    assert_eq!(
        run(&s, &["SPOP", "s", "-1"]),
        error("ERR value is out of range, must be positive")
    );
    assert_eq!(
        run(&s, &["SPOP", "s", "x"]),
        error("ERR value is out of range, must be positive")
    );
    assert_eq!(run(&s, &["SPOP", "s", "1", "2"]), error("ERR syntax error"));
    let popped = sorted(run(&s, &["SPOP", "s", "2"]));
    assert_eq!(popped.len(), 2);
    assert_ne!(popped[0], popped[1]);
    let mut rest = sorted(run(&s, &["SMEMBERS", "s"]));
    rest.extend(popped);
    rest.sort();
    assert_eq!(rest, ["a", "b", "c", "d"]);
    let Reply::Bulk(_) = run(&s, &["SPOP", "s"]) else {
        panic!()
    };
    assert_eq!(run(&s, &["SCARD", "s"]), Reply::Integer(1));
    assert_eq!(sorted(run(&s, &["SPOP", "s", "10"])).len(), 1);
    assert_eq!(run(&s, &["EXISTS", "s"]), Reply::Integer(0));
}

#[test]
fn smove_moves_and_follows_redis_edge_cases() {
    let s = Store::new();
    run(&s, &["SADD", "src", "a", "b"]);
    run(&s, &["SET", "str", "v"]);
    assert_eq!(run(&s, &["SMOVE", "src", "dst", "a"]), Reply::Integer(1));
    assert_eq!(run(&s, &["SMOVE", "src", "dst", "zz"]), Reply::Integer(0));
    assert_eq!(run(&s, &["SMEMBERS", "dst"]), bulks(&["a"]));
    // Missing source: 0 before the destination's type is checked.
    assert_eq!(run(&s, &["SMOVE", "none", "str", "a"]), Reply::Integer(0));
    // Same key: 1 when the member is there, and nothing changes.
    assert_eq!(run(&s, &["SMOVE", "src", "src", "b"]), Reply::Integer(1));
    assert_eq!(run(&s, &["SMOVE", "src", "src", "a"]), Reply::Integer(0));
    // Moving the last member deletes the source.
    assert_eq!(run(&s, &["SMOVE", "src", "dst", "b"]), Reply::Integer(1));
    assert_eq!(run(&s, &["EXISTS", "src"]), Reply::Integer(0));
    assert_eq!(sorted(run(&s, &["SMEMBERS", "dst"])), ["a", "b"]);
}

#[test]
fn set_algebra_replies() {
    let s = Store::new();
    run(&s, &["SADD", "a", "1", "2", "3", "4"]);
    run(&s, &["SADD", "b", "2", "3", "5"]);
    run(&s, &["SADD", "c", "3", "6"]);
    assert_eq!(sorted(run(&s, &["SINTER", "a", "b"])), ["2", "3"]);
    assert_eq!(sorted(run(&s, &["SINTER", "a", "b", "c"])), ["3"]);
    assert_eq!(run(&s, &["SINTER", "a", "missing"]), bulks(&[]));
    assert_eq!(sorted(run(&s, &["SINTER", "a"])), ["1", "2", "3", "4"]);
    assert_eq!(
        sorted(run(&s, &["SUNION", "a", "b", "missing"])),
        ["1", "2", "3", "4", "5"]
    );
    assert_eq!(sorted(run(&s, &["SDIFF", "a", "b", "c"])), ["1", "4"]);
    assert_eq!(
        sorted(run(&s, &["SDIFF", "a", "missing"])),
        ["1", "2", "3", "4"]
    );
    assert_eq!(run(&s, &["SDIFF", "missing", "a"]), bulks(&[]));
}

#[test]
fn store_forms_replace_the_destination() {
    let s = Store::new();
    run(&s, &["SADD", "a", "1", "2", "3"]);
    run(&s, &["SADD", "b", "2", "3", "4"]);
    run(&s, &["SET", "d", "old"]);
    run(&s, &["EXPIRE", "d", "100"]);
    assert_eq!(run(&s, &["SINTERSTORE", "d", "a", "b"]), Reply::Integer(2));
    assert_eq!(sorted(run(&s, &["SMEMBERS", "d"])), ["2", "3"]);
    assert_eq!(run(&s, &["TTL", "d"]), Reply::Integer(-1));
    assert_eq!(run(&s, &["SUNIONSTORE", "d", "a", "b"]), Reply::Integer(4));
    assert_eq!(run(&s, &["SDIFFSTORE", "d", "a", "b"]), Reply::Integer(1));
    assert_eq!(run(&s, &["SMEMBERS", "d"]), bulks(&["1"]));
    // The destination may be a source.
    assert_eq!(run(&s, &["SUNIONSTORE", "a", "a", "b"]), Reply::Integer(4));
    assert_eq!(run(&s, &["SCARD", "a"]), Reply::Integer(4));
}

#[test]
fn store_with_an_empty_result_deletes_the_destination() {
    let s = Store::new();
    run(&s, &["SADD", "a", "1"]);
    run(&s, &["SADD", "b", "2"]);
    run(&s, &["SET", "d", "x"]);
    assert_eq!(run(&s, &["SINTERSTORE", "d", "a", "b"]), Reply::Integer(0));
    assert_eq!(run(&s, &["EXISTS", "d"]), Reply::Integer(0));
    run(&s, &["SET", "d", "x"]);
    assert_eq!(run(&s, &["SDIFFSTORE", "d", "a", "a"]), Reply::Integer(0));
    assert_eq!(run(&s, &["EXISTS", "d"]), Reply::Integer(0));
    run(&s, &["SET", "d", "x"]);
    assert_eq!(
        run(&s, &["SUNIONSTORE", "d", "none1", "none2"]),
        Reply::Integer(0)
    );
    assert_eq!(run(&s, &["EXISTS", "d"]), Reply::Integer(0));
}

#[test]
fn sinterstore_with_a_wrongtype_source_leaves_the_destination_alone() {
    let s = Store::new();
    run(&s, &["SADD", "a", "1"]);
    run(&s, &["SET", "str", "v"]);
    run(&s, &["SADD", "dst", "keep"]);
    assert_eq!(
        run(&s, &["SINTERSTORE", "dst", "a", "str"]),
        error(WRONGTYPE)
    );
    assert_eq!(
        run(&s, &["SINTERSTORE", "dst", "missing", "str"]),
        error(WRONGTYPE)
    );
    assert_eq!(run(&s, &["SMEMBERS", "dst"]), bulks(&["keep"]));
    assert!(!aborts(&s, &["dst"], &["SINTERSTORE", "dst", "a", "str"]));
}

#[test]
fn store_signals_the_destination_only_when_it_changes() {
    let s = Store::new();
    run(&s, &["SADD", "a", "1"]);
    run(&s, &["SADD", "b", "2"]);
    // Empty result, destination missing: nothing to delete, no signal.
    assert!(!aborts(&s, &["d"], &["SINTERSTORE", "d", "a", "b"]));
    // Empty result, destination present: deleted, signalled.
    run(&s, &["SADD", "d", "x"]);
    assert!(aborts(&s, &["d"], &["SINTERSTORE", "d", "a", "b"]));
    // Non-empty result always signals.
    assert!(aborts(&s, &["d"], &["SUNIONSTORE", "d", "a", "b"]));
}

#[test]
fn sintercard_counts_with_limit_and_reports_argument_errors() {
    let s = Store::new();
    run(&s, &["SADD", "a", "1", "2", "3", "4"]);
    run(&s, &["SADD", "b", "2", "3", "4", "5"]);
    assert_eq!(run(&s, &["SINTERCARD", "2", "a", "b"]), Reply::Integer(3));
    assert_eq!(
        run(&s, &["SINTERCARD", "2", "a", "b", "LIMIT", "2"]),
        Reply::Integer(2)
    );
    assert_eq!(
        run(&s, &["SINTERCARD", "2", "a", "b", "limit", "0"]),
        Reply::Integer(3)
    );
    assert_eq!(run(&s, &["SINTERCARD", "1", "a"]), Reply::Integer(4));
    assert_eq!(
        run(&s, &["SINTERCARD", "2", "a", "missing"]),
        Reply::Integer(0)
    );
    let numkeys = error("ERR numkeys should be greater than 0");
    assert_eq!(run(&s, &["SINTERCARD", "0", "a"]), numkeys);
    assert_eq!(run(&s, &["SINTERCARD", "-1", "a"]), numkeys);
    assert_eq!(run(&s, &["SINTERCARD", "x", "a"]), numkeys);
    assert_eq!(
        run(&s, &["SINTERCARD", "3", "a", "b"]),
        error("ERR Number of keys can't be greater than number of args")
    );
    let limit = error("ERR LIMIT can't be negative");
    assert_eq!(run(&s, &["SINTERCARD", "1", "a", "LIMIT", "-1"]), limit);
    assert_eq!(run(&s, &["SINTERCARD", "1", "a", "LIMIT", "x"]), limit);
    assert_eq!(
        run(&s, &["SINTERCARD", "1", "a", "LIMIT"]),
        error("ERR syntax error")
    );
    assert_eq!(
        run(&s, &["SINTERCARD", "1", "a", "b"]),
        error("ERR syntax error")
    );
}

#[test]
fn sscan_small_and_large_sets() {
    let s = Store::new();
    run(&s, &["SADD", "small", "a", "b", "ab"]);
    // COUNT does not split a small set's reply.
    assert_eq!(
        run(&s, &["SSCAN", "small", "0", "MATCH", "a*", "COUNT", "1"]),
        run(&s, &["SSCAN", "small", "0", "MATCH", "a*"])
    );
    let Reply::Array(r) = run(&s, &["SSCAN", "small", "0", "MATCH", "a*"]) else {
        panic!()
    };
    assert_eq!(r[0], bulk("0"));
    assert_eq!(sorted(r[1].clone()), ["a", "ab"]);
    assert_eq!(
        run(&s, &["SSCAN", "none", "0"]),
        Reply::Array(vec![bulk("0"), bulks(&[])])
    );
    assert_eq!(
        run(&s, &["SSCAN", "small", "0", "NOVALUES"]),
        error("ERR syntax error")
    );
    assert_eq!(
        run(&s, &["SSCAN", "small", "-1"]),
        error("ERR invalid cursor")
    );

    let members: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    s.sadd("big", &members).unwrap();
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    let mut calls = 0;
    loop {
        let Reply::Array(r) = run(&s, &["SSCAN", "big", &cursor, "COUNT", "25"]) else {
            panic!()
        };
        calls += 1;
        seen.extend(sorted(r[1].clone()));
        // Churn between calls: remove a member that is not m0..m499, add a new one.
        run(
            &s,
            &["SREM", "big", &format!("m{}", 500 + calls * 11 % 500)],
        );
        run(&s, &["SADD", "big", &format!("new{calls}")]);
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
    run(&s, &["SADD", "k", "a"]);
    run(&s, &["SADD", "other", "b"]);
    assert!(!aborts(&s, &["k"], &["SADD", "k", "a"]));
    assert!(!aborts(&s, &["k"], &["SREM", "k", "zz"]));
    assert!(!aborts(&s, &["missing"], &["SREM", "missing", "zz"]));
    assert!(!aborts(&s, &["k"], &["SMOVE", "k", "other", "zz"]));
    assert!(!aborts(&s, &["k"], &["SPOP", "k", "0"]));
    // SMOVE of a member already in the destination touches only the source.
    run(&s, &["SADD", "k", "b"]);
    assert!(!aborts(&s, &["other"], &["SMOVE", "k", "other", "b"]));
    assert_eq!(run(&s, &["SMEMBERS", "k"]), bulks(&["a"]));
}

#[test]
fn real_set_writes_abort_watch() {
    let s = Store::new();
    run(&s, &["SADD", "k", "a", "b", "c"]);
    assert!(aborts(&s, &["k"], &["SADD", "k", "a", "new"]));
    assert!(aborts(&s, &["k"], &["SREM", "k", "new"]));
    assert!(aborts(&s, &["k"], &["SPOP", "k"]));
    run(&s, &["DEL", "k"]);
    run(&s, &["SADD", "k", "a", "b"]);
    assert!(aborts(&s, &["k"], &["SMOVE", "k", "d", "a"]));
    assert!(aborts(&s, &["d"], &["SMOVE", "k", "d", "b"]));
    assert_eq!(run(&s, &["EXISTS", "k"]), Reply::Integer(0));
    run(&s, &["SADD", "k", "x"]);
    assert!(aborts(&s, &["k"], &["SREM", "k", "x"]));
    assert_eq!(run(&s, &["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn generic_key_commands_see_sets() {
    let s = Store::new();
    run(&s, &["SADD", "s", "a"]);
    run(&s, &["SET", "str", "v"]);
    assert_eq!(
        run(&s, &["SCAN", "0", "TYPE", "set"]),
        Reply::Array(vec![bulk("0"), bulks(&["s"])])
    );
    assert_eq!(run(&s, &["COPY", "s", "s2"]), Reply::Integer(1));
    run(&s, &["SADD", "s2", "b"]);
    assert_eq!(run(&s, &["SCARD", "s"]), Reply::Integer(1));
    assert_eq!(run(&s, &["RENAME", "s2", "s3"]), Reply::ok());
    assert_eq!(sorted(run(&s, &["SMEMBERS", "s3"])), ["a", "b"]);
    assert_eq!(run(&s, &["TYPE", "s3"]), Reply::status("set"));
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
