//! Server and connection commands that need no connection state: PING, ECHO, TIME,
//! SELECT, DBSIZE, FLUSHDB, FLUSHALL.

use super::ctx::{Ctx, Res, err};
use super::parse::is;
use super::{Keys, Spec, W, data as spec, flag};
use crate::error::msg;
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[
    spec("ping", -1, 0, Keys::None, ping),
    spec("echo", 2, 0, Keys::None, echo),
    spec("time", 1, 0, Keys::None, time),
    spec("dbsize", 1, 0, Keys::All, dbsize),
    spec("flushdb", -1, W | flag::NOSCRIPT, Keys::All, flush),
    spec("flushall", -1, W | flag::NOSCRIPT, Keys::AllDbs, flush),
];

fn ping(_: &mut Ctx, a: &[&[u8]]) -> Res {
    match a.len() {
        1 => Ok(Reply::status("PONG")),
        2 => Ok(Reply::bulk(a[1])),
        _ => err(msg::arity("ping")),
    }
}

fn echo(_: &mut Ctx, a: &[&[u8]]) -> Res {
    Ok(Reply::bulk(a[1]))
}

/// The store's (frozen) time as [seconds, microseconds].
fn time(ctx: &mut Ctx, _: &[&[u8]]) -> Res {
    let secs = ctx.now() / 1000;
    let micros = (ctx.now() % 1000) * 1000;
    Ok(Reply::Array(vec![
        Reply::bulk(secs.to_string()),
        Reply::bulk(micros.to_string()),
    ]))
}

fn dbsize(ctx: &mut Ctx, _: &[&[u8]]) -> Res {
    let n: usize = ctx
        .db_shards()
        .map(crate::keyspace::shard::Shard::live_count)
        .sum();
    Ok(Reply::from_len(n))
}

fn flush(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    match a.get(1) {
        None => {}
        Some(o) if a.len() == 2 && (is(o, "ASYNC") || is(o, "SYNC")) => {}
        Some(_) => return err(msg::SYNTAX),
    }
    ctx.flush_locked(is(a[0], "FLUSHALL"));
    Ok(Reply::ok())
}
