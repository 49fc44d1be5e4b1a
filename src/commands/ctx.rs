//! [`Ctx`]: a command's view of the keyspace through the shard locks it holds.

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::clock::Now;
use crate::error::msg;
use crate::keyspace::locks::Locks;
use crate::keyspace::{Entry, EntryMut, HKey, Shard};
use crate::reply::Reply;
use crate::store::Shared;
use crate::types::Value;

/// A handler's result: the reply, or an error reply to send instead.
pub(crate) type Res<T = Reply> = Result<T, Reply>;

/// An error reply with the given text.
pub(crate) fn err<T>(text: impl Into<Cow<'static, str>>) -> Res<T> {
    Err(Reply::error(text))
}

/// The WRONGTYPE error reply.
pub(crate) fn wrongtype() -> Reply {
    Reply::error(msg::WRONGTYPE)
}

/// Hashes computed while planning a command's locks, keyed by the argument's address and
/// length, so the handler's lookups reuse them.
pub(crate) type KeyHashes = SmallVec<[(usize, usize, u64); 4]>;

/// The cache entry for a hashed key.
pub(crate) fn remembered(k: HKey<'_>) -> (usize, usize, u64) {
    (k.bytes.as_ptr() as usize, k.bytes.len(), k.hash)
}

const NOT_LOCKED: &str = "ERR internal error: key outside the locks of this command";

/// What a running command sees: the store, the shard locks held for it, and the frozen time.
///
/// Lookups reuse the hashes computed while planning the locks (matched by the argument's
/// address), so a key is hashed once per command.
pub(crate) struct Ctx<'a, 'l> {
    pub(crate) shared: &'a Shared,
    locks: &'l mut Locks<'a>,
    /// Unix ms, read at most once and frozen for the command (or the whole EXEC / script).
    now: Now<'a>,
    hashes: KeyHashes,
    /// Bytes of reply already handed out under this context: an EXEC's queued replies share
    /// one `max_reply_bytes` bound (see `commands::budget`).
    replied: usize,
}

impl<'a, 'l> Ctx<'a, 'l> {
    pub(crate) fn new(
        shared: &'a Shared,
        locks: &'l mut Locks<'a>,
        now: Now<'a>,
        hashes: KeyHashes,
    ) -> Self {
        Ctx {
            shared,
            locks,
            now,
            hashes,
            replied: 0,
        }
    }

    /// How many bytes the next reply may still hold.
    pub(crate) fn reply_room(&self) -> usize {
        self.shared
            .config
            .max_reply_bytes
            .saturating_sub(self.replied)
    }

    /// Counts a reply handed out (EXEC does, for each queued command).
    pub(crate) fn add_replied(&mut self, bytes: usize) {
        self.replied = self.replied.saturating_add(bytes);
    }

    /// Replaces the remembered hashes (EXEC and scripts run many commands on one `Ctx`).
    pub(crate) fn remember(&mut self, keys: &[(usize, usize, u64)]) {
        self.hashes.clear();
        self.hashes.extend_from_slice(keys);
    }

    pub(crate) fn hkey<'k>(&self, key: &'k [u8]) -> HKey<'k> {
        let at = (key.as_ptr() as usize, key.len());
        match self.hashes.iter().find(|h| (h.0, h.1) == at) {
            Some(&(_, _, hash)) => HKey { bytes: key, hash },
            None => self.shared.keyspace.hkey(key),
        }
    }

    fn shard(&self, k: HKey<'_>) -> Res<&Shard> {
        let index = self.shared.keyspace.shard_of(k.hash);
        self.locks
            .get(index)
            .ok_or_else(|| Reply::error(NOT_LOCKED))
    }

    /// The key's shard, writable, with the command's time (split borrows of `self`).
    fn shard_mut(&mut self, k: HKey<'_>) -> Res<(&mut Shard, &Now<'a>)> {
        let index = self.shared.keyspace.shard_of(k.hash);
        match self.locks.get_mut(index) {
            Some(shard) => Ok((shard, &self.now)),
            None => Err(Reply::error(NOT_LOCKED)),
        }
    }

    /// Unix ms of this command, frozen: the clock is read at the first call only.
    pub(crate) fn now(&self) -> u64 {
        self.now.get()
    }

    /// The value of `key` if it exists now.
    pub(crate) fn get(&self, key: &[u8]) -> Res<Option<&Value>> {
        Ok(self.entry(key)?.and_then(|e| e.value.as_ref()))
    }

    /// The live entry of `key` (value, expiry).
    pub(crate) fn entry(&self, key: &[u8]) -> Res<Option<&Entry>> {
        let k = self.hkey(key);
        Ok(self.shard(k)?.get(k, &self.now))
    }

    /// Mutable access to `key` if it exists now (an expired key is deleted first).
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Res<Option<EntryMut<'_>>> {
        let k = self.hkey(key);
        let (shard, now) = self.shard_mut(k)?;
        Ok(shard.get_mut(k, now))
    }

    /// `key`, created with `make()` when missing; the flag says whether it was created.
    pub(crate) fn get_or_create(
        &mut self,
        key: &[u8],
        make: impl FnOnce() -> Value,
    ) -> Res<(EntryMut<'_>, bool)> {
        let k = self.hkey(key);
        let (shard, now) = self.shard_mut(k)?;
        Ok(shard.get_or_insert_with(k, now, make))
    }

    /// Stores `value` (expiry `expires_at`, 0 for none); returns the previous live value.
    pub(crate) fn set(&mut self, key: &[u8], value: Value, expires_at: u64) -> Res<Option<Value>> {
        let k = self.hkey(key);
        let (shard, now) = self.shard_mut(k)?;
        Ok(shard.insert(k, value, expires_at, now))
    }

    /// Deletes `key`; returns its value if it existed.
    pub(crate) fn remove(&mut self, key: &[u8]) -> Res<Option<Value>> {
        let k = self.hkey(key);
        let (shard, now) = self.shard_mut(k)?;
        Ok(shard.remove(k, now))
    }

    /// Deletes `key` if it holds an empty container (Redis never keeps empty aggregates).
    pub(crate) fn remove_if_empty(&mut self, key: &[u8]) -> Res<()> {
        if self.get(key)?.is_some_and(Value::is_empty_container) {
            self.remove(key)?;
        }
        Ok(())
    }

    /// The shard locks held (whole-keyspace commands iterate them).
    pub(crate) fn locks(&self) -> &Locks<'a> {
        self.locks
    }

    pub(crate) fn locks_mut(&mut self) -> &mut Locks<'a> {
        self.locks
    }
}
