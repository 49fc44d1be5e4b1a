//! Conversions between Rust values and command arguments / replies.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use crate::error::Error;
use crate::numbers;
use crate::reply::Reply;

/// A value usable as a command argument: bytes, strings and numbers (as decimal text).
///
/// # Examples
///
/// ```
/// use redlite::ToArg;
///
/// assert_eq!(&*42i64.to_arg(), b"42");
/// assert_eq!(&*"key".to_arg(), b"key");
/// assert_eq!(&*1.5f64.to_arg(), b"1.5");
/// ```
pub trait ToArg {
    /// The argument's bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::ToArg;
    ///
    /// assert_eq!(&*(-7i32).to_arg(), b"-7");
    /// assert_eq!(&*b"raw".to_arg(), b"raw");
    /// ```
    fn to_arg(&self) -> Cow<'_, [u8]>;
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        (**self).to_arg()
    }
}

impl ToArg for str {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.as_bytes())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.as_bytes())
    }
}

impl ToArg for [u8] {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self)
    }
}

impl ToArg for Vec<u8> {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self)
    }
}

impl<const N: usize> ToArg for [u8; N] {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self)
    }
}

macro_rules! int_to_arg {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Cow<'_, [u8]> {
                Cow::Owned(self.to_string().into_bytes())
            }
        }
    )*};
}
int_to_arg!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl ToArg for f64 {
    /// The shortest decimal that reads back to the same double (Redis 7.2's rule).
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Owned(numbers::format_double(*self).into_bytes())
    }
}

impl ToArg for f32 {
    fn to_arg(&self) -> Cow<'_, [u8]> {
        Cow::Owned(numbers::format_double(f64::from(*self)).into_bytes())
    }
}

/// A Rust type a reply converts into. Error replies become [`Error::Reply`] before any
/// conversion; a nil reply converts only into `Option`, `()`, `Vec` (empty) or [`Reply`].
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{FromReply, Reply};
///
/// assert_eq!(i64::from_reply(Reply::bulk("12"))?, 12);
/// assert_eq!(Option::<String>::from_reply(Reply::Nil)?, None);
/// let pairs = Reply::Array(vec![Reply::bulk("a"), Reply::bulk("1")]);
/// let map: std::collections::HashMap<String, i64> = FromReply::from_reply(pairs)?;
/// assert_eq!(map["a"], 1);
/// # Ok(())
/// # }
/// ```
pub trait FromReply: Sized {
    /// Converts a non-error reply.
    ///
    /// # Errors
    ///
    /// [`Error::Conversion`] when the reply's shape or value does not fit `Self` (nil into
    /// a non-`Option`, text into a number, an integer out of range); an error reply inside
    /// an array becomes [`Error::Reply`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{FromReply, Reply};
    ///
    /// assert_eq!(bool::from_reply(Reply::Integer(1))?, true);
    /// assert!(i64::from_reply(Reply::Nil).is_err());
    /// # Ok(())
    /// # }
    /// ```
    fn from_reply(reply: Reply) -> Result<Self, Error>;

    /// A bulk reply as a vector of `Self`: only `u8` accepts it (so `Vec<u8>` reads bulk
    /// bytes while `Vec<T>` reads arrays).
    #[doc(hidden)]
    #[must_use]
    fn from_bulk_vec(bytes: Vec<u8>) -> Option<Vec<Self>> {
        drop(bytes);
        None
    }
}

/// Turns an error reply into `Err`, then converts.
pub(crate) fn convert<T: FromReply>(reply: Reply) -> Result<T, Error> {
    match reply {
        Reply::Error(text) => Err(Error::Reply(text.into_owned())),
        other => T::from_reply(other),
    }
}

fn mismatch<T>(reply: &Reply, into: &str) -> Result<T, Error> {
    Err(Error::Conversion(format!(
        "cannot convert {reply} into {into}"
    )))
}

impl FromReply for Reply {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        Ok(reply)
    }
}

impl FromReply for () {
    fn from_reply(_: Reply) -> Result<Self, Error> {
        Ok(())
    }
}

impl FromReply for i64 {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match &reply {
            Reply::Integer(n) => Ok(*n),
            Reply::Bulk(b) => numbers::parse_i64(b).map_or_else(|| mismatch(&reply, "i64"), Ok),
            Reply::Status(s) => s.parse().or_else(|_| mismatch(&reply, "i64")),
            _ => mismatch(&reply, "i64"),
        }
    }
}

macro_rules! int_from_reply {
    ($($t:ty),*) => {$(
        impl FromReply for $t {
            fn from_reply(reply: Reply) -> Result<Self, Error> {
                let wide = i64::from_reply(reply)?;
                <$t>::try_from(wide).map_err(|_| {
                    Error::Conversion(format!("{wide} does not fit in {}", stringify!($t)))
                })
            }
        }
    )*};
}
int_from_reply!(i8, i16, i32, isize, u16, u32);

/// Unsigned 64-bit values above `i64::MAX` are stored as their decimal text (`ToArg`), so a
/// bulk reads back through the full `u64` range; an integer reply is still an `i64`.
fn u64_from_reply(reply: &Reply, into: &str) -> Result<u64, Error> {
    match reply {
        Reply::Integer(n) => {
            u64::try_from(*n).map_err(|_| Error::Conversion(format!("{n} does not fit in {into}")))
        }
        Reply::Bulk(b) => parse_u64(b).map_or_else(|| mismatch(reply, into), Ok),
        Reply::Status(s) => parse_u64(s.as_bytes()).map_or_else(|| mismatch(reply, into), Ok),
        _ => mismatch(reply, into),
    }
}

/// Decimal digits only, without a sign or leading zeros (the text `u64::to_string` makes,
/// as strict as Redis's own integer parsing is for `i64`).
fn parse_u64(bytes: &[u8]) -> Option<u64> {
    let canonical = match bytes {
        [b'0'] => true,
        [first, ..] => (b'1'..=b'9').contains(first) && bytes.iter().all(u8::is_ascii_digit),
        [] => false,
    };
    if !canonical {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

impl FromReply for u64 {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        u64_from_reply(&reply, "u64")
    }
}

impl FromReply for usize {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        let wide = u64_from_reply(&reply, "usize")?;
        usize::try_from(wide)
            .map_err(|_| Error::Conversion(format!("{wide} does not fit in usize")))
    }
}

impl FromReply for u8 {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        let wide = i64::from_reply(reply)?;
        u8::try_from(wide).map_err(|_| Error::Conversion(format!("{wide} does not fit in u8")))
    }

    fn from_bulk_vec(bytes: Vec<u8>) -> Option<Vec<u8>> {
        Some(bytes)
    }
}

impl FromReply for f64 {
    #[allow(
        clippy::cast_precision_loss,
        reason = "an integer reply read as f64 rounds to the nearest double, as `as` documents"
    )]
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match &reply {
            Reply::Integer(n) => Ok(*n as f64),
            Reply::Bulk(b) => numbers::parse_double(b).map_or_else(|| mismatch(&reply, "f64"), Ok),
            _ => mismatch(&reply, "f64"),
        }
    }
}

impl FromReply for bool {
    /// Integers: non-zero is true; statuses: `OK` is true; nil is false.
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match &reply {
            Reply::Integer(n) => Ok(*n != 0),
            Reply::Status(_) => Ok(true),
            Reply::Nil | Reply::NilArray => Ok(false),
            Reply::Bulk(b) => Ok(b.as_slice() == b"1"),
            _ => mismatch(&reply, "bool"),
        }
    }
}

impl FromReply for String {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Bulk(b) => String::from_utf8(b)
                .map_err(|_| Error::Conversion("bulk reply is not UTF-8".into())),
            Reply::Status(s) => Ok(s.into_owned()),
            Reply::Integer(n) => Ok(n.to_string()),
            other => mismatch(&other, "String"),
        }
    }
}

impl<T: FromReply> FromReply for Option<T> {
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Nil | Reply::NilArray => Ok(None),
            other => T::from_reply(other).map(Some),
        }
    }
}

impl<T: FromReply> FromReply for Vec<T> {
    /// From an array (element by element); nil is the empty vector; `Vec<u8>` also reads
    /// a bulk, status or integer reply as its bytes.
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Array(items) => items.into_iter().map(convert).collect(),
            Reply::Nil | Reply::NilArray => Ok(Vec::new()),
            Reply::Bulk(b) => {
                T::from_bulk_vec(b).ok_or_else(|| Error::Conversion("bulk into Vec".into()))
            }
            Reply::Status(s) => T::from_bulk_vec(s.into_owned().into_bytes())
                .ok_or_else(|| Error::Conversion("status into Vec".into())),
            Reply::Integer(n) => T::from_bulk_vec(n.to_string().into_bytes())
                .ok_or_else(|| Error::Conversion("integer into Vec".into())),
            other => mismatch(&other, "Vec"),
        }
    }
}

impl<A: FromReply, B: FromReply> FromReply for (A, B) {
    /// From a two-element array.
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Array(items) if items.len() == 2 => {
                let mut it = items.into_iter();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => Ok((convert(a)?, convert(b)?)),
                    _ => Err(Error::Conversion("pair".into())),
                }
            }
            other => mismatch(&other, "a pair"),
        }
    }
}

impl<A: FromReply, B: FromReply, C: FromReply> FromReply for (A, B, C) {
    /// From a three-element array (BZPOPMIN's `[key, member, score]`).
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Array(items) if items.len() == 3 => {
                let mut it = items.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(a), Some(b), Some(c)) => Ok((convert(a)?, convert(b)?, convert(c)?)),
                    _ => Err(Error::Conversion("triple".into())),
                }
            }
            other => mismatch(&other, "a triple"),
        }
    }
}

impl<K, V, S> FromReply for HashMap<K, V, S>
where
    K: FromReply + Eq + Hash,
    V: FromReply,
    S: BuildHasher + Default,
{
    /// From a flat array of alternating keys and values (HGETALL, CONFIG GET ...).
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        let items = match reply {
            Reply::Array(items) if items.len() % 2 == 0 => items,
            Reply::Nil | Reply::NilArray => Vec::new(),
            other => return mismatch(&other, "HashMap"),
        };
        let mut map = HashMap::with_capacity_and_hasher(items.len() / 2, S::default());
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            map.insert(convert(k)?, convert(v)?);
        }
        Ok(map)
    }
}

impl<T, S> FromReply for HashSet<T, S>
where
    T: FromReply + Eq + Hash,
    S: BuildHasher + Default,
{
    /// From an array (SMEMBERS, SINTER ...); nil is the empty set.
    fn from_reply(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Array(items) => items.into_iter().map(convert).collect(),
            Reply::Nil | Reply::NilArray => Ok(HashSet::default()),
            other => mismatch(&other, "HashSet"),
        }
    }
}

/// Pairs from a flat array `[m1, s1, m2, s2 ...]` (ZRANGE WITHSCORES and the like).
///
/// # Errors
///
/// [`Error::Reply`] for an error reply; [`Error::Conversion`] for anything but an array of
/// even length (or nil), or an element that does not convert.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{pairs, Reply};
///
/// let flat = Reply::Array(vec![Reply::bulk("a"), Reply::bulk("1.5")]);
/// let v: Vec<(String, f64)> = pairs(flat)?;
/// assert_eq!(v, vec![("a".to_string(), 1.5)]);
/// # Ok(())
/// # }
/// ```
pub fn pairs<A: FromReply, B: FromReply>(reply: Reply) -> Result<Vec<(A, B)>, Error> {
    let items = match reply {
        Reply::Array(items) if items.len() % 2 == 0 => items,
        Reply::Nil | Reply::NilArray => Vec::new(),
        Reply::Error(e) => return Err(Error::Reply(e.into_owned())),
        other => return mismatch(&other, "pairs"),
    };
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        out.push((convert(a)?, convert(b)?));
    }
    Ok(out)
}
