//! BGREWRITEAOF's row.

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
    let Some(aof) = ctx.shared.aof.get() else {
        return err(super::not_on(ctx.shared));
    };
    if aof.rewrite_in_background() {
        Ok(Reply::status(super::STARTED))
    } else {
        err(super::IN_PROGRESS)
    }
}
