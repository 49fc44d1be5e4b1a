//! Numbered databases: SELECT, MOVE, COPY .. DB, SWAPDB, per-database DBSIZE / KEYS / SCAN /
//! RANDOMKEY / FLUSHDB and FLUSHALL of all, with Redis 7.0's replies and error texts
//! (checked against redis-server 7.0), WATCH as Redis's `touchAllWatchedKeysInDb` decides
//! it, notifications on `__keyspace@<db>__`, blocked pops per database, `store.db(n)`, and
//! the effects batches' database.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::common::{NOT_INT, bulk, bulks, err, int, nil, ok, queued, run, setup, sorted};
use redlite::{Batch, Config, Connection, ManualClock, Reply, Store};

const RANGE: &str = "ERR DB index is out of range";
const SAME: &str = "ERR source and destination objects are the same";

fn conn_in(store: &Store, db: usize) -> Connection {
    let mut c = store.connection();
    assert_eq!(c.execute(["SELECT", &db.to_string()]), ok());
    c
}

/// WATCH `key` on `c`, run `between` elsewhere, then EXEC a PING: true when it committed.
fn commits_after(c: &mut Connection, key: &str, between: impl FnOnce()) -> bool {
    assert_eq!(c.execute(["WATCH", key]), ok());
    between();
    assert_eq!(c.execute(["MULTI"]), ok());
    assert_eq!(c.execute(["PING"]), queued());
    match c.execute(["EXEC"]) {
        Reply::NilArray => false,
        Reply::Array(_) => true,
        other => panic!("EXEC answered {other:?}"),
    }
}

#[test]
fn select_reaches_sixteen_databases_by_default() {
    let (_s, mut c, _) = setup();
    for db in 0..16 {
        assert_eq!(c.execute(["SELECT", &db.to_string()]), ok());
        assert_eq!(c.db(), db);
    }
    assert_eq!(run(&mut c, "SELECT 16"), err(RANGE));
    assert_eq!(run(&mut c, "SELECT -1"), err(RANGE));
    assert_eq!(run(&mut c, "SELECT one"), err(NOT_INT));
    assert_eq!(c.db(), 15, "a failed SELECT keeps the database");
}

#[test]
fn config_databases_sets_how_many_there_are() {
    let store = Store::with_config(Config::default().databases(3));
    let mut c = store.connection();
    assert_eq!(run(&mut c, "SELECT 2"), ok());
    assert_eq!(run(&mut c, "SELECT 3"), err(RANGE));
    assert_eq!(run(&mut c, "MOVE k 3"), err(RANGE));
    assert_eq!(run(&mut c, "SWAPDB 0 3"), err(RANGE));
    assert!(store.db(3).is_err());
    let one = Store::with_config(Config::default().databases(1));
    assert_eq!(one.execute(["SELECT", "1"]), err(RANGE));
}

#[test]
fn databases_are_separate_keyspaces() {
    let (s, mut c0, _) = setup();
    let mut c1 = conn_in(&s, 1);
    run(&mut c0, "SET k zero");
    run(&mut c1, "SET k one");
    run(&mut c1, "SET only1 x");
    assert_eq!(run(&mut c0, "GET k"), bulk("zero"));
    assert_eq!(run(&mut c1, "GET k"), bulk("one"));
    assert_eq!(run(&mut c0, "EXISTS only1"), int(0));
    assert_eq!(run(&mut c0, "DBSIZE"), int(1));
    assert_eq!(run(&mut c1, "DBSIZE"), int(2));
    assert_eq!(sorted(run(&mut c1, "KEYS *")), ["k", "only1"]);
    assert_eq!(sorted(run(&mut c0, "KEYS *")), ["k"]);
    let Reply::Array(scan) = run(&mut c1, "SCAN 0 COUNT 1000") else {
        panic!("SCAN is an array")
    };
    assert_eq!(scan[0], bulk("0"));
    assert_eq!(sorted(scan[1].clone()), ["k", "only1"]);
    let mut c2 = conn_in(&s, 2);
    assert_eq!(run(&mut c2, "RANDOMKEY"), nil());
    assert_eq!(run(&mut c2, "DBSIZE"), int(0));
    run(&mut c2, "SET r 1");
    assert_eq!(run(&mut c2, "RANDOMKEY"), bulk("r"));
}

#[test]
fn flushdb_empties_only_the_selected_database_and_flushall_every_one() {
    let (s, mut c0, _) = setup();
    let mut c5 = conn_in(&s, 5);
    run(&mut c0, "MSET a 1 b 2");
    run(&mut c5, "MSET a 1 c 3");
    assert_eq!(run(&mut c5, "FLUSHDB"), ok());
    assert_eq!(run(&mut c5, "DBSIZE"), int(0));
    assert_eq!(run(&mut c0, "DBSIZE"), int(2));
    run(&mut c5, "SET c 3");
    let mut c9 = conn_in(&s, 9);
    run(&mut c9, "SET z 1");
    assert_eq!(run(&mut c9, "FLUSHALL"), ok());
    for c in [&mut c0, &mut c5, &mut c9] {
        assert_eq!(run(c, "DBSIZE"), int(0));
    }
}

#[test]
fn move_moves_a_key_with_its_ttl() {
    let (s, mut c0, clock) = setup();
    let mut c3 = conn_in(&s, 3);
    run(&mut c0, "SET k v EX 100");
    assert_eq!(run(&mut c0, "MOVE k 3"), int(1));
    assert_eq!(run(&mut c0, "EXISTS k"), int(0));
    assert_eq!(run(&mut c3, "GET k"), bulk("v"));
    assert_eq!(run(&mut c3, "TTL k"), int(100));
    clock.advance(Duration::from_secs(101));
    assert_eq!(run(&mut c3, "GET k"), nil());
    run(&mut c0, "RPUSH l a b");
    assert_eq!(run(&mut c0, "MOVE l 3"), int(1));
    assert_eq!(run(&mut c3, "LRANGE l 0 -1"), bulks(&["a", "b"]));
    assert_eq!(run(&mut c3, "TTL l"), int(-1));
}

#[test]
fn move_answers_zero_when_missing_here_or_present_there() {
    let (s, mut c0, _) = setup();
    let mut c1 = conn_in(&s, 1);
    assert_eq!(run(&mut c0, "MOVE nokey 1"), int(0));
    run(&mut c0, "SET k here");
    run(&mut c1, "SET k there");
    assert_eq!(run(&mut c0, "MOVE k 1"), int(0));
    assert_eq!(run(&mut c0, "GET k"), bulk("here"));
    assert_eq!(run(&mut c1, "GET k"), bulk("there"));
}

#[test]
fn move_into_an_expired_key_replaces_it() {
    let (s, mut c0, clock) = setup();
    let mut c1 = conn_in(&s, 1);
    run(&mut c1, "SET k old PX 10");
    clock.advance(Duration::from_millis(11));
    run(&mut c0, "SET k new");
    assert_eq!(run(&mut c0, "MOVE k 1"), int(1));
    assert_eq!(run(&mut c1, "GET k"), bulk("new"));
    assert_eq!(run(&mut c1, "TTL k"), int(-1));
}

#[test]
fn move_errors_use_redis_texts_in_redis_order() {
    let (_s, mut c, _) = setup();
    // The same-database check comes before the key is looked up.
    assert_eq!(run(&mut c, "MOVE nokey 0"), err(SAME));
    assert_eq!(run(&mut c, "MOVE k 16"), err(RANGE));
    assert_eq!(run(&mut c, "MOVE k -1"), err(RANGE));
    assert_eq!(run(&mut c, "MOVE k x"), err(NOT_INT));
    assert_eq!(
        run(&mut c, "MOVE k"),
        err("ERR wrong number of arguments for 'move' command")
    );
}

#[test]
fn copy_db_copies_into_another_database() {
    let (s, mut c0, _) = setup();
    let mut c4 = conn_in(&s, 4);
    run(&mut c0, "SET k v EX 50");
    // The same name in another database is another object.
    assert_eq!(run(&mut c0, "COPY k k DB 4"), int(1));
    assert_eq!(run(&mut c4, "GET k"), bulk("v"));
    assert_eq!(run(&mut c4, "TTL k"), int(50));
    assert_eq!(run(&mut c0, "GET k"), bulk("v"));
    run(&mut c0, "SET k w");
    assert_eq!(run(&mut c0, "COPY k k DB 4"), int(0));
    assert_eq!(run(&mut c0, "COPY k k DB 4 REPLACE"), int(1));
    assert_eq!(run(&mut c4, "GET k"), bulk("w"));
    assert_eq!(run(&mut c4, "TTL k"), int(-1));
    // From another database, back to 0.
    assert_eq!(run(&mut c4, "COPY k k2 DB 0"), int(1));
    assert_eq!(run(&mut c0, "GET k2"), bulk("w"));
    assert_eq!(run(&mut c0, "COPY k k DB 0"), err(SAME));
    assert_eq!(run(&mut c0, "COPY k k DB 16"), err(RANGE));
    assert_eq!(run(&mut c0, "COPY nokey x DB 1"), int(0));
}

#[test]
fn swapdb_swaps_whole_databases_with_their_ttls() {
    let (s, mut c0, _) = setup();
    let mut c7 = conn_in(&s, 7);
    run(&mut c0, "SET a 0 EX 100");
    run(&mut c0, "SET b 0");
    run(&mut c7, "SET a 7");
    assert_eq!(run(&mut c0, "SWAPDB 0 7"), ok());
    assert_eq!(run(&mut c0, "GET a"), bulk("7"));
    assert_eq!(run(&mut c0, "DBSIZE"), int(1));
    assert_eq!(run(&mut c7, "GET a"), bulk("0"));
    assert_eq!(run(&mut c7, "TTL a"), int(100));
    assert_eq!(run(&mut c7, "DBSIZE"), int(2));
    // Writes land in the database the connection selected, whatever it now holds.
    run(&mut c0, "SET c 0");
    assert_eq!(run(&mut c7, "EXISTS c"), int(0));
    // A database never used swaps like any other.
    assert_eq!(run(&mut c7, "SWAPDB 7 12"), ok());
    assert_eq!(run(&mut c7, "DBSIZE"), int(0));
    assert_eq!(conn_in(&s, 12).execute(["DBSIZE"]), int(2));
}

#[test]
fn swapdb_errors_use_redis_texts() {
    let (_s, mut c, _) = setup();
    assert_eq!(run(&mut c, "SWAPDB a 1"), err("ERR invalid first DB index"));
    assert_eq!(
        run(&mut c, "SWAPDB 1 a"),
        err("ERR invalid second DB index")
    );
    assert_eq!(run(&mut c, "SWAPDB 0 16"), err(RANGE));
    assert_eq!(run(&mut c, "SWAPDB -1 0"), err(RANGE));
    assert_eq!(run(&mut c, "SWAPDB 3 3"), ok());
}

#[test]
fn flushdb_breaks_only_watches_of_keys_that_existed() {
    let (s, mut c, _) = setup();
    s.set("k", 1).unwrap();
    assert!(!commits_after(&mut c, "k", || {
        s.execute(["FLUSHDB"]);
    }));
    assert!(commits_after(&mut c, "missing", || {
        s.execute(["FLUSHDB"]);
    }));
    // FLUSHDB of another database leaves this one's watches alone.
    s.set("k", 1).unwrap();
    let other = s.db(2).unwrap();
    assert!(commits_after(&mut c, "k", || {
        other.execute(["FLUSHDB"]);
    }));
    // FLUSHALL, from any database, reaches it.
    assert!(!commits_after(&mut c, "k", || {
        other.execute(["FLUSHALL"]);
    }));
}

#[test]
fn swapdb_breaks_watches_of_keys_that_exist_on_either_side() {
    let (s, mut c3, _) = setup();
    run(&mut c3, "SELECT 3");
    let d3 = s.db(3).unwrap();
    let d4 = s.db(4).unwrap();
    d3.set("here", 1).unwrap();
    assert!(!commits_after(&mut c3, "here", || {
        d3.execute(["SWAPDB", "3", "4"]);
    }));
    // `here` is in database 4 now: watched from 3 it exists only on the other side.
    assert!(!commits_after(&mut c3, "here", || {
        d3.execute(["SWAPDB", "3", "4"]);
    }));
    // A key on neither side: the swap changes nothing it sees.
    assert!(commits_after(&mut c3, "nowhere", || {
        d4.execute(["SWAPDB", "4", "3"]);
    }));
    // A swap of two other databases touches nothing here.
    d3.set("mine", 1).unwrap();
    assert!(commits_after(&mut c3, "mine", || {
        d3.execute(["SWAPDB", "5", "6"]);
    }));
}

#[test]
fn swapdb_keeps_a_watch_when_an_already_expired_key_replaces_a_missing_one() {
    let (s, mut c, clock) = setup();
    run(&mut c, "SELECT 1");
    let d2 = s.db(2).unwrap();
    d2.execute(["SET", "k", "v", "PX", "5"]);
    clock.advance(Duration::from_millis(6));
    // Redis 7.0 flags the watch expired instead of breaking it.
    assert!(commits_after(&mut c, "k", || {
        d2.execute(["SWAPDB", "1", "2"]);
    }));
    assert_eq!(run(&mut c, "GET k"), nil());
}

#[test]
fn watches_stay_with_their_database_through_swapdb() {
    let (s, mut c, _) = setup();
    run(&mut c, "SELECT 1");
    let d1 = s.db(1).unwrap();
    d1.set("k", 1).unwrap();
    assert_eq!(run(&mut c, "WATCH k"), ok());
    d1.execute(["SWAPDB", "1", "2"]);
    // A write to `k` where it went (database 2) is not the watched key (database 1) ...
    s.db(2).unwrap().set("k", 2).unwrap();
    run(&mut c, "MULTI");
    run(&mut c, "PING");
    // ... but the swap itself already touched it.
    assert_eq!(run(&mut c, "EXEC"), Reply::NilArray);
    // A write in another database never touches a watch.
    assert!(commits_after(&mut c, "k", || {
        s.set("k", 3).unwrap();
    }));
}

#[test]
fn move_touches_the_watched_key_in_both_databases() {
    let (s, mut c0, _) = setup();
    let mut c1 = conn_in(&s, 1);
    s.set("k", 1).unwrap();
    c1.execute(["WATCH", "k"]);
    assert!(!commits_after(&mut c0, "k", || {
        s.execute(["MOVE", "k", "1"]);
    }));
    run(&mut c1, "MULTI");
    run(&mut c1, "PING");
    assert_eq!(run(&mut c1, "EXEC"), Reply::NilArray);
}

#[test]
fn select_inside_multi_moves_the_rest_of_the_transaction() {
    let (s, mut c, _) = setup();
    run(&mut c, "MULTI");
    assert_eq!(run(&mut c, "SET a zero"), queued());
    assert_eq!(run(&mut c, "SELECT 99"), queued());
    assert_eq!(run(&mut c, "SELECT 3"), queued());
    assert_eq!(run(&mut c, "SET a three"), queued());
    assert_eq!(run(&mut c, "MOVE a 4"), queued());
    assert_eq!(
        run(&mut c, "EXEC"),
        Reply::Array(vec![ok(), err(RANGE), ok(), ok(), int(1)])
    );
    assert_eq!(c.db(), 3, "the connection stays where EXEC left it");
    assert_eq!(s.get::<String>("a").unwrap(), "zero");
    assert_eq!(s.db(4).unwrap().get::<String>("a").unwrap(), "three");
    // An aborted EXEC selects nothing.
    assert!(!commits_after(&mut c, "w", || {
        s.db(3).unwrap().set("w", 1).unwrap();
    }));
    assert_eq!(c.db(), 3);
}

#[test]
fn reset_selects_database_zero() {
    let (_s, mut c, _) = setup();
    run(&mut c, "SELECT 5");
    assert_eq!(run(&mut c, "RESET"), Reply::status("RESET"));
    assert_eq!(c.db(), 0);
}

#[test]
fn store_db_handles_run_typed_methods_and_connections_in_their_database() {
    let store = Store::new();
    let d6 = store.db(6).unwrap();
    assert_eq!(d6.index(), 6);
    d6.set("n", 5).unwrap();
    assert_eq!(d6.incr_by("n", 1).unwrap(), 6);
    assert_eq!(store.get::<Option<i64>>("n").unwrap(), None);
    assert_eq!(d6.connection().db(), 6);
    assert_eq!(d6.execute(["GET", "n"]), bulk("6"));
    assert_eq!(d6.cmd("DBSIZE").query::<i64>().unwrap(), 1);
    let tx: i64 = d6
        .transaction(&["n"], |tx| {
            let n: i64 = tx.get("n")?;
            tx.cmd("SET").arg("n").arg(n * 10).queue()?;
            Ok(n)
        })
        .unwrap();
    assert_eq!(tx, 6);
    assert_eq!(d6.get::<i64>("n").unwrap(), 60);
    assert_eq!(
        store.db(16).unwrap_err().to_string(),
        "ERR DB index is out of range"
    );
}

#[test]
fn blocked_pops_wait_in_their_own_database() {
    let store = Store::new();
    let d1 = store.db(1).unwrap();
    let before = store.blocked_clients();
    let waiting = {
        let d1 = d1.clone();
        thread::spawn(move || d1.execute(["BLPOP", "q", "0"]))
    };
    while store.blocked_clients() == before {
        thread::yield_now();
    }
    // A push to `q` of database 0 is not the awaited key.
    store.execute(["RPUSH", "q", "zero"]);
    assert_eq!(store.blocked_clients(), before + 1);
    d1.execute(["RPUSH", "q", "one"]);
    assert_eq!(waiting.join().unwrap(), bulks(&["q", "one"]));
    assert_eq!(store.execute(["LLEN", "q"]), int(1));
    assert_eq!(store.wait_queue_entries(), 0);
}

#[test]
fn swapdb_serves_pops_blocked_on_keys_it_brings_in() {
    let store = Store::new();
    let d2 = store.db(2).unwrap();
    let before = store.blocked_clients();
    let waiting = {
        let d2 = d2.clone();
        thread::spawn(move || d2.execute(["BLPOP", "q", "0"]))
    };
    while store.blocked_clients() == before {
        thread::yield_now();
    }
    store.execute(["RPUSH", "q", "a", "b"]);
    assert_eq!(store.execute(["SWAPDB", "0", "2"]), ok());
    assert_eq!(waiting.join().unwrap(), bulks(&["q", "a"]));
    assert_eq!(d2.execute(["LRANGE", "q", "0", "-1"]), bulks(&["b"]));
    assert_eq!(store.wait_queue_entries(), 0);
}

#[test]
fn notifications_name_the_database_of_the_key() {
    let clock = ManualClock::new();
    let config = Config::default()
        .clock(clock)
        .active_expiry(false)
        .notify_keyspace_events("KEA");
    let store = Store::with_config(config);
    let mut sub = store.psubscribe(&["__key*__:*"]);
    let d2 = store.db(2).unwrap();
    d2.execute(["SET", "x", "1"]);
    d2.execute(["MOVE", "x", "0"]);
    store.execute(["COPY", "x", "y", "DB", "5"]);
    let mut got = Vec::new();
    while let Some(m) = sub.try_recv().unwrap() {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        got.push(format!("{} {}", s(m.channel()), s(m.payload())));
    }
    assert_eq!(
        got,
        [
            "__keyspace@2__:x set",
            "__keyevent@2__:set x",
            "__keyspace@2__:x move_from",
            "__keyevent@2__:move_from x",
            "__keyspace@0__:x move_to",
            "__keyevent@0__:move_to x",
            "__keyspace@5__:y copy_to",
            "__keyevent@5__:copy_to y",
        ]
    );
}

struct Tap(Mutex<Vec<Batch>>);

impl redlite::Listener for Tap {
    fn on_batch(&self, batch: &Batch) {
        self.0.lock().unwrap().push(batch.clone());
    }
}

fn commands(b: &Batch) -> Vec<String> {
    b.commands()
        .iter()
        .map(|c| {
            c.iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn batches_carry_their_database_and_select_where_it_changes() {
    let (store, _, clock) = setup();
    let tap = Arc::new(Tap(Mutex::new(Vec::new())));
    let _sub = store.listen(tap.clone());
    let mut c = conn_in(&store, 1);
    run(&mut c, "SET a 1");
    let d3 = store.db(3).unwrap();
    d3.execute(["SET", "gone", "x", "PX", "5"]);
    clock.advance(Duration::from_millis(6));
    run(&mut c, "SET gone here");
    // MOVE into a database where the key had expired: its deletion replays there.
    run(&mut c, "MOVE gone 3");
    run(&mut c, "MULTI");
    run(&mut c, "SELECT 2");
    run(&mut c, "SET b 2");
    run(&mut c, "EXEC");
    run(&mut c, "SWAPDB 2 4");
    let batches = tap.0.lock().unwrap().clone();
    let summary: Vec<(usize, Vec<String>)> =
        batches.iter().map(|b| (b.db(), commands(b))).collect();
    let strs = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        summary,
        [
            (1, strs(&["SET a 1"])),
            (3, strs(&["SET gone x PXAT 1767225600005"])),
            (1, strs(&["SET gone here"])),
            (
                1,
                strs(&["SELECT 3", "DEL gone", "SELECT 1", "MOVE gone 3"])
            ),
            (1, strs(&["SELECT 2", "SET b 2"])),
            (2, strs(&["SWAPDB 2 4"])),
        ]
    );
    let moved: Vec<(usize, &str)> = batches[3]
        .events()
        .iter()
        .map(|e| (e.db(), e.event().name()))
        .collect();
    assert_eq!(
        moved,
        [(3, "expired"), (3, "new"), (1, "move_from"), (3, "move_to")]
    );
}

#[test]
fn cluster_mode_has_only_database_zero() {
    let store = Store::with_config(Config::default().cluster_mode(true));
    let mut c = store.connection();
    assert_eq!(run(&mut c, "SELECT 0"), ok());
    assert_eq!(
        run(&mut c, "SELECT 1"),
        err("ERR SELECT is not allowed in cluster mode")
    );
    assert_eq!(
        run(&mut c, "MOVE k 1"),
        err("ERR MOVE is not allowed in cluster mode")
    );
    assert_eq!(
        run(&mut c, "SWAPDB 0 1"),
        err("ERR SWAPDB is not allowed in cluster mode")
    );
    run(&mut c, "SET {k}a v");
    assert_eq!(
        run(&mut c, "COPY {k}a {k}b DB 1"),
        err("ERR Copying to another database is not allowed in cluster mode")
    );
    assert_eq!(run(&mut c, "COPY {k}a {k}b DB 0"), int(1));
    assert!(store.db(1).is_err());
}

#[test]
fn a_script_may_select_only_its_own_database() {
    let store = crate::common::rhai_store();
    let mut c = conn_in(&store, 2);
    let own = r#"redis::call("SELECT", "2"); redis::call("SET", KEYS[0], "v")"#;
    assert_eq!(c.execute(["EVAL", own, "1", "k"]), ok());
    assert_eq!(store.db(2).unwrap().get::<String>("k").unwrap(), "v");
    let other = r#"redis::pcall("SELECT", "3")"#;
    let reply = c.execute(["EVAL", other, "0"]).to_string();
    assert!(
        reply.starts_with("ERR SELECT of another database is not supported inside scripts"),
        "{reply}"
    );
    let bad = r#"redis::pcall("SELECT", "16")"#;
    assert!(c.execute(["EVAL", bad, "0"]).to_string().starts_with(RANGE));
}
