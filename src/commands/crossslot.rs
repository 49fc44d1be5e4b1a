//! The cluster lint that `Config::cluster_mode(true)` turns on: what a Redis Cluster node
//! refuses because of where keys live.
//!
//! redlite is one process, so it never redirects anything; the lint only refuses what a
//! cluster would refuse for key placement, so that code tested against a store in this mode
//! does not meet `CROSSSLOT` on a real cluster:
//!
//! - the keys of one command, of one EXEC (every queued command's keys together) and the
//!   declared keys of one script must share a hash slot;
//! - a script's `redis::call` of a command whose keys do not share the slot fails;
//! - `SELECT` of any database but 0 fails.
//!
//! Watched keys are not part of EXEC's check, as on a cluster node (WATCH checks its own
//! keys as a command). Dispatch (connections, typed calls, `Store::transaction`), EXEC and
//! script calls consult it; with the mode off each check is one load of a flag.

use super::Spec;
use crate::shared::Shared;
use crate::slot::key_slot;

/// Redis Cluster's reply when the keys of one request hash to different slots.
pub(crate) const CROSSSLOT: &str = "CROSSSLOT Keys in request don't hash to the same slot";
/// `SELECT` of a database other than 0 on a cluster node.
pub(crate) const SELECT: &str = "ERR SELECT is not allowed in cluster mode";
/// What a cluster node's script gets from `redis.call` on keys of more than one slot
/// (Redis 7.0's `scriptVerifyClusterState`; the keys are then not all local to one node).
pub(crate) const SCRIPT_CALL: &str =
    "ERR Script attempted to access a non local key in a cluster node";

/// The one slot the keys seen so far hash to.
#[derive(Default)]
struct OneSlot {
    slot: Option<u16>,
    crossed: bool,
}

impl OneSlot {
    fn add(&mut self, key: &[u8]) {
        let slot = key_slot(key);
        match self.slot {
            None => self.slot = Some(slot),
            Some(s) if s != slot => self.crossed = true,
            Some(_) => {}
        }
    }

    fn add_keys(&mut self, spec: &Spec, argv: &[&[u8]]) {
        if !self.crossed {
            spec.for_each_key(argv, |key| self.add(key));
        }
    }
}

/// Whether the store lints at all; one load of a flag on every command otherwise.
pub(crate) fn enabled(shared: &Shared) -> bool {
    shared.config.cluster_mode
}

/// CROSSSLOT when cluster mode is on and the keys of this one command span slots (the
/// declared keys, for the EVAL family).
#[inline]
pub(crate) fn command(shared: &Shared, spec: &Spec, argv: &[&[u8]]) -> Result<(), &'static str> {
    if !enabled(shared) {
        return Ok(());
    }
    let mut one = OneSlot::default();
    one.add_keys(spec, argv);
    if one.crossed { Err(CROSSSLOT) } else { Ok(()) }
}

/// CROSSSLOT when cluster mode is on and the keys of every queued command of one EXEC,
/// taken together, span slots. A node checks this when EXEC arrives and then discards the
/// transaction.
pub(crate) fn exec<'s, 'a, I, A>(shared: &Shared, queue: I) -> Result<(), &'static str>
where
    I: IntoIterator<Item = (&'s Spec, A)>,
    A: AsRef<[&'a [u8]]>,
{
    if !enabled(shared) {
        return Ok(());
    }
    let mut one = OneSlot::default();
    for (spec, argv) in queue {
        one.add_keys(spec, argv.as_ref());
    }
    if one.crossed { Err(CROSSSLOT) } else { Ok(()) }
}

/// A script's `redis::call` of a command whose own keys span slots: a cluster node refuses
/// it with its "non local key" error.
pub(crate) fn script_call(
    shared: &Shared,
    spec: &Spec,
    argv: &[&[u8]],
) -> Result<(), &'static str> {
    command(shared, spec, argv).map_err(|_| SCRIPT_CALL)
}

/// `SELECT index` on a cluster node: only database 0 exists.
pub(crate) fn select(shared: &Shared, index: i64) -> Result<(), &'static str> {
    if enabled(shared) && index != 0 {
        return Err(SELECT);
    }
    Ok(())
}
