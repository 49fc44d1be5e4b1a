//! The Lua sandbox and limits: no `os`/`io`/`loadfile`/`dofile`/`require`, read-only
//! globals and libraries with Redis's texts, nothing kept between runs, and the operation,
//! memory and time limits stopping runaway scripts (their locks freed).

use std::time::Duration;

use crate::common::{bulk, int, ok};
use crate::lua::{eval, store, text};
use redlite::{Config, Store};

#[test]
fn os_io_loadfile_dofile_and_require_are_absent() {
    let s = store();
    for name in [
        "os", "io", "loadfile", "dofile", "require", "debug", "package",
    ] {
        let src = format!("return {name}");
        let r = eval(&s, &src, &[], &[]);
        assert_eq!(
            text(&src, &r),
            format!(
                "ERR user_script:1: Script attempted to access nonexistent global variable \
                 '{name}' script: <sha>, on @user_script:1."
            )
        );
    }
}

#[test]
fn globals_and_libraries_are_read_only() {
    let s = store();
    for src in [
        "x = 1",
        "KEYS = {}",
        "string.upper = nil",
        "redis.call = nil",
        "cjson.encode = nil",
        "_G.x = 1",
        "rawset(_G, 'x', 1)",
        "table.insert(_G, 1)",
        "rawset(string, 'y', 1)",
    ] {
        let r = eval(&s, src, &[], &[]);
        assert_eq!(
            text(src, &r),
            "ERR user_script:1: Attempt to modify a readonly table script: <sha>, on \
             @user_script:1.",
            "{src}"
        );
    }
    let r = eval(&s, "return setmetatable(_G, {})", &[], &[]);
    assert!(
        r.to_string()
            .contains("cannot change a protected metatable"),
        "{r}"
    );
    let r = eval(&s, "local f = loadstring('y = 1') f()", &[], &[]);
    assert!(
        r.to_string().contains("Attempt to modify a readonly table"),
        "{r}"
    );
}

#[test]
fn locals_and_library_use_still_work_and_nothing_survives_a_run() {
    let s = store();
    let src = "local t = {} for i = 1, 3 do table.insert(t, i * 2) end
               table.sort(t, function(a, b) return a > b end)
               return {table.concat(t, ','), string.rep('ab', 2), ('x'):upper(), math.floor(2.7)}";
    assert_eq!(
        eval(&s, src, &[], &[]),
        redlite::Reply::Array(vec![bulk("6,4,2"), bulk("abab"), bulk("X"), int(2)])
    );
    let r = eval(&s, "return type(getmetatable(''))", &[], &[]);
    assert_eq!(r, bulk("boolean"));
    let r = eval(&s, "return tostring(rawget(_G, 'x'))", &[], &[]);
    assert_eq!(r, bulk("nil"));
}

#[test]
fn a_runaway_loop_hits_the_operation_limit() {
    let s = Store::with_config(Config::default().script_max_operations(100_000));
    let src = "while true do end";
    let r = eval(&s, src, &[], &[]);
    assert_eq!(
        text(src, &r),
        "ERR Script stopped: it ran more Lua instructions than the script operation limit \
         script: <sha>, on @user_script:1."
    );
}

#[test]
fn pcall_cannot_swallow_a_limit() {
    let s = Store::with_config(Config::default().script_max_operations(100_000));
    let src = "local n = 0
               while true do pcall(function() while true do n = n + 1 end end) end";
    let r = eval(&s, src, &[], &[]);
    assert!(
        r.to_string()
            .starts_with("ERR Script stopped: it ran more Lua instructions"),
        "{r}"
    );
}

#[test]
fn endless_allocation_hits_the_memory_limit() {
    let s = Store::with_config(Config::default().lua_max_memory(4 << 20));
    let src = "local t = {} local s = 'x' while true do s = s .. s t[#t + 1] = s end";
    let r = eval(&s, src, &[], &[]);
    assert!(r.to_string().starts_with("ERR Out of memory"), "{r}");
    // The state is usable afterwards.
    assert_eq!(eval(&s, "return 1", &[], &[]), int(1));
}

#[test]
fn the_time_limit_stops_a_loop_and_its_locks_are_freed() {
    let s = Store::with_config(
        Config::default()
            .script_max_operations(u64::MAX)
            .script_time_limit(Duration::from_millis(100)),
    );
    let src = "redis.call('GET', KEYS[1]) while true do end";
    let r = eval(&s, src, &["k"], &[]);
    assert_eq!(
        text(src, &r),
        "ERR Script killed: it ran longer than the script time limit (100 ms) script: <sha>, \
         on @user_script:1."
    );
    // The key's shard lock went with the run.
    assert_eq!(s.execute(["SET", "k", "1"]), ok());
}

#[test]
fn script_kill_stops_a_lua_script_that_has_not_written() {
    let s = Store::with_config(
        Config::default()
            .script_max_operations(u64::MAX)
            .script_time_limit(Duration::from_secs(60)),
    );
    let runner = {
        let s = s.clone();
        std::thread::spawn(move || {
            eval(
                &s,
                "#!lua flags=allow-undeclared-keys\nwhile true do end",
                &[],
                &[],
            )
        })
    };
    loop {
        let r = s.execute(["SCRIPT", "KILL"]);
        if r == ok() {
            break;
        }
        assert!(r.to_string().starts_with("NOTBUSY"), "{r}");
        std::thread::yield_now();
    }
    let r = runner.join().unwrap();
    assert!(
        r.to_string()
            .starts_with("ERR Script killed by user with SCRIPT KILL..."),
        "{r}"
    );
    // It held every shard; they are free again.
    assert_eq!(s.execute(["SET", "any", "1"]), ok());
}

#[test]
fn deeply_nested_results_are_a_stack_limit_error() {
    let s = store();
    let r = eval(
        &s,
        "local t = {} local cur = t for i = 1, 2000 do cur[1] = {} cur = cur[1] end return t",
        &[],
        &[],
    );
    assert_eq!(r.to_string(), "ERR reached lua stack limit");
    let r = eval(&s, "local t = {} t[1] = t return t", &[], &[]);
    assert_eq!(r.to_string(), "ERR reached lua stack limit");
}

#[test]
fn a_huge_result_is_bounded_by_max_reply_bytes() {
    let s = Store::with_config(Config::default().max_reply_bytes(1 << 20));
    let r = eval(
        &s,
        "local s = string.rep('x', 100000) local t = {} for i = 1, 100 do t[i] = s end return t",
        &[],
        &[],
    );
    assert!(
        r.to_string()
            .starts_with("ERR reply exceeds max-reply-bytes"),
        "{r}"
    );
}
