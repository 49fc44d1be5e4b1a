//! Which log is in force, and turning it on, off and between fsync policies while the
//! store runs (`CONFIG SET appendonly`, `CONFIG SET appendfsync`), as Redis 7.0 does.
//!
//! `appendonly yes` answers at once and starts the log on a thread of its own (Redis
//! starts a background rewrite): CONFIG runs under every shard's read lock, and the start
//! takes a snapshot, which write-locks them. Meanwhile the log counts as on (`CONFIG GET`,
//! INFO's `aof_enabled`, with `aof_rewrite_in_progress:1`), as in Redis's
//! `AOF_WAIT_REWRITE`; writes reach it from the snapshot's instant, and under `Always`
//! they wait for their fsync once its base is written and listed. `appendonly no` closes
//! the log (everything it was given is written and fsynced), ends a MISCONF its failure
//! caused, and cancels a start under way. `appendfsync` changes the policy of the log in
//! force at once.
//!
//! The state lock is never held across a snapshot or a wait for the disk.

use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{Condvar, Mutex};

use super::Aof;
use super::hub::Hub;
use super::starts::Claim;
use crate::keyspace::locks::Durable;
use crate::persist::Fsync;
use crate::shared::Shared;

/// Where the store's log stands.
enum Phase {
    Off,
    /// A thread is starting a log; `cancel`: `appendonly no` came meanwhile.
    Starting {
        cancel: bool,
    },
    On(Arc<Aof>),
}

struct State {
    phase: Phase,
    /// The policy in force (and for a log started later).
    policy: Fsync,
    /// The number the next log's first record gets (see `hub`).
    next_first: u64,
    /// Whether the last start failed (INFO's `aof_last_bgrewrite_status` while off).
    start_failed: bool,
    /// The log `appendonly no` closed last: a rewrite of it may still be running.
    retired: Weak<Aof>,
    /// `appendonly no` is closing a log: `next_first` is final once it is done.
    closing: bool,
}

/// The store's log switch (in `Shared`).
pub(crate) struct LogSwitch {
    state: Mutex<State>,
    hub: Arc<Hub>,
    /// Signalled when `appendonly no` finished closing a log.
    closed: Condvar,
    /// The store, for the thread that starts a log (bound once the store exists).
    shared: OnceLock<Weak<Shared>>,
}

/// Redis's error when `appendonly yes` cannot start a log (CONFIG SET wraps it).
const NO_START: &str = "Unable to turn on AOF. Check server logs.";

impl LogSwitch {
    /// A switch with no log, `policy` in force.
    pub(crate) fn new(policy: Fsync) -> LogSwitch {
        LogSwitch {
            state: Mutex::new(State {
                phase: Phase::Off,
                policy,
                next_first: 0,
                start_failed: false,
                retired: Weak::new(),
                closing: false,
            }),
            closed: Condvar::new(),
            hub: Arc::new(Hub::default()),
            shared: OnceLock::new(),
        }
    }

    /// Lets the switch start logs of `shared` (called once the store exists).
    pub(crate) fn bind(&self, shared: &Arc<Shared>) {
        let _ = self.shared.set(Arc::downgrade(shared));
    }

    /// The store's durable mark, for a log to owe (see `hub`).
    pub(crate) fn hub(&self) -> Weak<dyn Durable> {
        let hub: Arc<dyn Durable> = self.hub.clone();
        Arc::downgrade(&hub)
    }

    /// The log in force, if any.
    pub(crate) fn get(&self) -> Option<Arc<Aof>> {
        match &self.state.lock().phase {
            Phase::On(aof) => Some(aof.clone()),
            _ => None,
        }
    }

    /// Whether the log is on or starting (`CONFIG GET appendonly`, INFO's `aof_enabled`).
    pub(crate) fn enabled(&self) -> bool {
        match self.state.lock().phase {
            Phase::Off | Phase::Starting { cancel: true } => false,
            Phase::Starting { cancel: false } | Phase::On(_) => true,
        }
    }

    /// Whether a log is being started (INFO's `aof_rewrite_in_progress`).
    pub(crate) fn starting(&self) -> bool {
        matches!(self.state.lock().phase, Phase::Starting { .. })
    }

    /// The fsync policy in force.
    pub(crate) fn policy(&self) -> Fsync {
        self.state.lock().policy
    }

    /// Puts the log `Store::open` loaded or created in force.
    pub(crate) fn opened(&self, shared: &Shared, aof: Aof) {
        let mut st = self.state.lock();
        self.publish(shared, &aof, st.policy);
        st.phase = Phase::On(Arc::new(aof));
    }

    /// Makes `aof`'s log the one waits go to, under `policy`.
    fn publish(&self, shared: &Shared, aof: &Aof, policy: Fsync) {
        aof.log().set_policy(policy);
        self.hub.set(Some(aof.log().clone()));
        self.wait_for_fsyncs(shared, policy == Fsync::Always);
    }

    /// Whether replies wait for the log's fsync (`Always`; see `keyspace::locks`).
    fn wait_for_fsyncs(&self, shared: &Shared, on: bool) {
        let hub: Arc<dyn Durable> = self.hub.clone();
        shared.keyspace.set_durable(on.then_some(hub));
    }

    /// `CONFIG SET appendfsync`: the policy from now on (of the log in force, if any).
    /// Turning `Always` on waits from the next write; turning it off lets waiting
    /// writers go once their record is written.
    pub(crate) fn set_policy(&self, shared: &Shared, policy: Fsync) {
        let mut st = self.state.lock();
        st.policy = policy;
        if let Phase::On(aof) = &st.phase {
            if policy == Fsync::Always {
                self.wait_for_fsyncs(shared, true);
                aof.log().set_policy(policy);
            } else {
                aof.log().set_policy(policy);
                self.wait_for_fsyncs(shared, false);
            }
        }
    }

    /// `CONFIG SET appendonly yes`: starts a log on its own thread unless one is on or
    /// starting. The store must have a data folder (the caller checked).
    ///
    /// # Errors
    ///
    /// Redis's text when the thread cannot be started.
    pub(crate) fn turn_on(&self) -> Result<(), String> {
        let mut st = self.state.lock();
        match &mut st.phase {
            Phase::On(_) => return Ok(()),
            Phase::Starting { cancel } => {
                *cancel = false;
                return Ok(());
            }
            Phase::Off => {}
        }
        let Some(shared) = self.shared.get().and_then(Weak::upgrade) else {
            return Err(NO_START.to_owned());
        };
        let Some(dir) = shared.config.persist.dir.clone() else {
            return Err(NO_START.to_owned());
        };
        // Until the thread has let go of the store, opens of the folder wait (see
        // `starts`): the thread may hold the store's last handle.
        let claim = Claim::new(&dir);
        let spawned = std::thread::Builder::new()
            .name("redlite-aof-start".into())
            .spawn(move || {
                start(&shared, &dir);
                drop(shared);
                drop(claim);
            });
        if spawned.is_err() {
            return Err(NO_START.to_owned());
        }
        st.phase = Phase::Starting { cancel: false };
        Ok(())
    }

    /// `CONFIG SET appendonly no`: closes the log in force (everything it was given is
    /// written and fsynced first), or cancels a start under way. Takes no shard lock.
    pub(crate) fn turn_off(&self, shared: &Shared) {
        let aof = {
            let mut st = self.state.lock();
            match std::mem::replace(&mut st.phase, Phase::Off) {
                Phase::On(aof) => {
                    st.closing = true;
                    st.retired = Arc::downgrade(&aof);
                    self.wait_for_fsyncs(shared, false);
                    aof
                }
                Phase::Starting { .. } => {
                    st.phase = Phase::Starting { cancel: true };
                    return;
                }
                Phase::Off => return,
            }
        };
        #[cfg(all(test, not(loom)))]
        super::live_tests::closing();
        aof.close(shared);
        // Only once it is all on disk: until then, waits still go to it.
        self.hub.set(None);
        // With no log, a failed one refuses nothing (Redis checks `aof_last_write_status`
        // only while the log is on).
        shared.saves.aof_recovered(shared.saves.disk.log_failures());
        // Numbered on from the closed log's last record, read now that none can reach it:
        // a write to a database CONFIG's locks do not cover (one made meanwhile) may have
        // taken a number during the close, and stamped a shard with it.
        let mut st = self.state.lock();
        st.next_first = aof.log().next_seq();
        st.closing = false;
        self.closed.notify_all();
    }

    /// The starting thread's end: puts `aof` in force, or closes it if `appendonly no`
    /// came meanwhile.
    fn started(&self, shared: &Shared, aof: Option<Aof>) {
        let mut st = self.state.lock();
        let cancelled = matches!(st.phase, Phase::Starting { cancel: true });
        st.start_failed = aof.is_none();
        match aof {
            Some(aof) if !cancelled => {
                self.publish(shared, &aof, st.policy);
                st.phase = Phase::On(Arc::new(aof));
            }
            Some(aof) => {
                st.phase = Phase::Off;
                drop(st);
                aof.close(shared);
            }
            None => st.phase = Phase::Off,
        }
    }

    /// Whether the last start of a log failed.
    pub(crate) fn start_failed(&self) -> bool {
        self.state.lock().start_failed
    }

    /// The number the next log starts at (once a close under way has ended).
    pub(super) fn next_first(&self) -> u64 {
        let mut st = self.state.lock();
        while st.closing {
            self.closed.wait(&mut st);
        }
        st.next_first
    }

    /// Waits while a rewrite of the log `appendonly no` closed still runs (BGREWRITEAOF
    /// came before the close). A rewrite switches files and lists its base and log after
    /// the close lets a start begin; a start that numbered its files after the folder's
    /// manifest meanwhile would then be replaced by, or replace, the rewrite's (a folder
    /// listing deleted files, or a base without the writes since the rewrite's cut). A
    /// rewrite that begins after the close sees it closed and does nothing (see
    /// `Aof::rewrite_on`).
    fn wait_for_retired_rewrite(&self, dir: &std::path::Path) {
        let retired = self.state.lock().retired.clone();
        let mut reported = false;
        while retired.upgrade().is_some_and(|aof| aof.rewriting_now()) {
            if !reported {
                reported = true;
                #[cfg(all(test, not(loom)))]
                super::live_tests::start_step(dir, "waits for a rewrite");
            }
            // Bounded by the rewrite's own work (its snapshot and two file writes).
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // `dir` names the start for the test hook only.
        let _ = dir;
    }
}

/// The thread of `appendonly yes`.
fn start(shared: &Arc<Shared>, dir: &std::path::Path) {
    let switch = &shared.aof;
    switch.wait_for_retired_rewrite(dir);
    let started = std::time::Instant::now();
    let aof = Aof::start_live(shared, dir, switch.policy(), switch.next_first());
    if let Ok(aof) = &aof {
        // The start is the log's first rewrite, as Redis counts it.
        aof.rewrites.store(1, std::sync::atomic::Ordering::Relaxed);
        let secs = started.elapsed().as_secs().saturating_add(1);
        aof.last_rewrite_secs
            .store(secs, std::sync::atomic::Ordering::Release);
    }
    switch.started(shared, aof.ok());
    #[cfg(all(test, not(loom)))]
    super::live_tests::start_step(dir, "started");
}
