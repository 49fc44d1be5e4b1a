//! A connection's WATCH set: each key with its shard and the version seen at WATCH time.

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
    let now = shared.lazy_now();
    if let Some(stamp) = guard.remove_expired(hk, &now) {
        // A key already stale at WATCH is reclaimed first: an effect like any expiry.
        let mut rec = Recorder::new(shared.listeners.active());
        let at = rec.mark();
        rec.expired(stamp, key, at);
        if let Some(batch) = rec.batch() {
            shared.listeners.deliver(batch);
        }
    }
    let version = guard.watch(hk);
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
    shrink(set);
}

/// Gives back the memory of a large, now empty, watch set: a connection that once watched
/// many keys holds only what it watches now.
pub(crate) fn shrink(set: &mut Vec<Watched>) {
    const KEEP: usize = 16;
    if set.is_empty() && set.capacity() > KEEP {
        *set = Vec::new();
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
