//! [`Listener`]s: who receives each [`Batch`].

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, Weak};

use crossbeam_utils::sync::ShardedLock;

use super::Batch;

/// Receives the effects of every write: one [`Batch`] per command, EXEC or script.
///
/// `on_batch` runs on the writer's thread while the writer still holds the shard locks of
/// the keys it wrote, so batches that touch the same keys arrive in the order they took
/// effect. Keep it short, and never call the same store from it (that would wait on the
/// locks the caller holds).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use std::sync::{Arc, Mutex, PoisonError};
/// use redlite::{Batch, Listener, Store};
///
/// #[derive(Default)]
/// struct Log(Mutex<Vec<String>>);
///
/// impl Listener for Log {
///     fn on_batch(&self, batch: &Batch) {
///         let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
///         for e in batch.events() {
///             let key = String::from_utf8_lossy(e.key()).into_owned();
///             log.push(format!("{} {key}", e.event().name()));
///         }
///     }
/// }
///
/// let store = Store::new();
/// let log = Arc::new(Log::default());
/// let _subscription = store.listen(log.clone());
/// store.execute(["SET", "k", "v"]);
/// store.execute(["EXPIRE", "k", "10"]);
/// // `new` is Redis 7's event for a key being created.
/// let seen = log.0.lock().unwrap_or_else(PoisonError::into_inner);
/// assert_eq!(*seen, ["new k", "set k", "expire k"]);
/// # Ok(())
/// # }
/// ```
pub trait Listener: Send + Sync {
    /// Called once per command, EXEC or script that wrote something.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use redlite::{Batch, Listener, Store};
    ///
    /// struct Writes(AtomicUsize);
    /// impl Listener for Writes {
    ///     fn on_batch(&self, batch: &Batch) {
    ///         self.0.fetch_add(batch.events().len(), Ordering::Relaxed);
    ///     }
    /// }
    ///
    /// let store = Store::new();
    /// let writes = Arc::new(Writes(AtomicUsize::new(0)));
    /// let _subscription = store.listen(writes.clone());
    /// store.execute(["SADD", "s", "a", "b"]);
    /// assert_eq!(writes.0.load(Ordering::Relaxed), 2); // `new`, then one `sadd`
    /// ```
    fn on_batch(&self, batch: &Batch);
}

/// A listener, its id, and whether it reads key events (the log reads only commands).
type Entry = (u64, Arc<dyn Listener>, bool);

/// The listeners of one store. `active` lets writers skip recording with one relaxed load,
/// `events` skip the key events when only the log listens. The list is behind a sharded
/// lock: every write reads it, and a plain read-write lock's reader count would be one
/// cache line that every writing thread writes. Not modelled under loom: registration is
/// not part of any ordering the models check.
#[derive(Default)]
pub(crate) struct Listeners {
    list: ShardedLock<Vec<Entry>>,
    active: AtomicBool,
    events: AtomicBool,
    next_id: AtomicU64,
}

impl Listeners {
    /// True when at least one listener is registered.
    #[inline]
    pub(crate) fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// True when some listener reads key events.
    #[inline]
    pub(crate) fn want_events(&self) -> bool {
        self.events.load(Ordering::Relaxed)
    }

    pub(crate) fn add(&self, listener: Arc<dyn Listener>) -> u64 {
        self.add_with(listener, true)
    }

    /// Registers a listener that reads only [`Batch::commands`] (and the batch's flags),
    /// never its events: with no other listener, writes record no key events.
    pub(crate) fn add_commands_only(&self, listener: Arc<dyn Listener>) -> u64 {
        self.add_with(listener, false)
    }

    fn add_with(&self, listener: Arc<dyn Listener>, events: bool) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut list = self.list.write().unwrap_or_else(PoisonError::into_inner);
        list.push((id, listener, events));
        self.update(&list);
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        let mut list = self.list.write().unwrap_or_else(PoisonError::into_inner);
        list.retain(|(i, _, _)| *i != id);
        self.update(&list);
    }

    fn update(&self, list: &[Entry]) {
        let events = list.iter().any(|(_, _, e)| *e);
        self.events.store(events, Ordering::Release);
        self.active.store(!list.is_empty(), Ordering::Release);
    }

    /// Hands `batch` to every listener.
    pub(crate) fn deliver(&self, batch: &Batch) {
        // A listener panicking inside `on_batch` poisons nothing we rely on: the list is
        // only read here.
        let list = self.list.read().unwrap_or_else(PoisonError::into_inner);
        for (_, l, _) in list.iter() {
            l.on_batch(batch);
        }
    }
}

/// Keeps a [`Listener`] registered; dropping it unregisters the listener.
///
/// # Examples
///
/// See [`Listener`].
#[must_use = "dropping the subscription unregisters the listener"]
pub struct Subscription {
    pub(crate) store: Weak<crate::shared::Shared>,
    pub(crate) id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(shared) = self.store.upgrade() {
            shared.listeners.remove(self.id);
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
