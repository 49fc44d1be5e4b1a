//! Threads share a store: counts stay exact under contention, and commands and EXECs on
//! other shards proceed while one command holds its shards' locks.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::Duration;

use crate::common::gate::GateClock;
use crate::common::*;
use redlite::{Clock, Config, Reply, Store};

// --------------------------------------------------------------------------------------------
// Threads share a store: counters stay exact under contention, and commands on other
// shards proceed while one command holds its shards' locks.

#[test]
fn eight_threads_incr_one_key_to_exactly_80000() {
    let (store, _c, _) = setup();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            thread::spawn(move || {
                let mut c = store.connection();
                for _ in 0..10_000 {
                    assert!(matches!(c.execute(["INCR", "counter"]), Reply::Integer(_)));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.execute(["GET", "counter"]), bulk("80000"));
}

#[test]
fn mixed_readers_and_writers_keep_counts_exact() {
    let (store, _c, _) = setup();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            thread::spawn(move || {
                let mut c = store.connection();
                for i in 0..2_000 {
                    c.execute(["INCRBY", "shared", "2"]);
                    c.execute(["SET", &format!("t{t}:{i}"), "v"]);
                    c.execute(["INCRBYFLOAT", "float", "0.5"]);
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let store = store.clone();
            thread::spawn(move || {
                let mut c = store.connection();
                for _ in 0..200 {
                    // Whole-keyspace commands take every shard; they must not deadlock
                    // with single-key writers.
                    c.execute(["KEYS", "t0:1*"]);
                    c.execute(["DBSIZE"]);
                    c.execute(["SCAN", "0", "COUNT", "50"]);
                    c.execute(["MGET", "shared", "float", "t1:5"]);
                }
            })
        })
        .collect();
    for h in writers.into_iter().chain(readers) {
        h.join().unwrap();
    }
    assert_eq!(store.execute(["GET", "shared"]), bulk("16000"));
    assert_eq!(store.execute(["GET", "float"]), bulk("4000"));
    assert_eq!(store.execute(["DBSIZE"]), int(8_002));
}

/// A clock that, read from one chosen thread, reports that read and then waits to be
/// released. Commands read the clock after taking their locks (and only when a key they
/// touch has an expiry), so that thread's command holds its shards' locks for as long as
/// the test likes. Unlike `common::gate::GateClock` it holds every read of that thread and
/// never gives up, so the work done meanwhile may take as long as it needs.
#[derive(Debug, Clone, Default)]
struct HoldClock {
    holder: Arc<Mutex<Option<ThreadId>>>,
    holding: Arc<Mutex<Option<mpsc::Sender<()>>>>,
    released: Arc<(Mutex<bool>, Condvar)>,
}

impl Clock for HoldClock {
    fn now_ms(&self) -> u64 {
        if *self.holder.lock().unwrap() == Some(thread::current().id()) {
            if let Some(tx) = self.holding.lock().unwrap().take() {
                tx.send(()).unwrap();
            }
            let (lock, cvar) = &*self.released;
            let mut released = lock.lock().unwrap();
            while !*released {
                released = cvar.wait(released).unwrap();
            }
        }
        1_767_225_600_000
    }
}

impl HoldClock {
    fn release(&self) {
        let (lock, cvar) = &*self.released;
        *lock.lock().unwrap() = true;
        cvar.notify_all();
    }
}

/// Waits for a message, failing (instead of hanging) if threads are stuck behind the
/// held locks.
fn recv<T>(rx: &mpsc::Receiver<T>, what: &str) -> T {
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(v) => v,
        Err(RecvTimeoutError::Timeout) => panic!("{what}: blocked behind another shard's lock"),
        Err(RecvTimeoutError::Disconnected) => panic!("{what}: a thread died"),
    }
}

#[test]
fn commands_on_other_shards_proceed_while_a_multi_key_command_holds_its_locks() {
    let clock = HoldClock::default();
    let store = Store::with_config(
        Config::default()
            .shards(64)
            .clock(clock.clone())
            .active_expiry(false),
    );
    // 1. A long multi-key write: DEL of 16 keys write-locks their shards (at most 16 of
    //    64) and then stays inside the command, locks held.
    //    The keys carry a TTL so that the DEL must read the clock to see if they expired.
    for i in 0..16 {
        let key = format!("held:{i}");
        assert_eq!(store.execute(["SET", &key, "v", "EX", "1000"]), ok());
    }
    let (held_tx, held_rx) = mpsc::channel();
    *clock.holding.lock().unwrap() = Some(held_tx);
    let (long_tx, long_rx) = mpsc::channel();
    let long = {
        let (store, holder) = (store.clone(), clock.holder.clone());
        thread::spawn(move || {
            *holder.lock().unwrap() = Some(thread::current().id());
            let keys: Vec<String> = (0..16).map(|i| format!("held:{i}")).collect();
            let mut argv = vec!["DEL".to_string()];
            argv.extend(keys);
            long_tx.send(store.connection().execute(&argv)).unwrap();
        })
    };
    recv(&held_rx, "the long command");
    // 2. Probe keys: the ones whose SET completes now live on shards the long command does
    //    not hold. Probes on held shards wait, and finish after the release.
    let (probe_tx, probe_rx) = mpsc::channel();
    let probes: Vec<_> = (0..100)
        .map(|i| {
            let (store, tx) = (store.clone(), probe_tx.clone());
            thread::spawn(move || {
                let key = format!("probe:{i}");
                assert_eq!(store.execute(["SET", &key, "0"]), ok());
                tx.send(key).unwrap();
            })
        })
        .collect();
    let free: Vec<String> = (0..8).map(|_| recv(&probe_rx, "probe")).collect();
    // 3. Eight threads work on those keys, all the way through, while the locks are held.
    let (done_tx, done_rx) = mpsc::channel();
    let workers: Vec<_> = free
        .iter()
        .map(|key| {
            let (store, key, tx) = (store.clone(), key.clone(), done_tx.clone());
            thread::spawn(move || {
                let mut c = store.connection();
                for _ in 0..10_000 {
                    c.execute(["INCR", &key]);
                }
                tx.send(c.execute(["GET", &key])).unwrap();
            })
        })
        .collect();
    for _ in 0..8 {
        assert_eq!(recv(&done_rx, "worker"), bulk("10000"));
    }
    assert!(
        long_rx.try_recv().is_err(),
        "the long command was still running"
    );
    // 4. Release: the long command and the probes that waited behind it finish.
    clock.release();
    assert_eq!(recv(&long_rx, "the long command"), int(16));
    for h in workers.into_iter().chain(probes).chain([long]) {
        h.join().unwrap();
    }
    assert_eq!(store.execute(["DBSIZE"]), int(100));
}

// --------------------------------------------------------------------------------------------
// Transactions on disjoint shards commit in parallel: while one EXEC holds its shards'
// locks, an EXEC on another shard runs to completion; on the same key it has to wait.
// Shown with a clock that parks one thread inside its EXEC, not with timing.

/// Thread A runs `MULTI; INCR ka; EXEC` and parks inside the EXEC, holding ka's shard; then
/// this thread runs the same on kb. True when B committed while A still held its locks.
fn b_commits_while_a_holds_its_shard(ka: &str, kb: &str) -> bool {
    let gate = GateClock::default();
    let config = Config::default()
        .shards(64)
        .active_expiry(false)
        .clock(gate.clone());
    let store = Store::with_config(config);
    // A TTL on ka makes A's EXEC read the clock while it holds the lock.
    store.execute(["SET", ka, "0", "EX", "1000"]);
    let a = {
        let (store, ka) = (store.clone(), ka.to_string());
        thread::spawn(move || {
            let mut c = store.connection();
            c.execute(["MULTI"]);
            c.execute(["INCR", ka.as_str()]);
            GateClock::park_next_read_here();
            c.execute(["EXEC"])
        })
    };
    assert!(gate.wait_until_parked(), "A never reached its EXEC");
    let mut c = store.connection();
    c.execute(["MULTI"]);
    c.execute(["INCR", kb]);
    let b = c.execute(["EXEC"]);
    let b_first = !gate.timed_out();
    gate.release();
    assert_eq!(a.join().unwrap(), Reply::Array(vec![Reply::Integer(1)]));
    let expected = if ka == kb { 2 } else { 1 };
    assert_eq!(b, Reply::Array(vec![Reply::Integer(expected)]));
    b_first
}

#[test]
fn exec_on_another_shard_commits_while_one_exec_holds_its_locks() {
    // Two keys share a shard with probability 1/64 per pair (random hash seed per store).
    let parallel =
        (0..4).any(|i| b_commits_while_a_holds_its_shard(&format!("a{i}"), &format!("b{i}")));
    assert!(
        parallel,
        "an EXEC on another shard never ran beside the first"
    );
}

#[test]
fn exec_on_the_same_key_waits_for_the_first() {
    assert!(!b_commits_while_a_holds_its_shard("same", "same"));
}
