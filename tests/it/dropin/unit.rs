//! Drop-in behaviours checked on redlite alone: sessions and clones, null replies, the
//! cluster lint through redis-rs, and that futures need no runtime.

use redis::{Commands, ConnectionLike, ErrorKind, ServerErrorKind, Value};

use super::log::ready;
use redlite::{RedisConnection, Store};

#[test]
fn clones_share_one_session_as_multiplexed_connections_do() {
    let store = crate::common::rhai_store();
    let mut a = store.redis_connection();
    let mut b = a.clone();
    let () = redis::cmd("MULTI").query(&mut a).unwrap();
    let queued: String = redis::cmd("SET").arg("k").arg("v").query(&mut b).unwrap();
    assert_eq!(queued, "QUEUED");
    let replies: Vec<Value> = redis::cmd("EXEC").query(&mut a).unwrap();
    assert_eq!(replies, [Value::Okay]);
}

#[test]
fn separate_redis_connections_are_separate_sessions() {
    let store = crate::common::rhai_store();
    let mut a = store.redis_connection();
    let mut b = store.redis_connection();
    let () = redis::cmd("MULTI").query(&mut a).unwrap();
    let () = b.set("k", "now").unwrap();
    let v: Option<String> = b.get("k").unwrap();
    assert_eq!(v.as_deref(), Some("now"));
    let () = redis::cmd("DISCARD").query(&mut a).unwrap();
}

#[test]
fn an_exec_aborted_by_watch_is_nil_as_from_a_server() {
    let store = crate::common::rhai_store();
    let mut con = store.redis_connection();
    let mut other = store.redis_connection();
    let () = redis::cmd("WATCH").arg("k").query(&mut con).unwrap();
    let () = other.set("k", 1).unwrap();
    let aborted: Option<(i64,)> = redis::pipe().atomic().incr("k", 1).query(&mut con).unwrap();
    assert_eq!(aborted, None);
    let raw: Value = {
        let () = redis::cmd("WATCH").arg("k").query(&mut con).unwrap();
        let () = other.set("k", 2).unwrap();
        let () = redis::cmd("MULTI").query(&mut con).unwrap();
        let _: Value = redis::cmd("INCR").arg("k").query(&mut con).unwrap();
        redis::cmd("EXEC").query(&mut con).unwrap()
    };
    assert_eq!(raw, Value::Nil);
}

#[test]
fn a_counted_pop_of_a_missing_list_is_nil() {
    let mut con = crate::common::rhai_store().redis_connection();
    let v: Value = con.lpop("missing", std::num::NonZeroUsize::new(3)).unwrap();
    assert_eq!(v, Value::Nil);
}

#[test]
fn crossslot_in_cluster_mode_has_redis_rs_crossslot_kind() {
    let store = Store::with_config(crate::common::config().cluster_mode(true));
    let mut con = store.redis_connection();
    let err = con.mset::<_, _, ()>(&[("a", 1), ("b", 2)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server(ServerErrorKind::CrossSlot));
    let () = con.mset(&[("{t}a", 1), ("{t}b", 2)]).unwrap();
    let err = redis::cmd("SELECT").arg(1).exec(&mut con).unwrap_err();
    assert_eq!(err.detail(), Some("SELECT is not allowed in cluster mode"));
}

#[test]
fn select_zero_keeps_get_db_at_zero() {
    let mut con = crate::common::rhai_store().redis_connection();
    assert_eq!(ConnectionLike::get_db(&con), 0);
    let () = redis::cmd("SELECT").arg(0).query(&mut con).unwrap();
    assert_eq!(ConnectionLike::get_db(&con), 0);
}

/// `RedisConnection` implements both traits, so `Commands` and `AsyncCommands` must not be
/// in scope together (their method names are the same): the async calls live here.
mod asynchronous {
    use redis::AsyncCommands;

    use super::ready;

    #[test]
    fn async_calls_complete_on_their_first_poll() {
        let store = crate::common::rhai_store();
        let mut con = store.redis_connection();
        let n: i64 = ready(async { con.incr("n", 2).await }).unwrap();
        assert_eq!(n, 2);
        let (a, b): (i64, i64) = ready(async {
            redis::pipe()
                .atomic()
                .incr("n", 1)
                .incr("n", 1)
                .query_async(&mut con)
                .await
        })
        .unwrap();
        assert_eq!((a, b), (3, 4));
    }
}

#[test]
fn a_redis_connection_moves_between_threads() {
    fn is_send_sync<T: Send + Sync + 'static>() {}
    is_send_sync::<RedisConnection>();
    let store = crate::common::rhai_store();
    let con = store.redis_connection();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let mut con = con.clone();
            std::thread::spawn(move || {
                for _ in 0..100 {
                    let _: i64 = con.incr("shared", 1).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.get::<i64>("shared").unwrap(), 400);
}

#[test]
fn packed_bytes_that_are_not_resp_get_a_protocol_error() {
    let mut con = crate::common::rhai_store().redis_connection();
    let v = con.req_packed_command(b"GET k\r\n").unwrap();
    match v {
        Value::ServerError(e) => {
            assert_eq!(e.code(), "ERR");
            assert!(
                e.details()
                    .unwrap_or_default()
                    .starts_with("Protocol error")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}
