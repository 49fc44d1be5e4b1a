//! maxmemory and its policies: which keys go, which stay, the OOM texts, and what an
//! eviction tells WATCH and listeners.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use redlite::{Batch, Config, Listener, ManualClock, MaxmemoryPolicy, Reply, Store};

const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

fn value() -> String {
    "v".repeat(200)
}

/// What `n` keys like the tests' cost, measured on an unlimited store of the same shape.
fn cost_of(n: usize) -> u64 {
    let store = Store::with_config(Config::default().shards(1));
    let base = store.used_memory();
    for i in 0..n {
        store.set(format!("probe:{i:04}"), value()).unwrap();
    }
    (store.used_memory() - base) as u64
}

fn limited(policy: MaxmemoryPolicy, keys: usize, clock: &ManualClock) -> Store {
    Store::with_config(
        Config::default()
            .shards(1)
            .clock(clock.clone())
            .active_expiry(false)
            .maxmemory(cost_of(keys))
            .maxmemory_policy(policy)
            .maxmemory_samples(64),
    )
}

fn exists(store: &Store, key: &str) -> bool {
    store.execute(["EXISTS", key]) == Reply::Integer(1)
}

#[test]
fn noeviction_refuses_writes_that_may_grow_memory_with_redis_text() {
    let store = Store::with_config(Config::default().maxmemory(1));
    assert_eq!(store.execute(["SET", "a", "1"]).to_string(), "OK");
    assert_eq!(store.execute(["SET", "b", "1"]).to_string(), OOM);
    assert_eq!(store.execute(["LPUSH", "l", "x"]).to_string(), OOM);
    // Reads and deletes still work.
    assert_eq!(store.execute(["GET", "a"]), Reply::Bulk(b"1".to_vec()));
    assert_eq!(store.execute(["DEL", "a"]), Reply::Integer(1));
}

#[test]
fn under_oom_queuing_in_multi_is_refused_and_exec_aborts() {
    let store = Store::with_config(Config::default().maxmemory(1));
    store.set("a", 1).unwrap();
    let mut conn = store.connection();
    conn.execute(["MULTI"]);
    assert_eq!(conn.execute(["SET", "b", "1"]).to_string(), OOM);
    assert_eq!(
        conn.execute(["EXEC"]).to_string(),
        "EXECABORT Transaction discarded because of previous errors."
    );
}

#[test]
fn exec_of_a_queue_that_may_grow_aborts_once_memory_is_full() {
    let store = Store::with_config(Config::default().maxmemory(2000));
    let mut conn = store.connection();
    conn.execute(["MULTI"]);
    assert_eq!(conn.execute(["SET", "b", "1"]).to_string(), "QUEUED");
    // Another client fills memory while the queue waits.
    store.set("big", "x".repeat(5000)).unwrap();
    assert_eq!(
        conn.execute(["EXEC"]).to_string(),
        format!("EXECABORT Transaction discarded because of: {OOM}")
    );
    assert!(!conn.in_multi());
}

#[test]
fn a_script_that_may_write_is_refused_up_front_and_a_read_only_one_runs() {
    let store = Store::with_config(Config::default().maxmemory(1));
    store.set("a", 7).unwrap();
    let writes = store.execute(["EVAL", "42", "0"]);
    assert_eq!(writes.to_string(), OOM);
    let reads = store.execute(["EVAL", "#!rhai flags=no-writes\n42", "0"]);
    assert_eq!(reads, Reply::Integer(42));
}

#[test]
fn allkeys_lru_evicts_the_keys_not_used_lately() {
    let clock = ManualClock::new();
    let store = limited(MaxmemoryPolicy::AllKeysLru, 60, &clock);
    for i in 0..40 {
        store.set(format!("cold:{i:02}"), value()).unwrap();
    }
    clock.advance(Duration::from_secs(100));
    for i in 0..40 {
        store.set(format!("hot:{i:02}"), value()).unwrap();
    }
    assert!((0..40).all(|i| exists(&store, &format!("hot:{i:02}"))));
    let cold = (0..40)
        .filter(|i| exists(&store, &format!("cold:{i:02}")))
        .count();
    assert!(cold < 40, "nothing was evicted");
    // Past the limit by one write at most: a key, or the table growing to make room.
    let limit = cost_of(60);
    assert!(
        store.used_memory() as u64 <= limit + 8192,
        "{} > {limit}",
        store.used_memory()
    );
}

#[test]
fn allkeys_lfu_keeps_the_keys_read_often() {
    let clock = ManualClock::new();
    let store = limited(MaxmemoryPolicy::AllKeysLfu, 60, &clock);
    for i in 0..40 {
        store.set(format!("k:{i:02}"), value()).unwrap();
    }
    for _ in 0..50 {
        for i in 0..20 {
            store.get::<Option<String>>(format!("k:{i:02}")).unwrap();
        }
    }
    for i in 0..40 {
        store.set(format!("new:{i:02}"), value()).unwrap();
    }
    assert!((0..20).all(|i| exists(&store, &format!("k:{i:02}"))));
    assert!((20..40).any(|i| !exists(&store, &format!("k:{i:02}"))));
}

#[test]
fn volatile_policies_evict_only_keys_with_a_ttl_then_refuse() {
    for policy in [
        MaxmemoryPolicy::VolatileLru,
        MaxmemoryPolicy::VolatileLfu,
        MaxmemoryPolicy::VolatileRandom,
        MaxmemoryPolicy::VolatileTtl,
    ] {
        let clock = ManualClock::new();
        let store = limited(policy, 30, &clock);
        for i in 0..10 {
            store.set(format!("keep:{i}"), value()).unwrap();
            store
                .set_ex(format!("ttl:{i}"), value(), Duration::from_secs(1000))
                .unwrap();
        }
        let mut refused = false;
        for i in 0..40 {
            let r = store.execute(["SET", &format!("more:{i}"), &value()]);
            if r.to_string() == OOM {
                refused = true;
                break;
            }
        }
        let left: Vec<bool> = (0..10)
            .map(|i| exists(&store, &format!("ttl:{i}")))
            .collect();
        assert!(
            refused,
            "{policy}: no OOM once the keys with a TTL were gone {left:?}"
        );
        assert!(
            (0..10).all(|i| exists(&store, &format!("keep:{i}"))),
            "{policy}"
        );
        assert!(
            (0..10).all(|i| !exists(&store, &format!("ttl:{i}"))),
            "{policy}"
        );
    }
}

#[test]
fn volatile_ttl_evicts_the_soonest_expiring_first() {
    let clock = ManualClock::new();
    let store = limited(MaxmemoryPolicy::VolatileTtl, 60, &clock);
    for i in 0..40u64 {
        store
            .set_ex(format!("t:{i:02}"), value(), Duration::from_secs(100 + i))
            .unwrap();
    }
    for i in 0..30 {
        store.set(format!("plain:{i:02}"), value()).unwrap();
    }
    let gone: Vec<u64> = (0..40)
        .filter(|i| !exists(&store, &format!("t:{i:02}")))
        .collect();
    assert!(!gone.is_empty());
    // What went is a prefix: every key expiring sooner than a gone one is gone too.
    assert_eq!(gone, (0..gone.len() as u64).collect::<Vec<_>>());
}

#[test]
fn allkeys_random_evicts_something_and_stays_under_the_limit() {
    let clock = ManualClock::new();
    let store = limited(MaxmemoryPolicy::AllKeysRandom, 30, &clock);
    for i in 0..100 {
        store.set(format!("r:{i:03}"), value()).unwrap();
    }
    let left = store.execute(["DBSIZE"]);
    let Reply::Integer(n) = left else {
        panic!("{left:?}")
    };
    assert!((20..=31).contains(&n), "{n}");
}

#[test]
fn an_evicted_key_aborts_the_exec_that_watched_it() {
    let clock = ManualClock::new();
    let store = limited(MaxmemoryPolicy::AllKeysLru, 10, &clock);
    store.set("watched", value()).unwrap();
    let mut conn = store.connection();
    conn.execute(["WATCH", "watched"]);
    clock.advance(Duration::from_secs(10));
    for i in 0..20 {
        store.set(format!("fill:{i}"), value()).unwrap();
    }
    assert!(!exists(&store, "watched"));
    conn.execute(["MULTI"]);
    conn.execute(["SET", "x", "1"]);
    assert_eq!(conn.execute(["EXEC"]), Reply::NilArray);
}

struct Log(Mutex<Vec<(String, String)>>);

impl Listener for Log {
    fn on_batch(&self, batch: &Batch) {
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for e in batch.events() {
            let key = String::from_utf8_lossy(e.key()).into_owned();
            log.push((e.event().name().to_owned(), key));
        }
        for c in batch.commands() {
            let argv: Vec<String> = c
                .iter()
                .map(|a| String::from_utf8_lossy(a).into())
                .collect();
            log.push(("replay".to_owned(), argv.join(" ")));
        }
    }
}

#[test]
fn an_eviction_is_an_evicted_event_replayed_as_del() {
    let clock = ManualClock::new();
    let store = limited(MaxmemoryPolicy::AllKeysLru, 10, &clock);
    store.set("old", value()).unwrap();
    clock.advance(Duration::from_secs(10));
    let log = Arc::new(Log(Mutex::new(Vec::new())));
    let _sub = store.listen(log.clone());
    for i in 0..20 {
        store.set(format!("fill:{i}"), value()).unwrap();
    }
    let log = log.0.lock().unwrap_or_else(PoisonError::into_inner);
    assert!(
        log.contains(&("evicted".to_owned(), "old".to_owned())),
        "{log:?}"
    );
    assert!(
        log.contains(&("replay".to_owned(), "DEL old".to_owned())),
        "{log:?}"
    );
}

#[test]
fn object_idletime_counts_seconds_since_the_last_access() {
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()));
    store.set("k", 1).unwrap();
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        store.execute(["OBJECT", "IDLETIME", "k"]),
        Reply::Integer(10)
    );
    store.get::<i64>("k").unwrap();
    assert_eq!(
        store.execute(["OBJECT", "IDLETIME", "k"]),
        Reply::Integer(0)
    );
    assert_eq!(store.execute(["OBJECT", "IDLETIME", "nokey"]), Reply::Nil);
    assert_eq!(
        store.execute(["OBJECT", "FREQ", "k"]).to_string(),
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    );
}

#[test]
fn object_freq_reads_the_lfu_counter_under_an_lfu_policy() {
    let store = Store::with_config(Config::default().maxmemory_policy(MaxmemoryPolicy::AllKeysLfu));
    store.set("k", 1).unwrap();
    assert_eq!(store.execute(["OBJECT", "FREQ", "k"]), Reply::Integer(5));
    for _ in 0..200 {
        store.get::<i64>("k").unwrap();
    }
    let Reply::Integer(f) = store.execute(["OBJECT", "FREQ", "k"]) else {
        panic!()
    };
    assert!(f > 5, "{f}");
    assert_eq!(
        store.execute(["OBJECT", "IDLETIME", "k"]).to_string(),
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    );
}

#[test]
fn policy_names_parse_as_redis_spells_them() {
    for p in MaxmemoryPolicy::all() {
        assert_eq!(p.name().parse::<MaxmemoryPolicy>(), Ok(*p));
        assert_eq!(p.name().to_uppercase().parse::<MaxmemoryPolicy>(), Ok(*p));
    }
    assert!("lru".parse::<MaxmemoryPolicy>().is_err());
}

/// 8 threads write random keys under a 64 MiB limit: used memory never passes the limit by
/// more than the writes in flight (one value per thread) plus the accounting's per-shard
/// slack, and everything finishes (no deadlock).
#[test]
fn eight_writers_under_a_limit_stay_within_it() {
    const LIMIT: u64 = 64 << 20;
    const SHARDS: usize = 16;
    const VALUE: usize = 4096;
    let store = Store::with_config(
        Config::default()
            .shards(SHARDS)
            .maxmemory(LIMIT)
            .maxmemory_policy(MaxmemoryPolicy::AllKeysLru),
    );
    // One write in flight per thread; the accounting's per-shard step; and one shard table
    // doubling (a write's growth too: its slots are counted when allocated).
    let table_doubling = 2 * (LIMIT / VALUE as u64) / SHARDS as u64 * 100;
    let slack = 8 * (VALUE as u64 + 256) + SHARDS as u64 * 1024 + table_doubling;
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let v = "x".repeat(VALUE);
                let mut worst = 0u64;
                for i in 0..6000u32 {
                    let k = format!("t{t}:{}", fastrand_like(t, i));
                    assert_eq!(store.execute(["SET", &k, &v]).to_string(), "OK");
                    if i % 64 == 0 {
                        worst = worst.max(store.used_memory() as u64);
                    }
                }
                worst
            })
        })
        .collect();
    for t in threads {
        let worst = t.join().unwrap();
        assert!(worst <= LIMIT + slack, "{worst} > {LIMIT} + {slack}");
    }
    assert!(store.used_memory() as u64 <= LIMIT + slack);
}

/// A cheap deterministic spread of key numbers per thread.
fn fastrand_like(t: u32, i: u32) -> u32 {
    (i.wrapping_mul(2_654_435_761) ^ t.wrapping_mul(40_503)) % 100_000
}

/// The value of `field` in INFO's text.
fn info_field(store: &Store, field: &str) -> u64 {
    let Reply::Bulk(bytes) = store.execute(["INFO", "everything"]) else {
        panic!("INFO answers a bulk string");
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {text}"))
}

#[test]
fn config_set_maxmemory_and_policy_take_effect_and_info_counts_evictions() {
    let store = Store::with_config(Config::default().shards(1).active_expiry(false));
    let mut c = store.connection();
    let limit = cost_of(20).to_string();
    assert_eq!(
        c.execute(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]),
        Reply::ok()
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "maxmemory", &limit]),
        Reply::ok()
    );
    assert_eq!(
        c.execute(["CONFIG", "GET", "maxmemory-policy"]),
        Reply::Array(vec![
            Reply::bulk("maxmemory-policy"),
            Reply::bulk("allkeys-lru")
        ])
    );
    assert_eq!(
        c.execute(["CONFIG", "SET", "maxmemory-policy", "most-recent"])
            .to_string(),
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) \
         must be one of the following: volatile-lru, volatile-lfu, volatile-random, \
         volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
    );
    for i in 0..100 {
        store.set(format!("k{i}"), value()).unwrap();
    }
    let evicted = info_field(&store, "evicted_keys");
    assert!(evicted >= 70, "{evicted}");
    assert!(info_field(&store, "used_memory") <= cost_of(20) + 1024);
    assert_eq!(info_field(&store, "maxmemory"), cost_of(20));
    assert_eq!(c.execute(["CONFIG", "SET", "maxmemory", "0"]), Reply::ok());
    store.set("after", value()).unwrap();
    assert_eq!(info_field(&store, "evicted_keys"), evicted);
}

#[test]
fn eviction_reaches_keys_of_every_database() {
    let store = Store::with_config(
        Config::default()
            .shards(1)
            .active_expiry(false)
            .maxmemory_policy(MaxmemoryPolicy::AllKeysRandom),
    );
    let other = store.db(5).unwrap();
    for i in 0..40 {
        other.set(format!("k{i}"), value()).unwrap();
    }
    let mut c = store.connection();
    let limit = cost_of(10).to_string();
    assert_eq!(
        c.execute(["CONFIG", "SET", "maxmemory", &limit]),
        Reply::ok()
    );
    // A write in database 0 makes room by evicting in database 5, the only one with keys.
    store.set("zero", value()).unwrap();
    let left = other.execute(["DBSIZE"]);
    assert!(matches!(left, Reply::Integer(n) if n <= 11), "{left}");
}
