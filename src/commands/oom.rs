//! Admission under `maxmemory`: evict before a write, refuse what may grow memory when
//! nothing can go (Redis's `processCommand` OOM rules).

use super::{Keys, Spec, flag};
use crate::evict::{denyoom, perform};
use crate::shared::Shared;

/// Redis's `shared.oomerr`.
pub(crate) const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Whether `spec` with `args` may grow memory: a `denyoom` command, or a script that may
/// write (refused up front, as Redis refuses a script without `no-writes`).
pub(crate) fn may_grow(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> bool {
    denyoom::denies(spec.name)
        || (spec.keys == Keys::Script
            && spec.has(flag::MAY_WRITE)
            && super::writes(shared, spec, args))
}

/// Before a write runs, with no lock held: evicts while over the limit. False when still
/// over it (nothing could be evicted). One relaxed load when under the limit.
#[inline]
pub(crate) fn room(shared: &Shared) -> bool {
    if !perform::over_limit(&shared.memory, &shared.keyspace) {
        return true;
    }
    perform::make_room(
        &shared.memory,
        &shared.keyspace,
        &shared.listeners,
        shared.now(),
    )
}

/// The check of one command run on its own: `Err(OOM)` refuses it.
#[inline]
pub(crate) fn admit(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> Result<(), &'static str> {
    if (spec.is_write() || spec.has(flag::MAY_WRITE))
        && !room(shared)
        && may_grow(shared, spec, args)
    {
        return Err(OOM);
    }
    Ok(())
}
