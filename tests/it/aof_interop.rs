//! The data folder moves between redlite and a real `redis-server` 7.0 both ways: a folder
//! redlite wrote opens in `redis-server --dir D --appendonly yes` with the same keys, values
//! and deadlines, and a folder redis-server wrote (mixed commands, EXEC, a Lua script, and a
//! BGREWRITEAOF) opens in redlite identically, with RDB-preamble base files (Redis's
//! default) and with RESP ones (`aof-use-rdb-preamble no`). Skipped without redis-server
//! unless `REDLITE_REQUIRE_REDIS=1`.

use crate::common::datadir::{DataDir, picture, picture_of};
use crate::parity::resp::RespConn;
use crate::parity::server::start_or_skip;
use redlite::{Config, Fsync, Reply, Store};

/// Commands that make every type in small and big forms, with deadlines.
fn dataset() -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let mut push = |args: &[&str]| cmds.push(args.iter().map(|s| (*s).to_string()).collect());
    push(&["SET", "int", "12345"]);
    push(&["SET", "raw", "hello world"]);
    push(&["SET", "ttl", "v", "PX", "900000"]);
    push(&["INCRBYFLOAT", "float", "3.25"]);
    push(&["RPUSH", "small-list", "a", "b", "c"]);
    push(&["SADD", "intset", "1", "2", "3"]);
    push(&["SADD", "strset", "x", "y"]);
    push(&["HSET", "small-hash", "f", "v", "g", "w"]);
    push(&["ZADD", "small-zset", "1", "a", "2.5", "b", "-3", "c"]);
    push(&["EXPIRE", "small-hash", "86400"]);
    let big = "x".repeat(100);
    for i in 0..300 {
        let n = i.to_string();
        push(&["RPUSH", "big-list", &format!("{big}{n}")]);
        push(&["SADD", "big-set", &format!("m{n}")]);
        push(&["HSET", "big-hash", &format!("f{n}"), &format!("{big}{n}")]);
        push(&["ZADD", "big-zset", &format!("{i}.5"), &format!("m{n}")]);
    }
    push(&["SET", "big-string", &"y".repeat(5000)]);
    push(&["SPOP", "strset"]);
    push(&["LPOP", "big-list"]);
    push(&["DEL", "raw"]);
    push(&["SET", "raw", "again"]);
    cmds
}

#[test]
fn a_folder_written_by_redlite_opens_in_redis_server_identically() {
    let dir = DataDir::new("to-redis");
    let store = Store::open(
        Config::default()
            .data_dir(dir.path())
            .appendfsync(Fsync::Always),
    )
    .expect("opens");
    let mut conn = store.connection();
    for (i, cmd) in dataset().iter().enumerate() {
        let reply = conn.execute(cmd);
        assert!(!reply.is_error(), "{cmd:?}: {reply}");
        if i == 600 {
            store.rewrite_aof().expect("rewrite midway"); // a base with content, then incr
        }
    }
    conn.execute(["MULTI"]);
    conn.execute(["SET", "in-exec", "1"]);
    conn.execute(["INCR", "in-exec"]);
    conn.execute(["EXEC"]);
    let ours = picture_of(&mut conn);
    assert_eq!(ours.len(), 15, "every key of the dataset");
    drop((conn, store));
    let Some(theirs) = redis_picture_of(&dir, "AOF interop") else {
        return;
    };
    assert_same_picture(&ours, &theirs);
}

/// A log started live (`CONFIG SET appendonly yes` on a store opened without one) leaves
/// the folder redis-server 7.0 opens: its base made at the start, the writes after it.
#[test]
fn a_log_started_by_config_set_opens_in_redis_server_identically() {
    let dir = DataDir::new("live-to-redis");
    let store =
        Store::open(Config::default().data_dir(dir.path()).appendonly(false)).expect("opens");
    let mut conn = store.connection();
    let cmds = dataset();
    let (before, after) = cmds.split_at(cmds.len() / 2);
    for cmd in before {
        assert!(!conn.execute(cmd).is_error(), "{cmd:?}");
    }
    assert_eq!(
        conn.execute(["CONFIG", "SET", "appendonly", "yes"]),
        Reply::ok()
    );
    for cmd in after {
        assert!(!conn.execute(cmd).is_error(), "{cmd:?}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while info_persistence(&store).contains("aof_rewrite_in_progress:1") {
        assert!(
            std::time::Instant::now() < deadline,
            "the log never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let ours = picture_of(&mut conn);
    // The start's thread may hold the store a moment after it ends: the log's records are
    // in the file before the server reads it.
    store.flush_log();
    drop((conn, store));
    let Some(theirs) = redis_picture_of(&dir, "AOF interop (live start)") else {
        return;
    };
    assert_same_picture(&ours, &theirs);
}

fn info_persistence(store: &Store) -> String {
    match store.execute(["INFO", "persistence"]) {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("INFO: {other:?}"),
    }
}

/// What `redis-server --dir <dir> --appendonly yes` serves, or `None` when the test `what`
/// is skipped (no redis-server).
fn redis_picture_of(dir: &DataDir, what: &str) -> Option<Vec<String>> {
    let dir_arg = dir.path().display().to_string();
    let server = start_or_skip(&["--dir", &dir_arg, "--appendonly", "yes"], what)?;
    let mut redis = server.connect();
    Some(picture(&mut |a| redis.call(a)))
}

/// Compares two pictures whole, printing only the start of the first differing key (the
/// big values would flood the log).
fn assert_same_picture(ours: &[String], theirs: &[String]) {
    let differ = ours.iter().zip(theirs).position(|(a, b)| a != b);
    let head = |p: &[String]| differ.map(|i| p[i].chars().take(120).collect::<String>());
    assert!(
        differ.is_none() && ours.len() == theirs.len(),
        "first difference at key #{differ:?}: {:?} vs {:?}",
        head(ours),
        head(theirs)
    );
}

/// Waits until redis-server reports no rewrite running (polling a child process's state).
pub fn wait_rewrite_done(redis: &mut RespConn) {
    for _ in 0..500 {
        let info = redis.call(&["INFO", "persistence"]).to_string();
        if info.contains("aof_rewrite_in_progress:0") && !info.contains("aof_rewrite_scheduled:1") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("redis-server's rewrite did not finish");
}

#[test]
fn a_folder_written_by_redis_server_opens_in_redlite_identically() {
    from_redis("yes");
}

#[test]
fn a_folder_redis_server_wrote_with_resp_base_files_opens_in_redlite_identically() {
    from_redis("no");
}

fn from_redis(preamble: &str) {
    let dir = DataDir::new("from-redis");
    std::fs::create_dir_all(dir.path()).expect("mkdir");
    let dir_arg = dir.path().display().to_string();
    let opts = [
        "--dir",
        &dir_arg,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--aof-use-rdb-preamble",
        preamble,
    ];
    let Some(server) = start_or_skip(&opts, "AOF interop") else {
        return;
    };
    let mut redis = server.connect();
    let cmds = dataset();
    let (before, after) = cmds.split_at(cmds.len() / 2);
    for cmd in before {
        assert!(!redis.call(cmd).is_error(), "{cmd:?}");
    }
    assert_eq!(
        redis.call(&["BGREWRITEAOF"]),
        Reply::status("Background append only file rewriting started")
    );
    wait_rewrite_done(&mut redis);
    for cmd in after {
        assert!(!redis.call(cmd).is_error(), "{cmd:?}");
    }
    redis.call(&["MULTI"]);
    redis.call(&["SET", "in-exec", "1"]);
    redis.call(&["INCR", "in-exec"]);
    redis.call(&["EXEC"]);
    let lua =
        "redis.call('SET', KEYS[1], ARGV[1]); redis.call('RPUSH', KEYS[2], ARGV[1]); return 1";
    redis.call(&["EVAL", lua, "2", "lua-a", "lua-b", "v"]);
    let theirs = picture(&mut |a| redis.call(a));
    assert_eq!(theirs.len(), 17, "every key of the dataset");
    drop(redis);
    drop(server); // SIGKILL: appendfsync always put every write on disk first
    let store = Store::open(Config::default().data_dir(dir.path())).expect("redlite opens it");
    let ours = picture_of(&mut store.connection());
    assert_same_picture(&ours, &theirs);
}

/// `args` as one RESP command, as every Redis writes its log.
fn resp(args: &[String]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

/// A Redis 6 log: one `appendonly.aof` of RESP commands in the forms a log holds (SPOP
/// left out, relative expiries as absolute ones), so both loads reach the same deadlines.
fn legacy_log() -> Vec<u8> {
    let at = (std::time::SystemTime::now() + std::time::Duration::from_secs(86_400))
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        .to_string();
    let mut log = resp(&["SELECT".into(), "0".into()]);
    for mut cmd in dataset().into_iter().filter(|c| c[0] != "SPOP") {
        if cmd[0] == "EXPIRE" {
            cmd = vec!["PEXPIREAT".into(), cmd[1].clone(), at.clone()];
        } else if cmd.get(3).is_some_and(|o| o == "PX") {
            cmd[3] = "PXAT".into();
            cmd[4].clone_from(&at);
        }
        log.extend_from_slice(&resp(&cmd));
    }
    log
}

#[test]
fn a_legacy_appendonly_aof_is_upgraded_into_the_same_folder_redis_server_makes() {
    let ours_dir = DataDir::new("legacy-ours");
    let theirs_dir = DataDir::new("legacy-theirs");
    let log = legacy_log();
    for d in [&ours_dir, &theirs_dir] {
        std::fs::create_dir_all(d.path()).expect("mkdir");
        std::fs::write(d.path().join("appendonly.aof"), &log).expect("write the log");
    }
    let store = Store::open(Config::default().data_dir(ours_dir.path())).expect("opens");
    let ours = picture_of(&mut store.connection());
    assert_eq!(ours.len(), 14, "every key of the legacy log");
    drop(store);
    assert!(!ours_dir.path().join("appendonly.aof").exists(), "moved");
    assert!(
        ours_dir.aof_file("appendonly.aof").exists(),
        "moved into appendonlydir"
    );
    let Some(theirs) = redis_picture_of(&theirs_dir, "AOF upgrade") else {
        return;
    };
    assert_same_picture(&ours, &theirs);
    assert_eq!(ours_dir.manifest(), theirs_dir.manifest());
}

#[test]
fn an_upgraded_legacy_log_keeps_later_writes_across_a_reopen() {
    let dir = DataDir::new("legacy-reopen");
    std::fs::create_dir_all(dir.path()).expect("mkdir");
    std::fs::write(dir.path().join("appendonly.aof"), legacy_log()).expect("write the log");
    let store = Store::open(Config::default().data_dir(dir.path())).expect("opens");
    assert_eq!(store.execute(["SET", "after", "1"]), Reply::ok());
    drop(store);
    let store = Store::open(Config::default().data_dir(dir.path())).expect("reopens");
    assert_eq!(store.execute(["GET", "after"]), Reply::bulk("1"));
    assert_eq!(store.execute(["GET", "int"]), Reply::bulk("12345"));
}
