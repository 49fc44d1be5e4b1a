//! Multi-key commands must scale linearly with their key count: MSET, MGET, EXISTS and DEL
//! with 20k and 80k keys in one run. Linear means the 80k time is about 4x the 20k time
//! (it was 14-22x when each key's remembered hash was found by a linear scan).
//!
//! `cargo bench --bench multikey`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use redlite::Store;

fn argv(cmd: &str, n: usize, pairs: bool) -> Vec<String> {
    let mut v = vec![cmd.to_string()];
    for i in 0..n {
        v.push(format!("key:{i:012}"));
        if pairs {
            v.push("value:0000000001".to_string());
        }
    }
    v
}

fn multikey(c: &mut Criterion) {
    let mut g = c.benchmark_group("multikey");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in [20_000, 80_000] {
        let store = Store::new();
        let mset = argv("MSET", n, true);
        for (name, args) in [
            ("MSET", mset.clone()),
            ("MGET", argv("MGET", n, false)),
            ("EXISTS", argv("EXISTS", n, false)),
        ] {
            store.execute(&mset);
            g.bench_with_input(BenchmarkId::new(name, n), &args, |b, args| {
                b.iter(|| black_box(store.execute(args)));
            });
        }
        let watch = argv("WATCH", n, false);
        let mut conn = store.connection();
        g.bench_with_input(BenchmarkId::new("WATCH+UNWATCH", n), &watch, |b, watch| {
            b.iter(|| {
                conn.execute(watch);
                black_box(conn.execute(["UNWATCH"]))
            });
        });
        let del = argv("DEL", n, false);
        g.bench_with_input(BenchmarkId::new("MSET+DEL", n), &del, |b, del| {
            b.iter(|| {
                store.execute(&mset);
                black_box(store.execute(del))
            });
        });
    }
    g.finish();
}

criterion_group!(benches, multikey);
criterion_main!(benches);
