//! Waiting and reacting: blocking pops, pub/sub and keyspace notifications.
//!
//! This layer sits on the effects path and below the commands: it holds state the
//! commands use. Blocking pops queue and are served under the keys' shard locks
//! (`keyspace::waits`, `commands::blocking`); here are their deadlines.
//!
//! - `pubsub`, `subscriber`: channels, patterns, [`Subscriber`] and its bounded inbox (the
//!   PUBLISH and PUBSUB commands are in `commands::pubsub`).
//! - `notify`: keyspace notifications, a [`Listener`](crate::Listener) of the effects path.
//! - `timers`: deadlines by the store's clock.

pub(crate) mod notify;
pub(crate) mod pubsub;
pub(crate) mod subscriber;
pub(crate) mod timers;

pub use subscriber::{Message, Messages, NextMessage, Subscriber};

use std::sync::atomic::AtomicUsize;

use self::notify::Notifier;
use self::pubsub::PubSub;
use self::timers::Timers;
use crate::clock::Clock;
use crate::effects::Listeners;

/// One store's waiting-and-reacting state (held by `Shared`).
pub(crate) struct Events {
    pub(crate) timers: std::sync::Arc<Timers>,
    pub(crate) pubsub: std::sync::Arc<PubSub>,
    /// Calls blocked right now.
    pub(crate) blocked: AtomicUsize,
    notifier: std::sync::Arc<Notifier>,
    /// The notifier's listener id while notifications are on.
    notifying: parking_lot::Mutex<Option<u64>>,
}

impl Events {
    pub(crate) fn new(clock: std::sync::Arc<dyn Clock>, pubsub_limit: usize) -> Events {
        let pubsub = std::sync::Arc::new(PubSub::new(pubsub_limit));
        Events {
            timers: Timers::new(clock),
            notifier: std::sync::Arc::new(Notifier::new(0, pubsub.clone())),
            pubsub,
            blocked: AtomicUsize::new(0),
            notifying: parking_lot::Mutex::new(None),
        }
    }

    /// Turns keyspace notifications to `flags` (Redis's class bits). The notifier listens
    /// on the effects path only while some class and channel kind are on, so with
    /// notifications off writes record nothing for it.
    pub(crate) fn set_notify(&self, listeners: &Listeners, flags: u32) {
        let mut id = self.notifying.lock();
        self.notifier
            .flags
            .store(flags, std::sync::atomic::Ordering::Relaxed);
        match (notify::publishes(flags), *id) {
            (true, None) => *id = Some(listeners.add(self.notifier.clone())),
            (false, Some(old)) => {
                listeners.remove(old);
                *id = None;
            }
            _ => {}
        }
    }

    /// The current `notify-keyspace-events` letters.
    pub(crate) fn notify_flags(&self) -> u32 {
        self.notifier
            .flags
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Events {
    /// The store is gone: the timer thread stops, subscribers hear that it closed.
    fn drop(&mut self) {
        self.timers.close();
        self.pubsub.close();
    }
}
