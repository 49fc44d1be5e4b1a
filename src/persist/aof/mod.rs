//! The append-only log: Redis 7's multi-part AOF in `appendonlydir/`.
//!
//! # Design
//!
//! The log is a [`Listener`](crate::Listener) on the effects path. Every command, EXEC or
//! script that changed something hands it one batch of deterministic replay commands while
//! the writer still holds its shard locks. The listener encodes the batch as RESP (wrapped in
//! MULTI/EXEC when it is an EXEC's or a script's with several commands) and pushes it, with a
//! number from one global counter, onto one of 16 striped buffers (a thread keeps its
//! stripe); see [`sequencer`] for why conflicting batches get rising numbers and how the
//! writer thread emits them in number order without a global lock on the write path. The
//! writer thread ([`writer`]) writes and fsyncs per [`Fsync`](crate::Fsync) policy, with group
//! commit under `Always`.
//!
//! The folder: `appendonly.aof.manifest` lists a base file (a full image) and the
//! incremental files after it, in Redis 7.0's format. A rewrite (BGREWRITEAOF,
//! `store.rewrite_aof()`) first creates the next incremental file and lists it, then, under
//! every shard's read lock (writers wait, readers do not), takes the cut (the next record
//! number), asks the writer to switch files there and encodes the image; after unlocking it
//! writes the image as the new base and a manifest of just the new base and new incremental
//! file, then deletes the old files. A crash at any step leaves a manifest whose files
//! replay to the same state.

mod command;
#[cfg(all(test, not(loom)))]
mod expiry_tests;
#[cfg(all(test, target_os = "linux", not(loom)))]
mod failure_tests;
pub(crate) mod hub;
mod legacy;
mod live;
#[cfg(all(test, not(loom)))]
mod live_tests;
mod load;
pub(crate) mod manifest;
pub(crate) mod resp;
pub(crate) mod sequencer;
mod starts;
mod switch;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use manifest::{FileInfo, Kind, Manifest};
use writer::{Log, Thread};

use std::fs::File;

use super::files;
use super::rdb::{self, LoadOptions, WriteOptions};
use crate::error::Error;
use crate::persist::Fsync;
use crate::shared::Shared;
use std::sync::Arc;

use crate::sync::Mutex;
use crate::txn::Connection;

pub(crate) use command::COMMANDS;
pub(crate) use live::image_then_join;
pub(crate) use starts::wait_for_starts;
pub(crate) use switch::LogSwitch;

/// The error of BGREWRITEAOF / `rewrite_aof` when the folder has no log (redlite's text:
/// Redis always has somewhere to write one).
pub(crate) const NO_AOF: &str =
    "ERR the append only file is off (Config::appendonly(false)): nothing to rewrite";

/// Why a store has no log: no data folder at all, `appendonly` off, or a log being
/// started (`CONFIG SET appendonly yes`: its rewrite is running).
pub(crate) fn not_on(shared: &Shared) -> &'static str {
    if shared.config.persist.dir.is_none() {
        super::NO_DIR
    } else if shared.aof.starting() {
        IN_PROGRESS
    } else {
        NO_AOF
    }
}

/// The folder inside the data folder (Redis's `appenddirname`).
pub(crate) const DIR: &str = "appendonlydir";

/// Redis's replies and errors for BGREWRITEAOF.
pub(crate) const STARTED: &str = "Background append only file rewriting started";
pub(crate) const SCHEDULED: &str = "Background append only file rewriting scheduled";
pub(crate) const IN_PROGRESS: &str =
    "ERR Background append only file rewriting already in progress";

/// One store's log: the folder, its manifest, the writer.
pub(crate) struct Aof {
    dir: PathBuf,
    manifest: Mutex<Manifest>,
    log: Arc<Log>,
    /// Dropped with the store: writes and fsyncs what is left, then joins the thread.
    _thread: Thread,
    rewriting: AtomicBool,
    /// The log's registration with the store's listeners (removed when it closes).
    listener: u64,
    /// Closed by `CONFIG SET appendonly no`: a rewrite asked for since does nothing.
    closed: AtomicBool,
    /// Finished rewrites, whether the last one succeeded, and how long it took in whole
    /// seconds plus one (0: none yet): INFO's `aof_rewrites`, `aof_last_bgrewrite_status`,
    /// `aof_last_rewrite_time_sec`.
    rewrites: AtomicU64,
    last_rewrite_ok: AtomicBool,
    last_rewrite_secs: AtomicU64,
    shared: Weak<Shared>,
    /// What loading had to repair, in Redis's words.
    pub(crate) warnings: Vec<String>,
}

impl Aof {
    /// Loads the log in `data_dir` into the (empty) store, or starts a new one, and starts
    /// logging the store's writes (`LogSwitch::opened` puts it in force).
    pub(crate) fn open(shared: &Arc<Shared>, data_dir: &Path, policy: Fsync) -> Result<Aof, Error> {
        let dir = data_dir.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| files::io_error(&dir, &e))?;
        legacy::upgrade_if_needed(data_dir, &dir)?;
        let manifest_path = dir.join(manifest::NAME);
        let (manifest, file, warnings) = if manifest_path.exists() {
            load_existing(shared, &dir, &manifest_path)?
        } else {
            start_fresh(shared, &dir)?
        };
        let hub = shared.aof.hub();
        let (log, thread) = Log::start(file, policy, shared.saves.disk.clone(), hub, 0)
            .map_err(|e| files::io_error(&dir, &e))?;
        let listener = shared.listeners.add_commands_only(log.clone());
        Ok(Aof {
            dir,
            manifest: Mutex::new(manifest),
            log,
            _thread: thread,
            rewriting: AtomicBool::new(false),
            listener,
            closed: AtomicBool::new(false),
            rewrites: AtomicU64::new(0),
            last_rewrite_ok: AtomicBool::new(true),
            last_rewrite_secs: AtomicU64::new(0),
            shared: std::sync::Arc::downgrade(shared),
            warnings,
        })
    }

    /// The log's last I/O error, if any (MISCONF's text names it).
    pub(crate) fn log_error(&self) -> Option<String> {
        self.log.last_error()
    }

    /// Whether a rewrite is running now (INFO's `aof_rewrite_in_progress`).
    pub(crate) fn rewriting(&self) -> bool {
        self.rewriting.load(Ordering::Acquire)
    }

    /// [`Aof::rewriting`] for a start after this log was closed: `SeqCst` with the
    /// rewrite's claim of the flag and its check of `closed` (and the close's store of
    /// it), so either the rewrite sees the log closed or the start sees it running.
    pub(crate) fn rewriting_now(&self) -> bool {
        self.rewriting.load(Ordering::SeqCst)
    }

    /// Rewrites the log now: a new base image and a fresh incremental file.
    pub(crate) fn rewrite(&self) -> Result<(), Error> {
        if self.rewriting.swap(true, Ordering::SeqCst) {
            return Err(Error::Reply(IN_PROGRESS.into()));
        }
        self.rewrite_claimed()
    }

    /// The rewrite, once this caller set the `rewriting` flag; clears it when done.
    fn rewrite_claimed(&self) -> Result<(), Error> {
        let started = std::time::Instant::now();
        let result = self
            .shared
            .upgrade()
            .map_or(Err(Error::Closed), |s| self.rewrite_on(&s));
        let secs = started.elapsed().as_secs().saturating_add(1);
        self.last_rewrite_secs.store(secs, Ordering::Release);
        self.last_rewrite_ok
            .store(result.is_ok(), Ordering::Release);
        if result.is_ok() {
            self.rewrites.fetch_add(1, Ordering::Relaxed);
        }
        self.rewriting.store(false, Ordering::Release);
        result
    }

    /// INFO's rewrite figures: finished rewrites, the last one's status and its seconds
    /// (-1 before the first).
    pub(crate) fn rewrite_stats(&self) -> (u64, bool, i64) {
        let secs = self.last_rewrite_secs.load(Ordering::Acquire);
        (
            self.rewrites.load(Ordering::Relaxed),
            self.last_rewrite_ok.load(Ordering::Acquire),
            i64::try_from(secs).map_or(i64::MAX, |n| n - 1),
        )
    }

    /// BGREWRITEAOF: the rewrite on its own thread; false when one is already running.
    /// The flag is claimed before the thread starts, so a second call right after is
    /// refused.
    pub(crate) fn rewrite_in_background(self: &std::sync::Arc<Self>) -> bool {
        if self.rewriting.swap(true, Ordering::SeqCst) {
            return false;
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("redlite-aof-rewrite".into())
            .spawn(move || {
                // A failure shows in the log's error state and at the next rewrite.
                let _ = me.rewrite_claimed();
            });
        if spawned.is_err() {
            self.rewriting.store(false, Ordering::Release);
        }
        spawned.is_ok()
    }

    /// (fsyncs done, records written) since the log started.
    pub(crate) fn counts(&self) -> (u64, u64) {
        self.log.counts()
    }

    /// Waits until everything logged so far is written (and fsynced under `Always`).
    pub(crate) fn flush(&self) {
        self.log.flush();
    }

    fn rewrite_on(&self, shared: &Shared) -> Result<(), Error> {
        // SeqCst: see `rewriting_now`.
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::Reply(NO_AOF.into()));
        }
        let mut manifest = self.manifest.lock().clone();
        let incr = FileInfo {
            name: manifest::incr_name(manifest.next_incr_seq()),
            seq: manifest.next_incr_seq(),
            kind: Kind::Incr,
        };
        let file = files::create_log(&self.dir, &incr.name, &select_head(self.log.db()))?;
        // Listed before any record reaches it: a crash from here on replays old + new files.
        manifest.incr.push(incr.clone());
        files::write_atomic(&self.dir, manifest::NAME, manifest.format().as_bytes())?;
        *self.manifest.lock() = manifest.clone();

        let base = FileInfo {
            name: manifest::base_name(manifest.next_base_seq(), true),
            seq: manifest.next_base_seq(),
            kind: Kind::Base,
        };
        let cut = self.write_base(shared, &base.name, file)?;
        self.log
            .rotate_wait(cut)
            .map_err(|e| files::io_error(&self.dir.join(&incr.name), &e))?;
        #[cfg(all(test, not(loom)))]
        live_tests::after_rotate();
        let next = Manifest {
            base: Some(base),
            history: Vec::new(),
            incr: vec![incr],
        };
        files::write_atomic(&self.dir, manifest::NAME, next.format().as_bytes())?;
        *self.manifest.lock() = next;
        remove_old(&self.dir, &manifest);
        if let Some(e) = self.log.error() {
            return Err(files::io_error(&self.dir, &std::io::Error::other(e)));
        }
        self.log.healed();
        shared.saves.aof_recovered(self.log.failures_at_cut());
        Ok(())
    }

    /// Writes the base file `name` (an RDB preamble: a point-in-time image of the store);
    /// at the image's instant the log switches to `incr` (the cut). Returns the cut.
    /// Waits while another snapshot (SAVE, BGSAVE) runs, as Redis schedules the rewrite.
    fn write_base(&self, shared: &Shared, name: &str, incr: File) -> Result<u64, Error> {
        let path = self.dir.join(format!("temp-{name}"));
        let mut incr = Some(incr);
        let mut cut = None;
        loop {
            let mut out = files::create(&path)?;
            let wrote = rdb::write_then(shared, &mut out, WriteOptions { aof_base: true }, || {
                if let Some(f) = incr.take() {
                    let at = self.log.next_seq();
                    self.log.rotate_request(at, f);
                    cut = Some(at);
                }
            });
            match wrote {
                Ok(_) => {
                    files::finish(out, &path, &self.dir.join(name))?;
                    files::sync_dir(&self.dir)?;
                    return cut
                        .ok_or_else(|| files::io_error(&path, &std::io::Error::other("no cut")));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    // Another snapshot holds the one-at-a-time flag: wait for it to end.
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => return Err(files::io_error(&path, &e)),
            }
        }
    }
}

fn select_head(db: usize) -> Vec<u8> {
    let mut head = Vec::new();
    resp::encode_select(&mut head, db);
    head
}

/// Deletes the files of `old` that the new manifest no longer lists (best effort: a file
/// left behind is never loaded).
fn remove_old(dir: &Path, old: &Manifest) {
    for f in old
        .base
        .iter()
        .chain(&old.history)
        .chain(&old.incr[..old.incr.len().saturating_sub(1)])
    {
        let _ = std::fs::remove_file(dir.join(&f.name));
    }
}

/// A new log for an empty store: base 1 (an RDB image of the empty store, as redis-server
/// writes on its first start with `appendonly yes`), incr 1, manifest.
fn start_fresh(shared: &Arc<Shared>, dir: &Path) -> Result<(Manifest, File, Vec<String>), Error> {
    let base = FileInfo {
        name: manifest::base_name(1, true),
        seq: 1,
        kind: Kind::Base,
    };
    let incr = FileInfo {
        name: manifest::incr_name(1),
        seq: 1,
        kind: Kind::Incr,
    };
    let tmp = dir.join(format!("temp-{}", base.name));
    let mut out = files::create(&tmp)?;
    rdb::write_with(shared, &mut out, WriteOptions { aof_base: true })
        .map_err(|e| files::io_error(&tmp, &e))?;
    files::finish(out, &tmp, &dir.join(&base.name))?;
    let file = files::create_log(dir, &incr.name, &select_head(0))?;
    let m = Manifest {
        base: Some(base),
        history: Vec::new(),
        incr: vec![incr],
    };
    files::write_atomic(dir, manifest::NAME, m.format().as_bytes())?;
    Ok((m, file, Vec::new()))
}

/// Loads what the manifest lists; returns the manifest, the last incremental file open for
/// appending, and what had to be repaired.
fn load_existing(
    shared: &Arc<Shared>,
    dir: &Path,
    manifest_path: &Path,
) -> Result<(Manifest, File, Vec<String>), Error> {
    let text = files::read(manifest_path)?;
    let mut m =
        Manifest::parse(&text).map_err(|(at, why)| files::damaged(manifest_path, at, why))?;
    let mut conn = Connection::new(shared.clone(), 0);
    let mut warnings = Vec::new();
    let parts: Vec<FileInfo> = m.base.iter().chain(&m.incr).cloned().collect();
    for (i, part) in parts.iter().enumerate() {
        let path = dir.join(&part.name);
        if !path.exists() {
            return Err(files::damaged(
                &path,
                0,
                "The AOF file listed in the manifest doesn't exist",
            ));
        }
        let buf = files::read(&path)?;
        // A base file may start with an RDB preamble (Redis's default); RESP may follow it.
        let start = if buf.starts_with(b"REDIS") {
            let opts = LoadOptions { aof_preamble: true };
            rdb::load_with(&buf, shared, opts)
                .map_err(|e| e.in_file(&path))?
                .bytes
        } else {
            0
        };
        let last = i + 1 == parts.len();
        if let Some(t) = load::replay(&mut conn, &buf, start, &path, last)? {
            files::truncate(&path, t.valid)?;
            warnings.push(format!(
                "AOF {} was truncated at byte {} ({} bytes of an incomplete record dropped); \
                 loaded anyway, as Redis does with aof-load-truncated yes",
                part.name,
                t.valid,
                t.len - t.valid
            ));
        }
    }
    let file = if let Some(last) = m.incr.last() {
        files::open_append(&dir.join(&last.name))?
    } else {
        let incr = FileInfo {
            name: manifest::incr_name(m.next_incr_seq()),
            seq: m.next_incr_seq(),
            kind: Kind::Incr,
        };
        let f = files::create_log(dir, &incr.name, &select_head(0))?;
        m.incr.push(incr);
        files::write_atomic(dir, manifest::NAME, m.format().as_bytes())?;
        f
    };
    Ok((m, file, warnings))
}
