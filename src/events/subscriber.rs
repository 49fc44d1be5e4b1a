//! [`Subscriber`]: one pub/sub client, its bounded inbox and its [`Message`]s.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use indexmap::IndexSet;

use super::pubsub::PubSub;
use super::timers::{Due, Timers};
use crate::convert::ToArg;
use crate::error::Error;
use crate::reply::Reply;
use crate::sync::{Arc, AtomicU64, Condvar, Mutex, MutexGuard, Ordering, spin_briefly};
use crate::types::Bytes;

/// A published message as one subscriber receives it.
///
/// The channel and payload are shared (not copied) between every subscriber a message
/// reaches. `pattern` is the pattern that matched, for messages received through
/// [`Subscriber::psubscribe`].
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// let store = redlite::Store::new();
/// let mut sub = store.psubscribe(&["news.*"]);
/// store.publish("news.tech", "rust 2024")?;
/// let msg = sub.recv()?;
/// assert_eq!(msg.channel(), b"news.tech");
/// assert_eq!(msg.pattern(), Some(&b"news.*"[..]));
/// assert_eq!(msg.payload_str(), Some("rust 2024"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    channel: std::sync::Arc<[u8]>,
    pattern: Option<std::sync::Arc<[u8]>>,
    payload: std::sync::Arc<[u8]>,
}

impl Message {
    pub(crate) fn new(
        channel: std::sync::Arc<[u8]>,
        pattern: Option<std::sync::Arc<[u8]>>,
        payload: std::sync::Arc<[u8]>,
    ) -> Message {
        Message {
            channel,
            pattern,
            payload,
        }
    }

    /// The channel it was published on.
    #[must_use]
    pub fn channel(&self) -> &[u8] {
        &self.channel
    }

    /// The pattern it matched, when received through a pattern subscription.
    #[must_use]
    pub fn pattern(&self) -> Option<&[u8]> {
        self.pattern.as_deref()
    }

    /// The payload.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload as text, if it is UTF-8.
    #[must_use]
    pub fn payload_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.payload).ok()
    }

    /// The message as Redis sends it to a RESP2 client: `["message", channel, payload]`,
    /// or `["pmessage", pattern, channel, payload]`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::Reply;
    ///
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["c"]);
    /// store.publish("c", "hi")?;
    /// let frame = sub.recv()?.to_reply();
    /// assert_eq!(frame, Reply::Array(vec![Reply::bulk("message"), Reply::bulk("c"), Reply::bulk("hi")]));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn to_reply(&self) -> Reply {
        let mut out = Vec::with_capacity(4);
        match &self.pattern {
            Some(p) => {
                out.push(Reply::bulk("pmessage"));
                out.push(Reply::bulk(&p[..]));
            }
            None => out.push(Reply::bulk("message")),
        }
        out.push(Reply::bulk(&self.channel[..]));
        out.push(Reply::bulk(&self.payload[..]));
        Reply::Array(out)
    }

    /// What the message holds against the subscriber's buffer limit: its bytes plus a
    /// fixed overhead per message.
    pub(crate) fn cost(&self) -> usize {
        64 + self.channel.len() + self.payload.len() + self.pattern.as_ref().map_or(0, |p| p.len())
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        f.debug_struct("Message")
            .field("channel", &text(&self.channel))
            .field("pattern", &self.pattern.as_deref().map(text))
            .field("payload", &text(&self.payload))
            .finish()
    }
}

#[derive(Default)]
struct InboxState {
    queue: VecDeque<Message>,
    bytes: usize,
    /// Past the limit once: disconnected, as Redis drops a pub/sub client past its
    /// `client-output-buffer-limit`.
    overflowed: bool,
    /// The store is gone.
    closed: bool,
    waker: Option<Waker>,
}

/// Where published messages wait for one subscriber. Publishers only ever append (never
/// wait): a full inbox is dropped instead (see [`Subscriber`]).
pub(crate) struct Inbox {
    pub(crate) id: u64,
    limit: usize,
    state: Mutex<InboxState>,
    changed: Condvar,
    /// Bumped on every change, so a receiver about to sleep can watch for one briefly
    /// without the lock.
    changes: AtomicU64,
}

impl Inbox {
    pub(crate) fn new(id: u64, limit: usize) -> Inbox {
        Inbox {
            id,
            limit,
            state: Mutex::new(InboxState::default()),
            changed: Condvar::new(),
            changes: AtomicU64::new(0),
        }
    }

    /// Appends `msg`; false when it was not delivered (this inbox overflowed now or before,
    /// or is closed).
    pub(crate) fn push(&self, msg: Message) -> bool {
        let mut st = self.state.lock();
        if st.overflowed || st.closed {
            return false;
        }
        let cost = msg.cost();
        if st.bytes.saturating_add(cost) > self.limit {
            st.overflowed = true;
            // Dropped at once, as a disconnected Redis client's output buffer is.
            st.queue = VecDeque::new();
            st.bytes = 0;
            self.notify(st);
            return false;
        }
        st.bytes += cost;
        st.queue.push_back(msg);
        self.notify(st);
        true
    }

    fn notify(&self, mut st: MutexGuard<'_, InboxState>) {
        let waker = st.waker.take();
        self.changes.fetch_add(1, Ordering::Release);
        drop(st);
        // One receiver per inbox: its owner.
        self.changed.notify_one();
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes a waiting receiver to look at the clock (its deadline may have passed).
    pub(crate) fn wake(&self) {
        self.notify(self.state.lock());
    }

    /// The store is gone: receivers get [`Error::Closed`] once the queue is drained.
    pub(crate) fn close(&self) {
        let mut st = self.state.lock();
        st.closed = true;
        self.notify(st);
    }

    pub(crate) fn overflowed(&self) -> bool {
        self.state.lock().overflowed
    }

    fn take(&self, st: &mut InboxState) -> Result<Option<Message>, Error> {
        if st.overflowed {
            return Err(Error::SubscriberOverflow { limit: self.limit });
        }
        match st.queue.pop_front() {
            Some(m) => {
                st.bytes -= m.cost();
                Ok(Some(m))
            }
            None if st.closed => Err(Error::Closed),
            None => Ok(None),
        }
    }

    pub(crate) fn try_recv(&self) -> Result<Option<Message>, Error> {
        self.take(&mut self.state.lock())
    }

    /// Waits until a message, an error, or `deadline` (Unix ms by the store's clock).
    pub(crate) fn recv_until(
        this: &Arc<Self>,
        timers: &std::sync::Arc<Timers>,
        deadline: Option<u64>,
    ) -> Result<Option<Message>, Error> {
        let timer = match deadline {
            Some(d) if timers.manual() => Some(timers.add(d, Due::Inbox(this.clone()), false)),
            _ => None,
        };
        let out = this.wait_until(timers, deadline);
        if let Some(id) = timer {
            timers.cancel(id);
        }
        out
    }

    fn wait_until(&self, timers: &Timers, deadline: Option<u64>) -> Result<Option<Message>, Error> {
        let mut st = self.state.lock();
        let mut spun = false;
        let out = loop {
            if let Some(m) = self.take(&mut st)? {
                break Some(m);
            }
            if !spun {
                // Once per call: a message published within microseconds needs no sleep.
                spun = true;
                let seen = self.changes.load(Ordering::Acquire);
                drop(st);
                spin_briefly(|| self.changes.load(Ordering::Acquire) != seen);
                st = self.state.lock();
                continue;
            }
            let Some(d) = deadline else {
                st = self.changed.wait(st);
                continue;
            };
            let now = timers.now();
            if now >= d {
                break None;
            }
            st = if timers.manual() {
                self.changed.wait(st)
            } else {
                self.changed.wait_for(st, Duration::from_millis(d - now))
            };
        };
        Ok(out)
    }

    pub(crate) fn poll_recv(&self, waker: &Waker) -> Poll<Result<Message, Error>> {
        let mut st = self.state.lock();
        match self.take(&mut st) {
            Ok(Some(m)) => Poll::Ready(Ok(m)),
            Err(e) => Poll::Ready(Err(e)),
            Ok(None) => {
                st.waker = Some(waker.clone());
                Poll::Pending
            }
        }
    }
}

/// A pub/sub subscription: the channels and patterns of one subscriber, and the messages
/// published to them since, in publish order.
///
/// Made by [`Store::subscribe`](crate::Store::subscribe) or
/// [`Store::psubscribe`](crate::Store::psubscribe). Publishers never wait for it: each
/// subscriber has a buffer of `Config::pubsub_buffer_limit` bytes (32 MiB by default, Redis's
/// hard `client-output-buffer-limit` for pub/sub clients). A subscriber that lets its buffer
/// fill is disconnected, as Redis disconnects such a client: its subscriptions end, its
/// buffered messages are dropped, and every receive after that answers
/// [`Error::SubscriberOverflow`]. When the store is dropped, receives answer
/// [`Error::Closed`] once the buffered messages are read. Dropping the subscriber
/// unsubscribes it.
///
/// Receiving: [`recv`](Self::recv) blocks the thread, [`recv_timeout`](Self::recv_timeout)
/// blocks until a deadline by the store's clock (a `ManualClock`'s `advance` ends it),
/// [`try_recv`](Self::try_recv) never blocks, [`next`](Self::next) is a future (for any
/// async runtime), and `for msg in &mut sub` iterates with `recv`.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// let store = redlite::Store::new();
/// let mut sub = store.subscribe(&["orders"]);
/// assert_eq!(store.publish("orders", "o-1")?, 1);
/// assert_eq!(sub.recv()?.payload(), b"o-1");
/// assert!(sub.try_recv()?.is_none());
/// # Ok(())
/// # }
/// ```
pub struct Subscriber {
    pub(crate) pubsub: std::sync::Arc<PubSub>,
    pub(crate) timers: std::sync::Arc<Timers>,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) channels: IndexSet<Bytes>,
    pub(crate) patterns: IndexSet<Bytes>,
}

impl Subscriber {
    pub(crate) fn new(
        pubsub: std::sync::Arc<PubSub>,
        timers: std::sync::Arc<Timers>,
    ) -> Subscriber {
        let inbox = Arc::new(pubsub.new_inbox());
        Subscriber {
            pubsub,
            timers,
            inbox,
            channels: IndexSet::new(),
            patterns: IndexSet::new(),
        }
    }

    /// Adds channel subscriptions (a channel already subscribed stays once).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["a"]);
    /// sub.subscribe(&["b", "a"]);
    /// assert_eq!(sub.subscription_count(), 2);
    /// ```
    pub fn subscribe<C: ToArg>(&mut self, channels: &[C]) {
        for c in channels {
            self.subscribe_one(&c.to_arg());
        }
    }

    /// Adds pattern subscriptions (glob patterns, matched as `KEYS` matches them).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["a"]);
    /// sub.psubscribe(&["log.*"]);
    /// assert_eq!(sub.subscription_count(), 2);
    /// ```
    pub fn psubscribe<P: ToArg>(&mut self, patterns: &[P]) {
        for p in patterns {
            self.psubscribe_one(&p.to_arg());
        }
    }

    /// Ends channel subscriptions; with no channels, ends all of them (as UNSUBSCRIBE).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["a", "b"]);
    /// sub.unsubscribe(&["a"]);
    /// assert_eq!(sub.subscription_count(), 1);
    /// sub.unsubscribe::<&str>(&[]);
    /// assert_eq!(sub.subscription_count(), 0);
    /// ```
    pub fn unsubscribe<C: ToArg>(&mut self, channels: &[C]) {
        if channels.is_empty() {
            let all: Vec<Bytes> = self.channels.iter().cloned().collect();
            for c in &all {
                self.unsubscribe_one(c);
            }
        }
        for c in channels {
            self.unsubscribe_one(&c.to_arg());
        }
    }

    /// Ends pattern subscriptions; with no patterns, ends all of them (as PUNSUBSCRIBE).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut sub = store.psubscribe(&["a*"]);
    /// sub.punsubscribe(&["a*"]);
    /// assert_eq!(sub.subscription_count(), 0);
    /// ```
    pub fn punsubscribe<P: ToArg>(&mut self, patterns: &[P]) {
        if patterns.is_empty() {
            let all: Vec<Bytes> = self.patterns.iter().cloned().collect();
            for p in &all {
                self.punsubscribe_one(p);
            }
        }
        for p in patterns {
            self.punsubscribe_one(&p.to_arg());
        }
    }

    /// How many channels and patterns this subscriber has (what Redis's (un)subscribe
    /// confirmations count).
    #[must_use]
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    pub(crate) fn subscribe_one(&mut self, channel: &[u8]) {
        if self.channels.insert(Bytes::from_slice(channel)) {
            self.pubsub.subscribe(channel, &self.inbox);
        }
    }

    pub(crate) fn psubscribe_one(&mut self, pattern: &[u8]) {
        if self.patterns.insert(Bytes::from_slice(pattern)) {
            self.pubsub.psubscribe(pattern, &self.inbox);
        }
    }

    /// True when it was subscribed.
    pub(crate) fn unsubscribe_one(&mut self, channel: &[u8]) -> bool {
        let had = self.channels.shift_remove(channel);
        if had {
            self.pubsub.unsubscribe(channel, self.inbox.id);
        }
        had
    }

    pub(crate) fn punsubscribe_one(&mut self, pattern: &[u8]) -> bool {
        let had = self.patterns.shift_remove(pattern);
        if had {
            self.pubsub.punsubscribe(pattern, self.inbox.id);
        }
        had
    }

    /// After an overflow the subscriber is disconnected: it leaves every channel.
    fn checked<T>(&mut self, r: Result<T, Error>) -> Result<T, Error> {
        if matches!(r, Err(Error::SubscriberOverflow { .. })) {
            self.leave_all();
        }
        r
    }

    fn leave_all(&mut self) {
        for c in std::mem::take(&mut self.channels) {
            self.pubsub.unsubscribe(&c, self.inbox.id);
        }
        for p in std::mem::take(&mut self.patterns) {
            self.pubsub.punsubscribe(&p, self.inbox.id);
        }
    }

    /// Waits for the next message.
    ///
    /// # Errors
    ///
    /// [`Error::SubscriberOverflow`] once the subscriber fell a whole buffer behind (it is
    /// then disconnected); [`Error::Closed`] when the store was dropped and nothing is left.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["jobs"]);
    /// let publisher = store.clone();
    /// std::thread::spawn(move || publisher.publish("jobs", "j1"));
    /// assert_eq!(sub.recv()?.payload(), b"j1");
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv(&mut self) -> Result<Message, Error> {
        let r = Inbox::recv_until(&self.inbox, &self.timers, None);
        self.checked(r)?.ok_or(Error::Closed)
    }

    /// Waits for the next message for at most `timeout` by the store's clock; `None` when
    /// the time passed first. With a `ManualClock`, `advance` past the deadline ends the wait.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use std::time::Duration;
    ///
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["quiet"]);
    /// assert!(sub.recv_timeout(Duration::from_millis(1))?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Option<Message>, Error> {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let deadline = self.timers.now().saturating_add(ms);
        let r = Inbox::recv_until(&self.inbox, &self.timers, Some(deadline));
        self.checked(r)
    }

    /// The next message if one is waiting; never blocks.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["c"]);
    /// assert!(sub.try_recv()?.is_none());
    /// store.publish("c", "x")?;
    /// assert!(sub.try_recv()?.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_recv(&mut self) -> Result<Option<Message>, Error> {
        let r = self.inbox.try_recv();
        self.checked(r)
    }

    /// A future of the next message, for any async runtime (it is woken by the publish; no
    /// thread blocks).
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::task::{Context, Poll, Wake, Waker};
    /// #     struct T(std::thread::Thread);
    /// #     impl Wake for T { fn wake(self: std::sync::Arc<Self>) { self.0.unpark() } }
    /// #     let waker = Waker::from(std::sync::Arc::new(T(std::thread::current())));
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop {
    /// #         if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(&waker)) { return v; }
    /// #         std::thread::park();
    /// #     }
    /// # }
    /// let store = redlite::Store::new();
    /// let mut sub = store.subscribe(&["c"]);
    /// store.publish("c", "async hello")?;
    /// let msg = block_on(sub.next())?;
    /// assert_eq!(msg.payload(), b"async hello");
    /// # Ok(())
    /// # }
    /// ```
    #[allow(clippy::should_implement_trait)] // a future, not an iterator step (see IntoIterator)
    pub fn next(&mut self) -> NextMessage<'_> {
        NextMessage { sub: self }
    }
}

/// The future of [`Subscriber::next`].
#[must_use = "futures do nothing unless polled"]
pub struct NextMessage<'s> {
    sub: &'s mut Subscriber,
}

impl Future for NextMessage<'_> {
    type Output = Result<Message, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let sub = &mut *self.sub;
        match sub.inbox.poll_recv(cx.waker()) {
            Poll::Ready(r) => Poll::Ready(sub.checked(r)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// `for msg in &mut sub`: each message, received with [`Subscriber::recv`]; an error is
/// yielded once and ends the iteration.
#[allow(
    clippy::into_iter_without_iter,
    reason = "iterating means receiving: `for msg in &mut sub` is the one way in"
)]
impl<'s> IntoIterator for &'s mut Subscriber {
    type Item = Result<Message, Error>;
    type IntoIter = Messages<'s>;

    fn into_iter(self) -> Messages<'s> {
        Messages {
            sub: self,
            done: false,
        }
    }
}

/// The blocking iterator of a [`Subscriber`] (see its `IntoIterator`).
pub struct Messages<'s> {
    sub: &'s mut Subscriber,
    done: bool,
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.sub.recv();
        self.done = r.is_err();
        Some(r)
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.leave_all();
    }
}

impl fmt::Debug for Subscriber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriber")
            .field("channels", &self.channels.len())
            .field("patterns", &self.patterns.len())
            .finish_non_exhaustive()
    }
}
