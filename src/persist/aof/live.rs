//! Starting a log on a running store and closing one (`CONFIG SET appendonly yes|no`).
//!
//! Starting is Redis 7.0's `startAppendOnly`: a rewrite creates the base. A new incremental
//! file is opened and its writer thread started first; then a point-in-time image of the
//! store is taken, and at its instant (every shard write-locked, so no batch is half
//! delivered) the log joins the store's listeners: every write before the instant is in
//! the image, every one after it reaches the log. Once the image is written as the base,
//! the manifest lists just the base and the new incremental file (what the folder held
//! before is replaced, as a rewrite replaces it), and the folder is what redis-server would
//! open.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::manifest::{self, FileInfo, Kind, Manifest};
use super::writer::Log;
use super::{Aof, DIR, files, rdb, remove_old, select_head};
use crate::effects::Listener;
use crate::error::Error;
use crate::persist::Fsync;
use crate::shared::Shared;
use crate::sync::Mutex;

impl Aof {
    /// Starts a log of the running store in `data_dir`, numbering its records from `first`
    /// (see `hub`). Takes a snapshot: do not call it holding shard locks.
    pub(crate) fn start_live(
        shared: &Arc<Shared>,
        data_dir: &Path,
        policy: Fsync,
        first: u64,
    ) -> Result<Aof, Error> {
        let dir = data_dir.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| files::io_error(&dir, &e))?;
        let old = previous_manifest(&dir);
        let incr = FileInfo {
            name: manifest::incr_name(old.next_incr_seq()),
            seq: old.next_incr_seq(),
            kind: Kind::Incr,
        };
        let base = FileInfo {
            name: manifest::base_name(old.next_base_seq(), true),
            seq: old.next_base_seq(),
            kind: Kind::Base,
        };
        let file = files::create_log(&dir, &incr.name, &select_head(0))?;
        let hub = shared.aof.hub();
        let (log, thread) = Log::start(file, policy, shared.saves.disk.clone(), hub, first)
            .map_err(|e| files::io_error(&dir, &e))?;
        let listener = Arc::new(AtomicU64::new(u64::MAX));
        let written = write_image(shared, &dir, &base.name, &log, &listener);
        let id = listener.load(Ordering::Acquire);
        if let Err(e) = written {
            if id != u64::MAX {
                shared.listeners.remove(id);
            }
            log.stop_and_wait();
            let _ = std::fs::remove_file(dir.join(&incr.name));
            return Err(e);
        }
        let next = Manifest {
            base: Some(base),
            history: Vec::new(),
            incr: vec![incr],
        };
        if let Err(e) = files::write_atomic(&dir, manifest::NAME, next.format().as_bytes()) {
            shared.listeners.remove(id);
            log.stop_and_wait();
            return Err(e);
        }
        remove_all(&dir, &old);
        Ok(Aof {
            dir,
            manifest: Mutex::new(next),
            log,
            _thread: thread,
            rewriting: AtomicBool::new(false),
            listener: id,
            closed: AtomicBool::new(false),
            rewrites: AtomicU64::new(0),
            last_rewrite_ok: AtomicBool::new(true),
            last_rewrite_secs: AtomicU64::new(0),
            shared: Arc::downgrade(shared),
            warnings: Vec::new(),
        })
    }

    /// Closes the log: no write reaches it any more, and everything it was given is
    /// written and fsynced before this returns. Takes no shard lock.
    pub(crate) fn close(&self, shared: &Shared) {
        // SeqCst: see `Aof::rewriting_now`.
        self.closed.store(true, Ordering::SeqCst);
        shared.listeners.remove(self.listener);
        self.log.stop_and_wait();
    }

    /// The log's writer (the switch hands it to the hub and sets its policy).
    pub(crate) fn log(&self) -> &Arc<Log> {
        &self.log
    }
}

/// The folder's manifest, if it holds a readable one: the new files are numbered after its
/// own, and its files are deleted once the new manifest replaced it.
fn previous_manifest(dir: &Path) -> Manifest {
    let path = dir.join(manifest::NAME);
    std::fs::read(&path)
        .ok()
        .and_then(|text| Manifest::parse(&text).ok())
        .unwrap_or_default()
}

/// Writes the store's image as the base file `name`; at its instant the log joins the
/// listeners (its id left in `listener`). Waits while another snapshot runs.
fn write_image(
    shared: &Shared,
    dir: &Path,
    name: &str,
    log: &Arc<Log>,
    listener: &AtomicU64,
) -> Result<(), Error> {
    let path = dir.join(format!("temp-{name}"));
    loop {
        let mut out = files::create(&path)?;
        let wrote = image_then_join(shared, &mut out, log.clone(), listener);
        match wrote {
            Ok(_) => {
                files::finish(out, &path, &dir.join(name))?;
                return files::sync_dir(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                // Another snapshot holds the one-at-a-time flag: wait for it to end.
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => return Err(files::io_error(&path, &e)),
        }
    }
}

/// Writes the store's image as a log base to `out`; at its instant (every shard
/// write-locked) `log` joins the listeners, its id left in `id`: every write before the
/// instant is in the image, every one after it reaches `log` (the loom model
/// `a_live_start_logs_each_racing_write_exactly_once` checks this on this function).
pub(crate) fn image_then_join(
    shared: &Shared,
    out: &mut impl std::io::Write,
    log: Arc<dyn Listener>,
    id: &AtomicU64,
) -> std::io::Result<rdb::WriteReport> {
    let opts = rdb::WriteOptions { aof_base: true };
    rdb::write_then(shared, out, opts, || {
        id.store(shared.listeners.add_commands_only(log), Ordering::Release);
    })
}

/// Deletes every file `old` listed (the new manifest lists none of them).
fn remove_all(dir: &Path, old: &Manifest) {
    let mut old = old.clone();
    // `remove_old` keeps the last incremental file (a rewrite's new one): list a dummy.
    old.incr.push(FileInfo {
        name: String::new(),
        seq: 0,
        kind: Kind::Incr,
    });
    remove_old(dir, &old);
}
