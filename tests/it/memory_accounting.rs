//! `store.used_memory()` and MEMORY USAGE: what values cost, counted as writes happen.

use redlite::{Reply, Store};

/// `used_memory` once `keys` were made and deleted: their shards' tables then exist.
fn warm_base(store: &Store, keys: &[&str]) -> usize {
    for k in keys {
        store.set(*k, "x").unwrap();
        store.execute(["DEL", k]);
    }
    store.used_memory()
}

fn usage(store: &Store, key: &str) -> i64 {
    match store.execute(["MEMORY", "USAGE", key]) {
        Reply::Integer(n) => n,
        other => panic!("{other:?}"),
    }
}

#[test]
fn used_memory_returns_to_where_it_was_once_every_type_is_deleted() {
    let store = Store::new();
    let base = warm_base(&store, &["h", "s", "l", "z", "str"]);
    for i in 0..500 {
        let f = format!("field-number-{i:06}-with-a-long-name");
        store.execute(["HSET", "h", &f, &f]);
        store.execute(["SADD", "s", &f]);
        store.execute(["RPUSH", "l", &f]);
        store.execute(["ZADD", "z", &i.to_string(), &f]);
        store.execute(["APPEND", "str", &f]);
    }
    let full = store.used_memory();
    assert!(full > base + 5 * 500 * 32, "{full} vs {base}");
    for i in 0..250 {
        let f = format!("field-number-{i:06}-with-a-long-name");
        store.execute(["HDEL", "h", &f]);
        store.execute(["SREM", "s", &f]);
        store.execute(["LPOP", "l"]);
        store.execute(["ZREM", "z", &f]);
    }
    assert!(store.used_memory() < full);
    store.execute(["DEL", "h", "s", "l", "z", "str"]);
    assert_eq!(store.used_memory(), base);
}

#[test]
fn flushall_gives_the_count_back() {
    let store = Store::new();
    let base = store.used_memory();
    for i in 0..1000 {
        store
            .set(format!("key-{i}-long-enough-to-spill"), "x".repeat(100))
            .unwrap();
    }
    assert!(store.used_memory() > base + 1000 * 100);
    store.execute(["FLUSHALL"]);
    assert_eq!(store.used_memory(), base);
}

#[test]
fn a_string_costs_its_bytes_and_overwriting_it_recounts() {
    let store = Store::new();
    let base = warm_base(&store, &["k"]);
    store.set("k", "x".repeat(10_000)).unwrap();
    let one = store.used_memory() - base;
    assert!((10_000..11_000).contains(&one), "{one}");
    store.set("k", "short").unwrap();
    assert!(store.used_memory() - base < 1000);
}

#[test]
fn memory_usage_counts_the_key_and_its_value() {
    let store = Store::new();
    store.set("small", "v").unwrap();
    store.set("big", "x".repeat(1000)).unwrap();
    let small = usage(&store, "small");
    let big = usage(&store, "big");
    assert!(small > 0 && small < 200, "{small}");
    assert!(big >= small + 1000, "{big}");
    assert_eq!(store.execute(["MEMORY", "USAGE", "missing"]), Reply::Nil);
}

#[test]
fn memory_usage_samples_follow_redis_rules() {
    let store = Store::new();
    for i in 0..100 {
        store.execute(["RPUSH", "l", &format!("{i:0>40}")]);
    }
    let all = store.execute(["MEMORY", "USAGE", "l", "SAMPLES", "0"]);
    let five = store.execute(["MEMORY", "USAGE", "l"]);
    assert_eq!(all, five, "uniform elements: sampling changes nothing");
    assert_eq!(
        store
            .execute(["MEMORY", "USAGE", "l", "SAMPLES", "-1"])
            .to_string(),
        "ERR syntax error"
    );
    assert_eq!(
        store
            .execute(["MEMORY", "USAGE", "l", "SAMPLES", "x"])
            .to_string(),
        "ERR value is not an integer or out of range"
    );
    assert_eq!(
        store.execute(["MEMORY", "USAGE", "l", "FOO"]).to_string(),
        "ERR syntax error"
    );
}

#[test]
fn writes_inside_exec_and_scripts_are_counted_too() {
    let store = crate::common::rhai_store();
    let base = warm_base(&store, &["l", "s"]);
    let mut conn = store.connection();
    conn.execute(["MULTI"]);
    conn.execute(["RPUSH", "l", &"x".repeat(500)]);
    conn.execute(["EXEC"]);
    store.execute([
        "EVAL",
        "redis::call(\"SADD\", KEYS[0], ARGV[0])",
        "1",
        "s",
        &"y".repeat(500),
    ]);
    assert!(store.used_memory() >= base + 1000);
    store.execute(["DEL", "l", "s"]);
    assert_eq!(store.used_memory(), base);
}

#[test]
fn each_type_gives_its_count_back_when_shrunk_and_deleted() {
    let cases: [(&str, &[&str]); 4] = [
        ("HSET", &["HDEL"]),
        ("SADD", &["SREM"]),
        ("RPUSH", &["LPOP"]),
        ("ZADD", &["ZREM"]),
    ];
    for (add, remove) in cases {
        let store = Store::new();
        let base = warm_base(&store, &["k"]);
        for i in 0..300 {
            let f = format!("member-{i:06}-with-a-long-enough-name");
            let r = match add {
                "HSET" => store.execute(["HSET", "k", &f, &f]),
                "ZADD" => store.execute(["ZADD", "k", &i.to_string(), &f]),
                _ => store.execute([add, "k", &f]),
            };
            assert!(matches!(r, Reply::Integer(_)), "{r:?}");
        }
        for i in 0..250 {
            let f = format!("member-{i:06}-with-a-long-enough-name");
            match remove[0] {
                "LPOP" => store.execute(["LPOP", "k"]),
                cmd => store.execute([cmd, "k", &f]),
            };
        }
        store.execute(["DEL", "k"]);
        assert_eq!(store.used_memory(), base, "{add}");
    }
}

#[test]
fn memory_and_object_subcommand_errors_are_redis_texts() {
    let store = Store::new();
    assert_eq!(
        store.execute(["MEMORY", "USAGE"]).to_string(),
        "ERR wrong number of arguments for 'memory|usage' command"
    );
    assert_eq!(
        store.execute(["MEMORY", "foo"]).to_string(),
        "ERR unknown subcommand 'foo'. Try MEMORY HELP."
    );
    assert_eq!(
        store.execute(["OBJECT", "IDLETIME"]).to_string(),
        "ERR wrong number of arguments for 'object|idletime' command"
    );
    assert_eq!(
        store.execute(["OBJECT", "FOO", "k"]).to_string(),
        "ERR unknown subcommand 'FOO'. Try OBJECT HELP."
    );
}
