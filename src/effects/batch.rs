//! [`Recorder`]: collects one command's (or one EXEC's, one script's) effects into a [`Batch`].

use std::sync::OnceLock;

use smallvec::SmallVec;

use super::events::{Event, ev};
use super::resp;
use crate::keyspace::Stamp;

/// One key's event: which key, and what happened to it in Redis's words.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use std::sync::{mpsc, Arc};
/// # use redlite::{Batch, Listener, Store};
/// # struct Tap(mpsc::Sender<Batch>);
/// # impl Listener for Tap {
/// #     fn on_batch(&self, batch: &Batch) {
/// #         let _ = self.0.send(batch.clone());
/// #     }
/// # }
/// let store = Store::new();
/// let (tx, rx) = mpsc::channel();
/// let _subscription = store.listen(Arc::new(Tap(tx)));
/// store.execute(["SET", "k", "v"]);
/// let batch = rx.recv()?;
/// let e = &batch.events()[1];
/// assert_eq!((e.key(), e.event().name()), (&b"k"[..], "set"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    key: Box<[u8]>,
    event: Event,
    db: u32,
}

impl KeyEvent {
    /// The key.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// store.execute(["SET", "k", "v"]);
    /// assert_eq!(rx.recv()?.events()[0].key(), b"k");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// What happened to it.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// store.execute(["LPUSH", "l", "a"]);
    /// let batch = rx.recv()?;
    /// let names: Vec<&str> = batch.events().iter().map(|e| e.event().name()).collect();
    /// assert_eq!(names, ["new", "lpush"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn event(&self) -> Event {
        self.event
    }

    /// The database of the key (0-based, as `SELECT` numbers them): keyspace
    /// notifications publish on `__keyspace@<db>__`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// store.db(3)?.execute(["SET", "k", "v"]);
    /// assert_eq!(rx.recv()?.events()[0].db(), 3);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn db(&self) -> usize {
        self.db as usize
    }
}

thread_local! {
    /// This thread's emptied batch from its last write, reused by its next (see
    /// [`Recorder::recycle`]).
    static SPARE: std::cell::Cell<Option<Box<Batch>>> = const { std::cell::Cell::new(None) };
}

/// The most events or commands a recycled batch keeps room for.
const SPARE_MAX: usize = 64;

/// The most bytes of replay commands a recycled batch keeps room for.
const SPARE_BYTES: usize = 16 << 10;

/// The effects of one command, one EXEC or one script, in the order they happened.
///
/// `events` are what keyspace notifications publish; `commands` are the deterministic
/// commands that replay the same change on another store (what an append-only log writes):
/// relative expiries as `PEXPIREAT`, a popped random member as `SREM`, an expired key as
/// `DEL`. They run in database [`db`](Batch::db); where a batch's commands move to another
/// database (an EXEC with a `SELECT`, an expired key found in MOVE's destination) the
/// commands hold a `SELECT` there, as an append-only log writes it. A batch from EXEC or a script is [atomic](Batch::is_atomic): replay it all or none.
///
/// # Examples
///
/// See [`Listener`](crate::Listener).
#[derive(Clone, Debug, Default)]
pub struct Batch {
    events: Vec<KeyEvent>,
    /// The replay commands as RESP, back to back: what an append-only log writes as is, so
    /// recording a command costs one encoding and no allocation per argument.
    resp: Vec<u8>,
    /// Where each command starts in `resp`.
    starts: Vec<usize>,
    /// Some replay command is a `SELECT`.
    selects: bool,
    /// [`commands`](Batch::commands), decoded from `resp` at its first call: only a
    /// listener that asks for argument vectors pays for them.
    decoded: OnceLock<Vec<Vec<Box<[u8]>>>>,
    atomic: bool,
    db: u32,
}

impl PartialEq for Batch {
    fn eq(&self, other: &Batch) -> bool {
        // `starts`, `selects` and `decoded` follow from `resp`.
        (&self.events, &self.resp, self.atomic, self.db)
            == (&other.events, &other.resp, other.atomic, other.db)
    }
}

impl Eq for Batch {}

impl Batch {
    /// Every key event, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// store.execute(["DEL", "missing"]); // no effect: no batch
    /// store.execute(["SET", "k", "v"]);
    /// assert_eq!(rx.recv()?.events().len(), 2); // `new`, then `set`
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn events(&self) -> &[KeyEvent] {
        &self.events
    }

    /// The commands that replay this batch, each as its argument vector.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// store.execute(["SET", "k", "v", "EX", "10"]);
    /// store.execute(["EXPIRE", "k", "100"]);
    /// let _set = rx.recv()?;
    /// let expire = rx.recv()?;
    /// let replay = &expire.commands()[0];
    /// assert_eq!(&*replay[0], b"PEXPIREAT"); // the absolute deadline, not EXPIRE's 100 s
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn commands(&self) -> &[Vec<Box<[u8]>>] {
        self.decoded.get_or_init(|| resp::decode_all(&self.resp))
    }

    /// The replay commands as RESP, back to back (what [`commands`](Batch::commands) holds).
    pub(crate) fn resp(&self) -> &[u8] {
        &self.resp
    }

    /// How many replay commands there are.
    pub(crate) fn command_count(&self) -> usize {
        self.starts.len()
    }

    /// True when a replay command is a `SELECT` (the commands move between databases).
    pub(crate) fn selects(&self) -> bool {
        self.selects
    }

    /// Appends one replay command.
    fn push_command<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        self.note_select(args);
        self.starts.push(self.resp.len());
        resp::encode(&mut self.resp, args);
    }

    /// Inserts one replay command before the command numbered `at` (at the end when none).
    fn insert_command<A: AsRef<[u8]>>(&mut self, at: usize, args: &[A]) {
        let Some(&offset) = self.starts.get(at) else {
            self.push_command(args);
            return;
        };
        self.note_select(args);
        let mut bytes = Vec::new();
        resp::encode(&mut bytes, args);
        let len = bytes.len();
        self.resp.splice(offset..offset, bytes);
        for s in &mut self.starts[at..] {
            *s += len;
        }
        self.starts.insert(at, offset);
    }

    fn note_select<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        let name = args.first().map(AsRef::as_ref);
        self.selects |= name.is_some_and(|n| n.eq_ignore_ascii_case(b"SELECT"));
    }

    /// True for the batch of an EXEC or a script, which must be applied as one unit.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// store.execute(["SET", "k", "v"]);
    /// assert!(!rx.recv()?.is_atomic());
    /// let mut conn = store.connection();
    /// conn.execute(["MULTI"]);
    /// conn.execute(["SET", "k", "w"]);
    /// conn.execute(["EXEC"]);
    /// assert!(rx.recv()?.is_atomic());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// The database (0-based) the batch's first command runs in; replay `SELECT <db>`
    /// before [`commands`](Batch::commands) when it differs from the one in use.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{mpsc, Arc};
    /// # use redlite::{Batch, Listener, Store};
    /// # struct Tap(mpsc::Sender<Batch>);
    /// # impl Listener for Tap {
    /// #     fn on_batch(&self, batch: &Batch) {
    /// #         let _ = self.0.send(batch.clone());
    /// #     }
    /// # }
    /// let store = Store::new();
    /// let (tx, rx) = mpsc::channel();
    /// let _subscription = store.listen(Arc::new(Tap(tx)));
    /// let mut conn = store.connection();
    /// conn.execute(["SELECT", "2"]);
    /// conn.execute(["MULTI"]);
    /// conn.execute(["SET", "a", "1"]);
    /// conn.execute(["SELECT", "5"]);
    /// conn.execute(["SET", "b", "1"]);
    /// conn.execute(["EXEC"]);
    /// let batch = rx.recv()?;
    /// assert_eq!(batch.db(), 2);
    /// let names: Vec<&[u8]> = batch.commands().iter().map(|c| &*c[0]).collect();
    /// assert_eq!(names, [&b"SET"[..], b"SELECT", b"SET"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn db(&self) -> usize {
        self.db as usize
    }

    /// True when nothing was written.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(redlite::Batch::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.starts.is_empty()
    }
}

/// A database index as stored in events (databases are at most 65536, see
/// `Config::databases`).
fn as_u32(db: usize) -> u32 {
    u32::try_from(db).unwrap_or(u32::MAX)
}

/// A command's arguments, on the stack for the usual few.
type Args<'x> = SmallVec<[&'x [u8]; 8]>;

/// Keys ready for blocked pops: Redis's `ready_keys`. `pending` are served before the
/// batch is handed on, in the order they became ready, each once until served; `deferred`
/// wait for a lock the context could not take in order (served after it unlocks).
#[derive(Debug, Default)]
pub(crate) struct Ready {
    pending: std::collections::VecDeque<(u32, Box<[u8]>)>,
    deferred: Vec<(u32, Box<[u8]>)>,
}

impl Ready {
    fn push(&mut self, db: u32, key: &[u8]) {
        if !self.pending.iter().any(|(d, k)| *d == db && **k == *key) {
            self.pending.push_back((db, key.into()));
        }
    }
}

/// Records effects as commands run. Stamping versions is all it does when nothing listens.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    on: bool,
    /// Key events are recorded (some listener reads them; an append-only log alone
    /// reads only the replay commands).
    events: bool,
    /// Boxed and made at the first record, so a context stays small (it is on every
    /// command's hot path) and costs nothing when nothing listens.
    batch: Option<Box<Batch>>,
    /// The running command signalled at least one write.
    wrote: bool,
    /// The running command recorded its own replay form.
    replaced: bool,
    /// Keys made ready for blocked pops; boxed and made at the first one (rare), so the
    /// recorder stays small on every command's path.
    ready: Option<Box<Ready>>,
    /// The database of what is recorded now (events, ready keys).
    db: usize,
    /// The database the batch's replay commands are in so far (see [`Batch::db`]).
    cmd_db: usize,
    /// Where the commands of `cmd_db` start: a deletion found earlier in the same command
    /// is never placed before the `SELECT` that leads to its database.
    cmd_from: usize,
}

impl Recorder {
    /// A recorder that keeps events and replay forms only when `listening`.
    pub(crate) fn new(listening: bool) -> Recorder {
        Recorder {
            on: listening,
            events: listening,
            ..Recorder::default()
        }
    }

    /// A recorder for what `listeners` read: nothing when none listens, no key events when
    /// only the log does.
    #[inline]
    pub(crate) fn for_listeners(listeners: &super::Listeners) -> Recorder {
        let on = listeners.active();
        Recorder {
            on,
            events: on && listeners.want_events(),
            ..Recorder::default()
        }
    }

    /// Whether anything listens (handlers skip building replay forms otherwise).
    pub(crate) fn listening(&self) -> bool {
        self.on
    }

    /// Marks the batch as one EXEC's or one script's.
    pub(crate) fn set_atomic(&mut self) {
        if self.on {
            self.batch_mut().atomic = true;
        }
    }

    fn batch_mut(&mut self) -> &mut Batch {
        let db = as_u32(self.cmd_db);
        self.batch.get_or_insert_with(|| {
            let mut b = SPARE.with(std::cell::Cell::take).unwrap_or_default();
            b.db = db;
            b
        })
    }

    /// Records what follows in database `db`: where a command is recorded next, its
    /// replay commands are preceded by a `SELECT` if the batch's were in another one.
    pub(crate) fn set_db(&mut self, db: usize) {
        self.db = db;
    }

    /// Starts recording in database `db` (a context's own database, before any record).
    pub(crate) fn start_in(&mut self, db: usize) {
        self.set_db(db);
        self.cmd_db = self.db;
    }

    /// The database being recorded.
    pub(crate) fn db(&self) -> usize {
        self.db
    }

    /// Brings the replay commands to the database being recorded, with a `SELECT`.
    #[inline]
    fn sync_db(&mut self) {
        if self.db != self.cmd_db {
            self.select_db();
        }
    }

    #[cold]
    #[inline(never)]
    fn select_db(&mut self) {
        let db = self.db.to_string();
        self.cmd_db = self.db;
        let batch = self.batch_mut();
        batch.push_command(&[&b"SELECT"[..], db.as_bytes()]);
        self.cmd_from = batch.command_count();
    }

    /// A write happened to `key`: stamp its new version (WATCH sees it) and record the event.
    #[inline]
    pub(crate) fn signal(&mut self, stamp: Stamp<'_>, key: &[u8], event: Event) {
        stamp.bump();
        self.wrote = true;
        if self.events {
            self.event(key, event);
        }
    }

    /// `key` was created (Redis's `new` event, its `dbAdd`); `waited` says blocked pops
    /// wait on it, which makes it ready to serve them.
    #[inline]
    pub(crate) fn created(&mut self, key: &[u8], waited: bool) {
        self.note(key, ev::NEW);
        if waited {
            self.make_ready(key);
        }
    }

    /// `key` holds something its blocked pops may take, though no write created it
    /// (SWAPDB brought it into their database).
    pub(crate) fn ready(&mut self, key: &[u8]) {
        self.make_ready(key);
    }

    #[cold]
    #[inline(never)]
    fn make_ready(&mut self, key: &[u8]) {
        let db = as_u32(self.db);
        self.ready_mut().push(db, key);
    }

    fn ready_mut(&mut self) -> &mut Ready {
        self.ready.get_or_insert_with(Box::default)
    }

    /// Whether a key was made ready (or deferred) for blocked pops.
    #[inline]
    pub(crate) fn has_ready(&self) -> bool {
        self.ready.is_some()
    }

    /// The next ready key to serve, in the order they became ready.
    pub(crate) fn take_ready(&mut self) -> Option<(usize, Box<[u8]>)> {
        let (db, key) = self.ready.as_mut()?.pending.pop_front()?;
        Some((db as usize, key))
    }

    /// `key`'s waiters could not all be served under these locks: serve it again once they
    /// are gone.
    pub(crate) fn defer(&mut self, key: &[u8]) {
        let db = as_u32(self.db);
        let r = self.ready_mut();
        if !r.deferred.iter().any(|(d, k)| *d == db && **k == *key) {
            r.deferred.push((db, key.into()));
        }
    }

    /// The deferred keys with their databases (ending the ready list).
    pub(crate) fn take_deferred(&mut self) -> Vec<(u32, Box<[u8]>)> {
        self.ready.take().map(|r| r.deferred).unwrap_or_default()
    }

    /// A write whose events the command records itself with [`note`](Self::note), to keep
    /// Redis's order across several keys (RENAME's `new`, `rename_from`, `rename_to`).
    pub(crate) fn signal_quiet(&mut self, stamp: Stamp<'_>) {
        stamp.bump();
        self.wrote = true;
    }

    /// Records a further event on a key already signalled (`new` before `lpush`, ...).
    pub(crate) fn note(&mut self, key: &[u8], event: Event) {
        if self.events {
            self.event(key, event);
        }
    }

    fn event(&mut self, key: &[u8], event: Event) {
        if !self.events {
            return;
        }
        let db = as_u32(self.db);
        self.batch_mut().events.push(KeyEvent {
            key: key.into(),
            event,
            db,
        });
    }

    /// The running command replays as `args` instead of as written. Several calls record
    /// several commands, in order.
    pub(crate) fn replay<'x>(&mut self, args: impl IntoIterator<Item = &'x [u8]>) {
        self.replaced = true;
        if self.on {
            self.sync_db();
            let args: Args<'x> = args.into_iter().collect();
            self.batch_mut().push_command(&args);
        }
    }

    /// Where the next event goes: lets a deletion found later be placed where it was seen.
    pub(crate) fn mark(&self) -> (usize, usize) {
        self.batch
            .as_ref()
            .map_or((0, 0), |b| (b.events.len(), b.command_count()))
    }

    /// `key` was found expired and deleted: the `expired` event and its `DEL`, placed at
    /// `at` (a [`mark`](Self::mark)), before what the command did after seeing it.
    pub(crate) fn expired(&mut self, stamp: Stamp<'_>, key: &[u8], at: (usize, usize)) {
        stamp.bump();
        if self.on {
            let event = KeyEvent {
                key: key.into(),
                event: ev::EXPIRED,
                db: as_u32(self.db),
            };
            self.sync_db();
            let from = self.cmd_from;
            let events = self.events;
            let batch = self.batch_mut();
            if events {
                batch.events.insert(at.0.min(batch.events.len()), event);
            }
            let count = batch.command_count();
            batch.insert_command(at.1.clamp(from.min(count), count), &[&b"DEL"[..], key]);
        }
    }

    /// `key` had expired and its deletion is part of the write that follows (which stamps
    /// the key once for both).
    pub(crate) fn expired_unstamped(&mut self, key: &[u8]) {
        if self.on {
            self.event(key, ev::EXPIRED);
            self.sync_db();
            self.batch_mut().push_command(&[&b"DEL"[..], key]);
        }
    }

    /// A key changed with no event of its own (FLUSHALL empties watched keys).
    #[allow(
        clippy::unused_self,
        reason = "a method so that every write, even one with no event, goes through the recorder"
    )]
    pub(crate) fn touch(&mut self, stamp: Stamp<'_>) {
        stamp.bump();
    }

    /// The running command wrote even if no single key reports it (FLUSHALL on an empty
    /// store still replays).
    pub(crate) fn touch_all(&mut self) {
        self.wrote = true;
    }

    /// Ends one command: unless it recorded its own form, a command that wrote replays as
    /// written.
    #[inline]
    pub(crate) fn end_command(&mut self, args: &[&[u8]]) {
        if self.on && self.wrote && !self.replaced {
            self.sync_db();
            self.batch_mut().push_command(args);
        }
        self.wrote = false;
        self.replaced = false;
    }

    /// True once anything was recorded (only ever when listening).
    #[allow(
        clippy::inline_always,
        reason = "on every command path: keeps the no-listener case to one inlined branch"
    )]
    #[inline(always)]
    pub(crate) fn has_batch(&self) -> bool {
        self.batch.is_some()
    }

    /// Hands a delivered batch back for this thread's next one: its box and vectors keep
    /// their memory, so a write that records needs no allocation for them (only small
    /// vectors are kept: one huge batch must not pin its memory).
    pub(crate) fn recycle(mut batch: Box<Batch>) {
        if batch.events.capacity() > SPARE_MAX
            || batch.starts.capacity() > SPARE_MAX
            || batch.resp.capacity() > SPARE_BYTES
        {
            return;
        }
        batch.events.clear();
        batch.resp.clear();
        batch.starts.clear();
        batch.selects = false;
        batch.decoded.take();
        batch.atomic = false;
        SPARE.with(|s| s.set(Some(batch)));
    }

    /// Takes the batch out (the context hands it on once, at its end).
    pub(crate) fn take_batch(&mut self) -> Option<Box<Batch>> {
        self.batch.take()
    }

    /// The batch so far, when there is anything to hand on.
    #[inline]
    pub(crate) fn batch(&self) -> Option<&Batch> {
        self.batch.as_deref().filter(|b| !b.is_empty())
    }
}
