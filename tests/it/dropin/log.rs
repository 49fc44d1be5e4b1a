//! The transcript both sides of the drop-in scenario write: one line per redis-rs call.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use redis::{RedisError, RedisResult};

#[derive(Default, Debug)]
pub struct Log {
    pub lines: Vec<(&'static str, String)>,
}

impl Log {
    /// Records a call's outcome: its value, or its error's kind, code and detail (what a
    /// caller can match on; the texts are Redis's on both sides).
    pub fn rec<T: Debug>(&mut self, call: &'static str, r: RedisResult<T>) -> Option<T> {
        match r {
            Ok(v) => {
                self.lines.push((call, format!("{v:?}")));
                Some(v)
            }
            Err(e) => {
                self.lines.push((call, error(&e)));
                None
            }
        }
    }

    /// Records an error by kind and code only: for a script's error (its text names the
    /// script's SHA1, which differs by language) and for the one error redlite can build
    /// only in that shape (a command refused while an atomic pipeline queued).
    pub fn rec_kind<T: Debug>(&mut self, call: &'static str, r: RedisResult<T>) {
        let line = match r {
            Ok(v) => format!("unexpected Ok({v:?})"),
            Err(e) => format!("Err({:?}, {:?})", e.kind(), e.code()),
        };
        self.lines.push((call, line));
    }

    /// Records a plain fact the scenario computed.
    pub fn note(&mut self, call: &'static str, what: impl Debug) {
        self.lines.push((call, format!("{what:?}")));
    }

    pub fn distinct_calls(&self) -> usize {
        self.lines
            .iter()
            .map(|(c, _)| *c)
            .collect::<BTreeSet<_>>()
            .len()
    }
}

pub fn error(e: &RedisError) -> String {
    format!("Err({:?}, {:?}, {:?})", e.kind(), e.code(), e.detail())
}

/// The two transcripts are equal line by line; the first difference is reported with the
/// lines around it.
pub fn assert_same(lite: &Log, real: &Log) {
    for (i, (l, r)) in lite.lines.iter().zip(&real.lines).enumerate() {
        if l != r {
            let from = i.saturating_sub(3);
            panic!(
                "line {i} differs:\n  redlite: {l:?}\n  redis:   {r:?}\ncontext (redlite): {:#?}",
                &lite.lines[from..=i]
            );
        }
    }
    assert_eq!(
        lite.lines.len(),
        real.lines.len(),
        "transcript lengths differ"
    );
}

/// Drives a future that must complete on its first poll: no runtime, no waker.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a RedisConnection future was not ready on its first poll"),
    }
}

/// `call!(log, "name", Type, expr)`: runs `expr` (a `RedisResult<Type>`) and records it.
macro_rules! call {
    ($log:ident, $name:literal, $t:ty, $e:expr) => {{
        let r: redis::RedisResult<$t> = $e;
        $log.rec($name, r)
    }};
}
pub(crate) use call;
