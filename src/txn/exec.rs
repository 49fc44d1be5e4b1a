//! EXEC as one atomic step: lock, check the watched versions, run the queue, unlock.

use smallvec::SmallVec;

use super::queue::Queue;
use super::watch::WatchSet;
use crate::commands::{self, ConnOp, Ctx, Handler, KeyHashes, Spec, budget, guard};
use crate::error::Error;
use crate::keyspace::locks::Plan;
use crate::reply::Reply;
use crate::shared::Shared;

/// What EXEC did: ran the queue, or aborted because a watched key changed.
///
/// This is what the null reply of Redis's EXEC means, as its own case rather than an
/// empty vector, which is what an empty committed transaction returns.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{ExecOutcome, Reply, Store};
///
/// let store = Store::new();
/// let mut conn = store.connection();
/// conn.execute(["WATCH", "k"]);
/// store.set("k", 1)?; // someone else writes k
/// conn.execute(["MULTI"]);
/// conn.execute(["SET", "k", "2"]);
/// assert_eq!(conn.exec()?, ExecOutcome::Aborted);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecOutcome {
    /// Every queued command ran; one reply each (errors included: no rollback).
    Committed(Vec<Reply>),
    /// A watched key was written (or expired) after WATCH; nothing ran.
    Aborted,
}

impl ExecOutcome {
    /// True when the queue ran.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::ExecOutcome;
    ///
    /// assert!(ExecOutcome::Committed(vec![]).is_committed());
    /// assert!(!ExecOutcome::Aborted.is_committed());
    /// ```
    #[must_use]
    pub fn is_committed(&self) -> bool {
        matches!(self, ExecOutcome::Committed(_))
    }
}

/// Runs the transaction. Locks the shards of every queued key and every watched key in
/// ascending order, checks the watches and runs the queue under those same locks at one
/// frozen time, so no write can land between the check and the first queued command.
/// Releases the watches before running the queue (queued writes never abort their own
/// EXEC) and before unlocking (no window where a released watch is still counted).
///
/// `db` is the connection's database: the queue starts there, a queued SELECT moves the
/// rest of it (planned and run in the database it names), and the connection ends in the
/// last one selected, as in Redis.
pub(crate) fn commit(
    shared: &Shared,
    db: &mut usize,
    watches: &mut WatchSet,
    queue: &Queue,
) -> Result<ExecOutcome, Error> {
    crate::keyspace::locks::after_unlock::forget_failure();
    let ks = &shared.keyspace;
    let mut plan = Plan::at(ks.base(*db));
    // Every queued key's hash, flat; `ends[i]` closes command i's run. Hashed once here and
    // reused by the handlers through `Ctx::remember`.
    let mut hashes = KeyHashes::new();
    let mut ends: SmallVec<[usize; 8]> = SmallVec::new();
    for (spec, argv) in queue.iter() {
        if let Some(Ok(to)) = selected(shared, spec, &argv) {
            plan.set_base(ks.base(to));
        }
        commands::plan_keys(shared, spec, &argv, &mut plan, &mut hashes);
        ends.push(hashes.len());
    }
    for w in watches.iter() {
        plan.add_global(w.shard, true);
    }
    let mut locks = shared.keyspace.lock(&plan);
    let now = shared.lazy_now();
    let intact = watches.iter().all(|w| {
        locks
            .get(w.shard)
            .is_some_and(|s| s.watch_intact(w.hkey(), w.version, &now))
    });
    for w in watches.drain() {
        if let Some(shard) = locks.get_mut(w.shard) {
            shard.unwatch(w.hkey());
        }
    }
    if !intact {
        drop(locks);
        return lost_or(ExecOutcome::Aborted);
    }
    let mut ctx = Ctx::new(shared, &mut locks, now, KeyHashes::new(), *db);
    ctx.set_atomic();
    let mut replies = Vec::with_capacity(queue.len());
    let mut start = 0;
    for ((spec, argv), &end) in queue.iter().zip(&ends) {
        ctx.remember(&hashes[start..end]);
        start = end;
        replies.push(run_metered(&mut ctx, spec, &argv));
        ctx.end_command(&argv);
    }
    *db = ctx.db();
    // The whole EXEC is one batch, handed on before any of its locks drop.
    let reap = ctx.finish();
    drop(locks);
    reap.run(shared);
    lost_or(ExecOutcome::Committed(replies))
}

/// `outcome`, unless the wait for the log the EXEC owed (its writes, or writes its replies
/// show, under `Fsync::Always`) failed: then Redis's MISCONF error, as the queue's effects
/// may be lost.
fn lost_or(outcome: ExecOutcome) -> Result<ExecOutcome, Error> {
    match crate::persist::misconf::lost() {
        None => Ok(outcome),
        Some(text) => Err(Error::Reply(text)),
    }
}

/// Runs one queued command within what the EXEC's earlier replies left of
/// `max_reply_bytes`. Handlers check their own replies against that room before they build
/// them; a reply that still does not fit is replaced by the error, so the EXEC reply as a
/// whole stays bounded.
fn run_metered(ctx: &mut Ctx<'_, '_>, spec: &Spec, argv: &[&[u8]]) -> Reply {
    let room = ctx.reply_room();
    let call = crate::commands::begin(ctx.shared, spec);
    ctx.count_lookups(!spec.is_write());
    let mut reply = run_queued(ctx, spec, argv);
    call.end(&reply);
    let mut size = budget::size(&reply);
    if size > room {
        reply = budget::too_large(ctx.shared.config.max_reply_bytes);
        size = budget::size(&reply);
    }
    ctx.add_replied(size);
    reply
}

fn run_queued(ctx: &mut Ctx<'_, '_>, spec: &Spec, argv: &[&[u8]]) -> Reply {
    match spec.handler {
        // A panicking command is one failed command of the EXEC (guard keeps the promise).
        Handler::Data(run) => guard::reply_on_panic(|| run(ctx, argv).unwrap_or_else(|e| e)),
        // A queued SELECT moves the rest of the EXEC to its database.
        Handler::Conn(ConnOp::Select) => match selected(ctx.shared, spec, argv) {
            Some(Ok(db)) => {
                ctx.select(db);
                Reply::ok()
            }
            Some(Err(e)) => e,
            None => Reply::ok(),
        },
        // UNWATCH is the other queueable connection command. EXEC has already unwatched,
        // so it does nothing but reply OK (Redis decides "touched" before running the
        // queue).
        Handler::Conn(_) => Reply::ok(),
    }
}

/// The database a queued SELECT names (or its error); `None` for any other command.
fn selected(shared: &Shared, spec: &Spec, argv: &[&[u8]]) -> Option<Result<usize, Reply>> {
    match (spec.handler, argv.get(1)) {
        (Handler::Conn(ConnOp::Select), Some(index)) => {
            Some(commands::databases::select_index(shared, index))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::guard::PANICKED;
    use crate::commands::{ONE, Res, W, data};

    /// A command with a bug, reachable only from this test (no public way to panic).
    fn buggy(_: &mut Ctx, _: &[&[u8]]) -> Res {
        panic!("a bug in a command")
    }

    static BUGGY: Spec = data("buggy", 2, W, ONE, buggy);

    #[test]
    fn a_panicking_queued_command_is_one_failed_command_of_its_exec() {
        let store = crate::Store::new();
        let mut queue = Queue::default();
        queue.push(&BUGGY, &[b"buggy".as_slice(), b"k"]);
        let set = crate::registry::lookup(b"SET").expect("SET is in the table");
        queue.push(set, &[b"SET".as_slice(), b"k", b"v"]);
        let outcome = commit(&store.shared, &mut 0, &mut WatchSet::default(), &queue);
        let want = vec![Reply::error(PANICKED), Reply::ok()];
        assert_eq!(outcome, Ok(ExecOutcome::Committed(want)));
        // The locks were released after the EXEC: the key reads back.
        assert_eq!(store.execute(["GET", "k"]), Reply::bulk("v"));
    }
}
