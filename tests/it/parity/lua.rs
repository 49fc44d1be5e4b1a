//! Lua parity (feature `lua`): the same Lua scripts run on a real `redis-server` and on
//! redlite's Lua engine, replies (error texts and script SHA1s included) compared exactly.

use redlite::{Connection, Store};

use super::resp::RespConn;
use super::scripts::CASES;
use super::start_server;

/// Scripts with the keys and arguments they get; each runs on fresh data after `SETUP`.
const SCRIPTS: &[(&str, &[&str], &[&str])] = &[
    (
        "return {KEYS[1], ARGV[1], #KEYS, #ARGV}",
        &["k"],
        &["a", "b"],
    ),
    ("return {1, 2, 3.7, nil, 4}", &[], &[]),
    ("return {1, {2, {'x', false, true}}, -0.5}", &[], &[]),
    ("return {ok = 'FINE'}", &[], &[]),
    ("return {err = 'BAD thing'}", &[], &[]),
    ("return {err = 'x'}", &[], &[]),
    ("return redis.status_reply('FOO')", &[], &[]),
    ("return redis.error_reply('MY bad')", &[], &[]),
    ("return redis.error_reply('x')", &[], &[]),
    ("return redis.error_reply('-WRONG x')", &[], &[]),
    ("return redis.sha1hex('abc')", &[], &[]),
    ("return redis.REDIS_VERSION_NUM > 0", &[], &[]),
    ("return redis.call('GET', KEYS[1])", &["s"], &[]),
    (
        "return tostring(redis.call('GET', KEYS[1]))",
        &["missing"],
        &[],
    ),
    ("return redis.call('INCR', KEYS[1])", &["s"], &[]),
    ("return redis.pcall('INCR', KEYS[1])", &["s"], &[]),
    (
        "local e = redis.pcall('INCR', KEYS[1]) return e.err",
        &["s"],
        &[],
    ),
    ("return redis.call('LPUSH', KEYS[1], 'x')", &["s"], &[]),
    ("return redis.call('SET', KEYS[1], 'v')", &["n"], &[]),
    ("return redis.call('SET', KEYS[1], 'v').ok", &["n"], &[]),
    (
        "redis.call('SET', KEYS[1], 1.5) return redis.call('GET', KEYS[1])",
        &["n"],
        &[],
    ),
    (
        "redis.call('SET', KEYS[1], 1e15) return redis.call('GET', KEYS[1])",
        &["n"],
        &[],
    ),
    (
        "redis.call('SET', KEYS[1], 2^53) return redis.call('GET', KEYS[1])",
        &["n"],
        &[],
    ),
    (
        "redis.call('SET', KEYS[1], -7) return redis.call('GET', KEYS[1])",
        &["n"],
        &[],
    ),
    ("return redis.call('LRANGE', KEYS[1], 0, -1)", &["l"], &[]),
    ("return redis.call('HGETALL', KEYS[1])", &["h"], &[]),
    ("return redis.call('nope')", &[], &[]),
    ("return redis.call('get')", &[], &[]),
    ("return redis.call()", &[], &[]),
    ("return redis.call('get', {})", &[], &[]),
    ("return redis.pcall('get', {})", &[], &[]),
    ("return redis.call('EVAL', 'return 1', 0)", &[], &[]),
    ("return redis.call('MULTI')", &[], &[]),
    ("error('boom')", &[], &[]),
    ("error({err = 'CUSTOM failure'})", &[], &[]),
    ("\n\nlocal t = nil\nreturn t.x", &[], &[]),
    ("return 'a' .. nil", &[], &[]),
    ("x = 1", &[], &[]),
    ("return y", &[], &[]),
    ("return os", &[], &[]),
    ("return loadfile", &[], &[]),
    ("return dofile", &[], &[]),
    ("return require", &[], &[]),
    ("string.upper = nil", &[], &[]),
    ("return (", &[], &[]),
    (
        "return tostring(1e15) .. ' ' .. tostring(0.1) .. ' ' .. 2^53",
        &[],
        &[],
    ),
    ("return tostring(1/0) .. tostring(-1/0)", &[], &[]),
    ("return string.format('%d %s %5.2f', 3, 'x', 1.5)", &[], &[]),
    (
        "return {math.floor(-2.5), math.max(1, 7, 3), math.fmod(7, 3)}",
        &[],
        &[],
    ),
    (
        "local t = {} for w in string.gmatch('a b c', '%a') do t[#t+1] = w end return t",
        &[],
        &[],
    ),
    ("return cjson.encode({1,2,{a=1}})", &[], &[]),
    ("return cjson.encode({})", &[], &[]),
    ("return cjson.encode('a/b\"c\\n\\1')", &[], &[]),
    ("return cjson.encode({[1]=1,[20]=2})", &[], &[]),
    ("return cjson.encode({1, nil, 3})", &[], &[]),
    ("return cjson.encode(1/3)", &[], &[]),
    ("return cjson.encode({x = 1e15, y = -0.25})", &[], &[]),
    ("return cjson.encode(function() end)", &[], &[]),
    (
        "return cjson.encode(cjson.decode('{\"a\":[1,2.5,\"x\",null,true]}'))",
        &[],
        &[],
    ),
    ("return cjson.decode('[1,2')", &[], &[]),
    ("return cjson.decode('{\"a\":1')", &[], &[]),
    ("return cjson.decode('x')", &[], &[]),
    ("return cjson.decode('\"\\\\u00e9\\\\n\"')", &[], &[]),
    (
        "return {bit.tohex(-1, -4), bit.tohex(255), bit.tohex(1, 2)}",
        &[],
        &[],
    ),
    (
        "return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.rol(1, 33), \
         bit.bxor(5, 3), bit.bswap(1), bit.tobit(2^32 + 5), bit.band(7, 3, 2), bit.bnot(0)}",
        &[],
        &[],
    ),
    ("redis.log(redis.LOG_WARNING, 'x') return 1", &[], &[]),
    ("redis.log(99, 'x')", &[], &[]),
    ("redis.setresp(4)", &[], &[]),
    ("redis.set_repl(redis.REPL_ALL) return 1", &[], &[]),
];

const SETUP: &[&[&str]] = &[
    &["FLUSHALL"],
    &["SET", "s", "abc"],
    &["RPUSH", "l", "a", "b"],
    &["HSET", "h", "f", "v"],
];

fn lua_store() -> Connection {
    Store::new().connection()
}

fn run(redis: &mut RespConn, lite: &mut Connection, argv: &[&str], what: &str) {
    let (r, l) = (redis.call(argv), lite.execute(argv));
    assert_eq!(l, r, "{what}: {argv:?}");
}

#[test]
fn lua_scripts_reply_as_on_real_redis() {
    let Some(server) = start_server() else { return };
    let mut redis = server.connect();
    let mut lite = lua_store();
    for (src, keys, args) in SCRIPTS {
        for cmd in SETUP {
            run(&mut redis, &mut lite, cmd, "setup");
        }
        let numkeys = keys.len().to_string();
        let mut argv = vec!["EVAL", src, &numkeys];
        argv.extend_from_slice(keys);
        argv.extend_from_slice(args);
        run(&mut redis, &mut lite, &argv, src);
    }
    println!("lua parity: {} scripts compared", SCRIPTS.len());
}

#[test]
fn the_twin_cases_lua_side_replies_as_on_real_redis() {
    let Some(server) = start_server() else { return };
    let mut redis = server.connect();
    let mut lite = lua_store();
    for case in CASES {
        for cmd in [&["FLUSHALL"][..]].iter().chain(case.setup) {
            run(&mut redis, &mut lite, cmd, case.name);
        }
        let numkeys = case.keys.len().to_string();
        let mut argv = vec!["EVAL", case.lua, &numkeys];
        argv.extend_from_slice(case.keys);
        argv.extend_from_slice(case.args);
        for _ in 0..case.runs {
            run(&mut redis, &mut lite, &argv, case.name);
        }
        for cmd in case.after {
            run(&mut redis, &mut lite, cmd, case.name);
        }
    }
}

/// One library (one function each, so FUNCTION LIST's order is the same on both), then
/// calls and FUNCTION subcommands, compared reply for reply.
const FUNCTION_STEPS: &[&[&str]] = &[
    &["FUNCTION", "FLUSH"],
    &[
        "FUNCTION",
        "LOAD",
        "#!lua name=plib\nredis.register_function{function_name='pset', callback=function(keys, args) \
         redis.call('SET', keys[1], args[1]) return {keys[1], args[1], #keys, #args} end, \
         description='sets'}",
    ],
    &[
        "FUNCTION",
        "LOAD",
        "#!lua name=rlib\nredis.register_function{function_name='pget', callback=function(keys) \
         return redis.call('GET', keys[1]) end, flags={'no-writes', 'allow-stale'}}",
    ],
    &[
        "FUNCTION",
        "LOAD",
        "#!lua name=plib\nredis.register_function('x', function() end)",
    ],
    &[
        "FUNCTION",
        "LOAD",
        "#!lua name=bad\nredis.register_function('pget', function() end)",
    ],
    &[
        "FUNCTION",
        "LOAD",
        "#!lua name=bad\nredis.register_function{function_name='y'}",
    ],
    &["FUNCTION", "LOAD", "#!lua name=bad\nlocal x = ("],
    &["FUNCTION", "LOAD", "no header"],
    &["FCALL", "pset", "1", "k", "v", "w"],
    &["FCALL_RO", "pset", "1", "k", "v"],
    &["FCALL_RO", "pget", "1", "k"],
    &["FCALL", "pget", "1", "missing"],
    &["FCALL", "nope", "0"],
    &["FCALL", "pget", "x"],
    &["FUNCTION", "LIST", "LIBRARYNAME", "plib"],
    &["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "r*"],
    &["FUNCTION", "STATS"],
    &["FUNCTION", "DELETE", "plib"],
    &["FUNCTION", "DELETE", "plib"],
    &["FUNCTION", "STATS"],
    &["FUNCTION", "FLUSH", "SYNC"],
    &["FUNCTION", "LIST"],
    &["FUNCTION", "HELP"],
    &["FUNCTION", "KILL"],
    &["FUNCTION", "KILL", "x"],
    &["FUNCTION", "DUMP", "x"],
    &["FUNCTION", "RESTORE"],
    &["FUNCTION", "RESTORE", "xx", "APPEND", "x"],
    &["FUNCTION", "RESTORE", "xx", "nope"],
    &["FUNCTION", "RESTORE", "xx"],
];

#[test]
fn functions_reply_as_on_real_redis() {
    let Some(server) = start_server() else { return };
    let mut redis = server.connect();
    let mut lite = lua_store();
    for step in FUNCTION_STEPS {
        run(&mut redis, &mut lite, step, "function");
    }
}
