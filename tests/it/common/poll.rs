//! Polling futures by hand: a waker that counts its wake-ups, so a test can poll a future
//! once (to register it), act, and see whether and how often it was woken, without any
//! runtime or timing.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

#[derive(Default)]
pub struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future polled by hand with a counting waker.
pub struct Polled<F: Future + Unpin> {
    pub fut: F,
    count: Arc<CountingWaker>,
    waker: Waker,
}

impl<F: Future + Unpin> Polled<F> {
    pub fn new(fut: F) -> Polled<F> {
        let count = Arc::new(CountingWaker::default());
        let waker = Waker::from(count.clone());
        Polled { fut, count, waker }
    }

    pub fn poll(&mut self) -> Poll<F::Output> {
        Pin::new(&mut self.fut).poll(&mut Context::from_waker(&self.waker))
    }

    /// How many times the future's waker was woken.
    pub fn wakes(&self) -> usize {
        self.count.0.load(Ordering::SeqCst)
    }
}

/// Runs a future to completion on this thread, parking between polls.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut Context::from_waker(&waker)) {
            return v;
        }
        std::thread::park();
    }
}
