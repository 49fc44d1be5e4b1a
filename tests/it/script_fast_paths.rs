//! The shortcuts of the script hot path keep Redis's behaviour: a thread's EVALSHA reuses
//! the script its lock plan found (never one flushed, evicted or from another store), the
//! least-recently-used order survives scripts run over and over, and the Rhai engine is
//! built only when a store first needs it.

use crate::common::*;
use redlite::{Reply, Script, Store};

fn store() -> Store {
    Store::with_config(crate::common::config().active_expiry(false))
}

fn sha(src: &str) -> String {
    Script::new(src).sha1().to_string()
}

#[test]
fn evalsha_after_script_flush_on_the_same_thread_is_noscript() {
    let s = store();
    let src = r#"redis::call("INCR", KEYS[0])"#;
    s.execute(["SCRIPT", "LOAD", src]);
    let sha = sha(src);
    assert_eq!(s.execute(["EVALSHA", &sha, "1", "n"]), Reply::Integer(1));
    assert_eq!(s.execute(["EVALSHA", &sha, "1", "n"]), Reply::Integer(2));
    s.execute(["SCRIPT", "FLUSH"]);
    let r = s.execute(["EVALSHA", &sha, "1", "n"]);
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("NOSCRIPT")),
        "{r}"
    );
}

#[test]
fn evalsha_does_not_find_a_script_loaded_only_in_another_store() {
    let (a, b) = (store(), store());
    let src = "40 + 2";
    a.execute(["SCRIPT", "LOAD", src]);
    assert_eq!(a.execute(["EVALSHA", &sha(src), "0"]), Reply::Integer(42));
    let r = b.execute(["EVALSHA", &sha(src), "0"]);
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("NOSCRIPT")),
        "{r}"
    );
    assert_eq!(a.execute(["EVALSHA", &sha(src), "0"]), Reply::Integer(42));
}

#[test]
fn evalsha_of_a_script_evicted_since_its_last_run_is_noscript() {
    let s = Store::with_config(
        crate::common::config()
            .active_expiry(false)
            .script_cache_size(1),
    );
    s.execute(["EVAL", "1", "0"]);
    assert_eq!(s.execute(["EVALSHA", &sha("1"), "0"]), Reply::Integer(1));
    s.execute(["EVAL", "2", "0"]); // evicts "1"
    let r = s.execute(["EVALSHA", &sha("1"), "0"]);
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("NOSCRIPT")),
        "{r}"
    );
}

#[test]
fn a_script_run_repeatedly_stays_the_most_recently_used() {
    let s = Store::with_config(
        crate::common::config()
            .active_expiry(false)
            .script_cache_size(2),
    );
    s.execute(["EVAL", "1", "0"]);
    s.execute(["EVAL", "2", "0"]);
    for _ in 0..3 {
        s.execute(["EVALSHA", &sha("1"), "0"]);
    }
    s.execute(["EVALSHA", &sha("2"), "0"]);
    s.execute(["EVALSHA", &sha("1"), "0"]); // "1" after "2": "2" is the oldest
    s.execute(["EVAL", "3", "0"]);
    let r = s.execute(["SCRIPT", "EXISTS", &sha("1"), &sha("2"), &sha("3")]);
    assert_eq!(r, Reply::Array([1, 0, 1].map(Reply::Integer).to_vec()));
}

#[test]
fn evalsha_queued_after_script_flush_in_one_exec_is_noscript() {
    let s = store();
    s.execute(["SCRIPT", "LOAD", "7"]);
    let mut c = s.connection();
    c.execute(["MULTI"]);
    c.execute(["EVALSHA", &sha("7"), "0"]);
    c.execute(["SCRIPT", "FLUSH"]);
    c.execute(["EVALSHA", &sha("7"), "0"]);
    let Reply::Array(replies) = c.execute(["EXEC"]) else {
        panic!("EXEC did not run");
    };
    assert_eq!(replies[0], Reply::Integer(7));
    assert_eq!(replies[1], Reply::ok());
    assert!(matches!(&replies[2], Reply::Error(e) if e.starts_with("NOSCRIPT")));
}

#[test]
fn scripts_work_in_a_store_whose_first_command_is_not_a_script() {
    let s = store();
    assert_eq!(s.execute(["SET", "k", "5"]), Reply::ok());
    assert_eq!(
        s.execute(["EVAL", r#"redis::call("GET", KEYS[0])"#, "1", "k"]),
        bulk("5")
    );
}

#[test]
fn keys_and_argv_are_fresh_in_each_run_whatever_the_last_run_did_to_them() {
    let s = store();
    let mangle = r#"KEYS[0] += "x"; KEYS.push([[1]]); ARGV = [[2], #{a: [3]}]; let KEYS = 9; 0"#;
    let show = "[KEYS, ARGV]";
    assert_eq!(
        s.execute(["EVAL", mangle, "2", "a", "b", "c"]),
        Reply::Integer(0)
    );
    let want = Reply::Array(vec![bulks(&["a", "b"]), bulks(&["c"])]);
    assert_eq!(s.execute(["EVAL", show, "2", "a", "b", "c"]), want);
    assert_eq!(
        s.execute(["EVAL", "KEYS[0] += \"y\"; 0", "1", "a"]),
        Reply::Integer(0)
    );
    let want = Reply::Array(vec![bulks(&["a"]), bulks(&[])]);
    assert_eq!(s.execute(["EVAL", show, "1", "a"]), want);
    let blob: &[u8] = b"\xff\xfe";
    let r = s.execute([&b"EVAL"[..], b"type_of(ARGV[0])", b"0", blob]);
    assert_eq!(r, bulk("blob"));
    let r = s.execute(["EVAL", "[type_of(ARGV[0]), ARGV.len()]", "0", "x"]);
    assert_eq!(r, Reply::Array(vec![bulk("string"), Reply::Integer(1)]));
}

#[test]
fn a_scripts_variables_do_not_survive_into_the_next_run() {
    let s = store();
    assert_eq!(
        s.execute(["EVAL", "let leftover = 5; leftover", "0"]),
        Reply::Integer(5)
    );
    let r = s.execute(["EVAL", "leftover", "0"]);
    assert!(
        matches!(&r, Reply::Error(e) if e.contains("Variable not found")),
        "{r}"
    );
}

#[test]
fn integer_arguments_are_sent_as_their_decimal_text_at_both_ends_of_the_range() {
    let s = store();
    let src = r#"
        redis::call("SET", KEYS[0], -9223372036854775807 - 1);
        redis::call("SET", KEYS[1], 0);
        redis::call("SET", KEYS[2], 9223372036854775807);
        redis::call("MGET", KEYS)"#;
    let r = s.execute(["EVAL", src, "3", "a", "b", "c"]);
    let want = bulks(&["-9223372036854775808", "0", "9223372036854775807"]);
    assert_eq!(r, want);
}

#[test]
fn mixed_argument_shapes_reach_the_command_in_order() {
    let s = store();
    let src = r#"
        redis::call("ZADD", KEYS[0], 1, "one");
        redis::call("ZADD", KEYS[0], 2.5, "two");
        redis::call("HINCRBY", KEYS[1], "f", 3);
        redis::call("HINCRBYFLOAT", KEYS[1], "g", 0.5);
        redis::call("SET", KEYS[2], "v", "EX", 100);
        redis::call("RPUSH", KEYS[3], 7, "x");
        [redis::call("ZRANGE", KEYS[0], 0, -1, "WITHSCORES"), redis::call("HGETALL", KEYS[1]),
         redis::call("TTL", KEYS[2]), redis::call("LRANGE", KEYS[3], 0, -1),
         redis::pcall("INCRBY", KEYS[1], 1).err]"#;
    let r = s.execute(["EVAL", src, "4", "z", "h", "s", "l"]);
    let want = Reply::Array(vec![
        bulks(&["one", "1", "two", "2.5"]),
        bulks(&["f", "3", "g", "0.5"]),
        Reply::Integer(100),
        bulks(&["7", "x"]),
        bulk("WRONGTYPE Operation against a key holding the wrong kind of value"),
    ]);
    assert_eq!(r, want);
}

#[test]
fn an_ok_status_is_a_fresh_value_each_time_even_if_a_script_changes_one() {
    let s = store();
    let src = r#"
        let a = redis::call("SET", KEYS[0], "1");
        a.ok += "!";
        let b = redis::call("SET", KEYS[0], "2");
        [a.ok, b.ok]"#;
    assert_eq!(s.execute(["EVAL", src, "1", "k"]), bulks(&["OK!", "OK"]));
}
