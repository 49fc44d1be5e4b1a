//! BGREWRITEAOF's row.

use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::{Keys, Spec, data as spec, flag};
use crate::reply::Reply;
use crate::sync::Ordering;

pub(crate) const COMMANDS: &[Spec] = &[spec(
    "bgrewriteaof",
    1,
    flag::NOSCRIPT,
    Keys::None,
    bgrewriteaof,
)];

/// Starts a rewrite on its own thread, with Redis's replies.
fn bgrewriteaof(ctx: &mut Ctx, _: &[&[u8]]) -> Res {
    let Some(aof) = ctx.shared.aof.get() else {
        return err(super::not_on(ctx.shared));
    };
    // A SAVE or BGSAVE holding the one snapshot slot: the rewrite waits for it to end, and
    // Redis says so.
    let waits = ctx.shared.saves.snapshot_busy.load(Ordering::Acquire);
    match (aof.rewrite_in_background(), waits) {
        (true, false) => Ok(Reply::status(super::STARTED)),
        (true, true) => Ok(Reply::status(super::SCHEDULED)),
        (false, _) => err(super::IN_PROGRESS),
    }
}
