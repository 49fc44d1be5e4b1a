//! The cluster lint (`Config::cluster_mode(true)`): slots by CRC16 with hashtags, CROSSSLOT
//! for one command, one EXEC and one script's keys, SELECT, CLUSTER KEYSLOT; checked against
//! the CRC16 spec's vectors and against `redis-server --cluster-enabled yes` on loopback.

use std::time::{Duration, Instant};

use redlite::{Connection, Error, ErrorKind, Reply, Store};

use crate::common::{bulk, err, int, ok, queued};
use crate::parity::resp::RespConn;
use crate::parity::server::{RedisServer, start_or_skip};

const CROSSSLOT: &str = "CROSSSLOT Keys in request don't hash to the same slot";

fn cluster_store() -> Store {
    Store::with_config(crate::common::config().cluster_mode(true))
}

fn slot(conn: &mut Connection, key: &[u8]) -> i64 {
    match conn.execute([&b"CLUSTER"[..], b"KEYSLOT", key]) {
        Reply::Integer(n) => n,
        other => panic!("CLUSTER KEYSLOT {key:?}: {other}"),
    }
}

#[test]
fn keyslot_follows_the_crc16_xmodem_vectors() {
    let mut conn = cluster_store().connection();
    // The cluster spec's example: CRC16("123456789") = 0x31C3, slot = 0x31C3 & 16383.
    assert_eq!(slot(&mut conn, b"123456789"), 0x31C3 & 0x3FFF);
    assert_eq!(slot(&mut conn, b""), 0);
    assert_eq!(slot(&mut conn, b"foo"), 12182);
    assert_eq!(slot(&mut conn, b"bar"), 5061);
}

#[test]
fn keyslot_hashes_only_the_first_nonempty_hashtag() {
    let mut conn = cluster_store().connection();
    let user = slot(&mut conn, b"user1000");
    assert_eq!(slot(&mut conn, b"{user1000}.following"), user);
    assert_eq!(slot(&mut conn, b"{user1000}.followers"), user);
    assert_eq!(slot(&mut conn, b"x{user1000}y{other}"), user);
    // Empty braces do not count: the whole key is hashed.
    assert_ne!(slot(&mut conn, b"{}user1000"), user);
    assert_eq!(slot(&mut conn, b"foo{{bar}}zap"), slot(&mut conn, b"{bar"));
}

#[test]
fn cluster_keyslot_answers_only_in_cluster_mode() {
    let store = crate::common::rhai_store();
    assert_eq!(
        store.execute(["CLUSTER", "KEYSLOT", "a"]),
        err("ERR This instance has cluster support disabled")
    );
    let cluster = cluster_store();
    assert_eq!(
        cluster.execute(["CLUSTER", "KEYSLOT"]),
        err("ERR wrong number of arguments for 'cluster|keyslot' command")
    );
    assert_eq!(
        cluster.execute(["CLUSTER", "NODES"]),
        err("ERR unknown subcommand 'NODES'. Try CLUSTER HELP.")
    );
}

#[test]
fn multi_key_commands_across_slots_are_crossslot() {
    let store = cluster_store();
    for cmd in [
        &["MSET", "a", "1", "b", "2"][..],
        &["MGET", "a", "b"],
        &["DEL", "a", "b"],
        &["EXISTS", "a", "b"],
        &["RENAME", "a", "b"],
        &["SMOVE", "a", "b", "m"],
        &["SINTERSTORE", "dest", "a"],
        &["ZUNIONSTORE", "dest", "2", "a", "b"],
        &["LMOVE", "a", "b", "LEFT", "RIGHT"],
        &["EVAL", "1", "2", "a", "b"],
    ] {
        assert_eq!(store.execute(cmd), err(CROSSSLOT), "{cmd:?}");
    }
    assert_eq!(store.dbsize_probe(), 0, "nothing was written");
}

#[test]
fn keys_sharing_a_hashtag_pass_the_lint() {
    let store = cluster_store();
    assert_eq!(store.execute(["MSET", "{u1}a", "1", "{u1}b", "2"]), ok());
    assert_eq!(store.execute(["RENAME", "{u1}a", "{u1}c"]), ok());
    assert_eq!(store.execute(["DEL", "{u1}b", "{u1}c", "{u1}z"]), int(2));
    // One key, or the same key twice, is always one slot.
    assert_eq!(store.execute(["MSET", "a", "1", "a", "2"]), ok());
    assert_eq!(store.execute(["GET", "a"]), bulk("2"));
}

#[test]
fn without_cluster_mode_nothing_is_linted() {
    let store = crate::common::rhai_store();
    assert_eq!(store.execute(["MSET", "a", "1", "b", "2"]), ok());
    assert_eq!(store.execute(["SELECT", "0"]), ok());
}

#[test]
fn exec_of_queued_keys_in_two_slots_is_crossslot_and_discards_the_transaction() {
    let store = cluster_store();
    let mut conn = store.connection();
    assert_eq!(conn.execute(["MULTI"]), ok());
    assert_eq!(conn.execute(["SET", "a", "1"]), queued());
    assert_eq!(conn.execute(["SET", "b", "1"]), queued());
    assert_eq!(conn.execute(["EXEC"]), err(CROSSSLOT));
    assert!(!conn.in_multi());
    assert_eq!(store.execute(["EXISTS", "a"]), int(0));
    assert_eq!(store.execute(["EXISTS", "b"]), int(0));
}

#[test]
fn a_crossslot_command_inside_multi_dooms_the_exec() {
    let mut conn = cluster_store().connection();
    conn.execute(["MULTI"]);
    assert_eq!(conn.execute(["MSET", "a", "1", "b", "1"]), err(CROSSSLOT));
    assert_eq!(conn.execute(["SET", "a", "2"]), queued());
    assert_eq!(
        conn.execute(["EXEC"]),
        err("EXECABORT Transaction discarded because of previous errors.")
    );
}

#[test]
fn watched_keys_are_not_part_of_execs_slot_check() {
    let mut conn = cluster_store().connection();
    assert_eq!(conn.execute(["WATCH", "a", "b"]), err(CROSSSLOT));
    assert_eq!(conn.execute(["WATCH", "a"]), ok());
    conn.execute(["MULTI"]);
    conn.execute(["SET", "b", "1"]);
    assert_eq!(conn.execute(["EXEC"]), Reply::Array(vec![ok()]));
}

#[test]
fn a_script_call_on_keys_of_two_slots_fails_as_on_a_cluster_node() {
    let store = cluster_store();
    let src = "#!rhai flags=allow-undeclared-keys\nredis::call(\"MSET\", \"a\", 1, \"b\", 2)";
    let reply = store.execute(["EVAL", src, "0"]);
    assert!(
        reply
            .to_string()
            .starts_with("ERR Script attempted to access a non local key in a cluster node"),
        "{reply}"
    );
    let one_slot = "redis::call(\"MSET\", KEYS[0], 1, KEYS[1], 2)";
    assert_eq!(store.execute(["EVAL", one_slot, "2", "{t}a", "{t}b"]), ok());
}

#[test]
fn select_other_than_zero_fails_in_cluster_mode() {
    let store = cluster_store();
    assert_eq!(store.execute(["SELECT", "0"]), ok());
    for index in ["1", "-1", "15"] {
        assert_eq!(
            store.execute(["SELECT", index]),
            err("ERR SELECT is not allowed in cluster mode")
        );
    }
    assert_eq!(
        store.execute(["SELECT", "x"]),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn typed_calls_and_store_transactions_are_linted() {
    let store = cluster_store();
    let e = store
        .mget::<Vec<Option<String>>, _>(&["a", "b"])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CrossSlot);
    let r = store.transaction(&["a"], |tx| {
        tx.set("a", 1);
        tx.set("b", 1);
        Ok(())
    });
    assert_eq!(r, Err(Error::Reply(CROSSSLOT.into())));
    assert_eq!(store.execute(["EXISTS", "a"]), int(0));
    let queued = store.transaction(&["a"], |tx| tx.queue(["MSET", "a", "1", "b", "1"]));
    assert_eq!(queued, Err(Error::Reply(CROSSSLOT.into())));
    let n = store.transaction(&["{k}n"], |tx| {
        tx.incr_by("{k}n", 1);
        tx.set("{k}m", 1);
        Ok(())
    });
    assert_eq!(n, Ok(()));
}

/// A store-side helper: the number of keys (DBSIZE), for "nothing was written" checks.
trait DbSize {
    fn dbsize_probe(&self) -> i64;
}

impl DbSize for Store {
    fn dbsize_probe(&self) -> i64 {
        match self.execute(["DBSIZE"]) {
            Reply::Integer(n) => n,
            other => panic!("DBSIZE: {other}"),
        }
    }
}

/// A `redis-server --cluster-enabled yes` owning every slot, in its own temporary folder
/// (it writes its node file there), with its cluster bus on a second free port.
struct ClusterServer {
    server: RedisServer,
    dir: std::path::PathBuf,
}

impl ClusterServer {
    fn start(what: &str) -> Option<ClusterServer> {
        let bus = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port().to_string())
            .expect("free port");
        let dir =
            std::env::temp_dir().join(format!("redlite-cluster-{}-{bus}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let dir_arg = dir.to_string_lossy().into_owned();
        let args = [
            "--cluster-enabled",
            "yes",
            "--cluster-port",
            &bus,
            "--dir",
            &dir_arg,
        ];
        let server = start_or_skip(&args, what)?;
        let cluster = ClusterServer { server, dir };
        cluster.own_every_slot();
        Some(cluster)
    }

    fn connect(&self) -> RespConn {
        self.server.connect()
    }

    /// Assigns all 16384 slots to this one node and waits for the cluster state to turn
    /// `ok` (a start-up wait, like waiting for PING; not a test of timing).
    fn own_every_slot(&self) {
        let mut c = self.connect();
        assert_eq!(c.call(&["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]), ok());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let info = c.call(&["CLUSTER", "INFO"]).to_string();
            if info.contains("cluster_state:ok") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "cluster state never became ok: {info}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ClusterServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Keys of every shape the slot rule distinguishes: plain, hashtagged, empty and unclosed
/// braces, nested braces, binary bytes.
fn sample_keys() -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for i in 0..120u32 {
        keys.push(format!("key:{i}").into_bytes());
        keys.push(format!("{{user{i}}}.following").into_bytes());
    }
    for shape in [
        "{",
        "}",
        "{}",
        "}{",
        "{a",
        "a}",
        "{}a",
        "a{}",
        "a{b}c",
        "a{{b}}c",
        "{{}}",
        "{a}{b}",
        "{}{b}",
        "a{b",
        "a{b{c}d}",
        "",
        "123456789",
        "foo",
        "bar",
        "\u{e9}t\u{e9}",
    ] {
        keys.push(shape.as_bytes().to_vec());
    }
    for b in 0..=255u8 {
        if b % 4 == 0 {
            keys.push(vec![b, b'{', b.wrapping_mul(7), b'}', 0xff]);
        }
    }
    keys
}

#[test]
fn keyslot_agrees_with_a_cluster_node_for_hundreds_of_keys() {
    let Some(server) = ClusterServer::start("cluster keyslot check against redis-server") else {
        return;
    };
    let mut real = server.connect();
    let mut lite = cluster_store().connection();
    let keys = sample_keys();
    assert!(keys.len() >= 300);
    for key in &keys {
        let args: [&[u8]; 3] = [b"CLUSTER", b"KEYSLOT", key];
        assert_eq!(lite.execute(args), real.call(&args), "key {key:?}");
    }
}

#[test]
fn crossslot_replies_agree_with_a_cluster_node() {
    let Some(server) = ClusterServer::start("cluster lint check against redis-server") else {
        return;
    };
    let mut real = server.connect();
    let mut lite = cluster_store().connection();
    let script_call = "return redis.call('mset','a',1,'b',2)";
    let sequences: &[&[&str]] = &[
        &["MSET", "a", "1", "b", "2"],
        &["MSET", "{a}1", "1", "{a}2", "2"],
        &["MGET", "{a}1", "{a}2"],
        &["DEL", "a", "b"],
        &["MULTI"],
        &["SET", "a", "1"],
        &["SET", "b", "1"],
        &["EXEC"],
        &["MULTI"],
        &["MSET", "a", "1", "b", "1"],
        &["SET", "a", "2"],
        &["EXEC"],
        &["WATCH", "a", "b"],
        &["WATCH", "a"],
        &["MULTI"],
        &["SET", "b", "1"],
        &["EXEC"],
        &["EVAL", "return 1", "2", "a", "b"],
        &["EVAL", "return 1", "2", "{x}a", "{x}b"],
        &["SELECT", "0"],
        &["SELECT", "1"],
        &["SELECT", "x"],
        &["EXISTS", "a", "b"],
        &["EXISTS", "b"],
    ];
    for args in sequences {
        assert_eq!(lite.execute(*args), real.call(args), "{args:?}");
    }
    // A script's own call across slots: the same error text before the script's location
    // (the SHA1 differs by language).
    let r = real.call(&["EVAL", script_call, "0"]).to_string();
    let l = lite
        .execute([
            "EVAL",
            "#!rhai flags=allow-undeclared-keys\nredis::call(\"mset\", \"a\", 1, \"b\", 2)",
            "0",
        ])
        .to_string();
    let head = |s: &str| s.split(" script: ").next().unwrap_or_default().to_string();
    assert_eq!(head(&l), head(&r));
}
