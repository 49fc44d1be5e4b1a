//! Scripts under attack: writes through `Transaction::read`, cache state inside EXEC,
//! deep values, time, kills, compile cost, transient memory and many keys.

use crate::common::{bulk, int, ok};
use redlite::{Error, Reply, Script, Store};

fn store() -> Store {
    Store::with_config(crate::common::config().active_expiry(false))
}

fn sha(src: &str) -> String {
    Script::new(src).sha1().to_string()
}

#[test]
fn transaction_read_refuses_a_script_that_may_write() {
    let s = store();
    s.set("k", 99).unwrap();
    let incr = r#"redis::call("INCR", KEYS[0])"#;
    let r = s.transaction(&["k"], |tx| {
        tx.read::<Reply, _>(["EVAL", incr, "1", "k"])?;
        Ok(())
    });
    let Err(Error::Reply(text)) = r else {
        panic!("expected the read to be refused, got {r:?}")
    };
    assert!(text.contains("'eval' is not a read"), "{text}");
    assert_eq!(s.execute(["GET", "k"]), bulk("99"));

    // EVALSHA of a cached writing script, and of an unknown one, are refused too.
    s.execute(["SCRIPT", "LOAD", incr]);
    for sha in [sha(incr), "0".repeat(40)] {
        let r = s.transaction(&["k"], |tx| {
            tx.read::<Reply, _>(["EVALSHA", &sha, "1", "k"])
        });
        assert!(matches!(r, Err(Error::Reply(_))), "{r:?}");
    }
    assert_eq!(s.execute(["GET", "k"]), bulk("99"));
}

#[test]
fn transaction_read_refuses_script_cache_changes_but_runs_reads() {
    let s = store();
    s.set("k", 7).unwrap();
    s.execute(["SCRIPT", "LOAD", "1"]);
    for sub in [
        &["SCRIPT", "FLUSH"][..],
        &["SCRIPT", "LOAD", "2"],
        &["SCRIPT", "KILL"],
    ] {
        let r = s.transaction(&["k"], |tx| tx.read::<Reply, _>(sub.iter().copied()));
        assert!(matches!(r, Err(Error::Reply(_))), "{sub:?}: {r:?}");
    }
    assert_eq!(
        s.execute(["SCRIPT", "EXISTS", &sha("1"), &sha("2")]),
        Reply::Array(vec![int(1), int(0)])
    );
    let reads = s
        .transaction(&["k"], |tx| {
            let exists: Vec<i64> = tx.read(["SCRIPT", "EXISTS", &sha("1")])?;
            let get = r#"redis::call("GET", KEYS[0])"#;
            let ro: String = tx.read(["EVAL_RO", get, "1", "k"])?;
            let flagged = format!("#!rhai flags=no-writes\n{get}");
            let nw: String = tx.read(["EVAL", &flagged, "1", "k"])?;
            Ok((exists, ro, nw))
        })
        .unwrap();
    assert_eq!(reads, (vec![1], "7".to_string(), "7".to_string()));
}

#[test]
fn evalsha_of_a_script_loaded_earlier_in_the_same_exec_runs() {
    let s = store();
    let mut c = s.connection();
    let src = "#!rhai flags=allow-undeclared-keys\nredis::call(\"SET\", \"elsewhere\", \"x\"); 1";
    assert_eq!(c.execute(["MULTI"]), ok());
    c.execute(["SCRIPT", "LOAD", src]);
    c.execute(["EVALSHA", &sha(src), "0"]);
    let replies = c.execute(["EXEC"]);
    assert_eq!(replies, Reply::Array(vec![bulk(sha(src)), int(1)]));
    assert_eq!(s.execute(["GET", "elsewhere"]), bulk("x"));

    // A plain script loaded in the same EXEC, with a declared key, runs as well.
    let plain = r#"redis::call("INCR", KEYS[0])"#;
    c.execute(["MULTI"]);
    c.execute(["SCRIPT", "LOAD", plain]);
    c.execute(["EVALSHA", &sha(plain), "1", "n"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![bulk(sha(plain)), int(1)])
    );
}

#[test]
fn evalsha_of_a_script_flushed_earlier_in_the_same_exec_is_noscript() {
    let s = store();
    let mut c = s.connection();
    let src = "#!rhai flags=allow-undeclared-keys\n1";
    s.execute(["SCRIPT", "LOAD", src]);
    c.execute(["MULTI"]);
    c.execute(["SCRIPT", "FLUSH"]);
    c.execute(["EVALSHA", &sha(src), "0"]);
    c.execute(["SCRIPT", "LOAD", src]);
    c.execute(["EVALSHA", &sha(src), "0"]);
    let Reply::Array(replies) = c.execute(["EXEC"]) else {
        panic!("EXEC did not commit")
    };
    assert_eq!(replies[0], ok());
    assert!(
        replies[1].to_string().starts_with("NOSCRIPT"),
        "{:?}",
        replies[1]
    );
    assert_eq!(replies[3], int(1));
}

/// Runs `f` on a thread with a 2 MiB stack (std's and tokio's default for spawned threads).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread survived")
}

#[test]
fn deeply_nested_result_is_a_stack_limit_error_on_a_small_stack() {
    let s = store();
    let s2 = s.clone();
    let (deep, shallow) = on_small_stack(move || {
        let deep = "let a = 1; for i in 0..800 { a = [a]; } a";
        let shallow = "let a = 1; for i in 0..100 { a = [a]; } a";
        (
            s2.execute(["EVAL", deep, "0"]),
            s2.execute(["EVAL", shallow, "0"]),
        )
    });
    assert_eq!(deep, Reply::error("ERR reached lua stack limit"));
    let mut depth = 0;
    let mut r = &shallow;
    while let Reply::Array(items) = r {
        depth += 1;
        r = &items[0];
    }
    assert_eq!((depth, r), (100, &int(1)));
    assert_eq!(s.execute(["PING"]), Reply::status("PONG"));
}

#[test]
fn deeply_nested_values_in_variables_and_errors_do_not_overflow() {
    let s = store();
    let s2 = s.clone();
    let replies = on_small_stack(move || {
        let kept = "let a = 1; for i in 0..900 { a = [a]; } let m = #{x: a}; 0";
        let thrown = "let a = 1; for i in 0..900 { a = [a]; } throw a;";
        [
            s2.execute(["EVAL", kept, "0"]),
            s2.execute(["EVAL", thrown, "0"]),
        ]
    });
    assert_eq!(replies[0], int(0));
    let text = replies[1].to_string();
    assert!(
        text.starts_with("ERR reached lua stack limit script: "),
        "{text}"
    );
}

/// Calls SCRIPT KILL until the script on the other thread is running (NOTBUSY before).
fn kill_when_running(s: &Store) -> Reply {
    for _ in 0..10_000_000 {
        let r = s.execute(["SCRIPT", "KILL"]);
        if !r.to_string().starts_with("NOTBUSY") {
            return r;
        }
        std::thread::yield_now();
    }
    panic!("the script never started")
}

fn endless() -> Store {
    let config = crate::common::config()
        .active_expiry(false)
        .script_max_operations(u64::MAX)
        .script_time_limit(std::time::Duration::from_secs(3600));
    Store::with_config(config)
}

#[test]
fn script_kill_stops_a_looping_script_from_another_thread() {
    let s = endless();
    s.set("k", "v").unwrap();
    assert_eq!(
        s.execute(["SCRIPT", "KILL"]),
        Reply::error("NOTBUSY No scripts in execution right now.")
    );
    let src = "redis::call(\"GET\", KEYS[0]);\nloop { }";
    let runner = {
        let s = s.clone();
        std::thread::spawn(move || s.execute(["EVAL", src, "1", "k"]))
    };
    assert_eq!(kill_when_running(&s), ok());
    let reply = runner.join().unwrap();
    assert_eq!(
        reply.to_string(),
        format!(
            "ERR Script killed by user with SCRIPT KILL... script: {}, on @user_script:2.",
            sha(src)
        )
    );
    // The key's lock is free again, and nothing is left to kill.
    assert_eq!(s.execute(["GET", "k"]), bulk("v"));
    assert_eq!(
        s.execute(["SCRIPT", "KILL"]),
        Reply::error("NOTBUSY No scripts in execution right now.")
    );
}

#[test]
fn script_kill_refuses_a_script_that_wrote() {
    let clock = crate::common::gate::GateClock::default();
    let config = crate::common::config()
        .active_expiry(false)
        .clock(clock.clone())
        .script_max_operations(u64::MAX)
        .script_time_limit(std::time::Duration::from_millis(50));
    let s = Store::with_config(config);
    // SET, then a clock read (TIME) that parks the script's thread until released: by then
    // the script has written.
    let src = "redis::call(\"SET\", KEYS[0], \"x\");\nredis::call(\"TIME\");\nloop { }";
    let runner = {
        let s = s.clone();
        std::thread::spawn(move || {
            crate::common::gate::GateClock::park_next_read_here();
            s.execute(["EVAL", src, "1", "k"])
        })
    };
    assert!(clock.wait_until_parked());
    let refused = s.execute(["SCRIPT", "KILL"]);
    clock.release();
    assert_eq!(
        refused,
        Reply::error(
            "UNKILLABLE Sorry the script already executed write commands against the dataset. \
             You can either wait the script termination or kill the server in a hard way using \
             the SHUTDOWN NOSAVE command."
        )
    );
    // The time limit ends it; its write stays.
    let reply = runner.join().unwrap();
    assert_eq!(
        reply.to_string(),
        format!(
            "ERR Script killed: it ran longer than the script time limit (50 ms) script: {}, \
             on @user_script:3.",
            sha(src)
        )
    );
    assert!(!clock.timed_out());
    assert_eq!(s.execute(["GET", "k"]), bulk("x"));
}

#[test]
fn time_limit_stops_a_script_spending_its_time_in_native_calls() {
    let config = crate::common::config()
        .active_expiry(false)
        .script_time_limit(std::time::Duration::from_millis(100));
    let s = Store::with_config(config);
    s.set("k", "v").unwrap();
    // Few operations, each a scan of a 4 MiB string: the operation limit alone let this run
    // for hours.
    let src = "let s = \"a\"; while s.len() < 4194304 { s += s; }\n\
               let n = 0; loop { n += s.index_of(\"b\"); }";
    let reply = s.execute(["EVAL", src, "1", "k"]);
    let text = reply.to_string();
    assert!(
        text.starts_with("ERR Script killed: it ran longer than the script time limit (100 ms)"),
        "{text}"
    );
    assert_eq!(s.execute(["GET", "k"]), bulk("v"));
}

#[test]
fn script_over_the_source_size_limit_is_refused() {
    let s = Store::with_config(crate::common::config().script_max_source_size(1000));
    let big = format!("{}1", " ".repeat(1000));
    let text = "ERR Script is too large: 1001 bytes, over the script size limit of 1000 bytes";
    assert_eq!(s.execute(["EVAL", &big, "0"]), Reply::error(text));
    assert_eq!(s.execute(["SCRIPT", "LOAD", &big]), Reply::error(text));
    assert_eq!(s.execute(["EVAL", &big[1..], "0"]), int(1));
}

#[test]
fn constructs_rhai_compiles_in_quadratic_time_are_capped() {
    let s = store();
    let entries = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    let map = |n| {
        format!(
            "let m = #{{{}}}; m.len()",
            entries(n, &|i| format!("k{i}: {i},"))
        )
    };
    let switch = |n| {
        format!(
            "switch 3 {{ {} _ => 0 }}",
            entries(n, &|i| format!("{i} => {i},"))
        )
    };
    let lets = |n| format!("{} 1", entries(n, &|i| format!("let x{i} = {i};")));
    let fns = |n| format!("{} 1", entries(n, &|i| format!("fn f{i}() {{ {i} }}")));
    assert_eq!(s.execute(["EVAL", &map(1024), "0"]), int(1024));
    assert_eq!(s.execute(["EVAL", &switch(1023), "0"]), int(3)); // and the `_` arm
    assert_eq!(s.execute(["EVAL", &lets(1022), "0"]), int(1));
    assert_eq!(s.execute(["EVAL", &fns(1024), "0"]), int(1));
    for (what, src) in [
        ("map", map(1025)),
        ("switch", switch(1024)),
        ("lets", lets(1100)),
        ("fns", fns(1025)),
    ] {
        let text = s.execute(["EVAL", &src, "0"]).to_string();
        assert!(
            text.starts_with("ERR Error compiling script (new function): "),
            "{what}: {text}"
        );
    }
}

#[test]
fn a_script_that_does_not_compile_takes_no_lock() {
    let clock = crate::common::gate::GateClock::default();
    let s = Store::with_config(
        crate::common::config()
            .active_expiry(false)
            .clock(clock.clone()),
    );
    // Park a script holding k's shard inside its clock read.
    let holder = {
        let s = s.clone();
        std::thread::spawn(move || {
            crate::common::gate::GateClock::park_next_read_here();
            s.execute(["EVAL", "redis::call(\"TIME\"); 1", "1", "k"])
        })
    };
    assert!(clock.wait_until_parked());
    let reply = s.execute(["EVAL", "let x = ;", "1", "k"]);
    clock.release();
    assert!(
        reply.to_string().starts_with("ERR Error compiling script"),
        "{reply:?}"
    );
    assert!(!clock.timed_out(), "the failing EVAL waited for k's lock");
    assert_eq!(holder.join().unwrap(), int(1));
}

#[test]
fn split_and_to_chars_stop_at_the_array_limit() {
    let s = Store::with_config(crate::common::config().script_max_array_size(1000));
    let big = "let s = \"ab\"; while s.len() < 4000 { s += s; }\n";
    for call in [
        "s.split(\"\")",
        "s.split('a')",
        "s.split_rev(\"b\")",
        "s.to_chars()",
    ] {
        let src = format!("{big}{call}.len()");
        let text = s.execute(["EVAL", &src, "0"]).to_string();
        assert!(
            text.starts_with("ERR Size of array/BLOB too large"),
            "{call}: {text}"
        );
    }
    // Within the limit they answer as Rhai's own do.
    let small = r#"[ "a,b,,c".split(","), "a b  c".split(), "abc".split(""), "a-b-c".split("-", 2),
        "a-b-c".split_rev('-', 2), "".split(","), "x".split(","), "ab".to_chars().len() ]"#;
    assert_eq!(
        s.execute(["EVAL", small, "0"]).to_string(),
        r#"[["a", "b", "", "c"], ["a", "b", "c"], ["", "a", "b", "c", ""], ["a", "b-c"], ["c", "a-b"], [""], ["x"], 2]"#
    );
}

#[test]
fn replace_checks_the_result_size_before_building_it() {
    let s = Store::with_config(crate::common::config().script_max_string_size(1 << 20));
    // 1 MiB of "a", each replaced by 1 MiB: a terabyte if built before the check.
    let src =
        "let s = \"a\"; while s.len() < 1048576 { s += s; } let t = s; s.replace(\"a\", t); 0";
    let text = s.execute(["EVAL", src, "0"]).to_string();
    assert!(text.starts_with("ERR Length of string too large"), "{text}");
    let small = r#"let s = "a-b"; s.replace("-", "+="); let t = "xy"; t.replace('x', "zz"); s + t"#;
    assert_eq!(s.execute(["EVAL", small, "0"]), bulk("a+=bzzy"));
}

#[test]
fn many_declared_keys_are_each_checked() {
    let s = store();
    let keys: Vec<String> = (0..40_000).map(|i| format!("k{i}")).collect();
    let mut argv = vec![
        "EVAL".to_string(),
        "redis::call(\"EXISTS\", KEYS) + redis::call(\"EXISTS\", ARGV[0])".to_string(),
        keys.len().to_string(),
    ];
    argv.extend(keys.iter().cloned());
    argv.push("k39999".into());
    assert_eq!(s.execute(&argv), int(0));
    *argv.last_mut().unwrap() = "k40000".into();
    let text = s.execute(&argv).to_string();
    assert!(text.contains("key 'k40000' that is not in KEYS"), "{text}");
}

#[test]
fn curry_and_capturing_closures_are_refused_but_plain_closures_run() {
    let s = store();
    let curry = "let f = Fn(\"x\"); for i in 0..100000 { f = f.curry(f); } 0";
    let text = s.execute(["EVAL", curry, "0"]).to_string();
    assert!(text.starts_with("ERR Error compiling script"), "{text}");
    // A capture is a curried argument no size check sees: copies of an array past the
    // array limit (here 200 x 16,000 elements), or a chain of closures as deep as the
    // operation limit allows.
    let hoard = "let big = []; big.pad(16000, 0); let list = []; \
                 for i in 0..200 { let b = big; let g = || b; list.push(g); } list.len()";
    let chain = "let a = 1;\nfor i in 0..100000 { let b = a; let g = || b; a = g; } 0";
    for (src, line) in [(hoard, 1), (chain, 2)] {
        let text = s.execute(["EVAL", src, "0"]).to_string();
        assert_eq!(
            text,
            format!(
                "ERR Error compiling script (new function): user_script:{line}: closures \
                 may not capture variables in scripts (pass values as parameters)"
            )
        );
    }
    let closure = "let y = 2; let f = |x, y| x + y; f.call(3, y)";
    assert_eq!(s.execute(["EVAL", closure, "0"]), int(5));
    assert_eq!(
        s.execute([
            "EVAL",
            "[1, 2, 3].map(|v| v * 2).reduce(|s, v| s + v, 0)",
            "0"
        ]),
        int(12)
    );
}

#[test]
fn deep_arrays_passed_to_redis_call_are_refused_without_copying() {
    let s = store();
    let s2 = s.clone();
    let reply = on_small_stack(move || {
        let src = "let a = 1; for i in 0..900 { a = [a]; } redis::call(\"ECHO\", a)";
        s2.execute(["EVAL", src, "0"])
    });
    let text = reply.to_string();
    assert!(
        text.starts_with("ERR Rhai redis lib command arguments must be strings or integers"),
        "{text}"
    );
}
