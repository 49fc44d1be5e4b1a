//! Typed key commands.

/// Expands the key methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! key_methods {
    ([$($r:tt)*] $s:ident) => {
        /// DEL: deletes the keys; returns how many existed.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("a", 1).unwrap();
        /// assert_eq!(store.del(&["a", "b"]).unwrap(), 1);
        /// ```
        pub fn del<K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<usize, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("DEL"), "DEL"), &args)
        }

        /// EXISTS for one key.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert!(!store.exists("k").unwrap());
        /// ```
        pub fn exists($($r)* $s, key: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("EXISTS"), "EXISTS"), &[&key])
        }

        /// TYPE: `string`, `list`, `set`, `zset`, `hash` or `none`.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// assert_eq!(store.key_type("k").unwrap(), "string");
        /// ```
        pub fn key_type($($r)* $s, key: impl $crate::ToArg) -> Result<String, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("TYPE"), "TYPE"), &[&key])
        }

        /// RENAME: moves the key (and its TTL); errors when `from` is missing.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("old", 1).unwrap();
        /// store.rename("old", "new").unwrap();
        /// assert_eq!(store.get::<i64>("new").unwrap(), 1);
        /// ```
        pub fn rename($($r)* $s, from: impl $crate::ToArg, to: impl $crate::ToArg) -> Result<(), $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("RENAME"), "RENAME"), &[&from, &to])
        }

        /// EXPIRE in whole seconds: true when the timeout was set.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// assert!(store.expire("k", 100).unwrap());
        /// assert!(!store.expire("missing", 100).unwrap());
        /// ```
        pub fn expire($($r)* $s, key: impl $crate::ToArg, seconds: i64) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("EXPIRE"), "EXPIRE"), &[&key, &seconds])
        }

        /// PEXPIRE in milliseconds: true when the timeout was set.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// assert!(store.pexpire("k", 1500).unwrap());
        /// assert!((1000..=1500).contains(&store.pttl("k").unwrap()));
        /// ```
        pub fn pexpire($($r)* $s, key: impl $crate::ToArg, ms: i64) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("PEXPIRE"), "PEXPIRE"), &[&key, &ms])
        }

        /// TTL in seconds: -2 when missing, -1 without a timeout.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.ttl("missing").unwrap(), -2);
        /// ```
        pub fn ttl($($r)* $s, key: impl $crate::ToArg) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("TTL"), "TTL"), &[&key])
        }

        /// PTTL in milliseconds: -2 when missing, -1 without a timeout.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// assert_eq!(store.pttl("k").unwrap(), -1);
        /// ```
        pub fn pttl($($r)* $s, key: impl $crate::ToArg) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("PTTL"), "PTTL"), &[&key])
        }

        /// PERSIST: true when a timeout was removed.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// store.expire("k", 10).unwrap();
        /// assert!(store.persist("k").unwrap());
        /// ```
        pub fn persist($($r)* $s, key: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("PERSIST"), "PERSIST"), &[&key])
        }

        /// KEYS matching a glob pattern (locks every shard while it runs).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("user:1", 1).unwrap();
        /// store.set("job:1", 1).unwrap();
        /// assert_eq!(store.keys::<Vec<String>>("user:*").unwrap(), vec!["user:1"]);
        /// ```
        pub fn keys<T: $crate::FromReply>($($r)* $s, pattern: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("KEYS"), "KEYS"), &[&pattern])
        }

        /// DBSIZE: the number of keys.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// assert_eq!(store.dbsize().unwrap(), 1);
        /// ```
        pub fn dbsize($($r)* $s) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("DBSIZE"), "DBSIZE"), &[])
        }

        /// FLUSHDB: deletes every key.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// store.flushdb().unwrap();
        /// assert_eq!(store.dbsize().unwrap(), 0);
        /// ```
        pub fn flushdb($($r)* $s) -> Result<(), $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("FLUSHDB"), "FLUSHDB"), &[])
        }
    };
}
