//! Redis's MISCONF rule: a store that cannot persist refuses writes instead of accepting
//! data it would lose. A background save fails here because `dump.rdb` is a folder (the
//! rename over it fails), the same way on redlite and on redis-server.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use redlite::{Config, Reply, SaveRule, Store};

use crate::common::dataset;
use crate::parity::server::start_or_skip;

fn rules_store(dir: &Path) -> Store {
    Store::with_config(
        Config::default()
            .data_dir(dir)
            .appendonly(false)
            .save_rules([SaveRule::new(Duration::from_secs(3600), 1)]),
    )
}

/// Makes `dump.rdb` impossible to replace: a non-empty folder of that name.
fn block_dump(dir: &Path) {
    std::fs::create_dir_all(dir.join("dump.rdb").join("in-the-way")).expect("block dump.rdb");
}

fn unblock_dump(dir: &Path) {
    std::fs::remove_dir_all(dir.join("dump.rdb")).expect("unblock dump.rdb");
}

fn info_field(store: &Store, name: &str) -> String {
    let Reply::Bulk(text) = store.execute(["INFO", "persistence"]) else {
        panic!("INFO answers a bulk string")
    };
    let text = String::from_utf8(text).expect("INFO is text");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_owned))
        .unwrap_or_else(|| panic!("INFO persistence has no {name}"))
}

/// Runs BGSAVE and waits until it has ended (its status no longer "in progress").
fn bgsave_and_wait(store: &Store) {
    assert_eq!(
        store.execute(["BGSAVE"]),
        Reply::status("Background saving started")
    );
    // Polls the saver thread's result; the deadline only bounds a hung test.
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(store, "rdb_bgsave_in_progress") != "0" {
        assert!(Instant::now() < deadline, "BGSAVE never ended");
        thread::sleep(Duration::from_millis(5));
    }
}

fn misconf() -> Reply {
    Reply::error(
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to \
         persist to disk. Commands that may modify the data set are disabled, because this \
         instance is configured to report errors during writes if RDB snapshotting fails \
         (stop-writes-on-bgsave-error option). Please check the Redis logs for details about \
         the RDB error.",
    )
}

#[test]
fn a_failed_background_save_refuses_writes_and_ping_but_not_reads() {
    let dir = dataset::temp_dir("misconf-refuses");
    let store = rules_store(&dir);
    store.execute(["SET", "k", "before"]);
    block_dump(&dir);
    bgsave_and_wait(&store);
    assert_eq!(info_field(&store, "rdb_last_bgsave_status"), "err");
    assert_eq!(store.execute(["SET", "k", "after"]), misconf());
    assert_eq!(store.execute(["INCR", "n"]), misconf());
    assert_eq!(store.execute(["PING"]), misconf());
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("before"));
    assert_eq!(store.execute(["DBSIZE"]), Reply::Integer(1));
    assert!(!store.execute(["SCRIPT", "LOAD", "#!rhai\n1"]).is_error());
}

#[test]
fn writes_come_back_once_a_save_succeeds() {
    let dir = dataset::temp_dir("misconf-recovers");
    let store = rules_store(&dir);
    block_dump(&dir);
    bgsave_and_wait(&store);
    assert_eq!(store.execute(["SET", "k", "v"]), misconf());
    unblock_dump(&dir);
    assert_eq!(store.execute(["SAVE"]), Reply::ok());
    assert_eq!(info_field(&store, "rdb_last_bgsave_status"), "ok");
    assert_eq!(store.execute(["SET", "k", "v"]), Reply::ok());
}

#[test]
fn a_write_queued_in_multi_is_refused_and_dooms_the_exec() {
    let dir = dataset::temp_dir("misconf-multi");
    let store = rules_store(&dir);
    block_dump(&dir);
    bgsave_and_wait(&store);
    let mut c = store.connection();
    assert_eq!(c.execute(["MULTI"]), Reply::ok());
    assert_eq!(c.execute(["GET", "k"]), Reply::status("QUEUED"));
    assert_eq!(c.execute(["SET", "k", "v"]), misconf());
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::error("EXECABORT Transaction discarded because of previous errors.")
    );
    assert_eq!(store.execute(["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn a_script_that_may_write_is_refused_and_a_no_writes_one_runs() {
    let dir = dataset::temp_dir("misconf-scripts");
    let store = rules_store(&dir);
    store.execute(["SET", "k", "1"]);
    block_dump(&dir);
    bgsave_and_wait(&store);
    let writer = "#!rhai\nredis::call(\"INCR\", KEYS[0])";
    assert_eq!(store.execute(["EVAL", writer, "1", "k"]), misconf());
    let reader = "#!rhai flags=no-writes\nredis::call(\"GET\", KEYS[0])";
    assert_eq!(store.execute(["EVAL", reader, "1", "k"]), Reply::bulk("1"));
}

#[test]
fn stop_writes_on_bgsave_error_no_lets_writes_through() {
    let dir = dataset::temp_dir("misconf-stop-writes-no");
    let store = rules_store(&dir);
    block_dump(&dir);
    bgsave_and_wait(&store);
    assert_eq!(store.execute(["SET", "k", "v"]), misconf());
    assert_eq!(
        store.execute(["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"]),
        Reply::ok()
    );
    assert_eq!(store.execute(["SET", "k", "v"]), Reply::ok());
    assert_eq!(
        store.execute(["CONFIG", "GET", "stop-writes-on-bgsave-error"]),
        Reply::Array(vec![
            Reply::bulk("stop-writes-on-bgsave-error"),
            Reply::bulk("no")
        ])
    );
}

#[test]
fn without_save_rules_a_failed_background_save_refuses_nothing() {
    let dir = dataset::temp_dir("misconf-no-rules");
    let store = rules_store(&dir);
    assert_eq!(store.execute(["CONFIG", "SET", "save", ""]), Reply::ok());
    block_dump(&dir);
    bgsave_and_wait(&store);
    assert_eq!(info_field(&store, "rdb_last_bgsave_status"), "err");
    assert_eq!(store.execute(["SET", "k", "v"]), Reply::ok());
    // Rules put back in force make the failure count again, as in Redis.
    assert_eq!(
        store.execute(["CONFIG", "SET", "save", "3600 1"]),
        Reply::ok()
    );
    assert_eq!(store.execute(["SET", "k", "v"]), misconf());
}

#[test]
fn config_set_save_puts_new_rules_in_force() {
    let dir = dataset::temp_dir("misconf-config-save");
    let store = rules_store(&dir);
    assert_eq!(
        store.execute(["CONFIG", "GET", "save"]),
        Reply::Array(vec![Reply::bulk("save"), Reply::bulk("3600 1")])
    );
    assert_eq!(store.execute(["CONFIG", "SET", "save", "1 2"]), Reply::ok());
    store.execute(["SET", "a", "1"]);
    store.execute(["SET", "b", "1"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    // The save is recorded after its file is renamed into place: wait for the record.
    while info_field(&store, "rdb_saves") != "1" {
        assert!(Instant::now() < deadline, "the new rule never saved");
        thread::sleep(Duration::from_millis(10));
    }
    assert!(dir.join("dump.rdb").exists());
    assert_eq!(info_field(&store, "rdb_changes_since_last_save"), "0");
}

#[test]
fn an_in_memory_store_refuses_save_rules_it_could_not_follow() {
    let store = Store::new();
    assert_eq!(store.execute(["CONFIG", "SET", "save", ""]), Reply::ok());
    assert_eq!(
        store.execute(["CONFIG", "SET", "save", "60 1"]),
        Reply::error(
            "ERR CONFIG SET failed (possibly related to argument 'save') - the store has no \
             data folder (Config::data_dir) to save to"
        )
    );
}

#[test]
fn misconf_texts_match_redis_server_after_the_same_failed_bgsave() {
    let dir = dataset::temp_dir("misconf-redis");
    let at = dir.to_str().expect("a UTF-8 temp dir");
    let Some(server) = start_or_skip(&["--dir", at, "--save", "3600 1"], "MISCONF parity") else {
        return;
    };
    let mut redis = server.connect();
    block_dump(&dir);
    assert_eq!(
        redis.call(&["BGSAVE"]),
        Reply::status("Background saving started")
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while redis.call(&["PING"]) == Reply::status("PONG") {
        assert!(
            Instant::now() < deadline,
            "redis-server's BGSAVE never failed"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let ours_dir = dataset::temp_dir("misconf-ours");
    let ours = rules_store(&ours_dir);
    block_dump(&ours_dir);
    bgsave_and_wait(&ours);
    let mut c = ours.connection();
    for cmd in [
        &["SET", "k", "v"][..],
        &["PING"],
        &["GET", "k"],
        &["MULTI"],
        &["SET", "k", "v"],
        &["EXEC"],
    ] {
        let theirs = redis.call(cmd);
        let mine = c.execute(cmd);
        assert_eq!(mine, theirs, "{cmd:?}");
    }
}
