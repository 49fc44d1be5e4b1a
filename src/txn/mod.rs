//! Client connections and optimistic transactions: WATCH, MULTI, EXEC, DISCARD, UNWATCH.

mod backoff;
mod connection;
mod exec;
mod queue;
mod transaction;
mod watch;

pub use connection::Connection;
pub use exec::ExecOutcome;
pub use transaction::{Transaction, TxOptions};

use crate::commands::{Handler, Keys, Spec, flag};

const fn conn(
    name: &'static str,
    arity: i32,
    flags: u8,
    run: fn(&mut Connection, &[&[u8]]) -> crate::Reply,
) -> Spec {
    Spec {
        name,
        arity,
        flags: flags | flag::NOSCRIPT,
        keys: Keys::None,
        handler: Handler::Conn(run),
    }
}

pub(crate) const COMMANDS: &[Spec] = &[
    conn("multi", 1, flag::NOQUEUE, connection::multi),
    conn("exec", 1, flag::NOQUEUE, connection::exec),
    conn("discard", 1, flag::NOQUEUE, connection::discard),
    // WATCH names keys (the cluster lint checks they share a slot); it never plans locks.
    Spec {
        keys: crate::commands::ALL,
        ..conn("watch", -2, flag::NOQUEUE, connection::watch)
    },
    // UNWATCH inside MULTI is queued, like in Redis, and does nothing at EXEC time.
    conn("unwatch", 1, 0, connection::unwatch),
];
