//! [`Timers`]: deadlines of blocked calls, kept by the store's [`Clock`].
//!
//! Timeouts follow the store's clock. A thread blocked on the system clock times itself out
//! (a timed condvar wait, re-reading the clock when it wakes), so it needs no entry here.
//! Two kinds of wait do: any wait on a [`ManualClock`](crate::ManualClock), which only
//! `advance`/`set` can end (the clock tells this table, which ends exactly the waits whose
//! deadline passed: no herd), and an awaiting future on a real clock, which has no thread of
//! its own to time it, so one timer thread per store (started on first need, stopped when
//! the store drops) sleeps until the earliest deadline.

use std::collections::BTreeMap;

use crate::clock::{Clock, TimeWatch};
use crate::events::subscriber::Inbox;
use crate::keyspace::waits::Waiter;
use crate::sync::{Arc, Condvar, Mutex};

/// What a deadline ends.
pub(crate) enum Due {
    /// A blocked pop: times out unless a writer claimed it first.
    Waiter(Arc<Waiter>),
    /// A subscriber waiting for a message with a timeout: woken to look at the clock.
    Inbox(Arc<Inbox>),
}

impl Due {
    fn fire(&self) {
        match self {
            Due::Waiter(w) => {
                w.time_out();
            }
            Due::Inbox(i) => i.wake(),
        }
    }
}

/// A registered deadline: (Unix ms, arrival order), to cancel it.
pub(crate) type TimerId = (u64, u64);

#[derive(Default)]
struct State {
    due: BTreeMap<TimerId, Due>,
    next: u64,
    /// A timer thread is running for this store.
    thread: bool,
    /// The store is gone: the thread stops.
    closed: bool,
    /// The timer thread, joined when the store closes.
    #[cfg(not(loom))]
    handle: Option<std::thread::JoinHandle<()>>,
}

/// One store's deadlines.
pub(crate) struct Timers {
    clock: std::sync::Arc<dyn Clock>,
    manual: bool,
    state: Mutex<State>,
    /// Wakes the timer thread when an earlier deadline arrives or the store closes.
    changed: Condvar,
}

impl Timers {
    pub(crate) fn new(clock: std::sync::Arc<dyn Clock>) -> std::sync::Arc<Timers> {
        let manual = clock.as_manual().cloned();
        let timers = std::sync::Arc::new(Timers {
            clock,
            manual: manual.is_some(),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        if let Some(m) = manual {
            let weak: std::sync::Weak<Timers> = std::sync::Arc::downgrade(&timers);
            m.watch(weak);
        }
        timers
    }

    /// Whether only the clock's own jumps end waits (a [`ManualClock`](crate::ManualClock)).
    pub(crate) fn manual(&self) -> bool {
        self.manual
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Registers `due` to fire at `deadline` (Unix ms by the store's clock). A deadline
    /// already passed fires at once. `timed_thread` asks for the timer thread on a real
    /// clock (awaiting futures); on a manual clock the clock's moves fire it.
    pub(crate) fn add(
        self: &std::sync::Arc<Self>,
        deadline: u64,
        due: Due,
        timed_thread: bool,
    ) -> TimerId {
        let mut st = self.state.lock();
        st.next += 1;
        let id = (deadline, st.next);
        // Checked under the lock that `time_moved` takes: a move either sees this entry or
        // happened before this read of the clock (no lost wake-up).
        if self.now() >= deadline {
            drop(st);
            due.fire();
            return id;
        }
        let earliest = st.due.keys().next().is_none_or(|first| id < *first);
        st.due.insert(id, due);
        if !self.manual && timed_thread {
            if !st.thread {
                st.thread = true;
                drop(st);
                self.spawn_thread();
                return id;
            }
            if earliest {
                self.changed.notify_one();
            }
        }
        id
    }

    /// Forgets a deadline (the wait ended another way), so no entry outlives its wait.
    pub(crate) fn cancel(&self, id: TimerId) {
        self.state.lock().due.remove(&id);
    }

    /// Fires every deadline at or before `now`.
    fn fire_due(&self, now: u64) {
        let fired = {
            let mut st = self.state.lock();
            let later = st.due.split_off(&(now.saturating_add(1), 0));
            std::mem::replace(&mut st.due, later)
        };
        // Outside the lock: firing wakes tasks, whose code must not run under it.
        for due in fired.values() {
            due.fire();
        }
    }

    /// The store is gone: the timer thread, if any, stops before this returns (unless this
    /// is that thread, when a task it woke dropped the store: it then stops on its own).
    pub(crate) fn close(&self) {
        let mut st = self.state.lock();
        st.closed = true;
        st.due.clear();
        #[cfg(not(loom))]
        let handle = st.handle.take();
        drop(st);
        self.changed.notify_all();
        #[cfg(not(loom))]
        if let Some(h) = handle {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }

    #[cfg(not(loom))]
    fn spawn_thread(self: &std::sync::Arc<Self>) {
        let timers = self.clone();
        let spawned = std::thread::Builder::new()
            .name("redlite-timers".into())
            .spawn(move || timers.run_thread());
        let mut st = self.state.lock();
        match spawned {
            Ok(h) => st.handle = Some(h),
            // No thread: awaiting calls with a timeout wait until served instead.
            Err(_) => st.thread = false,
        }
    }

    /// loom models never await with a real-clock timeout.
    #[cfg(loom)]
    fn spawn_thread(self: &std::sync::Arc<Self>) {}

    /// Sleeps until the earliest deadline (or until told of an earlier one), fires what is
    /// due, and stops when the store closes.
    #[cfg(not(loom))]
    fn run_thread(&self) {
        let mut st = self.state.lock();
        loop {
            if st.closed {
                return;
            }
            let now = self.now();
            let Some(&(first, _)) = st.due.keys().next() else {
                st = self.changed.wait(st);
                continue;
            };
            if first > now {
                let wait = std::time::Duration::from_millis(first - now);
                st = self.changed.wait_for(st, wait);
                continue;
            }
            drop(st);
            self.fire_due(now);
            st = self.state.lock();
        }
    }
}

impl TimeWatch for Timers {
    fn time_moved(&self, now_ms: u64) {
        self.fire_due(now_ms);
    }
}
