//! Many threads: scripts are atomic (transfers keep the total exact while readers run), and
//! scripts on keys of different shards run at the same time.

mod common;

use common::gate::GateClock;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use redlite::{Config, Reply, Script, Store};

const ACCOUNTS: usize = 16;
const START: i64 = 1_000;

const TRANSFER: &str = r#"
let amount = parse_int(ARGV[0]);
let from = redis::call("GET", KEYS[0]);
let balance = if from == () { 0 } else { parse_int(from) };
if balance < amount { return 0; }
redis::call("DECRBY", KEYS[0], amount);
redis::call("INCRBY", KEYS[1], amount);
1"#;

const TOTAL: &str = r#"#!rhai flags=no-writes
let sum = 0;
for v in redis::call("MGET", KEYS) { sum += parse_int(v); }
sum"#;

fn account(i: usize) -> String {
    format!("acct:{i}")
}

#[test]
fn transfers_keep_the_total_exact_while_readers_run() {
    let store = Store::with_config(Config::default().active_expiry(false));
    for i in 0..ACCOUNTS {
        store.set(account(i), START).unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let all: Vec<String> = (0..ACCOUNTS).map(account).collect();
    let reader = {
        let (store, done, all) = (store.clone(), done.clone(), all.clone());
        thread::spawn(move || {
            let total = Script::new(TOTAL);
            let mut reads = 0u64;
            while !done.load(Ordering::Relaxed) || reads == 0 {
                let mut call = total.key(&all[0]);
                for k in &all[1..] {
                    call = call.key(k);
                }
                assert_eq!(call.invoke::<i64>(&store).unwrap(), START * ACCOUNTS as i64);
                let mut argv = vec!["MGET".to_string()];
                argv.extend(all.iter().cloned());
                let Reply::Array(vals) = store.execute(&argv) else {
                    panic!("MGET")
                };
                let sum: i64 = vals
                    .iter()
                    .map(|v| v.to_string().trim_matches('"').parse::<i64>().unwrap())
                    .sum();
                assert_eq!(sum, START * ACCOUNTS as i64);
                reads += 1;
            }
            reads
        })
    };
    let writers: Vec<_> = (0..4u64)
        .map(|t| {
            let store = store.clone();
            thread::spawn(move || {
                let transfer = Script::new(TRANSFER);
                let mut seed = t * 7919 + 1;
                let mut moved = 0;
                for _ in 0..10_000 {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let from = (seed >> 33) as usize % ACCOUNTS;
                    let to = (from + 1 + (seed >> 40) as usize % (ACCOUNTS - 1)) % ACCOUNTS;
                    let amount = 1 + (seed >> 50) % 50;
                    let call = transfer.key(account(from)).key(account(to)).arg(amount);
                    moved += call.invoke::<i64>(&store).unwrap();
                }
                moved
            })
        })
        .collect();
    let moved: i64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    done.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert!(moved > 0);
    let total: i64 = (0..ACCOUNTS)
        .map(|i| store.get::<i64>(account(i)).unwrap())
        .sum();
    assert_eq!(total, START * ACCOUNTS as i64);
}

/// Thread A runs a script on `ka` and parks while holding `ka`'s shard; only then does
/// this thread run a script on `kb` to completion, and release A. Returns whether B
/// finished while A held its lock (false when `ka` and `kb` share a shard).
fn b_completes_while_a_holds_its_shard(ka: &str, kb: &str) -> bool {
    let gate = GateClock::default();
    let config = Config::default()
        .shards(64)
        .active_expiry(false)
        .clock(gate.clone());
    let store = Store::with_config(config);
    // TIME makes the script read the clock while it holds its shard (the store reads the
    // clock lazily, only when something needs the time).
    let script = r#"redis::call("TIME"); redis::call("INCR", KEYS[0])"#;
    let a = {
        let (store, ka) = (store.clone(), ka.to_string());
        thread::spawn(move || {
            GateClock::park_next_read_here();
            store.execute(["EVAL", script, "1", &ka])
        })
    };
    assert!(gate.wait_until_parked(), "A never took its lock");
    let b = store.execute(["EVAL", script, "1", kb]);
    let b_finished_first = !gate.timed_out();
    gate.release();
    assert_eq!(a.join().unwrap(), Reply::Integer(1));
    // On one key, B's INCR had to wait for A's.
    assert_eq!(b, Reply::Integer(if ka == kb { 2 } else { 1 }));
    b_finished_first
}

#[test]
fn scripts_on_different_shards_make_progress_concurrently() {
    // Key pairs share a shard with probability 1/64 each (the hash seed is random per
    // store); one pair on different shards proves the point.
    let parallel =
        (0..4).any(|i| b_completes_while_a_holds_its_shard(&format!("a{i}"), &format!("b{i}")));
    assert!(
        parallel,
        "a script on another shard never ran while the first held its lock"
    );
}

#[test]
fn scripts_on_the_same_key_are_serialised() {
    assert!(!b_completes_while_a_holds_its_shard("same", "same"));
}
