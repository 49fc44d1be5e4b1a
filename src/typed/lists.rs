//! Typed list commands.

/// Expands the list methods for a receiver (`[&] self` or `[&mut] self`).
macro_rules! list_methods {
    ([$($r:tt)*] $s:ident) => {
        /// LPUSH: pushes `values` at the head (the last one ends up first); returns the length.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.lpush("q", &["a", "b"]).unwrap(), 2);
        /// assert_eq!(store.lrange::<Vec<String>>("q", 0, -1).unwrap(), ["b", "a"]);
        /// ```
        pub fn lpush<V: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, values: &[V]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(values.iter().map(|v| v as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LPUSH"), "LPUSH"), &args)
        }

        /// RPUSH: appends `values` at the tail; returns the length.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// assert_eq!(store.rpush("q", &[1, 2, 3]).unwrap(), 3);
        /// assert_eq!(store.lrange::<Vec<i64>>("q", 0, -1).unwrap(), [1, 2, 3]);
        /// ```
        pub fn rpush<V: $crate::ToArg>($($r)* $s, key: impl $crate::ToArg, values: &[V]) -> Result<usize, $crate::Error> {
            let mut args: Vec<&dyn $crate::ToArg> = vec![&key];
            args.extend(values.iter().map(|v| v as &dyn $crate::ToArg));
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("RPUSH"), "RPUSH"), &args)
        }

        /// LPOP: removes and returns the head; use `Option<T>` for a list that may be empty.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.rpush("q", &["job1", "job2"]).unwrap();
        /// assert_eq!(store.lpop::<Option<String>>("q").unwrap().as_deref(), Some("job1"));
        /// ```
        pub fn lpop<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LPOP"), "LPOP"), &[&key])
        }

        /// RPOP: removes and returns the tail; use `Option<T>` for a list that may be empty.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.rpush("q", &["a", "b"]).unwrap();
        /// assert_eq!(store.rpop::<Option<String>>("q").unwrap().as_deref(), Some("b"));
        /// assert_eq!(store.rpop::<Option<String>>("empty").unwrap(), None);
        /// ```
        pub fn rpop<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("RPOP"), "RPOP"), &[&key])
        }

        /// LRANGE: elements `start..=stop` (negative indexes count from the end).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.rpush("l", &["a", "b", "c"]).unwrap();
        /// assert_eq!(store.lrange::<Vec<String>>("l", -2, -1).unwrap(), ["b", "c"]);
        /// ```
        pub fn lrange<T: $crate::FromReply>($($r)* $s, key: impl $crate::ToArg, start: i64, stop: i64) -> Result<T, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LRANGE"), "LRANGE"), &[&key, &start, &stop])
        }

        /// LLEN: the list's length (0 when missing).
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.rpush("l", &["a"]).unwrap();
        /// assert_eq!(store.llen("l").unwrap(), 1);
        /// ```
        pub fn llen($($r)* $s, key: impl $crate::ToArg) -> Result<usize, $crate::Error> {
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LLEN"), "LLEN"), &[&key])
        }

        /// LMOVE from the head or tail (`from_left`) of `src` to an end of `dst`
        /// (`to_left`), atomically; `None` when `src` is empty.
        ///
        /// # Examples
        ///
        /// ```
        /// let store = redlite::Store::new();
        /// store.rpush("todo", &["a", "b"]).unwrap();
        /// let moved: Option<String> = store.lmove("todo", "doing", true, false).unwrap();
        /// assert_eq!(moved.as_deref(), Some("a"));
        /// assert_eq!(store.llen("doing").unwrap(), 1);
        /// ```
        pub fn lmove<T: $crate::FromReply>($($r)* $s, src: impl $crate::ToArg, dst: impl $crate::ToArg, from_left: bool, to_left: bool) -> Result<T, $crate::Error> {
            let side = |left: bool| if left { "LEFT" } else { "RIGHT" };
            $crate::typed::call(|sp, a| $s.query(sp, a), (spec!("LMOVE"), "LMOVE"), &[&src, &dst, &side(from_left), &side(to_left)])
        }
    };
}
