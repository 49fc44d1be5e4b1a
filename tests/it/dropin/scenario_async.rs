//! The async twin: the same calls through `redis::AsyncCommands`, `query_async` and
//! `invoke_async`, then `transaction_async` (which clones the connection) against a
//! conflicting writer, and an async SCAN.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use redis::AsyncCommands;
use redis::aio::ConnectionLike;

use super::log::Log;
use super::scenario::{Bodies, common_calls};

pub async fn scenario<C>(mut con: C, writer: C, b: &Bodies) -> Log
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    let mut log = Log::default();
    {
        let con = &mut con;
        common_calls!(log, con, b, [.await], query_async, invoke_async);
    }
    log.note("get_db", con.get_db());
    log.note("check_connection", true);
    transaction(&mut log, con.clone(), writer).await;
    scan(&mut log, &mut con).await;
    let loaded = redis::Script::new(b.status).load_async(&mut con).await;
    log.note("Script load gives its hash", loaded.ok().map(|h| h.len()));
    log
}

async fn transaction<C>(log: &mut Log, con: C, writer: C)
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    let r: redis::RedisResult<(i64,)> =
        redis::aio::transaction_async(con.clone(), &["tx:n"], move |mut con, mut pipe| {
            let attempt = counted.fetch_add(1, Ordering::SeqCst) + 1;
            let mut writer = writer.clone();
            async move {
                let n: Option<i64> = con.get("tx:n").await?;
                if attempt == 1 {
                    let () = writer.set("tx:n", 100).await?;
                }
                pipe.set("tx:n", n.unwrap_or(0) + 1)
                    .ignore()
                    .get("tx:n")
                    .query_async(&mut con)
                    .await
            }
        })
        .await;
    log.rec("transaction", r);
    let attempts = attempts.load(Ordering::SeqCst);
    log.note("transaction attempts", attempts);
    assert_eq!(attempts, 2, "the conflicting write must force one retry");
    let mut con = con;
    let after: redis::RedisResult<i64> = con.get("tx:n").await;
    log.rec("get after transaction", after);
}

async fn scan<C>(log: &mut Log, con: &mut C)
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    for i in 0..30 {
        let () = con.set(format!("scan:{i}"), i).await.expect("set");
    }
    let mut keys = BTreeSet::new();
    let r: redis::RedisResult<()> = async {
        let mut iter = con.scan_match::<_, String>("scan:*").await?;
        while let Some(key) = iter.next_item().await {
            keys.insert(key?);
        }
        Ok(())
    }
    .await;
    log.rec("scan_match", r.map(|()| keys.len()));
    let _: redis::RedisResult<i64> = con.zadd("scan:z", "m", 1).await;
    let mut members = Vec::new();
    let r: redis::RedisResult<()> = async {
        let mut iter = con.zscan::<_, (String, f64)>("scan:z").await?;
        while let Some(m) = iter.next_item().await {
            members.push(m?);
        }
        Ok(())
    }
    .await;
    log.rec("zscan", r.map(|()| members));
}
