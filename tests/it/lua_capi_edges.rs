//! Edge cases of the C-API bridge (`script::lua::capi`): memory errors around
//! `redis.call`, many arguments, long `KEYS`, coroutines and C frames between the script
//! and `redis.call`, nested scripts refused.

use crate::common::{int, ok};
use crate::lua::eval;
use redlite::{Config, Store};

fn small() -> Store {
    Store::with_config(Config::default().lua_max_memory(1 << 20))
}

/// Fills the memory up to the limit (kept referenced), then runs `tail`.
fn filled(tail: &str) -> String {
    format!(
        "local t = {{}} local n = 0
         pcall(function() while true do n = n + 1 t[n] = string.rep('x', 64) .. n end end)
         {tail}"
    )
}

#[test]
fn a_big_reply_at_the_memory_limit_is_an_error_or_a_result_and_the_state_survives() {
    let s = small();
    let args: Vec<String> = (0..20000).map(|i| format!("member-{i:08}")).collect();
    let mut cmd = vec!["RPUSH".to_string(), "l".to_string()];
    cmd.extend(args);
    s.execute(cmd);
    for _ in 0..3 {
        let r = eval(
            &s,
            &filled("local r = redis.call('LRANGE', 'l', 0, -1) return #r"),
            &["l"],
            &[],
        );
        let text = r.to_string();
        assert!(
            r == int(20000)
                || text.starts_with("ERR Out of memory")
                || text.contains("not enough memory"),
            "{text}"
        );
        let r = eval(
            &s,
            &filled(
                "local r = redis.pcall('LRANGE', 'l', 0, -1) local m = {} for i = 1, 1000 do m[i] = r[i] .. i end return #m",
            ),
            &["l"],
            &[],
        );
        let text = r.to_string();
        assert!(
            r == int(1000)
                || text.starts_with("ERR Out of memory")
                || text.contains("not enough memory"),
            "{text}"
        );
    }
    assert_eq!(
        eval(&s, "return redis.call('LLEN', KEYS[1])", &["l"], &[]),
        int(20000)
    );
}

#[test]
fn an_error_reply_at_the_memory_limit_is_an_error_and_the_state_survives() {
    let s = small();
    s.execute(["SET", "str", "abc"]);
    for src in [
        filled("return redis.call('INCR', KEYS[1])"),
        filled("return redis.pcall('INCR', KEYS[1]).err"),
        filled("local ok, e = pcall(redis.call, 'INCR', KEYS[1]) return tostring(e)"),
        filled("return redis.call('SET', KEYS[1], 'v')"),
        filled("return tonumber('12') + tonumber('x', 99)"),
    ] {
        for _ in 0..3 {
            let r = eval(&s, &src, &["str"], &[]);
            let t = r.to_string();
            let t = t.trim_start_matches('"');
            assert!(
                t.starts_with("ERR")
                    || t == "not enough memory\""
                    || t.starts_with("WRONGTYPE")
                    || r.to_string().starts_with("WRONGTYPE")
                    || r == ok()
                    || r.to_string() == "OK",
                "{src}: {r}"
            );
        }
    }
    assert_eq!(
        eval(&s, "return redis.call('GET', KEYS[1])", &["str"], &[]),
        crate::common::bulk("v")
    );
}

#[test]
fn hundreds_and_thousands_of_mixed_arguments_reach_the_command() {
    let s = crate::lua::store();
    let src = "local a = {} for i = 1, 500 do
          if i % 3 == 0 then a[i] = i elseif i % 3 == 1 then a[i] = i + 0.5 else a[i] = 'm' .. i end
        end
        redis.call('RPUSH', KEYS[1], unpack(a))
        local r = redis.call('LRANGE', KEYS[1], 0, -1)
        return {#r, r[1], r[2], r[3], r[500]}";
    let r = eval(&s, src, &["big"], &[]);
    assert_eq!(
        r.to_string(),
        "[500, \"1.5\", \"m2\", \"3\", \"m500\"]",
        "{r}"
    );
    // More than fit in the C function's stack after the reply table.
    let src = "local a = {} for i = 1, 7900 do a[i] = 'x' end return redis.call('RPUSH', KEYS[1], unpack(a))";
    let r = eval(&s, src, &["huge"], &[]);
    assert_eq!(r, int(7900), "{r}");
}

#[test]
fn a_run_with_few_keys_after_one_with_thousands_sees_only_its_own() {
    let s = crate::lua::store();
    let keys: Vec<String> = (0..5000).map(|i| format!("{{t}}k{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let args: Vec<String> = (0..3000).map(|i| format!("a{i}")).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(eval(&s, "return #KEYS + #ARGV", &keys, &args), int(8000));
    assert_eq!(
        eval(&s, "return #KEYS * 10 + #ARGV", &["{t}k"], &["x"]),
        int(11)
    );
    assert_eq!(eval(&s, "return #KEYS * 10 + #ARGV", &[], &[]), int(0));
    // A script that clears one entry and adds another: the next run sees only its own.
    let _ = eval(
        &s,
        "KEYS[1] = nil ARGV[2] = 'z' return #KEYS * 10 + #ARGV",
        &["{t}a", "{t}b"],
        &["x"],
    );
    assert_eq!(
        eval(
            &s,
            "return {#KEYS, #ARGV, tostring(KEYS[2]), tostring(ARGV[2])}",
            &["{t}a"],
            &["x"]
        )
        .to_string(),
        "[1, 1, \"nil\", \"nil\"]"
    );
}

#[test]
fn redis_call_works_through_coroutines_and_c_callbacks() {
    let s = crate::lua::store();
    s.execute(["SET", "str", "abc"]);
    let src = "local co = coroutine.create(function() return redis.call('INCR', KEYS[1]) end)
        local ok1, e1 = coroutine.resume(co)
        local w = coroutine.wrap(function() return redis.pcall('INCR', KEYS[1]) end)
        local r2 = w()
        local ok3, e3 = pcall(table.sort, {3, 2, 1}, function(a, b) return redis.call('INCR', KEYS[1]) end)
        local s4 = string.gsub('ab', '%w', function(c) return redis.call('GET', KEYS[1]) end)
        local ok5, e5 = pcall(string.gsub, 'ab', '%w', function(c) return redis.call('INCR', KEYS[1]) end)
        local t = setmetatable({}, {__index = redis.pcall})
        local r6 = t.x
        return {tostring(ok1), tostring(e1), r2.err, tostring(ok3), tostring(e3), s4, tostring(ok5), type(r6)}";
    let r = eval(&s, src, &["str"], &[]);
    let text = r.to_string();
    assert!(text.contains("not an integer"), "{text}");
    assert!(text.starts_with("[\"false\""), "{text}");
    assert_eq!(
        eval(&s, "return redis.call('GET', KEYS[1])", &["str"], &[]),
        crate::common::bulk("abc")
    );
}

#[test]
fn nested_scripts_are_refused() {
    let s = crate::lua::store();
    for inner in [
        "return redis.call('EVAL', 'return 1', 0)",
        "return redis.pcall('EVAL', 'return 1', 0).err",
        "return redis.pcall('SCRIPT', 'LOAD', 'return 1')",
        "return redis.pcall('FUNCTION', 'LOAD', '#!lua name=x\\nredis.register_function(\"f\", function() return 1 end)')",
        "return redis.pcall('FCALL', 'f', 0)",
    ] {
        let r = eval(&s, inner, &[], &[]);
        assert!(
            r.to_string().contains("ERR") || r.to_string().contains("not allowed"),
            "{inner}: {r}"
        );
    }
    assert_eq!(eval(&s, "return 1", &[], &[]), int(1));
}

#[test]
fn script_kill_stops_a_loop_of_redis_calls_and_frees_its_locks() {
    let s = Store::with_config(
        Config::default()
            .script_max_operations(u64::MAX)
            .script_time_limit(std::time::Duration::from_secs(60)),
    );
    let runner = {
        let s = s.clone();
        std::thread::spawn(move || {
            eval(
                &s,
                "while true do redis.pcall('GET', KEYS[1]) local ok = pcall(redis.call, 'EXISTS', KEYS[1]) end",
                &["k"],
                &[],
            )
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    loop {
        let r = s.execute(["SCRIPT", "KILL"]);
        if r == ok() {
            break;
        }
        std::thread::yield_now();
    }
    let r = runner.join().unwrap();
    assert!(r.to_string().contains("Script killed by user"), "{r}");
    assert_eq!(s.execute(["SET", "k", "1"]), ok());
}
