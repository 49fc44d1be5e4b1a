//! The one durable mark the keyspace knows, whichever log is current.
//!
//! `CONFIG SET appendonly` closes a log and starts another while the store runs, so what
//! callers owe (see `keyspace::locks::after_unlock`) cannot name a log: they owe the
//! store's hub, which forwards to the log in force. A new log numbers its records on from
//! where the closed one stopped, so a stamp left on a shard by the old log is already
//! below the new one's durable mark; with no log in force, everything that was ever
//! logged is on disk (closing a log writes and fsyncs all it was given).

use std::sync::Arc;

use parking_lot::RwLock;

use super::writer::Log;
use crate::keyspace::locks::Durable;

/// The store's durable mark, forwarded to the current log (see the module docs).
#[derive(Default)]
pub(crate) struct Hub {
    current: RwLock<Option<Arc<Log>>>,
}

impl Hub {
    /// Makes `log` the one waits go to (`None`: no log in force).
    pub(crate) fn set(&self, log: Option<Arc<Log>>) {
        *self.current.write() = log;
    }

    fn current(&self) -> Option<Arc<Log>> {
        self.current.read().clone()
    }
}

impl Durable for Hub {
    fn durable_below(&self) -> u64 {
        self.current
            .read()
            .as_ref()
            .map_or(u64::MAX, |log| log.durable_below())
    }

    fn wait_durable(&self, below: u64) -> Result<(), String> {
        match self.current() {
            Some(log) => log.wait_durable(below),
            None => Ok(()),
        }
    }
}
