//! Stopping a running script: the wall-clock limit and SCRIPT KILL.
//!
//! Both are checked by the engine's progress hook, which Rhai calls between operations.
//! The hook is shared by every thread, so what it checks lives in a thread-local: the run
//! on this thread (a thread runs at most one script at a time: scripts cannot start
//! scripts). Reading the clock on every operation would cost as much as the operation,
//! so the hook reads it every `period` operations, with `period` adapted so that checks
//! come about once per [`CHECK_EVERY`] whatever the operations cost.
//!
//! SCRIPT KILL comes from another thread and takes no shard lock: it finds the runs of
//! its store in a registry (striped by thread, so parallel scripts do not share one
//! mutex) and flips their state. A run that already wrote cannot be killed (Redis's
//! UNKILLABLE): the flip from running to killed and from running to wrote are one
//! compare-and-swap each, so a run is either killed before its first write or not at all.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use rhai::Dynamic;

// std and parking_lot directly, not `crate::sync`: this state is per thread and outside the
// shard lock order that the loom models explore.
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// The aim for the time between two checks of the clock and the kill flag.
const CHECK_EVERY: Duration = Duration::from_micros(500);
/// The most operations between two checks (cheap operations: ~25 µs of them).
const MAX_PERIOD: u64 = 1024;

const RUNNING: u8 = 0;
const WROTE: u8 = 1;
const KILLED: u8 = 2;

/// Why the progress hook stopped a run (the token of Rhai's `ErrorTerminated`).
pub(crate) const TOKEN_KILLED: &str = "killed";
pub(crate) const TOKEN_TIME: &str = "time";

/// The error a killed script's caller gets (Redis's text).
pub(crate) const KILLED_TEXT: &str = "ERR Script killed by user with SCRIPT KILL...";

/// What a run is, for SCRIPT KILL and FUNCTION KILL (each kills only its own kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// EVAL / EVALSHA.
    Eval,
    /// FCALL / `FCALL_RO`.
    Function,
}

/// One thread's run state, shared with SCRIPT KILL through the registry.
#[derive(Debug)]
pub(crate) struct RunState {
    state: AtomicU8,
    /// 1 for a function's run (set before the run is registered).
    function: AtomicU8,
}

impl RunState {
    /// Records that the run is about to write; false if it was killed first.
    pub(crate) fn write(&self) -> bool {
        match self
            .state
            .compare_exchange(RUNNING, WROTE, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(now) => now == WROTE,
        }
    }

    fn killed(&self) -> bool {
        self.state.load(Ordering::Acquire) == KILLED
    }

    fn kind(&self) -> Kind {
        if self.function.load(Ordering::Acquire) == 1 {
            Kind::Function
        } else {
            Kind::Eval
        }
    }
}

/// What the progress hook of this thread checks.
struct Current {
    deadline: Cell<Option<Instant>>,
    state: RefCell<Option<Arc<RunState>>>,
    next_check: Cell<u64>,
    period: Cell<u64>,
    last_check: Cell<Option<Instant>>,
}

thread_local! {
    static CURRENT: Current = const {
        Current {
            deadline: Cell::new(None),
            state: RefCell::new(None),
            next_check: Cell::new(u64::MAX),
            period: Cell::new(16),
            last_check: Cell::new(None),
        }
    };
    /// This thread's run state, allocated once and reused by every run.
    static MINE: Arc<RunState> = Arc::new(RunState {
        state: AtomicU8::new(RUNNING),
        function: AtomicU8::new(0),
    });
    /// Counts the runs started on this thread (see [`run_id`]).
    static RUNS: Cell<u64> = const { Cell::new(0) };
    /// Set while FCALL starts its run (see [`as_function`]).
    static FUNCTION_RUN: Cell<bool> = const { Cell::new(false) };
    /// This thread's stripe of the registries.
    static STRIPE: usize = next_stripe();
}

const STRIPES: usize = 16;

fn next_stripe() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % STRIPES
}

/// One stripe of a registry: the runs of the threads that map to it.
type Stripe = CachePadded<Mutex<Vec<Arc<RunState>>>>;

/// The runs in progress of one store.
pub(crate) struct Registry {
    stripes: Box<[Stripe]>,
}

impl Registry {
    pub(crate) fn new() -> Registry {
        Registry {
            stripes: (0..STRIPES).map(|_| CachePadded::default()).collect(),
        }
    }

    /// SCRIPT KILL (`Kind::Eval`) or FUNCTION KILL (`Kind::Function`): kills every run of
    /// that kind that has not written. `Ok` if it killed one, else the error reply text in
    /// Redis's order: NOTBUSY with no run, UNKILLABLE when the runs have written, BUSY
    /// (naming the other KILL) when only runs of the other kind could be killed.
    pub(crate) fn kill(&self, kind: Kind) -> Result<(), &'static str> {
        let (mut killed, mut unkillable, mut other) = (0, 0, 0);
        for stripe in &self.stripes {
            for run in stripe.lock().iter() {
                let wrote = run.state.load(Ordering::Acquire) == WROTE;
                if run.kind() != kind {
                    if wrote {
                        unkillable += 1;
                    } else {
                        other += 1;
                    }
                    continue;
                }
                match run.state.compare_exchange(
                    RUNNING,
                    KILLED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => killed += 1,
                    Err(WROTE) => unkillable += 1,
                    Err(_) => {}
                }
            }
        }
        if killed > 0 {
            Ok(())
        } else if other > 0 {
            Err(match kind {
                Kind::Eval => {
                    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or \
                     SHUTDOWN NOSAVE."
                }
                Kind::Function => {
                    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or \
                     SHUTDOWN NOSAVE."
                }
            })
        } else if unkillable > 0 {
            Err(
                "UNKILLABLE Sorry the script already executed write commands against the \
                 dataset. You can either wait the script termination or kill the server in a \
                 hard way using the SHUTDOWN NOSAVE command.",
            )
        } else {
            Err("NOTBUSY No scripts in execution right now.")
        }
    }
}

/// Which run this thread is in (or was in last): settings a script changes for its own
/// run (`cjson`'s) are keyed by it, so no run sees another's.
#[cfg(feature = "lua")]
pub(crate) fn run_id() -> u64 {
    RUNS.with(Cell::get)
}

/// Runs `f` (which starts a function's run) so that the run registers as a function's.
#[cfg(feature = "lua")]
pub(crate) fn as_function<R>(f: impl FnOnce() -> R) -> R {
    let before = FUNCTION_RUN.with(|r| r.replace(true));
    let out = f();
    FUNCTION_RUN.with(|r| r.set(before));
    out
}

/// A run registered for the time limit and SCRIPT KILL; unregisters when dropped (also
/// when a command panics and unwinds).
pub(crate) struct Watched<'r> {
    registry: &'r Registry,
    stripe: usize,
    state: Arc<RunState>,
}

impl Watched<'_> {
    pub(crate) fn state(&self) -> &RunState {
        &self.state
    }
}

/// Starts watching the run about to start on this thread.
pub(crate) fn watch(registry: &Registry, limit: Duration) -> Watched<'_> {
    let state = MINE.with(Arc::clone);
    state.state.store(RUNNING, Ordering::Release);
    RUNS.with(|r| r.set(r.get().wrapping_add(1)));
    let function = FUNCTION_RUN.with(|r| r.replace(false));
    state.function.store(u8::from(function), Ordering::Release);
    let stripe = STRIPE.with(|s| *s);
    registry.stripes[stripe].lock().push(state.clone());
    CURRENT.with(|c| {
        let now = Instant::now();
        c.deadline.set(now.checked_add(limit));
        c.last_check.set(Some(now));
        c.period.set(16);
        c.next_check.set(16);
        *c.state.borrow_mut() = Some(state.clone());
    });
    Watched {
        registry,
        stripe,
        state,
    }
}

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| {
            c.next_check.set(u64::MAX);
            c.state.borrow_mut().take();
        });
        let mut runs = self.registry.stripes[self.stripe].lock();
        if let Some(i) = runs.iter().position(|r| Arc::ptr_eq(r, &self.state)) {
            runs.swap_remove(i);
        }
    }
}

/// Why the watchdog stops a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SCRIPT KILL.
    Killed,
    /// The wall-clock limit passed.
    Time,
}

/// The Rhai engine's progress hook: `Some(token)` stops the run.
pub(crate) fn progress(ops: u64) -> Option<Dynamic> {
    poll(ops).map(|stop| match stop {
        Stop::Killed => TOKEN_KILLED.into(),
        Stop::Time => TOKEN_TIME.into(),
    })
}

/// Whether the run on this thread, `ops` operations in, must stop (checking the clock and
/// the kill flag only every so many operations).
pub(crate) fn poll(ops: u64) -> Option<Stop> {
    CURRENT.with(|c| {
        if ops < c.next_check.get() {
            return None;
        }
        check(c, ops)
    })
}

#[cold]
fn check(c: &Current, ops: u64) -> Option<Stop> {
    if c.state.borrow().as_ref().is_some_and(|s| s.killed()) {
        return Some(Stop::Killed);
    }
    let now = Instant::now();
    if c.deadline.get().is_some_and(|d| now >= d) {
        return Some(Stop::Time);
    }
    let since = c.last_check.get().map_or(Duration::ZERO, |t| now - t);
    let period = c.period.get();
    let period = if since > CHECK_EVERY {
        (period / 2).max(1)
    } else if since < CHECK_EVERY / 4 {
        (period * 2).min(MAX_PERIOD)
    } else {
        period
    };
    c.period.set(period);
    c.last_check.set(Some(now));
    c.next_check.set(ops.saturating_add(period));
    None
}
