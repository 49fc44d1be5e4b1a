//! Memory goes back as data goes: FLUSHALL, DEL and UNWATCH shrink the shard tables, and
//! containers cut down shrink (see `types::Shrink`). Capacities, not RSS: the RSS figures
//! are in `examples/memory_release.rs`.

use crate::types::{MIN_CAPACITY, Value};
use crate::{Config, Reply, Store};

fn store() -> Store {
    Store::with_config(Config::default().shards(4).active_expiry(false))
}

/// Slots the shard tables have room for, all shards together.
fn table_capacity(store: &Store) -> usize {
    let ks = &store.shared.keyspace;
    (0..ks.shard_count())
        .map(|i| ks.shard(i).read().capacity())
        .sum()
}

/// Elements the container at `key` has room for.
fn value_capacity(store: &Store, key: &str) -> usize {
    let ks = &store.shared.keyspace;
    let hk = ks.hkey(key.as_bytes());
    let shard = ks.shard(ks.shard_of(hk.hash)).read();
    shard
        .find(hk)
        .and_then(|e| e.value.as_ref())
        .map_or(0, Value::capacity)
}

fn fill_keys(store: &Store, n: usize) {
    let mut argv = vec!["MSET".to_string()];
    for i in 0..n {
        argv.push(format!("k{i}"));
        argv.push("v".into());
    }
    store.execute(&argv);
}

/// A bound on what the four small shards may keep when nearly empty.
const SMALL_TABLES: usize = 4 * 2 * MIN_CAPACITY;

#[test]
fn flushall_gives_the_key_table_back() {
    let s = store();
    fill_keys(&s, 20_000);
    let mut watcher = s.connection();
    watcher.execute(["WATCH", "k1", "missing"]);
    assert!(table_capacity(&s) >= 20_000);
    s.execute(["FLUSHALL"]);
    assert!(table_capacity(&s) <= SMALL_TABLES, "{}", table_capacity(&s));
    // The watched slots survive the new table: k1 existed, so its watch is touched.
    watcher.execute(["MULTI"]);
    assert_eq!(watcher.execute(["EXEC"]), Reply::NilArray);
}

#[test]
fn deleting_most_keys_shrinks_the_key_table() {
    let s = store();
    fill_keys(&s, 20_000);
    let keys: Vec<String> = (1..20_000).map(|i| format!("k{i}")).collect();
    let mut argv = vec!["DEL".to_string()];
    argv.extend(keys);
    assert_eq!(s.execute(&argv), Reply::Integer(19_999));
    assert!(table_capacity(&s) <= SMALL_TABLES, "{}", table_capacity(&s));
    assert_eq!(s.execute(["GET", "k0"]), Reply::bulk("v"));
}

#[test]
fn unwatching_many_missing_keys_gives_the_tombstones_back() {
    let s = store();
    let mut c = s.connection();
    let mut argv = vec!["WATCH".to_string()];
    argv.extend((0..20_000).map(|i| format!("missing:{i}")));
    c.execute(&argv);
    assert!(table_capacity(&s) >= 20_000);
    c.execute(["UNWATCH"]);
    assert!(table_capacity(&s) <= SMALL_TABLES, "{}", table_capacity(&s));
}

#[test]
fn hashes_cut_to_one_field_shrink() {
    let s = store();
    let mut many = vec!["HDEL".to_string(), "g".into()];
    for i in 0..10_000 {
        s.execute(["HSET", "h", &format!("f{i}"), "v"]);
        s.execute(["HSET", "g", &format!("f{i}"), "v"]);
        many.push(format!("f{}", i + 1));
    }
    for i in 1..10_000 {
        s.execute(["HDEL", "h", &format!("f{i}")]);
    }
    s.execute(&many);
    for key in ["h", "g"] {
        assert!(value_capacity(&s, key) <= 2 * MIN_CAPACITY, "{key}");
    }
}

#[test]
fn sets_cut_to_one_member_shrink() {
    let s = store();
    for i in 0..10_000 {
        s.execute(["SADD", "s", &format!("m{i}")]);
        s.execute(["SADD", "p", &format!("m{i}")]);
        s.execute(["SADD", "q", &format!("m{i}")]);
    }
    for i in 1..10_000 {
        s.execute(["SREM", "s", &format!("m{i}")]);
        s.execute(["SMOVE", "q", "dst", &format!("m{i}")]);
    }
    s.execute(["SPOP", "p", "9999"]);
    for key in ["s", "p", "q"] {
        assert!(value_capacity(&s, key) <= 2 * MIN_CAPACITY, "{key}");
    }
}

#[test]
fn lists_cut_to_one_element_shrink() {
    let s = store();
    for i in 0..10_000 {
        for key in ["a", "b", "c"] {
            s.execute(["RPUSH", key, &format!("e{i}")]);
        }
    }
    s.execute(["LPOP", "a", "9999"]);
    s.execute(["LTRIM", "b", "0", "0"]);
    for _ in 1..10_000 {
        s.execute(["RPOP", "c"]);
    }
    for key in ["a", "b", "c"] {
        assert!(value_capacity(&s, key) <= 2 * MIN_CAPACITY, "{key}");
    }
}

#[test]
fn sorted_sets_cut_to_one_member_shrink() {
    let s = store();
    for i in 0..10_000 {
        for key in ["a", "b", "c"] {
            s.execute(["ZADD", key, &i.to_string(), &format!("m{i}")]);
        }
    }
    s.execute(["ZPOPMIN", "a", "9999"]);
    s.execute(["ZREMRANGEBYRANK", "b", "1", "-1"]);
    for i in 1..10_000 {
        s.execute(["ZREM", "c", &format!("m{i}")]);
    }
    for key in ["a", "b", "c"] {
        assert!(value_capacity(&s, key) <= 2 * MIN_CAPACITY, "{key}");
    }
    assert_eq!(
        s.execute(["ZRANGE", "c", "0", "-1"]),
        Reply::Array(vec![Reply::bulk("m0")])
    );
}
