//! Blocking pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP): their
//! argument rules, the pop they do when a key holds something, and serving blocked callers.
//!
//! The handlers here never block. Run inside MULTI or a script, a blocking command that finds
//! nothing answers as if it timed out at once (nil), as in Redis. A top-level call goes
//! through [`attempt`] instead (see `events::blocking`), which registers the caller on its
//! keys while still holding their shard locks when there was nothing to pop.
//!
//! Serving follows Redis's `handleClientsBlockedOnKeys`: when a command, EXEC or script
//! creates a key someone waits on, the key is "ready"; before that command's context lets go
//! of its locks ([`serve_ready`], from `Ctx::finish`), each ready key serves its waiters in
//! the order they blocked, by running the waiter's pop (LPOP, LMOVE, ZPOPMIN, ...) as a
//! normal command on that context. So the element goes to exactly one waiter and nobody else
//! ever sees it, and its pop lands in the same batch of effects, after the push.

use std::collections::HashSet;
use std::ops::Range;

use super::ctx::{Ctx, Res, err, wrongtype};
use super::list_moves::mpop_count;
use super::parse::{self, is};
use super::{Handler, KeyHashes, Keys, Spec, W, data as spec, flag, lookup, plan_keys};
use crate::error::msg;
use crate::keyspace::locks::Plan;
use crate::keyspace::waits::{Pop, Waiter};
use crate::reply::Reply;
use crate::shared::Shared;
use crate::sync::Arc;
use crate::types::{Bytes, Value};

/// Keys from the first argument to the one before the last (the timeout).
const BEFORE_LAST: Keys = Keys::Range {
    first: 1,
    last: -2,
    step: 1,
};
/// `timeout numkeys key ...` (BLMPOP, BZMPOP).
const COUNTED: Keys = Keys::NumKeys { at: 2, dest: None };
const B: u8 = W | flag::BLOCKING;

pub(crate) const COMMANDS: &[Spec] = &[
    spec("blpop", -3, B, BEFORE_LAST, blpop),
    spec("brpop", -3, B, BEFORE_LAST, brpop),
    spec("blmove", 6, B, super::TWO, blmove),
    spec("brpoplpush", 4, B, super::TWO, brpoplpush),
    spec("blmpop", -5, B, COUNTED, blmpop),
    spec("bzpopmin", -3, B, BEFORE_LAST, bzpopmin),
    spec("bzpopmax", -3, B, BEFORE_LAST, bzpopmax),
    spec("bzmpop", -5, B, COUNTED, bzmpop),
];

const NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
const NEGATIVE: &str = "ERR timeout is negative";
const NUMKEYS: &str = "ERR numkeys should be greater than 0";

/// A blocking call, parsed: which arguments are its keys, how long it may wait, and the
/// pop that serves it.
pub(crate) struct Request {
    /// Indexes of the key arguments, in argument order.
    pub(crate) keys: Range<usize>,
    /// Milliseconds; 0 waits forever.
    pub(crate) timeout_ms: u64,
    pub(crate) pop: Pop,
}

impl Request {
    /// The reply of a call that found nothing: nil for BLMOVE/BRPOPLPUSH, the null array
    /// for the others.
    pub(crate) fn nothing(&self) -> Reply {
        match self.pop {
            Pop::Move { .. } => Reply::Nil,
            _ => Reply::NilArray,
        }
    }
}

/// Redis's `getTimeoutFromObjectOrReply` in seconds: a long double, rounded up to whole
/// milliseconds. A value past what a C `long long` holds (`inf` too) converts to its most
/// negative value on the x86 builds Redis ships, hence "negative"; `-0.0001` rounds to 0,
/// which waits forever, as in Redis.
pub(crate) fn timeout(arg: &[u8]) -> Res<u64> {
    let secs = parse::long_double(arg).map_err(|_| Reply::error(NOT_FLOAT))?;
    let ms = (secs * 1000.0).ceil();
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&ms) || ms < 0.0 {
        return err(NEGATIVE);
    }
    Ok(ms as u64)
}

fn side(w: &[u8]) -> Res<bool> {
    if is(w, "LEFT") {
        Ok(true)
    } else if is(w, "RIGHT") {
        Ok(false)
    } else {
        err(msg::SYNTAX)
    }
}

/// BLMPOP/BZMPOP's `timeout numkeys key [key ...] <where> [COUNT count]`, checked in
/// Redis's order (numkeys, where, count, then the timeout): the key range, `where`'s
/// argument and the count.
fn counted(a: &[&[u8]]) -> Res<(Range<usize>, usize, usize)> {
    let numkeys = parse::int_in(a[2], 1, i64::MAX, Some(NUMKEYS))?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > a.len().saturating_sub(4) {
        return err(msg::SYNTAX);
    }
    let at = 3 + numkeys;
    Ok((3..at, at, mpop_count(&a[at + 1..])?))
}

fn request(name: &str, a: &[&[u8]]) -> Res<Request> {
    let last = a.len() - 1;
    let (keys, pop, timeout_at) = match name {
        "blpop" | "brpop" => (
            1..last,
            Pop::List {
                left: name == "blpop",
            },
            last,
        ),
        "bzpopmin" | "bzpopmax" => (
            1..last,
            Pop::ZSet {
                max: name == "bzpopmax",
            },
            last,
        ),
        "blmove" => {
            let (from_left, to_left) = (side(a[3])?, side(a[4])?);
            let dst = Bytes::from_slice(a[2]);
            (
                1..2,
                Pop::Move {
                    dst,
                    from_left,
                    to_left,
                },
                5,
            )
        }
        "brpoplpush" => {
            let dst = Bytes::from_slice(a[2]);
            let pop = Pop::Move {
                dst,
                from_left: false,
                to_left: true,
            };
            (1..2, pop, 3)
        }
        "blmpop" => {
            let (keys, at, count) = counted(a)?;
            (
                keys,
                Pop::ListMany {
                    left: side(a[at])?,
                    count,
                },
                1,
            )
        }
        "bzmpop" => {
            let (keys, at, count) = counted(a)?;
            let max = match a[at] {
                w if is(w, "MIN") => false,
                w if is(w, "MAX") => true,
                _ => return err(msg::SYNTAX),
            };
            (keys, Pop::ZSetMany { max, count }, 1)
        }
        _ => return err("ERR internal error: not a blocking command"),
    };
    let timeout_ms = timeout(a[timeout_at])?;
    Ok(Request {
        keys,
        timeout_ms,
        pop,
    })
}

/// Pops from the first of the keys that holds something, as the non-blocking command
/// would: a missing key is skipped, the first existing key of the wrong type is WRONGTYPE.
fn pop_any(ctx: &mut Ctx, a: &[&[u8]], req: &Request) -> Res<Option<Reply>> {
    for &key in &a[req.keys.clone()] {
        let list = match ctx.get(key)? {
            None => continue,
            Some(Value::List(l)) if req.pop.wants_list() => !l.is_empty(),
            Some(Value::ZSet(z)) if !req.pop.wants_list() => !z.is_empty(),
            Some(_) => return Err(wrongtype()),
        };
        if list {
            return serve_one(ctx, &req.pop, key).map(Some);
        }
    }
    Ok(None)
}

/// Runs `argv` as a command of its own on `ctx` (its replay form is `argv`).
fn run_as(ctx: &mut Ctx, argv: &[&[u8]]) -> Res {
    let Some(Spec {
        handler: Handler::Data(run),
        ..
    }) = lookup(argv[0])
    else {
        return err("ERR internal error: pop command missing");
    };
    let reply = run(ctx, argv);
    ctx.end_command(argv);
    reply
}

/// The pop that serves `pop` from `key` (which holds something of the right type), run as
/// the normal command, and its reply in the blocking command's shape.
fn serve_one(ctx: &mut Ctx, pop: &Pop, key: &[u8]) -> Res {
    let lr = |left: bool| if left { "LEFT" } else { "RIGHT" }.as_bytes();
    match pop {
        Pop::List { left } => {
            let name: &[u8] = if *left { b"LPOP" } else { b"RPOP" };
            let item = run_as(ctx, &[name, key])?;
            Ok(Reply::Array(vec![Reply::bulk(key), item]))
        }
        Pop::ListMany { left, count } => {
            let n = count.to_string();
            run_as(
                ctx,
                &[b"LMPOP", b"1", key, lr(*left), b"COUNT", n.as_bytes()],
            )
        }
        Pop::Move {
            dst,
            from_left,
            to_left,
        } => run_as(ctx, &[b"LMOVE", key, dst, lr(*from_left), lr(*to_left)]),
        Pop::ZSet { max } => {
            let name: &[u8] = if *max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            match run_as(ctx, &[name, key])? {
                Reply::Array(mut pair) if pair.len() == 2 => {
                    pair.insert(0, Reply::bulk(key));
                    Ok(Reply::Array(pair))
                }
                _ => Ok(Reply::NilArray),
            }
        }
        Pop::ZSetMany { max, count } => {
            let n = count.to_string();
            let end: &[u8] = if *max { b"MAX" } else { b"MIN" };
            run_as(ctx, &[b"ZMPOP", b"1", key, end, b"COUNT", n.as_bytes()])
        }
    }
}

/// Every blocking handler: pop if there is something, else the timed-out reply (what
/// MULTI and scripts get).
fn pop_now(ctx: &mut Ctx, a: &[&[u8]], name: &str) -> Res {
    let req = request(name, a)?;
    Ok(pop_any(ctx, a, &req)?.unwrap_or_else(|| req.nothing()))
}

fn blpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "blpop")
}

fn brpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "brpop")
}

fn blmove(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "blmove")
}

fn brpoplpush(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "brpoplpush")
}

fn blmpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "blmpop")
}

fn bzpopmin(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "bzpopmin")
}

fn bzpopmax(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "bzpopmax")
}

fn bzmpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "bzmpop")
}

/// What a top-level blocking call found.
pub(crate) enum Attempt {
    /// Answered at once: popped something, or an error.
    Done(Reply),
    /// Nothing to pop: the caller is queued on its keys and must wait.
    Blocked {
        waiter: Arc<Waiter>,
        /// Unix ms by the store's clock; `None` waits forever.
        deadline: Option<u64>,
        /// The reply if it times out (the null array).
        nothing: Reply,
    },
}

/// Store-wide arrival order of waiters. Taken under the shard locks of the waiter's keys,
/// so each key's queue is in blocking order. A plain std atomic: not part of any ordering
/// the loom models check (the shard locks are).
static NEXT_WAITER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Runs a blocking command once, as a top-level call: pops if it can; otherwise queues the
/// caller on each of its keys while still holding their shard (write) locks, so a push
/// landing after the check necessarily finds the waiter.
pub(crate) fn attempt(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> Attempt {
    let mut plan = Plan::default();
    let mut hashes = KeyHashes::new();
    plan_keys(shared, spec, args, &mut plan, &mut hashes);
    let mut locks = shared.keyspace.lock(&plan);
    let mut ctx = Ctx::new(shared, &mut locks, shared.lazy_now(), hashes);
    let outcome = match request(spec.name, args) {
        Err(e) => Attempt::Done(e),
        Ok(req) => match pop_any(&mut ctx, args, &req) {
            Err(e) => Attempt::Done(e),
            Ok(Some(reply)) => Attempt::Done(reply),
            Ok(None) => register(&mut ctx, args, req).unwrap_or_else(Attempt::Done),
        },
    };
    ctx.end_command(args);
    let reap = ctx.finish();
    drop(locks);
    reap.run(shared);
    outcome
}

fn register(ctx: &mut Ctx, a: &[&[u8]], req: Request) -> Res<Attempt> {
    let mut keys: Vec<Bytes> = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for &key in &a[req.keys.clone()] {
        if seen.insert(key) {
            keys.push(Bytes::from_slice(key));
        }
    }
    let deadline = (req.timeout_ms > 0).then(|| ctx.now().saturating_add(req.timeout_ms));
    // A wait that times out answers the null array whatever the command, BLMOVE too
    // (Redis's `replyToBlockedClientTimedOut`), unlike the null bulk BLMOVE answers when it
    // may not block.
    let nothing = Reply::NilArray;
    let seq = NEXT_WAITER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let waiter = Arc::new(Waiter::new(seq, req.pop, keys));
    for key in &waiter.keys {
        ctx.waits_mut(key)?.add(key, waiter.clone());
    }
    Ok(Attempt::Blocked {
        waiter,
        deadline,
        nothing,
    })
}

/// Serves the blocked pops of every key this context made ready, in the order the keys
/// became ready (a pop that creates another waited key, BLMOVE's push, adds it at the end).
pub(crate) fn serve_ready(ctx: &mut Ctx) {
    while let Some(key) = ctx.take_ready() {
        serve_key(ctx, &key);
    }
}

/// Serves `key`'s waiters, first come first served, while it holds something of the type
/// they want. A waiter of the other type is skipped (Redis serves list waiters only from
/// lists); one whose claim fails was served elsewhere or timed out and leaves the queue.
fn serve_key(ctx: &mut Ctx, key: &[u8]) {
    loop {
        let list = match ctx.get(key) {
            Ok(Some(Value::List(l))) if !l.is_empty() => true,
            Ok(Some(Value::ZSet(z))) if !z.is_empty() => false,
            _ => return,
        };
        let Some(waiter) = ctx.waits_mut(key).ok().and_then(|w| w.first(key, list)) else {
            return;
        };
        if let Pop::Move { dst, .. } = &waiter.pop {
            if !ctx.try_hold_for_write(dst) {
                // Its push needs a lock this context cannot take in order: serve the
                // whole key (in line order) once the locks are gone.
                ctx.defer_serving(key);
                return;
            }
        }
        if !waiter.claim() {
            continue;
        }
        if let Ok(w) = ctx.waits_mut(key) {
            w.remove(key, waiter.seq);
        }
        let at = waiter.keys.iter().position(|k| k[..] == *key).unwrap_or(0);
        let reply = ctx.with_own_budget(|c| serve_one(c, &waiter.pop, key));
        waiter.serve(reply.unwrap_or_else(|e| e), at);
    }
}

/// Serves keys whose waiters could not be served under the locks of the command that made
/// them ready: each key's shard and the destinations of its BLMOVE waiters are locked in
/// order, and its waiters served. Keys that need yet more locks come back round.
pub(crate) fn serve_deferred(shared: &Shared, keys: Vec<Box<[u8]>>) {
    let mut work: std::collections::VecDeque<Box<[u8]>> = keys.into();
    while let Some(key) = work.pop_front() {
        let ks = &shared.keyspace;
        let home = ks.shard_of(ks.hkey(&key).hash);
        let mut plan = Plan::default();
        plan.add(home, true);
        for dst in ks.shard(home).read().waits.move_targets(&key) {
            plan.add(ks.shard_of(ks.hkey(&dst).hash), true);
        }
        let mut locks = ks.lock(&plan);
        let mut ctx = Ctx::new(shared, &mut locks, shared.lazy_now(), KeyHashes::new());
        serve_key(&mut ctx, &key);
        let reap = ctx.finish();
        drop(locks);
        let (seen, now, deferred) = reap.into_parts();
        if !seen.is_empty() {
            shared.reap(seen, now);
        }
        work.extend(deferred);
    }
}
