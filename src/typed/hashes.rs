//! Typed hash commands.

/// The `# Errors` section of every typed hash method.
macro_rules! hash_errors {
    () => {
        errors_doc!(
            "`WRONGTYPE` when the key holds another type; for HINCRBY and HINCRBYFLOAT, a field that is not a number or a sum that would overflow"
        )
    };
}

/// Expands the hash methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! hash_methods {
    ([$($r:tt)*] $s:ident) => {
        /// HSET one field: true when the field is new (false when it was overwritten).
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert!(store.hset("user:1", "name", "ada")?);
        /// assert!(!store.hset("user:1", "name", "grace")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hset($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HSET"), "HSET"), &[&key, &field, &value])
        }

        /// HSET several fields at once; returns how many are new.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.hset_multiple("h", &[("a", 1), ("b", 2)])?, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hset_multiple<F: $crate::ToArg, V: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, pairs: &[(F, V)]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(pairs.iter().flat_map(|(f, v)| [f as &dyn $crate::ToArg, v as &dyn $crate::ToArg]));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HSET"), "HSET"), &args)
        }

        /// HSETNX: sets the field only when it does not exist; true when it was set.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert!(store.hset_nx("h", "f", 1)?);
        /// assert!(!store.hset_nx("h", "f", 2)?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hset_nx($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, value: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HSETNX"), "HSETNX"), &[&key, &field, &value])
        }

        /// HGET, converted to `T`; use `Option<T>` when the field may be missing.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "n", 7)?;
        /// assert_eq!(store.hget::<i64>("h", "n")?, 7);
        /// assert_eq!(store.hget::<Option<i64>>("h", "missing")?, None);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hget<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HGET"), "HGET"), &[&key, &field])
        }

        /// HMGET: one value per field (nil for missing fields).
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1)?;
        /// let v: Vec<Option<i64>> = store.hmget("h", &["a", "b"])?;
        /// assert_eq!(v, vec![Some(1), None]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hmget<T: $crate::FromReply, F: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, fields: &[F]) -> Result<T, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(fields.iter().map(|f| f as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HMGET"), "HMGET"), &args)
        }

        /// HDEL: removes fields; returns how many existed. An emptied hash is deleted.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1)?;
        /// assert_eq!(store.hdel("h", &["a", "b"])?, 1);
        /// assert!(!store.exists("h")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hdel<F: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, fields: &[F]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(fields.iter().map(|f| f as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HDEL"), "HDEL"), &args)
        }

        /// HEXISTS: whether the field exists.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1)?;
        /// assert!(store.hexists("h", "a")?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hexists($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg) -> Result<bool, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HEXISTS"), "HEXISTS"), &[&key, &field])
        }

        /// HLEN: the number of fields (0 when the key is missing).
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset_multiple("h", &[("a", 1), ("b", 2)])?;
        /// assert_eq!(store.hlen("h")?, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hlen($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HLEN"), "HLEN"), &[&key])
        }

        /// HKEYS: every field name.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1)?;
        /// assert_eq!(store.hkeys::<Vec<String>>("h")?, vec!["a"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hkeys<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HKEYS"), "HKEYS"), &[&key])
        }

        /// HVALS: every value.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "a", 1)?;
        /// assert_eq!(store.hvals::<Vec<i64>>("h")?, vec![1]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hvals<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HVALS"), "HVALS"), &[&key])
        }

        /// HGETALL as a map (empty when the key is missing).
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// use std::collections::HashMap;
        /// let store = redlite::Store::new();
        /// store.hset_multiple("h", &[("a", 1), ("b", 2)])?;
        /// let all: HashMap<String, i64> = store.hgetall("h")?;
        /// assert_eq!(all["b"], 2);
        /// # Ok(())
        /// # }
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
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.hincr_by("h", "hits", 5)?, 5);
        /// assert_eq!(store.hincr_by("h", "hits", -2)?, 3);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hincr_by($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, by: i64) -> Result<i64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HINCRBY"), "HINCRBY"), &[&key, &field, &by])
        }

        /// HINCRBYFLOAT: adds a float to a field; returns the new value.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "f", "10.50")?;
        /// assert_eq!(store.hincr_by_float("h", "f", 0.1)?, 10.6);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hincr_by_float($($r)* $s, key: impl $crate::ToArg, field: impl $crate::ToArg, by: f64) -> Result<f64, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HINCRBYFLOAT"), "HINCRBYFLOAT"), &[&key, &field, &by])
        }

        /// HRANDFIELD with a count: up to `count` distinct fields, or `-count` fields with
        /// repeats when `count` is negative.
        ///
        #[doc = hash_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.hset("h", "only", 1)?;
        /// assert_eq!(store.hrandfield::<Vec<String>>("h", -3)?, vec!["only"; 3]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn hrandfield<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, count: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("HRANDFIELD"), "HRANDFIELD"), &[&key, &count])
        }
    };
}
