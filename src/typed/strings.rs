//! Typed string commands.

/// The `# Errors` section of every typed string method.
macro_rules! string_errors {
    () => {
        errors_doc!(
            "`WRONGTYPE` when a key holds another type; for the INCR family, a value that is not an integer (or a float) or a sum that would overflow"
        )
    };
}

/// Expands the string methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! string_methods {
    ([$($r:tt)*] $s:ident) => {
        /// GET `key`, converted to `T`; use `Option<T>` when the key may be missing.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("n", 7)?;
        /// assert_eq!(store.get::<i64>("n")?, 7);
        /// assert_eq!(store.get::<Option<String>>("missing")?, None);
        /// # Ok(())
        /// # }
        /// ```
        pub fn get<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("GET"), "GET"), &[&key])
        }

        /// SET `key` to `value` (clears any TTL, as Redis does).
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("greeting", "hello")?;
        /// assert_eq!(store.get::<String>("greeting")?, "hello");
        /// # Ok(())
        /// # }
        /// ```
        pub fn set($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<(), $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SET"), "SET"), &[&key, &value])
        }

        /// SET `key` `value` NX: true when the key was set (it did not exist).
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert!(store.set_nx("lock", "me")?);
        /// assert!(!store.set_nx("lock", "you")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn set_nx($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SETNX"), "SETNX"), &[&key, &value])
        }

        /// SET `key` `value` PX `ttl`: sets the value with a time to live.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::time::Duration;
        /// let store = redlite::Store::new();
        /// store.set_ex("session", "data", Duration::from_secs(60))?;
        /// assert_eq!(store.ttl("session")?, 60);
        /// # Ok(())
        /// # }
        /// ```
        pub fn set_ex($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg, ttl: std::time::Duration) -> Result<(), $crate::Error> {
            let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SET"), "SET"), &[&key, &value, &"PX", &ms])
        }

        /// GETDEL: the value (if any), and the key is deleted.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", "v")?;
        /// assert_eq!(store.get_del::<Option<String>>("k")?.as_deref(), Some("v"));
        /// assert!(!store.exists("k")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn get_del<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("GETDEL"), "GETDEL"), &[&key])
        }

        /// GETSET: sets a new value and returns the old one.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", 1)?;
        /// assert_eq!(store.get_set::<Option<i64>>("k", 2)?, Some(1));
        /// # Ok(())
        /// # }
        /// ```
        pub fn get_set<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("GETSET"), "GETSET"), &[&key, &value])
        }

        /// MGET: one value per key (nil for missing keys and non-strings).
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.mset(&[("a", "1"), ("b", "2")])?;
        /// let v: Vec<Option<i64>> = store.mget(&["a", "b", "c"])?;
        /// assert_eq!(v, vec![Some(1), Some(2), None]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn mget<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("MGET"), "MGET"), &args)
        }

        /// MSET: sets every pair at once.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.mset(&[("x", 1), ("y", 2)])?;
        /// assert_eq!(store.get::<i64>("y")?, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn mset<K: $crate::ToArg, V: $crate::ToArg>($($r)* $s, pairs: &[(K, V)]) -> Result<(), $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = pairs
                .iter()
                .flat_map(|(k, v)| [k as &dyn $crate::ToArg, v as &dyn $crate::ToArg])
                .collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("MSET"), "MSET"), &args)
        }

        /// INCR: adds one; a missing key counts as 0.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.incr("hits")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn incr($($r)* $s, key: impl $crate::ToArg) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("INCR"), "INCR"), &[&key])
        }

        /// INCRBY: adds `by` (may be negative); errors on overflow or a non-integer value.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.incr_by("n", 5)?, 5);
        /// assert_eq!(store.incr_by("n", -7)?, -2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn incr_by($($r)* $s, key: impl $crate::ToArg, by: i64) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("INCRBY"), "INCRBY"), &[&key, &by])
        }

        /// DECRBY: subtracts `by`.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.decr_by("n", 3)?, -3);
        /// # Ok(())
        /// # }
        /// ```
        pub fn decr_by($($r)* $s, key: impl $crate::ToArg, by: i64) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("DECRBY"), "DECRBY"), &[&key, &by])
        }

        /// INCRBYFLOAT: adds a float; returns the new value.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("f", "10.50")?;
        /// assert_eq!(store.incr_by_float("f", 0.1)?, 10.6);
        /// # Ok(())
        /// # }
        /// ```
        pub fn incr_by_float($($r)* $s, key: impl $crate::ToArg, by: f64) -> Result<f64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("INCRBYFLOAT"), "INCRBYFLOAT"), &[&key, &by])
        }

        /// APPEND: appends bytes; returns the new length.
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.append("log", "ab")?, 2);
        /// assert_eq!(store.append("log", "c")?, 3);
        /// # Ok(())
        /// # }
        /// ```
        pub fn append($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("APPEND"), "APPEND"), &[&key, &value])
        }

        /// STRLEN: the length of the string (0 when missing).
        ///
        #[doc = string_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.set("k", "four")?;
        /// assert_eq!(store.strlen("k")?, 4);
        /// # Ok(())
        /// # }
        /// ```
        pub fn strlen($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("STRLEN"), "STRLEN"), &[&key])
        }
    };
}
