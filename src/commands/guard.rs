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
/// `parking_lot` locks are never poisoned, so the store stays usable; what the command wrote
/// before it panicked stays written, as any partly run command's writes would.
#[inline]
pub(crate) fn reply_on_panic(f: impl FnOnce() -> Reply) -> Reply {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Reply::error(PANICKED))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::commands::{self, Ctx, ONE, Res, Spec, W, data};
    use crate::effects::{Batch, Listener, ev};
    use crate::types::{Value, bytes};

    /// A command with a bug, reachable only from this test (no public way to panic): it
    /// writes its key, then panics.
    fn buggy(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
        ctx.set(a[1], Value::Str(bytes(b"half")), 0, ev::SET)?;
        panic!("a bug in a command")
    }

    static BUGGY: Spec = data("buggy", 2, W, ONE, buggy);

    #[derive(Default)]
    struct Keys(Mutex<Vec<Vec<u8>>>);

    impl Listener for Keys {
        fn on_batch(&self, batch: &Batch) {
            let mut seen = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            seen.extend(batch.events().iter().map(|e| e.key().to_vec()));
        }
    }

    #[test]
    fn a_panicking_command_replies_an_error_and_releases_its_locks() {
        let store = crate::Store::new();
        let keys = Arc::new(Keys::default());
        let _subscription = store.listen(keys.clone());
        let reply = commands::run(&store.shared, &BUGGY, &[b"buggy".as_slice(), b"k"]);
        assert_eq!(reply, Reply::error(PANICKED));
        // What it wrote before the panic went down the effects path, as any write does.
        let seen = keys.0.lock().map(|v| v.clone()).unwrap_or_default();
        assert!(
            seen.iter().all(|k| k == b"k") && !seen.is_empty(),
            "{seen:?}"
        );
        // Its shard's write lock was released: the same key can be written again.
        assert_eq!(store.execute(["SET", "k", "v"]), Reply::ok());
        assert_eq!(store.execute(["GET", "k"]), Reply::bulk("v"));
    }
}
