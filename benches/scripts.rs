//! EVALSHA of the increment script on one thread (target: ≤ 1.5 µs per call).

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
        })
    });
}

criterion_group!(benches, evalsha_incr);
criterion_main!(benches);
