//! Generic key commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY, KEYS,
//! SCAN, RANDOMKEY (cases from Redis's tests/unit/keyspace.tcl and scan.tcl).

use std::collections::HashSet;
use std::time::Duration;

use crate::common::*;
use redlite::{Connection, Reply};

#[test]
fn del_unlink_exists_count_each_argument() {
    let (_s, mut c, _) = setup();
    c.execute(["MSET", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(c.execute(["EXISTS", "a", "a", "zz"]), int(2));
    assert_eq!(c.execute(["TOUCH", "a", "b", "zz"]), int(2));
    assert_eq!(c.execute(["DEL", "a", "zz", "a"]), int(1));
    assert_eq!(c.execute(["UNLINK", "b", "c", "b"]), int(2));
    assert_eq!(c.execute(["EXISTS", "a", "b", "c"]), int(0));
    assert_eq!(c.execute(["DEL", "nothing"]), int(0));
    assert_eq!(c.execute(["DEL"]), arity("del"));
    assert_eq!(c.execute(["UNLINK"]), arity("unlink"));
    assert_eq!(c.execute(["EXISTS"]), arity("exists"));
}

#[test]
fn type_names_strings_and_missing_keys() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "s", "v"]);
    assert_eq!(c.execute(["TYPE", "s"]), status("string"));
    assert_eq!(c.execute(["TYPE", "nope"]), status("none"));
    assert_eq!(c.execute(["TYPE"]), arity("type"));
}

#[test]
fn keys_with_patterns() {
    let (_s, mut c, _) = setup();
    for k in ["key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"] {
        c.execute(["SET", k, "hello"]);
    }
    assert_eq!(
        sorted(c.execute(["KEYS", "foo*"])),
        ["foo_a", "foo_b", "foo_c"]
    );
    assert_eq!(
        sorted(c.execute(["KEYS", "*"])),
        ["foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z"]
    );
    assert_eq!(c.execute(["DBSIZE"]), int(6));
    assert_eq!(
        sorted(c.execute(["KEYS", "key_?"])),
        ["key_x", "key_y", "key_z"]
    );
    assert_eq!(sorted(c.execute(["KEYS", "*_[ab]"])), ["foo_a", "foo_b"]);
    assert_eq!(
        sorted(c.execute(["KEYS", "*_[^ab]"])),
        ["foo_c", "key_x", "key_y", "key_z"]
    );
    assert_eq!(sorted(c.execute(["KEYS", "*_[x-y]"])), ["key_x", "key_y"]);
    assert_eq!(sorted(c.execute(["KEYS", "*_[y-x]"])), ["key_x", "key_y"]);
    assert!(sorted(c.execute(["KEYS", "nomatch*"])).is_empty());
    for k in c_keys(&mut c) {
        c.execute(["DEL", &k]);
    }
    assert_eq!(c.execute(["DBSIZE"]), int(0));
}

fn c_keys(c: &mut Connection) -> Vec<String> {
    sorted(c.execute(["KEYS", "*"]))
}

#[test]
fn keys_glob_specials_and_escapes() {
    let (_s, mut c, _) = setup();
    for k in ["h*llo", "hello", "h?llo", "h[e]llo", "", "a\\b", "]", "_"] {
        c.execute(["SET", k, "v"]);
    }
    assert_eq!(sorted(c.execute(["KEYS", "h\\*llo"])), ["h*llo"]);
    assert_eq!(sorted(c.execute(["KEYS", "h\\?llo"])), ["h?llo"]);
    assert_eq!(sorted(c.execute(["KEYS", "h\\[e\\]llo"])), ["h[e]llo"]);
    assert_eq!(
        sorted(c.execute(["KEYS", "h?llo"])),
        ["h*llo", "h?llo", "hello"]
    );
    assert_eq!(sorted(c.execute(["KEYS", "a\\\\b"])), ["a\\b"]);
    // A lone `*` lists the empty key too; other patterns need at least one byte.
    assert_eq!(c_keys(&mut c).len(), 8);
    assert_eq!(sorted(c.execute(["KEYS", ""])), [""]);
    assert_eq!(sorted(c.execute(["KEYS", "**"])).len(), 7);
    // Redis reads `[a-]` as the range `]`..`a`.
    assert_eq!(sorted(c.execute(["KEYS", "[a-]"])), ["]", "_"]);
    assert_eq!(sorted(c.execute(["KEYS", "[\\]]"])), ["]"]);
    // An unclosed class ends at the end of the pattern.
    assert_eq!(sorted(c.execute(["KEYS", "[_"])), ["_"]);
}

#[test]
fn keys_survive_a_hostile_pattern() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", &"a".repeat(3000), "v"]);
    let pattern = format!("{}*b", "*a".repeat(30));
    assert_eq!(c.execute(["KEYS", &pattern]), Reply::Array(vec![]));
}

#[test]
fn rename_moves_value_and_ttl() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "mykey", "hello"]);
    assert_eq!(c.execute(["RENAME", "mykey", "mykey1"]), ok());
    assert_eq!(c.execute(["GET", "mykey1"]), bulk("hello"));
    assert_eq!(c.execute(["EXISTS", "mykey"]), int(0));
    assert_eq!(c.execute(["RENAME", "mykey1", "mykey1"]), ok());
    assert_eq!(c.execute(["RENAMENX", "mykey1", "mykey1"]), int(0));
    assert_eq!(c.execute(["RENAME", "nokey", "x"]), err("ERR no such key"));
    assert_eq!(
        c.execute(["RENAME", "nokey", "nokey"]),
        err("ERR no such key")
    );
    assert_eq!(
        c.execute(["RENAMENX", "nokey", "x"]),
        err("ERR no such key")
    );
    c.execute(["SET", "mykey", "a"]);
    c.execute(["SET", "mykey2", "b"]);
    assert_eq!(c.execute(["RENAMENX", "mykey", "mykey2"]), int(0));
    assert_eq!(c.execute(["MGET", "mykey", "mykey2"]), bulks(&["a", "b"]));
    assert_eq!(c.execute(["RENAMENX", "mykey", "fresh"]), int(1));
    assert_eq!(c.execute(["GET", "fresh"]), bulk("a"));
    // With TTL: the TTL moves, and the target's own TTL is not inherited.
    c.execute(["SET", "src", "v", "EX", "100"]);
    c.execute(["RENAME", "src", "dst"]);
    assert_eq!(c.execute(["TTL", "dst"]), int(100));
    c.execute(["SET", "plain", "v"]);
    c.execute(["SET", "volatile", "v", "EX", "100"]);
    c.execute(["RENAME", "plain", "volatile"]);
    assert_eq!(c.execute(["TTL", "volatile"]), int(-1));
    assert_eq!(c.execute(["RENAME", "a"]), arity("rename"));
}

#[test]
fn copy_with_replace_ttl_and_db() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "src", "hello", "EX", "100"]);
    assert_eq!(c.execute(["COPY", "src", "dst"]), int(1));
    assert_eq!(c.execute(["GET", "dst"]), bulk("hello"));
    assert_eq!(c.execute(["TTL", "dst"]), int(100));
    c.execute(["SET", "src", "world"]);
    assert_eq!(c.execute(["COPY", "src", "dst"]), int(0));
    assert_eq!(c.execute(["GET", "dst"]), bulk("hello"));
    assert_eq!(c.execute(["COPY", "src", "dst", "REPLACE"]), int(1));
    assert_eq!(c.execute(["GET", "dst"]), bulk("world"));
    assert_eq!(c.execute(["TTL", "dst"]), int(-1));
    assert_eq!(c.execute(["COPY", "nokey", "dst"]), int(0));
    assert_eq!(
        c.execute(["COPY", "src", "src"]),
        err("ERR source and destination objects are the same")
    );
    assert_eq!(c.execute(["COPY", "src", "d0", "DB", "0"]), int(1));
    assert_eq!(
        c.execute(["COPY", "src", "d1", "DB", "16"]),
        err("ERR DB index is out of range")
    );
    assert_eq!(c.execute(["COPY", "src", "d1", "DB", "x"]), err(NOT_INT));
    assert_eq!(
        c.execute(["COPY", "src", "d1", "DB", "4294967296"]),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
    assert_eq!(c.execute(["COPY", "src", "d1", "DB"]), err(SYNTAX));
    assert_eq!(c.execute(["COPY", "src", "d1", "BOGUS"]), err(SYNTAX));
    // Copies are independent.
    c.execute(["APPEND", "d0", "!"]);
    assert_eq!(c.execute(["GET", "src"]), bulk("world"));
}

#[test]
fn randomkey_returns_a_live_key_or_nil() {
    let (_s, mut c, clock) = setup();
    assert_eq!(c.execute(["RANDOMKEY"]), nil());
    c.execute(["SET", "only", "v"]);
    assert_eq!(c.execute(["RANDOMKEY"]), bulk("only"));
    c.execute(["MSET", "a", "1", "b", "2"]);
    for _ in 0..50 {
        let Reply::Bulk(k) = c.execute(["RANDOMKEY"]) else {
            panic!("expected a key")
        };
        assert!([&b"only"[..], b"a", b"b"].contains(&&k[..]));
    }
    c.execute(["FLUSHDB"]);
    for i in 0..100 {
        c.execute(["SET", &format!("e{i}"), "v", "PX", "10"]);
    }
    c.execute(["SET", "survivor", "v"]);
    clock.advance(Duration::from_millis(11));
    for _ in 0..20 {
        assert_eq!(c.execute(["RANDOMKEY"]), bulk("survivor"));
    }
    c.execute(["DEL", "survivor"]);
    assert_eq!(c.execute(["RANDOMKEY"]), nil());
    assert_eq!(c.execute(["RANDOMKEY", "x"]), arity("randomkey"));
}

/// One SCAN call: the next cursor and the keys.
fn scan(c: &mut Connection, cursor: &str, opts: &[&str]) -> (String, Vec<String>) {
    let mut argv = vec!["SCAN", cursor];
    argv.extend_from_slice(opts);
    let Reply::Array(mut parts) = c.execute(&argv) else {
        panic!("SCAN {argv:?} did not return an array")
    };
    let keys = parts.pop().unwrap();
    let Some(Reply::Bulk(next)) = parts.pop() else {
        panic!("no cursor")
    };
    (String::from_utf8(next).unwrap(), sorted(keys))
}

fn scan_all(c: &mut Connection, opts: &[&str]) -> Vec<String> {
    let mut cursor = "0".to_string();
    let mut all = Vec::new();
    loop {
        let (next, keys) = scan(c, &cursor, opts);
        all.extend(keys);
        if next == "0" {
            return all;
        }
        cursor = next;
    }
}

#[test]
fn scan_full_iteration_returns_every_key_once() {
    let (_s, mut c, _) = setup();
    for i in 0..1000 {
        c.execute(["SET", &format!("key:{i}"), "v"]);
    }
    for count in ["1", "10", "100", "5000"] {
        let mut keys = scan_all(&mut c, &["COUNT", count]);
        assert_eq!(keys.len(), 1000, "COUNT {count}");
        keys.dedup();
        assert_eq!(keys.len(), 1000);
    }
    let (next, keys) = scan(&mut c, "0", &["COUNT", "100000"]);
    assert_eq!((next.as_str(), keys.len()), ("0", 1000));
}

#[test]
fn scan_match_and_type_filters() {
    let (_s, mut c, _) = setup();
    for i in 0..100 {
        c.execute(["SET", &format!("key:{i}"), "v"]);
        c.execute(["SET", &format!("other:{i}"), "v"]);
    }
    let mut matched = scan_all(&mut c, &["MATCH", "key:1*"]);
    matched.sort();
    let mut want: Vec<String> = (0..100)
        .map(|i| format!("key:{i}"))
        .filter(|k| k.starts_with("key:1"))
        .collect();
    want.sort();
    assert_eq!(matched, want);
    assert_eq!(scan_all(&mut c, &["TYPE", "string"]).len(), 200);
    assert_eq!(
        scan_all(&mut c, &["type", "STRING", "match", "*:5"]).len(),
        2
    );
    assert_eq!(scan_all(&mut c, &["TYPE", "list"]).len(), 0);
    assert_eq!(scan_all(&mut c, &["MATCH", "*", "COUNT", "7"]).len(), 200);
}

#[test]
fn scan_argument_errors() {
    let (_s, mut c, _) = setup();
    let bad_cursor = err("ERR invalid cursor");
    assert_eq!(c.execute(["SCAN", "abc"]), bad_cursor);
    assert_eq!(c.execute(["SCAN", "-1"]), bad_cursor);
    assert_eq!(c.execute(["SCAN", ""]), bad_cursor);
    assert_eq!(c.execute(["SCAN", "18446744073709551616"]), bad_cursor);
    assert_eq!(c.execute(["SCAN", "1x"]), bad_cursor);
    // strtoull's leniency, as Redis accepts it.
    for lenient in ["00", "+0", " 0", "18446744073709551615"] {
        let r = c.execute(["SCAN", lenient]);
        assert!(matches!(r, Reply::Array(_)), "{lenient:?}: {r:?}");
    }
    assert_eq!(c.execute(["SCAN", "0", "COUNT", "0"]), err(SYNTAX));
    assert_eq!(c.execute(["SCAN", "0", "COUNT", "-1"]), err(SYNTAX));
    assert_eq!(c.execute(["SCAN", "0", "COUNT", "x"]), err(NOT_INT));
    assert_eq!(c.execute(["SCAN", "0", "COUNT"]), err(SYNTAX));
    assert_eq!(c.execute(["SCAN", "0", "MATCH"]), err(SYNTAX));
    assert_eq!(c.execute(["SCAN", "0", "BOGUS", "x"]), err(SYNTAX));
    assert_eq!(c.execute(["SCAN"]), arity("scan"));
    assert_eq!(
        c.execute(["SCAN", "0"]),
        Reply::Array(vec![bulk("0"), Reply::Array(vec![])])
    );
}

#[test]
fn scan_skips_expired_keys() {
    let (_s, mut c, clock) = setup();
    for i in 0..50 {
        c.execute(["SET", &format!("live:{i}"), "v"]);
        c.execute(["SET", &format!("dead:{i}"), "v", "PX", "5"]);
    }
    clock.advance(Duration::from_millis(6));
    let keys = scan_all(&mut c, &["COUNT", "3"]);
    assert_eq!(keys.len(), 50);
    assert!(keys.iter().all(|k| k.starts_with("live:")));
}

/// SCAN's guarantee: a key present from the start to the end of a full iteration is
/// returned, however many other keys are added or deleted between the calls.
#[test]
fn scan_returns_every_stable_key_while_others_churn() {
    let (_s, mut c, clock) = setup();
    let stable: Vec<String> = (0..400).map(|i| format!("stable:{i}")).collect();
    for (i, k) in stable.iter().enumerate() {
        c.execute(["SET", k, "v"]);
        c.execute(["SET", &format!("churn:{i}"), "v"]);
        c.execute([
            "SET",
            &format!("short:{i}"),
            "v",
            "PX",
            &(1 + i % 50).to_string(),
        ]);
    }
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    let mut round = 0usize;
    loop {
        let (next, keys) = scan(&mut c, &cursor, &["COUNT", "7"]);
        seen.extend(keys);
        // Between calls: delete some churn keys, add new ones, let some keys expire and
        // reclaim a few through writes.
        for j in 0..5 {
            let n = round * 5 + j;
            c.execute(["DEL", &format!("churn:{}", (n * 37) % 400)]);
            c.execute(["SET", &format!("new:{n}"), "v"]);
            c.execute(["DEL", &format!("short:{}", (n * 11) % 400)]);
        }
        clock.advance(Duration::from_millis(1));
        round += 1;
        if next == "0" {
            break;
        }
        cursor = next;
    }
    let missing: Vec<&String> = stable.iter().filter(|k| !seen.contains(*k)).collect();
    assert!(missing.is_empty(), "SCAN missed {missing:?}");
}

#[test]
fn scan_guarantee_holds_across_purges_and_flushes_of_others() {
    let (store, mut c, clock) = setup();
    let stable: Vec<String> = (0..300).map(|i| format!("s{i}")).collect();
    for (i, k) in stable.iter().enumerate() {
        c.execute(["SET", &format!("t{i}"), "v", "PX", "10"]);
        c.execute(["SET", k, "v"]);
    }
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    let mut first = true;
    loop {
        let (next, keys) = scan(&mut c, &cursor, &["COUNT", "25"]);
        seen.extend(keys);
        if first {
            clock.advance(Duration::from_millis(11));
            assert_eq!(store.purge_expired(), 300);
            first = false;
        }
        if next == "0" {
            break;
        }
        cursor = next;
    }
    assert!(stable.iter().all(|k| seen.contains(k)));
}

#[test]
fn dbsize_and_flush() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["DBSIZE"]), int(0));
    c.execute(["MSET", "a", "1", "b", "2"]);
    assert_eq!(c.execute(["DBSIZE"]), int(2));
    assert_eq!(c.execute(["FLUSHDB"]), ok());
    assert_eq!(c.execute(["DBSIZE"]), int(0));
    c.execute(["SET", "a", "1"]);
    assert_eq!(c.execute(["FLUSHALL", "ASYNC"]), ok());
    assert_eq!(c.execute(["EXISTS", "a"]), int(0));
    assert_eq!(c.execute(["FLUSHDB", "sync"]), ok());
    assert_eq!(c.execute(["FLUSHDB", "LAZY"]), err(SYNTAX));
    assert_eq!(c.execute(["FLUSHALL", "SYNC", "ASYNC"]), err(SYNTAX));
    assert_eq!(c.execute(["DBSIZE", "x"]), arity("dbsize"));
}
