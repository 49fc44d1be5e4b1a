//! Redis 7 functions (feature `lua`): FUNCTION LOAD / LIST / DELETE / FLUSH / STATS,
//! FCALL / `FCALL_RO`, `redis.register_function`, with Redis 7.0's replies and error texts.
//! The same libraries against a real redis-server: `parity::lua`.

use crate::common::{bulk, err, int, nil, ok, status};
use redlite::{Reply, Store};

const LIB: &str = "#!lua name=mylib
redis.register_function('set_it', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
redis.register_function{function_name='get_it', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('SET', keys[1], 1) end, flags={'no-writes'}}
redis.register_function('boom', function() return error('oops') end)";

fn loaded() -> Store {
    let s = Store::new();
    assert_eq!(s.execute(["FUNCTION", "LOAD", LIB]), bulk("mylib"));
    s
}

fn load(s: &Store, code: &str) -> Reply {
    s.execute(["FUNCTION", "LOAD", code])
}

#[test]
fn fcall_runs_a_registered_function_with_keys_and_args() {
    let s = loaded();
    assert_eq!(s.execute(["FCALL", "set_it", "1", "k", "v"]), ok());
    assert_eq!(s.execute(["FCALL", "get_it", "1", "k"]), bulk("v"));
    assert_eq!(s.execute(["FCALL_RO", "get_it", "1", "k"]), bulk("v"));
    assert_eq!(s.execute(["GET", "k"]), bulk("v"));
}

#[test]
fn fcall_ro_refuses_a_function_without_no_writes() {
    let s = loaded();
    assert_eq!(
        s.execute(["FCALL_RO", "set_it", "1", "k", "v"]),
        err("ERR Can not execute a script with write flag using *_ro command.")
    );
    assert_eq!(s.execute(["GET", "k"]), nil());
}

#[test]
fn a_no_writes_function_cannot_write() {
    let s = loaded();
    assert_eq!(
        s.execute(["FCALL", "sneaky", "1", "k"]),
        err(
            "ERR Write commands are not allowed from read-only scripts. script: sneaky, on \
             @user_function:4."
        )
    );
}

#[test]
fn a_runtime_error_names_the_function_and_its_line() {
    let s = loaded();
    assert_eq!(
        s.execute(["FCALL", "boom", "0"]),
        err("ERR user_function:5: oops script: boom, on @user_function:5.")
    );
}

#[test]
fn fcall_checks_the_function_then_numkeys() {
    let s = loaded();
    assert_eq!(
        s.execute(["FCALL", "nope", "0"]),
        err("ERR Function not found")
    );
    assert_eq!(
        s.execute(["FCALL", "get_it", "x"]),
        err("ERR Bad number of keys provided")
    );
    assert_eq!(
        s.execute(["FCALL", "get_it", "2", "k"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        s.execute(["FCALL", "get_it", "-1"]),
        err("ERR Number of keys can't be negative")
    );
}

#[test]
fn load_refuses_an_existing_library_unless_replace() {
    let s = loaded();
    let v2 = "#!lua name=mylib\nredis.register_function('v2', function() return 2 end)";
    assert_eq!(load(&s, v2), err("ERR Library 'mylib' already exists"));
    assert_eq!(
        s.execute(["FUNCTION", "LOAD", "REPLACE", v2]),
        bulk("mylib")
    );
    assert_eq!(s.execute(["FCALL", "v2", "0"]), int(2));
    assert_eq!(
        s.execute(["FCALL", "set_it", "1", "k", "v"]),
        err("ERR Function not found")
    );
}

#[test]
fn load_refuses_a_function_name_another_library_has() {
    let s = loaded();
    let other = "#!lua name=other\nredis.register_function('get_it', function() return 1 end)";
    assert_eq!(load(&s, other), err("ERR Function get_it already exists"));
    assert_eq!(
        s.execute(["FUNCTION", "DELETE", "other"]),
        err("ERR Library not found")
    );
}

#[test]
fn load_checks_the_header_as_redis_does() {
    let s = Store::new();
    for (code, text) in [
        ("return 1", "ERR Missing library metadata"),
        ("#!lua", "ERR Invalid library metadata"),
        (
            "#!lua foo=bar\n",
            "ERR Invalid metadata value given: foo=bar",
        ),
        ("#!lua\n", "ERR Library name was not given"),
        (
            "#!lua name=a-b\n",
            "ERR Library names can only contain letters, numbers, or underscores(_) and must \
             be at least one character long",
        ),
        ("#!js name=x\n", "ERR Engine 'js' not found"),
        ("#!lua name=x\nreturn 1", "ERR No functions registered"),
        (
            "#!lua name=x\nlocal a = (",
            "ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'",
        ),
    ] {
        assert_eq!(load(&s, code), err(text), "{code}");
    }
}

#[test]
fn register_function_misuse_answers_redis_texts() {
    let s = Store::new();
    let pre = "ERR Error registering functions: ERR ";
    for (call, text) in [
        (
            "redis.register_function()",
            "wrong number of arguments to redis.register_function",
        ),
        (
            "redis.register_function(1, function() end)",
            "first argument to redis.register_function must be a string",
        ),
        (
            "redis.register_function('f', 1)",
            "second argument to redis.register_function must be a function",
        ),
        (
            "redis.register_function('f')",
            "calling redis.register_function with a single argument is only applicable to Lua \
             table (representing named arguments).",
        ),
        (
            "redis.register_function{function_name='f', callback=function() end, flags={'bad'}}",
            "unknown flag given",
        ),
        (
            "redis.register_function{function_name='f', callback=function() end, x=1}",
            "unknown argument given to redis.register_function",
        ),
        (
            "redis.register_function{callback=function() end}",
            "redis.register_function must get a function name argument",
        ),
        (
            "redis.register_function('f', function() end) redis.register_function('f', function() end)",
            "Function already exists in the library",
        ),
    ] {
        let code = format!("#!lua name=x\n{call}");
        assert_eq!(load(&s, &code), err(&format!("{pre}{text}")), "{call}");
    }
    assert_eq!(s.execute(["FUNCTION", "LIST"]), Reply::Array(vec![]));
}

#[test]
fn register_function_outside_a_load_is_refused() {
    let s = Store::new();
    let code = "#!lua name=x\nredis.register_function('f', function() \
                redis.register_function('g', function() end) end)";
    assert_eq!(load(&s, code), bulk("x"));
    assert_eq!(
        s.execute(["FCALL", "f", "0"]),
        err(
            "ERR redis.register_function can only be called on FUNCTION LOAD command script: \
             f, on @user_function:2."
        )
    );
}

fn function_entry(name: &str, description: Option<&str>, flags: &[&str]) -> Reply {
    Reply::Array(vec![
        bulk("name"),
        bulk(name),
        bulk("description"),
        description.map_or(nil(), bulk),
        bulk("flags"),
        Reply::Array(flags.iter().map(|f| status(f)).collect()),
    ])
}

#[test]
fn list_shows_libraries_functions_flags_and_code() {
    let s = loaded();
    let functions = Reply::Array(vec![
        function_entry("boom", None, &[]),
        function_entry("get_it", Some("reads"), &["no-writes"]),
        function_entry("set_it", None, &[]),
        function_entry("sneaky", None, &["no-writes"]),
    ]);
    let entry = |code: bool| {
        let mut e = vec![
            bulk("library_name"),
            bulk("mylib"),
            bulk("engine"),
            bulk("LUA"),
            bulk("functions"),
            functions.clone(),
        ];
        if code {
            e.extend([bulk("library_code"), bulk(LIB)]);
        }
        Reply::Array(vec![Reply::Array(e)])
    };
    assert_eq!(s.execute(["FUNCTION", "LIST"]), entry(false));
    assert_eq!(
        s.execute(["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "my*"]),
        entry(true)
    );
    assert_eq!(
        s.execute(["FUNCTION", "LIST", "LIBRARYNAME", "x*"]),
        Reply::Array(vec![])
    );
    assert_eq!(
        s.execute(["FUNCTION", "LIST", "LIBRARYNAME"]),
        err("ERR library name argument was not given")
    );
    assert_eq!(
        s.execute(["FUNCTION", "LIST", "foo"]),
        err("ERR Unknown argument foo")
    );
}

#[test]
fn delete_flush_and_stats_track_the_libraries() {
    let s = loaded();
    let other = "#!lua name=other\nredis.register_function('one', function() return 1 end)";
    assert_eq!(load(&s, other), bulk("other"));
    let stats = |libs: i64, fns: i64| {
        Reply::Array(vec![
            bulk("running_script"),
            nil(),
            bulk("engines"),
            Reply::Array(vec![
                bulk("LUA"),
                Reply::Array(vec![
                    bulk("libraries_count"),
                    int(libs),
                    bulk("functions_count"),
                    int(fns),
                ]),
            ]),
        ])
    };
    assert_eq!(s.execute(["FUNCTION", "STATS"]), stats(2, 5));
    assert_eq!(s.execute(["FUNCTION", "DELETE", "other"]), ok());
    assert_eq!(
        s.execute(["FCALL", "one", "0"]),
        err("ERR Function not found")
    );
    assert_eq!(s.execute(["FUNCTION", "STATS"]), stats(1, 4));
    assert_eq!(
        s.execute(["FUNCTION", "FLUSH", "foo"]),
        err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    );
    assert_eq!(s.execute(["FUNCTION", "FLUSH", "ASYNC"]), ok());
    assert_eq!(s.execute(["FUNCTION", "STATS"]), stats(0, 0));
    assert_eq!(
        s.execute(["FCALL", "get_it", "1", "k"]),
        err("ERR Function not found")
    );
}

#[test]
fn functions_run_on_threads_that_did_not_load_them() {
    let s = loaded();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || {
                let key = format!("k{i}");
                for n in 0..50 {
                    let v = n.to_string();
                    assert_eq!(s.execute(["FCALL", "set_it", "1", &key, &v]), ok());
                }
                s.execute(["FCALL_RO", "get_it", "1", &key])
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().ok(), Some(bulk("49")));
    }
}

#[test]
fn a_library_loaded_inside_exec_serves_a_later_fcall_of_the_same_exec() {
    let s = Store::new();
    let mut c = s.connection();
    let code = "#!lua name=tx\nredis.register_function('incr_it', function(keys) \
                return redis.call('INCR', keys[1]) end)";
    assert_eq!(c.execute(["MULTI"]), ok());
    assert_eq!(c.execute(["FUNCTION", "LOAD", code]), status("QUEUED"));
    assert_eq!(c.execute(["FCALL", "incr_it", "1", "n"]), status("QUEUED"));
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![bulk("tx"), int(1)]));
    assert_eq!(s.execute(["GET", "n"]), bulk("1"));
}

#[test]
fn a_function_may_not_touch_an_undeclared_key() {
    let s = Store::new();
    let code = "#!lua name=u\nredis.register_function('touch', function() \
                return redis.call('GET', 'elsewhere') end)";
    assert_eq!(load(&s, code), bulk("u"));
    let reply = s.execute(["FCALL", "touch", "0"]).to_string();
    assert!(
        reply.starts_with("ERR Script attempted to access key 'elsewhere' that is not in KEYS"),
        "{reply}"
    );
}
