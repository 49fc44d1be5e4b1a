//! The Lua bridge's C-API fast paths keep Lua's and Redis's behaviour: `tonumber`'s own
//! parse of short integers, `redis.call`'s arguments read off the stack, replies pushed
//! onto it, `KEYS`/`ARGV` refilled by index, results read back.

use crate::common::{bulk, bulks, err, int, nil, status};
use crate::lua::{eval, store, text};
use redlite::Reply;

#[test]
fn tonumber_gives_lua_51s_results_for_every_string_shape() {
    let s = store();
    let src = "local t = {}
        for _, v in ipairs({'12', '-0', ' 12 ', '0x1F', '1e3', '12a', '', '123456789012345',
                            '1234567890123456789', '-', '1.5', '+5', '007', '12\\0'}) do
          t[#t + 1] = tostring(tonumber(v))
        end
        t[#t + 1] = tostring(tonumber('ff', 16))
        t[#t + 1] = tostring(tonumber(7.25))
        t[#t + 1] = tostring(tonumber(nil))
        t[#t + 1] = tostring(1 / tonumber('-0'))
        return t";
    // What redis-server 7.0 answers for the same script.
    let expected = [
        "12",
        "-0",
        "12",
        "31",
        "1000",
        "nil",
        "nil",
        "1.2345678901234e+14",
        "1.2345678901235e+18",
        "nil",
        "1.5",
        "5",
        "7",
        "12",
        "255",
        "7.25",
        "nil",
        "-inf",
    ];
    assert_eq!(eval(&s, src, &[], &[]), bulks(&expected));
}

#[test]
fn tonumber_errors_keep_lua_texts() {
    let s = store();
    let src = "return tonumber()";
    assert_eq!(
        text(src, &eval(&s, src, &[], &[])),
        "ERR user_script:1: bad argument #1 to 'tonumber' (value expected) script: <sha>, \
         on @user_script:1."
    );
    let src = "return tonumber('1', 99)";
    assert_eq!(
        text(src, &eval(&s, src, &[], &[])),
        "ERR user_script:1: bad argument #2 to 'tonumber' (base out of range) script: <sha>, \
         on @user_script:1."
    );
}

#[test]
fn number_arguments_are_written_as_redis_writes_them() {
    let s = store();
    let src = "local out = {}
        for _, n in ipairs({1e-20, -0.0, 0.1, 2^63, 1e15, 1 - 1e-16, -7, 1e17}) do
          redis.call('SET', KEYS[1], n)
          out[#out + 1] = redis.call('GET', KEYS[1])
        end
        return out";
    // redis-server 7.0's `%.17g` for each.
    let expected = [
        "9.9999999999999995e-21",
        "-0",
        "0.10000000000000001",
        "9.2233720368547758e+18",
        "1000000000000000",
        "0.99999999999999989",
        "-7",
        "1e+17",
    ];
    assert_eq!(eval(&s, src, &["k"], &[]), bulks(&expected));
}

#[test]
fn redis_call_refuses_other_argument_types_and_no_arguments() {
    let s = store();
    let src = "return redis.pcall('SET', KEYS[1], {})";
    assert_eq!(
        eval(&s, src, &["k"], &[]),
        err("ERR Lua redis lib command arguments must be strings or integers")
    );
    let src = "return redis.pcall()";
    assert_eq!(
        eval(&s, src, &[], &[]),
        err("ERR Please specify at least one argument for this redis lib call")
    );
    let src = "return redis.call('SET', KEYS[1], true)";
    assert_eq!(
        text(src, &eval(&s, src, &["k"], &[])),
        "ERR Lua redis lib command arguments must be strings or integers script: <sha>, on \
         @user_script:1."
    );
}

/// As in redis-server 7.0, `pcall(redis.call, ..)` hands the script the error's text: a
/// script returning it replies a bulk string, and inside a table too.
#[test]
fn a_caught_call_error_returned_is_its_text_as_redis_returns_it() {
    let s = store();
    s.execute(["RPUSH", "list", "a"]);
    let wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
    let src = "local ok, e = pcall(redis.call, 'GET', KEYS[1]) return e";
    assert_eq!(eval(&s, src, &["list"], &[]), Reply::bulk(wrongtype));
    let src = "local ok, e = pcall(redis.call, 'GET', KEYS[1]) return {ok, e}";
    assert_eq!(
        eval(&s, src, &["list"], &[]),
        Reply::Array(vec![nil(), Reply::bulk(wrongtype)])
    );
}

#[test]
fn nested_replies_and_results_convert_both_ways() {
    let s = store();
    s.execute(["RPUSH", "l", "a", "b", "c"]);
    let src = "local r = redis.call('LRANGE', KEYS[1], 0, -1)
        local st = redis.call('SET', KEYS[2], 'v')
        local missing = redis.call('GET', 'nope')
        return {r, st, missing == false and 1 or 0, {st.ok, {err = 'MYERR x'}}, true, 3.9}";
    let r = eval(&s, src, &["l", "k", "nope"], &[]);
    assert_eq!(
        r,
        Reply::Array(vec![
            bulks(&["a", "b", "c"]),
            status("OK"),
            int(1),
            Reply::Array(vec![bulk("OK"), err("MYERR x")]),
            int(1),
            int(3),
        ])
    );
}

#[test]
fn keys_and_argv_follow_each_run_through_the_same_compiled_script() {
    let s = store();
    let src = "return {#KEYS, #ARGV, KEYS[#KEYS], ARGV[#ARGV]}";
    let sha = match s.execute(["SCRIPT", "LOAD", src]) {
        Reply::Bulk(b) => String::from_utf8(b).expect("hex"),
        other => panic!("{other}"),
    };
    let run = |argv: &[&str]| s.execute([&["EVALSHA", &sha][..], argv].concat());
    assert_eq!(
        run(&["3", "a", "b", "c", "x", "y"]),
        Reply::Array(vec![int(3), int(2), bulk("c"), bulk("y")])
    );
    assert_eq!(
        run(&["1", "k", "z"]),
        Reply::Array(vec![int(1), int(1), bulk("k"), bulk("z")])
    );
    assert_eq!(run(&["0"]), Reply::Array(vec![int(0), int(0)]));
}

#[test]
fn newproxy_is_not_there_as_in_redis_7() {
    let s = store();
    let src = "return newproxy(true)";
    assert_eq!(
        text(src, &eval(&s, src, &[], &[])),
        "ERR user_script:1: Script attempted to access nonexistent global variable \
         'newproxy' script: <sha>, on @user_script:1."
    );
}

fn load(s: &redlite::Store, src: &str) -> String {
    match s.execute(["SCRIPT", "LOAD", src]) {
        Reply::Bulk(b) => String::from_utf8(b).expect("hex"),
        other => panic!("{other}"),
    }
}

#[test]
fn queued_evalshas_each_run_with_their_own_keys_and_args() {
    // EXEC plans every queued command (each fills KEYS/ARGV ahead of its locks) before
    // running any: each run must still see its own arguments.
    let s = store();
    let sha = load(
        &s,
        "KEYS[1] = KEYS[1] .. '!' return {KEYS[1], ARGV[1], #KEYS}",
    );
    let mut c = s.connection();
    c.execute(["MULTI"]);
    c.execute(["EVALSHA", &sha, "1", "a", "x"]);
    c.execute(["EVAL", "return {KEYS[1], KEYS[2]}", "2", "p", "q"]);
    c.execute(["EVALSHA", &sha, "2", "b", "c", "y"]);
    c.execute(["EVALSHA", &sha, "1", "a", "x"]);
    let r = c.execute(["EXEC"]);
    assert_eq!(
        r,
        Reply::Array(vec![
            Reply::Array(vec![bulk("a!"), bulk("x"), int(1)]),
            bulks(&["p", "q"]),
            Reply::Array(vec![bulk("b!"), bulk("y"), int(2)]),
            Reply::Array(vec![bulk("a!"), bulk("x"), int(1)]),
        ])
    );
}

#[test]
fn a_script_that_rewrites_keys_in_place_leaves_the_next_run_its_own() {
    let s = store();
    let sha = load(
        &s,
        "local was = KEYS[1] KEYS[1] = 'changed' ARGV[1] = nil return was",
    );
    for _ in 0..3 {
        assert_eq!(s.execute(["EVALSHA", &sha, "1", "k", "v"]), bulk("k"));
    }
    let sha = load(&s, "return {KEYS[1], ARGV[1]}");
    assert_eq!(
        s.execute(["EVALSHA", &sha, "1", "k", "v"]),
        bulks(&["k", "v"])
    );
}
