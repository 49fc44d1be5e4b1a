//! Single-thread operation costs against the nearest equivalents in dashmap and
//! `Mutex<HashMap>`, in the same run. Keys and values are 16 bytes, as in the targets.
//!
//! `cargo bench --bench ops`

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Mutex;

use criterion::{Criterion, criterion_group, criterion_main};
use dashmap::DashMap;
use redlite::Store;

const KEY: &str = "key:000000000001";
const VALUE: &str = "value:0000000001";
const MISSING: &str = "key:nope00000001";

fn filled_store() -> Store {
    let store = Store::new();
    for i in 0..10_000 {
        store.set(format!("key:{i:012}"), VALUE).unwrap();
    }
    store.set("counter", 0).unwrap();
    store
}

fn filled_dashmap() -> DashMap<Vec<u8>, Vec<u8>> {
    let map = DashMap::new();
    for i in 0..10_000 {
        map.insert(
            format!("key:{i:012}").into_bytes(),
            VALUE.as_bytes().to_vec(),
        );
    }
    map.insert(b"counter".to_vec(), b"0".to_vec());
    map
}

fn filled_mutex() -> Mutex<HashMap<Vec<u8>, Vec<u8>>> {
    let map: HashMap<_, _> = filled_dashmap().into_iter().collect();
    Mutex::new(map)
}

fn get_hit(c: &mut Criterion) {
    let (store, dash, mutex) = (filled_store(), filled_dashmap(), filled_mutex());
    let mut conn = store.connection();
    let mut g = c.benchmark_group("get_hit");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.get::<Option<Vec<u8>>>(black_box(KEY)).unwrap())
    });
    g.bench_function("redlite_execute", |b| {
        b.iter(|| conn.execute(black_box(["GET", KEY])))
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| dash.get(black_box(KEY.as_bytes())).map(|v| v.clone()))
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            mutex
                .lock()
                .unwrap()
                .get(black_box(KEY.as_bytes()))
                .cloned()
        })
    });
    g.finish();
}

fn get_miss(c: &mut Criterion) {
    let (store, dash, mutex) = (filled_store(), filled_dashmap(), filled_mutex());
    let mut g = c.benchmark_group("get_miss");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.get::<Option<Vec<u8>>>(black_box(MISSING)).unwrap())
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| dash.get(black_box(MISSING.as_bytes())).map(|v| v.clone()))
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            mutex
                .lock()
                .unwrap()
                .get(black_box(MISSING.as_bytes()))
                .cloned()
        })
    });
    g.finish();
}

fn set(c: &mut Criterion) {
    let (store, dash, mutex) = (filled_store(), filled_dashmap(), filled_mutex());
    let mut g = c.benchmark_group("set");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.set(black_box(KEY), black_box(VALUE)).unwrap())
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| {
            dash.insert(
                black_box(KEY.as_bytes()).to_vec(),
                VALUE.as_bytes().to_vec(),
            )
        })
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            let v = VALUE.as_bytes().to_vec();
            mutex
                .lock()
                .unwrap()
                .insert(black_box(KEY.as_bytes()).to_vec(), v)
        })
    });
    g.finish();
}

/// INCR against the nearest equivalent: parse the stored decimal, add, store it back.
fn incr(c: &mut Criterion) {
    let (store, dash, mutex) = (filled_store(), filled_dashmap(), filled_mutex());
    let bump = |v: &mut Vec<u8>| {
        let n: i64 = std::str::from_utf8(v).unwrap().parse().unwrap();
        *v = (n + 1).to_string().into_bytes();
    };
    let mut g = c.benchmark_group("incr");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.incr(black_box("counter")).unwrap())
    });
    g.bench_function("dashmap_entry", |b| {
        b.iter(|| dash.entry(black_box(b"counter".to_vec())).and_modify(bump))
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            mutex
                .lock()
                .unwrap()
                .get_mut(black_box(&b"counter"[..]))
                .map(bump)
        })
    });
    g.finish();
}

criterion_group!(benches, get_hit, get_miss, set, incr);
criterion_main!(benches);
