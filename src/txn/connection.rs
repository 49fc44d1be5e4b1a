//! [`Connection`]: one client, with its WATCH set and MULTI queue.

use std::sync::Arc;

use smallvec::SmallVec;

use super::exec::{self, ExecOutcome};
use super::queue::Queue;
use super::watch::{self, WatchSet};
use crate::commands::{self, ConnOp, Handler, Spec, flag, guard};
use crate::error::{Error, msg};
use crate::reply::Reply;
use crate::shared::Shared;

/// One client of a [`Store`](crate::Store): what Redis keeps per connection.
///
/// Commands run on the calling thread; each locks only the shards of its keys for the
/// length of the call. A connection is `Send` but used by one thread at a time (`&mut`).
/// Dropping it releases its watches.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{Reply, Store};
///
/// let store = Store::new();
/// let mut conn = store.connection();
/// conn.execute(["SET", "balance", "100"]);
/// conn.execute(["WATCH", "balance"]);
/// let balance: i64 = conn.get("balance")?;
/// conn.execute(["MULTI"]);
/// let new = (balance - 30).to_string();
/// assert_eq!(conn.execute(["SET", "balance", new.as_str()]), Reply::status("QUEUED"));
/// let replies = conn.execute(["EXEC"]);
/// assert_eq!(replies, Reply::Array(vec![Reply::ok()]));
/// # Ok(())
/// # }
/// ```
pub struct Connection {
    pub(crate) shared: Arc<Shared>,
    pub(super) watches: WatchSet,
    multi: Option<Multi>,
    /// Pub/sub state, once the connection subscribed (see `txn::pubsub`).
    pub(super) pubsub: Option<Box<super::pubsub::ConnPubSub>>,
    /// The selected database (SELECT), 0-based.
    pub(crate) db: usize,
    /// What CLIENT LIST and KILL see of this connection (see `server::clients`).
    pub(super) client: Arc<crate::server::clients::Client>,
    /// Whether the connection is in the registry (not for one-off `Store::execute` calls).
    listed: bool,
    /// CLIENT REPLY: which replies are withheld (see `txn::client`).
    pub(super) replies: super::client::ReplyMode,
}

/// The MULTI state: queued commands, and whether a queue-time error doomed the EXEC.
#[derive(Default)]
struct Multi {
    queue: Queue,
    failed: bool,
}

impl Connection {
    pub(crate) fn new(shared: Arc<Shared>, db: usize) -> Connection {
        let client = shared.server.clients.register();
        shared.server.stats.connected();
        Connection::with_client(shared, db, client, true)
    }

    /// A connection for one call (`Store::execute`): it has an id but CLIENT LIST does
    /// not show it, so a one-off call takes no registry lock.
    pub(crate) fn unlisted(shared: Arc<Shared>, db: usize) -> Connection {
        let client = crate::server::clients::Clients::unlisted();
        Connection::with_client(shared, db, client, false)
    }

    fn with_client(
        shared: Arc<Shared>,
        db: usize,
        client: Arc<crate::server::clients::Client>,
        listed: bool,
    ) -> Connection {
        Connection {
            shared,
            watches: WatchSet::default(),
            multi: None,
            pubsub: None,
            db,
            client,
            listed,
            replies: super::client::ReplyMode::default(),
        }
    }

    /// The selected database (0-based): where `SELECT` left it, else the database of the
    /// handle that made the connection (see [`Store::db`](crate::Store::db)).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// conn.execute(["SELECT", "3"]);
    /// assert_eq!(conn.db(), 3);
    /// ```
    #[must_use]
    pub fn db(&self) -> usize {
        self.db
    }

    /// Runs one command and returns its reply. Never panics, whatever the bytes: bad input
    /// is an [`Reply::Error`] with Redis's text.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// assert_eq!(conn.execute(["INCR", "n"]), redlite::Reply::Integer(1));
    /// assert_eq!(
    ///     conn.execute(["GET"]).to_string(),
    ///     "ERR wrong number of arguments for 'get' command"
    /// );
    /// ```
    pub fn execute<I>(&mut self, args: I) -> Reply
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let owned: SmallVec<[I::Item; 8]> = args.into_iter().collect();
        let argv: SmallVec<[&[u8]; 8]> = owned.iter().map(AsRef::as_ref).collect();
        self.execute_argv(&argv)
    }

    /// [`execute`](Self::execute) on borrowed argument slices.
    pub(crate) fn execute_argv(&mut self, argv: &[&[u8]]) -> Reply {
        // Connection commands (MULTI, EXEC, WATCH ...) run here, outside commands::run.
        let reply = guard::reply_on_panic(|| self.dispatch(argv));
        self.replies.pass(reply)
    }

    /// [`execute_argv`](Self::execute_argv) for a command already looked up (the typed
    /// methods resolve their command once per call site).
    pub(crate) fn execute_spec(&mut self, spec: &'static Spec, argv: &[&[u8]]) -> Reply {
        let reply = guard::reply_on_panic(|| self.dispatch_spec(spec, argv));
        self.replies.pass(reply)
    }

    fn dispatch(&mut self, argv: &[&[u8]]) -> Reply {
        if self.client.take_killed() {
            return self.killed();
        }
        let (name, rest) = argv.split_first().unwrap_or((&EMPTY, &[]));
        let Some(spec) = self.shared.commands.lookup(name) else {
            self.fail_multi();
            return Reply::error(msg::unknown_command(name, rest));
        };
        self.dispatch_spec(spec, argv)
    }

    fn dispatch_spec(&mut self, spec: &'static Spec, argv: &[&[u8]]) -> Reply {
        if self.client.take_killed() {
            return self.killed();
        }
        if !spec.arity_ok(argv.len()) {
            return self.reject(spec, msg::arity(spec.name));
        }
        if let Err(text) = crate::commands::subcommands::check(spec, argv) {
            return self.reject(spec, text);
        }
        if let Err(text) = crate::commands::crossslot::command(&self.shared, spec, argv) {
            return self.reject(spec, text.to_owned());
        }
        if self.is_subscribed() {
            if spec.name == "ping" && argv.len() <= 2 {
                return super::pubsub::subscribed_ping(argv);
            }
            if let Some(refusal) = super::pubsub::refused(spec.name) {
                self.fail_multi();
                return refusal;
            }
        }
        if self.multi.is_some() && !spec.has(flag::NOQUEUE) && !commands::oom::room(&self.shared) {
            // Queuing under OOM is refused whatever the command (Redis: a queue can grow
            // without bound), and dooms the EXEC.
            return self.reject(spec, commands::oom::OOM.to_owned());
        }
        if self.multi.is_some() && !spec.has(flag::NOQUEUE) {
            // Redis refuses a write while it cannot persist before queuing it, too.
            if let Err(text) = crate::persist::misconf::admit(&self.shared, spec, argv) {
                return self.reject(spec, text);
            }
        }
        if let Some(multi) = &mut self.multi {
            if !spec.has(flag::NOQUEUE) {
                if !multi.failed {
                    multi.queue.push(spec, argv);
                }
                return Reply::status("QUEUED");
            }
        }
        self.run(spec, argv)
    }

    pub(super) fn run(&mut self, spec: &'static Spec, argv: &[&[u8]]) -> Reply {
        match spec.handler {
            Handler::Data(_) => commands::run_in(&self.shared, self.db, spec, argv),
            Handler::Conn(op) => {
                let shared = self.shared.clone();
                let call = commands::begin(&shared, spec);
                crate::keyspace::locks::after_unlock::forget_failure();
                // WATCH may reap an expired key, EXEC waits for its writes: either wait
                // for the log can fail (see `persist::misconf::lost`).
                let reply = crate::persist::misconf::unless_lost(self.run_conn(op, argv));
                call.end(&reply);
                reply
            }
        }
    }

    fn run_conn(&mut self, op: ConnOp, argv: &[&[u8]]) -> Reply {
        match op {
            ConnOp::Multi => multi(self, argv),
            ConnOp::Exec => exec(self, argv),
            ConnOp::Discard => discard(self, argv),
            ConnOp::Watch => watch(self, argv),
            ConnOp::Unwatch => unwatch(self, argv),
            ConnOp::Subscribe => super::pubsub::subscribe(self, argv),
            ConnOp::Psubscribe => super::pubsub::psubscribe(self, argv),
            ConnOp::Unsubscribe => super::pubsub::unsubscribe(self, argv),
            ConnOp::Punsubscribe => super::pubsub::punsubscribe(self, argv),
            ConnOp::Reset => super::pubsub::reset(self, argv),
            ConnOp::Client => super::client::client(self, argv),
            ConnOp::Hello => super::client::hello(self, argv),
            ConnOp::Select => select(self, argv),
        }
    }

    /// A command refused before it runs. A refused EXEC ends the transaction (queue and
    /// watches dropped, even outside MULTI) and says why, as Redis's `rejectCommand` does.
    fn reject(&mut self, spec: &Spec, error: String) -> Reply {
        commands::record_rejected(&self.shared, spec, &error);
        if spec.name == "exec" {
            self.discard_multi();
            let why = error.strip_prefix("ERR ").unwrap_or(&error);
            return Reply::error(format!("EXECABORT Transaction discarded because of: {why}"));
        }
        self.fail_multi();
        Reply::error(error)
    }

    fn fail_multi(&mut self) {
        if let Some(m) = &mut self.multi {
            m.failed = true;
        }
    }

    /// For commands that cannot be part of a transaction: inside MULTI, dooms it and
    /// says so (true).
    pub(super) fn refuse_in_multi(&mut self) -> bool {
        if self.multi.is_some() {
            self.fail_multi();
            return true;
        }
        false
    }

    /// How many commands MULTI has queued; `None` outside MULTI (CLIENT LIST's `multi`).
    pub(super) fn queued_len(&self) -> Option<usize> {
        self.multi.as_ref().map(|m| m.queue.len())
    }

    /// Whether MULTI is open.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// conn.execute(["MULTI"]);
    /// assert!(conn.in_multi());
    /// ```
    #[must_use]
    pub fn in_multi(&self) -> bool {
        self.multi.is_some()
    }

    /// Runs EXEC and returns its outcome as a type: committed replies, or aborted.
    ///
    /// # Errors
    ///
    /// [`Error::Reply`] with `ERR EXEC without MULTI` when no MULTI is open, or with
    /// `EXECABORT ...` when a queue-time error discarded the transaction.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{ExecOutcome, Reply, Store};
    ///
    /// let store = Store::new();
    /// let mut conn = store.connection();
    /// conn.execute(["MULTI"]);
    /// conn.execute(["INCR", "n"]);
    /// assert_eq!(conn.exec()?, ExecOutcome::Committed(vec![Reply::Integer(1)]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn exec(&mut self) -> Result<ExecOutcome, Error> {
        let Some(multi) = self.multi.take() else {
            return Err(Error::Reply("ERR EXEC without MULTI".into()));
        };
        if multi.failed {
            watch::release_all(&self.shared, &mut self.watches);
            return Err(Error::Reply(msg::EXECABORT.into()));
        }
        // A cluster node checks the whole queue's keys when EXEC arrives, then discards.
        if let Err(text) = crate::commands::crossslot::exec(&self.shared, multi.queue.iter()) {
            watch::release_all(&self.shared, &mut self.watches);
            return Err(Error::Reply(text.into()));
        }
        let grows = multi
            .queue
            .iter()
            .any(|(spec, argv)| commands::oom::may_grow(&self.shared, spec, &argv));
        if grows && !commands::oom::room(&self.shared) {
            watch::release_all(&self.shared, &mut self.watches);
            let oom = commands::oom::OOM;
            return Err(Error::Reply(format!(
                "EXECABORT Transaction discarded because of: {oom}"
            )));
        }
        if crate::persist::misconf::active(&self.shared)
            && multi
                .queue
                .iter()
                .any(|(spec, argv)| crate::persist::misconf::refused(&self.shared, spec, &argv))
        {
            watch::release_all(&self.shared, &mut self.watches);
            let why = crate::persist::misconf::text(&self.shared);
            return Err(Error::Reply(format!(
                "EXECABORT Transaction discarded because of: {why}"
            )));
        }
        exec::commit(&self.shared, &mut self.db, &mut self.watches, &multi.queue)
    }

    pub(crate) fn watch_key(&mut self, key: &[u8]) {
        watch::watch(&self.shared, self.db, &mut self.watches, key);
    }

    pub(crate) fn unwatch_all(&mut self) {
        watch::release_all(&self.shared, &mut self.watches);
    }

    /// Leaves MULTI without running anything, and unwatches (DISCARD).
    pub(crate) fn discard_multi(&mut self) {
        self.multi = None;
        self.unwatch_all();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.unwatch_all();
        if self.listed {
            self.shared.server.clients.unregister(self.client.id);
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("watched", &self.watches.len())
            .field("in_multi", &self.multi.is_some())
            .field("subscribed", &self.is_subscribed())
            .finish_non_exhaustive()
    }
}

pub(super) fn multi(c: &mut Connection, _: &[&[u8]]) -> Reply {
    if c.multi.is_some() {
        // Redis replies with an error but keeps the transaction going.
        return Reply::error("ERR MULTI calls can not be nested");
    }
    c.multi = Some(Multi::default());
    Reply::ok()
}

pub(super) fn exec(c: &mut Connection, _: &[&[u8]]) -> Reply {
    match c.exec() {
        Ok(ExecOutcome::Committed(replies)) => Reply::Array(replies),
        Ok(ExecOutcome::Aborted) => Reply::NilArray,
        Err(e) => Reply::error(e.to_string()),
    }
}

pub(super) fn discard(c: &mut Connection, _: &[&[u8]]) -> Reply {
    if c.multi.is_none() {
        return Reply::error("ERR DISCARD without MULTI");
    }
    c.discard_multi();
    Reply::ok()
}

pub(super) fn watch(c: &mut Connection, argv: &[&[u8]]) -> Reply {
    if c.multi.is_some() {
        return Reply::error("ERR WATCH inside MULTI is not allowed");
    }
    for key in &argv[1..] {
        c.watch_key(key);
    }
    Reply::ok()
}

/// SELECT: the connection's database from now on (inside MULTI it is queued, and EXEC
/// switches at its place in the queue).
fn select(c: &mut Connection, argv: &[&[u8]]) -> Reply {
    match commands::databases::select_index(&c.shared, argv[1]) {
        Ok(db) => {
            c.db = db;
            Reply::ok()
        }
        Err(e) => e,
    }
}

pub(super) fn unwatch(c: &mut Connection, _: &[&[u8]]) -> Reply {
    c.unwatch_all();
    Reply::ok()
}

/// The name of an empty command line.
const EMPTY: &[u8] = b"";
