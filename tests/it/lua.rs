//! The Lua engine (feature `lua`): Redis's Lua API, conversions both ways, the shebang and
//! default-engine rules, error texts. Libraries: `lua_libs`; sandbox and limits:
//! `lua_sandbox`.

use crate::common::{bulk, err, int, nil, ok, status};
use redlite::{Config, Reply, Script, ScriptEngine, ScriptFlag, Store};

pub fn store() -> Store {
    Store::with_config(Config::default().active_expiry(false))
}

pub fn eval(s: &Store, src: &str, keys: &[&str], args: &[&str]) -> Reply {
    let numkeys = keys.len().to_string();
    let mut argv = vec!["EVAL", src, &numkeys];
    argv.extend_from_slice(keys);
    argv.extend_from_slice(args);
    s.execute(argv)
}

/// The reply's text with the script SHA1 replaced by `<sha>`.
pub fn text(src: &str, reply: &Reply) -> String {
    reply.to_string().replace(Script::new(src).sha1(), "<sha>")
}

#[test]
fn lua_is_the_default_engine_and_shebangs_choose() {
    let s = store();
    assert_eq!(eval(&s, "return 1 + 1", &[], &[]), int(2));
    assert_eq!(eval(&s, "#!lua\nreturn 'lua'", &[], &[]), bulk("lua"));
    assert_eq!(eval(&s, "#!rhai\n40 + 2", &[], &[]), int(42));
    let rhai = Store::with_config(Config::default().default_script_engine(ScriptEngine::Rhai));
    assert_eq!(eval(&rhai, "40 + 2", &[], &[]), int(42));
    assert_eq!(eval(&rhai, "#!lua\nreturn 3", &[], &[]), int(3));
}

#[test]
fn keys_and_argv_are_one_based_tables_refilled_each_run() {
    let s = store();
    let src = "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}";
    let r = eval(&s, src, &["a", "b"], &["x"]);
    assert_eq!(
        r,
        Reply::Array(vec![bulk("a"), bulk("b"), bulk("x"), int(2), int(1)])
    );
    let r = eval(&s, src, &["c"], &[]);
    assert_eq!(r, Reply::Array(vec![bulk("c")]));
    assert_eq!(eval(&s, "return #KEYS + #ARGV", &[], &[]), int(0));
}

#[test]
fn a_script_that_grows_keys_does_not_leak_into_the_next_run() {
    let s = store();
    eval(
        &s,
        "table.insert(KEYS, 'extra'); KEYS.x = 1; rawset(ARGV, 9, 'y')",
        &["a"],
        &["b"],
    );
    let r = eval(
        &s,
        "return {#KEYS, #ARGV, tostring(KEYS.x), tostring(ARGV[9])}",
        &["a"],
        &["b"],
    );
    assert_eq!(
        r,
        Reply::Array(vec![int(1), int(1), bulk("nil"), bulk("nil")])
    );
}

#[test]
fn redis_call_runs_commands_and_converts_replies() {
    let s = store();
    let r = eval(
        &s,
        "redis.call('SET', KEYS[1], 10)
         local st = redis.call('SET', KEYS[1], 11)
         return {redis.call('INCR', KEYS[1]), redis.call('GET', KEYS[1]),
                 tostring(redis.call('GET', 'nope')), st.ok, type(redis.call('LRANGE', 'l', 0, -1))}",
        &["k", "nope", "l"],
        &[],
    );
    assert_eq!(
        r,
        Reply::Array(vec![
            int(12),
            bulk("12"),
            bulk("false"),
            bulk("OK"),
            bulk("table")
        ])
    );
}

#[test]
fn number_arguments_are_written_with_17_significant_digits_as_redis_does() {
    let s = store();
    let r = eval(
        &s,
        "redis.call('SET', KEYS[1], 1.5) local a = redis.call('GET', KEYS[1])
         redis.call('SET', KEYS[1], 1e15) local b = redis.call('GET', KEYS[1])
         redis.call('SET', KEYS[1], -42) local c = redis.call('GET', KEYS[1])
         return {a, b, c}",
        &["k"],
        &[],
    );
    assert_eq!(
        r,
        Reply::Array(vec![bulk("1.5"), bulk("1000000000000000"), bulk("-42")])
    );
}

#[test]
fn results_convert_by_redis_rules() {
    let s = store();
    assert_eq!(eval(&s, "return 3.99", &[], &[]), int(3));
    assert_eq!(eval(&s, "return -3.99", &[], &[]), int(-3));
    assert_eq!(eval(&s, "return true", &[], &[]), int(1));
    assert_eq!(eval(&s, "return false", &[], &[]), nil());
    assert_eq!(eval(&s, "return nil", &[], &[]), nil());
    assert_eq!(eval(&s, "return 'x'", &[], &[]), bulk("x"));
    assert_eq!(
        eval(&s, "return {1, 2, nil, 4}", &[], &[]),
        Reply::Array(vec![int(1), int(2)])
    );
    assert_eq!(
        eval(&s, "return {1, {2, {'three'}}}", &[], &[]),
        Reply::Array(vec![
            int(1),
            Reply::Array(vec![int(2), Reply::Array(vec![bulk("three")])])
        ])
    );
    assert_eq!(eval(&s, "return {a = 1}", &[], &[]), Reply::Array(vec![]));
    assert_eq!(eval(&s, "return {ok = 'FINE'}", &[], &[]), status("FINE"));
    assert_eq!(
        eval(&s, "return {err = 'BAD thing'}", &[], &[]),
        err("BAD thing")
    );
    assert_eq!(eval(&s, "return function() end", &[], &[]), nil());
}

#[test]
fn status_and_error_reply_helpers() {
    let s = store();
    assert_eq!(
        eval(&s, "return redis.status_reply('FOO')", &[], &[]),
        status("FOO")
    );
    assert_eq!(
        eval(&s, "return redis.error_reply('MY bad')", &[], &[]),
        err("MY bad")
    );
    assert_eq!(
        eval(&s, "return redis.error_reply('x')", &[], &[]),
        err("ERR x")
    );
    assert_eq!(
        eval(&s, "return redis.error_reply('-WRONG thing')", &[], &[]),
        err("WRONG thing")
    );
}

#[test]
fn pcall_returns_errors_as_tables_and_call_raises_them() {
    let s = store();
    s.set("s", "abc").unwrap();
    let r = eval(
        &s,
        "local e = redis.pcall('INCR', KEYS[1]) return e.err",
        &["s"],
        &[],
    );
    assert_eq!(r, bulk("ERR value is not an integer or out of range"));
    let src = "return redis.call('INCR', KEYS[1])";
    let r = eval(&s, src, &["s"], &[]);
    assert_eq!(
        text(src, &r),
        "ERR value is not an integer or out of range script: <sha>, on @user_script:1."
    );
    let src = "local x = 1\nreturn redis.call('LPUSH', KEYS[1], 'v')";
    let r = eval(&s, src, &["s"], &[]);
    assert_eq!(
        text(src, &r),
        "WRONGTYPE Operation against a key holding the wrong kind of value script: <sha>, on \
         @user_script:2."
    );
}

#[test]
fn errors_are_formatted_as_redis_7_formats_them() {
    let s = store();
    let cases = [
        (
            "error('boom')",
            "ERR user_script:1: boom script: <sha>, on @user_script:1.",
        ),
        (
            "\n\nlocal t = nil\nreturn t.x",
            "ERR user_script:4: attempt to index local 't' (a nil value) script: <sha>, on \
             @user_script:4.",
        ),
        (
            "return redis.call('nope')",
            "ERR Unknown Redis command called from script script: <sha>, on @user_script:1.",
        ),
        (
            "return redis.call('get')",
            "ERR Wrong number of args calling Redis command from script script: <sha>, on \
             @user_script:1.",
        ),
        (
            "return redis.call()",
            "ERR Please specify at least one argument for this redis lib call script: <sha>, \
             on @user_script:1.",
        ),
        (
            "return redis.call('get', {})",
            "ERR Lua redis lib command arguments must be strings or integers script: <sha>, on \
             @user_script:1.",
        ),
        (
            "error({err = 'CUSTOM failure'})",
            "CUSTOM failure script: <sha>, on @user_script:1.",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(text(src, &eval(&s, src, &[], &[])), want, "{src}");
    }
}

#[test]
fn compile_errors_name_the_line() {
    let s = store();
    let r = eval(&s, "return (", &[], &[]);
    assert!(
        r.to_string()
            .starts_with("ERR Error compiling script (new function): user_script:1: "),
        "{r}"
    );
    let r = s.execute(["SCRIPT", "LOAD", "local = 1"]);
    assert!(
        r.to_string()
            .starts_with("ERR Error compiling script (new function): user_script:1: "),
        "{r}"
    );
}

#[test]
fn sha1hex_log_setresp_set_repl_and_version() {
    let s = store();
    assert_eq!(
        eval(&s, "return redis.sha1hex('')", &[], &[]),
        bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    );
    assert_eq!(
        eval(
            &s,
            "redis.log(redis.LOG_WARNING, 'hi') return redis.LOG_DEBUG + redis.LOG_VERBOSE + redis.LOG_NOTICE + redis.LOG_WARNING",
            &[],
            &[]
        ),
        int(6)
    );
    let src = "redis.log(99, 'x')";
    assert_eq!(
        text(src, &eval(&s, src, &[], &[])),
        "ERR Invalid debug level. script: <sha>, on @user_script:1."
    );
    assert_eq!(eval(&s, "redis.setresp(2) return 1", &[], &[]), int(1));
    let src = "redis.setresp(4)";
    assert!(text(src, &eval(&s, src, &[], &[])).starts_with("ERR RESP version must be 2 or 3."));
    assert_eq!(
        eval(&s, "redis.set_repl(redis.REPL_ALL) return 1", &[], &[]),
        int(1)
    );
    assert_eq!(
        eval(
            &s,
            "return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM",
            &[],
            &[]
        ),
        bulk("7.0.15 458767")
    );
}

#[test]
fn evalsha_and_script_load_run_lua() {
    let s = store();
    let src = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    let sha = s.execute(["SCRIPT", "LOAD", src]);
    assert_eq!(sha, bulk(Script::new(src).sha1()));
    let sha = Script::new(src).sha1().to_string();
    assert_eq!(s.execute(["EVALSHA", &sha, "1", "n", "5"]), int(5));
    assert_eq!(s.execute(["EVALSHA", &sha, "1", "n", "5"]), int(10));
    let incr = Script::new(src);
    assert_eq!(incr.key("m").arg(3).invoke::<i64>(&s).unwrap(), 3);
}

#[test]
fn the_guides_increment_in_lua_counts_exactly_on_many_threads() {
    let s = store();
    let src = "local current = tonumber(redis.call('GET', KEYS[1]) or '0')
               local new = current + tonumber(ARGV[1])
               redis.call('SET', KEYS[1], new)
               return new";
    let threads: Vec<_> = (0..5)
        .map(|_| {
            let s = s.clone();
            std::thread::spawn(move || {
                for _ in 0..400 {
                    eval(&s, src, &["counter"], &["1"]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(s.execute(["GET", "counter"]), bulk("2000"));
}

#[test]
fn undeclared_keys_fail_unless_flagged_or_configured() {
    let s = store();
    let src = "return redis.call('SET', 'other', 1)";
    let r = eval(&s, src, &[], &[]);
    assert!(
        r.to_string()
            .contains("'#!lua flags=allow-undeclared-keys'"),
        "{r}"
    );
    let src = "#!lua flags=allow-undeclared-keys\nreturn redis.call('SET', 'other', 1)";
    assert_eq!(eval(&s, src, &[], &[]), ok());
    let legacy = Store::with_config(
        Config::default().default_script_flags([ScriptFlag::AllowUndeclaredKeys]),
    );
    assert_eq!(
        eval(&legacy, "return redis.call('SET', 'other', 1)", &[], &[]),
        ok()
    );
}

#[test]
fn no_writes_and_eval_ro_refuse_writes() {
    let s = store();
    let src = "#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 1)";
    let r = eval(&s, src, &["k"], &[]);
    assert!(
        r.to_string()
            .starts_with("ERR Write commands are not allowed from read-only scripts."),
        "{r}"
    );
    let r = s.execute(["EVAL_RO", "return redis.call('SET', KEYS[1], 1)", "1", "k"]);
    assert!(
        r.to_string()
            .starts_with("ERR Write commands are not allowed from read-only scripts."),
        "{r}"
    );
    s.set("k", 5).unwrap();
    let r = s.execute(["EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k"]);
    assert_eq!(r, bulk("5"));
    let r = eval(&s, "#!lua badger=1\nreturn 1", &[], &[]);
    assert_eq!(r, err("ERR Unknown lua shebang option: badger=1"));
}
