//! The typed API's additions: reverse ranges, counts and pops of sorted sets, the generic
//! command builder on Store / Connection / Transaction, transactions that return their
//! queued replies, and `u64` values above `i64::MAX`.

use redlite::{Error, ErrorKind, FromReply, Reply, Store};

fn board() -> Store {
    let store = Store::new();
    for (m, s) in [("amy", 3.0), ("bob", 1.0), ("cat", 5.0), ("dan", 2.0)] {
        store.zadd("board", m, s).unwrap();
    }
    store
}

#[test]
fn zrevrange_lists_members_from_the_highest_score() {
    let store = board();
    assert_eq!(
        store.zrevrange::<Vec<String>>("board", 0, 1).unwrap(),
        ["cat", "amy"]
    );
    assert_eq!(
        store.zrevrange::<Vec<String>>("board", -1, -1).unwrap(),
        ["bob"]
    );
    assert!(
        store
            .zrevrange::<Vec<String>>("none", 0, -1)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn zrevrange_withscores_pairs_members_with_scores() {
    let store = board();
    let top: Vec<(String, f64)> = store.zrevrange_withscores("board", 0, 2).unwrap();
    assert_eq!(
        top,
        [
            ("cat".into(), 5.0),
            ("amy".into(), 3.0),
            ("dan".into(), 2.0)
        ]
    );
}

#[test]
fn zrevrank_counts_from_the_top_and_is_none_for_absent_members() {
    let store = board();
    assert_eq!(store.zrevrank("board", "cat").unwrap(), Some(0));
    assert_eq!(store.zrevrank("board", "bob").unwrap(), Some(3));
    assert_eq!(store.zrevrank("board", "eve").unwrap(), None);
}

#[test]
fn zcount_takes_numbers_and_redis_range_texts() {
    let store = board();
    assert_eq!(store.zcount("board", 2, 3).unwrap(), 2);
    assert_eq!(store.zcount("board", "(2", "+inf").unwrap(), 2);
    assert_eq!(store.zcount("board", "-inf", "(1").unwrap(), 0);
    let e = store.zcount("board", "low", 3).unwrap_err();
    assert_eq!(e.to_string(), "ERR min or max is not a float");
}

#[test]
fn zpopmin_and_zpopmax_remove_from_either_end() {
    let store = board();
    let low: Vec<(String, f64)> = store.zpopmin("board", 2).unwrap();
    assert_eq!(low, [("bob".into(), 1.0), ("dan".into(), 2.0)]);
    let high: Vec<(String, f64)> = store.zpopmax("board", 1).unwrap();
    assert_eq!(high, [("cat".into(), 5.0)]);
    assert_eq!(store.zcard("board").unwrap(), 1);
    assert!(store.zpopmax::<String>("none", 3).unwrap().is_empty());
}

#[test]
fn typed_zset_calls_on_the_wrong_type_are_wrongtype() {
    let store = Store::new();
    store.set("s", 1).unwrap();
    assert_eq!(
        store.zpopmin::<String>("s", 1).unwrap_err().kind(),
        ErrorKind::WrongType
    );
    assert_eq!(
        store.zrevrank("s", "m").unwrap_err().kind(),
        ErrorKind::WrongType
    );
}

#[test]
fn the_command_builder_runs_any_command_on_a_store() {
    let store = board();
    let all: Vec<String> = store
        .cmd("ZREVRANGE")
        .arg("board")
        .arg(0)
        .arg(-1)
        .query()
        .unwrap();
    assert_eq!(all, ["cat", "amy", "dan", "bob"]);
    let added: i64 = store
        .cmd("SADD")
        .arg("s")
        .args(["a", "b", "a"])
        .query()
        .unwrap();
    assert_eq!(added, 2);
    let raw: Reply = store.cmd("GET").arg("missing").query().unwrap();
    assert_eq!(raw, Reply::Nil);
}

#[test]
fn the_command_builder_reports_redis_errors() {
    let store = Store::new();
    let e = store.cmd("NOPE").arg("x").query::<()>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ERR unknown command 'NOPE', with args beginning with: 'x' "
    );
    let e = store.cmd("GET").query::<()>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ERR wrong number of arguments for 'get' command"
    );
}

#[test]
fn the_command_builder_on_a_connection_queues_inside_multi() {
    let store = Store::new();
    let mut conn = store.connection();
    conn.cmd("MULTI").query::<()>().unwrap();
    assert_eq!(
        conn.cmd("INCRBY")
            .arg("n")
            .arg(4)
            .query::<String>()
            .unwrap(),
        "QUEUED"
    );
    assert_eq!(conn.cmd("EXEC").query::<Vec<i64>>().unwrap(), [4]);
}

#[test]
fn the_command_builder_in_a_transaction_reads_now_and_queues_writes() {
    let store = board();
    let before = store
        .transaction(&["board"], |tx| {
            let top: Vec<String> = tx.cmd("ZREVRANGE").arg("board").arg(0).arg(0).query()?;
            tx.cmd("ZREM").arg("board").arg(&top[0]).queue()?;
            Ok(top)
        })
        .unwrap();
    assert_eq!(before, ["cat"]);
    assert_eq!(store.zscore("board", "cat").unwrap(), None);
}

#[test]
fn a_write_through_the_builders_query_in_a_transaction_is_refused() {
    let store = Store::new();
    let r = store.transaction(&["k"], |tx| tx.cmd("SET").arg("k").arg(1).query::<()>());
    let e = r.unwrap_err();
    assert!(e.to_string().contains("is not a read"), "{e}");
    assert_eq!(store.get::<Option<i64>>("k").unwrap(), None);
}

#[test]
fn a_builder_queue_time_error_applies_nothing() {
    let store = Store::new();
    let r = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        tx.cmd("INCR").queue()
    });
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR wrong number of arguments for 'incr' command".into()
        ))
    );
    assert_eq!(store.get::<Option<i64>>("k").unwrap(), None);
}

#[test]
fn transaction_replies_returns_the_replies_of_the_queued_commands() {
    let store = Store::new();
    let limit = |store: &Store| {
        store
            .transaction_replies(&["rate"], |tx| {
                tx.cmd("INCR").arg("rate").queue()?;
                tx.cmd("EXPIRE").arg("rate").arg(60).arg("NX").queue()?;
                Ok("done")
            })
            .unwrap()
    };
    let (value, replies) = limit(&store);
    assert_eq!(value, "done");
    assert_eq!(replies, [Reply::Integer(1), Reply::Integer(1)]);
    let (_, replies) = limit(&store);
    assert_eq!(i64::from_reply(replies[0].clone()).unwrap(), 2);
    assert_eq!(replies[1], Reply::Integer(0), "the window was already set");
}

#[test]
fn transaction_replies_of_a_retried_transaction_are_the_committed_attempts() {
    let store = Store::new();
    let (attempt, replies) = store
        .transaction_replies(&["n"], |tx| {
            if tx.attempt() == 1 {
                store.set("n", 10).unwrap(); // a conflicting write
            }
            tx.incr_by("n", 1);
            Ok(tx.attempt())
        })
        .unwrap();
    assert_eq!(attempt, 2);
    assert_eq!(replies, [Reply::Integer(11)]);
}

#[test]
fn u64_values_above_i64_max_round_trip() {
    let store = Store::new();
    for v in [u64::MAX, u64::MAX - 1, i64::MAX as u64 + 1, 0, 42] {
        store.set("u", v).unwrap();
        assert_eq!(store.get::<u64>("u").unwrap(), v);
    }
    store.set("u", u64::MAX).unwrap();
    assert_eq!(store.get::<usize>("u").unwrap() as u64, u64::MAX);
}

#[test]
fn u64_reads_refuse_negative_and_non_canonical_numbers() {
    let store = Store::new();
    for text in ["-1", "+5", "007", "18446744073709551616", "1.0", ""] {
        store.set("u", text).unwrap();
        let e = store.get::<u64>("u").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion, "{text:?}");
    }
    assert_eq!(
        u64::from_reply(Reply::Integer(-1)).unwrap_err().kind(),
        ErrorKind::Conversion
    );
    assert_eq!(u64::from_reply(Reply::Integer(7)).unwrap(), 7);
}
