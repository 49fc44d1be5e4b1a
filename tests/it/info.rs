//! INFO: Redis's section layout and real figures.

use crate::common::*;
use redlite::{Config, Reply, Store};

fn info(c: &mut redlite::Connection, args: &[&str]) -> String {
    let mut argv = vec!["INFO"];
    argv.extend_from_slice(args);
    match c.execute(argv) {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    }
}

fn headers(text: &str) -> Vec<&str> {
    text.split("\r\n").filter(|l| l.starts_with("# ")).collect()
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split("\r\n")
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
}

#[test]
fn default_sections_come_in_redis_order() {
    let (_s, mut c, _) = setup();
    let text = info(&mut c, &[]);
    assert_eq!(
        headers(&text),
        vec![
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Errorstats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    assert!(
        text.contains("\r\n\r\n# Clients\r\n"),
        "a blank line between sections"
    );
    assert_eq!(headers(&info(&mut c, &["default"])), headers(&text));
}

#[test]
fn all_adds_commandstats_and_sections_can_be_picked() {
    let (_s, mut c, _) = setup();
    assert!(headers(&info(&mut c, &["all"])).contains(&"# Commandstats"));
    assert!(headers(&info(&mut c, &["everything"])).contains(&"# Commandstats"));
    assert_eq!(
        headers(&info(&mut c, &["KEYSPACE", "server", "nope"])),
        vec!["# Server", "# Keyspace"]
    );
    assert_eq!(info(&mut c, &["nope"]), "");
}

#[test]
fn keyspace_counts_keys_and_keys_with_a_ttl() {
    let (_s, mut c, clock) = setup();
    assert_eq!(field(&info(&mut c, &["keyspace"]), "db0"), None);
    c.execute(["SET", "a", "1"]);
    c.execute(["SET", "b", "1", "EX", "100"]);
    c.execute(["SET", "c", "1", "PX", "10"]);
    c.execute(["HSET", "h", "f", "v"]);
    c.execute(["EXPIRE", "h", "50"]);
    assert_eq!(
        field(&info(&mut c, &["keyspace"]), "db0"),
        Some("keys=4,expires=3,avg_ttl=0")
    );
    c.execute(["PERSIST", "h"]);
    c.execute(["SET", "b", "2"]);
    assert_eq!(
        field(&info(&mut c, &["keyspace"]), "db0"),
        Some("keys=4,expires=1,avg_ttl=0")
    );
    clock.advance(std::time::Duration::from_millis(20));
    assert_eq!(c.execute(["GET", "c"]), nil());
    assert_eq!(
        field(&info(&mut c, &["keyspace"]), "db0"),
        Some("keys=3,expires=0,avg_ttl=0")
    );
    c.execute(["FLUSHALL"]);
    assert_eq!(field(&info(&mut c, &["keyspace"]), "db0"), None);
}

#[test]
fn stats_count_hits_misses_expired_and_commands() {
    let (_s, mut c, clock) = setup();
    c.execute(["CONFIG", "RESETSTAT"]);
    c.execute(["SET", "k", "v", "PX", "5"]);
    c.execute(["GET", "k"]);
    c.execute(["GET", "nope"]);
    c.execute(["GET", "nope"]);
    clock.advance(std::time::Duration::from_millis(10));
    c.execute(["GET", "k"]);
    let text = info(&mut c, &["stats"]);
    assert_eq!(field(&text, "keyspace_hits"), Some("1"));
    assert_eq!(field(&text, "keyspace_misses"), Some("3"));
    assert_eq!(field(&text, "expired_keys"), Some("1"));
    // CONFIG RESETSTAT's own call counts, then SET and four GETs; INFO counts after it runs.
    assert_eq!(field(&text, "total_commands_processed"), Some("6"));
}

#[test]
fn commandstats_count_calls_failures_and_rejections() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "k", "v"]);
    c.execute(["INCR", "k"]);
    c.execute(["INCR", "k", "x"]);
    c.execute(["GET", "k"]);
    let text = info(&mut c, &["commandstats"]);
    let line = |name: &str| {
        field(&text, &format!("cmdstat_{name}")).map(|v| {
            v.split(',')
                .filter(|kv| !kv.starts_with("usec"))
                .collect::<Vec<_>>()
                .join(",")
        })
    };
    assert_eq!(
        line("incr").as_deref(),
        Some("calls=1,rejected_calls=1,failed_calls=1")
    );
    assert_eq!(
        line("get").as_deref(),
        Some("calls=1,rejected_calls=0,failed_calls=0")
    );
    assert_eq!(line("del"), None, "commands never called are not listed");
}

#[test]
fn errorstats_count_replies_by_code() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "k", "v"]);
    c.execute(["LPUSH", "k", "x"]);
    c.execute(["INCR", "k"]);
    c.execute(["INCR", "k"]);
    let text = info(&mut c, &["errorstats"]);
    assert_eq!(field(&text, "errorstat_WRONGTYPE"), Some("count=1"));
    assert_eq!(field(&text, "errorstat_ERR"), Some("count=2"));
    assert_eq!(
        field(&info(&mut c, &["stats"]), "total_error_replies"),
        Some("3")
    );
}

#[test]
fn clients_counts_open_connections() {
    let (s, mut c, _) = setup();
    let before: usize = field(&info(&mut c, &["clients"]), "connected_clients")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let other = s.connection();
    let during: usize = field(&info(&mut c, &["clients"]), "connected_clients")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    drop(other);
    let after: usize = field(&info(&mut c, &["clients"]), "connected_clients")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert_eq!((during, after), (before + 1, before));
}

#[test]
fn server_reports_the_redis_version_and_hz() {
    let (_s, mut c, _) = setup();
    c.execute(["CONFIG", "SET", "hz", "50"]);
    let text = info(&mut c, &["server"]);
    assert_eq!(field(&text, "redis_version"), Some("7.0.15"));
    assert_eq!(field(&text, "hz"), Some("50"));
    assert_eq!(field(&text, "redis_mode"), Some("standalone"));
    assert_eq!(field(&text, "run_id").map(str::len), Some(40));
}

#[test]
fn counters_from_many_threads_add_up_exactly() {
    let (s, mut c, _) = setup();
    c.execute(["CONFIG", "RESETSTAT"]);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                let mut conn = s.connection();
                for i in 0..500 {
                    conn.execute(["SET", &format!("k{t}:{i}"), "v"]);
                    conn.execute(["GET", &format!("k{t}:{i}")]);
                    conn.execute(["GET", "missing"]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let text = info(&mut c, &["all"]);
    assert_eq!(field(&text, "keyspace_hits"), Some("4000"));
    assert_eq!(field(&text, "keyspace_misses"), Some("4000"));
    assert!(
        field(&text, "cmdstat_get").is_some_and(|v| v.starts_with("calls=8000,")),
        "{text}"
    );
    assert!(field(&text, "cmdstat_set").is_some_and(|v| v.starts_with("calls=4000,")));
}

#[test]
fn persistence_reports_the_log_the_last_save_and_a_running_rewrite() {
    let dir = std::env::temp_dir().join(format!("redlite-info-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(Config::default().data_dir(&dir)).unwrap();
    let mut c = store.connection();
    let text = info(&mut c, &["persistence"]);
    assert_eq!(field(&text, "aof_enabled"), Some("1"));
    assert_eq!(field(&text, "aof_rewrite_in_progress"), Some("0"));
    assert_eq!(field(&text, "rdb_bgsave_in_progress"), Some("0"));
    assert_eq!(field(&text, "rdb_last_bgsave_status"), Some("ok"));
    assert_eq!(c.execute(["SAVE"]), Reply::ok());
    let last = c.execute(["LASTSAVE"]);
    let text = info(&mut c, &["persistence"]);
    assert_eq!(
        field(&text, "rdb_last_save_time").map(str::to_owned),
        Some(last.to_string().trim_start_matches("(integer) ").to_owned())
    );
    drop(c);
    drop(store);
    let memory_only = Store::new();
    let text = info(&mut memory_only.connection(), &["persistence"]);
    assert_eq!(field(&text, "aof_enabled"), Some("0"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn persistence_section_counts_saves_changes_and_rewrites() {
    let dir = crate::common::dataset::temp_dir("info-persistence");
    let store = Store::open(Config::default().data_dir(&dir)).expect("opens");
    let mut c = store.connection();
    let text = info(&mut c, &["persistence"]);
    assert_eq!(field(&text, "rdb_saves"), Some("0"));
    assert_eq!(field(&text, "rdb_last_bgsave_time_sec"), Some("-1"));
    assert_eq!(field(&text, "aof_rewrites"), Some("0"));
    assert_eq!(field(&text, "aof_last_rewrite_time_sec"), Some("-1"));
    c.execute(["SET", "a", "1"]);
    c.execute(["SET", "b", "1"]);
    let text = info(&mut c, &["persistence"]);
    assert_eq!(field(&text, "rdb_changes_since_last_save"), Some("2"));
    assert_eq!(c.execute(["SAVE"]), Reply::ok());
    store.rewrite_aof().expect("rewrites");
    let text = info(&mut c, &["persistence"]);
    assert_eq!(field(&text, "rdb_saves"), Some("1"));
    assert_eq!(field(&text, "rdb_changes_since_last_save"), Some("0"));
    assert_eq!(field(&text, "aof_rewrites"), Some("1"));
    assert_eq!(field(&text, "aof_last_bgrewrite_status"), Some("ok"));
    assert_eq!(field(&text, "aof_last_rewrite_time_sec"), Some("0"));
}

fn names(text: &str) -> Vec<&str> {
    text.split("\r\n")
        .filter_map(|l| l.split_once(':').map(|(name, _)| name))
        .collect()
}

#[test]
fn memory_has_redis_7_0_field_names_in_order() {
    let mut c = Store::new().connection();
    let ours = info(&mut c, &["memory"]);
    let Some(server) = crate::parity::server::start_or_skip(&[], "INFO memory field names") else {
        return;
    };
    let theirs = match server.connect().call(&["INFO", "memory"]) {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    };
    assert_eq!(names(&ours), names(&theirs));
}

#[test]
fn memory_reports_the_accounting_its_peak_and_the_script_counts() {
    let store = Store::new();
    let mut c = store.connection();
    for i in 0..1000 {
        c.execute(["SET", &format!("key:{i}"), &"v".repeat(100)]);
    }
    let lua_or_rhai = "return 1";
    c.execute(["SCRIPT", "LOAD", lua_or_rhai]);
    let full = info(&mut c, &["memory"]);
    let used: usize = field(&full, "used_memory").unwrap().parse().unwrap();
    assert!(used.abs_diff(store.used_memory()) <= 64 * 1024, "{used}");
    assert!(used >= 1000 * 100, "{used}");
    assert_eq!(field(&full, "number_of_cached_scripts"), Some("1"));
    assert_eq!(field(&full, "number_of_libraries"), Some("0"));
    let overhead: usize = field(&full, "used_memory_overhead")
        .unwrap()
        .parse()
        .unwrap();
    let dataset: usize = field(&full, "used_memory_dataset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        overhead > 0 && dataset >= 1000 * 100,
        "{overhead} {dataset}"
    );
    c.execute(["FLUSHALL"]);
    let empty = info(&mut c, &["memory"]);
    let peak: usize = field(&empty, "used_memory_peak").unwrap().parse().unwrap();
    let now: usize = field(&empty, "used_memory").unwrap().parse().unwrap();
    assert!(peak >= used && now < used / 10, "peak {peak}, now {now}");
}
