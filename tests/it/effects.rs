//! The effects path: every write reports its event once, with a deterministic replay form,
//! one batch per command / EXEC / script; expired keys seen by reads are deleted for good.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::setup;
use redlite::{Batch, Listener, ManualClock, Reply, Store};

#[derive(Default)]
struct Tap(Mutex<Vec<Batch>>);

impl Listener for Tap {
    fn on_batch(&self, batch: &Batch) {
        self.0.lock().unwrap().push(batch.clone());
    }
}

impl Tap {
    fn take(&self) -> Vec<Batch> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// "event key" lines of every batch since the last take.
    fn events(&self) -> Vec<String> {
        self.take()
            .iter()
            .flat_map(|b| b.events().to_vec())
            .map(|e| format!("{} {}", e.event().name(), String::from_utf8_lossy(e.key())))
            .collect()
    }

    /// The replay commands of every batch since the last take, as text.
    fn commands(&self) -> Vec<String> {
        self.take()
            .iter()
            .flat_map(|b| b.commands().to_vec())
            .map(|c| text(&c))
            .collect()
    }
}

fn text(argv: &[Box<[u8]>]) -> String {
    argv.iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn tapped() -> (Store, Arc<Tap>, ManualClock, redlite::Subscription) {
    let (store, _, clock) = setup();
    let tap = Arc::new(Tap::default());
    let sub = store.listen(tap.clone());
    (store, tap, clock, sub)
}

#[test]
fn each_write_reports_its_redis_event_once() {
    let (s, tap, _, _sub) = tapped();
    let cases: &[(&[&str], &[&str])] = &[
        (&["SET", "s", "1"], &["new s", "set s"]),
        (&["INCR", "s"], &["incrby s"]),
        (&["APPEND", "s", "x"], &["append s"]),
        (&["SETRANGE", "s", "0", "9"], &["setrange s"]),
        (&["RPUSH", "l", "a", "b"], &["new l", "rpush l"]),
        (&["LPUSH", "l", "z"], &["lpush l"]),
        (&["LPOP", "l"], &["lpop l"]),
        (&["LSET", "l", "0", "q"], &["lset l"]),
        (
            &["LMOVE", "l", "l2", "LEFT", "RIGHT"],
            // Redis's order: the push onto the destination, then the pop.
            &["new l2", "rpush l2", "lpop l"],
        ),
        (&["RPOP", "l"], &["rpop l", "del l"]),
        (&["HSET", "h", "f", "1"], &["new h", "hset h"]),
        (&["HINCRBY", "h", "f", "2"], &["hincrby h"]),
        (&["HDEL", "h", "f"], &["hdel h", "del h"]),
        (&["SADD", "t", "a", "b"], &["new t", "sadd t"]),
        (&["SADD", "t", "a"], &[]),
        (&["SREM", "t", "a"], &["srem t"]),
        (&["ZADD", "z", "1", "m"], &["new z", "zadd z"]),
        (&["ZINCRBY", "z", "1", "m"], &["zincr z"]),
        (&["ZREM", "z", "m"], &["zrem z", "del z"]),
        (&["EXPIRE", "s", "100"], &["expire s"]),
        (&["PERSIST", "s"], &["persist s"]),
        (
            &["RENAME", "s", "s2"],
            // Redis adds the destination first (`new`), then publishes the rename.
            &["new s2", "rename_from s", "rename_to s2"],
        ),
        (&["DEL", "s2", "missing"], &["del s2"]),
        (&["GET", "t"], &[]),
    ];
    for (cmd, want) in cases {
        s.execute(*cmd);
        assert_eq!(tap.events(), *want, "{cmd:?}");
    }
}

#[test]
fn rpop_of_a_missing_key_reports_nothing() {
    let (s, tap, _, _sub) = tapped();
    assert_eq!(s.execute(["RPOP", "nothing"]), Reply::Nil);
    assert!(tap.take().is_empty());
}

#[test]
fn nondeterministic_writes_replay_in_deterministic_form() {
    let (s, tap, _, _sub) = tapped();
    let now = s.execute(["TIME"]);
    let Reply::Array(t) = now else {
        panic!("TIME: {now:?}")
    };
    let secs: u64 = t[0].to_string().trim_matches('"').parse().unwrap();
    let at = secs * 1000 + 10_000;
    s.execute(["SET", "k", "v"]);
    tap.take();
    s.execute(["EXPIRE", "k", "10"]);
    assert_eq!(tap.commands(), [format!("PEXPIREAT k {at}")]);
    s.execute(["SET", "k", "v", "EX", "10"]);
    assert_eq!(tap.commands(), [format!("SET k v PXAT {at}")]);
    s.execute(["SETEX", "k", "10", "w"]);
    assert_eq!(tap.commands(), [format!("SET k w PXAT {at}")]);
    s.execute(["GETEX", "k", "PX", "10000"]);
    assert_eq!(tap.commands(), [format!("PEXPIREAT k {at}")]);
    s.execute(["GETEX", "k", "PERSIST"]);
    assert_eq!(tap.commands(), ["PERSIST k"]);
    s.execute(["SET", "f", "1.5"]);
    tap.take();
    s.execute(["INCRBYFLOAT", "f", "0.25"]);
    assert_eq!(tap.commands(), ["SET f 1.75 KEEPTTL"]);
    s.execute(["HINCRBYFLOAT", "h", "x", "0.5"]);
    assert_eq!(tap.commands(), ["HSET h x 0.5"]);
    s.execute(["SADD", "set", "only"]);
    tap.take();
    assert_eq!(s.execute(["SPOP", "set"]), Reply::bulk("only"));
    assert_eq!(tap.commands(), ["SREM set only"]);
    s.execute(["GETDEL", "f"]);
    assert_eq!(tap.commands(), ["DEL f"]);
    s.execute(["RPUSH", "l", "a"]);
    assert_eq!(tap.commands(), ["RPUSH l a"]);
}

#[test]
fn a_past_expire_deletes_and_replays_as_del() {
    let (s, tap, _, _sub) = tapped();
    s.execute(["SET", "k", "v"]);
    tap.take();
    assert_eq!(s.execute(["EXPIRE", "k", "-1"]), Reply::Integer(1));
    let batches = tap.take();
    assert_eq!(batches.len(), 1);
    assert_eq!(text(&batches[0].commands()[0]), "DEL k");
    assert_eq!(batches[0].events()[0].event().name(), "del");
}

#[test]
fn no_op_writes_deliver_no_batch() {
    let (s, tap, _, _sub) = tapped();
    s.execute(["SADD", "t", "a"]);
    tap.take();
    for cmd in [
        &["SADD", "t", "a"][..],
        &["SREM", "t", "zz"],
        &["DEL", "nope"],
        &["HDEL", "nope", "f"],
        &["LREM", "nope", "0", "x"],
        &["PERSIST", "t"],
        &["SET", "t2", "v", "XX"],
        &["GET", "t"],
    ] {
        s.execute(cmd);
    }
    assert!(tap.take().is_empty());
}

#[test]
fn exec_delivers_one_atomic_batch_in_command_order() {
    let (s, tap, _, _sub) = tapped();
    let mut c = s.connection();
    c.execute(["MULTI"]);
    c.execute(["SET", "a", "1"]);
    c.execute(["INCR", "a"]);
    c.execute(["GET", "a"]);
    c.execute(["RPUSH", "b", "x"]);
    assert!(matches!(c.execute(["EXEC"]), Reply::Array(_)));
    let batches = tap.take();
    assert_eq!(batches.len(), 1);
    assert!(batches[0].is_atomic());
    let cmds: Vec<String> = batches[0].commands().iter().map(|c| text(c)).collect();
    assert_eq!(cmds, ["SET a 1", "INCR a", "RPUSH b x"]);
}

#[test]
fn a_script_delivers_its_calls_not_the_eval() {
    let (s, tap, _, _sub) = tapped();
    let script = r#"redis::call("SET", KEYS[0], ARGV[0]); redis::call("EXPIRE", KEYS[0], 5); redis::call("GET", KEYS[0])"#;
    assert_eq!(s.execute(["EVAL", script, "1", "k", "v"]), Reply::bulk("v"));
    let batches = tap.take();
    assert_eq!(batches.len(), 1);
    assert!(batches[0].is_atomic());
    let cmds: Vec<String> = batches[0].commands().iter().map(|c| text(c)).collect();
    assert_eq!(cmds.len(), 2, "{cmds:?}");
    assert_eq!(cmds[0], "SET k v");
    assert!(cmds[1].starts_with("PEXPIREAT k "), "{cmds:?}");
}

#[test]
fn a_read_that_finds_a_key_expired_deletes_it_and_reports_del() {
    let (s, tap, clock, _sub) = tapped();
    s.execute(["SET", "lock", "v", "PX", "1000"]);
    tap.take();
    clock.advance(Duration::from_secs(2));
    assert_eq!(s.execute(["GET", "lock"]), Reply::Nil);
    assert_eq!(s.execute(["DBSIZE"]), Reply::Integer(0));
    let batches = tap.take();
    assert_eq!(batches.len(), 1);
    assert_eq!(text(&batches[0].commands()[0]), "DEL lock");
    assert_eq!(batches[0].events()[0].event().name(), "expired");
}

#[test]
fn an_expired_key_stays_deleted_when_the_clock_steps_back() {
    let start = 1_700_000_000_000;
    let clock = ManualClock::at(start);
    let s = Store::with_config(
        crate::common::config()
            .clock(clock.clone())
            .active_expiry(false),
    );
    s.execute(["SET", "lock", "v", "PX", "1000"]);
    s.execute(["SET", "other", "v", "PX", "1000"]);
    clock.advance(Duration::from_secs(2));
    assert_eq!(s.execute(["GET", "lock"]), Reply::Nil);
    assert_eq!(s.execute(["EXISTS", "other"]), Reply::Integer(0));
    clock.set(start + 500);
    assert_eq!(s.execute(["GET", "lock"]), Reply::Nil);
    assert_eq!(s.execute(["EXISTS", "other"]), Reply::Integer(0));
    assert_eq!(s.execute(["DBSIZE"]), Reply::Integer(0));
}

#[test]
fn a_write_that_replaces_an_expired_key_reports_its_expiry_first() {
    let (s, tap, clock, _sub) = tapped();
    s.execute(["RPUSH", "l", "a"]);
    s.execute(["PEXPIRE", "l", "10"]);
    tap.take();
    clock.advance(Duration::from_millis(20));
    s.execute(["RPUSH", "l", "b"]);
    assert_eq!(tap.events(), ["expired l", "new l", "rpush l"]);
    assert_eq!(
        s.execute(["LRANGE", "l", "0", "-1"]),
        Reply::Array(vec![Reply::bulk("b")])
    );
}

#[test]
fn active_expiry_reports_expired_keys() {
    let (s, tap, clock, _sub) = tapped();
    s.execute(["SET", "k", "v", "PX", "5"]);
    tap.take();
    clock.advance(Duration::from_millis(10));
    assert_eq!(s.purge_expired(), 1);
    assert_eq!(tap.events(), ["expired k"]);
}

/// The replay forms recreate the state exactly on a store with another clock and seed.
#[test]
fn replaying_the_batches_rebuilds_the_same_state() {
    let (s, tap, clock, _sub) = tapped();
    let mut c = s.connection();
    let script = r#"let v = redis::call("SPOP", KEYS[0]); if v != () { redis::call("RPUSH", KEYS[1], v); } v"#;
    for i in 0..300 {
        let k = format!("k{}", i % 7);
        let n = i.to_string();
        c.execute(["SADD", "pool", &n, &format!("{n}x")]);
        c.execute(["SPOP", "pool"]);
        c.execute(["INCRBYFLOAT", "f", "0.1"]);
        c.execute(["SET", &k, &n, "EX", "3"]);
        if i % 5 == 0 {
            c.execute(["MULTI"]);
            c.execute(["EXPIRE", &k, "1"]);
            c.execute(["SPOP", "pool", "2"]);
            c.execute(["EXEC"]);
        }
        c.execute(["EVAL", script, "2", "pool", "moved"]);
        clock.advance(Duration::from_millis(400));
        c.execute(["GET", &format!("k{}", (i + 3) % 7)]);
    }
    let replica = Store::with_config(
        crate::common::config()
            .clock(clock.clone())
            .active_expiry(false),
    );
    let mut r = replica.connection();
    for batch in tap.take() {
        for cmd in batch.commands() {
            let reply = r.execute(cmd.iter().map(|a| &a[..]));
            assert!(
                !matches!(reply, Reply::Error(_)),
                "{}: {reply:?}",
                text(cmd)
            );
        }
    }
    assert_eq!(s.execute(["DBSIZE"]), replica.execute(["DBSIZE"]));
    for key in [
        "pool", "moved", "f", "k0", "k1", "k2", "k3", "k4", "k5", "k6",
    ] {
        let probes = [
            vec!["TYPE".to_string(), key.to_string()],
            vec!["PTTL".into(), key.into()],
            content(key, &s),
        ];
        for probe in probes {
            assert_eq!(
                sorted(s.execute(&probe)),
                sorted(replica.execute(&probe)),
                "{probe:?}"
            );
        }
    }
}

/// Set members come back in storage order: compare them as a sorted list.
fn sorted(r: Reply) -> Reply {
    match r {
        Reply::Array(mut items) => {
            items.sort_by_key(std::string::ToString::to_string);
            Reply::Array(items)
        }
        other => other,
    }
}

/// A command that reads the whole value of `key`, whatever its type.
fn content(key: &str, s: &Store) -> Vec<String> {
    let ty = s.execute(["TYPE", key]).to_string();
    let cmd: &[&str] = match ty.as_str() {
        "set" => &["SMEMBERS"],
        "list" => &["LRANGE", "0", "-1"],
        "string" => &["GET"],
        _ => &["EXISTS"],
    };
    let mut v = vec![cmd[0].to_string(), key.to_string()];
    v.extend(cmd[1..].iter().map(std::string::ToString::to_string));
    v
}
