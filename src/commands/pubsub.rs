//! PUBLISH and PUBSUB (the registry is `events::pubsub`; SUBSCRIBE and friends need a
//! connection and live in `txn::pubsub`).

use super::ctx::{Ctx, Res, err};
use super::parse::is;
use super::{Keys, Spec, data};
use crate::error::msg;
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[
    data("publish", 3, 0, Keys::None, publish),
    data("pubsub", -2, 0, Keys::None, pubsub),
];

fn publish(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let n = ctx.shared.events.pubsub.publish(a[1], a[2]);
    Ok(Reply::from_len(n))
}

/// PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT | HELP, with Redis 7's
/// subcommand errors (the arity of each subcommand is checked as its own command).
fn pubsub(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let ps = &ctx.shared.events.pubsub;
    let sub = a[1];
    let arity = |name: &str| err(msg::arity(&format!("pubsub|{name}")));
    if is(sub, "CHANNELS") {
        if a.len() > 3 {
            // CHANNELS's table arity admits any count; the command itself refuses extras.
            let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
            return err(format!(
                "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try PUBSUB HELP."
            ));
        }
        let found = ps.channels_matching(a.get(2).copied());
        return crate::commands::budget::bulks(ctx, found.iter());
    }
    if is(sub, "NUMSUB") {
        let mut out = Vec::with_capacity((a.len() - 2) * 2);
        for c in &a[2..] {
            out.push(Reply::bulk(c));
            out.push(Reply::from_len(ps.numsub(c)));
        }
        return Ok(Reply::Array(out));
    }
    if is(sub, "NUMPAT") {
        if a.len() != 2 {
            return arity("numpat");
        }
        return Ok(Reply::from_len(ps.numpat()));
    }
    if is(sub, "HELP") {
        if a.len() != 2 {
            return arity("help");
        }
        return Ok(Reply::Array(
            HELP.iter().map(|l| Reply::status(*l)).collect(),
        ));
    }
    err(msg::unknown_subcommand(sub, "PUBSUB"))
}

const HELP: &[&str] = &[
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "HELP",
    "    Print this help.",
];
