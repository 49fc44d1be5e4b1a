//! A [`Connection`] in pub/sub: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, RESET,
//! RESP2's subscribed mode and [`Connection::next_message`].
//!
//! Redis answers `SUBSCRIBE a b` with one confirmation frame per channel. `execute` returns
//! the first as its reply and keeps the rest, in order, ahead of any published message for
//! [`Connection::next_message`]: the frames come out exactly as they would on a RESP2
//! socket, so a server speaking RESP over redlite can write them as they come.

use std::collections::VecDeque;
use std::time::Duration;

use super::connection::Connection;
use crate::error::Error;
use crate::events::Subscriber;
use crate::reply::Reply;

/// The pub/sub side of one connection: its subscriber and frames not yet handed out.
pub(crate) struct ConnPubSub {
    sub: Subscriber,
    pending: VecDeque<Reply>,
}

/// Commands RESP2 allows while subscribed to anything.
const ALLOWED: &[&str] = &[
    "ping",
    "subscribe",
    "ssubscribe",
    "unsubscribe",
    "sunsubscribe",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
];

/// Redis 7's refusal in subscribed mode.
pub(crate) fn refused(name: &str) -> Option<Reply> {
    (!ALLOWED.contains(&name)).then(|| {
        Reply::error(format!(
            "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / \
             RESET are allowed in this context"
        ))
    })
}

fn frame(kind: &str, name: Option<&[u8]>, count: usize) -> Reply {
    Reply::Array(vec![
        Reply::bulk(kind),
        name.map_or(Reply::Nil, Reply::bulk),
        Reply::from_len(count),
    ])
}

impl Connection {
    fn pubsub_mut(&mut self) -> &mut ConnPubSub {
        let store = crate::Store {
            shared: self.shared.clone(),
            db: self.db,
        };
        self.pubsub.get_or_insert_with(|| {
            Box::new(ConnPubSub {
                sub: store.subscriber(),
                pending: VecDeque::new(),
            })
        })
    }

    /// Whether the connection is subscribed to any channel or pattern (RESP2's subscribed
    /// mode, where only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET may run).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// conn.execute(["SUBSCRIBE", "news"]);
    /// assert!(conn.is_subscribed());
    /// conn.execute(["UNSUBSCRIBE"]);
    /// assert!(!conn.is_subscribed());
    /// ```
    #[must_use]
    pub fn is_subscribed(&self) -> bool {
        self.pubsub
            .as_ref()
            .is_some_and(|p| p.sub.subscription_count() > 0)
    }

    /// (channels, patterns) this connection is subscribed to (CLIENT LIST's sub/psub).
    pub(super) fn subscription_counts(&self) -> (usize, usize) {
        self.pubsub
            .as_ref()
            .map_or((0, 0), |p| (p.sub.channels.len(), p.sub.patterns.len()))
    }

    /// The next pub/sub frame for this connection: a confirmation still waiting from the
    /// last (P)(UN)SUBSCRIBE, else a published message as `["message", channel, payload]`
    /// or `["pmessage", pattern, channel, payload]`, waiting up to `timeout` by the store's
    /// clock (`Duration::ZERO` does not wait). `None` when nothing came in time, or when the
    /// connection never subscribed.
    ///
    /// # Errors
    ///
    /// [`Error::SubscriberOverflow`] when the connection fell a whole pub/sub buffer
    /// behind (it was disconnected from its channels, as Redis disconnects such a client);
    /// [`Error::Closed`] once the store is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use redlite::Reply;
    ///
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// let first = conn.execute(["SUBSCRIBE", "a", "b"]);
    /// assert_eq!(first.to_string(), r#"["subscribe", "a", 1]"#);
    /// let second = conn.next_message(Duration::ZERO)?.ok_or("no second reply")?;
    /// assert_eq!(second.to_string(), r#"["subscribe", "b", 2]"#);
    /// store.publish("b", "hi")?;
    /// let msg = conn.next_message(Duration::from_secs(1))?.ok_or("no message")?;
    /// assert_eq!(msg.to_string(), r#"["message", "b", "hi"]"#);
    /// # Ok(())
    /// # }
    /// ```
    pub fn next_message(&mut self, timeout: Duration) -> Result<Option<Reply>, Error> {
        let Some(ps) = self.pubsub.as_mut() else {
            return Ok(None);
        };
        if let Some(f) = ps.pending.pop_front() {
            return Ok(Some(f));
        }
        let msg = if timeout.is_zero() {
            ps.sub.try_recv()?
        } else {
            ps.sub.recv_timeout(timeout)?
        };
        Ok(msg.map(|m| m.to_reply()))
    }

    /// Leaves pub/sub entirely, without confirmations (RESET, and connection drop).
    pub(crate) fn leave_pubsub(&mut self) {
        self.pubsub = None;
    }

    /// Hands out the first frame; the rest wait for `next_message`.
    fn first_frame(&mut self) -> Reply {
        self.pubsub_mut()
            .pending
            .pop_front()
            .unwrap_or(Reply::NilArray)
    }
}

/// Redis refuses these inside MULTI only when EXEC runs them; redlite refuses them when
/// queued (a documented difference), which aborts the transaction.
const IN_MULTI: &str = "ERR Command not allowed inside a transaction";

pub(super) fn subscribe(c: &mut Connection, a: &[&[u8]]) -> Reply {
    if c.refuse_in_multi() {
        return Reply::error(IN_MULTI);
    }
    let ps = c.pubsub_mut();
    for ch in &a[1..] {
        ps.sub.subscribe_one(ch);
        let n = ps.sub.subscription_count();
        ps.pending.push_back(frame("subscribe", Some(ch), n));
    }
    c.first_frame()
}

pub(super) fn psubscribe(c: &mut Connection, a: &[&[u8]]) -> Reply {
    if c.refuse_in_multi() {
        return Reply::error(IN_MULTI);
    }
    let ps = c.pubsub_mut();
    for p in &a[1..] {
        ps.sub.psubscribe_one(p);
        let n = ps.sub.subscription_count();
        ps.pending.push_back(frame("psubscribe", Some(p), n));
    }
    c.first_frame()
}

pub(super) fn unsubscribe(c: &mut Connection, a: &[&[u8]]) -> Reply {
    leave(c, a, "unsubscribe", false)
}

pub(super) fn punsubscribe(c: &mut Connection, a: &[&[u8]]) -> Reply {
    leave(c, a, "punsubscribe", true)
}

/// UNSUBSCRIBE, or PUNSUBSCRIBE (`patterns`): the named channels (patterns), else every one
/// held; a frame per name, or one without a name when there was none.
fn leave(c: &mut Connection, a: &[&[u8]], kind: &'static str, patterns: bool) -> Reply {
    if c.refuse_in_multi() {
        return Reply::error(IN_MULTI);
    }
    let ps = c.pubsub_mut();
    let names: Vec<Vec<u8>> = if a.len() > 1 {
        a[1..].iter().map(|x| x.to_vec()).collect()
    } else if patterns {
        ps.sub.patterns.iter().map(|x| x.to_vec()).collect()
    } else {
        ps.sub.channels.iter().map(|x| x.to_vec()).collect()
    };
    if names.is_empty() {
        let n = ps.sub.subscription_count();
        ps.pending.push_back(frame(kind, None, n));
    }
    for name in &names {
        if patterns {
            ps.sub.punsubscribe_one(name);
        } else {
            ps.sub.unsubscribe_one(name);
        }
        let n = ps.sub.subscription_count();
        ps.pending.push_back(frame(kind, Some(name), n));
    }
    c.first_frame()
}

/// RESET: leaves MULTI, unwatches and leaves pub/sub, as Redis 6.2+.
pub(super) fn reset(c: &mut Connection, _: &[&[u8]]) -> Reply {
    c.discard_multi();
    c.leave_pubsub();
    // RESET also selects database 0, as Redis's `resetCommand` does.
    c.db = 0;
    c.reset_client();
    Reply::status("RESET")
}

/// PING while subscribed: RESP2's `["pong", <argument or "">]`.
pub(crate) fn subscribed_ping(a: &[&[u8]]) -> Reply {
    Reply::Array(vec![
        Reply::bulk("pong"),
        Reply::bulk(a.get(1).copied().unwrap_or_default()),
    ])
}
