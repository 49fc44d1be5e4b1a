//! Serving blocked pops from the context of the write that made their key ready.

use super::serve_one;
use crate::commands::KeyHashes;
use crate::commands::ctx::Ctx;
use crate::keyspace::locks::Plan;
use crate::keyspace::waits::Pop;
use crate::shared::Shared;
use crate::types::Value;

/// Serves the blocked pops of every key this context made ready, in the order the keys
/// became ready (a pop that creates another waited key, BLMOVE's push, adds it at the end).
pub(crate) fn serve_ready(ctx: &mut Ctx) {
    let home = ctx.db();
    while let Some((db, key)) = ctx.take_ready() {
        // Waiters wait in the database of their key (SWAPDB, MOVE and EXEC reach several).
        ctx.select(db);
        serve_key(ctx, &key);
    }
    ctx.select(home);
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
pub(crate) fn serve_deferred(shared: &Shared, keys: Vec<(u32, Box<[u8]>)>) {
    let mut work: std::collections::VecDeque<(u32, Box<[u8]>)> = keys.into();
    while let Some((db, key)) = work.pop_front() {
        let ks = &shared.keyspace;
        let mut plan = Plan::at(ks.base(db as usize));
        let home = ks.shard_of(ks.hkey(&key).hash);
        plan.add(home, true);
        for dst in ks.shard(plan.base() + home).read().waits.move_targets(&key) {
            plan.add(ks.shard_of(ks.hkey(&dst).hash), true);
        }
        let mut locks = ks.lock(&plan);
        let mut ctx = Ctx::new(
            shared,
            &mut locks,
            shared.lazy_now(),
            KeyHashes::new(),
            db as usize,
        );
        serve_key(&mut ctx, &key);
        let reap = ctx.finish();
        drop(locks);
        work.extend(reap.run_expiry(shared));
    }
}
