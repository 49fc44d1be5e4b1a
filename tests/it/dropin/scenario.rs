//! The sync scenario, and the body of calls it shares with the async one (`common_calls!`).

use std::collections::BTreeSet;

use redis::{Commands, ConnectionLike};

use super::log::Log;

/// Script bodies in each side's language: only their results are compared.
pub struct Bodies {
    pub incr_by: &'static str,
    pub echo_keys_args: &'static str,
    pub fail: &'static str,
    pub status: &'static str,
}

pub const LUA: Bodies = Bodies {
    incr_by: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
    echo_keys_args: "return {KEYS[1], ARGV[1], #KEYS}",
    fail: "return redis.error_reply('MYERR went wrong')",
    status: "return redis.status_reply('FINE')",
};

pub const RHAI: Bodies = Bodies {
    incr_by: r#"redis::call("INCRBY", KEYS[0], ARGV[0])"#,
    echo_keys_args: "[KEYS[0], ARGV[0], KEYS.len()]",
    fail: r#"redis::error_reply("MYERR went wrong")"#,
    status: r#"redis::status_reply("FINE")"#,
};

/// The calls both scenarios make, written once: `[$($aw)*]` is `[]` for the sync
/// `redis::Commands` and `[.await]` for `redis::AsyncCommands`; `$q` is `query` or
/// `query_async`, `$inv` is `invoke` or `invoke_async`.
macro_rules! common_calls {
    ($log:ident, $con:ident, $b:ident, [$($aw:tt)*], $q:ident, $inv:ident) => {{
        use std::collections::{BTreeMap, BTreeSet};
        use redis::{Direction, ExistenceCheck, SetExpiry, SetOptions, Value};
        use $crate::dropin::log::call;

        call!($log, "cmd FLUSHALL", (), redis::cmd("FLUSHALL").$q(&mut *$con) $($aw)*);

        // Strings.
        call!($log, "set", (), $con.set("s:a", "hello") $($aw)*);
        call!($log, "get", Option<String>, $con.get("s:a") $($aw)*);
        call!($log, "get missing", Option<String>, $con.get("s:missing") $($aw)*);
        call!($log, "get as Value", Value, $con.get("s:missing") $($aw)*);
        call!($log, "append", i64, $con.append("s:a", " world") $($aw)*);
        call!($log, "strlen", i64, $con.strlen("s:a") $($aw)*);
        call!($log, "getrange", String, $con.getrange("s:a", 0, 4) $($aw)*);
        call!($log, "setrange", i64, $con.setrange("s:a", 6, "WORLD") $($aw)*);
        call!($log, "set_nx", bool, $con.set_nx("s:a", "other") $($aw)*);
        call!($log, "getset", Option<String>, $con.getset("s:a", "new") $($aw)*);
        call!($log, "mset", (), $con.mset(&[("s:m1", "1"), ("s:m2", "2")]) $($aw)*);
        call!($log, "mget", Vec<Option<i64>>, $con.mget(&["s:m1", "s:m2", "s:none"]) $($aw)*);
        call!($log, "incr", i64, $con.incr("s:n", 5) $($aw)*);
        call!($log, "incr float", f64, $con.incr("s:f", 1.5) $($aw)*);
        call!($log, "decr", i64, $con.decr("s:n", 2) $($aw)*);
        call!($log, "get_del", Option<String>, $con.get_del("s:m1") $($aw)*);
        call!($log, "set u64 max", (), $con.set("s:u", u64::MAX) $($aw)*);
        call!($log, "get u64 max", u64, $con.get("s:u") $($aw)*);
        call!($log, "set_options", Option<String>, $con.set_options(
            "s:opt",
            "v",
            SetOptions::default()
                .conditional_set(ExistenceCheck::NX)
                .get(true)
                .with_expiration(SetExpiry::EX(30)),
        ) $($aw)*);
        call!($log, "set bytes", (), $con.set("s:bin", &b"\x00\xff\r\n"[..]) $($aw)*);
        call!($log, "get bytes", Vec<u8>, $con.get("s:bin") $($aw)*);

        // Keys and expiry.
        call!($log, "exists", i64, $con.exists(&["s:a", "s:m2", "s:none"]) $($aw)*);
        call!($log, "key_type", String, $con.key_type("s:a") $($aw)*);
        call!($log, "set_ex", (), $con.set_ex("x:a", "v", 100) $($aw)*);
        call!($log, "ttl", i64, $con.ttl("x:a") $($aw)*);
        call!($log, "ttl no expiry", i64, $con.ttl("s:a") $($aw)*);
        call!($log, "ttl missing", i64, $con.ttl("x:none") $($aw)*);
        call!($log, "expire missing", bool, $con.expire("x:none", 50) $($aw)*);
        call!($log, "expire", bool, $con.expire("s:m2", 50) $($aw)*);
        if let Some(ms) = call!($log, "pexpire", bool, $con.pexpire("s:m2", 40_000) $($aw)*) {
            let _ = ms;
        }
        let pttl: Option<i64> = $con.pttl("s:m2") $($aw)*.ok();
        $log.note("pttl within the set bound", pttl.is_some_and(|p| (30_000..=40_000).contains(&p)));
        call!($log, "persist", bool, $con.persist("s:m2") $($aw)*);
        call!($log, "ttl after persist", i64, $con.ttl("s:m2") $($aw)*);
        call!($log, "expire_at past", bool, $con.expire_at("s:m2", 1) $($aw)*);
        call!($log, "exists after expire_at", bool, $con.exists("s:m2") $($aw)*);
        call!($log, "rename", (), $con.rename("s:n", "s:n2") $($aw)*);
        call!($log, "rename_nx", bool, $con.rename_nx("s:n2", "s:a") $($aw)*);
        call!($log, "del", i64, $con.del(&["s:n2", "s:none"]) $($aw)*);
        call!($log, "unlink", i64, $con.unlink("s:f") $($aw)*);
        call!($log, "keys", BTreeSet<String>, $con.keys("s:*") $($aw)*);

        // Hashes.
        call!($log, "hset", i64, $con.hset("h", "f1", "v1") $($aw)*);
        call!($log, "hset_multiple", (), $con.hset_multiple("h", &[("f2", "v2"), ("f3", "3")]) $($aw)*);
        call!($log, "hset_nx", bool, $con.hset_nx("h", "f1", "again") $($aw)*);
        call!($log, "hget", Option<String>, $con.hget("h", "f1") $($aw)*);
        call!($log, "hmget", Vec<Option<String>>, $con.hmget("h", &["f1", "nope", "f2"]) $($aw)*);
        call!($log, "hincr", i64, $con.hincr("h", "f3", 4) $($aw)*);
        call!($log, "hincr float", f64, $con.hincr("h", "f3", 0.5) $($aw)*);
        call!($log, "hexists", bool, $con.hexists("h", "f2") $($aw)*);
        call!($log, "hdel", i64, $con.hdel("h", &["f2", "nope"]) $($aw)*);
        call!($log, "hlen", i64, $con.hlen("h") $($aw)*);
        call!($log, "hkeys", BTreeSet<String>, $con.hkeys("h") $($aw)*);
        call!($log, "hvals", BTreeSet<String>, $con.hvals("h") $($aw)*);
        call!($log, "hgetall", BTreeMap<String, String>, $con.hgetall("h") $($aw)*);

        // Lists.
        call!($log, "rpush", i64, $con.rpush("l", &["a", "b", "c"]) $($aw)*);
        call!($log, "lpush", i64, $con.lpush("l", "z") $($aw)*);
        call!($log, "lrange", Vec<String>, $con.lrange("l", 0, -1) $($aw)*);
        call!($log, "llen", i64, $con.llen("l") $($aw)*);
        call!($log, "lindex", Option<String>, $con.lindex("l", -1) $($aw)*);
        call!($log, "lset", (), $con.lset("l", 1, "A") $($aw)*);
        call!($log, "linsert_before", i64, $con.linsert_before("l", "b", "ab") $($aw)*);
        call!($log, "lpos", Option<i64>, $con.lpos("l", "c", redis::LposOptions::default()) $($aw)*);
        call!($log, "lrem", i64, $con.lrem("l", 0, "ab") $($aw)*);
        call!($log, "lpop", Option<String>, $con.lpop("l", None) $($aw)*);
        call!($log, "rpop count", Vec<String>, $con.rpop("l", std::num::NonZeroUsize::new(2)) $($aw)*);
        call!($log, "lpop count missing", Value, $con.lpop("l:none", std::num::NonZeroUsize::new(2)) $($aw)*);
        call!($log, "rpush again", i64, $con.rpush("l", &["x", "y", "z"]) $($aw)*);
        call!($log, "ltrim", (), $con.ltrim("l", 1, -1) $($aw)*);
        call!($log, "lmove", Option<String>, $con.lmove("l", "l2", Direction::Left, Direction::Right) $($aw)*);
        call!($log, "rpoplpush", Option<String>, $con.rpoplpush("l", "l2") $($aw)*);
        call!($log, "lrange l2", Vec<String>, $con.lrange("l2", 0, -1) $($aw)*);

        // Sets.
        call!($log, "sadd", i64, $con.sadd("set1", &["a", "b", "c"]) $($aw)*);
        call!($log, "sadd again", i64, $con.sadd("set2", &["b", "c", "d"]) $($aw)*);
        call!($log, "srem", i64, $con.srem("set1", "a") $($aw)*);
        call!($log, "scard", i64, $con.scard("set1") $($aw)*);
        call!($log, "sismember", bool, $con.sismember("set1", "b") $($aw)*);
        call!($log, "smismember", Vec<bool>, $con.smismember("set1", &["b", "zz"]) $($aw)*);
        call!($log, "smembers", BTreeSet<String>, $con.smembers("set2") $($aw)*);
        call!($log, "sinter", BTreeSet<String>, $con.sinter(&["set1", "set2"]) $($aw)*);
        call!($log, "sunion", BTreeSet<String>, $con.sunion(&["set1", "set2"]) $($aw)*);
        call!($log, "sdiff", BTreeSet<String>, $con.sdiff(&["set2", "set1"]) $($aw)*);
        call!($log, "sinterstore", i64, $con.sinterstore("set3", &["set1", "set2"]) $($aw)*);
        call!($log, "smove", bool, $con.smove("set2", "set1", "d") $($aw)*);

        // Sorted sets.
        call!($log, "zadd", i64, $con.zadd("z", "amy", 3) $($aw)*);
        call!($log, "zadd_multiple", i64, $con.zadd_multiple("z", &[(1, "bob"), (5, "cat"), (2, "dan")]) $($aw)*);
        call!($log, "zincr", f64, $con.zincr("z", "bob", 0.5) $($aw)*);
        call!($log, "zscore", Option<f64>, $con.zscore("z", "bob") $($aw)*);
        call!($log, "zcard", i64, $con.zcard("z") $($aw)*);
        call!($log, "zrank", Option<i64>, $con.zrank("z", "amy") $($aw)*);
        call!($log, "zrevrank", Option<i64>, $con.zrevrank("z", "amy") $($aw)*);
        call!($log, "zrange", Vec<String>, $con.zrange("z", 0, -1) $($aw)*);
        call!($log, "zrange_withscores", Vec<(String, f64)>, $con.zrange_withscores("z", 0, 1) $($aw)*);
        call!($log, "zrevrange", Vec<String>, $con.zrevrange("z", 0, 1) $($aw)*);
        call!($log, "zrevrange_withscores", Vec<(String, f64)>, $con.zrevrange_withscores("z", 0, -1) $($aw)*);
        call!($log, "zrangebyscore", Vec<String>, $con.zrangebyscore("z", "(1.5", "+inf") $($aw)*);
        call!($log, "zcount", i64, $con.zcount("z", 2, 3) $($aw)*);
        call!($log, "zlexcount", i64, $con.zlexcount("z", "-", "+") $($aw)*);
        call!($log, "zpopmin", Vec<(String, f64)>, $con.zpopmin("z", 1) $($aw)*);
        call!($log, "zpopmax", Vec<(String, f64)>, $con.zpopmax("z", 1) $($aw)*);
        call!($log, "zrem", i64, $con.zrem("z", "dan") $($aw)*);
        call!($log, "zremrangebyrank", i64, $con.zremrangebyrank("z", 0, 0) $($aw)*);
        call!($log, "zrembyscore", i64, $con.zrembyscore("z", "-inf", "+inf") $($aw)*);

        // redis::cmd for anything.
        call!($log, "cmd ECHO", String, redis::cmd("ECHO").arg("hi").$q(&mut *$con) $($aw)*);
        call!($log, "cmd PING", Value, redis::cmd("PING").$q(&mut *$con) $($aw)*);
        call!($log, "cmd ZADD", i64, redis::cmd("ZADD").arg("z2").arg(1).arg("a").arg(2).arg("b").$q(&mut *$con) $($aw)*);
        call!($log, "cmd ZREVRANGE", Vec<String>, redis::cmd("ZREVRANGE").arg("z2").arg(0).arg(-1).$q(&mut *$con) $($aw)*);
        call!($log, "cmd SET raw", Value, redis::cmd("SET").arg("c:k").arg("v").$q(&mut *$con) $($aw)*);
        call!($log, "cmd TYPE raw", Value, redis::cmd("TYPE").arg("c:k").$q(&mut *$con) $($aw)*);
        call!($log, "cmd SMEMBERS empty", Value, redis::cmd("SMEMBERS").arg("c:none").$q(&mut *$con) $($aw)*);

        // Pipelines.
        call!($log, "pipe", (i64, i64), redis::pipe()
            .set("p:a", 1).ignore()
            .incr("p:a", 2)
            .get("p:a")
            .$q(&mut *$con) $($aw)*);
        call!($log, "pipe with a failing command", Value, redis::pipe()
            .set("p:s", "x")
            .incr("p:s", 1)
            .get("p:s")
            .$q(&mut *$con) $($aw)*);
        call!($log, "pipe atomic", (i64, Vec<String>), redis::pipe()
            .atomic()
            .set("p:b", 1).ignore()
            .rpush("p:l", &["a", "b"])
            .lrange("p:l", 0, -1)
            .$q(&mut *$con) $($aw)*);
        call!($log, "pipe atomic with a run-time error", Value, redis::pipe()
            .atomic()
            .set("p:w", "x")
            .incr("p:w", 1)
            .$q(&mut *$con) $($aw)*);
        let refused: redis::RedisResult<Value> = redis::pipe()
            .atomic()
            .set("p:q", 1)
            .cmd("NOSUCHCOMMAND").arg("x")
            .$q(&mut *$con) $($aw)*;
        $log.rec_kind("pipe atomic refused while queueing", refused);
        call!($log, "nothing of the refused pipe ran", bool, $con.exists("p:q") $($aw)*);
        call!($log, "empty pipe", Vec<Value>, redis::pipe().$q(&mut *$con) $($aw)*);

        // Error kinds, as redis-rs parses the server's text.
        call!($log, "set for errors", (), $con.set("e:s", "text") $($aw)*);
        call!($log, "WRONGTYPE", i64, $con.lpush("e:s", "x") $($aw)*);
        call!($log, "not an integer", i64, $con.incr("e:s", 1) $($aw)*);
        call!($log, "syntax error", Value, redis::cmd("SET").arg("e:k").arg("v").arg("BADOPT").$q(&mut *$con) $($aw)*);
        call!($log, "unknown command", Value, redis::cmd("NOSUCHCOMMAND").arg("x").$q(&mut *$con) $($aw)*);
        call!($log, "wrong arity", Value, redis::cmd("GET").$q(&mut *$con) $($aw)*);
        call!($log, "EXEC without MULTI", Value, redis::cmd("EXEC").$q(&mut *$con) $($aw)*);
        call!($log, "NOSCRIPT", Value, redis::cmd("EVALSHA").arg("0123456789012345678901234567890123456789").arg(0).$q(&mut *$con) $($aw)*);
        call!($log, "MULTI", (), redis::cmd("MULTI").$q(&mut *$con) $($aw)*);
        call!($log, "queued refused", Value, redis::cmd("NOSUCHCOMMAND").$q(&mut *$con) $($aw)*);
        call!($log, "EXECABORT", Value, redis::cmd("EXEC").$q(&mut *$con) $($aw)*);
        call!($log, "client-side conversion error", i64, $con.get("e:s") $($aw)*);
        call!($log, "nil into a number", i64, $con.get("e:none") $($aw)*);

        // Scripts: results only (the bodies differ by language).
        call!($log, "cmd SCRIPT FLUSH", (), redis::cmd("SCRIPT").arg("FLUSH").$q(&mut *$con) $($aw)*);
        let incr = redis::Script::new($b.incr_by);
        call!($log, "cmd SCRIPT EXISTS before", Vec<bool>, redis::cmd("SCRIPT").arg("EXISTS").arg(incr.get_hash()).$q(&mut *$con) $($aw)*);
        call!($log, "Script invoke (NOSCRIPT fallback)", i64, incr.key("sc:n").arg(5).$inv(&mut *$con) $($aw)*);
        call!($log, "cmd SCRIPT EXISTS after", Vec<bool>, redis::cmd("SCRIPT").arg("EXISTS").arg(incr.get_hash()).$q(&mut *$con) $($aw)*);
        call!($log, "Script invoke cached", i64, incr.key("sc:n").arg(2).$inv(&mut *$con) $($aw)*);
        let echo = redis::Script::new($b.echo_keys_args);
        call!($log, "Script keys and args", (String, String, i64), echo.key("k1").key("k2").arg("a1").$inv(&mut *$con) $($aw)*);
        call!($log, "Script error reply", Value, redis::Script::new($b.fail).$inv(&mut *$con) $($aw)*);
        call!($log, "Script status reply", Value, redis::Script::new($b.status).$inv(&mut *$con) $($aw)*);
        // The error names the script's SHA1, which differs by language: kind and code only.
        let wrong: redis::RedisResult<i64> = incr.key("e:s").arg(1).$inv(&mut *$con) $($aw)*;
        $log.rec_kind("Script on the wrong type", wrong);
    }};
}
pub(crate) use common_calls;

/// The sync scenario: every call of `common_calls!` through `redis::Commands`, then what
/// only the sync API has: `redis::transaction` against a conflicting writer, SCAN
/// iterators, `Script::load`.
pub fn scenario<C: ConnectionLike>(con: &mut C, writer: &mut C, b: &Bodies) -> Log {
    let mut log = Log::default();
    common_calls!(log, con, b, [], query, invoke);
    log.note("get_db", con.get_db());
    log.note("check_connection", con.check_connection());
    transaction(&mut log, con, writer);
    scan(&mut log, con);
    let loaded = redis::Script::new(b.status).load(con);
    log.note("Script load gives its hash", loaded.ok().map(|h| h.len()));
    log
}

/// `redis::transaction` retries when a watched key changes: the first attempt's read is
/// made stale by another client, so the closure runs twice and the second attempt commits.
fn transaction<C: ConnectionLike>(log: &mut Log, con: &mut C, writer: &mut C) {
    let mut attempts = 0;
    let r: redis::RedisResult<(i64,)> = redis::transaction(con, &["tx:n"], |con, pipe| {
        attempts += 1;
        let n: Option<i64> = con.get("tx:n")?;
        if attempts == 1 {
            let () = writer.set("tx:n", 100)?;
        }
        pipe.set("tx:n", n.unwrap_or(0) + 1)
            .ignore()
            .get("tx:n")
            .query(con)
    });
    log.rec("transaction", r);
    log.note("transaction attempts", attempts);
    assert_eq!(attempts, 2, "the conflicting write must force one retry");
    let after: redis::RedisResult<i64> = con.get("tx:n");
    log.rec("get after transaction", after);
}

/// SCAN through redis-rs's iterators: the first call carries a cursor argument, the later
/// ones come packed.
fn scan<C: ConnectionLike>(log: &mut Log, con: &mut C) {
    for i in 0..30 {
        let () = con.set(format!("scan:{i}"), i).expect("set");
    }
    let keys: redis::RedisResult<BTreeSet<String>> = con
        .scan_match::<_, String>("scan:*")
        .and_then(std::iter::Iterator::collect);
    log.rec("scan_match", keys.map(|k| k.len()));
    let _: redis::RedisResult<i64> = con.zadd("scan:z", "m", 1);
    let members: redis::RedisResult<Vec<(String, f64)>> = con
        .zscan::<_, (String, f64)>("scan:z")
        .and_then(std::iter::Iterator::collect);
    log.rec("zscan", members);
}
