//! SORT and `SORT_RO`: numeric and ALPHA order, LIMIT, BY (including `nosort` and hash
//! fields), GET (including `#`), STORE, and the locking of pattern keys (expected values
//! taken from a real `redis-server`).

use crate::common::{SYNTAX, WRONGTYPE, bulks, err, int, nil, setup};
use redlite::{Config, Reply, Store};

fn data() -> redlite::Connection {
    let (_s, mut c, _) = setup();
    c.execute(["RPUSH", "l", "3", "1", "2", "10"]);
    c.execute([
        "MSET", "w_3", "1", "w_1", "30", "w_2", "20", "w_10", "5", "o_1", "one", "o_2", "two",
    ]);
    c.execute(["HSET", "h_3", "f", "c"]);
    c
}

#[test]
fn sort_orders_numbers_and_bytes() {
    let mut c = data();
    assert_eq!(c.execute(["SORT", "l"]), bulks(&["1", "2", "3", "10"]));
    assert_eq!(
        c.execute(["SORT", "l", "DESC"]),
        bulks(&["10", "3", "2", "1"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "ALPHA"]),
        bulks(&["1", "10", "2", "3"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "LIMIT", "1", "2"]),
        bulks(&["2", "3"])
    );
    assert_eq!(c.execute(["SORT_RO", "l", "LIMIT", "10", "2"]), bulks(&[]));
    assert_eq!(c.execute(["SORT", "missing"]), bulks(&[]));
}

#[test]
fn sort_by_pattern_reads_other_keys() {
    let mut c = data();
    assert_eq!(
        c.execute(["SORT", "l", "BY", "w_*"]),
        bulks(&["3", "10", "2", "1"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "BY", "w_*", "ALPHA"]),
        bulks(&["3", "2", "1", "10"])
    );
    assert_eq!(
        c.execute([
            "SORT", "l", "BY", "w_*", "DESC", "GET", "w_*", "LIMIT", "0", "3"
        ]),
        bulks(&["30", "20", "5"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "BY", "h_*->f", "ALPHA"]),
        bulks(&["1", "2", "10", "3"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "BY", "h_*->f"]),
        err("ERR One or more scores can't be converted into double")
    );
}

#[test]
fn sort_by_a_constant_keeps_the_native_order() {
    let mut c = data();
    assert_eq!(
        c.execute(["SORT", "l", "BY", "nosort"]),
        bulks(&["3", "1", "2", "10"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"]),
        bulks(&["2", "1"])
    );
    c.execute(["ZADD", "z", "3", "c", "1", "a", "2", "b"]);
    assert_eq!(
        c.execute(["SORT", "z", "BY", "nosort", "DESC"]),
        bulks(&["c", "b", "a"])
    );
    assert_eq!(
        c.execute(["SORT", "z", "BY", "nosort", "LIMIT", "1", "5"]),
        bulks(&["b", "c"])
    );
}

#[test]
fn sort_get_fetches_per_element_with_nil_for_missing() {
    let mut c = data();
    let r = c.execute([
        "SORT", "l", "BY", "w_*", "GET", "#", "GET", "o_*", "GET", "h_*->f",
    ]);
    let b = |s: &str| Reply::bulk(s);
    assert_eq!(
        r,
        Reply::Array(vec![
            b("3"),
            nil(),
            b("c"),
            b("10"),
            nil(),
            nil(),
            b("2"),
            b("two"),
            nil(),
            b("1"),
            b("one"),
            nil(),
        ])
    );
}

#[test]
fn sort_store_saves_a_list_and_deletes_on_empty() {
    let mut c = data();
    assert_eq!(c.execute(["SORT", "l", "STORE", "dst"]), int(4));
    assert_eq!(
        c.execute(["LRANGE", "dst", "0", "-1"]),
        bulks(&["1", "2", "3", "10"])
    );
    assert_eq!(
        c.execute(["SORT", "l", "GET", "o_*", "STORE", "dst"]),
        int(4)
    );
    assert_eq!(
        c.execute(["LRANGE", "dst", "0", "-1"]),
        bulks(&["one", "two", "", ""])
    );
    assert_eq!(c.execute(["SORT", "missing", "STORE", "dst"]), int(0));
    assert_eq!(c.execute(["EXISTS", "dst"]), int(0));
}

#[test]
fn sort_errors_use_redis_texts() {
    let mut c = data();
    assert_eq!(c.execute(["SORT_RO", "l", "STORE", "x"]), err(SYNTAX));
    assert_eq!(
        c.execute(["SORT", "l", "LIMIT", "a", "1"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(c.execute(["SORT", "l", "FOO"]), err(SYNTAX));
    c.execute(["SET", "s", "x"]);
    assert_eq!(c.execute(["SORT", "s"]), err(WRONGTYPE));
    c.execute(["RPUSH", "bad", "a", "1"]);
    assert_eq!(
        c.execute(["SORT", "bad"]),
        err("ERR One or more scores can't be converted into double")
    );
}

#[test]
fn sort_patterns_are_refused_in_cluster_mode() {
    let store = Store::with_config(Config::default().cluster_mode(true));
    store.execute(["RPUSH", "l", "1"]);
    assert_eq!(
        store.execute(["SORT", "l", "BY", "w_*"]),
        err("ERR BY option of SORT denied in Cluster mode.")
    );
    assert_eq!(
        store.execute(["SORT", "l", "GET", "#"]),
        err("ERR GET option of SORT denied in Cluster mode.")
    );
    assert_eq!(store.execute(["SORT", "l", "BY", "nosort"]), bulks(&["1"]));
    assert_eq!(
        store.execute(["SORT", "l", "STORE", "other"]),
        err("CROSSSLOT Keys in request don't hash to the same slot")
    );
    assert_eq!(store.execute(["SORT", "{l}x", "STORE", "{l}y"]), int(0));
    assert_eq!(
        store.execute(["GEORADIUS", "l2", "1", "2", "3", "km", "STORE", "other"]),
        err("CROSSSLOT Keys in request don't hash to the same slot")
    );
}

/// BY and GET read keys in every shard: the command holds them all, so a sort inside
/// MULTI and one on its own both see every weight (16 shards, keys spread over them).
#[test]
fn sort_by_pattern_sees_keys_in_every_shard() {
    let store = Store::with_config(Config::default().shards(16));
    let mut c = store.connection();
    for i in 0..200 {
        c.execute(["RPUSH", "l", &i.to_string()]);
        c.execute(["SET", &format!("w_{i}"), &(1000 - i).to_string()]);
    }
    let expected: Vec<String> = (0..200).rev().map(|i| i.to_string()).collect();
    let expected = Reply::Array(expected.iter().map(Reply::bulk).collect());
    assert_eq!(c.execute(["SORT", "l", "BY", "w_*"]), expected);
    c.execute(["MULTI"]);
    c.execute(["SORT", "l", "BY", "w_*", "STORE", "dst"]);
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![int(200)]));
    assert_eq!(c.execute(["LINDEX", "dst", "0"]), Reply::bulk("199"));
}

/// Redis's event names for every write of the data commands, on the keyspace channels.
#[test]
fn data_command_writes_publish_redis_event_names() {
    let store = Store::with_config(Config::default().notify_keyspace_events("KA"));
    let mut sub = store.psubscribe(&["__keyspace@0__:*"]);
    let run = |args: &[&str]| store.execute(args);
    run(&["SETBIT", "b", "1", "1"]);
    run(&["SETBIT", "b", "1", "1"]); // no change: no event
    run(&["BITFIELD", "b", "INCRBY", "u8", "8", "1"]);
    run(&["BITOP", "NOT", "d", "b"]);
    run(&["BITOP", "AND", "d", "missing"]);
    run(&["PFADD", "h", "a"]);
    run(&["PFCOUNT", "h"]); // caches the count: no event
    run(&["PFMERGE", "h2", "h"]);
    run(&["RPUSH", "l", "2", "1"]);
    run(&["SORT", "l", "STORE", "s"]);
    run(&["GEOADD", "g", "13.36", "38.11", "p"]);
    run(&[
        "GEOSEARCHSTORE",
        "g2",
        "g",
        "FROMMEMBER",
        "p",
        "BYRADIUS",
        "1",
        "km",
    ]);
    run(&["GEORADIUS", "g", "13.36", "38.11", "1", "km", "STORE", "g3"]);
    let mut seen = Vec::new();
    while let Some(m) = sub.try_recv().unwrap() {
        let key = String::from_utf8_lossy(m.channel()).replace("__keyspace@0__:", "");
        seen.push(format!("{} {key}", String::from_utf8_lossy(m.payload())));
    }
    assert_eq!(
        seen,
        [
            "setbit b",
            "setbit b",
            "set d",
            "del d",
            "pfadd h",
            "pfadd h2",
            "rpush l",
            "sortstore s",
            "zadd g",
            "geosearchstore g2",
            "georadiusstore g3",
        ]
    );
}

/// SORT ... GET reads every pattern key under one set of locks: writers moving weight
/// between two keys (one MSET each, keys in different shards) are never seen half done.
#[test]
fn sort_get_sees_a_consistent_snapshot_under_concurrent_writes() {
    let store = Store::with_config(Config::default().shards(16));
    store.execute(["RPUSH", "l", "1", "2"]);
    store.execute(["MSET", "w_1", "50", "w_2", "50"]);
    let writers: Vec<_> = (0..3)
        .map(|t| {
            let s = store.clone();
            std::thread::spawn(move || {
                for i in 0..2000 {
                    let a = (i * 7 + t) % 101;
                    s.execute(["MSET", "w_1", &a.to_string(), "w_2", &(100 - a).to_string()]);
                }
            })
        })
        .collect();
    for _ in 0..2000 {
        let Reply::Array(v) = store.execute(["SORT", "l", "GET", "w_*"]) else {
            panic!("not an array")
        };
        let sum: i64 = v
            .iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8_lossy(b).parse::<i64>().unwrap(),
                other => panic!("{other:?}"),
            })
            .sum();
        assert_eq!(sum, 100);
    }
    for w in writers {
        w.join().unwrap();
    }
}

/// A script that declares only the sorted key cannot let BY read other keys; with
/// `allow-undeclared-keys` it runs under every lock and can.
#[test]
fn sort_patterns_in_scripts_need_every_key() {
    let (_s, mut c, _) = setup();
    c.execute(["RPUSH", "l", "1", "2"]);
    c.execute(["MSET", "w_1", "2", "w_2", "1"]);
    let src = "redis::call(\"SORT\", KEYS[0], \"BY\", \"w_*\")";
    let refused = c.execute(["EVAL", src, "1", "l"]).to_string();
    assert!(refused.contains("which needs every key"), "{refused}");
    let open = format!("#!rhai flags=allow-undeclared-keys\n{src}");
    assert_eq!(c.execute(["EVAL", &open, "1", "l"]), bulks(&["2", "1"]));
}
