//! MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE: Redis 7.0's fields and texts, filled
//! from the store's accounting.

use redlite::{Reply, Store};

use crate::common::{arity, bulk, ok};
use crate::parity::server::start_or_skip;

const EMPTY: &str = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const HEALTHY: &str = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";

/// MEMORY STATS as (name, value) pairs.
fn stats(store: &Store) -> Vec<(String, Reply)> {
    pairs(store.execute(["MEMORY", "STATS"]))
}

fn pairs(reply: Reply) -> Vec<(String, Reply)> {
    let Reply::Array(items) = reply else {
        panic!("MEMORY STATS replied {reply:?}");
    };
    items
        .chunks(2)
        .map(|p| match &p[0] {
            Reply::Bulk(name) => (String::from_utf8_lossy(name).into_owned(), p[1].clone()),
            other => panic!("field name {other:?}"),
        })
        .collect()
}

fn field(stats: &[(String, Reply)], name: &str) -> Reply {
    stats
        .iter()
        .find(|(n, _)| n == name)
        .map_or_else(|| panic!("no field {name}"), |(_, v)| v.clone())
}

fn int_field(stats: &[(String, Reply)], name: &str) -> i64 {
    match field(stats, name) {
        Reply::Integer(n) => n,
        other => panic!("{name} = {other:?}"),
    }
}

/// Writes about `mb` megabytes of 10 KB strings under `prefix`.
fn fill(store: &Store, prefix: &str, mb: usize) {
    let value = "v".repeat(10_000);
    for i in 0..mb * 100 {
        store.execute(["SET", &format!("{prefix}:{i}"), &value]);
    }
}

#[test]
fn memory_stats_counts_keys_and_bytes_per_database_from_the_accounting() {
    let store = Store::new();
    for i in 0..1000 {
        store.execute(["SET", &format!("k{i}"), "some value"]);
    }
    let mut c = store.connection();
    c.execute(["SELECT", "3"]);
    c.execute(["SET", "other", "x"]);
    let s = stats(&store);
    assert_eq!(int_field(&s, "keys.count"), 1001);
    let total = int_field(&s, "total.allocated");
    assert_eq!(usize::try_from(total).unwrap(), store.used_memory());
    assert!(int_field(&s, "peak.allocated") >= total);
    assert_eq!(int_field(&s, "keys.bytes-per-key"), total / 1001);
    let Reply::Array(db0) = field(&s, "db.0") else {
        panic!("db.0 is not a map");
    };
    let db0 = pairs(Reply::Array(db0));
    let main = int_field(&db0, "overhead.hashtable.main");
    assert!(main > 0 && main < total, "{main} of {total}");
    assert_eq!(int_field(&db0, "overhead.hashtable.expires"), 0);
    assert!(s.iter().any(|(n, _)| n == "db.3"));
    assert!(
        !s.iter().any(|(n, _)| n == "db.1"),
        "a database without keys is left out"
    );
    let db3 = pairs(field(&s, "db.3"));
    let overhead = int_field(&s, "overhead.total");
    assert_eq!(
        overhead,
        main + int_field(&db3, "overhead.hashtable.main"),
        "the overhead is the tables'"
    );
    assert_eq!(int_field(&s, "dataset.bytes"), total - overhead);
}

#[test]
fn memory_stats_has_redis_7_0_field_names_in_order() {
    let store = Store::new();
    store.execute(["SET", "k", "v"]);
    let ours: Vec<String> = stats(&store).into_iter().map(|(n, _)| n).collect();
    let Some(server) = start_or_skip(&[], "MEMORY STATS field names") else {
        return;
    };
    let mut redis = server.connect();
    redis.call(&["SET", "k", "v"]);
    let theirs: Vec<String> = pairs(redis.call(&["MEMORY", "STATS"]))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn memory_stats_percentages_are_doubles_as_redis_prints_them() {
    let store = Store::new();
    fill(&store, "k", 1);
    let s = stats(&store);
    let Reply::Bulk(pct) = field(&s, "dataset.percentage") else {
        panic!("dataset.percentage is not a bulk string");
    };
    let pct: f64 = String::from_utf8(pct).unwrap().parse().unwrap();
    assert!(pct > 50.0 && pct < 100.0, "{pct}");
    assert_eq!(field(&s, "fragmentation"), bulk("1"));
    assert_eq!(field(&s, "peak.percentage"), bulk("100"));
}

#[test]
fn memory_doctor_says_an_empty_store_is_too_small_to_diagnose() {
    let store = Store::new();
    store.execute(["SET", "k", "v"]);
    assert_eq!(store.execute(["MEMORY", "DOCTOR"]), bulk(EMPTY));
}

#[test]
fn memory_doctor_finds_no_issue_in_a_store_at_its_peak() {
    let store = Store::new();
    fill(&store, "k", 6);
    assert_eq!(store.execute(["MEMORY", "DOCTOR"]), bulk(HEALTHY));
}

#[test]
fn memory_doctor_reports_a_peak_above_150_percent_of_what_is_used() {
    let store = Store::new();
    fill(&store, "keep", 6);
    fill(&store, "gone", 6);
    for i in 0..600 {
        store.execute(["DEL", &format!("gone:{i}")]);
    }
    let Reply::Bulk(text) = store.execute(["MEMORY", "DOCTOR"]) else {
        panic!("MEMORY DOCTOR is not a bulk string");
    };
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with(
        "Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past this instance used more than 150% the memory"
    ), "{text}");
    assert!(text.ends_with("I'm here to keep you safe, Sam. I want to help you.\n"));
}

#[test]
fn memory_malloc_stats_and_purge_answer_as_redis_without_jemalloc() {
    let store = Store::new();
    assert_eq!(
        store.execute(["MEMORY", "MALLOC-STATS"]),
        bulk("Stats not supported for the current allocator")
    );
    assert_eq!(store.execute(["MEMORY", "PURGE"]), ok());
}

#[test]
fn memory_subcommands_without_arguments_refuse_extra_ones() {
    let store = Store::new();
    for sub in ["stats", "doctor", "malloc-stats", "purge"] {
        assert_eq!(
            store.execute(["MEMORY", sub, "x"]),
            arity(&format!("memory|{sub}"))
        );
    }
}

#[test]
fn memory_stats_inside_exec_sees_the_queued_writes() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    c.execute(["MEMORY", "STATS"]);
    let Reply::Array(replies) = c.execute(["EXEC"]) else {
        panic!("EXEC did not commit");
    };
    assert_eq!(int_field(&pairs(replies[1].clone()), "keys.count"), 1);
}
