//! Typed set commands.

/// Expands the set methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! set_methods {
    ([$($r:tt)*] $s:ident) => {
        /// SADD: adds members; returns how many were new.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.sadd("s", &["a", "b"]).unwrap(), 2);
        /// assert_eq!(store.sadd("s", &["a"]).unwrap(), 0);
        /// ```
        pub fn sadd<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SADD"), "SADD"), &args)
        }

        /// SREM: removes members; returns how many existed. An emptied set is deleted.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a"]).unwrap();
        /// assert_eq!(store.srem("s", &["a", "b"]).unwrap(), 1);
        /// assert!(!store.exists("s").unwrap());
        /// ```
        pub fn srem<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SREM"), "SREM"), &args)
        }

        /// SISMEMBER: whether `member` is in the set.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &[1, 2]).unwrap();
        /// assert!(store.sismember("s", 2).unwrap());
        /// assert!(!store.sismember("s", 3).unwrap());
        /// ```
        pub fn sismember($($r)* $s, key: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SISMEMBER"), "SISMEMBER"), &[&key, &member])
        }

        /// SMISMEMBER: membership of each given member.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a"]).unwrap();
        /// assert_eq!(store.smismember("s", &["a", "z"]).unwrap(), vec![true, false]);
        /// ```
        pub fn smismember<M: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, members: &[M]) -> Result<Vec<bool>, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(members.iter().map(|m| m as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SMISMEMBER"), "SMISMEMBER"), &args)
        }

        /// SCARD: the number of members (0 when the key is missing).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a", "b"]).unwrap();
        /// assert_eq!(store.scard("s").unwrap(), 2);
        /// ```
        pub fn scard($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SCARD"), "SCARD"), &[&key])
        }

        /// SMEMBERS, e.g. into a `HashSet<String>` or a `Vec<String>` (in no given order).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::collections::HashSet;
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a", "b"]).unwrap();
        /// let members: HashSet<String> = store.smembers("s").unwrap();
        /// assert!(members.contains("a") && members.len() == 2);
        /// ```
        pub fn smembers<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SMEMBERS"), "SMEMBERS"), &[&key])
        }

        /// SPOP one member: removes and returns a random member (`None` when empty).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["only"]).unwrap();
        /// assert_eq!(store.spop::<Option<String>>("s").unwrap().as_deref(), Some("only"));
        /// assert_eq!(store.spop::<Option<String>>("s").unwrap(), None);
        /// ```
        pub fn spop<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SPOP"), "SPOP"), &[&key])
        }

        /// SPOP with a count: removes and returns up to `count` distinct random members.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["a", "b", "c"]).unwrap();
        /// assert_eq!(store.spop_count::<Vec<String>>("s", 2).unwrap().len(), 2);
        /// assert_eq!(store.scard("s").unwrap(), 1);
        /// ```
        pub fn spop_count<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: usize) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SPOP"), "SPOP"), &[&key, &count])
        }

        /// SRANDMEMBER with a count: up to `count` distinct members, or `-count` members with
        /// repeats when `count` is negative. The set is not changed.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("s", &["x"]).unwrap();
        /// assert_eq!(store.srandmember::<Vec<String>>("s", -2).unwrap(), vec!["x", "x"]);
        /// ```
        pub fn srandmember<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SRANDMEMBER"), "SRANDMEMBER"), &[&key, &count])
        }

        /// SMOVE: moves `member` from `src` to `dst` atomically; false when it was not in `src`.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("todo", &["task"]).unwrap();
        /// assert!(store.smove("todo", "done", "task").unwrap());
        /// assert!(store.sismember("done", "task").unwrap());
        /// ```
        pub fn smove($($r)* $s, src: impl $crate::ToArg, dst: impl $crate::ToArg, member: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SMOVE"), "SMOVE"), &[&src, &dst, &member])
        }

        /// SINTER: the members present in every set.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2]).unwrap();
        /// store.sadd("b", &[2, 3]).unwrap();
        /// assert_eq!(store.sinter::<Vec<i64>, _>(&["a", "b"]).unwrap(), vec![2]);
        /// ```
        pub fn sinter<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SINTER"), "SINTER"), &args)
        }

        /// SUNION: the members present in any set.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1]).unwrap();
        /// store.sadd("b", &[1]).unwrap();
        /// assert_eq!(store.sunion::<Vec<i64>, _>(&["a", "b"]).unwrap(), vec![1]);
        /// ```
        pub fn sunion<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SUNION"), "SUNION"), &args)
        }

        /// SDIFF: the members of the first set that are in none of the others.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2]).unwrap();
        /// store.sadd("b", &[2]).unwrap();
        /// assert_eq!(store.sdiff::<Vec<i64>, _>(&["a", "b"]).unwrap(), vec![1]);
        /// ```
        pub fn sdiff<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SDIFF"), "SDIFF"), &args)
        }

        /// SINTERSTORE: stores the intersection in `dst`; returns its size (an empty result
        /// deletes `dst`).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2]).unwrap();
        /// store.sadd("b", &[2]).unwrap();
        /// assert_eq!(store.sinterstore("both", &["a", "b"]).unwrap(), 1);
        /// ```
        pub fn sinterstore<K: $crate::ToArg>($($r)* $s, dst: impl $crate::ToArg, keys: &[K]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&dst];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SINTERSTORE"), "SINTERSTORE"), &args)
        }

        /// SUNIONSTORE: stores the union in `dst`; returns its size.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1]).unwrap();
        /// store.sadd("b", &[2]).unwrap();
        /// assert_eq!(store.sunionstore("all", &["a", "b"]).unwrap(), 2);
        /// ```
        pub fn sunionstore<K: $crate::ToArg>($($r)* $s, dst: impl $crate::ToArg, keys: &[K]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&dst];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SUNIONSTORE"), "SUNIONSTORE"), &args)
        }

        /// SDIFFSTORE: stores the difference in `dst`; returns its size.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2]).unwrap();
        /// store.sadd("b", &[1]).unwrap();
        /// assert_eq!(store.sdiffstore("only_a", &["a", "b"]).unwrap(), 1);
        /// ```
        pub fn sdiffstore<K: $crate::ToArg>($($r)* $s, dst: impl $crate::ToArg, keys: &[K]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&dst];
            args.extend(keys.iter().map(|k| k as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SDIFFSTORE"), "SDIFFSTORE"), &args)
        }

        /// SINTERCARD: the size of the intersection, counting stops at `limit` (0: no limit).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.sadd("a", &[1, 2, 3]).unwrap();
        /// store.sadd("b", &[1, 2, 3]).unwrap();
        /// assert_eq!(store.sintercard(&["a", "b"], 0).unwrap(), 3);
        /// assert_eq!(store.sintercard(&["a", "b"], 2).unwrap(), 2);
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
