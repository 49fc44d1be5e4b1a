//! One client session behind a [`RedisConnection`](super::RedisConnection) and its clones.

use ::redis::{Arg, Cmd};

use super::request::{self, Argv};
use crate::commands::blocking::wait::BlockingCall;
use crate::commands::{Spec, flag};
use crate::reply::Reply;
use crate::txn::Connection;

/// How many recently used command names a session remembers.
const RECENT: usize = 4;

/// The connection, and the database SELECT last chose (what `get_db` reports).
pub(super) struct Session {
    conn: Connection,
    db: i64,
    /// The table rows of the last few command names. Code written for redis-rs repeats a
    /// handful of names, and a hit skips the table's hashing (the typed API skips it the
    /// same way, with a row per call site).
    recent: [Option<&'static Spec>; RECENT],
    next: usize,
}

impl Session {
    pub(super) fn new(conn: Connection) -> Session {
        Session {
            conn,
            db: 0,
            recent: [None; RECENT],
            next: 0,
        }
    }

    fn spec_for(&mut self, name: &[u8]) -> Option<&'static Spec> {
        let hit =
            self.recent.iter().flatten().find(|s| {
                s.name.len() == name.len() && s.name.as_bytes().eq_ignore_ascii_case(name)
            });
        if let Some(&spec) = hit {
            return Some(spec);
        }
        let spec = self.conn.shared.commands.lookup(name)?;
        self.recent[self.next] = Some(spec);
        self.next = (self.next + 1) % RECENT;
        Some(spec)
    }

    pub(super) fn db(&self) -> i64 {
        self.db
    }

    /// Runs one command given as argument slices.
    pub(super) fn run(&mut self, argv: &[&[u8]]) -> Reply {
        let reply = match argv.first().and_then(|name| self.spec_for(name)) {
            Some(spec) => self.conn.execute_spec(spec, argv),
            // Unknown (or no) command: the connection's own path says so, as Redis would.
            None => self.conn.execute_argv(argv),
        };
        if let [name, index] = argv {
            if name.eq_ignore_ascii_case(b"SELECT") && reply == Reply::ok() {
                self.db = std::str::from_utf8(index)
                    .ok()
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0);
            }
        }
        reply
    }

    /// A blocking command (BLPOP, ...) that may wait, as a future of its own: awaited with
    /// the session unlocked, so it never blocks the executor's thread. `None` for any other
    /// command, and inside MULTI (where blocking commands answer at once).
    pub(super) fn blocking_call(&mut self, cmd: &Cmd) -> Option<BlockingCall> {
        if self.conn.in_multi() || self.conn.is_subscribed() {
            return None;
        }
        let mut argv: Vec<Vec<u8>> = Vec::new();
        for arg in cmd.args_iter() {
            match arg {
                Arg::Simple(bytes) => argv.push(bytes.to_vec()),
                _ => return None,
            }
        }
        let spec = self.spec_for(argv.first()?)?;
        spec.has(flag::BLOCKING)
            .then(|| BlockingCall::new(self.conn.shared.clone(), self.conn.db(), argv))
    }

    /// Runs a redis-rs command from its arguments, without packing it. A SCAN iterator's
    /// cursor argument has no bytes of its own in the command, so such a command is packed
    /// (its cursor written in) and split again.
    pub(super) fn run_cmd(&mut self, cmd: &Cmd) -> Reply {
        let mut argv = Argv::new();
        for arg in cmd.args_iter() {
            match arg {
                Arg::Simple(bytes) => argv.push(bytes),
                _ => {
                    return self
                        .run_packed(&cmd.get_packed_command())
                        .into_iter()
                        .next()
                        .unwrap_or(Reply::Nil);
                }
            }
        }
        self.run(&argv)
    }

    /// Runs every command of a packed buffer, in order. Bytes that are not RESP commands
    /// get one protocol error reply, as a server would send before closing.
    pub(super) fn run_packed(&mut self, bytes: &[u8]) -> Vec<Reply> {
        match request::split(bytes) {
            Ok(commands) => commands.iter().map(|argv| self.run(argv)).collect(),
            Err(e) => vec![Reply::error(format!("ERR {e}"))],
        }
    }
}
