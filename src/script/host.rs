//! What a running script's `redis.call` talks to, whatever the engine.
//!
//! `redis.call` must reach the running script's command context, which borrows the shard
//! locks the run holds. Neither engine stores non-`'static` values, so the run lends its
//! context to a scoped thread-local for exactly the length of the run (no unsafe code here;
//! the `scoped-tls-hkt` crate scopes the borrow). The engines hold no per-run state.

use scoped_tls_hkt::{ReborrowMut, scoped_thread_local};

use crate::reply::Reply;

/// What a running script's `redis.call` talks to.
pub(crate) trait Host {
    /// Runs one command (argument 0 is the name) under the script's locks and rules.
    fn call(&mut self, argv: &[&[u8]]) -> Reply;
}

/// A lent `&mut dyn Host`, in the shape the scoped thread-local needs.
pub(crate) struct HostRef<'a>(pub(crate) &'a mut (dyn Host + 'a));

impl<'a> ReborrowMut<'a> for HostRef<'_> {
    type Result = HostRef<'a>;
    fn reborrow_mut(&'a mut self) -> HostRef<'a> {
        HostRef(&mut *self.0)
    }
}

scoped_thread_local!(static mut HOST: for<'a> HostRef<'a>);

/// Runs `f` (a script run) with `host` answering its `redis.call`s on this thread.
pub(crate) fn with_host<R>(host: &mut dyn Host, f: impl FnOnce() -> R) -> R {
    HOST.set(HostRef(host), f)
}

/// Runs one command for the script running on this thread; `None` when none is.
pub(crate) fn call(argv: &[&[u8]]) -> Option<Reply> {
    if HOST.is_set() {
        Some(HOST.with(|host| host.0.call(argv)))
    } else {
        None
    }
}
