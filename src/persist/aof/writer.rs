//! The log's writer: a [`Listener`] that frames each batch's RESP and hands it to the
//! [`Sequencer`], and one thread that writes the records in order and fsyncs them per policy.
//!
//! `Fsync::Always` is group commit: a writer pushes its record and owes a wait for its
//! number to be durable, which runs once its shard locks are released (see [`Log::owe`]),
//! before its reply returns. The thread writes everything pushed so far in one `write` and
//! one `fdatasync`, so writers that arrived while the previous fsync ran share the next one;
//! it lingers briefly for the writers the last fsync released (see `Log::next_round`).
//! `EverySec` and `No` never wait: the thread wakes every few milliseconds (`TICK`), writes
//! what piled up, and with `EverySec` fsyncs once a second has passed since the last fsync.

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use super::resp;
use super::sequencer::{Pending, Sequencer};
use crate::effects::{Batch, Listener};
use crate::keyspace::locks::{Durable, after_unlock};
use crate::persist::Fsync;
use crate::persist::state::DiskFlags;
use std::sync::Arc;

use crate::sync::{Condvar, Mutex};

/// The longest a round waits for the writers of the last group to come back (`Always`).
const MAX_LINGER: Duration = Duration::from_millis(2);

/// What the thread remembers of its last `Always` round: how many writers it released and
/// how long its fsync took.
#[derive(Default)]
struct Group {
    writers: usize,
    fsync: Duration,
}

/// Whether the round's `sync` ran an fsync (it stamps `last_sync` when it does).
fn dirty_synced(result: Result<&(), &String>, last_sync: Instant, started: Instant) -> bool {
    result.is_ok() && last_sync >= started
}

/// The framing records need, encoded once.
const MULTI: &[u8] = b"*1\r\n$5\r\nMULTI\r\n";
const EXEC: &[u8] = b"*1\r\n$4\r\nEXEC\r\n";
const SELECT_0: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";

/// Why a wait for a record fails once the writer thread has exited (the log was closed).
const CLOSED: &str = "the append only file was closed";

/// How long the thread sleeps between rounds when nobody waits on it.
const TICK: Duration = Duration::from_millis(5);

/// What the writers and the thread share under one mutex.
#[derive(Default)]
struct State {
    /// A writer waits: start a round now.
    kicked: bool,
    /// The store is closing: write everything, fsync, exit.
    stop: bool,
    /// Every record numbered below this is written (and fsynced under `Always`).
    done_below: u64,
    /// Switch to this file for records numbered from the cut on (an AOF rewrite).
    rotate: Option<(u64, File)>,
    /// The cut of the last finished switch.
    rotated: Option<u64>,
    /// The first I/O error since the last switch of files, kept for `rewrite_aof` and the
    /// close to report.
    error: Option<String>,
    /// The last I/O error ever (MISCONF's text), and the failures counted when the last
    /// switch of files happened (what a finished rewrite heals).
    last_error: Option<String>,
    failures_at_cut: u64,
    /// The first record of the first round that failed (it and every later one may be
    /// missing from the file) while no finished rewrite replaced the file: the durable
    /// mark stays below it, so no wait for a later record reports success.
    lost_from: Option<u64>,
    /// The same, for failures since the last switch of files (what a finished rewrite
    /// does not heal).
    lost_since_cut: Option<u64>,
    /// The thread has exited: nothing pushed from now on will be written.
    exited: bool,
    /// Writers inside [`Log::wait_done`] whose record is not durable yet.
    waiting: usize,
    /// fsyncs done, and records written, since the log started (`Store::aof_counts`).
    fsyncs: u64,
    records: u64,
}

/// The log: the shared half of the writer (the thread is [`Thread`]).
pub(crate) struct Log {
    /// What a writer owes while it waits after its locks (see [`Log::owe`]): the store's
    /// [`Hub`](super::hub::Hub), the one durable mark the keyspace knows, whichever log
    /// is current.
    hub: std::sync::Weak<dyn Durable>,
    seq: Sequencer,
    /// `State::done_below` under `Always`, readable without the mutex: callers that find
    /// their record durable already do not wait.
    durable: std::sync::atomic::AtomicU64,
    /// The [`Fsync`] policy in force (`CONFIG SET appendfsync` changes it live).
    policy: AtomicU8,
    db: usize,
    state: Mutex<State>,
    wake: Condvar,
    done: Condvar,
    /// Where an I/O error turns on MISCONF (the store's flags; the thread holds no store).
    disk: Arc<DiskFlags>,
}

impl Log {
    /// A log appending to `file` (which already ends with a whole record, or is new),
    /// numbering its records from `first` (a log that replaces a closed one continues its
    /// numbers: shards keep stamps of them); an I/O error of its thread refuses writes
    /// through `disk`.
    pub(crate) fn start(
        file: File,
        policy: Fsync,
        disk: Arc<DiskFlags>,
        hub: std::sync::Weak<dyn Durable>,
        first: u64,
    ) -> std::io::Result<(Arc<Log>, Thread)> {
        let log = Arc::new(Log {
            hub,
            seq: Sequencer::starting_at(16, first),
            durable: std::sync::atomic::AtomicU64::new(first),
            policy: AtomicU8::new(policy_code(policy)),
            db: 0,
            state: Mutex::new(State {
                done_below: first,
                ..State::default()
            }),
            wake: Condvar::new(),
            done: Condvar::new(),
            disk,
        });
        let worker = log.clone();
        // Without its thread the log could not keep `Always`'s promise: no store then.
        let handle = std::thread::Builder::new()
            .name("redlite-aof".into())
            .spawn(move || worker.run(file, first))?;
        let thread = Thread {
            log: log.clone(),
            handle: Some(handle),
        };
        Ok((log, thread))
    }

    /// The number the next record gets (the rewrite's cut, taken under every shard lock).
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.next_seq()
    }

    /// Records numbered from `cut` on go to `file` (asked under every shard lock, so no
    /// record at or past the cut can have been written yet).
    pub(crate) fn rotate_request(&self, cut: u64, file: File) {
        let mut st = self.state.lock();
        st.rotate = Some((cut, file));
        st.kicked = true;
        self.wake.notify_one();
    }

    /// Waits until the thread switched files at `cut`.
    ///
    /// An error of the old file does not fail it: the switch happens anyway (`round`), and
    /// it is how a rewrite ends a failed log's MISCONF. (Failing on it raced with the
    /// switch: a rewrite asked after a failed write failed or healed by timing.)
    pub(crate) fn rotate_wait(&self, cut: u64) -> Result<(), std::io::Error> {
        let mut st = self.state.lock();
        while st.rotated.is_none_or(|r| r < cut) {
            if st.exited {
                return Err(std::io::Error::other(CLOSED));
            }
            st = self.done.wait(st);
        }
        Ok(())
    }

    /// The first I/O error the thread met since it last switched files, if any.
    pub(crate) fn error(&self) -> Option<String> {
        self.state.lock().error.clone()
    }

    /// The last I/O error the thread met, even before the last switch of files.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.state.lock().last_error.clone()
    }

    /// The failures the thread had counted when it last switched files.
    pub(crate) fn failures_at_cut(&self) -> u64 {
        self.state.lock().failures_at_cut
    }

    /// Waits until every record pushed so far is written (and fsynced under `Always`), or
    /// the log failed.
    pub(crate) fn flush(&self) {
        let target = self.seq.next_seq();
        let _ = self.wait_done(target);
    }

    /// Waits until every record below `below` is written (and fsynced under `Always`);
    /// the error text when one of them may be lost (a failed round, or the thread gone).
    fn wait_done(&self, below: u64) -> Result<(), String> {
        let mut st = self.state.lock();
        st.kicked = true;
        st.waiting += 1;
        self.wake.notify_one();
        let result = loop {
            if st.lost_from.is_some_and(|l| l < below) {
                break Err(st.last_error.clone().unwrap_or_default());
            }
            if st.done_below >= below {
                break Ok(());
            }
            if st.exited {
                break Err(CLOSED.to_owned());
            }
            st = self.done.wait(st);
        };
        st.waiting -= 1;
        result
    }

    /// A finished rewrite replaced the file (its base holds every record below its cut):
    /// only failures since the switch still keep the durable mark back.
    pub(crate) fn healed(&self) {
        let mut st = self.state.lock();
        st.lost_from = st.lost_since_cut;
        self.publish_durable(&st);
        self.done.notify_all();
    }

    /// Makes the durable mark what `st` says: everything written, unless a round failed.
    fn publish_durable(&self, st: &State) {
        let mark = st.lost_from.map_or(st.done_below, |l| l.min(st.done_below));
        self.durable
            .store(mark, std::sync::atomic::Ordering::Release);
    }

    /// (fsyncs done, records written) since the log started.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let st = self.state.lock();
        (st.fsyncs, st.records)
    }

    fn run(&self, mut file: File, first: u64) {
        let mut pending = Pending::starting_at(first);
        let mut buf = Vec::new();
        let mut last_sync = Instant::now();
        let mut dirty = false;
        let mut group = Group::default();
        loop {
            let (stop, rotate) = self.next_round(&mut group);
            let before = pending.emitted_below();
            let result = self.round(&mut file, &mut pending, &mut buf, rotate, &mut dirty);
            let started = Instant::now();
            let result = result.and_then(|()| self.sync(&file, &mut dirty, &mut last_sync, stop));
            let mut st = self.state.lock();
            if dirty_synced(result.as_ref(), last_sync, started) {
                st.fsyncs += 1;
                group.fsync = started.elapsed();
            }
            st.records += pending.emitted_below() - before;
            if let Err(e) = result {
                // Records were lost from the file: refuse writes (Redis's MISCONF) until a
                // rewrite replaces it, and fail the waits for them. (Redis exits under
                // `Always`; a library cannot.)
                st.last_error = Some(e.clone());
                st.error.get_or_insert(e);
                st.lost_from.get_or_insert(before);
                st.lost_since_cut.get_or_insert(before);
                self.disk.log_failed();
            }
            st.done_below = pending.emitted_below();
            self.publish_durable(&st);
            let exit = stop && self.seq.next_seq() == pending.emitted_below();
            st.exited = exit;
            self.done.notify_all();
            if exit {
                return;
            }
        }
    }

    /// Sleeps until kicked or a tick passed; hands back the stop flag and a switch request.
    ///
    /// Under `Always` a round that starts the moment the first writer kicks would often
    /// fsync that one record while the other writers the last fsync released are still
    /// waking up (on a busy machine that takes a scheduler slice); the next fsync then
    /// serves them, and every fsync carries a fraction of the writers. So the round lingers
    /// until as many writers wait as the last fsync released, for at most half as long as
    /// that fsync took (a writer that stopped writing costs the others that much once,
    /// then the group shrinks to those that came back).
    fn next_round(&self, group: &mut Group) -> (bool, Option<(u64, File)>) {
        let mut st = self.state.lock();
        if !st.kicked && !st.stop {
            let tick = if self.policy() == Fsync::Always {
                Duration::from_millis(100)
            } else {
                TICK
            };
            st = self.wake.wait_for(st, tick);
        }
        if self.policy() == Fsync::Always {
            let until = Instant::now() + (group.fsync / 2).min(MAX_LINGER);
            while st.waiting < group.writers && !st.stop && st.rotate.is_none() {
                let Some(left) = until.checked_duration_since(Instant::now()) else {
                    break;
                };
                st = self.wake.wait_for(st, left);
            }
            group.writers = st.waiting;
        }
        st.kicked = false;
        (st.stop, st.rotate.take())
    }

    /// Writes what the writers pushed, switching files at a rewrite's cut.
    fn round(
        &self,
        file: &mut File,
        pending: &mut Pending,
        buf: &mut Vec<u8>,
        rotate: Option<(u64, File)>,
        dirty: &mut bool,
    ) -> Result<(), String> {
        if let Some((cut, next)) = rotate {
            // Everything numbered below the cut belongs to the old file: wait for it there.
            while pending.emitted_below() < cut {
                self.seq
                    .drain_below(pending, cut, |_, b| buf.extend_from_slice(b));
                // The new base holds every record below the cut: a failing old file must
                // not keep the switch (the way out of MISCONF) from happening.
                let _ = write_all(file, buf, dirty);
                if pending.emitted_below() < cut {
                    std::thread::yield_now();
                }
            }
            // A failure of the old file stays its own: the new base holds all it lost.
            let _ = file.sync_data();
            *file = next;
            *dirty = false;
            let mut st = self.state.lock();
            st.error = None;
            st.lost_since_cut = None;
            st.failures_at_cut = self.disk.log_failures();
            st.rotated = Some(cut);
            self.done.notify_all();
        }
        self.seq.drain(pending, |_, b| buf.extend_from_slice(b));
        write_all(file, buf, dirty)
    }

    fn sync(
        &self,
        file: &File,
        dirty: &mut bool,
        last: &mut Instant,
        stop: bool,
    ) -> Result<(), String> {
        let due = match self.policy() {
            Fsync::Always => true,
            Fsync::EverySec => last.elapsed() >= Duration::from_secs(1),
            Fsync::No => false,
        };
        if *dirty && (due || stop) {
            file.sync_data().map_err(|e| e.to_string())?;
            *dirty = false;
            *last = Instant::now();
        }
        Ok(())
    }

    /// Encodes a batch as Redis propagates it: one EXEC's or script's commands inside
    /// MULTI/EXEC, so a replay applies them all or none. Between batches the log is in
    /// database 0 (each file starts with `SELECT 0`): a batch of another database, or one
    /// that moves between databases, is led by its `SELECT` and followed by `SELECT 0`, so
    /// batches the writer thread orders differently from how they were encoded still
    /// replay in their own databases.
    fn encode(batch: &Batch, out: &mut Vec<u8>) {
        // The batch holds its commands as RESP already: the record is that copy, framed.
        let wrap = batch.is_atomic() && batch.command_count() > 1;
        let db = batch.db();
        let moves = db != 0 || batch.selects();
        if db != 0 {
            resp::encode_select(out, db);
        }
        if wrap {
            out.extend_from_slice(MULTI);
        }
        out.extend_from_slice(batch.resp());
        if wrap {
            out.extend_from_slice(EXEC);
        }
        if moves {
            out.extend_from_slice(SELECT_0);
        }
    }

    /// The database index the log writes (`SELECT` at the head of each file).
    pub(crate) fn db(&self) -> usize {
        self.db
    }
}

fn write_all(file: &mut File, buf: &mut Vec<u8>, dirty: &mut bool) -> Result<(), String> {
    if buf.is_empty() {
        return Ok(());
    }
    let r = file.write_all(buf).map_err(|e| e.to_string());
    buf.clear();
    *dirty = true;
    r
}

impl Listener for Log {
    fn on_batch(&self, batch: &Batch) {
        if batch.command_count() == 0 {
            return;
        }
        // Encoded in place under the stripe lock: no buffer of its own per record.
        let seq = self
            .seq
            .push_with(stripe(self.seq.stripes()), |out| Log::encode(batch, out));
        if self.policy() == Fsync::Always {
            self.owe(seq + 1);
        }
    }
}

impl Durable for Log {
    fn durable_below(&self) -> u64 {
        self.durable.load(std::sync::atomic::Ordering::Acquire)
    }

    fn wait_durable(&self, below: u64) -> Result<(), String> {
        #[cfg(test)]
        tests::waiting();
        let result = if self.durable_below() < below {
            self.wait_done(below)
        } else {
            Ok(())
        };
        #[cfg(test)]
        tests::acknowledged(self, below);
        result
    }
}

impl Log {
    /// `Always`: the caller's reply must wait until every record below `below` is
    /// fsynced. When the caller holds its shard locks in a lock set (every command, EXEC,
    /// script), the wait is deferred until they are released, so writers of the same
    /// shard queue up behind this one and share the next fsync (group commit); the
    /// command's context stamps the debt on the shards it wrote, so that readers of them
    /// wait for it too. Otherwise (a thread that owes another store already) it waits here.
    /// A failed wait is kept for the caller's reply either way (see [`after_unlock`]).
    fn owe(&self, below: u64) {
        let Some(hub) = self.hub.upgrade() else {
            return;
        };
        if !after_unlock::owe(&hub, below) {
            after_unlock::pay(&*hub, below);
        }
    }

    /// The [`Fsync`] policy in force.
    #[inline]
    pub(crate) fn policy(&self) -> Fsync {
        // Acquire/Release: a record a writer pushed because it saw `Always` is drained
        // after that load, so the round that writes it sees `Always` too and fsyncs it.
        match self.policy.load(Ordering::Acquire) {
            0 => Fsync::Always,
            1 => Fsync::EverySec,
            _ => Fsync::No,
        }
    }

    /// Puts `policy` in force from the next record on (and the thread's next round).
    pub(crate) fn set_policy(&self, policy: Fsync) {
        self.policy.store(policy_code(policy), Ordering::Release);
        let mut st = self.state.lock();
        st.kicked = true;
        self.wake.notify_one();
    }

    /// Closes the log: the thread writes and fsyncs every record pushed so far, then exits;
    /// returns once it has. Records pushed later are never written (their waits fail).
    pub(crate) fn stop_and_wait(&self) {
        let mut st = self.state.lock();
        st.stop = true;
        self.wake.notify_one();
        while !st.exited {
            st = self.done.wait(st);
        }
    }
}

/// `Fsync` as the number `Log::policy` holds.
fn policy_code(policy: Fsync) -> u8 {
    match policy {
        Fsync::Always => 0,
        Fsync::EverySec => 1,
        _ => 2,
    }
}

/// This thread's stripe: threads take stripes round robin at their first record, so a few
/// writer threads never share one.
fn stripe(count: usize) -> usize {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static MINE: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    MINE.with(|m| {
        if m.get() == usize::MAX {
            m.set(NEXT.fetch_add(1, Ordering::Relaxed));
        }
        m.get() % count
    })
}

/// The writer thread: stopping it writes and fsyncs everything, then joins it.
pub(crate) struct Thread {
    log: Arc<Log>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Thread {
    fn drop(&mut self) {
        {
            let mut st = self.log.state.lock();
            st.stop = true;
            self.log.wake.notify_one();
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(all(test, not(loom)))]
#[path = "writer_tests.rs"]
pub(super) mod tests;
