//! The redis-rs drop-in: one body of redis-rs calls (`dropin::scenario`, and its async twin)
//! runs against `RedisConnection` and against a real `redis-server` on loopback, and the two
//! transcripts must be identical. Without redis-server the redlite side still runs (its own
//! checks hold) and the comparison is skipped, unless `REDLITE_REQUIRE_REDIS=1` (CI).
#![cfg(feature = "redis")]

mod log;
mod scenario;
mod scenario_async;
mod unit;

use crate::parity::server::{RedisServer, start_or_skip};

use self::log::{Log, assert_same};
use self::scenario::{LUA, RHAI};

fn server(what: &str) -> Option<RedisServer> {
    start_or_skip(&[], what)
}

fn client(server: &RedisServer) -> redis::Client {
    redis::Client::open(format!("redis://127.0.0.1:{}/", server.port)).expect("client")
}

#[test]
fn the_sync_scenario_gives_redis_servers_transcript() {
    let store = crate::common::rhai_store();
    let (mut con, mut writer) = (store.redis_connection(), store.redis_connection());
    let lite = scenario::scenario(&mut con, &mut writer, &RHAI);
    assert!(
        lite.distinct_calls() >= 60,
        "the scenario covers only {} distinct redis-rs calls",
        lite.distinct_calls()
    );
    let Some(server) = server("sync drop-in scenario against redis-server") else {
        return;
    };
    let client = client(&server);
    let mut con = client.get_connection().expect("connect");
    let mut writer = client.get_connection().expect("connect");
    let real = scenario::scenario(&mut con, &mut writer, &LUA);
    assert_same(&lite, &real);
}

#[test]
fn the_async_scenario_gives_redis_servers_transcript_without_a_runtime() {
    let store = crate::common::rhai_store();
    let (con, writer) = (store.redis_connection(), store.redis_connection());
    let lite: Log = log::ready(scenario_async::scenario(con, writer, &RHAI));
    assert!(
        lite.distinct_calls() >= 60,
        "{} calls",
        lite.distinct_calls()
    );
    let Some(server) = server("async drop-in scenario against redis-server") else {
        return;
    };
    let client = client(&server);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let real = runtime.block_on(async {
        let con = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let writer = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        scenario_async::scenario(con, writer, &LUA).await
    });
    assert_same(&lite, &real);
}

#[test]
fn sync_and_async_scenarios_agree_on_redlite() {
    let store = crate::common::rhai_store();
    let (mut con, mut writer) = (store.redis_connection(), store.redis_connection());
    let sync = scenario::scenario(&mut con, &mut writer, &RHAI);
    let store = crate::common::rhai_store();
    let (con, writer) = (store.redis_connection(), store.redis_connection());
    let async_ = log::ready(scenario_async::scenario(con, writer, &RHAI));
    assert_same(&sync, &async_);
}
