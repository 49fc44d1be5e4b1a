//! The append-only log: what `Store::open` brings back, the folder's Redis 7 layout, the
//! deterministic forms in the log, rewrites, and the documented outcome for each kind of
//! damage (torn tail: cut and reported; anything else: an error naming file and offset).

use std::io::Write;
use std::sync::Arc;

use crate::common::datadir::{DataDir, picture_of};
use redlite::{Config, Error, Fsync, Reply, Store};

fn config(dir: &DataDir, policy: Fsync) -> Config {
    Config::default().data_dir(dir.path()).appendfsync(policy)
}

fn open(dir: &DataDir) -> Store {
    Store::open(config(dir, Fsync::Always)).expect("the folder opens")
}

/// Writes of every type, with TTLs, and a few overwrites and deletions.
fn write_mixed(store: &Store) {
    let lines: &[&[&str]] = &[
        &["SET", "s", "hello"],
        &["SET", "ttl", "v", "EX", "1000"],
        &["INCR", "n"],
        &["INCRBY", "n", "41"],
        &["INCRBYFLOAT", "f", "1.5"],
        &["RPUSH", "l", "a", "b", "c"],
        &["LPOP", "l"],
        &["SADD", "set", "x", "y", "z"],
        &["SREM", "set", "y"],
        &["HSET", "h", "f1", "v1", "f2", "v2"],
        &["HINCRBYFLOAT", "h", "f3", "0.25"],
        &["ZADD", "z", "1.5", "a", "-2", "b", "3e10", "c"],
        &["EXPIRE", "h", "5000"],
        &["SET", "gone", "x"],
        &["DEL", "gone"],
        &["APPEND", "s", " world"],
    ];
    for line in lines {
        let reply = store.execute(*line);
        assert!(!reply.is_error(), "{line:?}: {reply}");
    }
}

#[test]
fn writes_survive_a_reopen_under_every_fsync_policy() {
    for policy in [Fsync::Always, Fsync::EverySec, Fsync::No] {
        let dir = DataDir::new("policy");
        let store = Store::open(config(&dir, policy)).expect("opens");
        write_mixed(&store);
        let before = picture_of(&mut store.connection());
        drop(store);
        let again = Store::open(config(&dir, policy)).expect("reopens");
        assert_eq!(picture_of(&mut again.connection()), before, "{policy:?}");
        assert!(again.load_warnings().is_empty());
    }
}

#[test]
fn a_new_folder_has_redis_seven_multi_part_layout() {
    let dir = DataDir::new("layout");
    let store = open(&dir);
    store.execute(["SET", "k", "v"]);
    store.flush_log();
    assert_eq!(
        dir.manifest(),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    let incr = std::fs::read(dir.aof_file("appendonly.aof.1.incr.aof")).unwrap_or_default();
    assert_eq!(
        incr,
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
    );
}

fn incr_text(dir: &DataDir) -> String {
    String::from_utf8_lossy(&std::fs::read(dir.aof_file(&dir.last_incr())).unwrap_or_default())
        .replace("\r\n", " ")
}

#[test]
fn the_log_holds_deterministic_forms_and_only_writes_that_changed_something() {
    let dir = DataDir::new("forms");
    let store = open(&dir);
    store.execute(["SET", "k", "v", "EX", "100"]);
    store.execute(["EXPIRE", "k", "200"]);
    store.execute(["SADD", "s", "only"]);
    store.execute(["SPOP", "s"]);
    store.execute(["DEL", "missing"]);
    store.execute(["SADD", "t", "a"]);
    store.execute(["SADD", "t", "a"]); // no change: not logged
    store.flush_log();
    let text = incr_text(&dir);
    assert!(text.contains("PXAT"), "{text}");
    assert!(text.contains("PEXPIREAT"), "{text}");
    assert!(text.contains("SREM $1 s $4 only"), "{text}");
    assert!(
        !text.contains("SPOP") && !text.contains("missing"),
        "{text}"
    );
    assert_eq!(text.matches("SADD").count(), 2, "{text}");
}

#[test]
fn an_exec_and_a_script_are_logged_as_multi_exec_units() {
    let dir = DataDir::new("units");
    let store = open(&dir);
    let mut conn = store.connection();
    conn.execute(["MULTI"]);
    conn.execute(["SET", "a", "1"]);
    conn.execute(["INCR", "b"]);
    conn.execute(["EXEC"]);
    let script =
        "#!rhai\nredis::call(\"SET\", KEYS[0], \"x\"); redis::call(\"SET\", KEYS[1], \"y\")";
    let reply = conn.execute(["EVAL", script, "2", "c", "d"]);
    assert!(!reply.is_error(), "{reply}");
    store.flush_log();
    let text = incr_text(&dir);
    assert_eq!(text.matches("MULTI").count(), 2, "{text}");
    assert_eq!(text.matches("EXEC").count(), 2, "{text}");
    assert!(!text.contains("EVAL"), "{text}");
    drop((conn, store));
    let again = open(&dir);
    assert_eq!(
        again.execute(["MGET", "a", "b", "c", "d"]).to_string(),
        r#"["1", "1", "x", "y"]"#
    );
}

#[test]
fn concurrent_writers_under_always_lose_nothing() {
    let dir = DataDir::new("always8");
    let store = open(&dir);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    store.execute(["INCR", &format!("c{t}")]);
                    store.execute(["RPUSH", "shared", &format!("{t}:{i}")]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread");
    }
    let before = picture_of(&mut store.connection());
    drop(store);
    let again = open(&dir);
    assert_eq!(picture_of(&mut again.connection()), before);
    assert_eq!(again.execute(["LLEN", "shared"]), Reply::Integer(1600));
}

#[test]
fn rewrite_aof_keeps_the_contents_and_replaces_the_files() {
    let dir = DataDir::new("rewrite");
    let store = open(&dir);
    write_mixed(&store);
    for i in 0..200 {
        store.execute(["RPUSH", "big", &i.to_string()]); // more than one RPUSH's worth
    }
    store.rewrite_aof().expect("rewrite");
    store.execute(["SET", "after", "1"]);
    assert_eq!(
        dir.manifest(),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    assert!(!dir.aof_file("appendonly.aof.1.incr.aof").exists());
    assert!(!dir.aof_file("appendonly.aof.1.base.rdb").exists());
    let before = picture_of(&mut store.connection());
    drop(store);
    let again = open(&dir);
    assert_eq!(picture_of(&mut again.connection()), before);
}

#[test]
fn a_rewrite_while_writers_run_loses_and_doubles_nothing() {
    let dir = DataDir::new("rewrite-live");
    let store = Store::open(config(&dir, Fsync::No)).expect("opens");
    let writers: Vec<_> = (0..3)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..3000 {
                    store.execute(["INCR", &format!("n{t}")]);
                }
            })
        })
        .collect();
    for _ in 0..5 {
        store.rewrite_aof().expect("rewrite");
    }
    for w in writers {
        w.join().expect("writer");
    }
    drop(store);
    let again = open(&dir);
    for t in 0..3 {
        assert_eq!(
            again.execute(["GET", &format!("n{t}")]),
            Reply::bulk("3000")
        );
    }
}

#[test]
fn bgrewriteaof_answers_as_redis() {
    let dir = DataDir::new("bgrewrite");
    let store = open(&dir);
    store.execute(["SET", "k", "v"]);
    assert_eq!(
        store.execute(["BGREWRITEAOF"]),
        Reply::status("Background append only file rewriting started")
    );
    let in_memory = Store::new().execute(["BGREWRITEAOF"]);
    assert!(
        in_memory.to_string().starts_with("ERR persistence is off"),
        "{in_memory}"
    );
    let off = DataDir::new("bgrewrite-off");
    let no_log =
        Store::open(Config::default().data_dir(off.path()).appendonly(false)).expect("opens");
    assert!(
        no_log
            .execute(["BGREWRITEAOF"])
            .to_string()
            .starts_with("ERR the append only file is off")
    );
}

/// Holds the writer of key `gate` inside the effects path (its shard write-locked) until
/// released, so a rewrite waiting for every shard lock is surely still running.
struct Gate {
    held: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    entered: std::sync::mpsc::SyncSender<()>,
}

impl redlite::Listener for Gate {
    fn on_batch(&self, batch: &redlite::Batch) {
        if batch.events().iter().any(|e| e.key() == b"gate") {
            let _ = self.entered.send(());
            let held = self
                .held
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = held.recv();
        }
    }
}

#[test]
fn a_rewrite_already_running_is_refused_with_redis_error() {
    let dir = DataDir::new("bgrewrite-twice");
    let store = open(&dir);
    let (release, held) = std::sync::mpsc::channel();
    let (entered, inside) = std::sync::mpsc::sync_channel(1);
    let _sub = store.listen(Arc::new(Gate {
        held: std::sync::Mutex::new(held),
        entered,
    }));
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || store.execute(["SET", "gate", "1"]))
    };
    inside
        .recv()
        .expect("the writer is inside the effects path");
    let started = Reply::status("Background append only file rewriting started");
    assert_eq!(store.execute(["BGREWRITEAOF"]), started);
    assert_eq!(
        store.execute(["BGREWRITEAOF"]).to_string(),
        "ERR Background append only file rewriting already in progress"
    );
    match store.rewrite_aof() {
        Err(Error::Reply(e)) => assert!(e.ends_with("already in progress"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    release.send(()).expect("release");
    writer.join().expect("writer");
}

fn append(dir: &DataDir, bytes: &[u8]) {
    let path = dir.aof_file(&dir.last_incr());
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("incr file");
    f.write_all(bytes).expect("append");
}

#[test]
fn a_torn_tail_is_cut_off_and_reported() {
    let dir = DataDir::new("torn");
    let store = open(&dir);
    store.execute(["SET", "kept", "1"]);
    drop(store);
    let len = std::fs::metadata(dir.aof_file(&dir.last_incr())).map_or(0, |m| m.len());
    append(&dir, b"*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1");
    let again = open(&dir);
    assert_eq!(again.execute(["GET", "kept"]), Reply::bulk("1"));
    assert_eq!(again.execute(["EXISTS", "lost"]), Reply::Integer(0));
    let warnings = again.load_warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains(&format!("truncated at byte {len}")),
        "{}",
        warnings[0]
    );
    // The file was cut back, so what is written next follows a whole record.
    again.execute(["SET", "next", "2"]);
    drop(again);
    let third = open(&dir);
    assert_eq!(third.execute(["GET", "next"]), Reply::bulk("2"));
    assert!(third.load_warnings().is_empty());
}

#[test]
fn a_multi_cut_before_its_exec_is_dropped_whole() {
    let dir = DataDir::new("torn-multi");
    drop(open(&dir));
    append(
        &dir,
        b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    let again = open(&dir);
    assert_eq!(again.execute(["EXISTS", "a"]), Reply::Integer(0));
    assert_eq!(again.load_warnings().len(), 1);
}

#[test]
fn a_flipped_byte_mid_file_is_an_error_naming_file_and_offset() {
    let dir = DataDir::new("flipped");
    let store = open(&dir);
    store.execute(["SET", "a", "1"]);
    store.execute(["SET", "b", "2"]);
    drop(store);
    let path = dir.aof_file(&dir.last_incr());
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    let at = 23 + 4; // the '$' before "SET" of the first record after SELECT
    assert_eq!(bytes[at], b'$');
    bytes[at] = b'%';
    std::fs::write(&path, &bytes).expect("write");
    match Store::open(config(&dir, Fsync::Always)) {
        Err(Error::Persistence(text)) => {
            let want = format!("{}: at byte {at}: Bad file format", path.display());
            assert!(text.starts_with(&want), "{text}");
        }
        other => panic!("expected a persistence error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn an_empty_incr_file_loads_as_nothing() {
    let dir = DataDir::new("empty-incr");
    drop(open(&dir));
    std::fs::write(dir.aof_file(&dir.last_incr()), b"").expect("empty it");
    let again = open(&dir);
    assert_eq!(again.execute(["DBSIZE"]), Reply::Integer(0));
    again.execute(["SET", "k", "v"]);
    drop(again);
    assert_eq!(open(&dir).execute(["GET", "k"]), Reply::bulk("v"));
}

fn open_error(dir: &DataDir) -> String {
    match Store::open(config(dir, Fsync::Always)) {
        Err(Error::Persistence(text)) => text,
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a damaged folder opened"),
    }
}

#[test]
fn a_bad_manifest_is_an_error_with_redis_words() {
    let dir = DataDir::new("manifest");
    drop(open(&dir));
    let manifest = dir.aof_file("appendonly.aof.manifest");
    std::fs::write(&manifest, b"").expect("write");
    assert!(open_error(&dir).ends_with("Found an empty AOF manifest"));
    std::fs::write(
        &manifest,
        b"file appendonly.aof.1.base.rdb seq 1 type b\nfile x seq 1\n",
    )
    .expect("write");
    let e = open_error(&dir);
    assert!(
        e.contains("at byte 44") && e.ends_with("Invalid AOF manifest file format"),
        "{e}"
    );
    std::fs::write(&manifest, b"file appendonly.aof.9.incr.aof seq 9 type i\n").expect("write");
    assert!(open_error(&dir).contains("doesn't exist"));
}

#[test]
fn a_store_opened_without_a_data_folder_stays_in_memory() {
    let store = Store::open(Config::default()).expect("in memory");
    store.execute(["SET", "k", "v"]);
    assert!(store.rewrite_aof().is_err());
    let _ = Arc::new(store);
}

#[test]
fn every_database_survives_a_reopen_and_a_rewrite() {
    let dir = DataDir::new("databases");
    let store = open(&dir);
    let mut c = store.connection();
    c.execute(["SET", "k", "zero"]);
    c.execute(["SELECT", "5"]);
    c.execute(["SET", "k", "five"]);
    c.execute(["MULTI"]);
    c.execute(["RPUSH", "l", "x"]);
    c.execute(["SELECT", "7"]);
    c.execute(["SET", "k", "seven"]);
    assert!(!c.execute(["EXEC"]).is_error());
    // The connection is in database 7 now; a write of another connection in database 0
    // must not land there on replay.
    store.execute(["SET", "after", "0"]);
    c.execute(["MOVE", "k", "2"]);
    drop(c);
    let snapshot = |s: &Store| {
        (0..16)
            .map(|db| {
                let mut c = s.connection();
                c.execute(["SELECT", &db.to_string()]);
                (
                    c.execute(["GET", "k"]),
                    c.execute(["LRANGE", "l", "0", "-1"]),
                    c.execute(["GET", "after"]),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = snapshot(&store);
    assert_eq!(before[2].0, Reply::bulk("seven"));
    assert_eq!(before[0].2, Reply::bulk("0"));
    drop(store);
    let again = open(&dir);
    assert_eq!(snapshot(&again), before);
    again.rewrite_aof().expect("rewrites");
    drop(again);
    let third = open(&dir);
    assert_eq!(snapshot(&third), before);
}
