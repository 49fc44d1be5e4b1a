//! Scripts as users write them, each timed via EVALSHA on one thread after 20k warm-up calls
//! (Rhai's string interner only showed its cost once its cache had filled, after ~20k runs
//! of a script that binds fresh strings; a regression like it must not hide again):
//!
//! - `guide_increment`: the reference guide's read-compute-write increment (target ≤ 2.7 µs);
//! - `rate_limiter`: INCR + EXPIRE + TTL on one key;
//! - `transfer`: a GET and two writes across two keys;
//! - `calls_20`: twenty `redis::call`s in one run (the per-call bridge cost);
//! - `incrby`: one INCRBY (the smallest script);
//!
//! plus `store_new` (the Rhai engine is built on first script use, so a store that never
//! runs one does not pay for it), and EVAL with 10k and 40k declared keys: the 40k case
//! should take about 4× the 10k one (each `redis::call` checks its keys against the
//! declared ones in O(1), not O(declared)).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use redlite::{Config, Reply, Store};

const GUIDE_INCREMENT: &str = r#"let c = redis::call("GET", KEYS[0]); let n = (if c == () { 0 } else { parse_int(c) }) + parse_int(ARGV[0]); redis::call("SET", KEYS[0], n); n"#;

const RATE_LIMITER: &str = r#"
let n = redis::call("INCR", KEYS[0]);
redis::call("EXPIRE", KEYS[0], 60);
let ttl = redis::call("TTL", KEYS[0]);
if n > parse_int(ARGV[0]) { -ttl } else { n }
"#;

const TRANSFER: &str = r#"
let amount = parse_int(ARGV[0]);
let from = redis::call("GET", KEYS[0]);
let balance = if from == () { 0 } else { parse_int(from) };
if balance < amount { redis::call("SET", KEYS[0], 1000000000); }
redis::call("DECRBY", KEYS[0], amount);
redis::call("INCRBY", KEYS[1], amount)
"#;

const CALLS_20: &str = r#"
let n = 0;
for i in 0..20 { n = redis::call("INCRBY", KEYS[0], i); }
n
"#;

const INCRBY: &str = r#"redis::call("INCRBY", KEYS[0], ARGV[0])"#;

/// Runs each script's EVALSHA this many times before criterion's own warm-up.
const WARM_UP_CALLS: usize = 20_000;

fn evalsha(c: &mut Criterion) {
    let cases: [(&str, &str, &[&str], &[&str]); 5] = [
        ("guide_increment", GUIDE_INCREMENT, &["counter"], &["1"]),
        (
            "rate_limiter",
            RATE_LIMITER,
            &["limit:user1"],
            &["1000000000"],
        ),
        ("transfer", TRANSFER, &["account:a", "account:b"], &["7"]),
        ("calls_20", CALLS_20, &["counter20"], &[]),
        ("incrby", INCRBY, &["counter1"], &["1"]),
    ];
    let mut group = c.benchmark_group("evalsha");
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(4));
    for (name, src, keys, args) in cases {
        let store = Store::with_config(Config::default().active_expiry(false));
        let mut conn = store.connection();
        let sha = match conn.execute(["SCRIPT", "LOAD", src]) {
            Reply::Bulk(sha) => String::from_utf8(sha).expect("a SHA1 is hex"),
            other => panic!("SCRIPT LOAD failed: {other}"),
        };
        let numkeys = keys.len().to_string();
        let mut argv: Vec<&str> = vec!["EVALSHA", &sha, &numkeys];
        argv.extend_from_slice(keys);
        argv.extend_from_slice(args);
        for _ in 0..WARM_UP_CALLS {
            let r = conn.execute(&argv);
            assert!(matches!(r, Reply::Integer(_)), "{name}: {r}");
        }
        group.bench_function(name, |b| b.iter(|| conn.execute(&argv)));
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
    let store = Store::with_config(Config::default().active_expiry(false));
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

criterion_group!(benches, evalsha, store_new, eval_declared_keys);
criterion_main!(benches);
