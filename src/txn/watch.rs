//! A connection's WATCH set: each key with its shard and the version seen at WATCH time.

use std::collections::HashMap;

use smallvec::SmallVec;

use crate::effects::Recorder;
use crate::keyspace::HKey;
use crate::shared::Shared;
use crate::types::{Bytes, bytes};

/// One watched key. The shard keeps a watcher count on the key (a tombstone if the key is
/// missing) until [`release_all`] runs, so the version stays checkable however the key
/// changes: created, deleted, created again.
#[derive(Debug)]
pub(crate) struct Watched {
    pub(crate) key: Bytes,
    pub(crate) hash: u64,
    /// The key's shard by global index (its database included: see `Keyspace`).
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

/// A connection's watched keys, in WATCH order, with an index by hash once there are many,
/// so that watching N keys costs O(N), not O(N²) duplicate checks.
#[derive(Debug, Default)]
pub(crate) struct WatchSet {
    list: Vec<Watched>,
    /// Positions in `list` by key hash; built only past [`INDEX_FROM`] keys.
    index: HashMap<u64, SmallVec<[u32; 1]>, foldhash::fast::FixedState>,
}

/// Below this many keys a scan is cheaper than keeping an index.
const INDEX_FROM: usize = 16;

impl WatchSet {
    /// Whether `key` (its hash, its shard's global index: its database) is watched.
    fn contains(&self, shard: usize, hash: u64, key: &[u8]) -> bool {
        let same = |w: &Watched| w.shard == shard && w.hash == hash && w.key[..] == *key;
        if self.list.len() <= INDEX_FROM {
            return self.list.iter().any(same);
        }
        self.index.get(&hash).is_some_and(|at| {
            at.iter()
                .any(|&i| self.list.get(i as usize).is_some_and(same))
        })
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "u32 indexes cap a watch set below 2^32 keys (over 100 GiB of WATCH state)"
    )]
    fn push(&mut self, w: Watched) {
        self.list.push(w);
        if self.list.len() == INDEX_FROM + 1 {
            for (i, w) in self.list.iter().enumerate() {
                self.index.entry(w.hash).or_default().push(i as u32);
            }
        } else if self.list.len() > INDEX_FROM + 1 {
            let i = self.list.len() - 1;
            self.index
                .entry(self.list[i].hash)
                .or_default()
                .push(i as u32);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Watched> {
        self.list.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Watches the set has room for without growing (memory tests).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.list.capacity().max(self.index.capacity())
    }

    /// Takes every watch out (the caller releases them), leaving the set empty and, if it
    /// was large, its memory given back: a connection holds only what it watches now.
    pub(crate) fn drain(&mut self) -> Vec<Watched> {
        self.index = HashMap::default();
        std::mem::take(&mut self.list)
    }
}

/// Watches `key` of database `db` unless already watched. Takes the key's shard write
/// lock briefly.
pub(crate) fn watch(shared: &Shared, db: usize, set: &mut WatchSet, key: &[u8]) {
    let ks = &shared.keyspace;
    let hk = ks.hkey(key);
    let shard = ks.base(db) + ks.shard_of(hk.hash);
    if set.contains(shard, hk.hash, key) {
        return;
    }
    // Under `Fsync::Always` a reclaimed key's DEL is waited for once the guard drops.
    let owed = crate::keyspace::locks::after_unlock::Deferred::new();
    let mut guard = ks.shard(shard).write();
    let now = shared.lazy_now();
    if let Some(stamp) = guard.remove_expired(hk, &now) {
        // A key already stale at WATCH is reclaimed first: an effect like any expiry.
        let mut rec = Recorder::new(shared.listeners.active());
        rec.start_in(db);
        let at = rec.mark();
        rec.expired(stamp, key, at);
        if let Some(batch) = rec.batch() {
            shared.listeners.deliver(batch);
            crate::keyspace::locks::stamp_owed_on(&mut guard, ks);
        }
    }
    let version = guard.watch(hk);
    drop(guard);
    drop(owed);
    set.push(Watched {
        key: bytes(key),
        hash: hk.hash,
        shard,
        version,
    });
}

/// Forgets every watch, releasing the shards' watcher counts (and tombstones).
pub(crate) fn release_all(shared: &Shared, set: &mut WatchSet) {
    for w in set.drain() {
        shared.keyspace.shard(w.shard).write().unwatch(w.hkey());
    }
}

#[cfg(test)]
mod tests {
    use crate::{Config, Store};

    fn slots(store: &Store) -> usize {
        let ks = &store.shared.keyspace;
        (0..ks.shard_count())
            .map(|i| ks.shard(i).read().slots())
            .sum()
    }

    fn quiet_store() -> Store {
        Store::with_config(Config::default().active_expiry(false))
    }

    #[test]
    fn watching_missing_keys_holds_memory_only_while_watched() {
        let store = quiet_store();
        let mut c = store.connection();
        for round in 0..100 {
            let key = format!("missing:{round}");
            c.execute(["WATCH", key.as_str()]);
            assert_eq!(slots(&store), 1);
            c.execute(["UNWATCH"]);
            assert_eq!(slots(&store), 0);
        }
    }

    #[test]
    fn deleted_watched_keys_are_reclaimed_by_exec() {
        let store = quiet_store();
        let mut c = store.connection();
        for round in 0..50 {
            let key = format!("k:{round}");
            store.set(&key, 1).unwrap();
            c.execute(["WATCH", key.as_str()]);
            store.del(&[&key]).unwrap();
            c.execute(["MULTI"]);
            assert_eq!(c.execute(["EXEC"]), crate::Reply::NilArray);
            assert_eq!(slots(&store), 0);
        }
    }

    #[test]
    fn unwatch_gives_back_the_connections_watch_memory() {
        let store = quiet_store();
        let mut c = store.connection();
        let keys: Vec<String> = (0..5_000).map(|i| format!("k{i}")).collect();
        for round in 0..2 {
            let mut argv = vec!["WATCH"];
            argv.extend(keys.iter().map(String::as_str));
            c.execute(&argv);
            assert!(c.watches.capacity() >= 5_000);
            if round == 0 {
                c.execute(["UNWATCH"]);
            } else {
                c.execute(["MULTI"]);
                c.execute(["EXEC"]);
            }
            assert!(c.watches.capacity() <= 16, "{}", c.watches.capacity());
        }
    }

    #[test]
    fn watching_many_keys_with_repeats_keeps_each_key_once() {
        let store = quiet_store();
        let mut c = store.connection();
        let keys: Vec<String> = (0..1000).map(|i| format!("k{}", i % 400)).collect();
        let mut argv = vec!["WATCH".to_string()];
        argv.extend(keys.iter().cloned());
        c.execute(&argv);
        c.execute(&argv);
        assert_eq!(c.watches.len(), 400);
        assert_eq!(slots(&store), 400);
        c.execute(["UNWATCH"]);
        assert_eq!(slots(&store), 0);
    }

    #[test]
    fn dropping_a_connection_releases_its_watches() {
        let store = quiet_store();
        let mut c = store.connection();
        c.execute(["WATCH", "a", "b", "c"]);
        assert_eq!(slots(&store), 3);
        drop(c);
        assert_eq!(slots(&store), 0);
    }

    #[test]
    fn a_failed_transaction_releases_its_watches() {
        let store = quiet_store();
        let _ = store.transaction(&["a", "b"], |_| -> Result<(), crate::Error> {
            panic!("boom")
        });
        let _ = store.transaction(&["c"], |_| -> Result<(), crate::Error> {
            Err(crate::Error::Conversion("no".into()))
        });
        assert_eq!(slots(&store), 0);
    }
}
