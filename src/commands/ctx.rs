//! [`Ctx`]: a command's view of the keyspace through the shard locks it holds.

mod swap;

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;

use smallvec::SmallVec;

use crate::clock::Now;
use crate::effects::{Event, Recorder, ev};
use crate::error::msg;
use crate::keyspace::locks::Locks;
use crate::keyspace::waits::WaitTable;
use crate::keyspace::{Entry, EntryMut, HKey, Removed, Shard, Slot};
use crate::reply::Reply;
use crate::shared::Shared;
use crate::types::{Bytes, Value, bytes};

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

/// A key a read found expired: deleted at the end of the command (under a write lock it
/// holds) or just after (re-locking the shard for writing), so that once seen expired a key
/// stays deleted whatever the clock does later, as in Redis.
#[derive(Debug)]
pub(crate) struct SeenExpired {
    pub(crate) key: Bytes,
    pub(crate) hash: u64,
    /// The key's shard, by global index (its database included).
    shard: usize,
    /// Where in the batch the deletion belongs (before what the command did after it).
    at: (usize, usize),
}

/// Expired keys a context saw on shards it held only for reading.
#[must_use = "run the reap after dropping the locks"]
pub(crate) struct Reap {
    seen: Option<Vec<SeenExpired>>,
    now: u64,
    /// Keys whose blocked pops wait for a lock the context could not take in order.
    deferred: Option<Box<Deferred>>,
}

/// Ready keys left for after the unlock (rare: boxed, so `Reap` stays two words and a flag).
#[derive(Debug)]
pub(crate) struct Deferred(Vec<(u32, Box<[u8]>)>);

/// Keys seen expired: `seen` by the running command, `later` on read-locked shards.
#[derive(Debug, Default)]
struct Expiring {
    seen: Vec<SeenExpired>,
    later: Vec<SeenExpired>,
}

impl Reap {
    /// Deletes the keys, then serves deferred blocked pops; call it after the context's
    /// locks are dropped.
    #[inline]
    pub(crate) fn run(self, shared: &Shared) {
        if self.seen.is_some() || self.deferred.is_some() {
            self.run_slow(shared);
        }
    }

    #[cold]
    #[inline(never)]
    fn run_slow(self, shared: &Shared) {
        if let Some(seen) = self.seen {
            reap(shared, seen, self.now);
        }
        if let Some(deferred) = self.deferred {
            super::blocking::serve_deferred(shared, deferred.0);
        }
    }

    /// Runs the expiry half and hands back the deferred keys (the deferred serving loop
    /// runs them itself, without recursing).
    pub(crate) fn run_expiry(self, shared: &Shared) -> Vec<(u32, Box<[u8]>)> {
        if let Some(seen) = self.seen {
            reap(shared, seen, self.now);
        }
        self.deferred.map(|d| d.0).unwrap_or_default()
    }
}

/// Deletes keys that reads under read locks found expired, once those locks are gone: each
/// shard is write-locked in turn and the key deleted if it is still expired at the reading
/// command's time (`now`), so a later step back of the clock cannot revive it.
///
/// Under `Fsync::Always` the reading call owes the DEL (its reply says the key is gone):
/// the wait runs after the last shard lock here dropped, and the shard is stamped with it
/// for other readers. A DEL someone else logged first (the sweep) is owed the same way.
#[cold]
fn reap(shared: &Shared, seen: Vec<SeenExpired>, now: u64) {
    let now = Now::fixed(now);
    let ks = &shared.keyspace;
    let _owed = crate::keyspace::locks::after_unlock::Deferred::new();
    for s in seen {
        let k = HKey {
            bytes: &s.key,
            hash: s.hash,
        };
        let mut shard = ks.shard(s.shard).write();
        crate::keyspace::locks::owe_stamp_of(&shard, ks);
        let mut rec = Recorder::new(shared.listeners.active());
        rec.start_in(ks.db_of(s.shard));
        if let Some(stamp) = shard.remove_expired(k, &now) {
            let at = rec.mark();
            rec.expired(stamp, &s.key, at);
        }
        if let Some(batch) = rec.batch() {
            shared.listeners.deliver(batch);
            crate::keyspace::locks::stamp_owed_on(&mut shard, ks);
        }
        drop(shard);
    }
}

/// What a running command sees: the store, the shard locks held for it, and the frozen time.
///
/// Lookups reuse the hashes computed while planning the locks (matched by the argument's
/// address), so a key is hashed once per command. Every write goes through [`Recorder`],
/// the effects path: version stamps, events, replay forms.
pub(crate) struct Ctx<'a, 'l> {
    pub(crate) shared: &'a Shared,
    locks: &'l mut Locks<'a>,
    /// The global index of the first shard of the database the context works in (0 for
    /// database 0; see `Keyspace`).
    base: usize,
    /// Unix ms, read at most once and frozen for the command (or the whole EXEC / script).
    now: Now<'a>,
    hashes: KeyHashes,
    /// The remembered hash the next lookup most likely wants.
    next_hash: Cell<usize>,
    /// `ManuallyDrop`: [`Ctx::finish`] takes what it recorded out, so dropping the context
    /// on the hot path runs no drop code for it. (A context dropped without `finish`, by a
    /// panicking handler, leaks its batch; that only happens while something listens.)
    rec: ManuallyDrop<Recorder>,
    /// Expired keys found by reads (which see `&self`). Rare: boxed, so the context every
    /// command builds stays small and its drop is one null check.
    expiring: ManuallyDrop<RefCell<Option<Box<Expiring>>>>,
    /// Bytes of reply already handed out under this context: an EXEC's queued replies share
    /// one `max_reply_bytes` bound (see `commands::budget`).
    replied: usize,
    /// A value was opened for writing in place: its shard recounts it at the end.
    opened: bool,
    /// Whether reads count as keyspace hits and misses: Redis counts the lookups of
    /// commands that read (`lookupKeyRead`), not those of writes (`lookupKeyWrite`).
    count_lookups: bool,
}

/// A live key opened for writing. Its writes become visible to WATCH and to listeners only
/// through [`KeyMut::signal`].
pub(crate) struct KeyMut<'c> {
    entry: EntryMut<'c>,
    key: &'c [u8],
    rec: &'c mut Recorder,
}

impl KeyMut<'_> {
    pub(crate) fn value_mut(&mut self) -> &mut Value {
        self.entry.value_mut()
    }

    pub(crate) fn expires_at(&self) -> u64 {
        self.entry.expires_at()
    }

    pub(crate) fn set_expires_at(&mut self, at: u64) {
        self.entry.set_expires_at(at);
    }

    /// The write happened: a new version for WATCH, and `event` for listeners.
    pub(crate) fn signal(&mut self, event: Event) {
        self.rec.signal(self.entry.stamp(), self.key, event);
    }

    /// A write Redis signals to WATCH but publishes no event for (PFCOUNT storing its
    /// cached cardinality): a new version only.
    pub(crate) fn signal_quiet(&mut self) {
        self.rec.signal_quiet(self.entry.stamp());
    }
}

impl<'a, 'l> Ctx<'a, 'l> {
    /// A context working in database `db` (built in place: it is on every command's path).
    #[inline]
    pub(crate) fn new(
        shared: &'a Shared,
        locks: &'l mut Locks<'a>,
        now: Now<'a>,
        hashes: KeyHashes,
        db: usize,
    ) -> Self {
        let mut rec = Recorder::for_listeners(&shared.listeners);
        rec.start_in(db);
        Ctx {
            shared,
            locks,
            base: shared.keyspace.base(db),
            now,
            hashes,
            next_hash: Cell::new(0),
            rec: ManuallyDrop::new(rec),
            expiring: ManuallyDrop::new(RefCell::new(None)),
            replied: 0,
            opened: false,
            count_lookups: true,
        }
    }

    /// Works in database `db` from now on (a queued SELECT; MOVE's destination for a
    /// moment). The caller checked `db` against the store's database count.
    pub(crate) fn select(&mut self, db: usize) {
        self.base = self.shared.keyspace.base(db);
        self.rec.set_db(db);
    }

    /// The database the context works in.
    pub(crate) fn db(&self) -> usize {
        self.rec.db()
    }

    /// The global shard range of the context's database.
    fn db_range(&self) -> std::ops::Range<usize> {
        self.base..self.base + self.shared.keyspace.shard_count()
    }

    /// The shards of the context's database that it holds (whole-database commands
    /// lock them all).
    pub(crate) fn db_shards(&self) -> impl Iterator<Item = &Shard> {
        self.locks.iter_range(self.db_range())
    }

    /// Every shard the context holds, of any database (INFO, CONFIG RESETSTAT).
    pub(crate) fn held_shards(&self) -> impl Iterator<Item = &Shard> {
        self.locks.iter_range(0..usize::MAX)
    }

    /// The shards of database `db` the context holds.
    pub(crate) fn held_shards_in(&self, db: usize) -> impl Iterator<Item = &Shard> {
        let base = self.shared.keyspace.base(db);
        self.locks
            .iter_range(base..base + self.shared.keyspace.shard_count())
    }

    /// The held shards `a` and `b` (global indexes), both for writing.
    pub(crate) fn shard_pair(
        &mut self,
        a: usize,
        b: usize,
    ) -> Option<(&mut Shard, &mut Shard, &mut Recorder)> {
        let (x, y) = self.locks.pair_mut(a, b)?;
        Some((x, y, &mut self.rec))
    }

    /// Sets whether the next command's reads count as hits and misses (off for writes).
    #[inline]
    pub(crate) fn count_lookups(&mut self, on: bool) {
        self.count_lookups = on;
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
        self.next_hash.set(0);
    }

    /// The key with its remembered hash. Handlers look keys up in the order they were
    /// planned, so the next remembered slot is tried first: O(1) per key, which keeps
    /// commands with thousands of keys linear. Anything else scans, then hashes afresh.
    #[inline]
    pub(crate) fn hkey<'k>(&self, key: &'k [u8]) -> HKey<'k> {
        let at = (key.as_ptr() as usize, key.len());
        let next = self.next_hash.get();
        if let Some(&(p, l, hash)) = self.hashes.get(next) {
            if (p, l) == at {
                self.next_hash.set(next + 1);
                return HKey { bytes: key, hash };
            }
        }
        self.hkey_slow(key, at)
    }

    #[cold]
    fn hkey_slow<'k>(&self, key: &'k [u8], at: (usize, usize)) -> HKey<'k> {
        // Small sets only: a large one accessed out of order would make this quadratic.
        let found = (self.hashes.len() <= 16)
            .then(|| self.hashes.iter().position(|h| (h.0, h.1) == at))
            .flatten();
        match found {
            Some(i) => {
                self.next_hash.set(i + 1);
                HKey {
                    bytes: key,
                    hash: self.hashes[i].2,
                }
            }
            None => self.shared.keyspace.hkey(key),
        }
    }

    fn shard(&self, k: HKey<'_>) -> Res<&Shard> {
        let index = self.base + self.shared.keyspace.shard_of(k.hash);
        self.locks
            .get(index)
            .ok_or_else(|| Reply::error(NOT_LOCKED))
    }

    /// The key's shard, writable, with the command's time and recorder (split borrows).
    fn shard_mut(&mut self, k: HKey<'_>) -> Res<(&mut Shard, &Now<'a>, &mut Recorder)> {
        let index = self.base + self.shared.keyspace.shard_of(k.hash);
        match self.locks.get_mut(index) {
            Some(shard) => Ok((shard, &self.now, &mut self.rec)),
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

    /// The live entry of `key` (value, expiry). An expired key reads as missing, and is
    /// deleted when the command ends.
    pub(crate) fn entry(&self, key: &[u8]) -> Res<Option<&Entry>> {
        let k = self.hkey(key);
        let shard = self.shard(k)?;
        let found = shard.find(k).filter(|e| e.value.is_some());
        let live = match found {
            Some(e) if e.is_expired(&self.now) => {
                self.saw_expired(k);
                None
            }
            found => found,
        };
        if self.count_lookups {
            shard.counts.lookup(live.is_some());
        }
        if let Some(e) = live {
            let memory = &self.shared.memory;
            memory.touch(&e.lru, memory.access_time(&self.now));
        }
        Ok(live)
    }

    /// [`entry`](Self::entry) without counting an access (OBJECT IDLETIME, MEMORY USAGE:
    /// Redis's `LOOKUP_NOTOUCH`).
    pub(crate) fn peek(&self, key: &[u8]) -> Res<Option<&Entry>> {
        let k = self.hkey(key);
        let Some(e) = self.shard(k)?.find(k) else {
            return Ok(None);
        };
        if e.value.is_none() {
            return Ok(None);
        }
        if e.is_expired(&self.now) {
            self.saw_expired(k);
            return Ok(None);
        }
        Ok(Some(e))
    }

    #[cold]
    fn saw_expired(&self, k: HKey<'_>) {
        // No de-duplication (it would be quadratic): deleting twice finds nothing the
        // second time.
        let mut expiring = self.expiring.borrow_mut();
        expiring
            .get_or_insert_with(Box::default)
            .seen
            .push(SeenExpired {
                key: bytes(k.bytes),
                hash: k.hash,
                shard: self.base + self.shared.keyspace.shard_of(k.hash),
                at: self.rec.mark(),
            });
    }

    /// Mutable access to `key` if it exists now (an expired key is deleted first).
    pub(crate) fn get_mut<'c>(&'c mut self, key: &'c [u8]) -> Res<Option<KeyMut<'c>>> {
        let k = self.hkey(key);
        let memory = &self.shared.memory;
        self.opened = true;
        let (shard, now, rec) = self.shard_mut(k)?;
        match shard.get_mut(k, now) {
            Slot::Missing => Ok(None),
            Slot::Expired(stamp) => {
                let at = rec.mark();
                rec.expired(stamp, key, at);
                Ok(None)
            }
            Slot::Live(entry) => {
                memory.touch(entry.lru(), memory.access_time(now));
                Ok(Some(KeyMut { entry, key, rec }))
            }
        }
    }

    /// `key`, created with `make()` when missing; the flag says whether it was created.
    /// The caller signals the write (creation included) on the returned key.
    pub(crate) fn get_or_create<'c>(
        &'c mut self,
        key: &'c [u8],
        make: impl FnOnce() -> Value,
    ) -> Res<(KeyMut<'c>, bool)> {
        let k = self.hkey(key);
        let memory = &self.shared.memory;
        self.opened = true;
        let (shard, now, rec) = self.shard_mut(k)?;
        let waited = shard.waits.waited(key);
        let fresh = memory.fresh(memory.access_time(now));
        let (entry, created, expired) = shard.get_or_insert_with(k, now, make, fresh);
        if expired {
            rec.expired_unstamped(key);
        }
        if created {
            rec.created(key, waited);
        } else {
            memory.touch(entry.lru(), memory.access_time(now));
        }
        Ok((KeyMut { entry, key, rec }, created))
    }

    /// Stores `value` (expiry `expires_at`, 0 for none) as the write `event`; returns the
    /// previous live value.
    pub(crate) fn set(
        &mut self,
        key: &[u8],
        value: Value,
        expires_at: u64,
        event: Event,
    ) -> Res<Option<Value>> {
        let k = self.hkey(key);
        let memory = &self.shared.memory;
        let (shard, now, rec) = self.shard_mut(k)?;
        let waited = shard.waits.waited(key);
        let ins = shard.insert(k, value, expires_at, now, |old| {
            memory.overwrite(old, memory.access_time(now))
        });
        if ins.expired {
            rec.expired_unstamped(key);
        }
        if ins.old.is_none() {
            rec.created(key, waited);
        }
        rec.signal(ins.stamp, key, event);
        Ok(ins.old)
    }

    /// Deletes `key` as the write `event` (`del`, `rename_from`, ...); returns its value if
    /// it existed.
    pub(crate) fn remove(&mut self, key: &[u8], event: Event) -> Res<Option<Value>> {
        let k = self.hkey(key);
        let (shard, now, rec) = self.shard_mut(k)?;
        match shard.remove(k, now) {
            Removed::Missing => Ok(None),
            Removed::Expired(stamp) => {
                let at = rec.mark();
                rec.expired(stamp, key, at);
                Ok(None)
            }
            Removed::Live(value, stamp) => {
                rec.signal(stamp, key, event);
                Ok(Some(value))
            }
        }
    }

    /// Deletes `key` like [`remove`](Self::remove) but records no event: the caller notes
    /// it where Redis publishes it (RENAME's `rename_from` comes after the `new` of its
    /// destination).
    pub(crate) fn take(&mut self, key: &[u8]) -> Res<Option<Value>> {
        let k = self.hkey(key);
        let (shard, now, rec) = self.shard_mut(k)?;
        match shard.remove(k, now) {
            Removed::Missing => Ok(None),
            Removed::Expired(stamp) => {
                let at = rec.mark();
                rec.expired(stamp, key, at);
                Ok(None)
            }
            Removed::Live(value, stamp) => {
                rec.signal_quiet(stamp);
                Ok(Some(value))
            }
        }
    }

    /// Stores `value` as Redis's delete-then-`dbAdd` does (RENAME, COPY): whatever was
    /// there, the key is created anew (its `new` event, and blocked pops waiting on it are
    /// served); the caller notes the command's own event.
    pub(crate) fn add(&mut self, key: &[u8], value: Value, expires_at: u64) -> Res<()> {
        let k = self.hkey(key);
        let memory = &self.shared.memory;
        let (shard, now, rec) = self.shard_mut(k)?;
        let waited = shard.waits.waited(key);
        let ins = shard.insert(k, value, expires_at, now, |old| {
            memory.overwrite(old, memory.access_time(now))
        });
        if ins.expired {
            rec.expired_unstamped(key);
        }
        rec.created(key, waited);
        rec.signal_quiet(ins.stamp);
        Ok(())
    }

    /// Deletes `key` if it holds an empty container (Redis never keeps empty aggregates).
    pub(crate) fn remove_if_empty(&mut self, key: &[u8]) -> Res<()> {
        if self.get(key)?.is_some_and(Value::is_empty_container) {
            self.remove(key, ev::DEL)?;
        }
        Ok(())
    }

    /// The running command replays as `args` (a deterministic form) instead of as written.
    /// Call it once per replay command; skipped cheaply when nothing listens.
    pub(crate) fn replay<'x>(&mut self, args: impl IntoIterator<Item = &'x [u8]>) {
        self.rec.replay(args);
    }

    /// Records a further event on `key` (SET's `expire`), without a new version.
    pub(crate) fn note(&mut self, key: &[u8], event: Event) {
        self.rec.note(key, event);
    }

    /// Whether replay forms are being kept (a handler may skip building one otherwise).
    pub(crate) fn listening(&self) -> bool {
        self.rec.listening()
    }

    /// Empties every shard held for writing, of the context's database only (FLUSHDB) or
    /// of all (FLUSHALL); returns how many keys went.
    pub(crate) fn flush_locked(&mut self, all: bool) -> usize {
        let range = if all { 0..usize::MAX } else { self.db_range() };
        let Ctx { locks, rec, .. } = self;
        let mut removed = 0;
        for shard in locks.iter_range_mut(range) {
            removed += shard.flush(|stamp| rec.touch(stamp));
        }
        rec.touch_all();
        removed
    }

    /// Ends one command of this context: deletes what its reads found expired (recording
    /// `expired` and `DEL` where they were seen), and records the command's replay form.
    #[inline]
    pub(crate) fn end_command(&mut self, args: &[&[u8]]) {
        if self.expiring.get_mut().is_some() {
            self.delete_seen();
        }
        self.rec.end_command(args);
    }

    #[cold]
    fn delete_seen(&mut self) {
        let Some(expiring) = self.expiring.get_mut() else {
            return;
        };
        let seen = std::mem::take(&mut expiring.seen);
        let mut later = std::mem::take(&mut expiring.later);
        for s in seen {
            let k = HKey {
                bytes: &s.key,
                hash: s.hash,
            };
            let home = self.rec.db();
            match self.locks.get_mut(s.shard) {
                Some(shard) => {
                    if let Some(stamp) = shard.remove_expired(k, &self.now) {
                        // Seen in another database (MOVE's destination): recorded there.
                        self.rec.set_db(self.shared.keyspace.db_of(s.shard));
                        self.rec.expired(stamp, &s.key, s.at);
                        self.rec.set_db(home);
                    }
                }
                None => later.push(s),
            }
        }
        if let Some(expiring) = self.expiring.get_mut() {
            expiring.later = later;
        }
    }

    /// Marks the batch as an EXEC's or a script's: one unit for listeners.
    pub(crate) fn set_atomic(&mut self) {
        self.rec.set_atomic();
    }

    /// Ends the context: hands its batch to the listeners while the locks are still held,
    /// and returns what must be deleted once they are gone.
    #[allow(
        clippy::inline_always,
        reason = "on every command path: keeps the no-listener case to one inlined branch"
    )]
    #[inline(always)]
    pub(crate) fn finish(&mut self) -> Reap {
        let reap =
            if self.rec.has_batch() || self.rec.has_ready() || self.expiring.get_mut().is_some() {
                self.finish_slow()
            } else {
                Reap {
                    seen: None,
                    now: 0,
                    deferred: None,
                }
            };
        // The last value written in place is counted before its lock drops.
        if self.opened {
            self.settle_all();
        }
        reap
    }

    #[inline(never)]
    fn settle_all(&mut self) {
        for shard in self.locks.iter_range_mut(0..usize::MAX) {
            shard.settle();
        }
    }

    #[cold]
    #[inline(never)]
    fn finish_slow(&mut self) -> Reap {
        // Blocked pops are served first, under the same locks, as Redis serves them right
        // after the command, EXEC or script: their pops join this batch.
        // (No ready key, the usual case with the log on: nothing to serve or defer.)
        let deferred = if self.rec.has_ready() {
            super::blocking::serve_ready(self);
            let deferred = self.rec.take_deferred();
            (!deferred.is_empty()).then(|| Box::new(Deferred(deferred)))
        } else {
            None
        };
        if let Some(batch) = self.rec.take_batch() {
            if !batch.is_empty() {
                self.shared.listeners.deliver(&batch);
                // Under `Fsync::Always` the log left a debt; readers of these shards owe it too.
                self.locks.stamp_owed(&self.shared.keyspace);
            }
            Recorder::recycle(batch);
        }
        match self.expiring.get_mut().take() {
            Some(e) if !e.later.is_empty() => Reap {
                seen: Some(e.later),
                now: self.now(),
                deferred,
            },
            _ => Reap {
                seen: None,
                now: 0,
                deferred,
            },
        }
    }

    /// The wait queues of `key`'s shard, which this context holds for writing.
    pub(crate) fn waits_mut(&mut self, key: &[u8]) -> Res<&mut WaitTable> {
        let k = self.hkey(key);
        Ok(&mut self.shard_mut(k)?.0.waits)
    }

    /// The next key made ready for blocked pops (created while they wait on it).
    pub(crate) fn take_ready(&mut self) -> Option<(usize, Box<[u8]>)> {
        self.rec.take_ready()
    }

    /// Makes sure `key`'s shard is held for writing, taking its lock only if that needs no
    /// waiting (a held context must never wait for a lock out of order); false when it
    /// cannot be had now.
    pub(crate) fn try_hold_for_write(&mut self, key: &[u8]) -> bool {
        let k = self.hkey(key);
        let shared: &'a Shared = self.shared;
        let index = self.base + shared.keyspace.shard_of(k.hash);
        self.locks.try_add_write(&shared.keyspace, index)
    }

    /// `key`'s blocked pops could not all be served under this context's locks: serve
    /// them again right after they drop (see [`Reap::run`]).
    pub(crate) fn defer_serving(&mut self, key: &[u8]) {
        self.rec.defer(key);
    }

    /// Runs `f` with a reply budget of its own (a served waiter's reply is not part of the
    /// EXEC that served it).
    pub(crate) fn with_own_budget<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::take(&mut self.replied);
        let out = f(self);
        self.replied = saved;
        out
    }
}
