//! Scripts as users write them, in Rhai and (feature `lua`) Lua, each timed via EVALSHA on
//! one thread after 20k warm-up calls (Rhai's string interner only showed its cost once its
//! cache had filled, after ~20k runs of a script that binds fresh strings; a regression
//! like it must not hide again):
//!
//! - `guide_increment`: the reference guide's read-compute-write increment (targets: Rhai
//!   ≤ 2.7 µs, Lua ≤ 1.2 µs);
//! - `rate_limiter`: INCR + EXPIRE + TTL on one key;
//! - `transfer`: a GET and two writes across two keys;
//! - `calls_20`: twenty `redis.call`s in one run (the per-call bridge cost);
//! - `incrby`: one INCRBY (the smallest script);
//!
//! then `threads5`: the guide's increment from 5 threads, on one key and on disjoint keys,
//! in calls per second, beside `redis-server` running the same Lua on loopback (one
//! connection per thread; skipped when `redis-server` is not installed); plus `store_new`
//! (the Rhai engine is built on first script use, so a store that never runs one does not
//! pay for it), and EVAL with 10k and 40k declared keys: the 40k case should take about 4×
//! the 10k one (each `redis.call` checks its keys against the declared ones in O(1)).
//!
//! `cargo bench --bench scripts --features lua -- --warm-up-time 1 --measurement-time 3`

#[path = "support/redis_server.rs"]
mod redis_server;
#[path = "support/threads.rs"]
mod threads;

use std::sync::Mutex;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use redlite::{Config, Reply, ScriptEngine, Store};

/// One workload in both languages.
struct Case {
    name: &'static str,
    rhai: &'static str,
    lua: &'static str,
    keys: &'static [&'static str],
    args: &'static [&'static str],
}

const GUIDE_INCREMENT: Case = Case {
    name: "guide_increment",
    rhai: r#"let c = redis::call("GET", KEYS[0]); let n = (if c == () { 0 } else { parse_int(c) }) + parse_int(ARGV[0]); redis::call("SET", KEYS[0], n); n"#,
    lua: "local current = tonumber(redis.call('GET', KEYS[1]) or '0')
          local new = current + tonumber(ARGV[1])
          redis.call('SET', KEYS[1], new)
          return new",
    keys: &["counter"],
    args: &["1"],
};

const CASES: [Case; 5] = [
    GUIDE_INCREMENT,
    Case {
        name: "rate_limiter",
        rhai: r#"
let n = redis::call("INCR", KEYS[0]);
redis::call("EXPIRE", KEYS[0], 60);
let ttl = redis::call("TTL", KEYS[0]);
if n > parse_int(ARGV[0]) { -ttl } else { n }
"#,
        lua: "local n = redis.call('INCR', KEYS[1])
              redis.call('EXPIRE', KEYS[1], 60)
              local ttl = redis.call('TTL', KEYS[1])
              if n > tonumber(ARGV[1]) then return -ttl end
              return n",
        keys: &["limit:user1"],
        args: &["1000000000"],
    },
    Case {
        name: "transfer",
        rhai: r#"
let amount = parse_int(ARGV[0]);
let from = redis::call("GET", KEYS[0]);
let balance = if from == () { 0 } else { parse_int(from) };
if balance < amount { redis::call("SET", KEYS[0], 1000000000); }
redis::call("DECRBY", KEYS[0], amount);
redis::call("INCRBY", KEYS[1], amount)
"#,
        lua: "local amount = tonumber(ARGV[1])
              local balance = tonumber(redis.call('GET', KEYS[1]) or '0')
              if balance < amount then redis.call('SET', KEYS[1], 1000000000) end
              redis.call('DECRBY', KEYS[1], amount)
              return redis.call('INCRBY', KEYS[2], amount)",
        keys: &["account:a", "account:b"],
        args: &["7"],
    },
    Case {
        name: "calls_20",
        rhai: r#"
let n = 0;
for i in 0..20 { n = redis::call("INCRBY", KEYS[0], i); }
n
"#,
        lua: "local n = 0
              for i = 0, 19 do n = redis.call('INCRBY', KEYS[1], i) end
              return n",
        keys: &["counter20"],
        args: &[],
    },
    Case {
        name: "incrby",
        rhai: r#"redis::call("INCRBY", KEYS[0], ARGV[0])"#,
        lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
        keys: &["counter1"],
        args: &["1"],
    },
];

/// Runs each script's EVALSHA this many times before criterion's own warm-up.
const WARM_UP_CALLS: usize = 20_000;

/// An engine's name, the engine, and which source of a case it runs.
type Engine = (&'static str, ScriptEngine, fn(&Case) -> &'static str);

/// The engines this build has, with the source each case uses for it.
fn engines() -> Vec<Engine> {
    let mut engines: Vec<Engine> = vec![("rhai", ScriptEngine::Rhai, |c| c.rhai)];
    if cfg!(feature = "lua") {
        engines.push(("lua", ScriptEngine::Lua, |c| c.lua));
    }
    engines
}

fn store_for(engine: ScriptEngine) -> Store {
    Store::with_config(
        Config::default()
            .active_expiry(false)
            .default_script_engine(engine),
    )
}

/// `EVALSHA <sha of src> <numkeys> keys.. args..`, after loading `src`.
fn evalsha_argv(store: &Store, src: &str, keys: &[&str], args: &[&str]) -> Vec<String> {
    let sha = match store.execute(["SCRIPT", "LOAD", src]) {
        Reply::Bulk(sha) => String::from_utf8(sha).expect("a SHA1 is hex"),
        other => panic!("SCRIPT LOAD failed: {other}"),
    };
    let mut argv = vec!["EVALSHA".to_string(), sha, keys.len().to_string()];
    argv.extend(keys.iter().map(ToString::to_string));
    argv.extend(args.iter().map(ToString::to_string));
    argv
}

fn evalsha(c: &mut Criterion) {
    let mut group = c.benchmark_group("evalsha");
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(4));
    for (lang, engine, source) in engines() {
        for case in &CASES {
            let store = store_for(engine);
            let mut conn = store.connection();
            let argv = evalsha_argv(&store, source(case), case.keys, case.args);
            for _ in 0..WARM_UP_CALLS {
                let r = conn.execute(&argv);
                assert!(matches!(r, Reply::Integer(_)), "{lang} {}: {r}", case.name);
            }
            group.bench_function(format!("{lang}/{}", case.name), |b| {
                b.iter(|| conn.execute(&argv));
            });
        }
    }
    group.finish();
}

const THREADS: usize = 5;

/// The guide's increment from 5 threads, each iteration one call per thread (criterion's
/// throughput is then calls per second): on one key, and on one key per thread.
fn threads5(c: &mut Criterion) {
    let mut group = c.benchmark_group("threads5");
    group.throughput(Throughput::Elements(THREADS as u64));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let keys: Vec<String> = (0..THREADS).map(|i| format!("counter:{i}")).collect();
    for (lang, engine, source) in engines() {
        let store = store_for(engine);
        for (shape, disjoint) in [("one_key", false), ("disjoint_keys", true)] {
            let argvs: Vec<Vec<String>> = (0..THREADS)
                .map(|i| {
                    let key = if disjoint {
                        keys[i].as_str()
                    } else {
                        "counter"
                    };
                    evalsha_argv(&store, source(&GUIDE_INCREMENT), &[key], &["1"])
                })
                .collect();
            for argv in &argvs {
                for _ in 0..WARM_UP_CALLS / THREADS {
                    store.execute(argv);
                }
            }
            group.bench_function(format!("{lang}/{shape}"), |b| {
                b.iter_custom(|iters| {
                    // Each sample's fresh threads build their Lua state (and compile the
                    // script in it) on their first call: that call is made untimed.
                    let prepare = |i: usize| {
                        let mut conn = store.connection();
                        conn.execute(&argvs[i]);
                        conn
                    };
                    threads::timed_after(THREADS, prepare, |i, mut conn| {
                        for _ in 0..iters {
                            conn.execute(&argvs[i]);
                        }
                    })
                });
            });
        }
    }
    if let Some(server) = redis_server::RedisServer::start() {
        let conns: Vec<Mutex<redis::Connection>> =
            (0..THREADS).map(|_| Mutex::new(server.connect())).collect();
        for (shape, disjoint) in [("one_key", false), ("disjoint_keys", true)] {
            group.bench_function(format!("redis_server_lua/{shape}"), |b| {
                b.iter_custom(|iters| {
                    threads::timed(THREADS, |i| {
                        let key = if disjoint {
                            keys[i].as_str()
                        } else {
                            "counter"
                        };
                        let script = redis::Script::new(GUIDE_INCREMENT.lua);
                        let mut con = conns[i].lock().expect("one thread per connection");
                        for _ in 0..iters {
                            let _: i64 = script
                                .key(key)
                                .arg(1)
                                .invoke(&mut *con)
                                .expect("the guide's increment on redis-server");
                        }
                    })
                });
            });
        }
    }
    group.finish();
}

fn store_new(c: &mut Criterion) {
    // The default store starts its active-expiry thread; dropping it joins that thread,
    // which is timed apart.
    c.bench_function("store_new", |b| b.iter_with_large_drop(Store::new));
    c.bench_function("store_new_and_drop", |b| b.iter(Store::new));
}

fn eval_declared_keys(c: &mut Criterion) {
    let store = store_for(ScriptEngine::Rhai);
    let mut group = c.benchmark_group("eval_declared_keys");
    group.sample_size(10);
    for n in [10_000usize, 40_000] {
        let mut argv = vec![
            "EVAL".to_string(),
            r#"redis::call("EXISTS", KEYS)"#.to_string(),
            n.to_string(),
        ];
        argv.extend((0..n).map(|i| format!("key:{i}")));
        group.bench_function(n.to_string(), |b| b.iter(|| store.execute(&argv)));
    }
    group.finish();
}

criterion_group!(benches, evalsha, threads5, store_new, eval_declared_keys);
criterion_main!(benches);
