//! Loom models of the real keyspace, EXEC and locking code, on a 2-shard store.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --target-dir target/loom --test it`
//! (under `cfg(loom)` the `it` binary holds only this module).
//! Each model explores every interleaving (up to the preemption bound set in `model`) of
//! the real `Store` / `Connection` code paths; under `cfg(loom)` the crate's locks and atomics
//! are loom's (see `src/sync.rs`).

use std::time::Duration;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use redlite::{Config, ExecOutcome, ManualClock, MaxmemoryPolicy, Store};

fn model(f: impl Fn() + Sync + Send + 'static) {
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = runs.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        f();
    });
    // Printed so the CI log shows each model explored many interleavings.
    println!(
        "explored {} interleavings",
        runs.load(std::sync::atomic::Ordering::Relaxed)
    );
}

fn store() -> Store {
    Store::with_config(Config::default().shards(2).active_expiry(false))
}

/// Two keys that hash to different shards of a 2-shard store.
fn keys_on_both_shards(store: &Store) -> (String, String) {
    let first = "k0".to_string();
    let other = (1..100)
        .map(|i| format!("k{i}"))
        .find(|k| store.shard_index(k) != store.shard_index(&first))
        .expect("some key lands on the other shard");
    (first, other)
}

/// WATCH k, read it, EXEC `SET k (v+1)`; true when the EXEC committed.
fn watched_increment(store: &Store) -> bool {
    let mut conn = store.connection();
    conn.execute(["WATCH", "k"]);
    let v: i64 = conn.get("k").unwrap();
    conn.execute(["MULTI"]);
    let next = (v + 1).to_string();
    conn.execute(["SET", "k", next.as_str()]);
    matches!(conn.exec().unwrap(), ExecOutcome::Committed(_))
}

/// Model 1: the final value equals the number of committed EXECs, and at least one commits.
#[test]
fn watch_exec_counts_every_committed_increment() {
    model(|| {
        let store = store();
        store.set("k", 0).unwrap();
        let other = store.clone();
        let t = thread::spawn(move || watched_increment(&other));
        let a = watched_increment(&store);
        let b = t.join().unwrap();
        let committed = i64::from(a) + i64::from(b);
        assert!(committed >= 1, "at least one EXEC commits");
        assert_eq!(store.get::<i64>("k").unwrap(), committed);
    });
}

/// Model 2: two EXECs over keys on both shards, queued in opposite orders, never deadlock.
#[test]
fn execs_in_opposite_key_orders_never_deadlock() {
    model(|| {
        let store = store();
        let (a, b) = keys_on_both_shards(&store);
        let run = |store: Store, first: String, second: String| {
            let mut conn = store.connection();
            conn.execute(["MULTI"]);
            conn.execute(["INCR", first.as_str()]);
            conn.execute(["INCR", second.as_str()]);
            conn.exec().unwrap()
        };
        let (s2, a2, b2) = (store.clone(), a.clone(), b.clone());
        let t = thread::spawn(move || run(s2, b2, a2));
        let mine = run(store.clone(), a.clone(), b.clone());
        let theirs = t.join().unwrap();
        assert!(matches!(mine, ExecOutcome::Committed(_)));
        assert!(matches!(theirs, ExecOutcome::Committed(_)));
        assert_eq!(store.get::<i64>(a.as_str()).unwrap(), 2);
        assert_eq!(store.get::<i64>(b.as_str()).unwrap(), 2);
    });
}

/// Model 3: a script incrementing two keys on different shards, against a reader that
/// GETs both in MULTI/EXEC: the reader sees both writes or neither, never one.
#[test]
fn script_writes_are_all_or_nothing_for_an_exec_reader() {
    model(|| {
        let store = store();
        let (a, b) = keys_on_both_shards(&store);
        store.set(a.as_str(), 0).unwrap();
        store.set(b.as_str(), 0).unwrap();
        let (other, a2, b2) = (store.clone(), a.clone(), b.clone());
        let t = thread::spawn(move || {
            let src = r#"redis::call("INCR", KEYS[0]); redis::call("INCR", KEYS[1])"#;
            other.execute(["EVAL", src, "2", a2.as_str(), b2.as_str()])
        });
        let mut conn = store.connection();
        conn.execute(["MULTI"]);
        conn.execute(["GET", a.as_str()]);
        conn.execute(["GET", b.as_str()]);
        let seen = conn.exec().unwrap();
        assert_eq!(t.join().unwrap(), redlite::Reply::Integer(1));
        let ExecOutcome::Committed(replies) = seen else {
            panic!("nothing watched, EXEC cannot abort")
        };
        assert_eq!(
            replies[0], replies[1],
            "saw one script write without the other"
        );
    });
}

/// Model 4: WATCH an absent key; another thread creates and deletes it. If both happened
/// before EXEC started, EXEC must abort (ABA), although the key is absent again.
#[test]
fn created_then_deleted_watched_key_aborts_exec() {
    model(|| {
        let store = store();
        let mut conn = store.connection();
        conn.execute(["WATCH", "k"]);
        let done = Arc::new(AtomicBool::new(false));
        let (other, flag) = (store.clone(), done.clone());
        let t = thread::spawn(move || {
            let mut c = other.connection();
            c.execute(["SET", "k", "x"]);
            c.execute(["DEL", "k"]);
            flag.store(true, Ordering::SeqCst);
        });
        conn.execute(["MULTI"]);
        conn.execute(["SET", "mine", "1"]);
        let aba_before_exec = done.load(Ordering::SeqCst);
        let outcome = conn.exec().unwrap();
        t.join().unwrap();
        if aba_before_exec {
            assert_eq!(outcome, ExecOutcome::Aborted);
        }
        let applied = store.exists("mine").unwrap();
        assert_eq!(applied, matches!(outcome, ExecOutcome::Committed(_)));
    });
}

/// Model 5: a watched key expires (ManualClock) while another connection runs an EXEC.
/// If the clock passed the deadline before our EXEC began, it aborts; if it commits, its
/// write is there without a TTL; if it aborts, the expired key is gone.
#[test]
fn watched_key_expiring_during_other_exec_aborts() {
    model(|| {
        let clock = ManualClock::new();
        let store = Store::with_config(
            Config::default()
                .shards(2)
                .active_expiry(false)
                .clock(clock.clone()),
        );
        store.execute(["SET", "k", "v", "PX", "100"]);
        let mut conn = store.connection();
        conn.execute(["WATCH", "k"]);
        let advanced = Arc::new(AtomicBool::new(false));
        let (other, flag) = (store.clone(), advanced.clone());
        let t = thread::spawn(move || {
            clock.advance(Duration::from_millis(200));
            flag.store(true, Ordering::SeqCst);
            let mut c = other.connection();
            c.execute(["MULTI"]);
            c.execute(["GET", "k"]);
            c.exec().unwrap()
        });
        conn.execute(["MULTI"]);
        conn.execute(["SET", "k", "mine"]);
        let expired_before_exec = advanced.load(Ordering::SeqCst);
        let outcome = conn.exec().unwrap();
        t.join().unwrap();
        if expired_before_exec {
            assert_eq!(outcome, ExecOutcome::Aborted);
        }
        match outcome {
            ExecOutcome::Committed(_) => {
                assert_eq!(store.get::<String>("k").unwrap(), "mine");
                assert_eq!(store.ttl("k").unwrap(), -1);
            }
            ExecOutcome::Aborted => assert!(!store.exists("k").unwrap()),
        }
    });
}

/// Model 6: the wake-up race of a blocking pop. BLPOP finds `k` empty and queues itself
/// while LPUSH runs on another thread: whatever the interleaving, the pop returns the
/// pushed element and the list ends empty. A push landing between the pop's check and its
/// sleep would leave it asleep forever, which loom reports as a deadlock.
#[test]
fn a_push_racing_a_blocking_pop_always_wakes_it() {
    model(|| {
        let store = store();
        let other = store.clone();
        let t = thread::spawn(move || other.execute(["LPUSH", "k", "x"]));
        let got = store.execute(["BLPOP", "k", "0"]);
        assert_eq!(t.join().unwrap(), redlite::Reply::Integer(1));
        let want =
            redlite::Reply::Array(vec![redlite::Reply::bulk("k"), redlite::Reply::bulk("x")]);
        assert_eq!(got, want);
        assert_eq!(store.llen("k").unwrap(), 0);
        assert_eq!(store.wait_queue_entries(), 0);
    });
}

/// Model 7: one waiter on keys of both shards, one push to each from two threads: exactly
/// one element is popped for it (the claim lets one writer serve it), the other stays.
#[test]
fn a_waiter_on_two_shards_is_served_exactly_once() {
    model(|| {
        let store = store();
        let (a, b) = keys_on_both_shards(&store);
        let (s1, a1) = (store.clone(), a.clone());
        let t1 = thread::spawn(move || s1.execute(["RPUSH", a1.as_str(), "1"]));
        let (s2, b2) = (store.clone(), b.clone());
        let t2 = thread::spawn(move || s2.execute(["RPUSH", b2.as_str(), "2"]));
        let got = store.execute(["BLPOP", a.as_str(), b.as_str(), "0"]);
        t1.join().unwrap();
        t2.join().unwrap();
        let left = store.llen(a.as_str()).unwrap() + store.llen(b.as_str()).unwrap();
        assert_eq!(left, 1, "exactly one element was taken: {got:?}");
        assert!(matches!(got, redlite::Reply::Array(ref v) if v.len() == 2));
        assert_eq!(store.wait_queue_entries(), 0);
    });
}

/// A 2-shard store with 2 databases, database 1 already made (its first use is a plain
/// `OnceLock`, outside what loom models).
fn two_db_store() -> Store {
    let store = Store::with_config(
        Config::default()
            .shards(2)
            .databases(2)
            .active_expiry(false),
    );
    store.db(1).unwrap().set("seed", 1).unwrap();
    store
}

/// Model 8: SWAPDB against a MOVE of the same key: the two lock every shard they need in
/// one global order (database, then shard), so they never deadlock, and the key ends in
/// exactly one database, where the order they ran in puts it.
#[test]
fn swapdb_and_move_of_one_key_serialize() {
    model(|| {
        let store = two_db_store();
        store.set("a", "x").unwrap();
        let other = store.clone();
        let t = thread::spawn(move || other.execute(["SWAPDB", "0", "1"]));
        let moved = store.execute(["MOVE", "a", "1"]);
        assert_eq!(t.join().unwrap(), redlite::Reply::ok());
        let d1 = store.db(1).unwrap();
        let in0 = i32::from(store.exists("a").unwrap());
        let in1 = i32::from(d1.exists("a").unwrap());
        assert_eq!(in0 + in1, 1, "MOVE answered {moved:?}");
        // Moved first, then swapped back into 0; or swapped away first, nothing to move.
        let want = if moved == redlite::Reply::Integer(1) {
            (1, 0)
        } else {
            (0, 1)
        };
        assert_eq!((in0, in1), want);
    });
}

/// Model 9: a command over keys on both shards sees a database wholly before or wholly
/// after a concurrent SWAPDB, never one shard of each.
#[test]
fn a_multi_shard_read_never_sees_half_a_swapdb() {
    model(|| {
        let store = two_db_store();
        let (a, b) = keys_on_both_shards(&store);
        let d1 = store.db(1).unwrap();
        for k in [&a, &b] {
            store.set(k.as_str(), 0).unwrap();
            d1.set(k.as_str(), 1).unwrap();
        }
        let other = store.clone();
        let t = thread::spawn(move || other.execute(["SWAPDB", "0", "1"]));
        let got = store.execute(["MGET", a.as_str(), b.as_str()]);
        t.join().unwrap();
        let zero = redlite::Reply::Array(vec![redlite::Reply::bulk("0"); 2]);
        let one = redlite::Reply::Array(vec![redlite::Reply::bulk("1"); 2]);
        assert!(got == zero || got == one, "{got:?}");
    });
}

/// Model 10: the AOF's ordering rule on the real sequencer. Two writers append while holding
/// the same "shard" lock (as listeners run under the writer's shard locks), on different
/// stripes; the writer thread's drains, racing with them, emit every record exactly once, in
/// number order, never past a gap, and conflicting writes in the order they took the lock.
#[test]
fn aof_records_come_out_in_lock_order_without_gaps() {
    use redlite::LoomSequencer;
    model(|| {
        let seq = Arc::new(LoomSequencer::new(2));
        let shard = Arc::new(loom::sync::Mutex::new(Vec::new()));
        let writers: Vec<_> = (0..2u8)
            .map(|t| {
                let (seq, shard) = (seq.clone(), shard.clone());
                thread::spawn(move || {
                    let mut order = shard.lock().unwrap();
                    seq.push(usize::from(t), vec![t]);
                    order.push(t);
                })
            })
            .collect();
        let mut out = seq.drain();
        for w in writers {
            w.join().unwrap();
        }
        out.extend(seq.drain());
        let numbers: Vec<u64> = out.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [0, 1], "every record once, in number order");
        let bytes: Vec<u8> = out.iter().map(|r| r.1[0]).collect();
        assert_eq!(
            bytes,
            *shard.lock().unwrap(),
            "the order the shard lock was taken"
        );
    });
}

/// Model 11: independent writers (no common lock) on different stripes: a drain that races
/// with them may find number 1 pushed while 0 is not yet (a gap); it must hold 1 back until
/// 0 arrives, so what comes out is always 0, 1, ... with nothing skipped or repeated.
#[test]
fn aof_drain_never_emits_past_a_gap() {
    use redlite::LoomSequencer;
    model(|| {
        let seq = Arc::new(LoomSequencer::new(2));
        let writers: Vec<_> = (0..2u8)
            .map(|t| {
                let seq = seq.clone();
                thread::spawn(move || {
                    seq.push(usize::from(t), vec![t]);
                })
            })
            .collect();
        let mut out = seq.drain();
        out.extend(seq.drain());
        for w in writers {
            w.join().unwrap();
        }
        out.extend(seq.drain());
        let numbers: Vec<u64> = out.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [0, 1]);
    });
}

/// The value of `key` in an RDB image, as an integer (0 when missing).
fn int_in_image(image: &[u8], key: &str) -> i64 {
    let loaded = store();
    loaded.load_rdb_bytes(image).unwrap();
    loaded.get::<Option<i64>>(key).unwrap().unwrap_or(0)
}

/// Model 12: a snapshot racing an EXEC that moves a unit between keys on both shards (and a
/// delete that swap-removes a slot the walk may already have passed) sees the EXEC whole
/// or not at all: the image's sum is the invariant, and no key present throughout is lost.
#[test]
fn a_snapshot_racing_a_cross_shard_exec_sees_all_or_nothing() {
    model(|| {
        let store = store();
        let (x, y) = keys_on_both_shards(&store);
        store.set(x.as_str(), 1).unwrap();
        store.set(y.as_str(), 0).unwrap();
        store.set("gone", 1).unwrap();
        let writer = {
            let (store, x, y) = (store.clone(), x.clone(), y.clone());
            thread::spawn(move || {
                let mut conn = store.connection();
                conn.execute(["MULTI"]);
                conn.execute(["DECR", x.as_str()]);
                conn.execute(["INCR", y.as_str()]);
                conn.execute(["EXEC"]);
                store.execute(["DEL", "gone"]);
            })
        };
        let image = store.rdb_image().unwrap();
        writer.join().unwrap();
        assert_eq!(int_in_image(&image, &x) + int_in_image(&image, &y), 1);
        let loaded = store_loaded(&image);
        assert!(loaded >= 2, "keys {x} and {y} are always in the image");
    });
}

fn store_loaded(image: &[u8]) -> usize {
    store().load_rdb_bytes(image).unwrap()
}

/// The store's running total as INFO's `used_memory` reports it (what eviction reads).
fn fed_total(store: &Store) -> usize {
    let info: String = store.cmd("INFO").arg("memory").query().unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("used_memory")
}

/// A limit with room for what `probe` holds and no more (plus 100 bytes: tables may differ
/// by one index with another hash seed).
fn room_for(probe: &Store) -> u64 {
    probe.used_memory() as u64 + 100
}

/// A 2-shard store under `policy` limited to `limit` bytes. Time is frozen: LRU scores, and
/// so the choices, replay the same in every interleaving.
fn limited(limit: u64, policy: MaxmemoryPolicy) -> Store {
    Store::with_config(
        Config::default()
            .shards(2)
            .active_expiry(false)
            .maxmemory(limit)
            .maxmemory_policy(policy)
            .clock(ManualClock::new()),
    )
}

/// Model 13: two writers on the two shards of a full store evict through the real
/// `evict::perform` while a connection watches a key: under LRU by sampling under read
/// locks into the pool behind its mutex, then one write lock; under random by picking
/// under one write lock. No interleaving deadlocks; the running total eviction reads ends
/// within the shards' feeding step of their exact counts; memory ends within one key of the
/// limit; and the watching EXEC commits exactly when its key was not evicted.
fn writers_evicting_on_two_shards(policy: MaxmemoryPolicy, aborted: &'static StdAtomic) {
    model(move || {
        let value = "v".repeat(64);
        let fill = |s: &Store| {
            for k in ["w", "a", "b"] {
                s.set(k, value.as_str()).unwrap();
            }
        };
        // A store holding the three keys, measured: the limit leaves room for them, not
        // for the ones the writers add.
        let probe = store();
        fill(&probe);
        let limit = room_for(&probe);
        let store = limited(limit, policy);
        fill(&store);
        let (x, y) = keys_on_both_shards(&store);
        let mut watcher = store.connection();
        watcher.execute(["WATCH", "w"]);
        assert!(store.exists("w").unwrap(), "the three keys fit");
        let writer = |s: Store, k: String, v: String| {
            thread::spawn(move || {
                s.set(k.as_str(), v.as_str()).unwrap();
                s.set(format!("{k}:2"), v).unwrap();
            })
        };
        let t1 = writer(store.clone(), x, value.clone());
        let t2 = writer(store.clone(), y, value.clone());
        t1.join().unwrap();
        t2.join().unwrap();
        watcher.execute(["MULTI"]);
        watcher.execute(["GET", "a"]);
        let committed = matches!(watcher.exec().unwrap(), ExecOutcome::Committed(_));
        let exact = store.used_memory();
        // Each shard holds back less than its step (limit / 100 / shards) from the total.
        let slack = 2 * (limit as usize / 200 + 1);
        assert!(
            fed_total(&store).abs_diff(exact) < slack,
            "total vs exact {exact}"
        );
        assert!(
            exact as u64 <= limit + 200,
            "{exact} over the limit {limit}"
        );
        assert!(store.dbsize().unwrap() < 7, "something was evicted");
        assert_eq!(
            committed,
            store.exists("w").unwrap(),
            "EXEC aborts iff w went"
        );
        aborted.fetch_add(
            usize::from(!committed),
            std::sync::atomic::Ordering::Relaxed,
        );
    });
    // The model is only a test of WATCH if some interleaving evicted the watched key.
    assert!(aborted.load(std::sync::atomic::Ordering::Relaxed) > 0);
}

type StdAtomic = std::sync::atomic::AtomicUsize;

#[test]
fn lru_writers_evicting_on_two_shards_keep_exact_accounting_and_abort_watchers() {
    static ABORTED: StdAtomic = StdAtomic::new(0);
    writers_evicting_on_two_shards(MaxmemoryPolicy::AllKeysLru, &ABORTED);
}

#[test]
fn random_writers_evicting_on_two_shards_keep_exact_accounting_and_abort_watchers() {
    static ABORTED: StdAtomic = StdAtomic::new(0);
    writers_evicting_on_two_shards(MaxmemoryPolicy::AllKeysRandom, &ABORTED);
}

/// Model 14: CONFIG SET maxmemory-policy queued in an EXEC that holds the shard of the
/// only key, while a write to the other shard evicts: holding the eviction pool, it needs
/// that shard's write lock. Changing the policy must not wait for the pool, or the two
/// wait for each other (they did, before the pool learned to drop stale scores itself).
#[test]
fn config_set_policy_inside_exec_never_deadlocks_with_eviction() {
    model(|| {
        let value = "v".repeat(64);
        let probe = store();
        probe.set("k0", value.as_str()).unwrap();
        let store = limited(room_for(&probe), MaxmemoryPolicy::AllKeysLru);
        let (a, b) = keys_on_both_shards(&store);
        let near = (1..100)
            .map(|i| format!("n{i}"))
            .find(|k| store.shard_index(k) == store.shard_index(&a))
            .expect("some key lands on a's shard");
        // The second key takes the store over its limit (the first fits).
        store.set(a.as_str(), value.as_str()).unwrap();
        store.set(near.as_str(), value.as_str()).unwrap();
        let other = store.clone();
        let v = value.clone();
        // The next write evicts, and its candidates are all on the EXEC's shard.
        let t = thread::spawn(move || other.set(b, v).unwrap());
        let mut c = store.connection();
        c.execute(["MULTI"]);
        c.execute(["GET", a.as_str()]);
        c.execute(["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
        assert!(matches!(c.exec().unwrap(), ExecOutcome::Committed(_)));
        t.join().unwrap();
        let left = [a.as_str(), near.as_str()].map(|k| store.exists(k).unwrap());
        assert!(left.contains(&false), "one of the two was evicted");
    });
}

/// What a listener joined by the live start was given: each batch's database and replay
/// commands.
#[derive(Default)]
struct Recorded(std::sync::Mutex<Vec<(usize, Vec<Vec<u8>>)>>);

impl redlite::Listener for Recorded {
    fn on_batch(&self, batch: &redlite::Batch) {
        let mut all = self.0.lock().unwrap();
        for cmd in batch.commands() {
            all.push((batch.db(), cmd.iter().map(|a| a.to_vec()).collect()));
        }
    }
}

impl Recorded {
    /// A store loaded from `image`, with everything recorded replayed on it.
    fn replayed_on(&self, image: &[u8]) -> Store {
        let replayed = store_with(image);
        let mut conn = replayed.connection();
        for (db, cmd) in self.0.lock().unwrap().iter() {
            conn.execute(["SELECT", db.to_string().as_str()]);
            let reply = conn.execute(cmd.iter().map(Vec::as_slice));
            assert!(!reply.is_error(), "{reply:?}");
        }
        replayed
    }
}

/// Model 13: `CONFIG SET appendonly yes`'s start (the real `image_then_join`: the base
/// image, with the new log joining the listeners at its instant) racing two writers, one
/// INCR per shard and an EXEC over both: loading the image and replaying what the log was
/// given gives exactly the store's final state, so each write is in the base or in the
/// log, once.
#[test]
fn a_live_start_logs_each_racing_write_exactly_once() {
    model(|| {
        let store = store();
        let (x, y) = keys_on_both_shards(&store);
        let writers: Vec<_> = [x.clone(), y.clone()]
            .into_iter()
            .map(|key| {
                let (store, x, y) = (store.clone(), x.clone(), y.clone());
                thread::spawn(move || {
                    store.execute(["INCR", key.as_str()]);
                    if key == x {
                        let mut conn = store.connection();
                        conn.execute(["MULTI"]);
                        conn.execute(["INCR", x.as_str()]);
                        conn.execute(["INCR", y.as_str()]);
                        conn.execute(["EXEC"]);
                    }
                })
            })
            .collect();
        let log = std::sync::Arc::new(Recorded::default());
        let (image, joined) = store.rdb_image_joining(log.clone()).unwrap();
        for w in writers {
            w.join().unwrap();
        }
        drop(joined);
        let replayed = log.replayed_on(&image);
        for k in [&x, &y] {
            assert_eq!(
                replayed.get::<Option<i64>>(k.as_str()).unwrap(),
                Some(2),
                "{k}: base + log hold each INCR once"
            );
        }
    });
}

/// A store loaded from `image`.
fn store_with(image: &[u8]) -> Store {
    let loaded = store();
    loaded.load_rdb_bytes(image).unwrap();
    loaded
}

/// Model 14: as model 13, with the racing write in a database nobody used before: it is
/// made (its shards created) while the start takes its image. The write must still be in
/// the image or the log, once.
#[test]
fn a_live_start_logs_a_racing_write_to_a_new_database_exactly_once() {
    model(|| {
        let store = store();
        let writer = {
            let store = store.clone();
            thread::spawn(move || {
                let mut conn = store.connection();
                conn.execute(["SELECT", "1"]);
                conn.execute(["INCR", "z"]);
            })
        };
        let log = std::sync::Arc::new(Recorded::default());
        let (image, joined) = store.rdb_image_joining(log.clone()).unwrap();
        writer.join().unwrap();
        drop(joined);
        let replayed = log.replayed_on(&image);
        let mut conn = replayed.connection();
        conn.execute(["SELECT", "1"]);
        assert_eq!(
            conn.execute(["GET", "z"]),
            redlite::Reply::bulk("1"),
            "in the image or the log, once"
        );
    });
}
