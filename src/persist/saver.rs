//! The background saver: one thread per store with a data folder. It runs BGSAVE's snapshot
//! off the caller's thread and, once a second, checks the save rules (Redis's `serverCron`
//! check: at least `changes` writes and more than `after` since the last save; a failed save
//! is retried only after 5 seconds).

use std::sync::{Arc, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::save;
use super::state::unix_secs;
use crate::shared::Shared;
use crate::sync::Ordering;

/// How often the rules are checked (Redis's cron runs at `hz` 10, but its save check works
/// in whole seconds).
const TICK: Duration = Duration::from_secs(1);
/// Redis's `CONFIG_BGSAVE_RETRY_DELAY`.
const RETRY_SECS: u64 = 5;

#[derive(Default)]
struct Signal {
    state: Mutex<Flags>,
    wake: Condvar,
}

#[derive(Default)]
struct Flags {
    stopped: bool,
    bgsave: bool,
}

/// The saver thread of one store; dropping it stops and joins the thread.
pub(crate) struct Saver {
    signal: Arc<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Saver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saver").finish_non_exhaustive()
    }
}

impl Saver {
    /// Starts the saver for `shared`; `None` if the thread cannot start (BGSAVE then
    /// reports an error and the rules do not run).
    pub(crate) fn spawn(shared: Weak<Shared>) -> Option<Saver> {
        let signal = Arc::new(Signal::default());
        let theirs = Arc::clone(&signal);
        let thread = thread::Builder::new()
            .name("redlite-saver".into())
            .spawn(move || run(&theirs, &shared))
            .ok()?;
        Some(Saver {
            signal,
            thread: Some(thread),
        })
    }

    /// Asks for a background save now.
    pub(crate) fn request(&self) {
        self.signal.state.lock().bgsave = true;
        self.signal.wake.notify_all();
    }
}

fn run(signal: &Signal, shared: &Weak<Shared>) {
    let mut next_tick = Instant::now() + TICK;
    loop {
        let asked = {
            let mut flags = signal.state.lock();
            while !flags.stopped && !flags.bgsave && Instant::now() < next_tick {
                let _ = signal.wake.wait_until(&mut flags, next_tick);
            }
            if flags.stopped {
                return;
            }
            std::mem::take(&mut flags.bgsave)
        };
        if Instant::now() >= next_tick {
            next_tick = Instant::now() + TICK;
        }
        // The store is upgraded only for one job, so dropping its last handle stops us.
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if asked {
            background_save(&shared, signal);
        } else if rules_due(&shared) {
            let _ = save::save(&shared, true);
        }
    }
}

/// Runs a requested BGSAVE; if another snapshot holds the store (an AOF rewrite), asks
/// again for the next tick, as Redis runs a scheduled BGSAVE once the other child ends.
fn background_save(shared: &Shared, signal: &Signal) {
    if let Err(save::SaveError::Busy) = save::save(shared, true) {
        signal.state.lock().bgsave = true;
        thread::sleep(Duration::from_millis(10));
        return;
    }
    shared.saves.bgsave_running.store(false, Ordering::Release);
}

/// Whether a save rule asks for a snapshot now.
fn rules_due(shared: &Shared) -> bool {
    let rules = shared.saves.rules();
    if rules.is_empty() {
        return false;
    }
    let saves = &shared.saves;
    let now = unix_secs();
    if !saves.last_ok.load(Ordering::Acquire)
        && now.saturating_sub(saves.last_failure.load(Ordering::Acquire)) <= RETRY_SECS
    {
        return false;
    }
    let dirty = super::changes_since_save(shared);
    let since = now.saturating_sub(saves.last_save.load(Ordering::Acquire));
    rules
        .iter()
        .any(|r| dirty >= r.changes && since > r.after.as_secs())
}

impl Drop for Saver {
    fn drop(&mut self) {
        self.signal.state.lock().stopped = true;
        self.signal.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            // The last handle may drop on the saver itself (mid-job): it cannot join itself.
            if thread.thread().id() != thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}
