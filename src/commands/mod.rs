//! The command table and the one path every data command runs through.
//!
//! A [`Spec`] gives a command's name, arity, flags, key positions and handler. [`run`] finds
//! the command's keys, hashes each once, locks their shards in ascending order, reads the
//! clock once (time is frozen for the command) and calls the handler with a [`Ctx`].

pub(crate) mod admin;
pub(crate) mod bits;
pub(crate) mod blocking;
pub(crate) mod budget;
pub(crate) mod cluster;
pub(crate) mod command_info;
pub(crate) mod config;
pub(crate) mod crossslot;
pub(crate) mod ctx;
pub(crate) mod databases;
pub(crate) mod geo;
pub(crate) mod glob;
pub(crate) mod guard;
pub(crate) mod hashes;
pub(crate) mod hll;
pub(crate) mod info;
pub(crate) mod keys;
pub(crate) mod lcs;
pub(crate) mod list;
pub(crate) mod memory;
mod memory_stats;
#[cfg(test)]
mod memory_tests;
pub(crate) mod object;
pub(crate) mod object_lru;
pub(crate) mod oom;
pub(crate) mod parse;
pub(crate) mod pubsub;
pub(crate) mod scan_and_sample;
pub(crate) mod server;
pub(crate) mod set;
pub(crate) mod sort;
pub(crate) mod strings;
pub(crate) mod subcommands;
pub(crate) mod table;
pub(crate) mod zset;

pub(crate) use ctx::{Ctx, KeyHashes, Res};

use crate::keyspace::locks::Plan;
use crate::reply::Reply;
use crate::shared::Shared;

/// Command flags (a small bit set).
pub(crate) mod flag {
    /// May modify the keyspace: its shards are write-locked.
    pub const WRITE: u8 = 1;
    /// Not allowed inside scripts.
    pub const NOSCRIPT: u8 = 2;
    /// Runs at once inside MULTI instead of being queued (MULTI, EXEC, DISCARD, WATCH).
    pub const NOQUEUE: u8 = 4;
    /// Whether it writes depends on its arguments (EVAL's script flags, SCRIPT's
    /// subcommand): ask [`writes`](super::writes), never assume a read.
    pub const MAY_WRITE: u8 = 8;
    /// Blocks when it finds nothing (BLPOP, ...), unless run inside MULTI or a script.
    pub const BLOCKING: u8 = 16;
    /// Has subcommands whose names and arities are checked before it runs or is queued
    /// (see `commands::subcommands`).
    pub const SUBCOMMANDS: u8 = 32;
}

/// Where a command's keys sit among its arguments (index 0 is the command name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // `NumKeys` is Redis's name for the count argument
pub(crate) enum Keys {
    /// No keys.
    None,
    /// `first`, then every `step`-th argument up to `last` (negative counts from the end).
    Range {
        first: usize,
        last: isize,
        step: usize,
    },
    /// A count at `at` followed by that many keys; `dest` is one more key before the count.
    NumKeys { at: usize, dest: Option<usize> },
    /// Every shard of the command's database (the keys are not known up front: KEYS,
    /// SCAN, FLUSHDB, ...).
    All,
    /// Every shard of every database in use (FLUSHALL).
    AllDbs,
    /// The EVAL family: numkeys at 2, then the keys. Its rows add a planning hook: the lock
    /// mode and whether every shard is needed come from the script's flags.
    Script,
}

/// A data command's handler.
pub(crate) type DataFn = fn(&mut Ctx<'_, '_>, &[&[u8]]) -> Res;

/// A data command's table row.
pub(crate) const fn data(
    name: &'static str,
    arity: i32,
    flags: u8,
    keys: Keys,
    run: DataFn,
) -> Spec {
    Spec {
        name,
        arity,
        flags,
        keys,
        handler: Handler::Data(run),
        plan: None,
        writes: None,
    }
}

/// Shorthand for the write flag in tables.
pub(crate) const W: u8 = flag::WRITE;
/// The key is the first argument.
pub(crate) const ONE: Keys = Keys::Range {
    first: 1,
    last: 1,
    step: 1,
};
/// The first two arguments are keys (RENAME, SMOVE, LMOVE ...).
pub(crate) const TWO: Keys = Keys::Range {
    first: 1,
    last: 2,
    step: 1,
};
/// Every argument is a key (DEL, EXISTS, MGET, SINTER ...).
pub(crate) const ALL: Keys = Keys::Range {
    first: 1,
    last: -1,
    step: 1,
};
/// Key, value, key, value ... (MSET).
pub(crate) const PAIRS: Keys = Keys::Range {
    first: 1,
    last: -1,
    step: 2,
};

/// What runs the command.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// Works on the keyspace through a [`Ctx`]; can run inside EXEC and scripts.
    Data(DataFn),
    /// Works on the connection's own state: the connection layer (`txn`) runs it. Named
    /// here, not pointed to, so this layer needs nothing from the one above it.
    Conn(ConnOp),
}

/// The connection commands (their handlers live with `Connection`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnOp {
    Multi,
    Exec,
    Discard,
    Watch,
    Unwatch,
    Subscribe,
    Psubscribe,
    Unsubscribe,
    Punsubscribe,
    Reset,
    Select,
    Client,
    Hello,
}

/// A planning hook: adds a command's shards to the plan when its key positions alone do
/// not say how to lock them (the EVAL family reads the script's flags).
pub(crate) type PlanFn = fn(&Shared, &Spec, &[&[u8]], &mut Plan, &mut KeyHashes);

/// A hook that says whether a `MAY_WRITE` command writes with these arguments.
pub(crate) type WritesFn = fn(&Shared, &Spec, &[&[u8]]) -> bool;

/// One row of the command table.
pub(crate) struct Spec {
    /// Lowercase name, as Redis prints it in errors.
    pub name: &'static str,
    /// Redis arity: N means exactly N arguments (name included), -N means at least N.
    pub arity: i32,
    pub flags: u8,
    pub keys: Keys,
    pub handler: Handler,
    /// Plans the locks instead of [`Spec::keys`] (set by the family that needs it).
    pub plan: Option<PlanFn>,
    /// Decides `MAY_WRITE` commands (what `Transaction::read` refuses).
    pub writes: Option<WritesFn>,
}

impl Spec {
    pub(crate) fn is_write(&self) -> bool {
        self.flags & flag::WRITE != 0
    }

    pub(crate) fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    /// Redis's arity rule.
    pub(crate) fn arity_ok(&self, argc: usize) -> bool {
        // An argument count beyond i64 is impossible (it is a slice's length); saturate.
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Calls `f` with each key argument. Malformed counts yield no keys: the handler then
    /// reports the error without touching any key.
    #[allow(
        clippy::cast_possible_wrap,
        reason = "an argument index is below a slice's length, which never exceeds isize::MAX"
    )]
    pub(crate) fn for_each_key<'a>(&self, args: &[&'a [u8]], mut f: impl FnMut(&'a [u8])) {
        match self.keys {
            Keys::None | Keys::All | Keys::AllDbs => {}
            Keys::Range { first, last, step } => {
                let last = if last < 0 {
                    args.len() as isize + last
                } else {
                    last
                };
                let mut i = first;
                while (i as isize) <= last && i < args.len() {
                    f(args[i]);
                    i += step.max(1);
                }
            }
            Keys::NumKeys { at, dest } => num_keys(args, at, dest, f),
            Keys::Script => num_keys(args, 2, None, f),
        }
    }
}

/// A count at `at` followed by that many keys, after an optional `dest` key.
fn num_keys<'a>(args: &[&'a [u8]], at: usize, dest: Option<usize>, mut f: impl FnMut(&'a [u8])) {
    if let Some(d) = dest.and_then(|d| args.get(d)) {
        f(d);
    }
    let n = args.get(at).and_then(|a| parse::int(a).ok()).unwrap_or(0);
    let n = usize::try_from(n).unwrap_or(0);
    if n <= args.len().saturating_sub(at + 1) {
        args[at + 1..at + 1 + n].iter().for_each(|k| f(k));
    }
}

/// Adds the shards of `spec`'s keys to `plan`, and their hashes to `hashes`.
pub(crate) fn plan_keys(
    shared: &Shared,
    spec: &Spec,
    args: &[&[u8]],
    plan: &mut Plan,
    hashes: &mut KeyHashes,
) {
    if let Some(hook) = spec.plan {
        return hook(shared, spec, args, plan, hashes);
    }
    if let Keys::All = spec.keys {
        return plan.add_all(shared.keyspace.shard_count(), spec.is_write());
    }
    if let Keys::AllDbs = spec.keys {
        let ks = &shared.keyspace;
        let base = plan.base();
        for db in ks.made() {
            plan.set_base(ks.base(db));
            plan.add_all(ks.shard_count(), spec.is_write());
        }
        plan.set_base(base);
        return;
    }
    plan_each_key(shared, spec, args, spec.is_write(), plan, hashes);
}

/// Whether this command, with these arguments, may change the store (the keyspace or the
/// script cache): what `Transaction::read` refuses.
pub(crate) fn writes(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> bool {
    spec.is_write()
        || (spec.has(flag::MAY_WRITE) && spec.writes.is_none_or(|hook| hook(shared, spec, args)))
}

/// Hashes each key argument once, adds its shard to `plan` (for writing if `write`), and
/// remembers the hash for the handler's lookups.
pub(crate) fn plan_each_key(
    shared: &Shared,
    spec: &Spec,
    args: &[&[u8]],
    write: bool,
    plan: &mut Plan,
    hashes: &mut KeyHashes,
) {
    let ks = &shared.keyspace;
    spec.for_each_key(args, |key| {
        let hk = ks.hkey(key);
        plan.add(ks.shard_of(hk.hash), write);
        hashes.push(ctx::remembered(hk));
    });
}

/// Runs a data command on its own: lock, freeze time, call, unlock. A panic in it becomes
/// an error reply ([`guard`]): the choke point of every entry point outside EXEC. The
/// handler has a guard of its own so that what it wrote before panicking still goes down
/// the effects path; the outer one covers key planning.
#[allow(
    dead_code,
    reason = "database 0's entry point, for layers that have no connection (loaders, tests)"
)]
pub(crate) fn run(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> Reply {
    run_in(shared, 0, spec, args)
}

/// [`run`] in database `db` (a connection after SELECT, a `store.db(n)` handle).
pub(crate) fn run_in(shared: &Shared, db: usize, spec: &Spec, args: &[&[u8]]) -> Reply {
    guard::reply_on_panic(|| run_unguarded(shared, db, spec, args))
}

#[allow(
    clippy::single_match_else,
    reason = "a choice between two lock plans, the first a fast path"
)]
fn run_unguarded(shared: &Shared, db: usize, spec: &Spec, args: &[&[u8]]) -> Reply {
    let Handler::Data(handler) = spec.handler else {
        return Reply::error("ERR this command needs a connection");
    };
    crate::keyspace::locks::after_unlock::forget_failure();
    if let Err(text) = oom::admit(shared, spec, args) {
        return Reply::error(text);
    }
    if let Err(text) = crate::persist::misconf::admit(shared, spec, args) {
        return Reply::error(text);
    }
    let call = begin(shared, spec);
    if spec.has(flag::BLOCKING) {
        // On its own a blocking command may wait (MULTI and scripts call its handler).
        let reply = crate::persist::misconf::unless_lost(blocking::run(shared, db, spec, args));
        call.end(&reply);
        return reply;
    }
    let base = shared.keyspace.base(db);
    let mut hashes = KeyHashes::new();
    let mut locks = match (spec.keys, args.get(1)) {
        // Most commands name one key: lock its shard directly, with no plan to build.
        (ONE, Some(key)) => {
            let ks = &shared.keyspace;
            let hk = ks.hkey(key);
            hashes.push(ctx::remembered(hk));
            ks.lock_one(base + ks.shard_of(hk.hash), spec.is_write())
        }
        _ => {
            let mut plan = Plan::at(base);
            plan_keys(shared, spec, args, &mut plan, &mut hashes);
            if spec.keys == Keys::Script {
                shared.keyspace.lock_watched(&plan)
            } else {
                shared.keyspace.lock(&plan)
            }
        }
    };
    let mut ctx = Ctx::new(shared, &mut locks, shared.lazy_now(), hashes, db);
    ctx.count_lookups(!spec.is_write());
    let reply = guard::reply_on_panic(|| handler(&mut ctx, args).unwrap_or_else(|e| e));
    ctx.end_command(args);
    let reap = ctx.finish();
    drop(locks);
    reap.run(shared);
    // Dropping the locks waited for the log under `Fsync::Always`: a failed wait replaces
    // the reply.
    let reply = crate::persist::misconf::unless_lost(reply);
    call.end(&reply);
    reply
}

/// A call of a command, for INFO's commandstats and errorstats.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    counted: crate::server::stats::Call<'a>,
}

impl Call<'_> {
    /// The call ended with `reply`.
    #[inline]
    pub(crate) fn end(self, reply: &Reply) {
        let failed = if let Reply::Error(text) = reply {
            self.shared.server.stats.error_reply(text);
            true
        } else {
            false
        };
        self.counted.end(failed);
    }
}

/// Counts a call of `spec` starting now (see `server::stats`).
#[inline]
pub(crate) fn begin<'a>(shared: &'a Shared, spec: &Spec) -> Call<'a> {
    let index = shared.commands.index_of(spec);
    Call {
        shared,
        counted: shared.server.stats.begin(index),
    }
}

/// Counts a call refused before it ran (arity, CROSSSLOT ...): a rejected call and its
/// error reply.
#[cold]
pub(crate) fn record_rejected(shared: &Shared, spec: &Spec, error: &str) {
    shared.server.stats.error_reply(error);
    shared.server.stats.rejected(shared.commands.index_of(spec));
}

/// Runs a command given as argument slices, without connection state.
#[allow(
    dead_code,
    reason = "database 0's entry point, for layers that have no connection (loaders, tests)"
)]
pub(crate) fn query(shared: &Shared, argv: &[&[u8]]) -> Reply {
    query_in(shared, 0, argv)
}

/// [`query`] in database `db`.
pub(crate) fn query_in(shared: &Shared, db: usize, argv: &[&[u8]]) -> Reply {
    let (name, rest) = argv.split_first().unwrap_or((&EMPTY, &[]));
    let Some(spec) = shared.commands.lookup(name) else {
        return Reply::error(crate::error::msg::unknown_command(name, rest));
    };
    query_spec_in(shared, db, spec, argv)
}

/// [`query`] for a command already looked up.
#[inline]
#[allow(
    dead_code,
    reason = "database 0's entry point, for layers that have no connection (loaders, tests)"
)]
pub(crate) fn query_spec(shared: &Shared, spec: &Spec, argv: &[&[u8]]) -> Reply {
    query_spec_in(shared, 0, spec, argv)
}

/// [`query_spec`] in database `db`.
#[inline]
pub(crate) fn query_spec_in(shared: &Shared, db: usize, spec: &Spec, argv: &[&[u8]]) -> Reply {
    if !spec.arity_ok(argv.len()) {
        let text = crate::error::msg::arity(spec.name);
        record_rejected(shared, spec, &text);
        return Reply::error(text);
    }
    if let Err(text) = subcommands::check(spec, argv) {
        record_rejected(shared, spec, &text);
        return Reply::error(text);
    }
    if let Err(text) = crossslot::command(shared, spec, argv) {
        record_rejected(shared, spec, text);
        return Reply::error(text);
    }
    run_in(shared, db, spec, argv)
}

/// The name of an empty command line.
const EMPTY: &[u8] = b"";
