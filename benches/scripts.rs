//! EVALSHA of the increment script on one thread (target: ≤ 1.5 µs per call), and EVAL
//! with 10k and 40k declared keys: the 40k case should take about 4× the 10k one (each
//! `redis::call` checks its keys against the declared ones in O(1), not O(declared)).

use criterion::{Criterion, criterion_group, criterion_main};
use redlite::{Config, Reply, Store};

const INCR: &str = r#"redis::call("INCRBY", KEYS[0], ARGV[0])"#;

fn evalsha_incr(c: &mut Criterion) {
    let store = Store::with_config(Config::default().active_expiry(false));
    let mut conn = store.connection();
    let sha = match conn.execute(["SCRIPT", "LOAD", INCR]) {
        Reply::Bulk(sha) => sha,
        other => panic!("SCRIPT LOAD failed: {other}"),
    };
    c.bench_function("evalsha_incr", |b| {
        b.iter(|| {
            let r = conn.execute([&b"EVALSHA"[..], &sha, b"1", b"counter", b"1"]);
            debug_assert!(matches!(r, Reply::Integer(_)));
            r
        });
    });
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

criterion_group!(benches, evalsha_incr, eval_declared_keys);
criterion_main!(benches);
