//! [`BlockingPop`]: the future the `*_async` blocking methods return.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::commands::blocking::wait::BlockingCall;
use crate::convert::{FromReply, convert};
use crate::error::Error;

/// The future of an awaiting blocking pop (`store.blpop_async(..)` and its siblings).
///
/// It works with any async runtime: it never blocks the thread that polls it, and the
/// write that serves it (or the store's timer) wakes its task. The first poll pops if a key
/// holds something, else queues the call on its keys, exactly as a blocking call on a
/// thread does, so waiters of both kinds are served in the order they blocked.
///
/// Dropping it before it is served leaves every queue and pops nothing. A future dropped
/// after a writer served it but before it was polled again loses the popped elements, as a
/// Redis client that disconnects right after being served does: prefer the command's own
/// timeout over wrapping it in an outer timeout or `select!`.
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
/// use std::time::Duration;
///
/// let store = redlite::Store::new();
/// let producer = store.clone();
/// std::thread::spawn(move || producer.rpush("jobs", &["j1"]));
/// let job: Option<(String, String)> = block_on(store.blpop_async(&["jobs"], Duration::ZERO))?;
/// assert_eq!(job, Some(("jobs".to_string(), "j1".to_string())));
/// # Ok(())
/// # }
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct BlockingPop<T> {
    call: BlockingCall,
    _reply: PhantomData<fn() -> T>,
}

impl<T> BlockingPop<T> {
    pub(crate) fn new(call: BlockingCall) -> BlockingPop<T> {
        BlockingPop {
            call,
            _reply: PhantomData,
        }
    }
}

impl<T: FromReply> Future for BlockingPop<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.call).poll(cx).map(convert)
    }
}

impl<T> fmt::Debug for BlockingPop<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPop").finish_non_exhaustive()
    }
}
