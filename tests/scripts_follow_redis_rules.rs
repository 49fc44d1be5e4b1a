//! EVAL family and SCRIPT: Redis 7's argument checks, texts, conversions and flags, in Rhai.

use redlite::{Config, Error, Reply, Script, Store};

fn store() -> Store {
    Store::with_config(Config::default().active_expiry(false))
}

fn err(text: &str) -> Reply {
    Reply::error(text.to_string())
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
    let s = Store::with_config(Config::default().active_expiry(false).script_cache_size(3));
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
        s.execute(["EVAL", r#"redis::pcall().err"#, "0"]),
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
        err("ERR")
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
    assert_eq!(
        s.execute(["EVAL", "#!lua\n1", "0"]),
        err("ERR Unexpected engine in script shebang: #!lua")
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
