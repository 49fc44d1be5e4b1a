//! Expiry outside commands under `Fsync::Always`: the DEL it logs is waited for after its
//! shard lock dropped (no caller of the shard stalls behind an fsync), and still no reply
//! that shows the key gone leaves before that DEL is durable.

use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use super::writer::tests::on_wait;
use crate::keyspace::locks::Durable;
use crate::{Config, Fsync, ManualClock, Reply, Store};

fn folder(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-expiry-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &PathBuf, clock: &ManualClock) -> Store {
    let config = Config::default()
        .data_dir(dir)
        .appendfsync(Fsync::Always)
        .active_expiry(false)
        .clock(clock.clone());
    Store::open(config).expect("open")
}

/// Runs `expire` on this thread with a hook on its waits for the log that checks every
/// shard lock is free then; returns how many waits it saw.
fn waits_with_every_shard_free(store: &Store, expire: impl FnOnce()) -> usize {
    let seen = Rc::new(Cell::new(0));
    let (hooked, count) = (store.clone(), seen.clone());
    on_wait(Some(Box::new(move || {
        let ks = &hooked.shared.keyspace;
        for i in 0..ks.shard_count() {
            assert!(
                ks.shard(i).try_write().is_some(),
                "a wait for the log with shard {i} locked"
            );
        }
        count.set(count.get() + 1);
    })));
    expire();
    on_wait(None);
    seen.get()
}

#[test]
fn expiry_outside_commands_waits_for_its_del_with_no_shard_locked() {
    let dir = folder("unlocked");
    let clock = ManualClock::new();
    let store = open(&dir, &clock);
    for key in ["swept", "read", "watched"] {
        assert_eq!(store.execute(["SET", key, "v", "PX", "10"]), Reply::ok());
    }
    clock.advance(Duration::from_millis(20));
    let swept = waits_with_every_shard_free(&store, || {
        assert_eq!(store.purge_expired(), 3);
    });
    assert!(swept >= 1, "the sweep waited for its DELs");
    drop(store);
    // At the keys' own start time they would be live: only their DELs remove them.
    let clock = ManualClock::new();
    let store = open(&dir, &clock);
    assert_eq!(store.execute(["DBSIZE"]), Reply::Integer(0));
    for key in ["read", "watched"] {
        assert_eq!(store.execute(["SET", key, "v", "PX", "10"]), Reply::ok());
    }
    clock.advance(Duration::from_millis(20));
    let read = waits_with_every_shard_free(&store, || {
        assert_eq!(store.execute(["GET", "read"]), Reply::Nil);
    });
    assert!(read >= 1, "the read waited for the DEL it reaped");
    let watched = waits_with_every_shard_free(&store, || {
        let mut c = store.connection();
        assert_eq!(c.execute(["WATCH", "watched"]), Reply::ok());
    });
    assert!(watched >= 1, "WATCH waited for the DEL it reaped");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reader_that_finds_a_key_expired_replies_only_once_its_del_is_durable() {
    const ROUNDS: usize = 25;
    let dir = folder("order");
    let clock = ManualClock::new();
    let store = open(&dir, &clock);
    let log = store.shared.aof.get().expect("a log").log.clone();
    for round in 0..ROUNDS {
        let key = format!("k{round}");
        assert_eq!(
            store.execute(["SET", key.as_str(), "v", "PX", "10"]),
            Reply::ok()
        );
        // Nothing else is logged from here on: the key's one DEL gets this number,
        // whoever removes it (the sweep, or the reader's lazy expiry).
        log.flush();
        let del = log.next_seq();
        clock.advance(Duration::from_millis(20));
        std::thread::scope(|s| {
            s.spawn(|| store.purge_expired());
            s.spawn(|| {
                while store.execute(["EXISTS", key.as_str()]) != Reply::Integer(0) {}
                let durable = log.durable_below();
                assert!(
                    durable > del,
                    "round {round}: gone, DEL {del}, durable {durable}"
                );
            });
        });
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
