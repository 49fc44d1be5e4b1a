//! Single-thread operation costs against the nearest equivalents in dashmap and
//! `Mutex<HashMap>`, in the same run. Keys and values are 16 bytes, as in the targets.
//!
//! `cargo bench --bench ops`

#![allow(
    clippy::cast_precision_loss,
    reason = "benchmark figures: counts far below 2^52, shown as ratios"
)]

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hint::black_box;
use std::sync::Mutex;

use criterion::{Criterion, criterion_group, criterion_main};
use dashmap::DashMap;
use redlite::Store;

const KEY: &str = "key:000000000001";
const VALUE: &str = "value:0000000001";
const MISSING: &str = "key:nope00000001";
const FIELD: &str = "field:0000000001";
const HASH: &str = "hash:00000000001";
const LIST: &str = "list:00000000001";
const ZSET: &str = "zset:00000000001";
/// Containers are prefilled so that the measured operations never create or delete them.
const PREFILL: usize = 100;

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
        b.iter(|| store.get::<Option<Vec<u8>>>(black_box(KEY)).unwrap());
    });
    g.bench_function("redlite_execute", |b| {
        b.iter(|| conn.execute(black_box(["GET", KEY])));
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| dash.get(black_box(KEY.as_bytes())).map(|v| v.clone()));
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            mutex
                .lock()
                .unwrap()
                .get(black_box(KEY.as_bytes()))
                .cloned()
        });
    });
    g.finish();
}

fn get_miss(c: &mut Criterion) {
    let (store, dash, mutex) = (filled_store(), filled_dashmap(), filled_mutex());
    let mut g = c.benchmark_group("get_miss");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.get::<Option<Vec<u8>>>(black_box(MISSING)).unwrap());
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| dash.get(black_box(MISSING.as_bytes())).map(|v| v.clone()));
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            mutex
                .lock()
                .unwrap()
                .get(black_box(MISSING.as_bytes()))
                .cloned()
        });
    });
    g.finish();
}

fn set(c: &mut Criterion) {
    let (store, dash, mutex) = (filled_store(), filled_dashmap(), filled_mutex());
    let mut g = c.benchmark_group("set");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| store.set(black_box(KEY), black_box(VALUE)).unwrap());
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| {
            dash.insert(
                black_box(KEY.as_bytes()).to_vec(),
                VALUE.as_bytes().to_vec(),
            )
        });
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            let v = VALUE.as_bytes().to_vec();
            mutex
                .lock()
                .unwrap()
                .insert(black_box(KEY.as_bytes()).to_vec(), v)
        });
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
        b.iter(|| store.incr(black_box("counter")).unwrap());
    });
    g.bench_function("dashmap_entry", |b| {
        b.iter(|| dash.entry(black_box(b"counter".to_vec())).and_modify(bump));
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            mutex
                .lock()
                .unwrap()
                .get_mut(black_box(&b"counter"[..]))
                .map(bump)
        });
    });
    g.finish();
}

/// A hash value in the equivalents: field → value.
type Fields = HashMap<Vec<u8>, Vec<u8>>;

/// HSET of an existing field (an overwrite, like `set`) in a hash of `PREFILL` fields.
/// The equivalents keep a `HashMap` of fields per key.
fn hset(c: &mut Criterion) {
    let store = Store::new();
    let dash: DashMap<Vec<u8>, Fields> = DashMap::new();
    let mutex: Mutex<HashMap<Vec<u8>, Fields>> = Mutex::default();
    let fields = (0..PREFILL).map(|i| {
        (
            format!("field:{i:010}").into_bytes(),
            VALUE.as_bytes().to_vec(),
        )
    });
    for (f, v) in fields {
        store.hset(HASH, &f[..], &v[..]).unwrap();
        dash.entry(HASH.as_bytes().to_vec())
            .or_default()
            .insert(f.clone(), v.clone());
        mutex
            .lock()
            .unwrap()
            .entry(HASH.as_bytes().to_vec())
            .or_default()
            .insert(f, v);
    }
    let mut g = c.benchmark_group("hset");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| {
            store
                .hset(black_box(HASH), black_box(FIELD), black_box(VALUE))
                .unwrap()
        });
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| {
            let mut h = dash.get_mut(black_box(HASH.as_bytes())).unwrap();
            h.insert(
                black_box(FIELD.as_bytes()).to_vec(),
                VALUE.as_bytes().to_vec(),
            )
        });
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            let mut map = mutex.lock().unwrap();
            let h = map.get_mut(black_box(HASH.as_bytes())).unwrap();
            h.insert(
                black_box(FIELD.as_bytes()).to_vec(),
                VALUE.as_bytes().to_vec(),
            )
        });
    });
    g.finish();
}

/// LPUSH then RPOP (two commands, two lock round trips) on a list of `PREFILL` elements,
/// so its length stays constant. The equivalents keep a `VecDeque` per key.
fn lpush_rpop(c: &mut Criterion) {
    let store = Store::new();
    let dash: DashMap<Vec<u8>, VecDeque<Vec<u8>>> = DashMap::new();
    let mutex: Mutex<HashMap<Vec<u8>, VecDeque<Vec<u8>>>> = Mutex::default();
    for _ in 0..PREFILL {
        store.lpush(LIST, &[VALUE]).unwrap();
        dash.entry(LIST.as_bytes().to_vec())
            .or_default()
            .push_front(VALUE.as_bytes().to_vec());
        mutex
            .lock()
            .unwrap()
            .entry(LIST.as_bytes().to_vec())
            .or_default()
            .push_front(VALUE.as_bytes().to_vec());
    }
    let mut g = c.benchmark_group("lpush_rpop");
    g.bench_function("redlite_typed", |b| {
        b.iter(|| {
            store.lpush(black_box(LIST), &[black_box(VALUE)]).unwrap();
            store.rpop::<Option<Vec<u8>>>(black_box(LIST)).unwrap()
        });
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| {
            let key = black_box(LIST.as_bytes());
            dash.get_mut(key)
                .unwrap()
                .push_front(VALUE.as_bytes().to_vec());
            dash.get_mut(key).unwrap().pop_back()
        });
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            let key = black_box(LIST.as_bytes());
            let value = VALUE.as_bytes().to_vec();
            mutex
                .lock()
                .unwrap()
                .get_mut(key)
                .unwrap()
                .push_front(value);
            mutex.lock().unwrap().get_mut(key).unwrap().pop_back()
        });
    });
    g.finish();
}

/// A score that orders totally (as ZSET scores do; NaN never gets in).
#[derive(Clone, Copy, PartialEq)]
struct Score(f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The nearest equivalent of a sorted set: member → score, plus an ordered index.
#[derive(Default)]
struct ZSet {
    scores: HashMap<Vec<u8>, f64>,
    order: BTreeSet<(Score, Vec<u8>)>,
}

impl ZSet {
    fn add(&mut self, member: &[u8], score: f64) {
        if let Some(old) = self.scores.insert(member.to_vec(), score) {
            self.order.remove(&(Score(old), member.to_vec()));
        }
        self.order.insert((Score(score), member.to_vec()));
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }
}

/// ZADD that moves an existing member to a new score, then ZSCORE of it, in a sorted set of
/// `PREFILL` members.
fn zadd_zscore(c: &mut Criterion) {
    let store = Store::new();
    let dash: DashMap<Vec<u8>, ZSet> = DashMap::new();
    let mutex: Mutex<HashMap<Vec<u8>, ZSet>> = Mutex::default();
    for i in 0..PREFILL {
        let member = format!("member:{i:09}");
        store.zadd(ZSET, &member, i as f64).unwrap();
        dash.entry(ZSET.as_bytes().to_vec())
            .or_default()
            .add(member.as_bytes(), i as f64);
        mutex
            .lock()
            .unwrap()
            .entry(ZSET.as_bytes().to_vec())
            .or_default()
            .add(member.as_bytes(), i as f64);
    }
    let member = "member:000000050";
    let mut g = c.benchmark_group("zadd_zscore");
    let mut score = 0.0;
    g.bench_function("redlite_typed", |b| {
        b.iter(|| {
            score += 1.0;
            store
                .zadd(black_box(ZSET), black_box(member), score)
                .unwrap();
            store.zscore(black_box(ZSET), black_box(member)).unwrap()
        });
    });
    g.bench_function("dashmap", |b| {
        b.iter(|| {
            score += 1.0;
            let key = black_box(ZSET.as_bytes());
            dash.get_mut(key)
                .unwrap()
                .add(black_box(member.as_bytes()), score);
            dash.get(key).unwrap().score(black_box(member.as_bytes()))
        });
    });
    g.bench_function("mutex_hashmap", |b| {
        b.iter(|| {
            score += 1.0;
            let key = black_box(ZSET.as_bytes());
            mutex
                .lock()
                .unwrap()
                .get_mut(key)
                .unwrap()
                .add(black_box(member.as_bytes()), score);
            mutex
                .lock()
                .unwrap()
                .get(key)
                .unwrap()
                .score(black_box(member.as_bytes()))
        });
    });
    g.finish();
}

criterion_group!(
    benches,
    get_hit,
    get_miss,
    set,
    incr,
    hset,
    lpush_rpop,
    zadd_zscore
);
criterion_main!(benches);
