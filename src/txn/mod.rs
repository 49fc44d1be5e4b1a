//! Client connections and optimistic transactions: WATCH, MULTI, EXEC, DISCARD, UNWATCH.

mod backoff;
mod client;
mod connection;
mod exec;
mod pubsub;
mod queue;
mod transaction;
mod watch;

pub use connection::Connection;
pub use exec::ExecOutcome;
pub use transaction::{Transaction, TxOptions};

use crate::commands::{ConnOp, Handler, Keys, Spec, flag};

/// A connection command's row; `Connection` runs the op.
const fn conn(name: &'static str, arity: i32, flags: u8, op: ConnOp) -> Spec {
    Spec {
        name,
        arity,
        flags: flags | flag::NOSCRIPT,
        keys: Keys::None,
        handler: Handler::Conn(op),
        plan: None,
        writes: None,
    }
}

pub(crate) const COMMANDS: &[Spec] = &[
    conn("multi", 1, flag::NOQUEUE, ConnOp::Multi),
    conn("exec", 1, flag::NOQUEUE, ConnOp::Exec),
    conn("discard", 1, flag::NOQUEUE, ConnOp::Discard),
    // WATCH names keys (the cluster lint checks they share a slot); it never plans locks.
    Spec {
        keys: crate::commands::ALL,
        ..conn("watch", -2, flag::NOQUEUE, ConnOp::Watch)
    },
    // UNWATCH inside MULTI is queued, like in Redis, and does nothing at EXEC time.
    conn("unwatch", 1, 0, ConnOp::Unwatch),
    conn("subscribe", -2, flag::NOQUEUE, ConnOp::Subscribe),
    conn("psubscribe", -2, flag::NOQUEUE, ConnOp::Psubscribe),
    conn("unsubscribe", -1, flag::NOQUEUE, ConnOp::Unsubscribe),
    conn("punsubscribe", -1, flag::NOQUEUE, ConnOp::Punsubscribe),
    conn("reset", 1, flag::NOQUEUE, ConnOp::Reset),
    conn("select", 2, 0, ConnOp::Select),
    // CLIENT and HELLO act on the connection at once, even inside MULTI (Redis would queue
    // them; at EXEC time a queued connection command could not reach its connection).
    conn(
        "client",
        -2,
        flag::NOQUEUE | flag::SUBCOMMANDS,
        ConnOp::Client,
    ),
    conn("hello", -1, flag::NOQUEUE, ConnOp::Hello),
];
