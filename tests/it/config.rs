//! CONFIG GET / SET / RESETSTAT / REWRITE: the parameter table, Redis 7.0's reply shape and
//! error texts, and the parameters that change behaviour while the store runs.

use crate::common::*;
use redlite::{Config, Reply, Store};

/// CONFIG GET's flat reply as (name, value) pairs, sorted (Redis's order is its dict's).
fn pairs(reply: Reply) -> Vec<(String, String)> {
    let Reply::Array(items) = reply else {
        panic!("not an array: {reply:?}");
    };
    let text = |r: &Reply| match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    };
    let mut out: Vec<(String, String)> = items
        .chunks(2)
        .map(|p| (text(&p[0]), text(&p[1])))
        .collect();
    out.sort();
    out
}

fn p(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[test]
fn get_answers_a_flat_array_of_name_and_value() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["CONFIG", "GET", "hz"]), bulks(&["hz", "10"]));
    assert_eq!(
        c.execute(["CONFIG", "GET", "HZ"]),
        bulks(&["HZ", "10"]),
        "an exact name is printed as given"
    );
    assert_eq!(
        pairs(c.execute(["CONFIG", "GET", "hz", "maxmemory", "hz"])),
        vec![p("hz", "10"), p("maxmemory", "0")]
    );
    assert_eq!(c.execute(["CONFIG", "GET", "no-such-thing"]), bulks(&[]));
}

#[test]
fn get_matches_globs_against_names_and_aliases() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        pairs(c.execute(["CONFIG", "GET", "hash-max-*"])),
        vec![
            p("hash-max-listpack-entries", "512"),
            p("hash-max-listpack-value", "64"),
            p("hash-max-ziplist-entries", "512"),
            p("hash-max-ziplist-value", "64"),
        ]
    );
    assert_eq!(
        pairs(c.execute(["CONFIG", "GET", "ZSET-MAX-LISTPACK-*"])),
        vec![
            p("zset-max-listpack-entries", "128"),
            p("zset-max-listpack-value", "64"),
        ]
    );
    let Reply::Array(all) = c.execute(["CONFIG", "GET", "*"]) else {
        panic!("not an array");
    };
    assert!(all.len() > 300, "every parameter: {}", all.len());
}

#[test]
fn defaults_are_those_of_a_redis_without_a_config_file() {
    let (_s, mut c, _) = setup();
    for (name, value) in [
        ("proto-max-bulk-len", "536870912"),
        ("lua-time-limit", "5000"),
        ("busy-reply-threshold", "5000"),
        ("set-max-intset-entries", "512"),
        ("list-max-ziplist-size", "-2"),
        ("notify-keyspace-events", ""),
        ("appendonly", "no"),
        ("appendfsync", "everysec"),
        ("save", ""),
        ("port", "6379"),
        ("bind", "* -::*"),
        ("databases", "16"),
        ("maxmemory-policy", "noeviction"),
    ] {
        assert_eq!(
            c.execute(["CONFIG", "GET", name]),
            bulks(&[name, value]),
            "{name}"
        );
    }
}

#[test]
fn set_changes_several_parameters_at_once() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["CONFIG", "SET", "hz", "20", "hash-max-ziplist-entries", "7"]),
        ok()
    );
    assert_eq!(c.execute(["CONFIG", "GET", "hz"]), bulks(&["hz", "20"]));
    assert_eq!(
        c.execute(["CONFIG", "GET", "hash-max-listpack-entries"]),
        bulks(&["hash-max-listpack-entries", "7"])
    );
}

#[test]
fn set_is_all_or_nothing() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["CONFIG", "SET", "hz", "20", "set-max-intset-entries", "x"]),
        err(
            "ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - argument couldn't be parsed into an integer"
        )
    );
    assert_eq!(c.execute(["CONFIG", "GET", "hz"]), bulks(&["hz", "10"]));
}

#[test]
fn set_errors_are_redis_texts() {
    let (_s, mut c, _) = setup();
    let failed = |name: &str, why: &str| {
        err(&format!(
            "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
        ))
    };
    assert_eq!(
        c.execute(["CONFIG", "SET", "x", "1"]),
        err("ERR Unknown option or number of arguments for CONFIG SET - 'x'")
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "hz", "1", "nope", "2"]),
        err("ERR Unknown option or number of arguments for CONFIG SET - 'nope'")
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "hz", "5", "hz", "6"]),
        failed("hz", "duplicate parameter")
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "hz", "5", "hz"]),
        err("ERR syntax error")
    );
    assert_eq!(c.execute(["CONFIG", "SET", "hz"]), arity("config|set"));
    assert_eq!(c.execute(["CONFIG", "GET"]), arity("config|get"));
    assert_eq!(
        c.execute(["CONFIG", "SET", "daemonize", "yes"]),
        failed("daemonize", "can't set immutable config")
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "hash-max-listpack-entries", "-1"]),
        failed(
            "hash-max-listpack-entries",
            "argument must be between 0 and 9223372036854775807 inclusive"
        )
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "proto-max-bulk-len", "10"]),
        failed(
            "proto-max-bulk-len",
            "argument must be between 1048576 and 9223372036854775807 inclusive"
        )
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "hash-max-listpack-value", "big"]),
        failed("hash-max-listpack-value", "argument must be a memory value")
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "notify-keyspace-events", "KEq"]),
        failed(
            "notify-keyspace-events",
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        )
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "appendfsync", "sometimes"]),
        failed(
            "appendfsync",
            "argument(s) must be one of the following: everysec, always, no"
        )
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "save", "10"]),
        failed("save", "Invalid save parameters")
    );
    assert_eq!(
        c.execute(["CONFIG", "NOPE"]),
        err("ERR unknown subcommand 'NOPE'. Try CONFIG HELP.")
    );
}

#[test]
fn memory_values_take_units() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["CONFIG", "SET", "proto-max-bulk-len", "2mb"]),
        ok()
    );
    assert_eq!(
        c.execute(["CONFIG", "GET", "proto-max-bulk-len"]),
        bulks(&["proto-max-bulk-len", "2097152"])
    );
}

#[test]
fn hz_is_capped_to_redis_range() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["CONFIG", "SET", "hz", "0"]), ok());
    assert_eq!(c.execute(["CONFIG", "GET", "hz"]), bulks(&["hz", "1"]));
    assert_eq!(c.execute(["CONFIG", "SET", "hz", "100000"]), ok());
    assert_eq!(c.execute(["CONFIG", "GET", "hz"]), bulks(&["hz", "500"]));
}

#[test]
fn an_in_memory_store_accepts_only_the_persistence_it_can_follow() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["CONFIG", "SET", "save", ""]), ok());
    assert_eq!(c.execute(["CONFIG", "SET", "appendonly", "no"]), ok());
    assert_eq!(
        c.execute(["CONFIG", "SET", "appendonly", "yes"]),
        err(
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - the store has no data folder (Config::data_dir) to log to"
        )
    );
}

#[test]
fn notify_keyspace_events_turns_notifications_on_and_off() {
    let (s, mut c, _) = setup();
    let mut sub = s.subscribe(&["__keyevent@0__:set"]);
    assert_eq!(
        c.execute(["CONFIG", "SET", "notify-keyspace-events", "E$"]),
        ok()
    );
    assert_eq!(
        c.execute(["CONFIG", "GET", "notify-keyspace-events"]),
        bulks(&["notify-keyspace-events", "$E"])
    );
    c.execute(["SET", "k", "v"]);
    // Published before SET returns.
    let m = sub.try_recv().expect("recv");
    assert_eq!(m.map(|m| m.payload().to_vec()), Some(b"k".to_vec()));
    assert_eq!(
        c.execute(["CONFIG", "SET", "notify-keyspace-events", ""]),
        ok()
    );
    c.execute(["SET", "k2", "v"]);
    assert!(matches!(sub.try_recv(), Ok(None)));
}

#[test]
fn proto_max_bulk_len_bounds_strings() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["CONFIG", "SET", "proto-max-bulk-len", "1048576"]),
        ok()
    );
    assert_eq!(
        c.execute(["SETRANGE", "k", "1048576", "x"]),
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    assert_eq!(c.execute(["SETRANGE", "k", "1048575", "x"]), int(1_048_576));
}

#[test]
fn busy_reply_threshold_bounds_scripts() {
    let store = crate::common::rhai_store();
    let mut c = store.connection();
    assert_eq!(c.execute(["CONFIG", "SET", "lua-time-limit", "1"]), ok());
    assert_eq!(
        c.execute(["CONFIG", "GET", "busy-reply-threshold"]),
        bulks(&["busy-reply-threshold", "1"])
    );
    let reply = c
        .execute(["EVAL", "let x = 0; loop { x += 1; }", "0"])
        .to_string();
    assert!(
        reply.starts_with("ERR Script killed: it ran longer than the script time limit (1 ms)"),
        "{reply}"
    );
}

#[test]
fn rewrite_says_there_is_no_config_file() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["CONFIG", "REWRITE"]),
        err("ERR The server is running without a config file")
    );
    assert_eq!(
        c.execute(["CONFIG", "REWRITE", "x"]),
        arity("config|rewrite")
    );
}

#[test]
fn resetstat_clears_the_counters() {
    let (_s, mut c, _) = setup();
    c.execute(["GET", "missing"]);
    c.execute(["INCR", "x", "y"]);
    assert_eq!(c.execute(["CONFIG", "RESETSTAT"]), ok());
    let info = c.execute(["INFO", "stats"]).to_string();
    assert!(info.contains("keyspace_misses:0"), "{info}");
    assert!(info.contains("total_error_replies:0"), "{info}");
}

#[test]
fn resetstat_inside_exec_does_not_deadlock() {
    let (_s, mut c, _) = setup();
    c.execute(["MULTI"]);
    c.execute(["SET", "k", "v"]);
    c.execute(["CONFIG", "RESETSTAT"]);
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![ok(), ok()]));
}

#[test]
fn config_is_refused_in_scripts() {
    let (_s, mut c, _) = setup();
    let reply = c.execute(["EVAL", "redis::call(\"CONFIG\", \"GET\", \"hz\")", "0"]);
    assert!(reply.is_error(), "{reply:?}");
}

#[test]
fn a_store_built_with_a_config_reports_it() {
    let store = Store::with_config(
        Config::default()
            .notify_keyspace_events("KEA")
            .script_time_limit(std::time::Duration::from_millis(250))
            .active_expiry_interval(std::time::Duration::from_millis(50)),
    );
    let mut c = store.connection();
    assert_eq!(
        c.execute(["CONFIG", "GET", "notify-keyspace-events"]),
        bulks(&["notify-keyspace-events", "AKE"])
    );
    assert_eq!(
        c.execute(["CONFIG", "GET", "lua-time-limit"]),
        bulks(&["lua-time-limit", "250"])
    );
    assert_eq!(c.execute(["CONFIG", "GET", "hz"]), bulks(&["hz", "20"]));
}
