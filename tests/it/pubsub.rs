//! Pub/sub: PUBLISH's receiver count, delivery order, `Subscriber` (`recv`, `recv_timeout`,
//! `try_recv`, iterator, async `next`, more (un)subscriptions), PUBSUB introspection, a
//! connection's RESP2 subscribed mode, the bounded buffer and its overflow policy.

use std::task::Poll;
use std::thread;
use std::time::Duration;

use crate::common::poll::Polled;
use crate::common::{arity, bulk, bulks, err, int, nil, ok, run, setup};
use redlite::{Error, Message, Reply, Store};

fn text(m: &Message) -> (String, Option<String>, String) {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (s(m.channel()), m.pattern().map(s), s(m.payload()))
}

fn frame(kind: &str, name: &str, n: i64) -> Reply {
    Reply::Array(vec![bulk(kind), bulk(name), int(n)])
}

#[test]
fn publish_counts_one_receiver_per_channel_and_per_matching_pattern() {
    let (s, mut c, _) = setup();
    assert_eq!(run(&mut c, "PUBLISH news x"), int(0));
    let _direct = s.subscribe(&["news"]);
    let _patterns = s.psubscribe(&["n*", "*s", "other*"]);
    let mut both = s.subscribe(&["news"]);
    both.psubscribe(&["news"]);
    // direct 1 + two matching patterns + both's channel and its pattern.
    assert_eq!(run(&mut c, "PUBLISH news x"), int(5));
    assert_eq!(s.publish("nope", "x").unwrap(), 1);
}

#[test]
fn a_subscriber_receives_messages_in_publish_order_with_their_pattern() {
    let (s, _, _) = setup();
    let mut sub = s.subscribe(&["a"]);
    sub.psubscribe(&["b.*"]);
    for (ch, p) in [
        ("a", "1"),
        ("b.x", "2"),
        ("a", "3"),
        ("b.y", "4"),
        ("c", "5"),
    ] {
        s.publish(ch, p).unwrap();
    }
    let got: Vec<_> = (0..4).map(|_| text(&sub.recv().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("a".into(), None, "1".into()),
            ("b.x".into(), Some("b.*".into()), "2".into()),
            ("a".into(), None, "3".into()),
            ("b.y".into(), Some("b.*".into()), "4".into()),
        ]
    );
    assert!(sub.try_recv().unwrap().is_none());
}

#[test]
fn patterns_match_as_keys_globs_do() {
    let (s, _, _) = setup();
    let mut sub = s.psubscribe(&["h[ae]llo", "x?z", "lit\\*"]);
    for ch in ["hello", "hallo", "hillo", "xyz", "xz", "lit*", "litx"] {
        s.publish(ch, ch).unwrap();
    }
    let mut got = Vec::new();
    while let Some(m) = sub.try_recv().unwrap() {
        got.push(text(&m).0);
    }
    assert_eq!(got, ["hello", "hallo", "xyz", "lit*"]);
}

#[test]
fn subscribing_more_and_unsubscribing_changes_what_arrives() {
    let (s, mut c, _) = setup();
    let mut sub = s.subscribe(&["a"]);
    sub.subscribe(&["b", "a"]);
    assert_eq!(sub.subscription_count(), 2);
    sub.unsubscribe(&["a"]);
    s.publish("a", "lost").unwrap();
    s.publish("b", "kept").unwrap();
    assert_eq!(text(&sub.recv().unwrap()).2, "kept");
    assert_eq!(
        run(&mut c, "PUBSUB NUMSUB a b"),
        Reply::Array(vec![bulk("a"), int(0), bulk("b"), int(1)])
    );
    drop(sub);
    assert_eq!(
        run(&mut c, "PUBSUB NUMSUB b"),
        Reply::Array(vec![bulk("b"), int(0)])
    );
    assert_eq!(run(&mut c, "PUBSUB CHANNELS"), Reply::Array(vec![]));
}

#[test]
fn pubsub_introspection_matches_redis() {
    let (s, mut c, _) = setup();
    let _a = s.subscribe(&["news.tech", "news.art", "sport"]);
    let _b = s.subscribe(&["sport"]);
    let _p = s.psubscribe(&["news.*", "x*"]);
    let _q = s.psubscribe(&["news.*"]);
    let mut chans = crate::common::sorted(run(&mut c, "PUBSUB CHANNELS"));
    chans.sort();
    assert_eq!(chans, ["news.art", "news.tech", "sport"]);
    assert_eq!(
        crate::common::sorted(run(&mut c, "PUBSUB CHANNELS news.*")),
        ["news.art", "news.tech"]
    );
    assert_eq!(
        run(&mut c, "PUBSUB NUMSUB sport none"),
        Reply::Array(vec![bulk("sport"), int(2), bulk("none"), int(0)])
    );
    assert_eq!(run(&mut c, "PUBSUB NUMSUB"), Reply::Array(vec![]));
    assert_eq!(run(&mut c, "PUBSUB NUMPAT"), int(2));
    assert_eq!(
        run(&mut c, "PUBSUB FOO"),
        err("ERR unknown subcommand 'FOO'. Try PUBSUB HELP.")
    );
    assert_eq!(
        run(&mut c, "PUBSUB CHANNELS a b"),
        err("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.")
    );
    assert_eq!(run(&mut c, "PUBSUB NUMPAT x"), arity("pubsub|numpat"));
    assert_eq!(run(&mut c, "PUBSUB"), arity("pubsub"));
    assert_eq!(run(&mut c, "PUBLISH a"), arity("publish"));
}

#[test]
fn publish_runs_inside_multi_and_scripts() {
    let (s, mut c, _) = setup();
    let mut sub = s.subscribe(&["ch"]);
    run(&mut c, "MULTI");
    run(&mut c, "PUBLISH ch in-exec");
    assert_eq!(run(&mut c, "EXEC"), Reply::Array(vec![int(1)]));
    let r = c.execute(["EVAL", r#"redis::call("PUBLISH", "ch", "in-script")"#, "0"]);
    assert_eq!(r, int(1));
    assert_eq!(text(&sub.recv().unwrap()).2, "in-exec");
    assert_eq!(text(&sub.recv().unwrap()).2, "in-script");
}

#[test]
fn recv_timeout_ends_when_the_manual_clock_passes_the_deadline() {
    let (s, _, clock) = setup();
    let mut sub = s.subscribe(&["quiet"]);
    let h = thread::spawn(move || sub.recv_timeout(Duration::from_secs(5)));
    // Each step moves the clock a second; the wait ends five steps after it began.
    while !h.is_finished() {
        clock.advance(Duration::from_secs(1));
        thread::yield_now();
    }
    assert_eq!(h.join().unwrap().unwrap(), None);
}

#[test]
fn recv_timeout_returns_a_message_that_arrives_in_time() {
    let (s, _, _) = setup();
    let mut sub = s.subscribe(&["c"]);
    let p = s.clone();
    let h = thread::spawn(move || p.publish("c", "late but in time"));
    let got = sub.recv_timeout(Duration::from_secs(3600)).unwrap();
    assert_eq!(text(&got.unwrap()).2, "late but in time");
    h.join().unwrap().unwrap();
}

#[test]
fn recv_timeout_on_the_system_clock_returns_none() {
    let s = crate::common::rhai_store();
    let mut sub = s.subscribe(&["c"]);
    assert!(
        sub.recv_timeout(Duration::from_millis(5))
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_iterator_yields_messages_until_an_error() {
    let (s, _, _) = setup();
    let mut sub = s.subscribe(&["c"]);
    for i in 0..3 {
        s.publish("c", i).unwrap();
    }
    let got: Vec<String> = (&mut sub)
        .into_iter()
        .take(3)
        .map(|m| text(&m.unwrap()).2)
        .collect();
    assert_eq!(got, ["0", "1", "2"]);
    drop(s);
    let mut it = (&mut sub).into_iter();
    assert!(matches!(it.next(), Some(Err(Error::Closed))));
    assert!(it.next().is_none());
}

#[test]
fn an_awaited_next_is_woken_by_the_publish() {
    let (s, _, _) = setup();
    let mut sub = s.subscribe(&["c"]);
    let mut fut = Polled::new(sub.next());
    assert!(fut.poll().is_pending());
    s.publish("c", "x").unwrap();
    assert_eq!(fut.wakes(), 1);
    match fut.poll() {
        Poll::Ready(Ok(m)) => assert_eq!(m.payload(), b"x"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_dropped_store_closes_its_subscribers() {
    let (s, _, _) = setup();
    let mut sub = s.subscribe(&["c"]);
    s.publish("c", "last").unwrap();
    drop(s);
    assert_eq!(text(&sub.recv().unwrap()).2, "last");
    assert_eq!(sub.recv().unwrap_err(), Error::Closed);
}

#[test]
fn a_subscriber_past_its_buffer_is_disconnected_and_publishers_never_wait() {
    let s = Store::with_config(crate::common::config().pubsub_buffer_limit(10 * 1024));
    let mut slow = s.subscribe(&["c"]);
    let mut fast = s.subscribe(&["c"]);
    let payload = "x".repeat(100);
    let mut counts = Vec::new();
    for _ in 0..200 {
        counts.push(s.publish("c", &payload).unwrap());
        assert!(
            fast.recv().is_ok(),
            "a slow subscriber must not hold others back"
        );
    }
    // 10 KiB holds 62 messages of 165 bytes (64 + 1 + 100): the 63rd disconnects the slow one.
    assert_eq!(counts.iter().filter(|&&n| n == 2).count(), 62);
    assert_eq!(counts.iter().filter(|&&n| n == 1).count(), 138);
    assert_eq!(
        slow.recv(),
        Err(Error::SubscriberOverflow { limit: 10 * 1024 })
    );
    assert_eq!(
        slow.try_recv(),
        Err(Error::SubscriberOverflow { limit: 10 * 1024 })
    );
    assert_eq!(slow.subscription_count(), 0);
    assert_eq!(
        s.execute(["PUBSUB", "NUMSUB", "c"]),
        Reply::Array(vec![bulk("c"), int(1)])
    );
}

#[test]
fn subscribe_on_a_connection_replies_one_frame_per_channel() {
    let (s, mut c, _) = setup();
    assert_eq!(run(&mut c, "SUBSCRIBE a b"), frame("subscribe", "a", 1));
    assert_eq!(
        c.next_message(Duration::ZERO).unwrap(),
        Some(frame("subscribe", "b", 2))
    );
    assert_eq!(run(&mut c, "PSUBSCRIBE p*"), frame("psubscribe", "p*", 3));
    assert_eq!(c.next_message(Duration::ZERO).unwrap(), None);
    s.publish("b", "to-b").unwrap();
    s.publish("pq", "to-p").unwrap();
    assert_eq!(
        c.next_message(Duration::ZERO).unwrap(),
        Some(bulks(&["message", "b", "to-b"]))
    );
    assert_eq!(
        c.next_message(Duration::ZERO).unwrap(),
        Some(bulks(&["pmessage", "p*", "pq", "to-p"]))
    );
}

#[test]
fn a_subscribed_connection_allows_only_what_resp2_allows() {
    let (_, mut c, _) = setup();
    run(&mut c, "SUBSCRIBE a");
    let refused = |name: &str| {
        err(&format!(
            "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        ))
    };
    assert_eq!(run(&mut c, "GET k"), refused("get"));
    assert_eq!(run(&mut c, "publish a x"), refused("publish"));
    assert_eq!(run(&mut c, "MULTI"), refused("multi"));
    // Unknown commands and wrong arity are reported first, as in Redis.
    assert_eq!(run(&mut c, "GET"), arity("get"));
    assert!(
        run(&mut c, "FOO")
            .to_string()
            .starts_with("ERR unknown command 'FOO'")
    );
    assert_eq!(run(&mut c, "PING"), bulks(&["pong", ""]));
    assert_eq!(run(&mut c, "PING x"), bulks(&["pong", "x"]));
    assert_eq!(run(&mut c, "PING x y"), arity("ping"));
    assert_eq!(run(&mut c, "UNSUBSCRIBE x"), frame("unsubscribe", "x", 1));
    assert_eq!(run(&mut c, "UNSUBSCRIBE"), frame("unsubscribe", "a", 0));
    assert!(!c.is_subscribed());
    assert_eq!(run(&mut c, "GET k"), nil());
    assert_eq!(run(&mut c, "PING"), Reply::status("PONG"));
}

#[test]
fn unsubscribing_from_nothing_replies_a_nil_name() {
    let (_, mut c, _) = setup();
    let none = |kind: &str| Reply::Array(vec![bulk(kind), nil(), int(0)]);
    assert_eq!(run(&mut c, "UNSUBSCRIBE"), none("unsubscribe"));
    assert_eq!(run(&mut c, "PUNSUBSCRIBE"), none("punsubscribe"));
    run(&mut c, "PSUBSCRIBE p*");
    assert_eq!(run(&mut c, "PUNSUBSCRIBE"), frame("punsubscribe", "p*", 0));
}

#[test]
fn reset_leaves_subscribed_mode_and_multi() {
    let (s, mut c, _) = setup();
    run(&mut c, "SUBSCRIBE a");
    assert_eq!(run(&mut c, "RESET"), Reply::status("RESET"));
    assert!(!c.is_subscribed());
    assert_eq!(s.publish("a", "x").unwrap(), 0);
    run(&mut c, "MULTI");
    assert_eq!(run(&mut c, "RESET"), Reply::status("RESET"));
    assert!(!c.in_multi());
    assert_eq!(run(&mut c, "SET k v"), ok());
}

#[test]
fn subscribe_inside_multi_is_refused_and_aborts_the_exec() {
    let (_, mut c, _) = setup();
    run(&mut c, "MULTI");
    assert_eq!(
        run(&mut c, "SUBSCRIBE a"),
        err("ERR Command not allowed inside a transaction")
    );
    assert_eq!(
        run(&mut c, "EXEC"),
        err("EXECABORT Transaction discarded because of previous errors.")
    );
    assert!(!c.is_subscribed());
}

#[test]
fn subscribe_is_not_allowed_in_scripts() {
    let (_, mut c, _) = setup();
    let r = c.execute(["EVAL", r#"redis::call("SUBSCRIBE", "a")"#, "0"]);
    assert!(
        r.to_string()
            .starts_with("ERR This Redis command is not allowed from script"),
        "{r}"
    );
}

#[test]
fn next_message_waits_by_the_store_clock() {
    let (s, mut c, clock) = setup();
    run(&mut c, "SUBSCRIBE a");
    let h = thread::spawn(move || c.next_message(Duration::from_secs(3)));
    while !h.is_finished() {
        clock.advance(Duration::from_secs(1));
        thread::yield_now();
    }
    assert_eq!(h.join().unwrap().unwrap(), None);
    let mut never = s.connection();
    assert_eq!(never.next_message(Duration::from_secs(3600)).unwrap(), None);
}
