//! `Store::transaction`: WATCH, read, queue, EXEC, retry — the optimistic pattern done right.
//!
//! Each attempt watches the keys, runs the closure (reads run at once, writes are queued),
//! then commits with the same atomic EXEC as a connection's. A watched key written by anyone
//! in between aborts the EXEC; the closure then runs again on fresh values, after a backoff,
//! up to a bound. The queue's buffers and the WATCH list are reused across attempts.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use smallvec::SmallVec;

use super::backoff::Backoff;
use super::connection::Connection;
use super::exec::{self, ExecOutcome};
use super::queue::Queue;
use crate::commands::{self, Handler, flag};
use crate::error::{Error, msg};
use crate::reply::Reply;
use crate::shared::Shared;
use crate::store::Store;
use crate::{FromReply, ToArg};

/// How [`Store::transaction_with`] retries.
///
/// After an aborted EXEC the first retries only spin or yield (a conflict on an in-process
/// store usually clears within microseconds), later ones sleep for an exponentially growing,
/// randomly jittered time between `min_backoff` and `max_backoff`.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use std::time::Duration;
/// use redlite::{Store, TxOptions};
///
/// let store = Store::new();
/// let opts = TxOptions { max_attempts: 10, ..TxOptions::default() };
/// let n = store
///     .transaction_with(&opts, &["n"], |tx| {
///         let n = tx.get::<Option<i64>>("n")?.unwrap_or(0) + 1;
///         tx.set("n", n);
///         Ok(n)
///     })?;
/// assert_eq!(n, 1);
/// assert_eq!(TxOptions::default().max_backoff, Duration::from_millis(10));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxOptions {
    /// How many times the closure may run in all (at least 1). When every attempt aborts,
    /// the transaction fails with [`Error::RetriesExhausted`].
    pub max_attempts: u32,
    /// The first sleep, once spinning and yielding have not helped.
    pub min_backoff: Duration,
    /// The longest sleep between two attempts.
    pub max_backoff: Duration,
}

impl Default for TxOptions {
    /// 100 attempts; sleeps from 20 µs up to 10 ms.
    fn default() -> Self {
        TxOptions {
            max_attempts: 100,
            min_backoff: Duration::from_micros(20),
            max_backoff: Duration::from_millis(10),
        }
    }
}

/// One attempt of a [`Store::transaction`]: reads run at once, writes are queued for EXEC.
///
/// Reads see the store's current values (not yet your queued writes, exactly as reads before
/// MULTI in Redis). Keys given to `transaction` are watched before the closure runs; watch
/// any other key you read to decide your writes with [`watch`](Self::watch), before reading it.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::Store;
///
/// let store = Store::new();
/// store.set("from", 100)?;
/// let moved = store
///     .transaction(&["from", "to"], |tx| {
///         let from: i64 = tx.get("from")?;
///         if from < 30 {
///             return Ok(false); // nothing queued: nothing applied
///         }
///         tx.incr_by("from", -30);
///         tx.incr_by("to", 30);
///         Ok(true)
///     })?;
/// assert!(moved);
/// assert_eq!(store.get::<i64>("to")?, 30);
/// # Ok(())
/// # }
/// ```
pub struct Transaction {
    conn: Connection,
    queue: Queue,
    /// The first queue-time error (unknown command, wrong arity): nothing will be applied.
    failed: Option<Error>,
    attempt: u32,
}

impl Transaction {
    fn new(conn: Connection) -> Transaction {
        Transaction {
            conn,
            queue: Queue::default(),
            failed: None,
            attempt: 0,
        }
    }

    /// Which run of the closure this is: 1 first, 2 after one aborted EXEC, ...
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let attempts = store.transaction(&["k"], |tx| Ok(tx.attempt()))?;
    /// assert_eq!(attempts, 1);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// How many commands are queued so far in this attempt.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store
    ///     .transaction(&["k"], |tx| {
    ///         tx.set("k", 1);
    ///         assert_eq!(tx.queued(), 1);
    ///         Ok(())
    ///     })?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// `WATCHes` one more key for this attempt (e.g. a key whose name you just read).
    /// Watch it before reading it: a change between the read and the watch would be missed.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.set("current", "user:1")?;
    /// store
    ///     .transaction(&["current"], |tx| {
    ///         let user: String = tx.get("current")?;
    ///         tx.watch(&user);
    ///         let visits: Option<i64> = tx.get(&user)?;
    ///         tx.set(&user, visits.unwrap_or(0) + 1);
    ///         Ok(())
    ///     })?;
    /// assert_eq!(store.get::<i64>("user:1")?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch(&mut self, key: impl ToArg) {
        self.conn.watch_key(&key.to_arg());
    }

    /// Runs a read-only command now and converts its reply. Commands that may write are
    /// refused (queue them with [`queue`](Self::queue) or [`cmd`](Self::cmd)`(..).queue()`):
    /// writes, EVAL/EVALSHA of a script not flagged `no-writes` (or not cached yet), SCRIPT
    /// LOAD/FLUSH/KILL; so are connection commands (MULTI, WATCH ...). `EVAL_RO`, `EVALSHA_RO`
    /// and SCRIPT EXISTS are reads. [`cmd`](Self::cmd)`(..).query()` builds the same call
    /// argument by argument.
    ///
    /// # Errors
    ///
    /// The refusal, the command's error reply, or a failed conversion to `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.set("a", 1)?;
    /// let n = store.transaction(&["a"], |tx| tx.read::<i64, _>(["STRLEN", "a"]))?;
    /// assert_eq!(n, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn read<T: FromReply, I>(&mut self, args: I) -> Result<T, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let owned: SmallVec<[I::Item; 8]> = args.into_iter().collect();
        let argv: SmallVec<[&[u8]; 8]> = owned.iter().map(AsRef::as_ref).collect();
        crate::convert::convert(self.read_argv(&argv))
    }

    /// GET `key` now, converted to `T` (use `Option<T>` when it may be missing).
    ///
    /// # Errors
    ///
    /// WRONGTYPE, or a reply `T` cannot hold.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let v = store.transaction(&["k"], |tx| tx.get::<Option<i64>>("k"))?;
    /// assert_eq!(v, None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get<T: FromReply>(&mut self, key: impl ToArg) -> Result<T, Error> {
        crate::typed::call(|_, a| self.read_argv(a), (None, "GET"), &[&key])
    }

    /// MGET `keys` now: one value per key (nil for missing keys and non-strings).
    ///
    /// # Errors
    ///
    /// A reply `T` cannot hold.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.set("a", 1)?;
    /// let v: Vec<Option<i64>> = store.transaction(&["a", "b"], |tx| tx.mget(&["a", "b"]))?;
    /// assert_eq!(v, vec![Some(1), None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn mget<T: FromReply, K: ToArg>(&mut self, keys: &[K]) -> Result<T, Error> {
        let args: SmallVec<[&dyn ToArg; 8]> = keys.iter().map(|k| k as &dyn ToArg).collect();
        crate::typed::call(|_, a| self.read_argv(a), (None, "MGET"), &args)
    }

    /// EXISTS `key` now.
    ///
    /// # Errors
    ///
    /// None in practice; the signature matches the other reads.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// assert!(!store.transaction(&["k"], |tx| tx.exists("k"))?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn exists(&mut self, key: impl ToArg) -> Result<bool, Error> {
        crate::typed::call(|_, a| self.read_argv(a), (None, "EXISTS"), &[&key])
    }

    /// Queues any command given as a whole argument vector, as sent inside MULTI
    /// ([`cmd`](Self::cmd) builds one argument by argument). A queue-time error (unknown
    /// command, wrong arity, a connection command) is returned here and also dooms the
    /// attempt: the transaction then applies nothing and returns that error.
    ///
    /// # Errors
    ///
    /// The queue-time error, with Redis's text.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.transaction(&["k"], |tx| tx.queue(["SET", "k", "v", "PX", "60000"]))?;
    /// assert_eq!(store.get::<String>("k")?, "v");
    /// # Ok(())
    /// # }
    /// ```
    pub fn queue<I>(&mut self, args: I) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let owned: SmallVec<[I::Item; 8]> = args.into_iter().collect();
        let argv: SmallVec<[&[u8]; 8]> = owned.iter().map(AsRef::as_ref).collect();
        self.queue_argv(&argv)
    }

    /// Queues SET `key` `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.transaction(&["k"], |tx| Ok(tx.set("k", 5)))?;
    /// assert_eq!(store.get::<i64>("k")?, 5);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set(&mut self, key: impl ToArg, value: impl ToArg) {
        self.queue_typed("SET", &[&key, &value]);
    }

    /// Queues SET `key` `value` PX `ttl`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use std::time::Duration;
    /// let store = redlite::Store::new();
    /// store
    ///     .transaction(&["s"], |tx| Ok(tx.set_ex("s", "x", Duration::from_secs(9))))?;
    /// assert_eq!(store.ttl("s")?, 9);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_ex(&mut self, key: impl ToArg, value: impl ToArg, ttl: Duration) {
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self.queue_typed("SET", &[&key, &value, &"PX", &ms]);
    }

    /// Queues INCRBY `key` `by`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.transaction(&["n"], |tx| Ok(tx.incr_by("n", 3)))?;
    /// assert_eq!(store.get::<i64>("n")?, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn incr_by(&mut self, key: impl ToArg, by: i64) {
        self.queue_typed("INCRBY", &[&key, &by]);
    }

    /// Queues DEL `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.set("k", 1)?;
    /// store.transaction(&["k"], |tx| Ok(tx.del("k")))?;
    /// assert!(!store.exists("k")?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn del(&mut self, key: impl ToArg) {
        self.queue_typed("DEL", &[&key]);
    }

    fn queue_typed(&mut self, name: &str, args: &[&dyn ToArg]) {
        let owned: SmallVec<[Cow<'_, [u8]>; 6]> = args.iter().map(|a| a.to_arg()).collect();
        let mut argv: SmallVec<[&[u8]; 8]> = SmallVec::new();
        argv.push(name.as_bytes());
        argv.extend(owned.iter().map(|a| &a[..]));
        // Fixed names and arities cannot fail; if one did, `failed` keeps it for the commit.
        let _ = self.queue_argv(&argv);
    }

    pub(crate) fn queue_argv(&mut self, argv: &[&[u8]]) -> Result<(), Error> {
        let checked = check(&self.conn.shared, argv).and_then(|spec| {
            if spec.has(flag::NOQUEUE) {
                return Err(Error::Reply(
                    "ERR Command not allowed inside a transaction".into(),
                ));
            }
            Ok(spec)
        });
        match checked {
            Ok(spec) => {
                self.queue.push(spec, argv);
                Ok(())
            }
            Err(e) => {
                self.failed.get_or_insert_with(|| e.clone());
                Err(e)
            }
        }
    }

    pub(crate) fn read_argv(&mut self, argv: &[&[u8]]) -> Reply {
        let spec = match check(&self.conn.shared, argv) {
            Ok(spec) => spec,
            Err(e) => return Reply::error(e.to_string()),
        };
        let writes = commands::writes(&self.conn.shared, spec, argv);
        if writes || !matches!(spec.handler, Handler::Data(_)) {
            return Reply::error(format!(
                "ERR '{}' is not a read: queue writes with Transaction::cmd",
                spec.name
            ));
        }
        commands::run_in(&self.conn.shared, self.conn.db, spec, argv)
    }

    /// Starts attempt `attempt`: an empty queue, and `keys` watched.
    fn begin<K: ToArg>(&mut self, attempt: u32, keys: &[K]) {
        self.attempt = attempt;
        self.queue.clear();
        self.failed = None;
        for key in keys {
            self.conn.watch_key(&key.to_arg());
        }
    }

    /// Runs the closure once and commits. `Ok(None)`: a watched key changed, try again.
    /// On any error (closure error, panic, queue-time error) nothing was applied and the
    /// watches are released, so the store is left exactly as others made it.
    fn run_once<T, F>(&mut self, f: &mut F) -> Result<Option<(T, Vec<Reply>)>, Error>
    where
        F: FnMut(&mut Transaction) -> Result<T, Error>,
    {
        let value = match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(Ok(value)) => value,
            Ok(Err(e)) => return Err(self.abandon(e)),
            Err(panic) => return Err(self.abandon(Error::ClosurePanicked(panic_text(&panic)))),
        };
        if let Some(e) = self.failed.take() {
            return Err(self.abandon(e));
        }
        if let Err(text) = crate::commands::crossslot::exec(&self.conn.shared, self.queue.iter()) {
            return Err(self.abandon(Error::Reply(text.into())));
        }
        let outcome = exec::commit(
            &self.conn.shared,
            &mut self.conn.db,
            &mut self.conn.watches,
            &self.queue,
        );
        match outcome.map_err(|e| self.abandon(e))? {
            ExecOutcome::Aborted => Ok(None),
            ExecOutcome::Committed(replies) => match first_error(&replies) {
                None => Ok(Some((value, replies))),
                Some(e) => Err(e),
            },
        }
    }

    fn abandon(&mut self, e: Error) -> Error {
        self.queue.clear();
        self.conn.unwatch_all();
        e
    }
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("attempt", &self.attempt)
            .field("queued", &self.queue.len())
            .finish_non_exhaustive()
    }
}

/// Name lookup, arity and the cluster lint, with Redis's texts.
fn check(shared: &Shared, argv: &[&[u8]]) -> Result<&'static commands::Spec, Error> {
    let (name, rest) = argv.split_first().unwrap_or((&EMPTY, &[]));
    let Some(spec) = shared.commands.lookup(name) else {
        return Err(Error::Reply(msg::unknown_command(name, rest)));
    };
    if !spec.arity_ok(argv.len()) {
        return Err(Error::Reply(msg::arity(spec.name)));
    }
    crate::commands::crossslot::command(shared, spec, argv).map_err(|e| Error::Reply(e.into()))?;
    Ok(spec)
}

const EMPTY: &[u8] = b"";

/// EXEC has no rollback: a queued command that failed left the others applied. Say which.
fn first_error(replies: &[Reply]) -> Option<Error> {
    replies.iter().enumerate().find_map(|(index, r)| match r {
        Reply::Error(text) => Some(Error::PartiallyApplied {
            index,
            error: text.to_string(),
        }),
        _ => None,
    })
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

impl Store {
    /// The optimistic transaction, done right: WATCH `keys`, run `f` (its reads see current
    /// values, its writes are queued), EXEC; when a watched key was written by anyone in
    /// between, run `f` again, with backoff, up to [`TxOptions::default`]'s 100 attempts.
    ///
    /// Returns `f`'s value from the attempt that committed.
    ///
    /// `f` may run several times: keep side effects outside it. Nothing is locked while `f`
    /// runs; the commit locks the shards of the watched and queued keys only for the EXEC.
    ///
    /// # Errors
    ///
    /// - [`Error::RetriesExhausted`]: every attempt aborted; nothing of `f` was applied.
    /// - the error `f` returned, or [`Error::ClosurePanicked`] if it panicked (the panic is
    ///   caught, not resumed): nothing applied, no watch left behind, the store usable.
    /// - a queue-time error from [`Transaction::cmd`] (unknown command, wrong arity):
    ///   nothing applied (Redis's EXECABORT).
    /// - [`Error::PartiallyApplied`]: a queued command failed while EXEC ran (e.g.
    ///   WRONGTYPE); Redis has no rollback, so the other queued commands **were** applied.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::Store;
    ///
    /// let store = Store::new();
    /// let next = store
    ///     .transaction(&["counter"], |tx| {
    ///         let n: i64 = tx.get::<Option<i64>>("counter")?.unwrap_or(0);
    ///         tx.set("counter", n + 1);
    ///         Ok(n + 1)
    ///     })?;
    /// assert_eq!(next, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn transaction<T, K, F>(&self, keys: &[K], f: F) -> Result<T, Error>
    where
        K: ToArg,
        F: FnMut(&mut Transaction) -> Result<T, Error>,
    {
        self.transaction_with(&TxOptions::default(), keys, f)
    }

    /// [`transaction`](Self::transaction) that also returns the replies of the commands the
    /// committed attempt queued, in order (EXEC's array): the value an INCR reached, the
    /// TTL an EXPIRE set, ... (with [`Reply`]'s conversions, e.g. `i64::from_reply`).
    ///
    /// # Errors
    ///
    /// As [`transaction`](Self::transaction).
    ///
    /// # Examples
    ///
    /// A fixed-window rate limiter: count the hit and start the window in one commit.
    ///
    /// ```
    /// use redlite::{FromReply, Store};
    ///
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = Store::new();
    /// let key = "rate:user:1";
    /// let ((), replies) = store.transaction_replies(&[key], |tx| {
    ///     tx.cmd("INCR").arg(key).queue()?;
    ///     tx.cmd("EXPIRE").arg(key).arg(60).arg("NX").queue()
    /// })?;
    /// let hits = i64::from_reply(replies[0].clone())?;
    /// assert_eq!(hits, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn transaction_replies<T, K, F>(&self, keys: &[K], f: F) -> Result<(T, Vec<Reply>), Error>
    where
        K: ToArg,
        F: FnMut(&mut Transaction) -> Result<T, Error>,
    {
        self.transaction_replies_with(&TxOptions::default(), keys, f)
    }

    /// [`transaction_replies`](Self::transaction_replies) with your own retry bound and
    /// backoff.
    ///
    /// # Errors
    ///
    /// As [`transaction`](Self::transaction).
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Reply, Store, TxOptions};
    ///
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = Store::new();
    /// let opts = TxOptions { max_attempts: 3, ..TxOptions::default() };
    /// let (n, replies) = store.transaction_replies_with(&opts, &["n"], |tx| {
    ///     tx.incr_by("n", 2);
    ///     Ok(tx.queued())
    /// })?;
    /// assert_eq!((n, replies), (1, vec![Reply::Integer(2)]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn transaction_replies_with<T, K, F>(
        &self,
        opts: &TxOptions,
        keys: &[K],
        mut f: F,
    ) -> Result<(T, Vec<Reply>), Error>
    where
        K: ToArg,
        F: FnMut(&mut Transaction) -> Result<T, Error>,
    {
        let mut tx = Transaction::new(self.connection());
        let mut backoff = Backoff::new(opts.min_backoff, opts.max_backoff);
        let attempts = opts.max_attempts.max(1);
        for attempt in 1..=attempts {
            tx.begin(attempt, keys);
            if let Some(done) = tx.run_once(&mut f)? {
                return Ok(done);
            }
            if attempt < attempts {
                backoff.wait();
            }
        }
        Err(Error::RetriesExhausted { attempts })
    }

    /// [`transaction`](Self::transaction) with your own retry bound and backoff.
    ///
    /// # Errors
    ///
    /// As [`transaction`](Self::transaction); [`Error::RetriesExhausted`] comes after
    /// `opts.max_attempts` aborted attempts.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Error, Store, TxOptions};
    ///
    /// let store = Store::new();
    /// let once = TxOptions { max_attempts: 1, ..TxOptions::default() };
    /// let r = store.transaction_with(&once, &["k"], |tx| {
    ///     store.set("k", "someone else")?; // a conflicting write on every attempt
    ///     tx.set("k", "mine");
    ///     Ok(())
    /// });
    /// assert_eq!(r, Err(Error::RetriesExhausted { attempts: 1 }));
    /// assert_eq!(store.get::<String>("k")?, "someone else");
    /// # Ok(())
    /// # }
    /// ```
    pub fn transaction_with<T, K, F>(&self, opts: &TxOptions, keys: &[K], f: F) -> Result<T, Error>
    where
        K: ToArg,
        F: FnMut(&mut Transaction) -> Result<T, Error>,
    {
        self.transaction_replies_with(opts, keys, f)
            .map(|(value, _)| value)
    }
}
