//! Typed blocking pops, waiting on the calling thread (on `Store` and `Connection`) or as
//! futures (`*_async`, on `Store`).
//!
//! Timeouts are `Duration`s sent as Redis's decimal seconds; `Duration::ZERO` waits forever,
//! as Redis's `0` does. Deadlines follow the store's [`Clock`](crate::Clock).

use std::time::Duration;

use super::blocking_pop::BlockingPop;
use crate::commands::blocking::wait::BlockingCall;
use crate::convert::ToArg;
use crate::store::Store;

/// A `Duration` as decimal seconds, rounded up to whole milliseconds as Redis rounds any
/// timeout: `0`, `5` or `1.250`, a form the command parses without its long-double path.
pub(crate) fn seconds(d: Duration) -> String {
    let ms = d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 != 0);
    let (secs, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        secs.to_string()
    } else {
        let mut out = secs.to_string();
        out.push('.');
        // Three digits, leading zeros kept: 5 ms is `.005`.
        for div in [100, 10, 1] {
            out.push(char::from(
                b'0' + u8::try_from(frac / div % 10).unwrap_or(0),
            ));
        }
        out
    }
}

/// `name key... tail...` as an argument vector.
pub(crate) fn argv<K: ToArg>(name: &str, keys: &[K], tail: &[&dyn ToArg]) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(1 + keys.len() + tail.len());
    out.push(name.as_bytes().to_vec());
    out.extend(keys.iter().map(|k| k.to_arg().into_owned()));
    out.extend(tail.iter().map(|a| a.to_arg().into_owned()));
    out
}

pub(crate) fn side(left: bool) -> &'static str {
    if left { "LEFT" } else { "RIGHT" }
}

/// Expands the blocking methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! blocking_methods {
    ([$($r:tt)*] $s:ident) => {
        /// BLPOP: pops the head of the first non-empty list of `keys` (in argument order),
        /// waiting up to `timeout` (`Duration::ZERO`: forever) for one to get an element.
        /// Returns `[key, element]`, e.g. as `Option<(String, String)>` (`None` on timeout).
        ///
        /// Blocking: the calling thread sleeps (no polling) until a write serves it or the
        /// deadline passes by the store's clock; waiters on a key are served first come,
        /// first served. Inside MULTI (on a connection) it is queued and never blocks.
        ///
        /// # Errors
        ///
        /// WRONGTYPE when the first existing key is not a list; Redis's timeout errors.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.rpush("q2", &["job"])?;
        /// let got: Option<(String, String)> = store.blpop(&["q1", "q2"], Duration::from_secs(1))?;
        /// assert_eq!(got, Some(("q2".into(), "job".into())));
        /// # Ok(())
        /// # }
        /// ```
        pub fn blpop<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K], timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            // Sized for the timeout too: a collect then push would reallocate every call.
            let mut args: Vec<&dyn $crate::ToArg> = Vec::with_capacity(keys.len() + 1);
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.push(&t);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BLPOP"), "BLPOP"), &args)
        }

        /// BRPOP: as [`blpop`](Self::blpop), from the tail.
        ///
        /// # Errors
        ///
        /// As [`blpop`](Self::blpop).
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.rpush("q", &["a", "b"])?;
        /// let got: Option<(String, String)> = store.brpop(&["q"], Duration::ZERO)?;
        /// assert_eq!(got, Some(("q".into(), "b".into())));
        /// # Ok(())
        /// # }
        /// ```
        pub fn brpop<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K], timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            // Sized for the timeout too: a collect then push would reallocate every call.
            let mut args: Vec<&dyn $crate::ToArg> = Vec::with_capacity(keys.len() + 1);
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.push(&t);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BRPOP"), "BRPOP"), &args)
        }

        /// BLMOVE: moves an element from one end of `src` (`from_left`) to an end of `dst`
        /// (`to_left`), waiting up to `timeout` for `src` to hold one; the element, or
        /// `None` on timeout. The move is atomic, as LMOVE's.
        ///
        /// # Errors
        ///
        /// WRONGTYPE when `src` or `dst` is not a list; Redis's timeout errors.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.rpush("todo", &["t1"])?;
        /// let t: Option<String> = store.blmove("todo", "doing", true, false, Duration::ZERO)?;
        /// assert_eq!(t.as_deref(), Some("t1"));
        /// assert_eq!(store.llen("doing")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn blmove<T: $crate::FromReply>($($r)* $s, src: impl $crate::ToArg, dst: impl $crate::ToArg, from_left: bool, to_left: bool, timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            let (from, to) = ($crate::typed::blocking::side(from_left), $crate::typed::blocking::side(to_left));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BLMOVE"), "BLMOVE"), &[&src, &dst, &from, &to, &t])
        }

        /// BRPOPLPUSH: [`blmove`](Self::blmove) from the tail of `src` to the head of `dst`.
        ///
        /// # Errors
        ///
        /// As [`blmove`](Self::blmove).
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.rpush("src", &["a", "b"])?;
        /// let moved: Option<String> = store.brpoplpush("src", "dst", Duration::ZERO)?;
        /// assert_eq!(moved.as_deref(), Some("b"));
        /// # Ok(())
        /// # }
        /// ```
        pub fn brpoplpush<T: $crate::FromReply>($($r)* $s, src: impl $crate::ToArg, dst: impl $crate::ToArg, timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BRPOPLPUSH"), "BRPOPLPUSH"), &[&src, &dst, &t])
        }

        /// BLMPOP: up to `count` elements from one end (`left`) of the first non-empty list
        /// of `keys`, waiting up to `timeout`; `[key, [elements]]`, e.g. as
        /// `Option<(String, Vec<String>)>`.
        ///
        /// # Errors
        ///
        /// WRONGTYPE, a zero count, Redis's timeout errors.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.rpush("q", &["a", "b", "c"])?;
        /// let got: Option<(String, Vec<String>)> = store.blmpop(&["q"], true, 2, Duration::ZERO)?;
        /// assert_eq!(got, Some(("q".into(), vec!["a".into(), "b".into()])));
        /// # Ok(())
        /// # }
        /// ```
        pub fn blmpop<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K], left: bool, count: usize, timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            let n = keys.len();
            let end = $crate::typed::blocking::side(left);
            let mut args: Vec<&dyn $crate::ToArg> = vec![&t, &n];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.extend([&end as &dyn $crate::ToArg, &"COUNT", &count]);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BLMPOP"), "BLMPOP"), &args)
        }

        /// BZPOPMIN: the lowest-scored member of the first non-empty sorted set of `keys`,
        /// waiting up to `timeout`; `[key, member, score]`, e.g. as
        /// `Option<(String, String, f64)>`.
        ///
        /// # Errors
        ///
        /// WRONGTYPE when the first existing key is not a sorted set; Redis's timeout errors.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.zadd("tasks", "later", 9.0)?;
        /// store.zadd("tasks", "soon", 1.0)?;
        /// let got: Option<(String, String, f64)> = store.bzpopmin(&["tasks"], Duration::ZERO)?;
        /// assert_eq!(got, Some(("tasks".into(), "soon".into(), 1.0)));
        /// # Ok(())
        /// # }
        /// ```
        pub fn bzpopmin<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K], timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            // Sized for the timeout too: a collect then push would reallocate every call.
            let mut args: Vec<&dyn $crate::ToArg> = Vec::with_capacity(keys.len() + 1);
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.push(&t);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BZPOPMIN"), "BZPOPMIN"), &args)
        }

        /// BZPOPMAX: as [`bzpopmin`](Self::bzpopmin), the highest-scored member.
        ///
        /// # Errors
        ///
        /// As [`bzpopmin`](Self::bzpopmin).
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.zadd("z", "a", 1.0)?;
        /// store.zadd("z", "b", 2.0)?;
        /// let got: Option<(String, String, f64)> = store.bzpopmax(&["z"], Duration::ZERO)?;
        /// assert_eq!(got, Some(("z".into(), "b".into(), 2.0)));
        /// # Ok(())
        /// # }
        /// ```
        pub fn bzpopmax<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K], timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            // Sized for the timeout too: a collect then push would reallocate every call.
            let mut args: Vec<&dyn $crate::ToArg> = Vec::with_capacity(keys.len() + 1);
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.push(&t);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BZPOPMAX"), "BZPOPMAX"), &args)
        }

        /// BZMPOP: up to `count` members from the low (`max` false) or high end of the
        /// first non-empty sorted set of `keys`, waiting up to `timeout`;
        /// `[key, [[member, score] ...]]`, e.g. as `Option<(String, Vec<(String, f64)>)>`.
        ///
        /// # Errors
        ///
        /// WRONGTYPE, a zero count, Redis's timeout errors.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        ///
        /// let store = redlite::Store::new();
        /// store.zadd("z", "a", 1.0)?;
        /// let got: Option<(String, Vec<(String, f64)>)> = store.bzmpop(&["z"], false, 5, Duration::ZERO)?;
        /// assert_eq!(got, Some(("z".into(), vec![("a".into(), 1.0)])));
        /// # Ok(())
        /// # }
        /// ```
        pub fn bzmpop<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K], max: bool, count: usize, timeout: std::time::Duration) -> Result<T, $crate::Error> {
            let t = $crate::typed::blocking::seconds(timeout);
            let n = keys.len();
            let end = if max { "MAX" } else { "MIN" };
            let mut args: Vec<&dyn $crate::ToArg> = vec![&t, &n];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.extend([&end as &dyn $crate::ToArg, &"COUNT", &count]);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("BZMPOP"), "BZMPOP"), &args)
        }
    };
}

/// The awaiting variants: each returns a [`BlockingPop`] future that never blocks the
/// thread polling it (see there for what dropping it does).
impl Store {
    fn blocking_call<T>(&self, argv: Vec<Vec<u8>>) -> BlockingPop<T> {
        BlockingPop::new(BlockingCall::new(self.shared.clone(), self.db, argv))
    }

    /// [`blpop`](Self::blpop), awaiting instead of blocking the thread.
    ///
    /// # Errors
    ///
    /// As [`blpop`](Self::blpop), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn blpop_async<T, K: ToArg>(&self, keys: &[K], timeout: Duration) -> BlockingPop<T> {
        self.blocking_call(argv("BLPOP", keys, &[&seconds(timeout)]))
    }

    /// [`brpop`](Self::brpop), awaiting.
    ///
    /// # Errors
    ///
    /// As [`brpop`](Self::brpop), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn brpop_async<T, K: ToArg>(&self, keys: &[K], timeout: Duration) -> BlockingPop<T> {
        self.blocking_call(argv("BRPOP", keys, &[&seconds(timeout)]))
    }

    /// [`blmove`](Self::blmove), awaiting.
    ///
    /// # Errors
    ///
    /// As [`blmove`](Self::blmove), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn blmove_async<T>(
        &self,
        src: impl ToArg,
        dst: impl ToArg,
        from_left: bool,
        to_left: bool,
        timeout: Duration,
    ) -> BlockingPop<T> {
        let tail: [&dyn ToArg; 4] = [&dst, &side(from_left), &side(to_left), &seconds(timeout)];
        self.blocking_call(argv("BLMOVE", &[src], &tail))
    }

    /// [`brpoplpush`](Self::brpoplpush), awaiting.
    ///
    /// # Errors
    ///
    /// As [`brpoplpush`](Self::brpoplpush), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn brpoplpush_async<T>(
        &self,
        src: impl ToArg,
        dst: impl ToArg,
        timeout: Duration,
    ) -> BlockingPop<T> {
        self.blocking_call(argv("BRPOPLPUSH", &[src], &[&dst, &seconds(timeout)]))
    }

    /// [`blmpop`](Self::blmpop), awaiting.
    ///
    /// # Errors
    ///
    /// As [`blmpop`](Self::blmpop), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn blmpop_async<T, K: ToArg>(
        &self,
        keys: &[K],
        left: bool,
        count: usize,
        timeout: Duration,
    ) -> BlockingPop<T> {
        let mut v = argv::<K>("BLMPOP", &[], &[&seconds(timeout), &keys.len()]);
        v.extend(keys.iter().map(|k| k.to_arg().into_owned()));
        v.extend(
            argv::<K>("", &[], &[&side(left), &"COUNT", &count])
                .into_iter()
                .skip(1),
        );
        self.blocking_call(v)
    }

    /// [`bzpopmin`](Self::bzpopmin), awaiting.
    ///
    /// # Errors
    ///
    /// As [`bzpopmin`](Self::bzpopmin), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn bzpopmin_async<T, K: ToArg>(&self, keys: &[K], timeout: Duration) -> BlockingPop<T> {
        self.blocking_call(argv("BZPOPMIN", keys, &[&seconds(timeout)]))
    }

    /// [`bzpopmax`](Self::bzpopmax), awaiting.
    ///
    /// # Errors
    ///
    /// As [`bzpopmax`](Self::bzpopmax), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn bzpopmax_async<T, K: ToArg>(&self, keys: &[K], timeout: Duration) -> BlockingPop<T> {
        self.blocking_call(argv("BZPOPMAX", keys, &[&seconds(timeout)]))
    }

    /// [`bzmpop`](Self::bzmpop), awaiting.
    ///
    /// # Errors
    ///
    /// As [`bzmpop`](Self::bzmpop), when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn bzmpop_async<T, K: ToArg>(
        &self,
        keys: &[K],
        max: bool,
        count: usize,
        timeout: Duration,
    ) -> BlockingPop<T> {
        let end = if max { "MAX" } else { "MIN" };
        let mut v = argv::<K>("BZMPOP", &[], &[&seconds(timeout), &keys.len()]);
        v.extend(keys.iter().map(|k| k.to_arg().into_owned()));
        v.extend(
            argv::<K>("", &[], &[&end, &"COUNT", &count])
                .into_iter()
                .skip(1),
        );
        self.blocking_call(v)
    }

    /// Any blocking command given as arguments (`["BLPOP", "q", "0"]`), awaiting; other
    /// commands run at once when first polled.
    ///
    /// # Errors
    ///
    /// The command's error reply, when the future completes.
    ///
    /// # Examples
    ///
    /// See [`BlockingPop`].
    pub fn execute_async<I>(&self, args: I) -> BlockingPop<crate::Reply>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        self.blocking_call(args.into_iter().map(|a| a.as_ref().to_vec()).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::seconds;

    #[test]
    fn timeouts_are_sent_in_whole_milliseconds_rounded_up() {
        assert_eq!(seconds(Duration::ZERO), "0");
        assert_eq!(seconds(Duration::from_secs(5)), "5");
        assert_eq!(seconds(Duration::from_millis(1250)), "1.250");
        assert_eq!(seconds(Duration::from_millis(5)), "0.005");
        assert_eq!(seconds(Duration::from_micros(1500)), "0.002");
        assert_eq!(seconds(Duration::from_nanos(1)), "0.001");
    }
}
