//! `CONFIG SET appendonly yes|no` and `CONFIG SET appendfsync ..` on a running store, as
//! Redis 7.0 does them: the log starts (a rewrite makes its base) or stops at once, the
//! policy switches at once, and CONFIG GET and INFO show the live values.

use std::time::{Duration, Instant};

use crate::common::datadir::DataDir;
use redlite::{Config, Fsync, Reply, Store};

fn config(dir: &DataDir) -> Config {
    Config::default().data_dir(dir.path())
}

fn info_field(store: &Store, name: &str) -> String {
    let Reply::Bulk(info) = store.execute(["INFO", "persistence"]) else {
        panic!("INFO is a bulk string")
    };
    let text = String::from_utf8_lossy(&info).into_owned();
    let prefix = format!("{name}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_default()
        .to_string()
}

fn config_get(store: &Store, name: &str) -> Reply {
    store.execute(["CONFIG", "GET", name])
}

fn pair(name: &str, value: &str) -> Reply {
    Reply::Array(vec![Reply::bulk(name), Reply::bulk(value)])
}

/// `CONFIG SET appendonly yes`, then waits until the start's rewrite has ended (its status
/// no longer "in progress"; the deadline only bounds a hung test).
fn turn_on_and_wait(store: &Store) {
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendonly", "yes"]),
        Reply::ok()
    );
    assert_eq!(info_field(store, "aof_enabled"), "1", "on from the reply");
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(store, "aof_rewrite_in_progress") != "0" {
        assert!(Instant::now() < deadline, "the log never started");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(info_field(store, "aof_last_bgrewrite_status"), "ok");
}

/// Drops `store` once its log has every record in the file: the start's thread may hold the
/// store a moment after the start ended, so the last handle's drop may not be the one that
/// closes the log before a reopen.
fn close(store: Store) {
    store.flush_log();
    drop(store);
}

#[test]
fn config_set_appendonly_yes_starts_a_log_that_a_reopen_loads() {
    let dir = DataDir::new("live-on");
    let store = Store::open(config(&dir).appendonly(false)).expect("opens");
    assert_eq!(config_get(&store, "appendonly"), pair("appendonly", "no"));
    assert_eq!(info_field(&store, "aof_enabled"), "0");
    store.execute(["SET", "before", "1"]);
    store.execute(["RPUSH", "list", "a", "b"]);
    store.execute(["SET", "ttl", "v", "EX", "1000"]);
    turn_on_and_wait(&store);
    assert_eq!(config_get(&store, "appendonly"), pair("appendonly", "yes"));
    assert_eq!(info_field(&store, "aof_rewrites"), "1");
    store.execute(["SET", "after", "2"]);
    store.execute(["LPUSH", "list", "z"]);
    let manifest = dir.manifest();
    assert!(
        manifest.contains("appendonly.aof.1.base.rdb seq 1 type b")
            && manifest.contains("appendonly.aof.1.incr.aof seq 1 type i"),
        "Redis 7.0's layout: {manifest}"
    );
    close(store);
    let store = Store::open(config(&dir)).expect("reopens from the log");
    assert_eq!(store.execute(["GET", "before"]), Reply::bulk("1"));
    assert_eq!(store.execute(["GET", "after"]), Reply::bulk("2"));
    assert_eq!(
        store.execute(["LRANGE", "list", "0", "-1"]),
        Reply::Array(vec![Reply::bulk("z"), Reply::bulk("a"), Reply::bulk("b")])
    );
    let Reply::Integer(ttl) = store.execute(["TTL", "ttl"]) else {
        panic!("TTL is an integer")
    };
    assert!(ttl > 900, "the deadline survived: {ttl}");
}

#[test]
fn config_set_appendonly_no_closes_the_log_and_later_writes_stay_out() {
    let dir = DataDir::new("live-off");
    let store = Store::open(config(&dir)).expect("opens");
    store.execute(["SET", "logged", "1"]);
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendonly", "no"]),
        Reply::ok()
    );
    assert_eq!(config_get(&store, "appendonly"), pair("appendonly", "no"));
    assert_eq!(info_field(&store, "aof_enabled"), "0");
    store.execute(["SET", "unlogged", "1"]);
    assert!(
        store.execute(["BGREWRITEAOF"]).is_error(),
        "no log to rewrite"
    );
    drop(store);
    let store = Store::open(config(&dir)).expect("reopens");
    assert_eq!(store.execute(["GET", "logged"]), Reply::bulk("1"));
    assert_eq!(store.execute(["GET", "unlogged"]), Reply::Nil);
}

#[test]
fn a_log_turned_off_then_on_again_starts_from_a_new_base_of_everything() {
    let dir = DataDir::new("live-off-on");
    let store = Store::open(config(&dir).appendfsync(Fsync::Always)).expect("opens");
    store.execute(["SET", "a", "1"]);
    store.execute(["CONFIG", "SET", "appendonly", "no"]);
    store.execute(["SET", "b", "2"]);
    turn_on_and_wait(&store);
    // Under `Always` again: the reply of this write waits for its fsync.
    assert_eq!(store.execute(["SET", "c", "3"]), Reply::ok());
    let manifest = dir.manifest();
    assert!(
        manifest.contains("appendonly.aof.2.base.rdb seq 2 type b")
            && manifest.contains("appendonly.aof.2.incr.aof seq 2 type i")
            && !manifest.contains("seq 1"),
        "the new base replaced the old files: {manifest}"
    );
    assert!(!dir.aof_file("appendonly.aof.1.incr.aof").exists());
    close(store);
    let store = Store::open(config(&dir)).expect("reopens");
    for (k, v) in [("a", "1"), ("b", "2"), ("c", "3")] {
        assert_eq!(store.execute(["GET", k]), Reply::bulk(v), "{k}");
    }
}

#[test]
fn config_set_appendfsync_switches_the_policy_of_the_running_log() {
    let dir = DataDir::new("live-fsync");
    let store = Store::open(config(&dir)).expect("opens");
    assert_eq!(
        config_get(&store, "appendfsync"),
        pair("appendfsync", "everysec")
    );
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendfsync", "always"]),
        Reply::ok()
    );
    assert_eq!(
        config_get(&store, "appendfsync"),
        pair("appendfsync", "always")
    );
    let (fsyncs, _) = store.aof_counts().expect("a log");
    for i in 0..5 {
        assert_eq!(store.execute(["SET", "k", &i.to_string()]), Reply::ok());
    }
    let (after, _) = store.aof_counts().expect("a log");
    assert!(
        after >= fsyncs + 5,
        "each write waited for its own fsync ({fsyncs} -> {after})"
    );
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendfsync", "no"]),
        Reply::ok()
    );
    assert_eq!(config_get(&store, "appendfsync"), pair("appendfsync", "no"));
    assert_eq!(store.execute(["SET", "k", "last"]), Reply::ok());
    drop(store);
    let store = Store::open(config(&dir)).expect("reopens");
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("last"));
}

#[test]
fn writers_running_while_the_log_starts_are_all_in_it() {
    const THREADS: usize = 4;
    const WRITES: i64 = 300;
    let dir = DataDir::new("live-racing");
    let store = Store::open(config(&dir).appendonly(false)).expect("opens");
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = store.clone();
            s.spawn(move || {
                let key = format!("n{t}");
                for _ in 0..WRITES {
                    store.execute(["INCR", key.as_str()]);
                }
            });
        }
        turn_on_and_wait(&store);
    });
    close(store);
    let store = Store::open(config(&dir)).expect("reopens");
    for t in 0..THREADS {
        let key = format!("n{t}");
        assert_eq!(
            store.execute(["GET", key.as_str()]),
            Reply::bulk(WRITES.to_string()),
            "every INCR of {key}: in the base or in the log, once"
        );
    }
}

#[test]
fn an_in_memory_store_refuses_appendonly_yes_and_keeps_its_fsync_setting() {
    let store = Store::new();
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendonly", "yes"]),
        Reply::error(
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - the store has \
             no data folder (Config::data_dir) to log to"
        )
    );
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendonly", "no"]),
        Reply::ok()
    );
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendfsync", "always"]),
        Reply::ok()
    );
    assert_eq!(
        config_get(&store, "appendfsync"),
        pair("appendfsync", "always")
    );
    assert_eq!(
        store.execute(["SET", "k", "v"]),
        Reply::ok(),
        "nothing to wait for"
    );
}

/// Fills `store` with `n` string keys (MSET in chunks).
fn fill(store: &Store, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut argv = vec!["MSET".to_owned()];
        for i in chunk {
            argv.push(format!("key:{i}"));
            argv.push(i.to_string());
        }
        assert_eq!(store.execute(argv.iter().map(String::as_str)), Reply::ok());
    }
}

#[test]
fn a_store_dropped_while_its_log_starts_reopens_with_everything_it_held() {
    const KEYS: usize = 50_000;
    let dir = DataDir::new("live-drop");
    let store = Store::open(config(&dir).appendonly(false)).expect("opens");
    fill(&store, KEYS);
    assert_eq!(
        store.execute(["CONFIG", "SET", "appendonly", "yes"]),
        Reply::ok()
    );
    // The last handle goes while the start's thread still writes the base: the reopen
    // must not run a second log on the folder beside it.
    drop(store);
    let store = Store::open(config(&dir)).expect("reopens");
    assert_eq!(
        store.execute(["DBSIZE"]),
        Reply::Integer(KEYS as i64),
        "the reopen loads the started log's base"
    );
    assert_eq!(store.execute(["SET", "after", "1"]), Reply::ok());
    drop(store);
    let store = Store::open(config(&dir)).expect("reopens again");
    assert_eq!(store.execute(["DBSIZE"]), Reply::Integer(KEYS as i64 + 1));
    assert_eq!(store.execute(["GET", "after"]), Reply::bulk("1"));
    assert_eq!(store.execute(["GET", "key:49999"]), Reply::bulk("49999"));
}

#[test]
fn writers_under_always_racing_appendonly_no_and_yes_all_succeed_and_reopen_exactly() {
    const THREADS: usize = 4;
    const WRITES: i64 = 1000;
    let dir = DataDir::new("live-toggle");
    let store = Store::open(config(&dir).appendfsync(Fsync::Always)).expect("opens");
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = store.clone();
            s.spawn(move || {
                let key = format!("n{t}");
                for i in 1..=WRITES {
                    // Each reply is the count: no MISCONF from a log closed under it, no
                    // write lost or done twice.
                    assert_eq!(
                        store.execute(["INCR", key.as_str()]),
                        Reply::Integer(i),
                        "{key}"
                    );
                    let mut conn = store.connection();
                    conn.execute(["MULTI"]);
                    conn.execute(["INCR", "shared"]);
                    conn.execute(["GET", key.as_str()]);
                    assert!(matches!(
                        conn.exec(),
                        Ok(redlite::ExecOutcome::Committed(_))
                    ));
                }
            });
        }
        for _ in 0..5 {
            assert_eq!(
                store.execute(["CONFIG", "SET", "appendonly", "no"]),
                Reply::ok()
            );
            turn_on_and_wait(&store);
        }
    });
    // Reads of every key under `Always` wait for nothing that will never be written.
    assert_eq!(
        store.execute(["GET", "shared"]),
        Reply::bulk((THREADS as i64 * WRITES).to_string())
    );
    drop(store);
    let store = Store::open(config(&dir)).expect("reopens");
    for t in 0..THREADS {
        let key = format!("n{t}");
        assert_eq!(
            store.execute(["GET", key.as_str()]),
            Reply::bulk(WRITES.to_string()),
            "{key}"
        );
    }
    assert_eq!(
        store.execute(["GET", "shared"]),
        Reply::bulk((THREADS as i64 * WRITES).to_string())
    );
}

/// What a listener joined at a base image's instant was given: (database, command).
#[derive(Default)]
struct Joined(std::sync::Mutex<Vec<(usize, Vec<Vec<u8>>)>>);

impl redlite::Listener for Joined {
    fn on_batch(&self, batch: &redlite::Batch) {
        let mut all = self.0.lock().expect("not poisoned");
        for cmd in batch.commands() {
            all.push((batch.db(), cmd.iter().map(|a| a.to_vec()).collect()));
        }
    }
}

#[test]
fn a_base_image_racing_the_first_write_to_a_database_has_it_in_the_image_or_the_log() {
    const ROUNDS: usize = 3000;
    let mut lost_or_doubled = 0;
    for _ in 0..ROUNDS {
        let store = Store::with_config(Config::default().shards(2));
        let go = std::sync::Arc::new(std::sync::Barrier::new(2));
        let writer = {
            let (store, go) = (store.clone(), go.clone());
            std::thread::spawn(move || {
                let mut conn = store.connection();
                conn.execute(["SELECT", "3"]);
                go.wait();
                // Database 3's first write: it is made while the image is taken.
                conn.execute(["INCR", "z"]);
            })
        };
        let log = std::sync::Arc::new(Joined::default());
        go.wait();
        let (image, joined) = store.rdb_image_joining(log.clone()).expect("an image");
        writer.join().expect("the writer");
        drop(joined);
        let replayed = Store::with_config(Config::default().shards(2));
        replayed.load_rdb_bytes(&image).expect("loads");
        let mut conn = replayed.connection();
        for (db, cmd) in log.0.lock().expect("not poisoned").iter() {
            conn.execute(["SELECT", db.to_string().as_str()]);
            conn.execute(cmd.iter().map(Vec::as_slice));
        }
        conn.execute(["SELECT", "3"]);
        if conn.execute(["GET", "z"]) != Reply::bulk("1") {
            lost_or_doubled += 1;
        }
    }
    assert_eq!(lost_or_doubled, 0, "of {ROUNDS} rounds");
}
