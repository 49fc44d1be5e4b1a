//! BGREWRITEAOF.

use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::{Keys, Spec, data as spec, flag};
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[spec(
    "bgrewriteaof",
    1,
    flag::NOSCRIPT,
    Keys::None,
    bgrewriteaof,
)];

/// Starts a rewrite on its own thread, with Redis's replies.
fn bgrewriteaof(ctx: &mut Ctx, _: &[&[u8]]) -> Res {
    let Some(p) = ctx.shared.persist.get() else {
        return err(super::NO_DIR);
    };
    let Some(aof) = &p.aof else {
        return err(super::NO_AOF);
    };
    if aof.rewrite_in_background() {
        Ok(Reply::status(super::aof::STARTED))
    } else {
        err(super::aof::IN_PROGRESS)
    }
}
