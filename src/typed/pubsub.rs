//! Pub/sub and keyspace notifications on [`Store`].

use crate::convert::ToArg;
use crate::error::Error;
use crate::events::Subscriber;
use crate::events::notify;
use crate::store::Store;

impl Store {
    /// A [`Subscriber`] to `channels` (more can be added on it later).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["chat"]);
    /// assert_eq!(store.publish("chat", "hello")?, 1);
    /// assert_eq!(sub.recv()?.payload_str(), Some("hello"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn subscribe<C: ToArg>(&self, channels: &[C]) -> Subscriber {
        let mut sub = self.subscriber();
        sub.subscribe(channels);
        sub
    }

    /// A [`Subscriber`] to channels matching the glob `patterns` (`*`, `?`, `[a-z]`, `\`
    /// escapes, matched as `KEYS` matches keys).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut sub = store.psubscribe(&["user.*.login"]);
    /// store.publish("user.42.login", "ok")?;
    /// assert_eq!(sub.recv()?.channel(), b"user.42.login");
    /// # Ok(())
    /// # }
    /// ```
    pub fn psubscribe<P: ToArg>(&self, patterns: &[P]) -> Subscriber {
        let mut sub = self.subscriber();
        sub.psubscribe(patterns);
        sub
    }

    pub(crate) fn subscriber(&self) -> Subscriber {
        let events = &self.shared.events;
        Subscriber::new(events.pubsub.clone(), events.timers.clone())
    }

    /// PUBLISH: delivers `message` to every subscriber of `channel` and of each matching
    /// pattern; returns how many deliveries were made (one per channel subscription and
    /// one per matching pattern subscription, as Redis counts). Never waits for a
    /// subscriber.
    ///
    /// # Errors
    ///
    /// None in practice (the typed API's conversion error is unreachable).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// assert_eq!(store.publish("nobody", "x")?, 0);
    /// let _a = store.subscribe(&["news"]);
    /// let _b = store.psubscribe(&["n*", "ne*"]);
    /// assert_eq!(store.publish("news", "x")?, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn publish(&self, channel: impl ToArg, message: impl ToArg) -> Result<usize, Error> {
        crate::typed::call(
            |sp, a| self.query(sp, a),
            (spec!("PUBLISH"), "PUBLISH"),
            &[&channel, &message],
        )
    }

    /// Changes which keyspace notifications are published, as `CONFIG SET
    /// notify-keyspace-events` does (see
    /// [`Config::notify_keyspace_events`](crate::Config::notify_keyspace_events) for the
    /// letters). `""` turns them off.
    ///
    /// # Errors
    ///
    /// Redis's CONFIG SET error for a letter it does not know; the setting is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.set_notify_keyspace_events("Elg")?;
    /// assert_eq!(store.notify_keyspace_events(), "glE");
    /// assert!(store.set_notify_keyspace_events("Kq").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_notify_keyspace_events(&self, classes: &str) -> Result<(), Error> {
        let flags = notify::parse_flags(classes).ok_or_else(|| {
            Error::Reply(format!(
                "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - {}",
                notify::BAD_CLASS
            ))
        })?;
        self.shared.events.set_notify(&self.shared.listeners, flags);
        Ok(())
    }

    /// The keyspace notification classes now on, as Redis's `CONFIG GET
    /// notify-keyspace-events` prints them (`"AKE"` for `"KEA"`).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::with_config(redlite::Config::default().notify_keyspace_events("KEA"));
    /// assert_eq!(store.notify_keyspace_events(), "AKE");
    /// ```
    #[must_use]
    pub fn notify_keyspace_events(&self) -> String {
        notify::flags_to_string(self.shared.events.notify_flags())
    }

    /// How many calls are blocked in a blocking pop right now (Redis's INFO
    /// `blocked_clients`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::Store::new().blocked_clients(), 0);
    /// ```
    #[must_use]
    pub fn blocked_clients(&self) -> usize {
        self.shared
            .events
            .blocked
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Queue entries of blocked pops held across all shards (one per waiter and key): for
    /// tests that check nothing is left behind. Not part of the stable API.
    #[doc(hidden)]
    #[must_use]
    pub fn wait_queue_entries(&self) -> usize {
        let ks = &self.shared.keyspace;
        let made: Vec<usize> = ks.made().collect();
        made.into_iter()
            .flat_map(|db| ks.base(db)..ks.base(db) + ks.shard_count())
            .map(|i| ks.shard(i).read().waits.len())
            .sum()
    }
}
