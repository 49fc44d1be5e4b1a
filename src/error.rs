//! [`Error`], the typed API's error, and the exact Redis reply texts the commands use.

use std::fmt;

/// Errors of the typed API (`store.get::<i64>(..)`, `store.transaction(..)`, `Script`).
///
/// `execute` never returns this: it answers with [`Reply::Error`](crate::Reply::Error).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{Error, Store};
///
/// let store = Store::new();
/// store.set("k", "not a number")?;
/// match store.incr_by("k", 1) {
///     Err(Error::Reply(text)) => assert_eq!(text, "ERR value is not an integer or out of range"),
///     other => panic!("unexpected {other:?}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The command replied with an error; the full Redis text (code first).
    Reply(String),
    /// The reply had a shape the requested Rust type cannot hold (e.g. nil into `i64`).
    Conversion(String),
    /// `Store::transaction` saw a watched key change on every attempt and gave up.
    RetriesExhausted {
        /// How many times the closure ran.
        attempts: u32,
    },
    /// A `transaction` closure panicked; nothing it queued was applied.
    ClosurePanicked(String),
    /// A transaction committed, but the queued command at `index` (0-based) failed while
    /// EXEC ran, e.g. WRONGTYPE. Redis has no rollback: every other queued command **was**
    /// applied.
    PartiallyApplied {
        /// Position of the first failed command in the queue.
        index: usize,
        /// Its error reply, in full Redis text.
        error: String,
    },
    /// A [`Subscriber`](crate::Subscriber) fell a whole buffer of messages behind and was
    /// disconnected (its buffered messages dropped, its subscriptions ended), as Redis
    /// disconnects a pub/sub client past its output-buffer limit.
    SubscriberOverflow {
        /// The buffer limit in bytes (`Config::pubsub_buffer_limit`).
        limit: usize,
    },
    /// The store was dropped: nothing more will arrive.
    Closed,
    /// A persistence file could not be read or written: the text names the file and, for
    /// damaged data, the byte offset (`<file>: bad RDB data at byte <n>: <what>`).
    Persistence(String),
}

/// What kind of error an [`Error`] is, to match on without comparing texts.
///
/// Error replies map by their code (the first word of Redis's text); a code without a
/// variant of its own is [`ErrorKind::Other`] (the code is still in [`Error::code`]).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{ErrorKind, Store};
///
/// let store = Store::new();
/// store.rpush("l", &["a"])?;
/// match store.get::<String>("l") {
///     Err(e) if e.kind() == ErrorKind::WrongType => {} // a list, not a string
///     other => panic!("expected WRONGTYPE, got {other:?}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `ERR`: Redis's generic error (syntax, range, arity, ...).
    Generic,
    /// `WRONGTYPE`: the key holds another type.
    WrongType,
    /// `NOSCRIPT`: EVALSHA of a script that is not cached.
    NoScript,
    /// `EXECABORT`: EXEC refused because a command was rejected while queued.
    ExecAbort,
    /// `BUSYKEY`: the target key exists.
    BusyKey,
    /// `NOTBUSY`: SCRIPT KILL with no script running.
    NotBusy,
    /// `UNKILLABLE`: SCRIPT KILL of a script that already wrote.
    Unkillable,
    /// `OOM`: the memory limit refused a write.
    OutOfMemory,
    /// `CROSSSLOT`: keys of one request hash to different cluster slots.
    CrossSlot,
    /// Another error code.
    Other,
    /// The reply could not be converted to the requested type.
    Conversion,
    /// [`Error::RetriesExhausted`].
    RetriesExhausted,
    /// [`Error::ClosurePanicked`].
    ClosurePanicked,
    /// [`Error::SubscriberOverflow`].
    SubscriberOverflow,
    /// [`Error::Closed`].
    Closed,
    /// [`Error::Persistence`].
    Persistence,
}

impl Error {
    /// The Redis error code (`WRONGTYPE`, `NOSCRIPT`, `ERR`, ...) of an error reply, the
    /// failed queued command's included; `None` for errors that are not replies.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.rpush("list", &["a"])?;
    /// let err = store.get::<String>("list").unwrap_err();
    /// assert_eq!(err.code(), Some("WRONGTYPE"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Reply(text) | Error::PartiallyApplied { error: text, .. } => {
                text.split(' ').next()
            }
            _ => None,
        }
    }

    /// The error's kind, for matching.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{ErrorKind, Script, Store};
    ///
    /// let store = Store::new();
    /// let err = store.set("k", "x").and_then(|()| store.incr_by("k", 1)).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Generic);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Conversion(_) => ErrorKind::Conversion,
            Error::RetriesExhausted { .. } => ErrorKind::RetriesExhausted,
            Error::ClosurePanicked(_) => ErrorKind::ClosurePanicked,
            Error::SubscriberOverflow { .. } => ErrorKind::SubscriberOverflow,
            Error::Closed => ErrorKind::Closed,
            Error::Persistence(_) => ErrorKind::Persistence,
            _ => match self.code().unwrap_or_default() {
                "ERR" => ErrorKind::Generic,
                "WRONGTYPE" => ErrorKind::WrongType,
                "NOSCRIPT" => ErrorKind::NoScript,
                "EXECABORT" => ErrorKind::ExecAbort,
                "BUSYKEY" => ErrorKind::BusyKey,
                "NOTBUSY" => ErrorKind::NotBusy,
                "UNKILLABLE" => ErrorKind::Unkillable,
                "OOM" => ErrorKind::OutOfMemory,
                "CROSSSLOT" => ErrorKind::CrossSlot,
                _ => ErrorKind::Other,
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Reply(text) => f.write_str(text),
            Error::Conversion(what) => write!(f, "reply conversion failed: {what}"),
            Error::RetriesExhausted { attempts } => write!(
                f,
                "transaction aborted: a watched key changed on each of {attempts} attempts"
            ),
            Error::ClosurePanicked(msg) => write!(f, "transaction closure panicked: {msg}"),
            Error::SubscriberOverflow { limit } => write!(
                f,
                "subscriber disconnected: more than {limit} bytes of messages were waiting"
            ),
            Error::Closed => f.write_str("the store was dropped"),
            Error::Persistence(what) => f.write_str(what),
            Error::PartiallyApplied { index, error } => write!(
                f,
                "transaction committed without rollback, but queued command {index} failed: {error}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Redis's reply texts, byte for byte (see shared/reference/redis-semantics.md §4).
pub(crate) mod msg {
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const NOT_INT: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
    pub const DECR_OVERFLOW: &str = "ERR decrement would overflow";
    pub const NAN_OR_INF: &str = "ERR increment would produce NaN or Infinity";
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const INDEX_RANGE: &str = "ERR index out of range";
    pub const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";
    pub const TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    /// `getIntFromObjectOrReply`'s range error (sic: "must between").
    pub const INT32_RANGE: &str =
        "ERR value is out of range, value must between -2147483648 and 2147483647";
    pub const DB_RANGE: &str = "ERR DB index is out of range";
    pub const OFFSET_RANGE: &str = "ERR offset is out of range";
    pub const NOSCRIPT: &str = "NOSCRIPT No matching script. Please use EVAL.";
    pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

    /// `ERR wrong number of arguments for '<name>' command`.
    pub fn arity(name: &str) -> String {
        format!("ERR wrong number of arguments for '{name}' command")
    }

    /// `ERR invalid expire time in '<name>' command`.
    pub fn expire_time(name: &str) -> String {
        format!("ERR invalid expire time in '{name}' command")
    }

    /// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `, built as Redis
    /// builds it: C strings (each stops at a NUL byte), the name cut at 128 bytes, and args
    /// added while the list (quotes and spaces included) is under 128 bytes, the last one cut
    /// to what is left.
    pub fn unknown_command(name: &[u8], args: &[&[u8]]) -> String {
        let mut list: Vec<u8> = Vec::new();
        for arg in args {
            if list.len() >= 128 {
                break;
            }
            let room = 128 - list.len();
            list.push(b'\'');
            list.extend_from_slice(c_prefix(arg, room));
            list.extend_from_slice(b"' ");
        }
        let mut out = b"unknown command '".to_vec();
        out.extend_from_slice(c_prefix(name, 128));
        out.extend_from_slice(b"', with args beginning with: ");
        out.extend_from_slice(&list);
        format!("ERR {}", one_line(&out))
    }

    /// What C's `%.*s` prints: up to `max` bytes, stopping at a NUL.
    fn c_prefix(bytes: &[u8], max: usize) -> &[u8] {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        &bytes[..end.min(max)]
    }

    // Redis replaces newlines so the error stays on one RESP line.
    /// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    pub fn unknown_subcommand(sub: &[u8], cmd: &str) -> String {
        let sub = one_line(c_prefix(sub, 128));
        format!("ERR unknown subcommand '{sub}'. Try {cmd} HELP.")
    }

    fn one_line(bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes).into_owned();
        crate::reply::one_line(text.into()).into_owned()
    }
}
