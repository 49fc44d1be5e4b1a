//! Keyspace notifications: Redis's channels and event names, the class letters that filter
//! them, `expired` once for lazy and active expiry, EXEC and script events published after
//! they commit in command order, and turning notifications on and off.

use std::time::Duration;

use crate::common::{run, setup};
use redlite::{ManualClock, Store, Subscriber};

fn store(classes: &str) -> (Store, ManualClock, Subscriber) {
    let clock = ManualClock::new();
    let config = crate::common::config()
        .clock(clock.clone())
        .active_expiry(false)
        .notify_keyspace_events(classes);
    let store = Store::with_config(config);
    let sub = store.psubscribe(&["__key*__:*"]);
    (store, clock, sub)
}

/// Every notification waiting, as "channel payload".
fn drain(sub: &mut Subscriber) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(m) = sub.try_recv().unwrap() {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        out.push(format!("{} {}", s(m.channel()), s(m.payload())));
    }
    out
}

/// The keyspace half of each event, as "event key".
fn keyspace(sub: &mut Subscriber) -> Vec<String> {
    drain(sub)
        .into_iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("__keyspace@0__:")?;
            let (key, event) = rest.split_once(' ')?;
            Some(format!("{event} {key}"))
        })
        .collect()
}

#[test]
fn each_event_is_published_on_its_keyspace_and_keyevent_channels() {
    let (s, _, mut sub) = store("KEA");
    s.execute(["SET", "k", "v"]);
    assert_eq!(
        drain(&mut sub),
        ["__keyspace@0__:k set", "__keyevent@0__:set k"]
    );
    s.execute(["LPUSH", "list", "a"]);
    s.execute(["EXPIRE", "list", "100"]);
    s.execute(["DEL", "k", "list"]);
    assert_eq!(
        keyspace(&mut sub),
        ["lpush list", "expire list", "del k", "del list"]
    );
}

#[test]
fn reads_and_no_op_writes_publish_nothing() {
    let (s, _, mut sub) = store("KEA");
    s.execute(["SADD", "set", "a"]);
    drain(&mut sub);
    s.execute(["GET", "missing"]);
    s.execute(["SADD", "set", "a"]);
    s.execute(["DEL", "missing"]);
    s.execute(["SMEMBERS", "set"]);
    assert!(drain(&mut sub).is_empty());
}

#[test]
fn class_letters_choose_the_events_and_the_channels() {
    let (s, _, mut sub) = store("Kl");
    s.execute(["SET", "k", "v"]);
    s.execute(["RPUSH", "l", "a"]);
    s.execute(["DEL", "k"]);
    assert_eq!(drain(&mut sub), ["__keyspace@0__:l rpush"]);

    let (s, _, mut sub) = store("Eg$");
    s.execute(["SET", "k", "v"]);
    s.execute(["RPUSH", "l", "a"]);
    s.execute(["DEL", "k"]);
    assert_eq!(
        drain(&mut sub),
        ["__keyevent@0__:set k", "__keyevent@0__:del k"]
    );
}

#[test]
fn classes_without_a_channel_kind_or_a_channel_kind_without_classes_publish_nothing() {
    for classes in ["A", "KE", "Km", ""] {
        let (s, _, mut sub) = store(classes);
        s.execute(["SET", "k", "v"]);
        s.execute(["DEL", "k"]);
        assert!(drain(&mut sub).is_empty(), "{classes}");
    }
}

#[test]
fn new_keys_are_published_only_with_n() {
    let (s, _, mut sub) = store("KEA");
    s.execute(["SET", "k", "v"]);
    assert!(!drain(&mut sub).iter().any(|l| l.contains("new")));
    let (s, _, mut sub) = store("Kn");
    s.execute(["SET", "k", "v"]);
    s.execute(["SET", "k", "w"]);
    s.execute(["HSET", "h", "f", "1"]);
    assert_eq!(keyspace(&mut sub), ["new k", "new h"]);
}

#[test]
fn a_key_read_after_its_deadline_publishes_expired_once() {
    let (s, clock, mut sub) = store("KEA");
    s.execute(["SET", "k", "v", "PX", "100"]);
    drain(&mut sub);
    clock.advance(Duration::from_millis(101));
    assert!(s.execute(["GET", "k"]).is_nil());
    assert!(s.execute(["GET", "k"]).is_nil());
    s.purge_expired();
    assert_eq!(
        drain(&mut sub),
        ["__keyspace@0__:k expired", "__keyevent@0__:expired k"]
    );
}

#[test]
fn a_key_the_background_sweep_reclaims_publishes_expired_once() {
    let (s, clock, mut sub) = store("Ex");
    s.execute(["SET", "k", "v", "EX", "1"]);
    clock.advance(Duration::from_secs(2));
    assert_eq!(s.purge_expired(), 1);
    assert!(s.execute(["GET", "k"]).is_nil());
    assert_eq!(s.purge_expired(), 0);
    assert_eq!(drain(&mut sub), ["__keyevent@0__:expired k"]);
}

#[test]
fn an_exec_publishes_its_events_together_in_command_order() {
    let (s, _, mut sub) = store("KEA");
    let mut c = s.connection();
    run(&mut c, "MULTI");
    run(&mut c, "SET a 1");
    run(&mut c, "RPUSH l x");
    // Nothing is published while the transaction is only queued.
    assert!(drain(&mut sub).is_empty());
    run(&mut c, "INCR a");
    run(&mut c, "DEL a");
    run(&mut c, "EXEC");
    assert_eq!(
        keyspace(&mut sub),
        ["set a", "rpush l", "incrby a", "del a"]
    );
}

#[test]
fn an_aborted_exec_publishes_nothing() {
    let (s, _, mut sub) = store("KEA");
    let mut c = crate::common::watching(&s, &["w"]);
    s.execute(["SET", "w", "changed"]);
    drain(&mut sub);
    run(&mut c, "MULTI");
    run(&mut c, "SET a 1");
    run(&mut c, "EXEC");
    assert!(drain(&mut sub).is_empty());
}

#[test]
fn a_script_publishes_its_calls_events_after_it_returns() {
    let (s, _, mut sub) = store("KEA");
    let src = r#"redis::call("SET", KEYS[0], "1"); redis::call("LPUSH", KEYS[1], "x"); redis::call("DEL", KEYS[0])"#;
    s.execute(["EVAL", src, "2", "a", "b"]);
    assert_eq!(keyspace(&mut sub), ["set a", "lpush b", "del a"]);
}

#[test]
fn a_served_blocking_pop_publishes_its_pop_after_the_push() {
    let (s, _, mut sub) = store("KEA");
    let mut fut = crate::common::poll::Polled::new(
        s.blpop_async::<redlite::Reply, _>(&["q"], Duration::ZERO),
    );
    assert!(fut.poll().is_pending());
    s.execute(["RPUSH", "q", "job"]);
    assert_eq!(keyspace(&mut sub), ["rpush q", "lpop q", "del q"]);
    assert!(fut.poll().is_ready());
}

#[test]
fn binary_keys_appear_in_the_channel_as_they_are() {
    let (s, _, mut sub) = store("K$");
    s.execute([&b"SET"[..], b"a:\x00\xff", b"v"]);
    let m = sub.try_recv().unwrap().unwrap();
    assert_eq!(m.channel(), b"__keyspace@0__:a:\x00\xff");
}

#[test]
fn notifications_are_turned_on_and_off_while_the_store_runs() {
    let (s, _, _) = setup();
    let mut sub = s.psubscribe(&["__key*__:*"]);
    s.execute(["SET", "k", "1"]);
    assert!(drain(&mut sub).is_empty());
    s.set_notify_keyspace_events("KEA").unwrap();
    assert_eq!(s.notify_keyspace_events(), "AKE");
    s.execute(["SET", "k", "2"]);
    assert_eq!(drain(&mut sub).len(), 2);
    s.set_notify_keyspace_events("").unwrap();
    assert_eq!(s.notify_keyspace_events(), "");
    s.execute(["SET", "k", "3"]);
    assert!(drain(&mut sub).is_empty());
    let e = s.set_notify_keyspace_events("KEz?").unwrap_err();
    assert_eq!(
        e.to_string(),
        "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
    );
    assert_eq!(s.notify_keyspace_events(), "");
}

#[test]
fn a_config_string_with_an_unknown_letter_is_ignored_whole() {
    let s = Store::with_config(
        crate::common::config()
            .notify_keyspace_events("KEA")
            .notify_keyspace_events("Kq"),
    );
    assert_eq!(s.notify_keyspace_events(), "AKE");
}
