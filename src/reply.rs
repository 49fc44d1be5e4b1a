//! [`Reply`]: the value every command returns, shaped like RESP2.

use std::borrow::Cow;
use std::fmt;

/// A command's reply, mirroring RESP2.
///
/// `Status` and `Error` carry the full Redis text (`OK`, `WRONGTYPE Operation against a key
/// holding the wrong kind of value`). A null bulk string is [`Reply::Nil`]; where Redis
/// answers with a null *array* instead (EXEC aborted by WATCH, LPOP with a count on a missing
/// key, LMPOP/ZMPOP with nothing to pop) the reply is [`Reply::NilArray`], so anything
/// speaking RESP on top of redlite answers byte for byte. Code that does not care tests
/// [`Reply::is_nil`], which is true for both, and [`FromReply`](crate::FromReply) turns both
/// into `None`.
///
/// The enum is `#[non_exhaustive]`: RESP3's types may join it; match with a `_` arm.
///
/// # Examples
///
/// ```
/// use redlite::{Reply, Store};
///
/// let store = Store::new();
/// let mut conn = store.connection();
/// assert_eq!(conn.execute(["SET", "k", "v"]), Reply::ok());
/// assert_eq!(conn.execute(["GET", "k"]), Reply::Bulk(b"v".to_vec()));
/// assert_eq!(conn.execute(["GET", "missing"]), Reply::Nil);
/// let err = conn.execute(["INCR", "k"]);
/// assert_eq!(err.to_string(), "ERR value is not an integer or out of range");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reply {
    /// The null bulk string (`$-1`): GET of a missing key, ...
    Nil,
    /// The null array (`*-1`): EXEC aborted by WATCH, LPOP with a count on a missing key.
    NilArray,
    /// A simple string such as `OK` or `QUEUED`.
    Status(Cow<'static, str>),
    /// An error reply; the text starts with its code (`ERR`, `WRONGTYPE`, `NOSCRIPT` …).
    Error(Cow<'static, str>),
    /// A 64-bit signed integer.
    Integer(i64),
    /// A binary-safe bulk string.
    Bulk(Vec<u8>),
    /// An array of replies (possibly nested).
    Array(Vec<Reply>),
}

impl Reply {
    /// The `OK` status.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::Reply::ok().to_string(), "OK");
    /// ```
    #[must_use]
    pub const fn ok() -> Reply {
        Reply::Status(Cow::Borrowed("OK"))
    }

    /// A status reply with the given text. A status is one RESP line, so CR and LF become
    /// spaces, as Redis does for a script's `status_reply`.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::Reply;
    ///
    /// assert_eq!(Reply::status("QUEUED").to_string(), "QUEUED");
    /// assert_eq!(Reply::status("x\ny"), Reply::status("x y"));
    /// ```
    pub fn status(text: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Status(one_line(text.into()))
    }

    /// An error reply with the given full text (code first). Like a status it is one line:
    /// CR and LF become spaces.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = redlite::Reply::error("ERR syntax error");
    /// assert!(e.is_error());
    /// ```
    pub fn error(text: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Error(one_line(text.into()))
    }

    /// A bulk reply copied from bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::Reply::bulk("v"), redlite::Reply::Bulk(b"v".to_vec()));
    /// ```
    pub fn bulk(bytes: impl AsRef<[u8]>) -> Reply {
        Reply::Bulk(bytes.as_ref().to_vec())
    }

    /// True for both nulls, [`Reply::Nil`] and [`Reply::NilArray`].
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Reply, Store};
    ///
    /// let store = Store::new();
    /// assert!(store.execute(["GET", "missing"]).is_nil());
    /// assert!(store.execute(["LPOP", "missing", "2"]).is_nil());
    /// ```
    #[must_use]
    pub fn is_nil(&self) -> bool {
        matches!(self, Reply::Nil | Reply::NilArray)
    }

    /// The code of an error reply (`WRONGTYPE`, `NOSCRIPT`, `ERR`, ...), else `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// store.execute(["RPUSH", "l", "a"]);
    /// assert_eq!(store.execute(["GET", "l"]).error_code(), Some("WRONGTYPE"));
    /// ```
    #[must_use]
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Reply::Error(text) => text.split(' ').next(),
            _ => None,
        }
    }

    /// True for [`Reply::Error`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!redlite::Reply::Integer(1).is_error());
    /// ```
    #[must_use]
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The integer 0 or 1 for a boolean answer, as Redis replies.
    pub(crate) fn from_bool(b: bool) -> Reply {
        Reply::Integer(i64::from(b))
    }

    /// A length or a count as an integer reply. It always fits: no Rust allocation holds more
    /// than `isize::MAX` bytes, so no length reaches `i64::MAX` (saturating keeps it total).
    pub(crate) fn from_len(n: usize) -> Reply {
        Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Shows the reply as `redis-cli` would, on one line: statuses and errors as their text,
/// bulks as (lossy) UTF-8 in quotes, arrays in brackets.
/// The one rule for status and error texts, as Redis applies it to texts that echo user
/// input (`addReplyErrorFormat`, a script's `status_reply`/`error_reply`): a RESP simple
/// string ends at the first CR LF, so CR and LF become spaces.
pub(crate) fn one_line(text: Cow<'static, str>) -> Cow<'static, str> {
    if text.contains(['\r', '\n']) {
        Cow::Owned(text.replace(['\r', '\n'], " "))
    } else {
        text
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Nil | Reply::NilArray => f.write_str("(nil)"),
            Reply::Status(s) | Reply::Error(s) => f.write_str(s),
            Reply::Integer(n) => write!(f, "{n}"),
            Reply::Bulk(b) => write!(f, "{:?}", String::from_utf8_lossy(b)),
            Reply::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}
