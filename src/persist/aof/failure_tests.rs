//! `Fsync::Always` when the log fails: no caller is told a write is durable that may be
//! lost. The failure is injected by switching the log's file to `/dev/full` (every write
//! fails with ENOSPC), the way a rewrite switches files.

use std::path::PathBuf;

use crate::{Config, Fsync, Reply, Store};

/// MISCONF with whichever error the log met last (a failed write: ENOSPC; an fsync of
/// `/dev/full` after it: EINVAL).
fn is_misconf(reply: &Reply) -> bool {
    matches!(reply, Reply::Error(text) if text.starts_with("MISCONF Errors writing to the AOF file: "))
}

fn folder(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-fail-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn config(dir: &PathBuf) -> Config {
    Config::default().data_dir(dir).appendfsync(Fsync::Always)
}

/// From now on every write of the store's log fails (its file is `/dev/full`).
pub(super) fn fail_the_log(store: &Store) {
    let log = store.shared.aof.get().expect("a log").log.clone();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let cut = log.next_seq();
    log.rotate_request(cut, full);
    log.rotate_wait(cut).expect("switched");
}

/// A key of another shard than `key`'s.
fn other_shard_key(store: &Store, key: &str) -> String {
    let ks = &store.shared.keyspace;
    let shard = |k: &str| ks.shard_of(ks.hkey(k.as_bytes()).hash);
    (0..1000)
        .map(|i| format!("other:{i}"))
        .find(|k| shard(k) != shard(key))
        .expect("a key of another shard")
}

#[test]
fn a_write_whose_fsync_failed_replies_misconf_and_heals_after_a_rewrite() {
    let dir = folder("write");
    let store = Store::open(config(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "k", "1"]), Reply::ok());
    fail_the_log(&store);
    assert!(
        is_misconf(&store.execute(["SET", "k", "2"])),
        "not +OK: it may be lost"
    );
    // A reader of the shard the lost write stamped must not show that write either.
    assert!(is_misconf(&store.execute(["GET", "k"])));
    // The rest of the store still answers; writes are refused (MISCONF) until healed.
    let other = other_shard_key(&store, "k");
    assert_eq!(store.execute(["GET", other.as_str()]), Reply::Nil);
    assert!(is_misconf(&store.execute(["SET", other.as_str(), "x"])));
    store
        .rewrite_aof()
        .expect("a rewrite onto a good file heals the log");
    assert_eq!(
        store.execute(["GET", "k"]),
        Reply::bulk("2"),
        "the base holds it"
    );
    assert_eq!(store.execute(["SET", "k", "3"]), Reply::ok());
    drop(store);
    let store = Store::open(config(&dir)).expect("reopen");
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("3"));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn turning_a_failed_log_off_ends_misconf_and_a_new_log_holds_everything() {
    let dir = folder("off");
    let store = Store::open(config(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "k", "1"]), Reply::ok());
    fail_the_log(&store);
    assert!(is_misconf(&store.execute(["SET", "k", "2"])));
    let off = store.execute(["CONFIG", "SET", "appendonly", "no"]);
    assert_eq!(off, Reply::ok());
    assert_eq!(
        store.execute(["SET", "k", "3"]),
        Reply::ok(),
        "no log, no MISCONF"
    );
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("3"));
    let on = store.execute(["CONFIG", "SET", "appendonly", "yes"]);
    assert_eq!(on, Reply::ok());
    while store.shared.aof.starting() {
        std::thread::yield_now();
    }
    assert_eq!(store.execute(["SET", "j", "1"]), Reply::ok());
    store.flush_log();
    drop(store);
    let store = Store::open(config(&dir)).expect("reopen");
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("3"));
    assert_eq!(store.execute(["GET", "j"]), Reply::bulk("1"));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_writers_and_readers_never_see_a_lost_write_as_durable() {
    const THREADS: usize = 4;
    let dir = folder("concurrent");
    let store = Store::open(config(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "n", "10"]), Reply::ok());
    fail_the_log(&store);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..20 {
                    let reply = store.execute(["INCR", "n"]);
                    assert!(is_misconf(&reply), "an INCR on a failed log: {reply:?}");
                }
            });
            s.spawn(|| {
                for _ in 0..20 {
                    // The durable value, or the error: never an increment that may be lost.
                    let reply = store.execute(["GET", "n"]);
                    assert!(
                        reply == Reply::bulk("10") || is_misconf(&reply),
                        "a reader saw {reply:?}"
                    );
                }
            });
        }
    });
    store.rewrite_aof().expect("healed");
    // An INCR answered MISCONF may have taken effect in memory (its outcome is unknown,
    // as after a timeout); the rewrite made whatever memory holds durable.
    let Reply::Integer(n) = store.execute(["INCR", "n"]) else {
        panic!("INCR works again")
    };
    assert!(n > 10);
    drop(store);
    let store = Store::open(config(&dir)).expect("reopen");
    assert_eq!(store.execute(["GET", "n"]), Reply::bulk(n.to_string()));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One way to write, run on a failed log.
type Case = fn(&Store) -> Reply;

#[test]
fn an_exec_a_script_and_a_blocking_pop_on_a_failed_log_reply_misconf() {
    let cases: [(&str, Case); 4] = [
        ("exec", |store| {
            let mut c = store.connection();
            c.execute(["MULTI"]);
            c.execute(["SET", "a", "1"]);
            c.execute(["SET", "b", "1"]);
            c.execute(["EXEC"])
        }),
        ("script", |store| {
            store.execute([
                "EVAL",
                "#!rhai\nredis::call(\"SET\", KEYS[0], \"v\")",
                "1",
                "a",
            ])
        }),
        ("blpop", |store| store.execute(["BLPOP", "list", "0"])),
        ("transaction", |store| {
            let r = store.transaction(&["a"], |tx| {
                tx.set("a", 5);
                Ok(())
            });
            match r {
                Err(crate::Error::Reply(text)) => Reply::error(text),
                other => Reply::error(format!("unexpected {other:?}")),
            }
        }),
    ];
    for (tag, run) in cases {
        let dir = folder(tag);
        let store = Store::open(config(&dir)).expect("open");
        assert_eq!(store.execute(["RPUSH", "list", "x"]), Reply::Integer(1));
        fail_the_log(&store);
        assert!(is_misconf(&run(&store)), "{tag}");
        store.rewrite_aof().expect("healed");
        assert_eq!(store.execute(["SET", "c", "1"]), Reply::ok(), "{tag}");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_served_blocked_pop_waits_for_its_servers_record() {
    let dir = folder("served");
    let store = Store::open(config(&dir)).expect("open");
    assert_eq!(store.execute(["SET", "warm", "1"]), Reply::ok());
    std::thread::scope(|s| {
        let waiter = s.spawn(|| store.execute(["BLPOP", "q", "0"]));
        while store.info_blocked() == 0 {
            std::thread::yield_now();
        }
        fail_the_log(&store);
        assert!(is_misconf(&store.execute(["RPUSH", "q", "job"])));
        let reply = waiter.join().expect("the waiter");
        assert!(is_misconf(&reply), "the pop it was handed may be lost");
    });
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

impl Store {
    /// Calls blocked right now (INFO's `blocked_clients`).
    fn info_blocked(&self) -> usize {
        self.shared
            .events
            .blocked
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}
