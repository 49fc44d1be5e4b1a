//! Typed list commands.

/// The `# Errors` section of every typed list method.
macro_rules! list_errors {
    () => {
        errors_doc!("`WRONGTYPE` when a key holds another type")
    };
}

/// Expands the list methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! list_methods {
    ([$($r:tt)*] $s:ident) => {
        /// LPUSH: pushes `values` at the head (the last one ends up first); returns the length.
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.lpush("q", &["a", "b"])?, 2);
        /// assert_eq!(store.lrange::<Vec<String>>("q", 0, -1)?, ["b", "a"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn lpush<V: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, values: &[V]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = Vec::with_capacity(values.len() + 1);
            args.push(&key);
            args.extend(values.iter().map(|v| v as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LPUSH"), "LPUSH"), &args)
        }

        /// RPUSH: appends `values` at the tail; returns the length.
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// assert_eq!(store.rpush("q", &[1, 2, 3])?, 3);
        /// assert_eq!(store.lrange::<Vec<i64>>("q", 0, -1)?, [1, 2, 3]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn rpush<V: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, values: &[V]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = Vec::with_capacity(values.len() + 1);
            args.push(&key);
            args.extend(values.iter().map(|v| v as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("RPUSH"), "RPUSH"), &args)
        }

        /// LPOP: removes and returns the head; use `Option<T>` for a list that may be empty.
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.rpush("q", &["job1", "job2"])?;
        /// assert_eq!(store.lpop::<Option<String>>("q")?.as_deref(), Some("job1"));
        /// # Ok(())
        /// # }
        /// ```
        pub fn lpop<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LPOP"), "LPOP"), &[&key])
        }

        /// RPOP: removes and returns the tail; use `Option<T>` for a list that may be empty.
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.rpush("q", &["a", "b"])?;
        /// assert_eq!(store.rpop::<Option<String>>("q")?.as_deref(), Some("b"));
        /// assert_eq!(store.rpop::<Option<String>>("empty")?, None);
        /// # Ok(())
        /// # }
        /// ```
        pub fn rpop<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("RPOP"), "RPOP"), &[&key])
        }

        /// LRANGE: elements `start..=stop` (negative indexes count from the end).
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.rpush("l", &["a", "b", "c"])?;
        /// assert_eq!(store.lrange::<Vec<String>>("l", -2, -1)?, ["b", "c"]);
        /// # Ok(())
        /// # }
        /// ```
        pub fn lrange<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, start: i64, stop: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LRANGE"), "LRANGE"), &[&key, &start, &stop])
        }

        /// LLEN: the list's length (0 when missing).
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.rpush("l", &["a"])?;
        /// assert_eq!(store.llen("l")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn llen($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LLEN"), "LLEN"), &[&key])
        }

        /// LMOVE from the head or tail (`from_left`) of `src` to an end of `dst`
        /// (`to_left`), atomically; `None` when `src` is empty.
        ///
        #[doc = list_errors!()]
        ///
        /// # Examples
        ///
        /// ```
        /// # fn main() -> Result<(), redlite::Error> {
        /// let store = redlite::Store::new();
        /// store.rpush("todo", &["a", "b"])?;
        /// let moved: Option<String> = store.lmove("todo", "doing", true, false)?;
        /// assert_eq!(moved.as_deref(), Some("a"));
        /// assert_eq!(store.llen("doing")?, 1);
        /// # Ok(())
        /// # }
        /// ```
        pub fn lmove<T: $crate::FromReply>($($r)* $s, src: impl $crate::ToArg, dst: impl $crate::ToArg, from_left: bool, to_left: bool) -> Result<T, $crate::Error> {
            let side = |left: bool| if left { "LEFT" } else { "RIGHT" };
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LMOVE"), "LMOVE"), &[&src, &dst, &side(from_left), &side(to_left)])
        }
    };
}
