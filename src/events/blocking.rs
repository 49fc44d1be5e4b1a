//! Waiting for a blocking pop: on the calling thread ([`run`]) or as a future
//! ([`BlockingCall`]), with the deadline kept by the store's clock.
//!
//! The first try and the queueing happen under the keys' shard locks
//! (`commands::blocking::attempt`); the pop that serves the waiter runs on the writer's
//! context (`commands::blocking::serve_ready`). What is left here is sleeping until one of
//! them hands the reply over, or the deadline passes, and then leaving the other keys'
//! queues, so nothing stays behind when a wait ends by any route (served, timed out, or a
//! future dropped).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use super::timers::{Due, TimerId, Timers};
use crate::commands::blocking::{Attempt, attempt};
use crate::commands::{Spec, flag, lookup};
use crate::error::msg;
use crate::keyspace::waits::{Outcome, Waiter};
use crate::reply::Reply;
use crate::shared::Shared;
use crate::sync::Arc;

/// Runs a blocking command on the calling thread: pops at once if it can, else sleeps (no
/// polling) until served or timed out.
pub(crate) fn run(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> Reply {
    match attempt(shared, spec, args) {
        Attempt::Done(reply) => reply,
        Attempt::Blocked {
            waiter,
            deadline,
            nothing,
        } => {
            let _counted = Counted::new(shared);
            let outcome = wait(&shared.events.timers, &waiter, deadline);
            finish(shared, &waiter, outcome, nothing)
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
fn finish(shared: &Shared, waiter: &Waiter, outcome: Outcome, nothing: Reply) -> Reply {
    let (reply, served_by) = match outcome {
        Outcome::Served(reply, at) => (reply, Some(at)),
        Outcome::TimedOut => (nothing, None),
    };
    leave(shared, waiter, served_by);
    reply
}

/// Removes `waiter` from its keys' queues (the serving key already removed it), one shard
/// lock at a time.
fn leave(shared: &Shared, waiter: &Waiter, skip: Option<usize>) {
    let ks = &shared.keyspace;
    for (i, key) in waiter.keys.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        let shard = ks.shard_of(ks.hkey(key).hash);
        ks.shard(shard).write().waits.remove(key, waiter.seq);
    }
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
    argv: Vec<Vec<u8>>,
    state: State,
}

impl BlockingCall {
    pub(crate) fn new(shared: std::sync::Arc<Shared>, argv: Vec<Vec<u8>>) -> BlockingCall {
        BlockingCall {
            shared,
            argv,
            state: State::Start,
        }
    }

    fn start(&mut self) -> Poll<Reply> {
        let argv: Vec<&[u8]> = self.argv.iter().map(Vec::as_slice).collect();
        let Some(spec) = argv.first().and_then(|name| lookup(name)) else {
            let name = argv.first().copied().unwrap_or_default();
            let rest = argv.get(1..).unwrap_or_default();
            return Poll::Ready(Reply::error(msg::unknown_command(name, rest)));
        };
        if !spec.arity_ok(argv.len()) {
            return Poll::Ready(Reply::error(msg::arity(spec.name)));
        }
        if !spec.has(flag::BLOCKING) {
            return Poll::Ready(self.shared.run(spec, &argv));
        }
        match attempt(&self.shared, spec, &argv) {
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
        leave(&self.shared, &waiter, served_by);
        outcome.map(|o| match o {
            Outcome::Served(reply, _) => reply,
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
