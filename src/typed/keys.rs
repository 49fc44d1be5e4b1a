//! Typed key commands.

/// The `# Errors` section of every typed key method.
macro_rules! key_errors {
    () => {
        errors_doc!(
            "for RENAME, a missing source (`ERR no such key`); for EXPIRE and PEXPIRE, a deadline that overflows (`ERR invalid expire time`)"
        )
    };
}

/// Expands the key methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! key_methods {
    ([$($r:tt)*] $s:ident) => {
        /// DEL: deletes the keys; returns how many existed.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("a", 1)?;
        /// assert_eq!(store.del(&["a", "b"])?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn del<K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<usize, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("DEL"), "DEL"), &args)
        }

        /// EXISTS for one key.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert!(!store.exists("k")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn exists($($r)* $s, key: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("EXISTS"), "EXISTS"), &[&key])
        }

        /// TYPE: `string`, `list`, `set`, `zset`, `hash` or `none`.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// assert_eq!(store.key_type("k")?, "string");
        /// # Ok(())
        /// # }
        /// ```
        pub fn key_type($($r)* $s, key: impl $crate::ToArg) -> Result<String, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("TYPE"), "TYPE"), &[&key])
        }

        /// RENAME: moves the key (and its TTL); errors when `from` is missing.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("old", 1)?;
        /// store.rename("old", "new")?;
        /// assert_eq!(store.get::<i64>("new")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn rename($($r)* $s, from: impl $crate::ToArg, to: impl $crate::ToArg) -> Result<(), $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("RENAME"), "RENAME"), &[&from, &to])
        }

        /// EXPIRE in whole seconds: true when the timeout was set.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// assert!(store.expire("k", 100)?);
        /// assert!(!store.expire("missing", 100)?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn expire($($r)* $s, key: impl $crate::ToArg, seconds: i64) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("EXPIRE"), "EXPIRE"), &[&key, &seconds])
        }

        /// PEXPIRE in milliseconds: true when the timeout was set.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// assert!(store.pexpire("k", 1500)?);
        /// assert!((1000..=1500).contains(&store.pttl("k")?));
        /// # Ok(())
        /// # }
        /// ```
        pub fn pexpire($($r)* $s, key: impl $crate::ToArg, ms: i64) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("PEXPIRE"), "PEXPIRE"), &[&key, &ms])
        }

        /// TTL in seconds: -2 when missing, -1 without a timeout.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.ttl("missing")?, -2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn ttl($($r)* $s, key: impl $crate::ToArg) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("TTL"), "TTL"), &[&key])
        }

        /// PTTL in milliseconds: -2 when missing, -1 without a timeout.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// assert_eq!(store.pttl("k")?, -1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn pttl($($r)* $s, key: impl $crate::ToArg) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("PTTL"), "PTTL"), &[&key])
        }

        /// PERSIST: true when a timeout was removed.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// store.expire("k", 10)?;
        /// assert!(store.persist("k")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn persist($($r)* $s, key: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("PERSIST"), "PERSIST"), &[&key])
        }

        /// KEYS matching a glob pattern (locks every shard while it runs).
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("user:1", 1)?;
        /// store.set("job:1", 1)?;
        /// assert_eq!(store.keys::<Vec<String>>("user:*")?, vec!["user:1"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn keys<T: $crate::FromReply>($($r)* $s, pattern: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("KEYS"), "KEYS"), &[&pattern])
        }

        /// DBSIZE: the number of keys.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// assert_eq!(store.dbsize()?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn dbsize($($r)* $s) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("DBSIZE"), "DBSIZE"), &[])
        }

        /// FLUSHDB: deletes every key.
        ///
        #[doc = key_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// store.flushdb()?;
        /// assert_eq!(store.dbsize()?, 0);
        /// # Ok(())
        /// # }
        /// ```
        pub fn flushdb($($r)* $s) -> Result<(), $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("FLUSHDB"), "FLUSHDB"), &[])
        }
    };
}
