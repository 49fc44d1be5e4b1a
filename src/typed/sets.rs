//! Typed set commands.

/// The `# Errors` section of every typed set method.
macro_rules! set_errors {
    () => {
        errors_doc!("`WRONGTYPE` when a key holds another type")
    };
}

/// Expands the set methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! set_methods {
    ([$($r:tt)*] $s:ident) => {
        /// SADD: adds members; returns how many were new.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.sadd("s", &["a", "b"])?, 2);
        /// assert_eq!(store.sadd("s", &["a"])?, 0);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sadd<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SADD"), "SADD"), &args)
        }

        /// SREM: removes members; returns how many existed. An emptied set is deleted.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a"])?;
        /// assert_eq!(store.srem("s", &["a", "b"])?, 1);
        /// assert!(!store.exists("s")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn srem<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SREM"), "SREM"), &args)
        }

        /// SISMEMBER: whether `member` is in the set.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &[1, 2])?;
        /// assert!(store.sismember("s", 2)?);
        /// assert!(!store.sismember("s", 3)?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sismember($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SISMEMBER"), "SISMEMBER"), &[&key, &member])
        }

        /// SMISMEMBER: membership of each given member.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a"])?;
        /// assert_eq!(store.smismember("s", &["a", "z"])?, vec![true, false]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn smismember<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<Vec<bool>, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SMISMEMBER"), "SMISMEMBER"), &args)
        }

        /// SCARD: the number of members (0 when the key is missing).
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a", "b"])?;
        /// assert_eq!(store.scard("s")?, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn scard($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SCARD"), "SCARD"), &[&key])
        }

        /// SMEMBERS, e.g. into a `HashSet<String>` or a `Vec<String>` (in no given order).
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::collections::HashSet;
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a", "b"])?;
        /// let members: HashSet<String> = store.smembers("s")?;
        /// assert!(members.contains("a") && members.len() == 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn smembers<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SMEMBERS"), "SMEMBERS"), &[&key])
        }

        /// SPOP one member: removes and returns a random member (`None` when empty).
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["only"])?;
        /// assert_eq!(store.spop::<Option<String>>("s")?.as_deref(), Some("only"));
        /// assert_eq!(store.spop::<Option<String>>("s")?, None);
        /// # Ok(())
        /// # }
        /// ```
        pub fn spop<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SPOP"), "SPOP"), &[&key])
        }

        /// SPOP with a count: removes and returns up to `count` distinct random members.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a", "b", "c"])?;
        /// assert_eq!(store.spop_count::<Vec<String>>("s", 2)?.len(), 2);
        /// assert_eq!(store.scard("s")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn spop_count<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: usize) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SPOP"), "SPOP"), &[&key, &count])
        }

        /// SRANDMEMBER with a count: up to `count` distinct members, or `-count` members with
        /// repeats when `count` is negative. The set is not changed.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["x"])?;
        /// assert_eq!(store.srandmember::<Vec<String>>("s", -2)?, vec!["x", "x"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn srandmember<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SRANDMEMBER"), "SRANDMEMBER"), &[&key, &count])
        }

        /// SMOVE: moves `member` from `src` to `dst` atomically; false when it was not in `src`.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("todo", &["task"])?;
        /// assert!(store.smove("todo", "done", "task")?);
        /// assert!(store.sismember("done", "task")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn smove($($r)* $s, src: impl $crate::ToArg, dst: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SMOVE"), "SMOVE"), &[&src, &dst, &member])
        }

        /// SINTER: the members present in every set.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2])?;
        /// store.sadd("b", &[2, 3])?;
        /// assert_eq!(store.sinter::<Vec<i64>, _>(&["a", "b"])?, vec![2]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sinter<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SINTER"), "SINTER"), &args)
        }

        /// SUNION: the members present in any set.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1])?;
        /// store.sadd("b", &[1])?;
        /// assert_eq!(store.sunion::<Vec<i64>, _>(&["a", "b"])?, vec![1]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sunion<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SUNION"), "SUNION"), &args)
        }

        /// SDIFF: the members of the first set that are in none of the others.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2])?;
        /// store.sadd("b", &[2])?;
        /// assert_eq!(store.sdiff::<Vec<i64>, _>(&["a", "b"])?, vec![1]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sdiff<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SDIFF"), "SDIFF"), &args)
        }

        /// SINTERSTORE: stores the intersection in `dst`; returns its size (an empty result
        /// deletes `dst`).
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2])?;
        /// store.sadd("b", &[2])?;
        /// assert_eq!(store.sinterstore("both", &["a", "b"])?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sinterstore<K: $crate::ToArg>($($r)* $s, dst: impl $crate::ToArg, keys: &[K]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&dst];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SINTERSTORE"), "SINTERSTORE"), &args)
        }

        /// SUNIONSTORE: stores the union in `dst`; returns its size.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1])?;
        /// store.sadd("b", &[2])?;
        /// assert_eq!(store.sunionstore("all", &["a", "b"])?, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sunionstore<K: $crate::ToArg>($($r)* $s, dst: impl $crate::ToArg, keys: &[K]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&dst];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SUNIONSTORE"), "SUNIONSTORE"), &args)
        }

        /// SDIFFSTORE: stores the difference in `dst`; returns its size.
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2])?;
        /// store.sadd("b", &[1])?;
        /// assert_eq!(store.sdiffstore("only_a", &["a", "b"])?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sdiffstore<K: $crate::ToArg>($($r)* $s, dst: impl $crate::ToArg, keys: &[K]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&dst];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SDIFFSTORE"), "SDIFFSTORE"), &args)
        }

        /// SINTERCARD: the size of the intersection, counting stops at `limit` (0: no limit).
        ///
        #[doc = set_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2, 3])?;
        /// store.sadd("b", &[1, 2, 3])?;
        /// assert_eq!(store.sintercard(&["a", "b"], 0)?, 3);
        /// assert_eq!(store.sintercard(&["a", "b"], 2)?, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn sintercard<K: $crate::ToArg>($($r)* $s, keys: &[K], limit: usize) -> Result<usize, $crate::Error> {
            let n = keys.len();
            let mut args: Vec<&dyn $crate::ToArg> = vec![&n];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            args.push(&"LIMIT");
            args.push(&limit);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SINTERCARD"), "SINTERCARD"), &args)
        }
    };
}
