//! Scripts: the EVAL family and SCRIPT under Redis 7's rules, the sandbox that ends runaway
//! scripts, and atomic, parallel runs across threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use crate::common::gate::GateClock;
use crate::common::*;
use redlite::{Error, Reply, Script, Store};

// --------------------------------------------------------------------------------------------
// EVAL family and SCRIPT: Redis 7's argument checks, texts, conversions and flags, in Rhai.

fn store() -> Store {
    Store::with_config(crate::common::config().active_expiry(false))
}

fn sha(src: &str) -> String {
    Script::new(src).sha1().to_string()
}

#[test]
fn keys_and_argv_are_zero_based_string_arrays() {
    let s = store();
    let r = s.execute([
        "EVAL",
        "[KEYS[0], KEYS[1], ARGV[0], ARGV[1]]",
        "2",
        "a",
        "b",
        "1",
        "x",
    ]);
    assert_eq!(
        r,
        Reply::Array(["a", "b", "1", "x"].map(Reply::bulk).to_vec())
    );
    assert_eq!(
        s.execute(["EVAL", "[KEYS.len(), ARGV.len()]", "0"]),
        Reply::Array(vec![Reply::Integer(0), Reply::Integer(0)])
    );
}

#[test]
fn numkeys_is_checked_like_redis() {
    let s = store();
    assert_eq!(
        s.execute(["EVAL", "1", "2", "a"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        s.execute(["EVAL", "1", "-1"]),
        err("ERR Number of keys can't be negative")
    );
    assert_eq!(
        s.execute(["EVAL", "1", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        s.execute(["EVAL", "1"]),
        err("ERR wrong number of arguments for 'eval' command")
    );
}

#[test]
fn evalsha_misses_reply_noscript_and_lookup_ignores_case() {
    let s = store();
    let nos = err("NOSCRIPT No matching script. Please use EVAL.");
    assert_eq!(s.execute(["EVALSHA", "abc", "0"]), nos);
    assert_eq!(s.execute(["EVALSHA", &sha("1 + 1"), "0"]), nos);
    assert_eq!(s.execute(["EVAL", "1 + 1", "0"]), Reply::Integer(2));
    assert_eq!(
        s.execute(["EVALSHA", &sha("1 + 1").to_uppercase(), "0"]),
        Reply::Integer(2)
    );
}

#[test]
fn script_load_exists_flush() {
    let s = store();
    let src = "ARGV[0]";
    assert_eq!(s.execute(["SCRIPT", "LOAD", src]), Reply::bulk(sha(src)));
    assert_eq!(s.execute(["SCRIPT", "LOAD", src]), Reply::bulk(sha(src)));
    let exists = s.execute([
        "SCRIPT",
        "EXISTS",
        &sha(src),
        &sha("other"),
        &sha(src).to_uppercase(),
    ]);
    assert_eq!(
        exists,
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Integer(0),
            Reply::Integer(1)
        ])
    );
    assert_eq!(
        s.execute(["EVALSHA", &sha(src), "0", "hi"]),
        Reply::bulk("hi")
    );
    assert_eq!(
        s.execute(["SCRIPT", "FLUSH", "maybe"]),
        err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    );
    assert_eq!(s.execute(["SCRIPT", "FLUSH", "async"]), Reply::ok());
    assert_eq!(
        s.execute(["SCRIPT", "EXISTS", &sha(src)]),
        Reply::Array(vec![Reply::Integer(0)])
    );
    assert_eq!(s.execute(["SCRIPT", "FLUSH"]), Reply::ok());
    assert_eq!(
        s.execute(["SCRIPT", "FOO"]),
        err("ERR unknown subcommand 'FOO'. Try SCRIPT HELP.")
    );
    assert_eq!(
        s.execute(["SCRIPT", "LOAD"]),
        err("ERR wrong number of arguments for 'script|load' command")
    );
    assert_eq!(
        s.execute(["SCRIPT", "KILL"]),
        err("NOTBUSY No scripts in execution right now.")
    );
}

#[test]
fn compile_errors_cache_nothing() {
    let s = store();
    assert_eq!(
        s.execute(["SCRIPT", "LOAD", "1 +"]),
        err("ERR Error compiling script (new function): user_script:1: Script is incomplete")
    );
    assert_eq!(
        s.execute(["SCRIPT", "EXISTS", &sha("1 +")]),
        Reply::Array(vec![Reply::Integer(0)])
    );
}

#[test]
fn eval_caches_even_when_the_run_fails() {
    let s = store();
    let src = r#"throw "no""#;
    assert!(s.execute(["EVAL", src, "0"]).is_error());
    assert_eq!(
        s.execute(["SCRIPT", "EXISTS", &sha(src)]),
        Reply::Array(vec![Reply::Integer(1)])
    );
}

#[test]
fn eval_cache_evicts_least_recently_used_eval_entries_only() {
    let s = Store::with_config(
        crate::common::config()
            .active_expiry(false)
            .script_cache_size(3),
    );
    let loaded = "0";
    s.execute(["SCRIPT", "LOAD", loaded]);
    for n in 1..=3 {
        s.execute(["EVAL", &n.to_string(), "0"]);
    }
    s.execute(["EVALSHA", &sha("1"), "0"]); // 1 is now the most recently used
    s.execute(["EVAL", "4", "0"]); // evicts 2
    let shas = ["0", "1", "2", "3", "4"].map(sha);
    let mut args = vec!["SCRIPT".to_string(), "EXISTS".into()];
    args.extend(shas.iter().cloned());
    let found = [1, 1, 0, 1, 1].map(Reply::Integer).to_vec();
    assert_eq!(s.execute(&args), Reply::Array(found));
}

#[test]
fn replies_convert_to_rhai_values() {
    let s = store();
    s.execute(["SET", "k", "v"]);
    s.execute(["SET", "n", "5"]);
    let src = r#"
        [type_of(redis::call("INCR", KEYS[1])), type_of(redis::call("GET", KEYS[0])),
         type_of(redis::call("GET", KEYS[2])), redis::call("SET", KEYS[0], "w").ok,
         type_of(redis::call("MGET", KEYS[0], KEYS[1])), redis::pcall("INCR", KEYS[0]).err]"#;
    let r = s.execute(["EVAL", src, "3", "k", "n", "missing"]);
    let want = [
        "i64",
        "string",
        "()",
        "OK",
        "array",
        "ERR value is not an integer or out of range",
    ];
    assert_eq!(r, Reply::Array(want.map(Reply::bulk).to_vec()));
}

#[test]
fn non_utf8_bulk_becomes_a_blob_and_back() {
    let s = store();
    s.execute([&b"SET"[..], b"bin", &[0xff, 0xfe]]);
    let r = s.execute([
        "EVAL",
        r#"let v = redis::call("GET", KEYS[0]); [type_of(v), v]"#,
        "1",
        "bin",
    ]);
    assert_eq!(
        r,
        Reply::Array(vec![Reply::bulk("blob"), Reply::Bulk(vec![0xff, 0xfe])])
    );
}

#[test]
fn script_values_convert_to_replies() {
    let s = store();
    let r = s.execute([
        "EVAL",
        r#"[1, 2.9, -3.7, "a", (), true, false, 'c', [1, [2]], #{ok: "fine"}, #{x: 1}]"#,
        "0",
    ]);
    let want = vec![
        Reply::Integer(1),
        Reply::Integer(2),
        Reply::Integer(-3),
        Reply::bulk("a"),
        Reply::Nil,
        Reply::Integer(1),
        Reply::Nil,
        Reply::bulk("c"),
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Array(vec![Reply::Integer(2)]),
        ]),
        Reply::status("fine"),
        Reply::Array(vec![]),
    ];
    assert_eq!(r, Reply::Array(want));
    assert_eq!(s.execute(["EVAL", "()", "0"]), Reply::Nil);
    assert_eq!(
        s.execute(["EVAL", "return 100.5;", "0"]),
        Reply::Integer(100)
    );
    assert_eq!(
        s.execute(["EVAL", r#"#{err: "MY_CODE custom"}"#, "0"]),
        err("MY_CODE custom")
    );
}

#[test]
fn call_arguments_may_be_strings_ints_floats_or_arrays() {
    let s = store();
    let r = s.execute([
        "EVAL",
        r#"redis::call("SET", KEYS[0], 0.1); redis::call("GET", KEYS[0])"#,
        "1",
        "f",
    ]);
    assert_eq!(r, Reply::bulk("0.1"));
    let r = s.execute([
        "EVAL",
        r#"redis::call("SET", KEYS[0], 3.0); redis::call("INCRBY", KEYS[0], 2)"#,
        "1",
        "f",
    ]);
    assert_eq!(r, Reply::Integer(5));
    let r = s.execute([
        "EVAL",
        r#"redis::call("MSET", [KEYS[0], "1", KEYS[1], "2"]); redis::call("MGET", KEYS)"#,
        "2",
        "x",
        "y",
    ]);
    assert_eq!(r, Reply::Array(vec![Reply::bulk("1"), Reply::bulk("2")]));
    let bad = "ERR Rhai redis lib command arguments must be strings or integers";
    assert_eq!(
        s.execute(["EVAL", r#"redis::pcall("GET", true).err"#, "0"]),
        Reply::bulk(bad)
    );
    assert_eq!(
        s.execute(["EVAL", r"redis::pcall().err", "0"]),
        Reply::bulk("ERR Please specify at least one argument for this redis lib call")
    );
}

#[test]
fn errors_carry_the_script_sha_and_line() {
    let s = store();
    s.execute(["SET", "s", "text"]);
    let src = "let x = 1;\nredis::call(\"INCR\", KEYS[0])";
    let r = s.execute(["EVAL", src, "1", "s"]);
    assert_eq!(
        r,
        err(&format!(
            "ERR value is not an integer or out of range script: {}, on @user_script:2.",
            sha(src)
        ))
    );
    let src = "\n\nthrow \"boom\"";
    assert_eq!(
        s.execute(["EVAL", src, "0"]),
        err(&format!(
            "ERR boom script: {}, on @user_script:3.",
            sha(src)
        ))
    );
    let src = "fn f() {\n  redis::call(\"NOPE\")\n}\nf()";
    assert_eq!(
        s.execute(["EVAL", src, "0"]),
        err(&format!(
            "ERR Unknown Redis command called from script script: {}, on @user_script:2.",
            sha(src)
        ))
    );
}

#[test]
fn call_checks_commands_like_redis() {
    let s = store();
    let pcall = |cmd: &str| s.execute(["EVAL", &format!("redis::pcall({cmd}).err"), "1", "k"]);
    assert_eq!(
        pcall(r#""NOPE""#),
        Reply::bulk("ERR Unknown Redis command called from script")
    );
    assert_eq!(
        pcall(r#""GET""#),
        Reply::bulk("ERR Wrong number of args calling Redis command from script")
    );
    for cmd in [
        "\"MULTI\"",
        "\"EXEC\"",
        "\"WATCH\", KEYS[0]",
        "\"EVAL\", \"1\", 0",
        "\"SCRIPT\", \"FLUSH\"",
        "\"FLUSHALL\"",
    ] {
        assert_eq!(
            pcall(cmd),
            Reply::bulk("ERR This Redis command is not allowed from script"),
            "{cmd}"
        );
    }
}

#[test]
fn error_and_status_helpers() {
    let s = store();
    assert_eq!(
        s.execute([
            "EVAL",
            r#"redis::error_reply("MY_ERR_CODE custom msg")"#,
            "0"
        ]),
        err("MY_ERR_CODE custom msg")
    );
    assert_eq!(
        s.execute(["EVAL", r#"redis::error_reply("")"#, "0"]),
        err("ERR ")
    );
    assert_eq!(
        s.execute(["EVAL", r#"redis::status_reply("FINE")"#, "0"]),
        Reply::status("FINE")
    );
    assert_eq!(
        s.execute(["EVAL", r#"redis::sha1hex("")"#, "0"]),
        Reply::bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    );
    let r = s.execute(["EVAL", r#"throw redis::error_reply("CUSTOM thrown")"#, "0"]);
    assert_eq!(
        r,
        err(&format!(
            "CUSTOM thrown script: {}, on @user_script:1.",
            sha(r#"throw redis::error_reply("CUSTOM thrown")"#)
        ))
    );
    let pcall_back = r#"redis::pcall("INCR", KEYS[0])"#;
    s.execute(["SET", "t", "x"]);
    assert_eq!(
        s.execute(["EVAL", pcall_back, "1", "t"]),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn writes_before_an_error_stay() {
    let s = store();
    let src = r#"redis::call("INCR", KEYS[0]); redis::call("NOPE")"#;
    assert!(s.execute(["EVAL", src, "1", "x"]).is_error());
    assert_eq!(
        s.execute(["EVAL", r#"redis::call("INCR", KEYS[0])"#, "1", "x"]),
        Reply::Integer(2)
    );
}

#[test]
fn undeclared_keys_are_errors_unless_flagged() {
    let s = store();
    let r = s.execute(["EVAL", r#"redis::pcall("SET", "other", 1).err"#, "1", "k"]);
    assert_eq!(
        r,
        Reply::bulk(
            "ERR Script attempted to access key 'other' that is not in KEYS; declare it, or add '#!rhai flags=allow-undeclared-keys' as the script's first line"
        )
    );
    let r = s.execute(["EVAL", r#"redis::pcall("KEYS", "*").err"#, "0"]);
    assert_eq!(
        r,
        Reply::bulk(
            "ERR Script attempted to run 'keys', which needs every key; add '#!rhai flags=allow-undeclared-keys' as the script's first line"
        )
    );
    let src = "#!rhai flags=allow-undeclared-keys\nredis::call(\"SET\", \"other\", 1); redis::call(\"KEYS\", \"*\")";
    assert_eq!(
        s.execute(["EVAL", src, "0"]),
        Reply::Array(vec![Reply::bulk("other")])
    );
}

#[test]
fn no_writes_and_ro_commands_reject_writes() {
    let s = store();
    s.execute(["SET", "k", "1"]);
    let ro = "ERR Write commands are not allowed from read-only scripts.";
    let src = "#!rhai flags=no-writes\nredis::pcall(\"SET\", KEYS[0], 2).err";
    assert_eq!(s.execute(["EVAL", src, "1", "k"]), Reply::bulk(ro));
    let src = "#!rhai flags=no-writes\nredis::call(\"GET\", KEYS[0])";
    assert_eq!(s.execute(["EVAL_RO", src, "1", "k"]), Reply::bulk("1"));
    assert_eq!(
        s.execute(["EVAL_RO", r#"redis::pcall("INCR", KEYS[0]).err"#, "1", "k"]),
        Reply::bulk(ro)
    );
    let flagged = "#!rhai\nredis::call(\"GET\", KEYS[0])";
    assert_eq!(
        s.execute(["EVAL_RO", flagged, "1", "k"]),
        err("ERR Can not execute a script with write flag using *_ro command.")
    );
    s.execute(["SCRIPT", "LOAD", "redis::call(\"GET\", KEYS[0])"]);
    assert_eq!(
        s.execute([
            "EVALSHA_RO",
            &sha("redis::call(\"GET\", KEYS[0])"),
            "1",
            "k"
        ]),
        Reply::bulk("1")
    );
    assert_eq!(s.execute(["GET", "k"]), Reply::bulk("1"));
}

#[test]
fn shebang_errors_use_redis_texts() {
    let s = store();
    assert_eq!(
        s.execute(["EVAL", "#!rhai", "0"]),
        err("ERR Invalid script shebang")
    );
    // `#!lua` is an engine only with the `lua` feature.
    if !cfg!(feature = "lua") {
        assert_eq!(
            s.execute(["EVAL", "#!lua\n1", "0"]),
            err("ERR Unexpected engine in script shebang: #!lua")
        );
    }
    assert_eq!(
        s.execute(["EVAL", "#!perl\n1", "0"]),
        err("ERR Unexpected engine in script shebang: #!perl")
    );
    assert_eq!(
        s.execute(["EVAL", "#!rhai badger=data\n1", "0"]),
        err("ERR Unknown rhai shebang option: badger=data")
    );
    assert_eq!(
        s.execute(["EVAL", "#!rhai flags=what?\n1", "0"]),
        err("ERR Unexpected flag in script shebang: what?")
    );
    let all = "#!rhai flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\n7";
    assert_eq!(s.execute(["EVAL", all, "0"]), Reply::Integer(7));
}

#[test]
fn scripts_run_inside_multi_at_exec() {
    let s = store();
    let mut c = s.connection();
    c.execute(["MULTI"]);
    assert_eq!(
        c.execute(["EVAL", r#"redis::call("INCR", KEYS[0])"#, "1", "m"]),
        Reply::status("QUEUED")
    );
    assert_eq!(
        c.execute(["EVALSHA", &sha("nothing"), "0"]),
        Reply::status("QUEUED")
    );
    assert_eq!(
        c.execute(["EVAL", r#"redis::call("INCR", KEYS[0])"#, "1", "m"]),
        Reply::status("QUEUED")
    );
    let r = c.execute(["EXEC"]);
    let nos = err("NOSCRIPT No matching script. Please use EVAL.");
    assert_eq!(
        r,
        Reply::Array(vec![Reply::Integer(1), nos, Reply::Integer(2)])
    );
}

#[test]
fn time_is_frozen_during_a_script() {
    let s = store();
    let r = s.execute(["EVAL", r#"redis::call("TIME") == redis::call("TIME")"#, "0"]);
    assert_eq!(r, Reply::Integer(1));
}

#[test]
fn script_type_uses_evalsha_then_eval() {
    let s = store();
    let script = Script::new(r#"redis::call("INCRBY", KEYS[0], ARGV[0])"#);
    assert_eq!(script.key("c").arg(3).invoke::<i64>(&s), Ok(3));
    assert_eq!(
        s.execute(["SCRIPT", "EXISTS", script.sha1()]),
        Reply::Array(vec![Reply::Integer(1)])
    );
    s.execute(["SCRIPT", "FLUSH"]);
    assert_eq!(
        script.key("c").arg(4).invoke::<i64>(&mut s.connection()),
        Ok(7)
    );
    let bad = Script::new(r#"throw "x""#);
    let want = format!("ERR x script: {}, on @user_script:1.", bad.sha1());
    assert_eq!(bad.invoke::<i64>(&s), Err(Error::Reply(want)));
}

// --------------------------------------------------------------------------------------------
// Runaway scripts end with an error, release their locks, and the store keeps serving.

/// A store with small script limits, so runaway scripts hit them quickly.
fn limited_store() -> Store {
    let config = crate::common::config()
        .active_expiry(false)
        .script_max_operations(200_000)
        .script_max_array_size(1_000)
        .script_max_map_size(1_000)
        .script_max_string_size(1 << 16)
        .script_max_call_levels(16);
    Store::with_config(config)
}

/// Runs `src` with key `k` declared, expects an error starting with `prefix`, then checks
/// that `k`'s shard was released and the store still answers.
fn fails_and_store_survives(s: &Store, src: &str, prefix: &str) {
    fails_with_one_of_and_store_survives(s, src, &[prefix]);
}

/// As [`fails_and_store_survives`], for a script that more than one limit may stop.
fn fails_with_one_of_and_store_survives(s: &Store, src: &str, prefixes: &[&str]) {
    let r = s.execute(["EVAL", src, "1", "k"]);
    let text = r.to_string();
    let expected = prefixes.iter().any(|p| text.starts_with(p));
    assert!(r.is_error() && expected, "{src}: {text}");
    let suffix = format!(" script: {}, on @user_script:", Script::new(src).sha1());
    assert!(text.contains(&suffix), "{text}");
    assert_eq!(s.execute(["SET", "k", "after"]), Reply::ok());
    assert_eq!(s.execute(["GET", "k"]), Reply::bulk("after"));
}

#[test]
fn endless_loop_hits_the_operation_limit() {
    let s = limited_store();
    fails_and_store_survives(
        &s,
        r#"redis::call("SET", KEYS[0], 1); loop { }"#,
        "ERR Too many operations",
    );
}

#[test]
fn endless_loop_stops_under_default_limits() {
    let s = Store::with_config(crate::common::config().active_expiry(false));
    // The operation limit comes first in an optimised build on an idle machine; a debug
    // build on a loaded one may reach the 5 s time limit first. Either must stop it.
    fails_with_one_of_and_store_survives(
        &s,
        "let i = 0; while true { i += 1; }",
        &["ERR Too many operations", "ERR Script killed"],
    );
}

#[test]
fn endless_allocation_hits_size_limits() {
    let s = limited_store();
    fails_and_store_survives(
        &s,
        r#"let t = "x"; loop { t += t; }"#,
        "ERR Length of string too large",
    );
    fails_and_store_survives(&s, "let a = []; loop { a.push(1); }", "ERR Size of array");
    fails_and_store_survives(&s, "let a = [1]; loop { a += a; }", "ERR Size of array");
    // Rhai does not re-measure a map grown by index assignment; the operation limit then
    // bounds it.
    fails_and_store_survives(
        &s,
        "let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }",
        "ERR Too many operations",
    );
}

#[test]
fn deep_recursion_hits_the_call_limit() {
    let s = limited_store();
    fails_and_store_survives(&s, "fn f(n) { f(n + 1) }\nf(0)", "ERR Stack overflow");
}

#[test]
fn nested_eval_is_not_allowed() {
    let s = limited_store();
    let src = r#"redis::call("EVAL", "1", 0)"#;
    fails_and_store_survives(&s, src, "ERR This Redis command is not allowed from script");
    let src = r#"redis::call("EVALSHA", redis::sha1hex("1"), 0)"#;
    fails_and_store_survives(&s, src, "ERR This Redis command is not allowed from script");
}

#[test]
fn rhai_eval_and_modules_are_unavailable() {
    let s = limited_store();
    let r = s.execute(["EVAL", r#"eval("1")"#, "0"]);
    assert!(
        r.to_string().starts_with("ERR Error compiling script"),
        "{r}"
    );
    fails_and_store_survives(&s, r#"call(Fn("eval"), "1")"#, "ERR ");
    fails_and_store_survives(&s, "import \"std\" as m;\n1", "ERR ");
}

#[test]
fn nothing_is_kept_between_runs() {
    let s = limited_store();
    assert_eq!(
        s.execute(["EVAL", "let leaked = 5; leaked", "0"]),
        Reply::Integer(5)
    );
    let r = s.execute(["EVAL", "leaked", "0"]).to_string();
    assert!(r.starts_with("ERR Variable not found: leaked"), "{r}");
    let r = s.execute(["EVAL", "KEYS.push(\"x\"); KEYS.len()", "0"]);
    assert_eq!(r, Reply::Integer(1));
    assert_eq!(s.execute(["EVAL", "KEYS.len()", "0"]), Reply::Integer(0));
}

#[test]
fn deeply_nested_expressions_fail_to_compile() {
    let s = limited_store();
    let src = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let r = s.execute(["EVAL", &src, "0"]).to_string();
    assert!(
        r.starts_with("ERR Error compiling script (new function): "),
        "{r}"
    );
}

// --------------------------------------------------------------------------------------------
// Many threads: scripts are atomic (transfers keep the total exact while readers run), and
// scripts on keys of different shards run at the same time.

const ACCOUNTS: usize = 16;
const START: i64 = 1_000;

const TRANSFER: &str = r#"
let amount = parse_int(ARGV[0]);
let from = redis::call("GET", KEYS[0]);
let balance = if from == () { 0 } else { parse_int(from) };
if balance < amount { return 0; }
redis::call("DECRBY", KEYS[0], amount);
redis::call("INCRBY", KEYS[1], amount);
1"#;

const TOTAL: &str = r#"#!rhai flags=no-writes
let sum = 0;
for v in redis::call("MGET", KEYS) { sum += parse_int(v); }
sum"#;

fn account(i: usize) -> String {
    format!("acct:{i}")
}

#[test]
fn transfers_keep_the_total_exact_while_readers_run() {
    let store = Store::with_config(crate::common::config().active_expiry(false));
    for i in 0..ACCOUNTS {
        store.set(account(i), START).unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let all: Vec<String> = (0..ACCOUNTS).map(account).collect();
    let reader = {
        let (store, done, all) = (store.clone(), done.clone(), all.clone());
        thread::spawn(move || {
            let total = Script::new(TOTAL);
            let mut reads = 0u64;
            while !done.load(Ordering::Relaxed) || reads == 0 {
                let mut call = total.key(&all[0]);
                for k in &all[1..] {
                    call = call.key(k);
                }
                assert_eq!(call.invoke::<i64>(&store).unwrap(), START * ACCOUNTS as i64);
                let mut argv = vec!["MGET".to_string()];
                argv.extend(all.iter().cloned());
                let Reply::Array(vals) = store.execute(&argv) else {
                    panic!("MGET")
                };
                let sum: i64 = vals
                    .iter()
                    .map(|v| v.to_string().trim_matches('"').parse::<i64>().unwrap())
                    .sum();
                assert_eq!(sum, START * ACCOUNTS as i64);
                reads += 1;
            }
            reads
        })
    };
    let writers: Vec<_> = (0..4u64)
        .map(|t| {
            let store = store.clone();
            thread::spawn(move || {
                let transfer = Script::new(TRANSFER);
                let mut seed = t * 7919 + 1;
                let mut moved = 0;
                for _ in 0..10_000 {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let from = (seed >> 33) as usize % ACCOUNTS;
                    let to = (from + 1 + (seed >> 40) as usize % (ACCOUNTS - 1)) % ACCOUNTS;
                    let amount = 1 + (seed >> 50) % 50;
                    let call = transfer.key(account(from)).key(account(to)).arg(amount);
                    moved += call.invoke::<i64>(&store).unwrap();
                }
                moved
            })
        })
        .collect();
    let moved: i64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    done.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert!(moved > 0);
    let total: i64 = (0..ACCOUNTS)
        .map(|i| store.get::<i64>(account(i)).unwrap())
        .sum();
    assert_eq!(total, START * ACCOUNTS as i64);
}

/// Thread A runs a script on `ka` and parks while holding `ka`'s shard; only then does
/// this thread run a script on `kb` to completion, and release A. Returns whether B
/// finished while A held its lock (false when `ka` and `kb` share a shard).
fn b_completes_while_a_holds_its_shard(ka: &str, kb: &str) -> bool {
    let gate = GateClock::default();
    let config = crate::common::config()
        .shards(64)
        .active_expiry(false)
        .clock(gate.clone());
    let store = Store::with_config(config);
    // TIME makes the script read the clock while it holds its shard (the store reads the
    // clock lazily, only when something needs the time).
    let script = r#"redis::call("TIME"); redis::call("INCR", KEYS[0])"#;
    let a = {
        let (store, ka) = (store.clone(), ka.to_string());
        thread::spawn(move || {
            GateClock::park_next_read_here();
            store.execute(["EVAL", script, "1", &ka])
        })
    };
    assert!(gate.wait_until_parked(), "A never took its lock");
    let b = store.execute(["EVAL", script, "1", kb]);
    let b_finished_first = !gate.timed_out();
    gate.release();
    assert_eq!(a.join().unwrap(), Reply::Integer(1));
    // On one key, B's INCR had to wait for A's.
    assert_eq!(b, Reply::Integer(if ka == kb { 2 } else { 1 }));
    b_finished_first
}

#[test]
fn scripts_on_different_shards_make_progress_concurrently() {
    // Key pairs share a shard with probability 1/64 each (the hash seed is random per
    // store); one pair on different shards proves the point.
    let parallel =
        (0..4).any(|i| b_completes_while_a_holds_its_shard(&format!("a{i}"), &format!("b{i}")));
    assert!(
        parallel,
        "a script on another shard never ran while the first held its lock"
    );
}

#[test]
fn scripts_on_the_same_key_are_serialised() {
    assert!(!b_completes_while_a_holds_its_shard("same", "same"));
}
