//! A single-threaded reference model of redlite's string and key commands and of
//! WATCH / MULTI / EXEC / DISCARD, for the `commands` fuzz target.
//!
//! Plain Rust over a `HashMap`: every write Redis "signals" bumps the key's version, and
//! EXEC aborts when a watched key's version moved. New types go in [`Val`] and new
//! commands in [`Op`] with their rule in `apply`.

mod ops;

pub use ops::{OPAQUE, Op};

use std::collections::HashMap;

use redlite::Reply;

/// A value in the model keyspace. Add `Hash`, `List`, `Set` here as they are modelled.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(Vec<u8>),
}

/// One client: its watches and MULTI queue.
#[derive(Default)]
struct Client {
    /// (key, version seen at WATCH).
    watched: Vec<(Vec<u8>, u64)>,
    /// `Some` while MULTI is open: the queued ops.
    multi: Option<Vec<Op>>,
    /// A queue-time error doomed the transaction.
    failed: bool,
}

/// The whole model: keyspace, versions and clients.
pub struct Model {
    data: HashMap<Vec<u8>, Val>,
    /// Last signal of each key ever written (kept after delete: ABA must abort).
    versions: HashMap<Vec<u8>, u64>,
    clock: u64,
    clients: Vec<Client>,
}

impl Model {
    pub fn new(clients: usize) -> Model {
        Model {
            data: HashMap::new(),
            versions: HashMap::new(),
            clock: 0,
            clients: (0..clients).map(|_| Client::default()).collect(),
        }
    }

    /// A write Redis signals: watchers of `key` must abort.
    fn signal(&mut self, key: &[u8]) {
        self.clock += 1;
        self.versions.insert(key.to_vec(), self.clock);
    }

    fn version(&self, key: &[u8]) -> u64 {
        self.versions.get(key).copied().unwrap_or(0)
    }

    /// The reply redlite must give to `op` sent on connection `c`.
    pub fn step(&mut self, c: usize, op: &Op) -> Reply {
        match op {
            Op::Multi => self.multi(c),
            Op::Exec => self.exec(c),
            Op::Discard => self.discard(c),
            Op::Watch(keys) => self.watch(c, keys),
            Op::Unwatch if self.clients[c].multi.is_none() => {
                self.clients[c].watched.clear();
                Reply::ok()
            }
            _ => match &mut self.clients[c].multi {
                Some(queue) => {
                    queue.push(op.clone());
                    Reply::status("QUEUED")
                }
                None => self.apply(op),
            },
        }
    }

    /// A command redlite refused at queue time (unknown, arity): dooms an open MULTI.
    pub fn queue_error(&mut self, c: usize) {
        if self.clients[c].multi.is_some() {
            self.clients[c].failed = true;
        }
    }

    /// A command outside the model that redlite queued: its EXEC element is not checked.
    pub fn queue_opaque(&mut self, c: usize) {
        if let Some(q) = &mut self.clients[c].multi {
            q.push(Op::Opaque);
        }
    }

    pub fn in_multi(&self, c: usize) -> bool {
        self.clients[c].multi.is_some()
    }

    fn multi(&mut self, c: usize) -> Reply {
        let cl = &mut self.clients[c];
        if cl.multi.is_some() {
            return Reply::error("ERR MULTI calls can not be nested");
        }
        cl.multi = Some(Vec::new());
        cl.failed = false;
        Reply::ok()
    }

    fn exec(&mut self, c: usize) -> Reply {
        let cl = &mut self.clients[c];
        let Some(queue) = cl.multi.take() else {
            return Reply::error("ERR EXEC without MULTI");
        };
        let watched = std::mem::take(&mut cl.watched);
        if std::mem::take(&mut cl.failed) {
            return Reply::error("EXECABORT Transaction discarded because of previous errors.");
        }
        if watched.iter().any(|(k, v)| self.version(k) != *v) {
            return Reply::Nil;
        }
        Reply::Array(queue.iter().map(|op| self.apply(op)).collect())
    }

    fn discard(&mut self, c: usize) -> Reply {
        let cl = &mut self.clients[c];
        if cl.multi.take().is_none() {
            return Reply::error("ERR DISCARD without MULTI");
        }
        cl.watched.clear();
        cl.failed = false;
        Reply::ok()
    }

    fn watch(&mut self, c: usize, keys: &[Vec<u8>]) -> Reply {
        if self.clients[c].multi.is_some() {
            return Reply::error("ERR WATCH inside MULTI is not allowed");
        }
        for k in keys {
            let v = self.version(k);
            self.clients[c].watched.push((k.clone(), v));
        }
        Reply::ok()
    }
}

/// Whether a reply is one RESP2 could carry: status/error texts on one line, errors
/// starting with an upper-case code, nesting bounded.
pub fn well_formed(r: &Reply, depth: usize) -> bool {
    let one_line = |s: &str| !s.contains(['\r', '\n']);
    match r {
        Reply::Status(s) => one_line(s),
        Reply::Error(s) => {
            let code = s.split(' ').next().unwrap_or("");
            one_line(s)
                && !code.is_empty()
                && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                && !s.contains("internal error")
        }
        Reply::Array(items) => depth < 256 && items.iter().all(|i| well_formed(i, depth + 1)),
        Reply::Nil | Reply::Integer(_) | Reply::Bulk(_) => true,
    }
}

/// Whether redlite's reply `got` is what the model `want`s (model-less EXEC elements
/// only need to be well formed).
pub fn matches(want: &Reply, got: &Reply) -> bool {
    match (want, got) {
        (Reply::Status(s), g) if s == OPAQUE => well_formed(g, 0),
        (Reply::Array(w), Reply::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(w, g)| matches(w, g))
        }
        _ => want == got,
    }
}
