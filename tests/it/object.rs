//! OBJECT ENCODING (Redis 7.0's names, computed from the value and the current
//! thresholds), REFCOUNT and HELP.

use crate::common::*;

fn encoding(c: &mut redlite::Connection, key: &str) -> redlite::Reply {
    c.execute(["OBJECT", "ENCODING", key])
}

#[test]
fn strings_are_int_embstr_or_raw() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "i", "12345"]);
    c.execute(["SET", "neg", "-9223372036854775808"]);
    c.execute(["SET", "lead", "012"]);
    c.execute(["SET", "short", "hello"]);
    c.execute(["SET", "e44", "x".repeat(44).as_str()]);
    c.execute(["SET", "r45", "x".repeat(45).as_str()]);
    assert_eq!(encoding(&mut c, "i"), bulk("int"));
    assert_eq!(encoding(&mut c, "neg"), bulk("int"));
    assert_eq!(encoding(&mut c, "lead"), bulk("embstr"));
    assert_eq!(encoding(&mut c, "short"), bulk("embstr"));
    assert_eq!(encoding(&mut c, "e44"), bulk("embstr"));
    assert_eq!(encoding(&mut c, "r45"), bulk("raw"));
    c.execute(["INCR", "n"]);
    assert_eq!(encoding(&mut c, "n"), bulk("int"));
}

#[test]
fn lists_are_quicklists_as_in_redis_7_0() {
    let (_s, mut c, _) = setup();
    c.execute(["RPUSH", "l", "a"]);
    assert_eq!(encoding(&mut c, "l"), bulk("quicklist"));
}

#[test]
fn sets_are_intsets_while_small_and_all_integers() {
    let (_s, mut c, _) = setup();
    c.execute(["SADD", "s", "1", "2", "3"]);
    assert_eq!(encoding(&mut c, "s"), bulk("intset"));
    c.execute(["SADD", "s", "x"]);
    assert_eq!(encoding(&mut c, "s"), bulk("hashtable"));
    c.execute(["CONFIG", "SET", "set-max-intset-entries", "2"]);
    c.execute(["SADD", "t", "1", "2", "3"]);
    assert_eq!(encoding(&mut c, "t"), bulk("hashtable"));
}

#[test]
fn hashes_follow_the_listpack_thresholds() {
    let (_s, mut c, _) = setup();
    c.execute(["HSET", "h", "f", "v"]);
    assert_eq!(encoding(&mut c, "h"), bulk("listpack"));
    c.execute(["HSET", "big", "f", "x".repeat(65).as_str()]);
    assert_eq!(encoding(&mut c, "big"), bulk("hashtable"));
    c.execute(["HSET", "edge", "f", "x".repeat(64).as_str()]);
    assert_eq!(encoding(&mut c, "edge"), bulk("listpack"));
    c.execute(["CONFIG", "SET", "hash-max-ziplist-entries", "1"]);
    c.execute(["HSET", "h", "g", "v"]);
    assert_eq!(encoding(&mut c, "h"), bulk("hashtable"));
}

#[test]
fn sorted_sets_are_listpacks_or_skiplists() {
    let (_s, mut c, _) = setup();
    c.execute(["ZADD", "z", "1", "a"]);
    assert_eq!(encoding(&mut c, "z"), bulk("listpack"));
    c.execute(["ZADD", "long", "1", "m".repeat(65).as_str()]);
    assert_eq!(encoding(&mut c, "long"), bulk("skiplist"));
    c.execute(["CONFIG", "SET", "zset-max-listpack-entries", "0"]);
    assert_eq!(encoding(&mut c, "z"), bulk("skiplist"));
}

#[test]
fn missing_keys_answer_nil_and_errors_are_redis_texts() {
    let (_s, mut c, _) = setup();
    assert_eq!(encoding(&mut c, "nope"), nil());
    assert_eq!(c.execute(["OBJECT", "REFCOUNT", "nope"]), nil());
    assert_eq!(c.execute(["OBJECT", "ENCODING"]), arity("object|encoding"));
    assert_eq!(
        c.execute(["OBJECT", "NOPE", "k"]),
        err("ERR unknown subcommand 'NOPE'. Try OBJECT HELP.")
    );
    assert_eq!(c.execute(["OBJECT"]), arity("object"));
}

#[test]
fn refcount_shows_shared_integers() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "small", "42"]);
    c.execute(["SET", "big", "10000"]);
    c.execute(["SET", "text", "hi"]);
    assert_eq!(
        c.execute(["OBJECT", "REFCOUNT", "small"]),
        int(2_147_483_647)
    );
    assert_eq!(c.execute(["OBJECT", "REFCOUNT", "big"]), int(1));
    assert_eq!(c.execute(["OBJECT", "REFCOUNT", "text"]), int(1));
}

#[test]
fn help_lists_the_subcommands() {
    let (_s, mut c, _) = setup();
    let help = c.execute(["OBJECT", "HELP"]).to_string();
    assert!(help.contains("ENCODING <key>"), "{help}");
    assert!(help.contains("REFCOUNT <key>"), "{help}");
}
