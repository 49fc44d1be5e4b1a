//! The numbered databases: MOVE and SWAPDB, and the database checks SELECT and COPY share.
//!
//! Each database is a keyspace of its own (see `Keyspace`): SELECT only changes which one a
//! connection's commands use. MOVE locks the key's shard in both databases and SWAPDB every
//! shard of both, all in the one global order (database, then shard, ascending), so they
//! are atomic with respect to every command on either database.

use super::ctx::{Ctx, Res, err, remembered};
use super::parse;
use super::{KeyHashes, Keys, Spec, W, data as spec, flag};
use crate::effects::ev;
use crate::error::msg;
use crate::keyspace::locks::Plan;
use crate::reply::Reply;
use crate::shared::Shared;

/// One key, as `ONE` says, but not `ONE` itself: dispatch's single-key fast path skips
/// planning hooks, and MOVE needs its hook to lock the destination database too.
const MOVED_KEY: Keys = Keys::Range {
    first: 1,
    last: 1,
    step: 2,
};

pub(crate) const COMMANDS: &[Spec] = &[
    Spec {
        plan: Some(plan_move),
        ..spec("move", 3, W | flag::NOSCRIPT, MOVED_KEY, move_key)
    },
    Spec {
        plan: Some(plan_swapdb),
        ..spec("swapdb", 3, W | flag::NOSCRIPT, Keys::None, swapdb)
    },
    COPY,
];

/// Redis's reply when the two sides of MOVE or COPY are the same object.
pub(crate) const SAME: &str = "ERR source and destination objects are the same";

/// The database SELECT names: an integer, 0 in cluster mode, below `databases`.
///
/// # Errors
///
/// Redis's replies, in its order: `ERR value is not an integer or out of range`,
/// `ERR SELECT is not allowed in cluster mode`, `ERR DB index is out of range`.
pub(crate) fn select_index(shared: &Shared, arg: &[u8]) -> Result<usize, Reply> {
    let index = parse::int32(arg, None)?;
    super::crossslot::select(shared, i64::from(index)).or_else(err)?;
    db_index(shared, index)
}

/// SELECT called by a script: the script's own database only (its locks are there).
///
/// # Errors
///
/// SELECT's errors, and `ERR SELECT of another database is not supported inside
/// scripts` for a valid database other than the script's.
pub(crate) fn select_in_script(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if select_index(ctx.shared, a[1])? != ctx.db() {
        return err("ERR SELECT of another database is not supported inside scripts");
    }
    Ok(Reply::ok())
}

/// `index` as a database of this store, or `ERR DB index is out of range`.
pub(crate) fn db_index(shared: &Shared, index: i32) -> Res<usize> {
    usize::try_from(index)
        .ok()
        .filter(|&db| db < shared.keyspace.databases())
        .ok_or_else(|| Reply::error(msg::DB_RANGE))
}

/// The database an argument names, if it is a valid one (for planning: the handler
/// reports the errors).
pub(crate) fn planned_db(shared: &Shared, arg: Option<&&[u8]>) -> Option<usize> {
    let index = parse::int32(arg?, None).ok()?;
    db_index(shared, index).ok()
}

/// MOVE locks its key's shard in the connection's database and in the destination.
fn plan_move(shared: &Shared, _: &Spec, a: &[&[u8]], plan: &mut Plan, hashes: &mut KeyHashes) {
    let ks = &shared.keyspace;
    let Some(key) = a.get(1) else { return };
    let hk = ks.hkey(key);
    let shard = ks.shard_of(hk.hash);
    plan.add(shard, true);
    hashes.push(remembered(hk));
    if let Some(dst) = planned_db(shared, a.get(2)) {
        plan.add_global(ks.base(dst) + shard, true);
    }
}

/// SWAPDB locks every shard of both databases.
fn plan_swapdb(shared: &Shared, _: &Spec, a: &[&[u8]], plan: &mut Plan, _: &mut KeyHashes) {
    let ks = &shared.keyspace;
    let (Some(x), Some(y)) = (planned_db(shared, a.get(1)), planned_db(shared, a.get(2))) else {
        return;
    };
    for db in [x, y] {
        for shard in 0..ks.shard_count() {
            plan.add_global(ks.base(db) + shard, true);
        }
    }
}

/// `MOVE key db`: 1 if the key moved (with its TTL), 0 if it is missing here or exists
/// there. Events as Redis: `new` in the destination, `move_from` here, `move_to` there.
fn move_key(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if super::crossslot::enabled(ctx.shared) {
        return err("ERR MOVE is not allowed in cluster mode");
    }
    let src = ctx.db();
    let dst = db_index(ctx.shared, parse::int32(a[2], None)?)?;
    if dst == src {
        return err(SAME);
    }
    let Some(expires_at) = ctx.entry(a[1])?.map(|e| e.expires_at) else {
        return Ok(Reply::Integer(0));
    };
    ctx.select(dst);
    let taken = ctx.entry(a[1]).map(|e| e.is_some());
    ctx.select(src);
    if taken? {
        return Ok(Reply::Integer(0));
    }
    let Some(value) = ctx.take(a[1])? else {
        return Ok(Reply::Integer(0));
    };
    ctx.select(dst);
    let added = ctx.add(a[1], value, expires_at);
    ctx.select(src);
    added?;
    ctx.note(a[1], ev::MOVE_FROM);
    ctx.select(dst);
    ctx.note(a[1], ev::MOVE_TO);
    ctx.select(src);
    Ok(Reply::Integer(1))
}

/// `SWAPDB a b`: every client of either database sees the other's data at once. Watches
/// of keys that exist on either side break; blocked pops whose key now holds something
/// are served.
fn swapdb(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if super::crossslot::enabled(ctx.shared) {
        return err("ERR SWAPDB is not allowed in cluster mode");
    }
    let x = parse::int32(a[1], Some("ERR invalid first DB index"))?;
    let y = parse::int32(a[2], Some("ERR invalid second DB index"))?;
    let (x, y) = (db_index(ctx.shared, x)?, db_index(ctx.shared, y)?);
    if x != y {
        ctx.swap_dbs(x, y)?;
    }
    Ok(Reply::ok())
}

/// `COPY source destination [DB db] [REPLACE]`, here because its destination may be in
/// another database: its hook plans that key's shard there.
pub(crate) const COPY: Spec = Spec {
    plan: Some(plan_copy),
    ..spec("copy", -3, W, super::TWO, copy)
};

/// The DB option of COPY, if any (the last one given, as Redis reads them in turn).
fn copy_db_arg<'a>(a: &[&'a [u8]]) -> Option<&'a [u8]> {
    let mut found = None;
    let mut i = 3;
    while i + 1 < a.len() {
        if parse::is(a[i], "DB") {
            found = Some(a[i + 1]);
            i += 1;
        }
        i += 1;
    }
    found
}

/// COPY locks both keys here, and the destination's shard in the DB it names.
fn plan_copy(shared: &Shared, s: &Spec, a: &[&[u8]], plan: &mut Plan, hashes: &mut KeyHashes) {
    super::plan_each_key(shared, s, a, true, plan, hashes);
    let ks = &shared.keyspace;
    if let (Some(dst), Some(key)) = (planned_db(shared, copy_db_arg(a).as_ref()), a.get(2)) {
        plan.add_global(ks.base(dst) + ks.shard_of(ks.hkey(key).hash), true);
    }
}

fn copy(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let src = ctx.db();
    let mut dst = src;
    let mut replace = false;
    let mut i = 3;
    while i < a.len() {
        if parse::is(a[i], "REPLACE") {
            replace = true;
        } else if parse::is(a[i], "DB") && i + 1 < a.len() {
            dst = db_index(ctx.shared, parse::int32(a[i + 1], None)?)?;
            i += 1;
        } else {
            return err(msg::SYNTAX);
        }
        i += 1;
    }
    if super::crossslot::enabled(ctx.shared) && (src != 0 || dst != 0) {
        return err("ERR Copying to another database is not allowed in cluster mode");
    }
    if src == dst && a[1] == a[2] {
        return err(SAME);
    }
    let Some((value, expires_at)) = ctx
        .entry(a[1])?
        .and_then(|e| e.value.clone().map(|v| (v, e.expires_at)))
    else {
        return Ok(Reply::Integer(0));
    };
    ctx.select(dst);
    let copied = copy_to(ctx, a[2], value, expires_at, replace);
    ctx.select(src);
    copied
}

/// COPY's write, in the destination's database.
fn copy_to(
    ctx: &mut Ctx,
    key: &[u8],
    value: crate::types::Value,
    expires_at: u64,
    replace: bool,
) -> Res {
    if !replace && ctx.entry(key)?.is_some() {
        return Ok(Reply::Integer(0));
    }
    // As Redis: a replaced destination is deleted silently and added anew (`new`, then
    // `copy_to`).
    ctx.add(key, value, expires_at)?;
    ctx.note(key, ev::COPY_TO);
    Ok(Reply::Integer(1))
}
