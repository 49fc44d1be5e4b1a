//! A connection's WATCH set: each key with its shard and the version seen at WATCH time.

use crate::keyspace::HKey;
use crate::store::Shared;
use crate::types::{Bytes, bytes};

/// One watched key. The shard keeps a watcher count on the key (a tombstone if the key is
/// missing) until [`release_all`] runs, so the version stays checkable however the key
/// changes: created, deleted, created again.
#[derive(Debug)]
pub(crate) struct Watched {
    pub(crate) key: Bytes,
    pub(crate) hash: u64,
    pub(crate) shard: usize,
    pub(crate) version: u64,
}

impl Watched {
    pub(crate) fn hkey(&self) -> HKey<'_> {
        HKey {
            bytes: &self.key,
            hash: self.hash,
        }
    }
}

/// Watches `key` unless already watched. Takes the key's shard write lock briefly.
pub(crate) fn watch(shared: &Shared, set: &mut Vec<Watched>, key: &[u8]) {
    let ks = &shared.keyspace;
    let hk = ks.hkey(key);
    if set.iter().any(|w| w.hash == hk.hash && w.key[..] == *key) {
        return;
    }
    let shard = ks.shard_of(hk.hash);
    let mut guard = ks.shard(shard).write();
    let version = guard.watch(hk, shared.now());
    drop(guard);
    set.push(Watched {
        key: bytes(key),
        hash: hk.hash,
        shard,
        version,
    });
}

/// Forgets every watch, releasing the shards' watcher counts (and tombstones).
pub(crate) fn release_all(shared: &Shared, set: &mut Vec<Watched>) {
    for w in set.drain(..) {
        shared.keyspace.shard(w.shard).write().unwatch(w.hkey());
    }
}
