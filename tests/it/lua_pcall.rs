//! `pcall` catching errors as Redis 7.0's does: the error of `redis.call` (a `{err = ..}`
//! table inside Redis) reaches the script as its text, as do library errors, and
//! `redis.error_reply` / `redis.status_reply` build the tables (expected values are
//! redis-server 7.0's replies; the last test compares with a live one).

use crate::common::scripts_on_redis::same_replies_as_redis;
use crate::common::{bulk, bulks, nil};
use crate::lua::{eval, store};

#[test]
fn pcall_of_redis_call_gives_the_error_text() {
    let s = store();
    s.execute(["SET", "k", "a"]);
    let src = "local ok, e = pcall(redis.call, 'INCR', 'k') return {tostring(ok), type(e), e}";
    assert_eq!(
        eval(&s, src, &["k"], &[]),
        bulks(&[
            "false",
            "string",
            "ERR value is not an integer or out of range"
        ])
    );
    let src = "local ok, e = pcall(redis.call, 'INCR', 'k') return e.err";
    assert_eq!(eval(&s, src, &["k"], &[]), nil());
}

#[test]
fn pcall_unwraps_error_tables_and_library_errors() {
    let s = store();
    let src = "local ok, e = pcall(error, {err = 'x'}) return e";
    assert_eq!(eval(&s, src, &[], &[]), bulk("x"));
    let src = "local ok, e = pcall(function() cmsgpack.unpack('\\145') end) return e";
    assert_eq!(
        eval(&s, src, &[], &[]),
        bulk("user_script:1: Missing bytes in input.")
    );
    let src = "local ok, e = pcall(error, {code = 1}) return type(e)";
    assert_eq!(eval(&s, src, &[], &[]), bulk("table"));
}

#[test]
fn pcall_and_reply_helpers_reply_as_on_real_redis() {
    same_replies_as_redis(
        "pcall parity",
        &[
            "redis.call('SET', 'k', 'a') local ok, e = pcall(redis.call, 'INCR', 'k') \
             return {tostring(ok), type(e), e}",
            "redis.call('SET', 'k', 'a') local ok, e = pcall(redis.call, 'INCR', 'k') return e.err",
            "local ok, e = pcall(redis.call, 'NOPE') return e",
            "local ok, e = pcall(redis.call) return e",
            "local ok, e = pcall(function() return redis.call('GET', {}) end) return e",
            "redis.call('SET', 'k', 'a') local ok, e = pcall(redis.call, 'INCR', 'k') error(e)",
            "local ok, e = pcall(error, {err = 'x'}) return e",
            "local ok, e = pcall(error, {err = 'MY code'}) return {tostring(ok), e}",
            "local ok, e = pcall(error, 'plain') return e",
            "local ok, e = pcall(function() error('inner') end) return e",
            "local ok, e = pcall(cmsgpack.unpack, '\\145') return e",
            "local ok, e = pcall(function() cmsgpack.unpack('\\145') end) return e",
            "local ok, e = pcall(function() local x = nil; return x.y end) return e",
            "local ok, a, b = pcall(function() return 1, 2 end) return {tostring(ok), a, b}",
            "redis.call('SET', 'k', 'a') local e = redis.pcall('INCR', 'k') return {type(e), e.err}",
            "local t = redis.error_reply('My Error') return {type(t), t.err}",
            "local t = redis.error_reply('-WRONG x') return t.err",
            "local t = redis.status_reply('FINE') return {type(t), t.ok}",
            "return redis.error_reply('My Error')",
            "return redis.status_reply('FINE')",
            "local ok, e = pcall(redis.error_reply, 'x') return {tostring(ok), type(e)}",
            "redis.call('SET', 'k', 'a') return {xpcall(function() redis.call('INCR', 'k') end, \
             function(e) return type(e) .. ' ' .. tostring(e.err) end)}",
            "return {xpcall(function() cmsgpack.unpack('\\145') end, function(e) return e end)}",
            "return {xpcall(function() error({err = 'E x'}) end, function(e) return e.err end)}",
            "return {xpcall(function() error('s') end, function(e) return e end)}",
        ],
    );
}
