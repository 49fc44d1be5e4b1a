//! List commands: exact replies, error texts, deletion of emptied lists, WATCH signalling,
//! and many-thread pushes and moves with exact final state.

use crate::common::*;
use redlite::{Reply, Store};

#[test]
fn variadic_push_returns_length_and_keeps_order() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "LPUSH l a b c d"), Reply::Integer(4));
    assert_eq!(run(&mut c, "RPUSH l 0 1 2 3"), Reply::Integer(8));
    assert_eq!(
        run(&mut c, "LRANGE l 0 -1"),
        bulks(&["d", "c", "b", "a", "0", "1", "2", "3"])
    );
    assert_eq!(run(&mut c, "LLEN l"), Reply::Integer(8));
    assert_eq!(run(&mut c, "LLEN missing"), Reply::Integer(0));
}

#[test]
fn pushx_only_touches_existing_lists() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "LPUSHX l a"), Reply::Integer(0));
    assert_eq!(run(&mut c, "RPUSHX l a"), Reply::Integer(0));
    assert_eq!(run(&mut c, "EXISTS l"), Reply::Integer(0));
    run(&mut c, "RPUSH l b");
    assert_eq!(run(&mut c, "LPUSHX l a"), Reply::Integer(2));
    assert_eq!(run(&mut c, "RPUSHX l c d"), Reply::Integer(4));
    assert_eq!(run(&mut c, "LRANGE l 0 -1"), bulks(&["a", "b", "c", "d"]));
}

#[test]
fn pop_without_and_with_count() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "LPOP missing"), Reply::Nil);
    assert_eq!(run(&mut c, "LPOP missing 3"), Reply::NilArray);
    assert_eq!(run(&mut c, "RPOP missing 0"), Reply::NilArray);
    run(&mut c, "RPUSH l a b c d e");
    assert_eq!(run(&mut c, "LPOP l"), bulk("a"));
    assert_eq!(run(&mut c, "RPOP l"), bulk("e"));
    assert_eq!(run(&mut c, "LPOP l 0"), bulks(&[]));
    assert_eq!(run(&mut c, "RPOP l 2"), bulks(&["d", "c"]));
    assert_eq!(run(&mut c, "LPOP l 10"), bulks(&["b"]));
    assert_eq!(run(&mut c, "EXISTS l"), Reply::Integer(0));
}

#[test]
fn pop_count_errors() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l a");
    let positive = err("ERR value is out of range, must be positive");
    assert_eq!(run(&mut c, "LPOP l -1"), positive);
    assert_eq!(run(&mut c, "RPOP l foo"), positive);
    assert_eq!(
        run(&mut c, "LPOP l 1 2"),
        err("ERR wrong number of arguments for 'lpop' command")
    );
    assert_eq!(
        run(&mut c, "RPOP l 1 2"),
        err("ERR wrong number of arguments for 'rpop' command")
    );
}

#[test]
fn lrange_clamps_out_of_range_bounds() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l 1 2 3 4 5 6 7 8 9 10");
    assert_eq!(
        run(&mut c, "LRANGE l 1 -2"),
        bulks(&["2", "3", "4", "5", "6", "7", "8", "9"])
    );
    assert_eq!(run(&mut c, "LRANGE l -3 -1"), bulks(&["8", "9", "10"]));
    assert_eq!(run(&mut c, "LRANGE l 4 4"), bulks(&["5"]));
    assert_eq!(run(&mut c, "LRANGE l -100 1"), bulks(&["1", "2"]));
    assert_eq!(run(&mut c, "LRANGE l 8 100"), bulks(&["9", "10"]));
    assert_eq!(run(&mut c, "LRANGE l 5 2"), bulks(&[]));
    assert_eq!(run(&mut c, "LRANGE l 10 20"), bulks(&[]));
    assert_eq!(run(&mut c, "LRANGE missing 0 -1"), bulks(&[]));
    assert_eq!(
        run(&mut c, "LRANGE l a 1"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn lindex_and_lset() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l a b c");
    assert_eq!(run(&mut c, "LINDEX l 0"), bulk("a"));
    assert_eq!(run(&mut c, "LINDEX l -1"), bulk("c"));
    assert_eq!(run(&mut c, "LINDEX l 3"), Reply::Nil);
    assert_eq!(run(&mut c, "LINDEX l -4"), Reply::Nil);
    assert_eq!(run(&mut c, "LINDEX missing 0"), Reply::Nil);
    assert_eq!(run(&mut c, "LSET l 1 B"), Reply::ok());
    assert_eq!(run(&mut c, "LSET l -1 C"), Reply::ok());
    assert_eq!(run(&mut c, "LRANGE l 0 -1"), bulks(&["a", "B", "C"]));
    assert_eq!(run(&mut c, "LSET l 3 x"), err("ERR index out of range"));
    assert_eq!(run(&mut c, "LSET missing 0 x"), err("ERR no such key"));
    assert_eq!(
        run(&mut c, "LSET l x y"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn lrem_from_head_tail_and_all() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l foo bar foobar foobared zap bar test foo");
    assert_eq!(run(&mut c, "LREM l 0 bar"), Reply::Integer(2));
    assert_eq!(
        run(&mut c, "LRANGE l 0 -1"),
        bulks(&["foo", "foobar", "foobared", "zap", "test", "foo"])
    );
    run(&mut c, "DEL l");
    run(
        &mut c,
        "RPUSH l foo bar foobar foobared zap bar test foo foo",
    );
    assert_eq!(run(&mut c, "LREM l 1 foo"), Reply::Integer(1));
    assert_eq!(run(&mut c, "LREM l -1 foo"), Reply::Integer(1));
    assert_eq!(run(&mut c, "LREM l -2 bar"), Reply::Integer(2));
    assert_eq!(
        run(&mut c, "LRANGE l 0 -1"),
        bulks(&["foobar", "foobared", "zap", "test", "foo"])
    );
    assert_eq!(run(&mut c, "LREM l 0 nothing"), Reply::Integer(0));
    assert_eq!(run(&mut c, "LREM missing 0 a"), Reply::Integer(0));
    run(&mut c, "RPUSH m x x");
    assert_eq!(run(&mut c, "LREM m 0 x"), Reply::Integer(2));
    assert_eq!(run(&mut c, "EXISTS m"), Reply::Integer(0));
}

#[test]
fn lrem_from_tail_removes_the_last_matches() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l a x b x c x");
    assert_eq!(run(&mut c, "LREM l -2 x"), Reply::Integer(2));
    assert_eq!(run(&mut c, "LRANGE l 0 -1"), bulks(&["a", "x", "b", "c"]));
}

#[test]
fn ltrim_keeps_the_range_and_deletes_when_empty() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l 1 2 3 4 5");
    assert_eq!(run(&mut c, "LTRIM l 1 -2"), Reply::ok());
    assert_eq!(run(&mut c, "LRANGE l 0 -1"), bulks(&["2", "3", "4"]));
    assert_eq!(run(&mut c, "LTRIM l -100 100"), Reply::ok());
    assert_eq!(run(&mut c, "LRANGE l 0 -1"), bulks(&["2", "3", "4"]));
    assert_eq!(run(&mut c, "LTRIM l 2 1"), Reply::ok());
    assert_eq!(run(&mut c, "EXISTS l"), Reply::Integer(0));
    assert_eq!(run(&mut c, "LTRIM missing 0 1"), Reply::ok());
}

#[test]
fn linsert_before_after_and_errors() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l a b c d");
    assert_eq!(run(&mut c, "LINSERT l before c zz"), Reply::Integer(5));
    assert_eq!(run(&mut c, "LINSERT l AFTER c yy"), Reply::Integer(6));
    assert_eq!(run(&mut c, "LINSERT l after d dd"), Reply::Integer(7));
    assert_eq!(run(&mut c, "LINSERT l before a aa"), Reply::Integer(8));
    assert_eq!(
        run(&mut c, "LRANGE l 0 -1"),
        bulks(&["aa", "a", "b", "zz", "c", "yy", "d", "dd"])
    );
    assert_eq!(run(&mut c, "LINSERT l before nope x"), Reply::Integer(-1));
    assert_eq!(run(&mut c, "LINSERT missing before a x"), Reply::Integer(0));
    assert_eq!(run(&mut c, "LINSERT l bad a x"), err("ERR syntax error"));
}

#[test]
fn lpos_rank_count_maxlen() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l a b c 1 2 3 c c");
    assert_eq!(run(&mut c, "LPOS l a"), Reply::Integer(0));
    assert_eq!(run(&mut c, "LPOS l c"), Reply::Integer(2));
    assert_eq!(run(&mut c, "LPOS l c RANK 2"), Reply::Integer(6));
    assert_eq!(run(&mut c, "LPOS l c RANK 4"), Reply::Nil);
    assert_eq!(run(&mut c, "LPOS l c RANK -1"), Reply::Integer(7));
    assert_eq!(run(&mut c, "LPOS l c RANK -2"), Reply::Integer(6));
    assert_eq!(run(&mut c, "LPOS l c COUNT 0"), ints(&[2, 6, 7]));
    assert_eq!(run(&mut c, "LPOS l c COUNT 2"), ints(&[2, 6]));
    assert_eq!(run(&mut c, "LPOS l c COUNT 0 RANK 2"), ints(&[6, 7]));
    assert_eq!(run(&mut c, "LPOS l c COUNT 2 RANK -1"), ints(&[7, 6]));
    assert_eq!(run(&mut c, "LPOS l x COUNT 2"), ints(&[]));
    assert_eq!(run(&mut c, "LPOS l x"), Reply::Nil);
    assert_eq!(run(&mut c, "LPOS missing c COUNT 0"), ints(&[]));
    assert_eq!(run(&mut c, "LPOS missing c"), Reply::Nil);
    assert_eq!(run(&mut c, "LPOS l a COUNT 0 MAXLEN 1"), ints(&[0]));
    assert_eq!(run(&mut c, "LPOS l c COUNT 0 MAXLEN 1"), ints(&[]));
    assert_eq!(run(&mut c, "LPOS l c COUNT 0 MAXLEN 3"), ints(&[2]));
    assert_eq!(
        run(&mut c, "LPOS l c COUNT 0 MAXLEN 3 RANK -1"),
        ints(&[7, 6])
    );
    assert_eq!(run(&mut c, "LPOS l c COUNT 0 MAXLEN 7 RANK 2"), ints(&[6]));
}

#[test]
fn lpos_error_texts() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l a");
    assert_eq!(
        run(&mut c, "LPOS l a RANK 0"),
        err(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
        )
    );
    assert_eq!(
        run(&mut c, "LPOS l a COUNT -1"),
        err("ERR COUNT can't be negative")
    );
    assert_eq!(
        run(&mut c, "LPOS l a MAXLEN -1"),
        err("ERR MAXLEN can't be negative")
    );
    assert_eq!(run(&mut c, "LPOS l a RANK"), err("ERR syntax error"));
    assert_eq!(run(&mut c, "LPOS l a FOO 1"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "LPOS l a RANK -9223372036854775808"),
        err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
        )
    );
}

#[test]
fn lmove_all_directions_and_rpoplpush() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH src a b c");
    assert_eq!(run(&mut c, "LMOVE src dst LEFT RIGHT"), bulk("a"));
    assert_eq!(run(&mut c, "LMOVE src dst RIGHT LEFT"), bulk("c"));
    assert_eq!(run(&mut c, "LRANGE dst 0 -1"), bulks(&["c", "a"]));
    assert_eq!(run(&mut c, "RPOPLPUSH src dst"), bulk("b"));
    assert_eq!(run(&mut c, "EXISTS src"), Reply::Integer(0));
    assert_eq!(run(&mut c, "LRANGE dst 0 -1"), bulks(&["b", "c", "a"]));
    assert_eq!(run(&mut c, "LMOVE missing dst LEFT LEFT"), Reply::Nil);
    assert_eq!(run(&mut c, "LMOVE dst dst left right"), bulk("b"));
    assert_eq!(run(&mut c, "LRANGE dst 0 -1"), bulks(&["c", "a", "b"]));
    assert_eq!(
        run(&mut c, "LMOVE dst dst UP LEFT"),
        err("ERR syntax error")
    );
}

#[test]
fn rotating_a_single_element_list_keeps_its_ttl() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH l only");
    run(&mut c, "EXPIRE l 100");
    assert_eq!(run(&mut c, "RPOPLPUSH l l"), bulk("only"));
    assert_eq!(run(&mut c, "TTL l"), Reply::Integer(100));
}

#[test]
fn lmove_checks_destination_type_before_popping() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH src a");
    run(&mut c, "SET dst x");
    assert_eq!(run(&mut c, "LMOVE src dst LEFT LEFT"), err(WRONGTYPE));
    assert_eq!(run(&mut c, "RPOPLPUSH src dst"), err(WRONGTYPE));
    assert_eq!(run(&mut c, "LRANGE src 0 -1"), bulks(&["a"]));
}

#[test]
fn lmpop_pops_from_the_first_non_empty_list() {
    let mut c = Store::new().connection();
    run(&mut c, "RPUSH b 1 2 3");
    let got = run(&mut c, "LMPOP 2 a b LEFT COUNT 2");
    assert_eq!(got, Reply::Array(vec![bulk("b"), bulks(&["1", "2"])]));
    let got = run(&mut c, "LMPOP 2 a b RIGHT");
    assert_eq!(got, Reply::Array(vec![bulk("b"), bulks(&["3"])]));
    assert_eq!(run(&mut c, "LMPOP 2 a b RIGHT"), Reply::NilArray);
    assert_eq!(run(&mut c, "EXISTS b"), Reply::Integer(0));
}

#[test]
fn lmpop_error_texts() {
    let mut c = Store::new().connection();
    let numkeys = err("ERR numkeys should be greater than 0");
    assert_eq!(run(&mut c, "LMPOP 0 a LEFT"), numkeys);
    assert_eq!(run(&mut c, "LMPOP x a LEFT"), numkeys);
    assert_eq!(run(&mut c, "LMPOP 5 a LEFT"), err("ERR syntax error"));
    assert_eq!(run(&mut c, "LMPOP 1 a MIDDLE"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "LMPOP 1 a LEFT COUNT 0"),
        err("ERR count should be greater than 0")
    );
    assert_eq!(
        run(&mut c, "LMPOP 1 a LEFT COUNT 1 COUNT 1"),
        err("ERR syntax error")
    );
    run(&mut c, "SET s x");
    assert_eq!(run(&mut c, "LMPOP 2 a s LEFT"), err(WRONGTYPE));
}

#[test]
fn every_list_command_rejects_other_types() {
    let mut c = Store::new().connection();
    run(&mut c, "SET s x");
    for line in [
        "LPUSH s a",
        "RPUSH s a",
        "LPUSHX s a",
        "RPUSHX s a",
        "LPOP s",
        "RPOP s 2",
        "LLEN s",
        "LRANGE s 0 -1",
        "LINDEX s 0",
        "LSET s 0 a",
        "LREM s 0 a",
        "LTRIM s 0 1",
        "LINSERT s BEFORE a b",
        "LPOS s a",
        "LMOVE s d LEFT LEFT",
        "RPOPLPUSH s d",
        "LMPOP 1 s LEFT",
    ] {
        assert_eq!(run(&mut c, line), err(WRONGTYPE), "{line}");
    }
    assert_eq!(run(&mut c, "GET s"), bulk("x"));
}

#[test]
fn no_op_list_writes_do_not_abort_watchers() {
    let s = Store::new();
    assert!(exec_survives(&s, "RPUSH k a", "LREM k 0 zz"));
    assert!(exec_survives(&s, "RPUSH k a", "LPOP k 0"));
    assert!(exec_survives(&s, "", "LPUSHX k a"));
    assert!(exec_survives(&s, "RPUSH k a", "LINSERT k BEFORE zz b"));
    assert!(exec_survives(&s, "", "LPOP k"));
}

#[test]
fn list_writes_abort_watchers() {
    let s = Store::new();
    assert!(!exec_survives(&s, "RPUSH k a", "LREM k 0 a"));
    assert!(!exec_survives(&s, "RPUSH k a", "LTRIM k 0 -1"));
    assert!(!exec_survives(&s, "RPUSH k a", "LSET k 0 a"));
    assert!(!exec_survives(&s, "", "RPUSH k a"));
    assert!(!exec_survives(&s, "RPUSH k a b", "RPOPLPUSH k k"));
    assert!(!exec_survives(&s, "RPUSH k a", "LMOVE k other LEFT LEFT"));
}

#[test]
fn threads_pushing_at_both_ends_lose_nothing() {
    const THREADS: usize = 8;
    const EACH: usize = 500;
    let store = Store::new();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut c = store.connection();
                for i in 0..EACH {
                    let side = if i % 2 == 0 { "LPUSH" } else { "RPUSH" };
                    c.execute([side, "l", &format!("{t}-{i}")]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut c = store.connection();
    assert_eq!(
        run(&mut c, "LLEN l"),
        Reply::Integer((THREADS * EACH) as i64)
    );
    let Reply::Array(items) = run(&mut c, "LRANGE l 0 -1") else {
        panic!("LRANGE did not return an array");
    };
    let mut seen: Vec<_> = items.iter().map(std::string::ToString::to_string).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), THREADS * EACH);
}

#[test]
fn concurrent_lmove_never_loses_or_duplicates() {
    const ITEMS: usize = 100;
    const THREADS: usize = 6;
    const MOVES: usize = 2000;
    let store = Store::new();
    let mut c = store.connection();
    for i in 0..ITEMS {
        c.execute(["RPUSH", "a", &i.to_string()]);
    }
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut c = store.connection();
                for i in 0..MOVES {
                    let (src, dst) = if (i + t) % 2 == 0 {
                        ("a", "b")
                    } else {
                        ("b", "a")
                    };
                    let (from, to) = if i % 3 == 0 {
                        ("LEFT", "RIGHT")
                    } else {
                        ("RIGHT", "LEFT")
                    };
                    c.execute(["LMOVE", src, dst, from, to]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut all = Vec::new();
    for key in ["a", "b"] {
        if let Reply::Array(items) = c.execute(["LRANGE", key, "0", "-1"]) {
            all.extend(items.iter().map(std::string::ToString::to_string));
        }
    }
    let mut want: Vec<String> = (0..ITEMS).map(|i| format!("{:?}", i.to_string())).collect();
    all.sort();
    want.sort();
    assert_eq!(all, want);
}
