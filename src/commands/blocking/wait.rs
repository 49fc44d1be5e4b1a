//! A top-level blocking call: the first try and the queueing under the keys' shard locks
//! ([`attempt`]), then the wait, on the calling thread ([`run`]) or as a future
//! ([`BlockingCall`]), with the deadline kept by the store's clock.
//!
//! The pop that serves the waiter runs on the writer's context (`serve`). What is left here
//! is sleeping until it hands the reply over, or the deadline passes, and then leaving the
//! other keys' queues, so nothing stays behind when a wait ends by any route (served,
//! timed out, or a future dropped).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use std::collections::HashSet;

use super::{Request, pop_any, request};
use crate::commands::ctx::{Ctx, Res};
use crate::commands::{KeyHashes, Spec, flag, plan_keys};
use crate::error::msg;
use crate::events::timers::{Due, TimerId, Timers};
use crate::keyspace::locks::Plan;
use crate::keyspace::waits::{Outcome, Waiter};
use crate::reply::Reply;
use crate::shared::Shared;
use crate::sync::Arc;
use crate::types::Bytes;

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
pub(crate) fn attempt(shared: &Shared, db: usize, spec: &Spec, args: &[&[u8]]) -> Attempt {
    crate::keyspace::locks::after_unlock::forget_failure();
    let mut plan = Plan::at(shared.keyspace.base(db));
    let mut hashes = KeyHashes::new();
    plan_keys(shared, spec, args, &mut plan, &mut hashes);
    let mut locks = shared.keyspace.lock(&plan);
    let mut ctx = Ctx::new(shared, &mut locks, shared.lazy_now(), hashes, db);
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
    match outcome {
        Attempt::Done(reply) => Attempt::Done(crate::persist::misconf::unless_lost(reply)),
        blocked @ Attempt::Blocked { .. } => blocked,
    }
}

fn register(ctx: &mut Ctx, a: &[&[u8]], req: Request) -> Res<Attempt> {
    let named = &a[req.keys.clone()];
    let mut keys: Vec<Bytes> = Vec::with_capacity(named.len());
    if named.len() <= 8 {
        // The usual few keys: no set to allocate.
        for &key in named {
            if !keys.iter().any(|k| k[..] == *key) {
                keys.push(Bytes::from_slice(key));
            }
        }
    } else {
        let mut seen: HashSet<&[u8]> = HashSet::with_capacity(named.len());
        keys.extend(
            named
                .iter()
                .filter(|k| seen.insert(k))
                .map(|k| Bytes::from_slice(k)),
        );
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

/// Runs a blocking command on the calling thread: pops at once if it can, else sleeps (no
/// polling) until served or timed out.
pub(crate) fn run(shared: &Shared, db: usize, spec: &Spec, args: &[&[u8]]) -> Reply {
    match attempt(shared, db, spec, args) {
        Attempt::Done(reply) => reply,
        Attempt::Blocked {
            waiter,
            deadline,
            nothing,
        } => {
            let _counted = Counted::new(shared);
            let outcome = wait(&shared.events.timers, &waiter, deadline);
            finish(shared, db, &waiter, outcome, nothing)
        }
    }
}

/// Counts the calls blocked right now (what Redis's INFO calls `blocked_clients`).
struct Counted<'s>(&'s Shared);

impl<'s> Counted<'s> {
    fn new(shared: &'s Shared) -> Counted<'s> {
        shared.events.blocked.fetch_add(1, Ordering::SeqCst);
        Counted(shared)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.events.blocked.fetch_sub(1, Ordering::SeqCst);
    }
}

fn wait(timers: &std::sync::Arc<Timers>, waiter: &Arc<Waiter>, deadline: Option<u64>) -> Outcome {
    // A manual clock ends the wait through the timer table; a real one is timed here.
    let timer = match deadline {
        Some(d) if timers.manual() => Some(timers.add(d, Due::Waiter(waiter.clone()), false)),
        _ => None,
    };
    let outcome = waiter.wait(|w| {
        let d = deadline?;
        if timers.manual() {
            return None;
        }
        let now = timers.now();
        if now >= d {
            // If a writer claimed it meanwhile, its reply is moments away: wait for it.
            w.time_out();
            return None;
        }
        Some(Duration::from_millis(d - now))
    });
    if let Some(id) = timer {
        timers.cancel(id);
    }
    outcome
}

/// Leaves the queues of the keys that did not serve the waiter, and picks the reply.
fn finish(shared: &Shared, db: usize, waiter: &Waiter, outcome: Outcome, nothing: Reply) -> Reply {
    let (reply, served_by) = match outcome {
        Outcome::Served(reply, at) => (reply, Some(at)),
        Outcome::TimedOut => (nothing, None),
    };
    leave(shared, db, waiter, served_by);
    crate::persist::misconf::unless_lost(reply)
}

/// Removes `waiter` from its keys' queues (the serving key already removed it), one shard
/// lock at a time. A served waiter first owes what its server's write was stamped with
/// (see [`owe_server`]).
fn leave(shared: &Shared, db: usize, waiter: &Waiter, skip: Option<usize>) {
    let ks = &shared.keyspace;
    let base = ks.base(db);
    if let Some(key) = skip.and_then(|at| waiter.keys.get(at)) {
        owe_server(ks, base + ks.shard_of(ks.hkey(key).hash));
    }
    for (i, key) in waiter.keys.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        let shard = ks.shard_of(ks.hkey(key).hash);
        ks.shard(base + shard).write().waits.remove(key, waiter.seq);
    }
}

/// Under `Fsync::Always` the writer that served a waiter logged the pop and stamped the
/// key's shard with it, but the reply reached the waiter before that writer's fsync: the
/// waiter owes the stamp too, so it never returns an element whose removal may be lost.
/// The wait runs once the shard's lock is released.
fn owe_server(ks: &crate::keyspace::Keyspace, shard: usize) {
    let _deferred = crate::keyspace::locks::after_unlock::Deferred::new();
    let guard = ks.shard(shard).read();
    crate::keyspace::locks::owe_stamp_of(&guard, ks);
}

enum State {
    Start,
    Waiting {
        waiter: Arc<Waiter>,
        timer: Option<TimerId>,
        nothing: Reply,
    },
    Done,
}

/// A blocking command as a future: the first poll pops or queues it (under the keys'
/// locks, like a call on a thread); later polls only look at the hand-off cell. Runtime
/// agnostic: the writer that serves it, or the store's timer, wakes its task.
///
/// Dropping it before it is served leaves every queue and pops nothing. Dropped after a
/// writer served it but before it was polled again, the popped elements are lost, as when
/// a Redis client disconnects right after being served: prefer the command's own timeout
/// over an outer timeout or `select!`.
pub(crate) struct BlockingCall {
    shared: std::sync::Arc<Shared>,
    /// The database the call runs (and waits) in.
    db: usize,
    argv: Vec<Vec<u8>>,
    state: State,
}

impl BlockingCall {
    pub(crate) fn new(
        shared: std::sync::Arc<Shared>,
        db: usize,
        argv: Vec<Vec<u8>>,
    ) -> BlockingCall {
        BlockingCall {
            shared,
            db,
            argv,
            state: State::Start,
        }
    }

    fn start(&mut self) -> Poll<Reply> {
        let argv: Vec<&[u8]> = self.argv.iter().map(Vec::as_slice).collect();
        let commands = self.shared.commands;
        let Some(spec) = argv.first().and_then(|name| commands.lookup(name)) else {
            let name = argv.first().copied().unwrap_or_default();
            let rest = argv.get(1..).unwrap_or_default();
            return Poll::Ready(Reply::error(msg::unknown_command(name, rest)));
        };
        if !spec.arity_ok(argv.len()) {
            return Poll::Ready(Reply::error(msg::arity(spec.name)));
        }
        if !spec.has(flag::BLOCKING) {
            let (shared, db) = (&self.shared, self.db);
            return Poll::Ready(crate::commands::query_spec_in(shared, db, spec, &argv));
        }
        if let Err(text) = crate::commands::crossslot::command(&self.shared, spec, &argv) {
            return Poll::Ready(Reply::error(text));
        }
        match attempt(&self.shared, self.db, spec, &argv) {
            Attempt::Done(reply) => Poll::Ready(reply),
            Attempt::Blocked {
                waiter,
                deadline,
                nothing,
            } => {
                self.shared.events.blocked.fetch_add(1, Ordering::SeqCst);
                let timers = &self.shared.events.timers;
                let timer = deadline.map(|d| timers.add(d, Due::Waiter(waiter.clone()), true));
                self.state = State::Waiting {
                    waiter,
                    timer,
                    nothing,
                };
                Poll::Pending
            }
        }
    }

    /// Ends a wait: cancels its timer and leaves its queues.
    fn end(&mut self, outcome: Option<Outcome>) -> Option<Reply> {
        let State::Waiting {
            waiter,
            timer,
            nothing,
        } = std::mem::replace(&mut self.state, State::Done)
        else {
            return None;
        };
        self.shared.events.blocked.fetch_sub(1, Ordering::SeqCst);
        if let Some(id) = timer {
            self.shared.events.timers.cancel(id);
        }
        let served_by = match &outcome {
            Some(Outcome::Served(_, at)) => Some(*at),
            _ => None,
        };
        leave(&self.shared, self.db, &waiter, served_by);
        outcome.map(|o| match o {
            Outcome::Served(reply, _) => crate::persist::misconf::unless_lost(reply),
            Outcome::TimedOut => nothing,
        })
    }
}

impl Future for BlockingCall {
    type Output = Reply;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Reply> {
        let this = &mut *self;
        if let State::Start = this.state {
            if let Poll::Ready(reply) = this.start() {
                this.state = State::Done;
                return Poll::Ready(reply);
            }
        }
        let outcome = match &this.state {
            State::Waiting { waiter, .. } => waiter.poll(cx.waker()),
            // Polled after completion: a finished future stays finished.
            State::Start | State::Done => return Poll::Ready(Reply::NilArray),
        };
        match outcome {
            Some(o) => Poll::Ready(this.end(Some(o)).unwrap_or(Reply::NilArray)),
            None => Poll::Pending,
        }
    }
}

impl Drop for BlockingCall {
    fn drop(&mut self) {
        if let State::Waiting { waiter, .. } = &self.state {
            let outcome = waiter.abandon();
            self.end(outcome);
        }
    }
}
