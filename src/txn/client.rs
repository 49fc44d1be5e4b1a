//! CLIENT and HELLO: a connection's own identity and reply mode, and what it may see of,
//! or do to, the store's other connections (through `server::clients`).
//!
//! In process there is no socket, so some of Redis's answers are chosen here:
//! - a connection's address is `inproc:<id>` (what CLIENT KILL ADDR matches);
//! - a killed connection's next call returns [`KILLED`], with its MULTI, its watched keys and
//!   subscriptions dropped, as a client that reconnects finds them; it then works again;
//! - with `CLIENT REPLY OFF` / `SKIP`, the withheld replies come back from `execute` as
//!   [`Reply::Nil`] (a return value has to be something); the commands still run.

use super::connection::Connection;
use crate::commands::parse::is;
use crate::error::msg;
use crate::reply::Reply;
use crate::server::clients::Client;

/// What the next call of a killed connection returns.
pub(crate) const KILLED: &str = "ERR connection killed by CLIENT KILL";

/// CLIENT REPLY's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ReplyMode {
    #[default]
    On,
    Off,
    /// Withhold this many more replies (SKIP withholds its own and the next one).
    Skip(u8),
}

impl ReplyMode {
    /// The reply `execute` returns for `reply`, given the mode.
    #[inline]
    pub(crate) fn pass(&mut self, reply: Reply) -> Reply {
        match *self {
            ReplyMode::On => reply,
            ReplyMode::Off => Reply::Nil,
            ReplyMode::Skip(n) => {
                *self = if n > 1 {
                    ReplyMode::Skip(n - 1)
                } else {
                    ReplyMode::On
                };
                Reply::Nil
            }
        }
    }
}

const HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port> (here: inproc:<id>).",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|inproc:<id>)",
    "    * ID <client-id>",
    "    * TYPE (NORMAL|PUBSUB)",
    "    * USER <username>",
    "    * SKIPME (YES|NO)",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|PUBSUB)",
    "    * ID <client-id> [<client-id> ...]",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Will not touch LRU/LFU stats when this mode is on.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "HELP",
    "    Print this help.",
];

impl Connection {
    /// The call after a CLIENT KILL: everything the connection held goes, as on a
    /// reconnect (see the module docs).
    pub(super) fn killed(&mut self) -> Reply {
        self.discard_multi();
        self.leave_pubsub();
        self.client.set_name(None);
        self.replies = ReplyMode::On;
        Reply::error(KILLED)
    }

    /// RESET's share: the name, the reply mode and the NO-EVICT / NO-TOUCH switches go
    /// back to a new connection's.
    pub(super) fn reset_client(&mut self) {
        self.client.set_name(None);
        self.replies = ReplyMode::On;
        self.client
            .no_evict
            .store(false, std::sync::atomic::Ordering::Relaxed);
        self.client
            .no_touch
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// This connection's CLIENT LIST line (without the newline).
    fn info_line(&self) -> String {
        let (sub, psub) = self.subscription_counts();
        let multi = self
            .queued_len()
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        line(&self.client, sub, psub, multi, self.watches.len())
    }
}

/// A CLIENT LIST line. Another connection's MULTI, WATCH and subscription counts are its
/// own business (they live in that connection, which may be running on another thread):
/// they show as Redis shows an idle client's.
fn line(c: &Client, sub: usize, psub: usize, multi: i64, watch: usize) -> String {
    let name = c.name().unwrap_or_default();
    let age = c.created.elapsed().as_secs();
    let mut flags = String::new();
    if sub + psub > 0 {
        flags.push('P');
    }
    if multi >= 0 {
        flags.push('x');
    }
    if c.no_evict.load(std::sync::atomic::Ordering::Relaxed) {
        flags.push('e');
    }
    if c.no_touch.load(std::sync::atomic::Ordering::Relaxed) {
        flags.push('T');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    format!(
        "id={} addr={} laddr=inproc fd=-1 name={name} age={age} idle=0 flags={flags} db=0 \
         sub={sub} psub={psub} ssub=0 multi={multi} watch={watch} qbuf=0 qbuf-free=0 \
         argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r \
         cmd=NULL user=default redir=-1 resp=2",
        c.id,
        c.addr()
    )
}

/// `CLIENT <subcommand> ...`.
pub(super) fn client(c: &mut Connection, a: &[&[u8]]) -> Reply {
    let sub = a.get(1).copied().unwrap_or_default();
    let lower = String::from_utf8_lossy(sub).to_ascii_lowercase();
    let n = a.len();
    let bad_arity = || Reply::error(msg::arity(&format!("client|{lower}")));
    match lower.as_str() {
        "id" if n == 2 => Reply::Integer(i64::try_from(c.client.id).unwrap_or(i64::MAX)),
        "getname" if n == 2 => c.client.name().map_or(Reply::Nil, |s| Reply::bulk(&*s)),
        "setname" if n == 3 => setname(&c.client, a[2]),
        "info" if n == 2 => Reply::bulk(format!("{}\n", c.info_line())),
        "list" => list(c, &a[2..]),
        "kill" if n >= 3 => kill(c, &a[2..]),
        "no-evict" | "no-touch" if n == 3 => switch(&c.client, &lower, a[2]),
        "reply" if n == 3 => reply_mode(c, a[2]),
        "help" if n == 2 => Reply::Array(HELP.iter().map(|l| Reply::status(*l)).collect()),
        "id" | "getname" | "setname" | "info" | "kill" | "no-evict" | "no-touch" | "reply"
        | "help" => bad_arity(),
        _ => Reply::error(msg::unknown_subcommand(sub, "CLIENT")),
    }
}

/// Redis's rule for names: printable ASCII without spaces; empty clears the name.
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

fn setname(client: &Client, name: &[u8]) -> Reply {
    if !valid_name(name) {
        return Reply::error(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        );
    }
    let name = (!name.is_empty()).then(|| String::from_utf8_lossy(name).into());
    client.set_name(name);
    Reply::ok()
}

fn switch(client: &Client, which: &str, arg: &[u8]) -> Reply {
    let on = match () {
        () if is(arg, "on") => true,
        () if is(arg, "off") => false,
        () => return Reply::error(msg::SYNTAX),
    };
    let flag = if which == "no-evict" {
        &client.no_evict
    } else {
        &client.no_touch
    };
    flag.store(on, std::sync::atomic::Ordering::Relaxed);
    Reply::ok()
}

fn reply_mode(c: &mut Connection, arg: &[u8]) -> Reply {
    c.replies = match () {
        () if is(arg, "on") => ReplyMode::On,
        () if is(arg, "off") => ReplyMode::Off,
        // This reply and the next one.
        () if is(arg, "skip") => ReplyMode::Skip(2),
        () => return Reply::error(msg::SYNTAX),
    };
    Reply::ok()
}

/// `CLIENT LIST [TYPE normal|pubsub|master|replica] [ID id ...]`.
fn list(c: &Connection, opts: &[&[u8]]) -> Reply {
    let mut ids: Option<Vec<u64>> = None;
    let mut kind: Option<bool> = None; // Some(true): pubsub only
    match opts {
        [] => {}
        [t, v] if is(t, "type") => match type_filter(v) {
            Ok(k) => kind = Some(k),
            Err(e) => return e,
        },
        [t, rest @ ..] if is(t, "id") && !rest.is_empty() => {
            let mut v = Vec::with_capacity(rest.len());
            for id in rest {
                match std::str::from_utf8(id)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                {
                    Some(id) if id > 0 => v.push(id),
                    _ => return Reply::error("ERR Invalid client ID"),
                }
            }
            ids = Some(v);
        }
        _ => return Reply::error(msg::SYNTAX),
    }
    let mut out = String::new();
    for other in c.shared.server.clients.list() {
        if ids.as_ref().is_some_and(|ids| !ids.contains(&other.id)) {
            continue;
        }
        let own = other.id == c.client.id;
        let pubsub = own && c.subscription_counts() != (0, 0);
        if kind.is_some_and(|want| want != pubsub) {
            continue;
        }
        if own {
            out.push_str(&c.info_line());
        } else {
            out.push_str(&line(&other, 0, 0, -1, 0));
        }
        out.push('\n');
    }
    Reply::bulk(out)
}

/// TYPE's argument: whether it selects pub/sub clients; master and replica select none
/// (there are none in process), spelled as Redis accepts them.
fn type_filter(v: &[u8]) -> Result<bool, Reply> {
    match () {
        () if is(v, "normal") => Ok(false),
        () if is(v, "pubsub") => Ok(true),
        () if is(v, "master") || is(v, "replica") || is(v, "slave") => Ok(true),
        () => Err(Reply::error(format!(
            "ERR Unknown client type '{}'",
            String::from_utf8_lossy(v)
        ))),
    }
}

/// What CLIENT KILL's filters select.
#[derive(Default)]
struct Filter {
    id: Option<u64>,
    addr: Option<String>,
    user: Option<String>,
    pubsub: Option<bool>,
    skip_me: bool,
}

/// `CLIENT KILL addr` (old form: OK or an error) or `CLIENT KILL <filter> <value> ...`
/// (the number killed).
fn kill(c: &Connection, opts: &[&[u8]]) -> Reply {
    if let [addr] = opts {
        let addr = String::from_utf8_lossy(addr).into_owned();
        let me = c.client.id;
        let n = c
            .shared
            .server
            .clients
            .kill(|o| o.addr() == addr && o.id != me);
        return if n == 0 {
            Reply::error("ERR No such client")
        } else {
            Reply::ok()
        };
    }
    let filter = match parse_filter(opts) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let me = c.client.id;
    let n = c.shared.server.clients.kill(|o| {
        !(filter.skip_me && o.id == me)
            && filter.id.is_none_or(|id| id == o.id)
            && filter.addr.as_ref().is_none_or(|a| *a == o.addr())
            && filter.user.as_ref().is_none_or(|u| u == "default")
            // Only the caller's own subscriptions are known here: others count as normal.
            && filter.pubsub.is_none_or(|p| p == (o.id == me && c.subscription_counts() != (0, 0)))
    });
    Reply::from_len(n)
}

fn parse_filter(opts: &[&[u8]]) -> Result<Filter, Reply> {
    let mut f = Filter {
        skip_me: true,
        ..Filter::default()
    };
    if opts.len() % 2 != 0 {
        return Err(Reply::error(msg::SYNTAX));
    }
    for pair in opts.chunks_exact(2) {
        let (k, v) = (pair[0], pair[1]);
        let text = || String::from_utf8_lossy(v).into_owned();
        match () {
            () if is(k, "id") => {
                let id = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok());
                match id {
                    Some(id) if id > 0 => f.id = Some(id),
                    _ => return Err(Reply::error("ERR client-id should be greater than 0")),
                }
            }
            () if is(k, "addr") => f.addr = Some(text()),
            () if is(k, "laddr") => {
                if text() != "inproc" {
                    f.id = Some(0);
                }
            }
            () if is(k, "user") => f.user = Some(text()),
            () if is(k, "type") => f.pubsub = Some(type_filter(v)?),
            () if is(k, "skipme") => {
                f.skip_me = match () {
                    () if is(v, "yes") => true,
                    () if is(v, "no") => false,
                    () => return Err(Reply::error(msg::SYNTAX)),
                };
            }
            () => return Err(Reply::error(msg::SYNTAX)),
        }
    }
    Ok(f)
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`: RESP2 only. HELLO 3 answers
/// `NOPROTO`, as a server without RESP3 would, so clients fall back to RESP2.
pub(super) fn hello(c: &mut Connection, a: &[&[u8]]) -> Reply {
    let mut rest = &a[1..];
    if let Some((ver, tail)) = rest.split_first() {
        let ver = std::str::from_utf8(ver)
            .ok()
            .and_then(|s| s.parse::<i64>().ok());
        match ver {
            Some(2) => {}
            // RESP3 is not spoken (Reply has no RESP3 types yet): Redis's answer to a
            // version it does not speak.
            Some(_) => return Reply::error("NOPROTO unsupported protocol version"),
            None => return Reply::error("ERR Protocol version is not an integer or out of range"),
        }
        rest = tail;
    }
    let mut name = None;
    while let Some((opt, tail)) = rest.split_first() {
        match (tail, ()) {
            ([user, _pass, more @ ..], ()) if is(opt, "auth") => {
                // The default user has no password in process: any password is accepted
                // for it, as Redis's `nopass` default user accepts any.
                if !is(user, "default") {
                    return Reply::error(
                        "WRONGPASS invalid username-password pair or user is disabled.",
                    );
                }
                rest = more;
            }
            ([n, more @ ..], ()) if is(opt, "setname") => {
                if !valid_name(n) {
                    return Reply::error(
                        "ERR Client names cannot contain spaces, newlines or special characters.",
                    );
                }
                name = Some(*n);
                rest = more;
            }
            _ => {
                let opt = String::from_utf8_lossy(opt);
                return Reply::error(format!("ERR Syntax error in HELLO option '{opt}'"));
            }
        }
    }
    if let Some(n) = name {
        let _ = setname(&c.client, n);
    }
    let id = i64::try_from(c.client.id).unwrap_or(i64::MAX);
    Reply::Array(vec![
        Reply::bulk("server"),
        Reply::bulk("redis"),
        Reply::bulk("version"),
        Reply::bulk(crate::server::REDIS_VERSION),
        Reply::bulk("proto"),
        Reply::Integer(2),
        Reply::bulk("id"),
        Reply::Integer(id),
        Reply::bulk("mode"),
        Reply::bulk("standalone"),
        Reply::bulk("role"),
        Reply::bulk("master"),
        Reply::bulk("modules"),
        Reply::Array(Vec::new()),
    ])
}
