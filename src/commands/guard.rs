//! The never-panics promise, kept where command code runs.
//!
//! Every public entry point (`execute`, the typed methods of `Store` and `Connection`,
//! `Script::invoke`, `transaction`) reaches command code through [`super::run`], EXEC's
//! queue or a connection's dispatch, and each of those runs it inside [`reply_on_panic`]. A
//! panic there is a bug in a command; in an in-process store it would unwind into the
//! caller's thread (or abort it), so it becomes an error reply instead.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::reply::Reply;

/// The reply of a command that panicked.
pub(crate) const PANICKED: &str = "ERR internal error: command panicked";

/// Runs `f`, turning a panic into the [`PANICKED`] error reply. Unwind safety holds in
/// the sense that matters here: shard locks are guards, released during the unwind, and
/// parking_lot locks are never poisoned, so the store stays usable; what the command wrote
/// before it panicked stays written, as any partly run command's writes would.
pub(crate) fn reply_on_panic(f: impl FnOnce() -> Reply) -> Reply {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Reply::error(PANICKED))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{self, Ctx, ONE, Res, Spec, W, data};

    /// A command with a bug, reachable only from this test (no public way to panic).
    fn buggy(_: &mut Ctx, _: &[&[u8]]) -> Res {
        panic!("a bug in a command")
    }

    static BUGGY: Spec = data("buggy", 2, W, ONE, buggy);

    #[test]
    fn a_panicking_command_replies_an_error_and_releases_its_locks() {
        let store = crate::Store::new();
        let reply = commands::run(&store.shared, &BUGGY, &[b"buggy".as_slice(), b"k"]);
        assert_eq!(reply, Reply::error(PANICKED));
        // Its shard's write lock was released: the same key can be written again.
        assert_eq!(store.execute(["SET", "k", "v"]), Reply::ok());
    }
}
