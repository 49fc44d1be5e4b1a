//! FUNCTION's row, with the two subcommands that need the RDB codec: FUNCTION DUMP (every
//! library as one payload, Redis 7.0's format) and FUNCTION RESTORE payload
//! [FLUSH|APPEND|REPLACE]. The other subcommands are the script layer's.

use crate::commands::Spec;
use crate::commands::budget;
use crate::commands::ctx::{Ctx, Res, err};
use crate::commands::parse::is;
use crate::error::msg;
use crate::reply::Reply;
use crate::script::functions::commands::{function, function_row};
use crate::script::functions::restore::{self, Policy};

use super::rdb;

pub(crate) const COMMANDS: &[Spec] = &[function_row(run)];

fn run(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if is(a[1], "DUMP") {
        if a.len() != 2 {
            return err(msg::arity("function|dump"));
        }
        return dump(ctx);
    }
    if is(a[1], "RESTORE") {
        if a.len() < 3 {
            return err(msg::arity("function|restore"));
        }
        return restore_payload(ctx, a);
    }
    function(ctx, a)
}

/// The payload, bounded like any reply.
fn dump(ctx: &mut Ctx) -> Res {
    let libs = restore::codes(ctx.shared);
    let size = libs.iter().map(|l| l.code.len() + 10).sum::<usize>() + 10;
    budget::check(ctx, budget::ELEMENT.saturating_add(size))?;
    Ok(Reply::bulk(rdb::functions::dump(
        libs.iter().map(|l| &*l.code),
    )))
}

/// Redis's order: the argument count, the policy, the payload's footer and entries, then
/// the libraries themselves. A restore that changed the libraries replays as written.
fn restore_payload(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() > 4 {
        return Err(Reply::error(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try FUNCTION HELP.",
            String::from_utf8_lossy(a[1])
        )));
    }
    let policy = match a.get(3) {
        None => Policy::Append,
        Some(p) if is(p, "APPEND") => Policy::Append,
        Some(p) if is(p, "REPLACE") => Policy::Replace,
        Some(p) if is(p, "FLUSH") => Policy::Flush,
        Some(_) => {
            return err(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            );
        }
    };
    let codes = rdb::functions::restore(a[2]).map_err(Reply::error)?;
    restore::restore(ctx.shared, &codes, policy).map_err(Reply::error)?;
    ctx.replay(a.iter().copied());
    Ok(Reply::ok())
}
