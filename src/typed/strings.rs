//! Typed string commands.

/// Expands the string methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! string_methods {
    ([$($r:tt)*] $s:ident) => {
        /// GET `key`, converted to `T`; use `Option<T>` when the key may be missing.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("n", 7).unwrap();
        /// assert_eq!(store.get::<i64>("n").unwrap(), 7);
        /// assert_eq!(store.get::<Option<String>>("missing").unwrap(), None);
        /// ```
        pub fn get<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("GET"), "GET"), &[&key])
        }

        /// SET `key` to `value` (clears any TTL, as Redis does).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("greeting", "hello").unwrap();
        /// assert_eq!(store.get::<String>("greeting").unwrap(), "hello");
        /// ```
        pub fn set($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<(), $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SET"), "SET"), &[&key, &value])
        }

        /// SET `key` `value` NX: true when the key was set (it did not exist).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert!(store.set_nx("lock", "me").unwrap());
        /// assert!(!store.set_nx("lock", "you").unwrap());
        /// ```
        pub fn set_nx($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SETNX"), "SETNX"), &[&key, &value])
        }

        /// SET `key` `value` PX `ttl`: sets the value with a time to live.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        /// let store = redlite::Store::new();
        /// store.set_ex("session", "data", Duration::from_secs(60)).unwrap();
        /// assert_eq!(store.ttl("session").unwrap(), 60);
        /// ```
        pub fn set_ex($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg, ttl: std::time::Duration) -> Result<(), $crate::Error> {
            let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("SET"), "SET"), &[&key, &value, &"PX", &ms])
        }

        /// GETDEL: the value (if any), and the key is deleted.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", "v").unwrap();
        /// assert_eq!(store.get_del::<Option<String>>("k").unwrap().as_deref(), Some("v"));
        /// assert!(!store.exists("k").unwrap());
        /// ```
        pub fn get_del<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("GETDEL"), "GETDEL"), &[&key])
        }

        /// GETSET: sets a new value and returns the old one.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", 1).unwrap();
        /// assert_eq!(store.get_set::<Option<i64>>("k", 2).unwrap(), Some(1));
        /// ```
        pub fn get_set<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("GETSET"), "GETSET"), &[&key, &value])
        }

        /// MGET: one value per key (nil for missing keys and non-strings).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.mset(&[("a", "1"), ("b", "2")]).unwrap();
        /// let v: Vec<Option<i64>> = store.mget(&["a", "b", "c"]).unwrap();
        /// assert_eq!(v, vec![Some(1), Some(2), None]);
        /// ```
        pub fn mget<T: $crate::FromReply, K: $crate::ToArg>($($r)* $s, keys: &[K]) -> Result<T, $crate::Error> {
            let args: Vec<&dyn $crate::ToArg> = keys.iter().map(|k| k as &dyn $crate::ToArg).collect();
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("MGET"), "MGET"), &args)
        }

        /// MSET: sets every pair at once.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.mset(&[("x", 1), ("y", 2)]).unwrap();
        /// assert_eq!(store.get::<i64>("y").unwrap(), 2);
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
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.incr("hits").unwrap(), 1);
        /// ```
        pub fn incr($($r)* $s, key: impl $crate::ToArg) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("INCR"), "INCR"), &[&key])
        }

        /// INCRBY: adds `by` (may be negative); errors on overflow or a non-integer value.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.incr_by("n", 5).unwrap(), 5);
        /// assert_eq!(store.incr_by("n", -7).unwrap(), -2);
        /// ```
        pub fn incr_by($($r)* $s, key: impl $crate::ToArg, by: i64) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("INCRBY"), "INCRBY"), &[&key, &by])
        }

        /// DECRBY: subtracts `by`.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.decr_by("n", 3).unwrap(), -3);
        /// ```
        pub fn decr_by($($r)* $s, key: impl $crate::ToArg, by: i64) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("DECRBY"), "DECRBY"), &[&key, &by])
        }

        /// INCRBYFLOAT: adds a float; returns the new value.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("f", "10.50").unwrap();
        /// assert_eq!(store.incr_by_float("f", 0.1).unwrap(), 10.6);
        /// ```
        pub fn incr_by_float($($r)* $s, key: impl $crate::ToArg, by: f64) -> Result<f64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("INCRBYFLOAT"), "INCRBYFLOAT"), &[&key, &by])
        }

        /// APPEND: appends bytes; returns the new length.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.append("log", "ab").unwrap(), 2);
        /// assert_eq!(store.append("log", "c").unwrap(), 3);
        /// ```
        pub fn append($($r)* $s, key: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("APPEND"), "APPEND"), &[&key, &value])
        }

        /// STRLEN: the length of the string (0 when missing).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.set("k", "four").unwrap();
        /// assert_eq!(store.strlen("k").unwrap(), 4);
        /// ```
        pub fn strlen($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("STRLEN"), "STRLEN"), &[&key])
        }
    };
}
