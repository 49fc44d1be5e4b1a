//! Typed sorted set commands.

/// The `# Errors` section of every typed zset method.
macro_rules! zset_errors {
    () => {
        errors_doc!(
            "`WRONGTYPE` when the key holds another type; for ZINCRBY, a sum that is not a number (`ERR resulting score is not a number (NaN)`)"
        )
    };
}

/// Expands the sorted set methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! zset_methods {
    ([$($r:tt)*] $s:ident) => {
        /// ZADD `member` with `score`: true when the member is new.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert!(store.zadd("board", "alice", 10.0)?);
        /// assert!(!store.zadd("board", "alice", 12.0)?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zadd($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg, score: f64) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZADD"), "ZADD"), &[&key, &score, &member])
        }

        /// ZINCRBY: adds `by` to the member's score (0 when new); returns the new score.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.zincr_by("board", "bob", 2.5)?, 2.5);
        /// assert_eq!(store.zincr_by("board", "bob", 1.0)?, 3.5);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zincr_by($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg, by: f64) -> Result<f64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZINCRBY"), "ZINCRBY"), &[&key, &by, &member])
        }

        /// ZSCORE: the member's score, `None` when absent.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "m", 1.5)?;
        /// assert_eq!(store.zscore("z", "m")?, Some(1.5));
        /// assert_eq!(store.zscore("z", "other")?, None);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zscore($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<Option<f64>, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZSCORE"), "ZSCORE"), &[&key, &member])
        }

        /// ZRANK: the member's 0-based rank by ascending score, `None` when absent.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "low", 1.0)?;
        /// store.zadd("z", "high", 9.0)?;
        /// assert_eq!(store.zrank("z", "high")?, Some(1));
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrank($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<Option<usize>, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZRANK"), "ZRANK"), &[&key, &member])
        }

        /// ZREM: removes members; returns how many were there.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "a", 1.0)?;
        /// assert_eq!(store.zrem("z", &["a", "b"])?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrem<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZREM"), "ZREM"), &args)
        }

        /// ZCARD: the number of members (0 when missing).
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "a", 1.0)?;
        /// assert_eq!(store.zcard("z")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zcard($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZCARD"), "ZCARD"), &[&key])
        }

        /// ZRANGE by rank `start..=stop` (negative counts from the end), members only.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "b", 2.0)?;
        /// store.zadd("z", "a", 1.0)?;
        /// assert_eq!(store.zrange::<Vec<String>>("z", 0, -1)?, ["a", "b"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrange<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, start: i64, stop: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZRANGE"), "ZRANGE"), &[&key, &start, &stop])
        }

        /// ZRANGE … WITHSCORES: `(member, score)` pairs by ascending score.
        ///
        #[doc = zset_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("board", "bob", 3.0)?;
        /// store.zadd("board", "amy", 7.5)?;
        /// let top: Vec<(String, f64)> = store.zrange_withscores("board", 0, -1)?;
        /// assert_eq!(top, [("bob".to_string(), 3.0), ("amy".to_string(), 7.5)]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrange_withscores<M: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, start: i64, stop: i64) -> Result<Vec<(M, f64)>, $crate::Error> {
            let reply: $crate::Reply = $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZRANGE"), "ZRANGE"), &[&key, &start, &stop, &"WITHSCORES"])?;
            $crate::pairs(reply)
        }
        /// ZREVRANGE by rank `start..=stop` from the highest score (negative counts from
        /// the end), members only.
        ///
        /// # Errors
        ///
        /// WRONGTYPE, or a reply `T` cannot hold.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "low", 1.0)?;
        /// store.zadd("z", "high", 9.0)?;
        /// assert_eq!(store.zrevrange::<Vec<String>>("z", 0, -1)?, ["high", "low"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrevrange<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, start: i64, stop: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZREVRANGE"), "ZREVRANGE"), &[&key, &start, &stop])
        }

        /// ZREVRANGE … WITHSCORES: `(member, score)` pairs from the highest score.
        ///
        /// # Errors
        ///
        /// WRONGTYPE, or members `M` cannot hold.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("board", "bob", 3.0)?;
        /// store.zadd("board", "amy", 7.5)?;
        /// let top: Vec<(String, f64)> = store.zrevrange_withscores("board", 0, 0)?;
        /// assert_eq!(top, [("amy".to_string(), 7.5)]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrevrange_withscores<M: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, start: i64, stop: i64) -> Result<Vec<(M, f64)>, $crate::Error> {
            let reply: $crate::Reply = $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZREVRANGE"), "ZREVRANGE"), &[&key, &start, &stop, &"WITHSCORES"])?;
            $crate::pairs(reply)
        }

        /// ZREVRANK: the member's 0-based rank by descending score, `None` when absent.
        ///
        /// # Errors
        ///
        /// WRONGTYPE.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "low", 1.0)?;
        /// store.zadd("z", "high", 9.0)?;
        /// assert_eq!(store.zrevrank("z", "high")?, Some(0));
        /// assert_eq!(store.zrevrank("z", "nobody")?, None);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zrevrank($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<Option<usize>, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZREVRANK"), "ZREVRANK"), &[&key, &member])
        }

        /// ZCOUNT: how many members score between `min` and `max`, inclusive. The bounds
        /// are numbers or Redis's range texts (`"-inf"`, `"+inf"`, `"(5"` for exclusive).
        ///
        /// # Errors
        ///
        /// WRONGTYPE, or `ERR min or max is not a float` for a bad bound.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("z", "a", 1.0)?;
        /// store.zadd("z", "b", 2.0)?;
        /// store.zadd("z", "c", 3.0)?;
        /// assert_eq!(store.zcount("z", 2, "+inf")?, 2);
        /// assert_eq!(store.zcount("z", "(1", "(3")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zcount($($r)* $s, key: impl $crate::ToArg, min: impl $crate::ToArg, max: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZCOUNT"), "ZCOUNT"), &[&key, &min, &max])
        }

        /// ZPOPMIN `key` `count`: removes and returns up to `count` members with the lowest
        /// scores, lowest first, with their scores (empty when the key is missing).
        ///
        /// # Errors
        ///
        /// WRONGTYPE, or members `M` cannot hold.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("jobs", "later", 20.0)?;
        /// store.zadd("jobs", "soon", 10.0)?;
        /// let next: Vec<(String, f64)> = store.zpopmin("jobs", 1)?;
        /// assert_eq!(next, [("soon".to_string(), 10.0)]);
        /// assert_eq!(store.zcard("jobs")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zpopmin<M: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: usize) -> Result<Vec<(M, f64)>, $crate::Error> {
            let reply: $crate::Reply = $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZPOPMIN"), "ZPOPMIN"), &[&key, &count])?;
            $crate::pairs(reply)
        }

        /// ZPOPMAX `key` `count`: removes and returns up to `count` members with the highest
        /// scores, highest first, with their scores (empty when the key is missing).
        ///
        /// # Errors
        ///
        /// WRONGTYPE, or members `M` cannot hold.
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.zadd("bids", "low", 1.0)?;
        /// store.zadd("bids", "high", 9.0)?;
        /// let best: Vec<(String, f64)> = store.zpopmax("bids", 5)?;
        /// assert_eq!(best, [("high".to_string(), 9.0), ("low".to_string(), 1.0)]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn zpopmax<M: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: usize) -> Result<Vec<(M, f64)>, $crate::Error> {
            let reply: $crate::Reply = $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("ZPOPMAX"), "ZPOPMAX"), &[&key, &count])?;
            $crate::pairs(reply)
        }
    };
}
