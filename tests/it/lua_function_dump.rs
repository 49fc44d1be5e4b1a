//! FUNCTION DUMP / RESTORE in Redis 7.0's payload format, and libraries kept by RDB
//! snapshots and the AOF: each direction checked against a real `redis-server` too (skipped
//! without one unless `REDLITE_REQUIRE_REDIS=1`).

use redlite::{Config, Reply, Store};

use crate::common::datadir::DataDir;
use crate::common::{bulk, err, ok};
use crate::parity::server::start_or_skip;

const LIB: &str = "#!lua name=mylib\n\
    redis.register_function('myfunc', function(keys, args) return 'hello ' .. args[1] end)\n\
    redis.register_function{function_name='myro', callback=function(keys) \
    return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}";
const OTHER: &str =
    "#!lua name=other\nredis.register_function('otherfunc', function() return 7 end)";
const CLASH: &str = "#!lua name=clash\nredis.register_function('myfunc', function() return 0 end)";

fn payload(store: &Store) -> Vec<u8> {
    match store.execute(["FUNCTION", "DUMP"]) {
        Reply::Bulk(b) => b,
        other => panic!("FUNCTION DUMP: {other}"),
    }
}

fn loaded(libs: &[&str]) -> Store {
    let store = Store::new();
    for lib in libs {
        let reply = store.execute(["FUNCTION", "LOAD", lib]);
        assert!(!reply.is_error(), "{reply}");
    }
    store
}

#[test]
fn a_dumped_library_restores_in_another_store_and_runs() {
    let dump = payload(&loaded(&[LIB, OTHER]));
    let fresh = Store::new();
    assert_eq!(fresh.execute([&b"FUNCTION"[..], b"RESTORE", &dump]), ok());
    assert_eq!(
        fresh.execute(["FCALL", "myfunc", "0", "you"]),
        bulk("hello you")
    );
    assert_eq!(
        fresh.execute(["FCALL", "otherfunc", "0"]),
        Reply::Integer(7)
    );
    fresh.execute(["SET", "k", "v"]);
    assert_eq!(fresh.execute(["FCALL_RO", "myro", "1", "k"]), bulk("v"));
    assert_eq!(
        payload(&fresh),
        dump,
        "the same libraries dump the same bytes"
    );
}

#[test]
fn restore_append_refuses_a_loaded_library_and_changes_nothing() {
    let dump = payload(&loaded(&[LIB, OTHER]));
    let store = loaded(&[LIB]);
    let reply = store.execute([&b"FUNCTION"[..], b"RESTORE", &dump]);
    assert_eq!(reply, err("ERR Library mylib already exists"));
    assert_eq!(
        store.execute(["FCALL", "otherfunc", "0"]),
        err("ERR Function not found")
    );
}

#[test]
fn restore_replace_swaps_libraries_of_the_same_name_but_not_other_functions() {
    let dump = payload(&loaded(&[LIB]));
    let store =
        loaded(&["#!lua name=mylib\nredis.register_function('old', function() return 1 end)"]);
    let replaced = store.execute([&b"FUNCTION"[..], b"RESTORE", &dump, b"REPLACE"]);
    assert_eq!(replaced, ok());
    assert_eq!(
        store.execute(["FCALL", "old", "0"]),
        err("ERR Function not found")
    );
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "x"]),
        bulk("hello x")
    );
    let clashing = loaded(&[CLASH]);
    let reply = clashing.execute([&b"FUNCTION"[..], b"RESTORE", &dump, b"REPLACE"]);
    assert_eq!(reply, err("ERR Function myfunc already exists"));
}

#[test]
fn restore_flush_drops_the_libraries_loaded_before() {
    let dump = payload(&loaded(&[LIB]));
    let store = loaded(&[OTHER, CLASH]);
    assert_eq!(
        store.execute([&b"FUNCTION"[..], b"RESTORE", &dump, b"flush"]),
        ok()
    );
    assert_eq!(
        store.execute(["FCALL", "otherfunc", "0"]),
        err("ERR Function not found")
    );
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "y"]),
        bulk("hello y")
    );
}

#[test]
fn restore_refuses_damaged_payloads_with_redis_texts() {
    let store = Store::new();
    let mut dump = payload(&loaded(&[LIB]));
    let bad = |p: &[u8], policy: &[u8]| {
        let mut argv = vec![&b"FUNCTION"[..], b"RESTORE", p];
        if !policy.is_empty() {
            argv.push(policy);
        }
        store.execute(argv)
    };
    let sum = err("ERR DUMP payload version or checksum are wrong");
    assert_eq!(bad(b"xx", b""), sum);
    let last = dump.len() - 1;
    dump[last] ^= 1;
    assert_eq!(bad(&dump, b""), sum);
    assert_eq!(
        bad(b"xx", b"bad"),
        err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    );
    store.execute(["SET", "k", "v"]);
    let Reply::Bulk(key_dump) = store.execute(["DUMP", "k"]) else {
        panic!("DUMP k");
    };
    assert_eq!(bad(&key_dump, b""), err("ERR given type is not a function"));
    assert_eq!(
        store.execute(["FUNCTION", "restore", "a", "b", "c"]),
        err(
            "ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP."
        )
    );
    assert_eq!(
        store.execute(["FUNCTION", "DUMP", "x"]),
        err("ERR wrong number of arguments for 'function|dump' command")
    );
}

#[test]
fn payloads_cross_between_redis_server_and_redlite() {
    let Some(server) = start_or_skip(&[], "FUNCTION DUMP interop") else {
        return;
    };
    let mut redis = server.connect();
    assert_eq!(redis.call(&["FUNCTION", "LOAD", LIB]), bulk("mylib"));
    let Reply::Bulk(theirs) = redis.call(&["FUNCTION", "DUMP"]) else {
        panic!("redis-server's FUNCTION DUMP");
    };
    let store = Store::new();
    assert_eq!(store.execute([&b"FUNCTION"[..], b"RESTORE", &theirs]), ok());
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "redis"]),
        bulk("hello redis")
    );
    let ours = payload(&loaded(&[OTHER]));
    assert_eq!(redis.call(&[&b"FUNCTION"[..], b"RESTORE", &ours]), ok());
    assert_eq!(redis.call(&["FCALL", "otherfunc", "0"]), Reply::Integer(7));
    // Both refuse what they already hold in the same words.
    let again = [&b"FUNCTION"[..], b"RESTORE", &ours];
    assert_eq!(store.execute(again), ok());
    assert_eq!(store.execute(again), redis.call(&again));
}

#[test]
fn libraries_survive_a_save_and_reopen() {
    let dir = DataDir::new("func-rdb");
    let config = || Config::default().data_dir(dir.path()).appendonly(false);
    let store = Store::open(config()).expect("opens");
    store.execute(["FUNCTION", "LOAD", LIB]);
    store.execute(["SET", "k", "kept"]);
    store.save().expect("saves");
    drop(store);
    let store = Store::open(config()).expect("reopens");
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "again"]),
        bulk("hello again")
    );
    assert_eq!(store.execute(["FCALL_RO", "myro", "1", "k"]), bulk("kept"));
}

#[test]
fn libraries_survive_the_aof_and_its_rewrite() {
    let dir = DataDir::new("func-aof");
    let config = || Config::default().data_dir(dir.path()).appendonly(true);
    let store = Store::open(config()).expect("opens");
    store.execute(["FUNCTION", "LOAD", LIB]);
    store.execute(["FUNCTION", "LOAD", OTHER]);
    store.execute(["FUNCTION", "DELETE", "other"]);
    drop(store);
    let store = Store::open(config()).expect("reopens from the log");
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "log"]),
        bulk("hello log")
    );
    assert_eq!(
        store.execute(["FCALL", "otherfunc", "0"]),
        err("ERR Function not found")
    );
    store.rewrite_aof().expect("rewrites");
    let dump = payload(&loaded(&[OTHER]));
    store.execute([&b"FUNCTION"[..], b"RESTORE", &dump]);
    drop(store);
    let store = Store::open(config()).expect("reopens from base and log");
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "base"]),
        bulk("hello base")
    );
    assert_eq!(
        store.execute(["FCALL", "otherfunc", "0"]),
        Reply::Integer(7)
    );
    store.execute(["FUNCTION", "FLUSH"]);
    drop(store);
    let store = Store::open(config()).expect("reopens after a flush");
    assert_eq!(store.execute(["FUNCTION", "LIST"]), Reply::Array(vec![]));
}

#[test]
fn a_dump_rdb_with_libraries_crosses_between_redis_server_and_redlite() {
    let dir = DataDir::new("func-rdb-interop");
    std::fs::create_dir_all(dir.path()).expect("mkdir");
    let d = dir.path().display().to_string();
    let opts = ["--dir", d.as_str(), "--dbfilename", "dump.rdb"];
    let Some(server) = start_or_skip(&opts, "FUNCTION rdb interop") else {
        return;
    };
    let mut redis = server.connect();
    assert_eq!(redis.call(&["FUNCTION", "LOAD", LIB]), bulk("mylib"));
    assert_eq!(redis.call(&["SAVE"]), ok());
    drop((redis, server));
    let config = || Config::default().data_dir(dir.path()).appendonly(false);
    let store = Store::open(config()).expect("redlite opens redis-server's dump.rdb");
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "rdb"]),
        bulk("hello rdb")
    );
    store.execute(["FUNCTION", "LOAD", OTHER]);
    store.save().expect("saves");
    drop(store);
    let Some(server) = start_or_skip(&opts, "FUNCTION rdb interop") else {
        return;
    };
    let mut redis = server.connect();
    assert_eq!(redis.call(&["FCALL", "otherfunc", "0"]), Reply::Integer(7));
    assert_eq!(
        redis.call(&["FCALL", "myfunc", "0", "back"]),
        bulk("hello back")
    );
}

#[test]
fn function_kill_stops_a_running_function_and_script_kill_names_it() {
    let store = Store::with_config(
        Config::default()
            .script_max_operations(u64::MAX)
            .script_time_limit(std::time::Duration::from_secs(60)),
    );
    let spin = "#!lua name=spin\nredis.register_function('spin', function() while true do end end)";
    assert_eq!(store.execute(["FUNCTION", "LOAD", spin]), bulk("spin"));
    assert_eq!(
        store.execute(["FUNCTION", "KILL"]),
        err("NOTBUSY No scripts in execution right now.")
    );
    let runner = {
        let store = store.clone();
        std::thread::spawn(move || store.execute(["FCALL", "spin", "0"]))
    };
    // SCRIPT KILL leaves a function alone, and says which KILL would stop it.
    loop {
        let r = store.execute(["SCRIPT", "KILL"]);
        if r.is_error() && r.to_string().starts_with("BUSY") {
            assert_eq!(
                r,
                err(
                    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
                )
            );
            break;
        }
        assert_eq!(r, err("NOTBUSY No scripts in execution right now."));
        std::thread::yield_now();
    }
    assert_eq!(store.execute(["FUNCTION", "KILL"]), ok());
    let r = runner.join().expect("the runner returns");
    assert!(
        r.to_string()
            .starts_with("ERR Script killed by user with SCRIPT KILL..."),
        "{r}"
    );
}

#[test]
fn restore_refuses_a_library_over_the_source_size_limit_as_load_does() {
    let dump = payload(&loaded(&[LIB]));
    let small = Store::with_config(Config::default().script_max_source_size(64));
    let text = format!(
        "ERR Library is too large: {} bytes, over the script size limit of 64 bytes",
        LIB.len()
    );
    assert_eq!(small.execute(["FUNCTION", "LOAD", LIB]), err(&text));
    assert_eq!(
        small.execute([&b"FUNCTION"[..], b"RESTORE", &dump]),
        err(&text)
    );
}

#[test]
fn an_aof_folder_with_libraries_crosses_between_redis_server_and_redlite() {
    // redlite → redis-server: a library in the rewrite's base, another in the log after it.
    let dir = DataDir::new("func-aof-to-redis");
    let store = Store::open(config_for(&dir)).expect("opens");
    store.execute(["FUNCTION", "LOAD", LIB]);
    store.rewrite_aof().expect("rewrites");
    store.execute(["FUNCTION", "LOAD", OTHER]);
    drop(store);
    let d = dir.path().display().to_string();
    let Some(server) = start_or_skip(
        &["--dir", &d, "--appendonly", "yes"],
        "FUNCTION aof interop",
    ) else {
        return;
    };
    let mut redis = server.connect();
    assert_eq!(
        redis.call(&["FCALL", "myfunc", "0", "aof"]),
        bulk("hello aof")
    );
    assert_eq!(redis.call(&["FCALL", "otherfunc", "0"]), Reply::Integer(7));
    drop((redis, server));
    // redis-server → redlite: its own rewrite base (RDB preamble) and log.
    let dir = DataDir::new("func-aof-from-redis");
    std::fs::create_dir_all(dir.path()).expect("mkdir");
    let d = dir.path().display().to_string();
    let opts = [
        "--dir",
        d.as_str(),
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
    ];
    let Some(server) = start_or_skip(&opts, "FUNCTION aof interop") else {
        return;
    };
    let mut redis = server.connect();
    assert_eq!(redis.call(&["FUNCTION", "LOAD", LIB]), bulk("mylib"));
    assert_eq!(
        redis.call(&["BGREWRITEAOF"]),
        Reply::status("Background append only file rewriting started")
    );
    crate::aof_interop::wait_rewrite_done(&mut redis);
    assert_eq!(redis.call(&["FUNCTION", "LOAD", OTHER]), bulk("other"));
    drop((redis, server));
    let store = Store::open(config_for(&dir)).expect("redlite opens redis-server's AOF");
    assert_eq!(
        store.execute(["FCALL", "myfunc", "0", "back"]),
        bulk("hello back")
    );
    assert_eq!(
        store.execute(["FCALL", "otherfunc", "0"]),
        Reply::Integer(7)
    );
}

/// A store on `dir` with the AOF on.
fn config_for(dir: &DataDir) -> Config {
    Config::default().data_dir(dir.path()).appendonly(true)
}
