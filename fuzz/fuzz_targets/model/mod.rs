//! A single-threaded reference model of redlite's string, key, hash, list and set
//! commands and of WATCH / MULTI / EXEC / DISCARD, for the `commands` fuzz target.
//!
//! Plain Rust over a `HashMap`: every write Redis "signals" bumps the key's version
//! (no-op writes do not; a container emptied by a write is deleted), and EXEC aborts
//! when a watched key's version moved. One file per command family: its op enum, how
//! the op is written, and its rules. New types go in [`Val`].

mod alpha;
mod hashes;
mod keys;
mod lists;
mod ops;
mod sets;
mod strings;

pub use ops::Op;

use std::collections::HashMap;

use redlite::Reply;

/// A value in the model keyspace.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(Vec<u8>),
    Hash(hashes::Hash),
    List(lists::List),
    Set(sets::Set),
}

impl Val {
    /// What TYPE answers.
    fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "string",
            Val::Hash(_) => "hash",
            Val::List(_) => "list",
            Val::Set(_) => "set",
        }
    }

    fn is_empty_container(&self) -> bool {
        match self {
            Val::Str(_) => false,
            Val::Hash(h) => h.is_empty(),
            Val::List(l) => l.is_empty(),
            Val::Set(s) => s.is_empty(),
        }
    }
}

/// The reply the model expects: exact, or equal up to an order Redis leaves unspecified.
#[derive(Debug)]
pub enum Want {
    Exact(Reply),
    /// A command outside the model: any well-formed reply.
    Any,
    /// An array of these bulk strings in any order (SMEMBERS), sorted here.
    Members(Vec<Vec<u8>>),
    /// A flat array of these field/value pairs in any pair order (HGETALL), sorted here.
    Pairs(Vec<(Vec<u8>, Vec<u8>)>),
    /// EXEC's array: one expectation per queued command.
    Array(Vec<Want>),
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

    /// A write that emptied a container deletes the key (the write already signalled).
    fn remove_if_empty(&mut self, key: &[u8]) {
        if self.data.get(key).is_some_and(Val::is_empty_container) {
            self.data.remove(key);
        }
    }

    fn version(&self, key: &[u8]) -> u64 {
        self.versions.get(key).copied().unwrap_or(0)
    }

    /// The reply redlite must give to `op` sent on connection `c`.
    pub fn step(&mut self, c: usize, op: &Op) -> Want {
        let reply = match op {
            Op::Multi => self.multi(c),
            Op::Exec => return self.exec(c),
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
                None => return self.apply(op),
            },
        };
        Want::Exact(reply)
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

    fn exec(&mut self, c: usize) -> Want {
        let cl = &mut self.clients[c];
        let Some(queue) = cl.multi.take() else {
            return Want::Exact(Reply::error("ERR EXEC without MULTI"));
        };
        let watched = std::mem::take(&mut cl.watched);
        if std::mem::take(&mut cl.failed) {
            let text = "EXECABORT Transaction discarded because of previous errors.";
            return Want::Exact(Reply::error(text));
        }
        if watched.iter().any(|(k, v)| self.version(k) != *v) {
            return Want::Exact(Reply::NilArray);
        }
        Want::Array(queue.iter().map(|op| self.apply(op)).collect())
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
        _ => true,
    }
}

/// Whether redlite's reply `got` is what the model `want`s.
pub fn matches(want: &Want, got: &Reply) -> bool {
    match (want, got) {
        (Want::Exact(w), g) => w == g,
        (Want::Any, g) => well_formed(g, 0),
        (Want::Members(w), Reply::Array(g)) => {
            let mut g = bulks(g);
            g.sort();
            g.len() == w.len() && g.iter().zip(w).all(|(g, w)| *g == Some(w))
        }
        (Want::Pairs(w), Reply::Array(g)) => {
            let g = bulks(g);
            let mut pairs: Vec<_> = g.chunks(2).map(|p| (p[0], p.get(1).copied())).collect();
            pairs.sort();
            g.len() == 2 * w.len()
                && pairs
                    .iter()
                    .zip(w)
                    .all(|(g, w)| g.0 == Some(&w.0) && g.1 == Some(Some(&w.1)))
        }
        (Want::Array(w), Reply::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(w, g)| matches(w, g))
        }
        _ => false,
    }
}

/// Each reply's bytes if it is a bulk string.
fn bulks(items: &[Reply]) -> Vec<Option<&Vec<u8>>> {
    fn bulk(r: &Reply) -> Option<&Vec<u8>> {
        match r {
            Reply::Bulk(b) => Some(b),
            _ => None,
        }
    }
    items.iter().map(bulk).collect()
}
