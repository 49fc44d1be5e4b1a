//! The registry of a store's live connections, for CLIENT LIST / INFO / KILL and INFO's
//! `connected_clients`.
//!
//! Each registered connection owns an `Arc<Client>`; the registry keeps a `Weak` to it,
//! inserted when the connection is made and removed when it drops, under one mutex. The
//! command path never takes that mutex: a connection reads only its own `Client` (one
//! relaxed load per command, to see whether it was killed).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Weak};
use std::time::Instant;

use parking_lot::Mutex;

/// Client ids, unique in the process and never reused, as Redis's.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// What other connections may see of, or do to, one connection.
#[derive(Debug)]
pub(crate) struct Client {
    pub(crate) id: u64,
    pub(crate) created: Instant,
    name: Mutex<Option<Box<str>>>,
    /// Set by CLIENT KILL; the connection notices on its next call.
    killed: AtomicBool,
    pub(crate) no_evict: AtomicBool,
    pub(crate) no_touch: AtomicBool,
}

impl Client {
    fn new() -> Client {
        Client {
            id: NEXT_ID.fetch_add(1, Relaxed),
            created: Instant::now(),
            name: Mutex::new(None),
            killed: AtomicBool::new(false),
            no_evict: AtomicBool::new(false),
            no_touch: AtomicBool::new(false),
        }
    }

    pub(crate) fn name(&self) -> Option<Box<str>> {
        self.name.lock().clone()
    }

    pub(crate) fn set_name(&self, name: Option<Box<str>>) {
        *self.name.lock() = name;
    }

    /// Whether CLIENT KILL hit this connection since it last looked; clears the mark.
    #[inline]
    pub(crate) fn take_killed(&self) -> bool {
        self.killed.load(Relaxed) && self.killed.swap(false, Relaxed)
    }

    /// The address CLIENT LIST shows and CLIENT KILL ADDR matches: there is no socket, so
    /// it names the connection (`inproc:<id>`).
    pub(crate) fn addr(&self) -> String {
        format!("inproc:{}", self.id)
    }
}

/// The live connections of one store, by id.
#[derive(Default)]
pub(crate) struct Clients {
    live: Mutex<BTreeMap<u64, Weak<Client>>>,
}

impl Clients {
    /// A new connection's handle, registered so CLIENT LIST and KILL can see it.
    pub(crate) fn register(&self) -> Arc<Client> {
        let client = Arc::new(Client::new());
        self.live.lock().insert(client.id, Arc::downgrade(&client));
        client
    }

    /// A handle for a connection that lives for one call (`Store::execute`): it gets an id
    /// but is never listed, so one-off calls take no lock.
    pub(crate) fn unlisted() -> Arc<Client> {
        Arc::new(Client::new())
    }

    /// The connection dropped.
    pub(crate) fn unregister(&self, id: u64) {
        self.live.lock().remove(&id);
    }

    /// The live connections, in id order.
    pub(crate) fn list(&self) -> Vec<Arc<Client>> {
        self.live
            .lock()
            .values()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// How many connections are registered.
    pub(crate) fn count(&self) -> usize {
        self.live.lock().len()
    }

    /// Marks every connection `pick` selects as killed; returns how many.
    pub(crate) fn kill(&self, mut pick: impl FnMut(&Client) -> bool) -> usize {
        let mut n = 0;
        for c in self.list() {
            if pick(&c) {
                c.killed.store(true, Relaxed);
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_connection_leaves_the_list() {
        let clients = Clients::default();
        let a = clients.register();
        let b = clients.register();
        assert_eq!(clients.count(), 2);
        clients.unregister(a.id);
        let ids: Vec<u64> = clients.list().iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![b.id]);
    }

    #[test]
    fn a_kill_is_seen_once() {
        let clients = Clients::default();
        let a = clients.register();
        assert_eq!(clients.kill(|c| c.id == a.id), 1);
        assert!(a.take_killed());
        assert!(!a.take_killed());
    }
}
