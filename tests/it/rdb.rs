//! RDB files: redlite's snapshots load back identically, load in redis-server identically,
//! redis-server's own dump.rdb (every encoding it writes) loads in redlite identically, and
//! damaged files give clear errors naming the byte offset. SAVE, BGSAVE, LASTSAVE and the
//! save rules.

use crate::common::crc64::crc64_jones;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use redlite::{Config, Reply, SaveRule, Store};

use crate::common::dataset::{self, Described};
use crate::parity::server::start_or_skip;

fn disk_store(dir: &Path) -> Store {
    Store::with_config(Config::default().data_dir(dir).appendonly(false))
}

fn fill(store: &Store, far: u64) {
    let mut c = store.connection();
    for cmd in dataset::commands(far) {
        let r = c.execute(&cmd);
        assert!(!r.is_error(), "{cmd:?}: {r}");
    }
}

fn describe_store(store: &Store) -> Described {
    let mut c = store.connection();
    dataset::describe(|args| c.execute(args))
}

fn assert_same(a: &Described, b: &Described) {
    if let Some(diff) = dataset::first_difference(a, b) {
        panic!("{diff}");
    }
}

#[test]
fn a_saved_snapshot_loads_back_identically() {
    let dir = dataset::temp_dir("rdb-roundtrip");
    let store = disk_store(&dir);
    fill(&store, dataset::far_ms());
    store.save().unwrap();
    let loaded = Store::new();
    let keys = loaded.load_rdb_file(dir.join("dump.rdb")).unwrap();
    assert_eq!(keys, describe_store(&store).len());
    assert_same(&describe_store(&store), &describe_store(&loaded));
    // Load -> save -> load gives the same again.
    let dir2 = dataset::temp_dir("rdb-roundtrip-2");
    let again = disk_store(&dir2);
    again.load_rdb_file(dir.join("dump.rdb")).unwrap();
    again.save().unwrap();
    let third = Store::new();
    third.load_rdb_file(dir2.join("dump.rdb")).unwrap();
    assert_same(&describe_store(&store), &describe_store(&third));
}

#[test]
fn a_dump_rdb_written_by_redis_server_loads_identically() {
    let dir = dataset::temp_dir("rdb-from-redis");
    let d = dir.to_str().unwrap();
    let Some(server) = start_or_skip(&["--dir", d, "--dbfilename", "dump.rdb"], "rdb from redis")
    else {
        return;
    };
    let mut r = server.connect();
    for cmd in dataset::commands(dataset::far_ms()) {
        let reply = r.call(&cmd);
        assert!(!reply.is_error(), "{cmd:?}: {reply}");
    }
    assert_eq!(r.call(&["SAVE"]), Reply::ok());
    let theirs = dataset::describe(|args| r.call(args));
    let store = Store::new();
    store.load_rdb_file(dir.join("dump.rdb")).unwrap();
    assert_same(&theirs, &describe_store(&store));
}

#[test]
fn a_dump_rdb_written_by_redlite_loads_in_redis_server_identically() {
    let dir = dataset::temp_dir("rdb-to-redis");
    let store = disk_store(&dir);
    fill(&store, dataset::far_ms());
    store.save().unwrap();
    let d = dir.to_str().unwrap();
    let Some(server) = start_or_skip(&["--dir", d, "--dbfilename", "dump.rdb"], "rdb to redis")
    else {
        return;
    };
    let mut r = server.connect();
    let theirs = dataset::describe(|args| r.call(args));
    assert_same(&describe_store(&store), &theirs);
}

/// A small valid file written by redlite, to damage.
fn small_file(name: &str) -> Vec<u8> {
    let dir = dataset::temp_dir(name);
    let store = disk_store(&dir);
    store.execute(["SET", "k", "v"]);
    store.execute(["RPUSH", "l", "a", "b"]);
    store.save().unwrap();
    std::fs::read(dir.join("dump.rdb")).unwrap()
}

fn load_bytes(name: &str, bytes: &[u8]) -> Result<usize, redlite::Error> {
    let dir = dataset::temp_dir(name);
    let path = dir.join("dump.rdb");
    std::fs::write(&path, bytes).unwrap();
    Store::new().load_rdb_file(&path)
}

fn error_text(r: Result<usize, redlite::Error>) -> String {
    match r {
        Err(e) => {
            assert_eq!(e.kind(), redlite::ErrorKind::Persistence, "{e}");
            e.to_string()
        }
        Ok(n) => panic!("loaded {n} keys from a damaged file"),
    }
}

#[test]
fn an_empty_file_is_an_error_at_byte_0() {
    let text = error_text(load_bytes("rdb-empty", b""));
    assert!(
        text.contains("dump.rdb: bad RDB data at byte 0: empty file"),
        "{text}"
    );
}

#[test]
fn a_truncated_file_is_an_error_naming_where_it_ends() {
    let file = small_file("rdb-trunc-src");
    for cut in [5, 9, 20, file.len() / 2, file.len() - 9, file.len() - 1] {
        let text = error_text(load_bytes("rdb-trunc", &file[..cut]));
        assert!(text.contains("dump.rdb: bad RDB data at byte"), "{text}");
    }
    let text = error_text(load_bytes("rdb-trunc", &file[..file.len() - 3]));
    assert!(text.contains("unexpected end of data"), "{text}");
}

#[test]
fn a_wrong_crc_is_an_error_at_the_trailer() {
    let mut file = small_file("rdb-crc-src");
    let at = file.len() - 8;
    file[at] ^= 0x55;
    let text = error_text(load_bytes("rdb-crc", &file));
    assert!(
        text.contains(&format!("at byte {at}: checksum mismatch")),
        "{text}"
    );
}

#[test]
fn a_flipped_byte_in_a_value_fails_the_checksum() {
    let mut file = small_file("rdb-flip-src");
    let at = file.len() - 12; // inside the last value
    file[at] ^= 0x01;
    let text = error_text(load_bytes("rdb-flip", &file));
    assert!(text.contains("bad RDB data at byte"), "{text}");
}

#[test]
fn an_unknown_value_type_is_a_clear_error() {
    // Header, SELECTDB 0, then type 42.
    let mut file = b"REDIS0010".to_vec();
    file.extend_from_slice(&[0xfe, 0x00, 42, 1, b'k', 1, b'v', 0xff]);
    let text = error_text(load_bytes("rdb-type", &file));
    assert!(
        text.contains("at byte 11: unknown opcode or value type 42"),
        "{text}"
    );
}

#[test]
fn streams_are_refused_by_name_and_a_bad_library_by_its_error() {
    let mut file = b"REDIS0010".to_vec();
    file.extend_from_slice(&[15, 1, b's', 0]);
    let text = error_text(load_bytes("rdb-stream", &file));
    assert!(text.contains("streams are not supported"), "{text}");
    let mut file = b"REDIS0010".to_vec();
    file.extend_from_slice(&[245, 1, b'x']);
    let text = error_text(load_bytes("rdb-func", &file));
    assert!(
        text.contains("at byte 9: function library: ERR Missing library metadata"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_rdb_is_refused() {
    let text = error_text(load_bytes("rdb-magic", b"*1\r\n$4\r\nPING\r\n"));
    assert!(text.contains("no REDIS signature"), "{text}");
    let text = error_text(load_bytes("rdb-version", b"REDIS0011\xff"));
    assert!(text.contains("unsupported RDB version"), "{text}");
}

#[test]
fn keys_that_expired_before_loading_are_skipped() {
    let dir = dataset::temp_dir("rdb-expired");
    let clock = redlite::ManualClock::new();
    let store = Store::with_config(
        Config::default()
            .clock(clock.clone())
            .active_expiry(false)
            .data_dir(&dir)
            .appendonly(false),
    );
    store.execute(["SET", "gone", "v", "PX", "1000"]);
    store.execute(["SET", "kept", "v", "PX", "100000"]);
    store.save().unwrap();
    clock.advance(Duration::from_secs(10));
    let later = Store::with_config(Config::default().clock(clock.clone()));
    assert_eq!(later.load_rdb_file(dir.join("dump.rdb")).unwrap(), 1);
    assert_eq!(later.execute(["EXISTS", "gone", "kept"]), Reply::Integer(1));
}

#[test]
fn save_and_bgsave_without_a_data_folder_are_errors() {
    let store = Store::new();
    let no_dir = "ERR persistence is off: this store has no data folder (see Config::data_dir)";
    assert_eq!(store.execute(["SAVE"]), Reply::error(no_dir));
    assert_eq!(store.execute(["BGSAVE"]), Reply::error(no_dir));
    assert!(store.save().is_err());
    assert_eq!(
        store.execute(["BGSAVE", "NOW"]),
        Reply::error("ERR syntax error")
    );
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    // Polls a background thread's result; the deadline only bounds a hung test.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn bgsave_writes_the_file_in_the_background_and_moves_lastsave() {
    let dir = dataset::temp_dir("rdb-bgsave");
    let store = disk_store(&dir);
    store.execute(["SET", "k", "v"]);
    let Reply::Integer(before) = store.execute(["LASTSAVE"]) else {
        panic!("LASTSAVE is an integer")
    };
    assert_eq!(
        store.execute(["BGSAVE"]),
        Reply::status("Background saving started")
    );
    wait_for("dump.rdb", || dir.join("dump.rdb").exists());
    wait_for("the BGSAVE to end", || {
        store.execute(["BGSAVE"]) != Reply::error("ERR Background save already in progress")
    });
    let Reply::Integer(after) = store.execute(["LASTSAVE"]) else {
        panic!("LASTSAVE is an integer")
    };
    assert!(after >= before);
    let loaded = Store::new();
    assert_eq!(loaded.load_rdb_file(dir.join("dump.rdb")).unwrap(), 1);
}

#[test]
fn a_save_rule_snapshots_after_enough_changes() {
    let dir = dataset::temp_dir("rdb-rules");
    let store = Store::with_config(
        Config::default()
            .data_dir(&dir)
            .appendonly(false)
            .save_rules([SaveRule::new(Duration::ZERO, 3)]),
    );
    store.execute(["SET", "a", "1"]);
    store.execute(["SET", "b", "1"]);
    store.execute(["SET", "c", "1"]);
    wait_for("the rule's dump.rdb", || dir.join("dump.rdb").exists());
    let loaded = Store::new();
    wait_for("all three keys in dump.rdb", || {
        loaded.execute(["FLUSHALL"]);
        loaded
            .load_rdb_file(dir.join("dump.rdb"))
            .is_ok_and(|n| n == 3)
    });
}

/// Point in time across shards: a writer moves units between two keys on different shards
/// in EXECs (their sum is constant) and counts up two keys in order (`a` then `b`); every
/// snapshot taken meanwhile must show a constant sum and `b <= a <= b + 1`.
#[test]
fn snapshots_taken_under_concurrent_writes_are_consistent() {
    let dir = dataset::temp_dir("rdb-consistent");
    let store = Store::with_config(Config::default().data_dir(&dir).appendonly(false).shards(8));
    let (x, y) = two_keys_on_different_shards(&store);
    store.execute(["SET", &x, "1000"]);
    store.execute(["SET", &y, "0"]);
    for i in 0..2000 {
        store.execute(["SET", &format!("filler:{i}"), "v"]);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, stop, x, y) = (store.clone(), stop.clone(), x.clone(), y.clone());
        thread::spawn(move || {
            let mut c = store.connection();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                c.execute(["MULTI"]);
                c.execute(["DECR", &x]);
                c.execute(["INCR", &y]);
                c.execute(["EXEC"]);
                c.execute(["INCR", "count:a"]);
                c.execute(["INCR", "count:b"]);
                c.execute([
                    "SET",
                    &format!("filler:{}", n % 2000),
                    n.to_string().as_str(),
                ]);
                n += 1;
            }
        })
    };
    for _ in 0..20 {
        store.save().unwrap();
        let snap = Store::new();
        snap.load_rdb_file(dir.join("dump.rdb")).unwrap();
        let get = |k: &str| match snap.execute(["GET", k]) {
            Reply::Bulk(b) => String::from_utf8(b).unwrap().parse::<i64>().unwrap(),
            _ => 0,
        };
        assert_eq!(get(&x) + get(&y), 1000);
        let (a, b) = (get("count:a"), get("count:b"));
        assert!(b <= a && a <= b + 1, "count:a {a}, count:b {b}");
        assert_eq!(snap.execute(["DBSIZE"]), store_dbsize_at_least(&snap));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
}

fn store_dbsize_at_least(snap: &Store) -> Reply {
    // Every filler key is always present: the image has 2002 keys, plus the counters.
    match snap.execute(["DBSIZE"]) {
        Reply::Integer(n) if n >= 2002 => Reply::Integer(n),
        other => panic!("snapshot lost keys: DBSIZE {other}"),
    }
}

fn two_keys_on_different_shards(store: &Store) -> (String, String) {
    let x = "acct:x".to_string();
    let y = (0..10_000)
        .map(|i| format!("acct:y{i}"))
        .find(|k| store.shard_index(k) != store.shard_index(&x))
        .unwrap();
    (x, y)
}

#[test]
fn damaged_files_with_a_right_checksum_never_panic_and_name_an_offset() {
    let dir = dataset::temp_dir("rdb-fuzz-src");
    let store = disk_store(&dir);
    fill(&store, dataset::far_ms());
    store.save().unwrap();
    let good = std::fs::read(dir.join("dump.rdb")).unwrap();
    let mut rng = fastrand::Rng::with_seed(10);
    for _ in 0..100 {
        let mut file = good.clone();
        let body = file.len() - 8;
        for _ in 0..rng.usize(1..4) {
            let at = rng.usize(9..body);
            file[at] = rng.u8(..);
        }
        let crc = crc64_jones(&file[..body]);
        file[body..].copy_from_slice(&crc.to_le_bytes());
        match Store::new().load_rdb_bytes(&file) {
            Ok(_) => {}
            Err(e) => assert!(e.to_string().contains("bad RDB data at byte"), "{e}"),
        }
    }
}

/// Keys in databases 0, 3 and 15 (database 3 also with a TTL).
fn fill_databases(store: &Store) {
    let far = dataset::far_ms().to_string();
    for (db, key, value) in [(0, "a", "zero"), (3, "b", "three"), (15, "c", "fifteen")] {
        let mut c = store.connection();
        assert_eq!(c.execute(["SELECT", &db.to_string()]), Reply::ok());
        assert_eq!(c.execute(["SET", key, value]), Reply::ok());
    }
    let mut c = store.connection();
    c.execute(["SELECT", "3"]);
    assert_eq!(c.execute(["PEXPIREAT", "b", &far]), Reply::Integer(1));
}

/// What each of the 16 databases holds: `(db, key, value, pexpiretime)`, through `call`.
fn describe_databases(
    mut call: impl FnMut(&[&str]) -> Reply,
) -> Vec<(usize, String, Reply, Reply)> {
    let mut out = Vec::new();
    for db in 0..16 {
        call(&["SELECT", &db.to_string()]);
        for key in ["a", "b", "c"] {
            let value = call(&["GET", key]);
            if value != Reply::Nil {
                out.push((db, key.to_string(), value, call(&["PEXPIRETIME", key])));
            }
        }
    }
    out
}

#[test]
fn a_snapshot_keeps_every_database() {
    let dir = dataset::temp_dir("rdb-databases");
    let store = disk_store(&dir);
    fill_databases(&store);
    store.save().unwrap();
    let loaded = Store::new();
    assert_eq!(loaded.load_rdb_file(dir.join("dump.rdb")).unwrap(), 3);
    let mut a = store.connection();
    let mut b = loaded.connection();
    let ours = describe_databases(|args| a.execute(args.iter().copied()));
    assert_eq!(ours.len(), 3);
    assert_eq!(
        ours,
        describe_databases(|args| b.execute(args.iter().copied()))
    );
}

#[test]
fn a_dump_rdb_with_several_databases_loads_in_redis_server_identically() {
    let dir = dataset::temp_dir("rdb-databases-to-redis");
    let store = disk_store(&dir);
    fill_databases(&store);
    store.save().unwrap();
    let d = dir.to_str().unwrap();
    let Some(server) = start_or_skip(&["--dir", d, "--dbfilename", "dump.rdb"], "rdb dbs") else {
        return;
    };
    let mut r = server.connect();
    let theirs = describe_databases(|args| r.call(args));
    let mut c = store.connection();
    assert_eq!(
        describe_databases(|args| c.execute(args.iter().copied())),
        theirs
    );
}
