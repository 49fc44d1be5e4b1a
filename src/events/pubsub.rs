//! [`PubSub`]: who listens on which channel or pattern (PUBLISH and PUBSUB are in
//! `commands::pubsub`).
//!
//! One registry per store behind one `RwLock`: publishing takes it for reading (publishers
//! run in parallel), subscribing for writing. A publish appends to each receiver's inbox
//! under that inbox's own mutex and never waits for a receiver: a full inbox is dropped
//! (see [`Subscriber`](crate::Subscriber)). The lock order is shard locks (a keyspace
//! notification publishes while its writer holds them), then this registry, then an inbox.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::subscriber::{Inbox, Message};
// The glob matcher is a leaf (it imports nothing): KEYS and channel patterns share it.
use crate::commands::glob;
use crate::sync::{Arc, AtomicU64, Ordering, RwLock};
use crate::types::Bytes;

type Receivers = IndexMap<u64, Arc<Inbox>>;

#[derive(Default)]
struct Registry {
    channels: HashMap<Bytes, Receivers>,
    /// In subscription order, so PUBLISH meets patterns in a stable order.
    patterns: IndexMap<Bytes, Receivers>,
}

/// One store's pub/sub state.
pub(crate) struct PubSub {
    registry: RwLock<Registry>,
    next_inbox: AtomicU64,
    /// Bytes each subscriber may have waiting.
    limit: usize,
}

impl PubSub {
    pub(crate) fn new(limit: usize) -> PubSub {
        PubSub {
            registry: RwLock::new(Registry::default()),
            next_inbox: AtomicU64::new(1),
            limit,
        }
    }

    pub(crate) fn new_inbox(&self) -> Inbox {
        Inbox::new(self.next_inbox.fetch_add(1, Ordering::Relaxed), self.limit)
    }

    pub(crate) fn subscribe(&self, channel: &[u8], inbox: &Arc<Inbox>) {
        let mut r = self.registry.write();
        let receivers = r.channels.entry(Bytes::from_slice(channel)).or_default();
        receivers.insert(inbox.id, inbox.clone());
    }

    pub(crate) fn psubscribe(&self, pattern: &[u8], inbox: &Arc<Inbox>) {
        let mut r = self.registry.write();
        let receivers = r.patterns.entry(Bytes::from_slice(pattern)).or_default();
        receivers.insert(inbox.id, inbox.clone());
    }

    pub(crate) fn unsubscribe(&self, channel: &[u8], id: u64) {
        let mut r = self.registry.write();
        if let Some(receivers) = r.channels.get_mut(channel) {
            receivers.swap_remove(&id);
            // An empty channel is forgotten: memory follows who listens now.
            if receivers.is_empty() {
                r.channels.remove(channel);
            }
        }
    }

    pub(crate) fn punsubscribe(&self, pattern: &[u8], id: u64) {
        let mut r = self.registry.write();
        if let Some(receivers) = r.patterns.get_mut(pattern) {
            receivers.swap_remove(&id);
            if receivers.is_empty() {
                r.patterns.shift_remove(pattern);
            }
        }
    }

    /// Delivers `payload` to the channel's subscribers, then to each matching pattern's;
    /// returns how many deliveries were made (Redis's PUBLISH reply: a subscriber reached
    /// through a channel and two patterns counts three times).
    pub(crate) fn publish(&self, channel: &[u8], payload: &[u8]) -> usize {
        let r = self.registry.read();
        let direct = r.channels.get(channel);
        let any_pattern = !r.patterns.is_empty();
        if direct.is_none() && !any_pattern {
            return 0;
        }
        let channel: std::sync::Arc<[u8]> = channel.into();
        let payload: std::sync::Arc<[u8]> = payload.into();
        let mut delivered = 0;
        let mut overflowed = Vec::new();
        let mut send = |inbox: &Arc<Inbox>, msg: Message| {
            if inbox.push(msg) {
                delivered += 1;
            } else if inbox.overflowed() {
                overflowed.push(inbox.clone());
            }
        };
        for inbox in direct.into_iter().flat_map(IndexMap::values) {
            send(inbox, Message::new(channel.clone(), None, payload.clone()));
        }
        for (pattern, receivers) in &r.patterns {
            if !glob::matches(pattern, &channel) {
                continue;
            }
            let pattern: std::sync::Arc<[u8]> = pattern[..].into();
            for inbox in receivers.values() {
                let msg = Message::new(channel.clone(), Some(pattern.clone()), payload.clone());
                send(inbox, msg);
            }
        }
        drop(r);
        if !overflowed.is_empty() {
            self.drop_inboxes(&overflowed);
        }
        delivered
    }

    /// Removes disconnected (overflowed) subscribers from every channel and pattern.
    fn drop_inboxes(&self, gone: &[Arc<Inbox>]) {
        let mut r = self.registry.write();
        let ids: Vec<u64> = gone.iter().map(|i| i.id).collect();
        let prune = |m: &mut Receivers| ids.iter().for_each(|id| drop(m.swap_remove(id)));
        r.channels.values_mut().for_each(prune);
        r.channels.retain(|_, m| !m.is_empty());
        r.patterns.values_mut().for_each(prune);
        r.patterns.retain(|_, m| !m.is_empty());
    }

    /// The store is gone: every subscriber is told.
    pub(crate) fn close(&self) {
        let r = self.registry.read();
        let all = r.channels.values().chain(r.patterns.values());
        for inbox in all.flat_map(IndexMap::values) {
            inbox.close();
        }
    }

    /// The channels with at least one subscriber, matching `pattern` if given.
    pub(crate) fn channels_matching(&self, pattern: Option<&[u8]>) -> Vec<Bytes> {
        let r = self.registry.read();
        r.channels
            .keys()
            .filter(|c| pattern.is_none_or(|p| glob::matches(p, c)))
            .cloned()
            .collect()
    }

    pub(crate) fn numsub(&self, channel: &[u8]) -> usize {
        self.registry
            .read()
            .channels
            .get(channel)
            .map_or(0, IndexMap::len)
    }

    pub(crate) fn numpat(&self) -> usize {
        self.registry.read().patterns.len()
    }
}
