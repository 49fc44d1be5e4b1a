//! Typed hash commands.

/// Expands the hash methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! hash_methods {
    ([$($r:tt)*] $s:ident) => {
        /// HSET one field: true when the field is new (false when it was overwritten).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert!(store.hset("user:1", "name", "ada").unwrap());
        /// assert!(!store.hset("user:1", "name", "grace").unwrap());
        /// ```
        pub fn hset($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HSET"), "HSET"), &[&key, &field, &value])
        }

        /// HSET several fields at once; returns how many are new.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.hset_multiple("h", &[("a", 1), ("b", 2)]).unwrap(), 2);
        /// ```
        pub fn hset_multiple<F: $crate::ToArg, V: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, pairs: &[(F, V)]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(pairs.iter().flat_map(|(f, v)| [f as &dyn $crate::ToArg, v as &dyn $crate::ToArg]));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HSET"), "HSET"), &args)
        }

        /// HSETNX: sets the field only when it does not exist; true when it was set.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert!(store.hset_nx("h", "f", 1).unwrap());
        /// assert!(!store.hset_nx("h", "f", 2).unwrap());
        /// ```
        pub fn hset_nx($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HSETNX"), "HSETNX"), &[&key, &field, &value])
        }

        /// HGET, converted to `T`; use `Option<T>` when the field may be missing.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "n", 7).unwrap();
        /// assert_eq!(store.hget::<i64>("h", "n").unwrap(), 7);
        /// assert_eq!(store.hget::<Option<i64>>("h", "missing").unwrap(), None);
        /// ```
        pub fn hget<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HGET"), "HGET"), &[&key, &field])
        }

        /// HMGET: one value per field (nil for missing fields).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1).unwrap();
        /// let v: Vec<Option<i64>> = store.hmget("h", &["a", "b"]).unwrap();
        /// assert_eq!(v, vec![Some(1), None]);
        /// ```
        pub fn hmget<T: $crate::FromReply, F: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, fields: &[F]) -> Result<T, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(fields.iter().map(|f| f as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HMGET"), "HMGET"), &args)
        }

        /// HDEL: removes fields; returns how many existed. An emptied hash is deleted.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1).unwrap();
        /// assert_eq!(store.hdel("h", &["a", "b"]).unwrap(), 1);
        /// assert!(!store.exists("h").unwrap());
        /// ```
        pub fn hdel<F: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, fields: &[F]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(fields.iter().map(|f| f as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HDEL"), "HDEL"), &args)
        }

        /// HEXISTS: whether the field exists.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1).unwrap();
        /// assert!(store.hexists("h", "a").unwrap());
        /// ```
        pub fn hexists($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HEXISTS"), "HEXISTS"), &[&key, &field])
        }

        /// HLEN: the number of fields (0 when the key is missing).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset_multiple("h", &[("a", 1), ("b", 2)]).unwrap();
        /// assert_eq!(store.hlen("h").unwrap(), 2);
        /// ```
        pub fn hlen($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HLEN"), "HLEN"), &[&key])
        }

        /// HKEYS: every field name.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1).unwrap();
        /// assert_eq!(store.hkeys::<Vec<String>>("h").unwrap(), vec!["a"]);
        /// ```
        pub fn hkeys<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HKEYS"), "HKEYS"), &[&key])
        }

        /// HVALS: every value.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1).unwrap();
        /// assert_eq!(store.hvals::<Vec<i64>>("h").unwrap(), vec![1]);
        /// ```
        pub fn hvals<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HVALS"), "HVALS"), &[&key])
        }

        /// HGETALL as a map (empty when the key is missing).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::collections::HashMap;
        /// let store = redlite::Store::new();
        /// store.hset_multiple("h", &[("a", 1), ("b", 2)]).unwrap();
        /// let all: HashMap<String, i64> = store.hgetall("h").unwrap();
        /// assert_eq!(all["b"], 2);
        /// ```
        pub fn hgetall<K, V>($($r)* $s, key: impl $crate::ToArg) -> Result<std::collections::HashMap<K, V>, $crate::Error>
        where
            K: $crate::FromReply + Eq + std::hash::Hash,
            V: $crate::FromReply,
        {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HGETALL"), "HGETALL"), &[&key])
        }

        /// HINCRBY: adds `by` to an integer field (missing counts as 0); returns the new value.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.hincr_by("h", "hits", 5).unwrap(), 5);
        /// assert_eq!(store.hincr_by("h", "hits", -2).unwrap(), 3);
        /// ```
        pub fn hincr_by($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, by: i64) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HINCRBY"), "HINCRBY"), &[&key, &field, &by])
        }

        /// HINCRBYFLOAT: adds a float to a field; returns the new value.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "f", "10.50").unwrap();
        /// assert_eq!(store.hincr_by_float("h", "f", 0.1).unwrap(), 10.6);
        /// ```
        pub fn hincr_by_float($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, by: f64) -> Result<f64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HINCRBYFLOAT"), "HINCRBYFLOAT"), &[&key, &field, &by])
        }

        /// HRANDFIELD with a count: up to `count` distinct fields, or `-count` fields with
        /// repeats when `count` is negative.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.hset("h", "only", 1).unwrap();
        /// assert_eq!(store.hrandfield::<Vec<String>>("h", -3).unwrap(), vec!["only"; 3]);
        /// ```
        pub fn hrandfield<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HRANDFIELD"), "HRANDFIELD"), &[&key, &count])
        }
    };
}
