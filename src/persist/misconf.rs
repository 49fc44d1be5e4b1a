//! Redis's MISCONF rule: while the store cannot persist what it is told, it refuses writes
//! instead of accepting data it would lose. Two causes, as in Redis's
//! `writeCommandsDeniedByDiskError`: the last background save failed while save rules are
//! in force and `stop-writes-on-bgsave-error` is on (cleared by the next successful save),
//! or the log's last write or fsync failed (cleared by the next one that succeeds).
//!
//! Refused: commands that write, scripts and functions that may write (up front, before
//! any lock), and PING (Redis's way of letting a health check see the failure). Reads,
//! and commands such as SAVE, BGSAVE and CONFIG SET that can end the condition, still run.

use crate::commands::{self, Spec, flag};
use crate::reply::Reply;
use crate::shared::Shared;
use crate::sync::Ordering;

/// Redis's `shared.bgsaveerr`.
pub(crate) const RDB_FAILED: &str = "MISCONF Redis is configured to save RDB snapshots, but \
     it's currently unable to persist to disk. Commands that may modify the data set are \
     disabled, because this instance is configured to report errors during writes if RDB \
     snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs \
     for details about the RDB error.";

/// The check before a command runs: `Err(text)` refuses it. One relaxed load while the
/// store persists normally.
#[inline]
pub(crate) fn admit(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> Result<(), String> {
    if !shared.saves.disk.refuse_writes.load(Ordering::Relaxed) || !refused(shared, spec, args) {
        return Ok(());
    }
    Err(text(shared))
}

/// Whether `spec` with `args` is one of the commands a disk error refuses.
pub(crate) fn refused(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> bool {
    spec.is_write()
        || spec.name == "ping"
        || (spec.has(flag::MAY_WRITE)
            && spec.name != "script"
            && commands::writes(shared, spec, args))
}

/// Whether writes are refused now.
pub(crate) fn active(shared: &Shared) -> bool {
    shared.saves.disk.refuse_writes.load(Ordering::Acquire)
}

/// The error text of the condition in force (the RDB one first, as Redis checks it first).
pub(crate) fn text(shared: &Shared) -> String {
    let saves = &shared.saves;
    if saves.stop_writes() && saves.bgsave_failed() && !saves.rules().is_empty() {
        return RDB_FAILED.to_owned();
    }
    aof_text(&aof_error(shared).unwrap_or_default())
}

/// Called when a call has released its last lock set: Redis's MISCONF error when a wait
/// for the log it owed failed (under `Fsync::Always` its write, or a write its reply
/// shows, may be lost), else `None`. One thread-local read when nothing failed.
#[inline]
pub(crate) fn lost() -> Option<String> {
    crate::keyspace::locks::after_unlock::take_failure().map(|why| aof_text(&why))
}

/// `reply`, or the MISCONF error that replaces it when the call's durability wait failed
/// (see [`lost`]).
#[inline]
pub(crate) fn unless_lost(reply: Reply) -> Reply {
    match lost() {
        None => reply,
        Some(text) => Reply::error(text),
    }
}

/// Redis's text for a failed write or fsync of the log.
fn aof_text(why: &str) -> String {
    format!("MISCONF Errors writing to the AOF file: {}", strerror(why))
}

/// The log's write or fsync error in force (INFO's `aof_last_write_status` is `err` then).
pub(crate) fn aof_error(shared: &Shared) -> Option<String> {
    if !shared.saves.disk.log_failing() {
        return None;
    }
    shared.aof.get().and_then(|a| a.log_error())
}

/// `io::Error`'s text without Rust's ` (os error N)` suffix: the words `strerror` prints.
fn strerror(text: &str) -> &str {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::strerror;

    #[test]
    fn strerror_drops_the_os_error_suffix_only() {
        assert_eq!(
            strerror("No space left on device (os error 28)"),
            "No space left on device"
        );
        assert_eq!(strerror("broken pipe"), "broken pipe");
    }
}
