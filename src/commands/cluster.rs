//! CLUSTER KEYSLOT: the one CLUSTER subcommand a single process can answer truthfully.

use super::crossslot as lint;
use super::ctx::{Ctx, Res, err};
use super::parse::is;
use super::{Keys, Spec, data as spec};
use crate::error::msg;
use crate::reply::Reply;
use crate::slot::key_slot;

pub(crate) const COMMANDS: &[Spec] = &[spec("cluster", -2, 0, Keys::None, cluster)];

/// Redis checks the subcommand and its arity before the command runs, so those errors come
/// first; then a server without cluster support refuses every subcommand.
fn cluster(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if !is(a[1], "KEYSLOT") {
        return err(msg::unknown_subcommand(a[1], "CLUSTER"));
    }
    if a.len() != 3 {
        return err(msg::arity("cluster|keyslot"));
    }
    if !lint::enabled(ctx.shared) {
        return err("ERR This instance has cluster support disabled");
    }
    Ok(Reply::Integer(i64::from(key_slot(a[2]))))
}
