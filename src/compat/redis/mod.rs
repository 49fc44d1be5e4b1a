//! The redis-rs drop-in: [`RedisConnection`] implements the `redis` crate's
//! `ConnectionLike` (sync) and `aio::ConnectionLike` (async), so code written against
//! `redis::Commands`, `redis::cmd`, `redis::pipe()`, `redis::transaction` and `redis::Script`
//! runs on a store unchanged.
//!
//! Commands arrive as argument slices (`Cmd::args_iter`, `Pipeline::cmd_iter`) and run
//! through the same path as [`Connection::execute`](crate::Connection::execute); replies
//! become the `redis::Value` a RESP2 server's bytes would parse into ([`value`]). Only the
//! sync pipeline and SCAN-iterator methods hand over packed RESP, which [`request`] splits
//! without copying.

mod aio;
mod pipeline;
mod request;
mod session;
mod sync;
mod value;

use std::sync::Arc;

use parking_lot::Mutex;

use self::session::Session;
use crate::store::Store;

/// A redis-rs connection to a [`Store`]: one client session (its own WATCH set and MULTI
/// queue, like a [`Connection`](crate::Connection)) behind `redis::ConnectionLike` and
/// `redis::aio::ConnectionLike`. It has no methods of its own, so with `use
/// redis::Commands;` (or `AsyncCommands`, `TypedCommands`) every call resolves to redis-rs's.
///
/// Commands run on the calling thread, as on a `Connection`; the async methods return
/// futures that complete on their first poll, so any executor (or none: a bare
/// `block_on`) drives them.
///
/// **Clones share the session**, as clones of redis-rs's `MultiplexedConnection` share one
/// server connection: a WATCH or MULTI on one clone is seen by the others. That is what
/// `redis::aio::transaction_async` and `ConnectionManager`-style code expect (they WATCH on
/// one handle and EXEC on a clone). Each call holds the session for its whole length, so a
/// pipeline (plain or atomic) never interleaves with another clone's commands. For an
/// independent session, call [`Store::redis_connection`] again.
///
/// # Examples
///
/// ```
/// use redis::Commands;
///
/// # fn main() -> redis::RedisResult<()> {
/// let store = redlite::Store::new();
/// let mut con = store.redis_connection();
/// let () = con.set("greeting", "hello")?;
/// let greeting: String = con.get("greeting")?;
/// assert_eq!(greeting, "hello");
/// let n: i64 = con.incr("visits", 5)?;
/// assert_eq!(n, 5);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisConnection {
    session: Arc<Mutex<Session>>,
}

impl Store {
    /// A new redis-rs connection to this store, with its own session (WATCH set, MULTI
    /// queue); see [`RedisConnection`]. Needs the `redis` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> redis::RedisResult<()> {
    /// let store = redlite::Store::new();
    /// let mut con = store.redis_connection();
    /// let pong: String = redis::cmd("PING").query(&mut con)?;
    /// assert_eq!(pong, "PONG");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn redis_connection(&self) -> RedisConnection {
        RedisConnection {
            session: Arc::new(Mutex::new(Session::new(self.connection()))),
        }
    }
}

impl std::fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConnection")
            .field("handles", &Arc::strong_count(&self.session))
            .finish_non_exhaustive()
    }
}
