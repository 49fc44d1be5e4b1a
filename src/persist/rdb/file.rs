//! Whole RDB files: the header, aux fields, SELECTDB / RESIZEDB, expiry and LRU/LFU
//! opcodes, the keys, EOF and the CRC64 trailer.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::crc64;
use super::input::{Damage, Input, Read};
use super::value::{is_value_type, put_len, put_str, put_value, read_value, type_of};
use crate::clock::Now;
use crate::persist::snapshot::Snapshot;
use crate::script::functions::restore;
use crate::shared::Shared;
use crate::types::Value;

mod op {
    pub(super) const FUNCTION2: u8 = 245;
    pub(super) const FUNCTION_PRE_GA: u8 = 246;
    pub(super) const MODULE_AUX: u8 = 247;
    pub(super) const IDLE: u8 = 248;
    pub(super) const FREQ: u8 = 249;
    pub(super) const AUX: u8 = 250;
    pub(super) const RESIZEDB: u8 = 251;
    pub(super) const EXPIRETIME_MS: u8 = 252;
    pub(super) const EXPIRETIME: u8 = 253;
    pub(super) const SELECTDB: u8 = 254;
    pub(super) const EOF: u8 = 255;
}

/// A damaged or unreadable RDB file: which file, where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LoadError {
    /// The file, when the data came from one.
    pub(crate) file: Option<PathBuf>,
    /// Byte offset from the start of the data.
    pub(crate) offset: u64,
    pub(crate) what: Cow<'static, str>,
}

impl LoadError {
    fn at(d: Damage) -> LoadError {
        LoadError {
            file: None,
            offset: d.offset as u64,
            what: d.what,
        }
    }

    /// The same error, naming `file`.
    #[must_use]
    pub(crate) fn in_file(mut self, file: &Path) -> LoadError {
        self.file = Some(file.to_path_buf());
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(p) => write!(
                f,
                "{}: bad RDB data at byte {}: {}",
                p.display(),
                self.offset,
                self.what
            ),
            None => write!(f, "bad RDB data at byte {}: {}", self.offset, self.what),
        }
    }
}

impl From<LoadError> for crate::Error {
    fn from(e: LoadError) -> crate::Error {
        crate::Error::Persistence(e.to_string())
    }
}

/// How to load.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LoadOptions {
    /// The data is an AOF base file's RDB preamble: expired keys are kept (the log that
    /// follows may name them), and data after the EOF trailer is allowed.
    pub(crate) aof_preamble: bool,
}

/// What a load found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LoadReport {
    /// Keys stored.
    pub(crate) keys: usize,
    /// Keys skipped because they had expired (Redis's master does the same).
    pub(crate) expired: usize,
    /// Empty containers skipped (Redis skips them too).
    pub(crate) empty: usize,
    /// Bytes of the input that were RDB (up to and including the checksum).
    pub(crate) bytes: usize,
    /// The RDB version of the file.
    pub(crate) version: u16,
}

/// Loads RDB `data` into the store's keyspace (normally an empty one, at open).
///
/// # Errors
///
/// A [`LoadError`] at the first damage: bad header or version, unknown type or opcode,
/// streams/modules (not supported), a function library that does not load (or needs the
/// `lua` feature), truncation, a duplicate key, a wrong CRC64.
/// Keys read before the damage stay stored: callers discard the store.
pub(crate) fn load(data: &[u8], shared: &Shared) -> Result<LoadReport, LoadError> {
    load_with(data, shared, LoadOptions::default())
}

/// [`load`] of the file at `path`; errors name the file.
///
/// # Errors
///
/// As [`load`], and a `LoadError` at offset 0 when the file cannot be read.
pub(crate) fn load_file(path: &Path, shared: &Shared) -> Result<LoadReport, LoadError> {
    let data = std::fs::read(path).map_err(|e| LoadError {
        file: Some(path.to_path_buf()),
        offset: 0,
        what: format!("cannot read: {e}").into(),
    })?;
    load(&data, shared).map_err(|e| e.in_file(path))
}

/// [`load`] with options.
///
/// # Errors
///
/// As [`load`].
pub(crate) fn load_with(
    data: &[u8],
    shared: &Shared,
    opts: LoadOptions,
) -> Result<LoadReport, LoadError> {
    let mut inp = Input::new(data);
    Loader {
        shared,
        now: Now::fixed(shared.now()),
        opts,
        report: LoadReport::default(),
        db: 0,
    }
    .run(&mut inp)
    .map_err(LoadError::at)
}

struct Loader<'a> {
    shared: &'a Shared,
    now: Now<'a>,
    opts: LoadOptions,
    report: LoadReport,
    /// The database the keys read now go to (the last SELECTDB; 0 before any).
    db: usize,
}

impl Loader<'_> {
    fn run(mut self, inp: &mut Input<'_>) -> Read<LoadReport> {
        if inp.at_end() {
            return inp.damage("empty file: not an RDB file");
        }
        self.report.version = header(inp)?;
        let mut expires_at = 0u64;
        loop {
            let at = inp.pos();
            let t = inp.byte()?;
            match t {
                op::EOF => break,
                op::AUX => {
                    inp.string()?;
                    inp.string()?;
                }
                op::SELECTDB => {
                    let db = inp.len()?;
                    let dbs = self.shared.keyspace.databases();
                    match usize::try_from(db) {
                        Ok(db) if db < dbs => self.db = db,
                        _ => {
                            return damage(
                                at,
                                format!("keys of database {db}: this store has {dbs} databases"),
                            );
                        }
                    }
                }
                op::RESIZEDB => {
                    let keys = inp.len()?;
                    inp.len()?;
                    self.reserve(keys, inp.remaining());
                }
                op::EXPIRETIME_MS => expires_at = u64::from_le_bytes(inp.array()?).max(1),
                op::EXPIRETIME => {
                    let secs = u32::from_le_bytes(inp.array()?);
                    expires_at = (u64::from(secs) * 1000).max(1);
                }
                op::FREQ => {
                    inp.byte()?;
                }
                op::IDLE => {
                    inp.len()?;
                }
                op::MODULE_AUX => return damage(at, "module auxiliary data is not supported"),
                op::FUNCTION2 | op::FUNCTION_PRE_GA => self.library(inp, at, t)?,
                t if is_value_type(t) => {
                    self.key(inp, at, t, expires_at)?;
                    expires_at = 0;
                }
                t => return damage(at, format!("unknown opcode or value type {t}")),
            }
        }
        self.trailer(inp)?;
        if !self.opts.aof_preamble && !inp.at_end() {
            return inp.damage("data after the end of the RDB file");
        }
        self.report.bytes = inp.pos();
        Ok(self.report)
    }

    /// Sizes the shard tables for `keys` more keys, once, up front (no rehash while loading),
    /// trusting the hint only as far as the bytes left could hold (a key takes 3 or more).
    fn reserve(&self, keys: u64, remaining: usize) {
        let keys = usize::try_from(keys)
            .unwrap_or(usize::MAX)
            .min(remaining / 3);
        let ks = &self.shared.keyspace;
        let per_shard = keys / ks.shard_count();
        for i in 0..ks.shard_count() {
            ks.shard(ks.base(self.db) + i)
                .write()
                .reserve(per_shard + per_shard / 8);
        }
    }

    fn key(&mut self, inp: &mut Input<'_>, at: usize, t: u8, expires_at: u64) -> Read<()> {
        let key = inp.string()?;
        let Some(value) = read_value(inp, t)? else {
            self.report.empty += 1;
            return Ok(());
        };
        if expires_at != 0 && !self.opts.aof_preamble && self.now.get() > expires_at {
            self.report.expired += 1;
            return Ok(());
        }
        let ks = &self.shared.keyspace;
        let k = ks.hkey(&key);
        let mut shard = ks.shard(ks.base(self.db) + ks.shard_of(k.hash)).write();
        let memory = &self.shared.memory;
        let ins = shard.insert(k, value, expires_at, &self.now, |old| {
            memory.overwrite(old, memory.access_time(&self.now))
        });
        let duplicate = ins.old.is_some();
        ins.stamp.bump();
        if duplicate {
            return damage(at, "a key that appears twice");
        }
        self.report.keys += 1;
        Ok(())
    }

    /// A function library: built (its code run once, as FUNCTION LOAD does) and added.
    fn library(&mut self, inp: &mut Input<'_>, at: usize, t: u8) -> Read<()> {
        let code = super::functions::read_library(inp, t)?;
        let added = restore::library(self.shared, &code)
            .and_then(|lib| restore::add(self.shared, lib, false));
        match added {
            Ok(()) => Ok(()),
            Err(e) => damage(at, format!("function library: {e}")),
        }
    }

    /// The CRC64 after EOF (version 5 on); zero means the writer had checksums off.
    fn trailer(&self, inp: &mut Input<'_>) -> Read<()> {
        if self.report.version < 5 {
            return Ok(());
        }
        let body = inp.pos();
        let stored = u64::from_le_bytes(inp.array()?);
        let computed = crc64::update(0, inp.prefix(body));
        if stored != 0 && stored != computed {
            return damage(
                body,
                format!(
                    "checksum mismatch: the file says {stored:016x}, the data gives {computed:016x}"
                ),
            );
        }
        Ok(())
    }
}

fn damage<T>(offset: usize, what: impl Into<Cow<'static, str>>) -> Read<T> {
    Err(Damage {
        offset,
        what: what.into(),
    })
}

/// `REDIS` and a four-digit version from 1 to 10.
fn header(inp: &mut Input<'_>) -> Read<u16> {
    let magic = inp
        .take(5)
        .or_else(|_| damage(0, "not an RDB file (too short)"))?;
    if magic != b"REDIS" {
        return damage(0, "not an RDB file (no REDIS signature)");
    }
    let digits = inp.array::<4>()?;
    let version = std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| s.parse::<u16>().ok());
    match version {
        Some(v @ 1..=super::VERSION) => Ok(v),
        _ => damage(5, "unsupported RDB version (redlite reads 1 to 10)"),
    }
}

/// How to write.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WriteOptions {
    /// Mark the file as an AOF base (the `aof-base` aux field Redis 7 writes).
    pub(crate) aof_base: bool,
}

/// What a write produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WriteReport {
    /// Keys written.
    pub(crate) keys: usize,
    /// Bytes written.
    pub(crate) bytes: u64,
    /// The snapshot's instant, Unix ms.
    pub(crate) at: u64,
    /// The sum of the shards' write clocks at that instant.
    pub(crate) clocks: u64,
    /// The snapshot's shard-lock holds.
    pub(crate) holds: crate::persist::holds::Holds,
}

/// Writes a point-in-time image of the store as an RDB file to `out` (which the caller
/// buffers, syncs and renames). Writers keep running; see [`Snapshot`].
///
/// # Errors
///
/// The first error of `out`, or `ErrorKind::WouldBlock` when another snapshot of this store
/// is running (the caller turns that into Redis's "already in progress").
pub(crate) fn write(shared: &Shared, out: &mut impl Write) -> io::Result<WriteReport> {
    write_with(shared, out, WriteOptions::default())
}

/// [`write`] with options.
///
/// # Errors
///
/// As [`write`].
pub(crate) fn write_with(
    shared: &Shared,
    out: &mut impl Write,
    opts: WriteOptions,
) -> io::Result<WriteReport> {
    write_then(shared, out, opts, || {})
}

/// [`write_with`], running `at_instant` at the snapshot's instant under every shard lock
/// (see [`Snapshot::begin_then`]).
///
/// # Errors
///
/// As [`write`].
pub(crate) fn write_then(
    shared: &Shared,
    out: &mut impl Write,
    opts: WriteOptions,
    at_instant: impl FnOnce(),
) -> io::Result<WriteReport> {
    let Some(snap) = Snapshot::begin_then(shared, &shared.saves.snapshot_busy, at_instant) else {
        return Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "a snapshot is already running",
        ));
    };
    let mut w = Crc {
        out,
        sum: 0,
        bytes: 0,
    };
    let mut buf = head(&snap, opts);
    // As Redis 7.0: the libraries after the aux fields, before the databases.
    let libs = restore::codes(shared);
    super::functions::put_libraries(&mut buf, libs.iter().map(|l| &*l.code));
    let keys = std::cell::Cell::new(0usize);
    snap.for_each(
        &mut buf,
        |buf, db, keys| {
            buf.push(op::SELECTDB);
            put_len(buf, db);
            buf.push(op::RESIZEDB);
            put_len(buf, keys);
            put_len(buf, 0);
        },
        |buf, key, value, expires_at| {
            keys.set(keys.get() + 1);
            put_key(buf, key, value, expires_at);
        },
        |buf| {
            w.put(buf)?;
            buf.clear();
            Ok::<(), io::Error>(())
        },
    )?;
    let keys = keys.get();
    buf.push(op::EOF);
    w.put(&buf)?;
    let crc = w.sum;
    w.out.write_all(&crc.to_le_bytes())?;
    Ok(WriteReport {
        keys,
        bytes: w.bytes + 8,
        at: snap.at(),
        clocks: snap.clocks(),
        holds: snap.holds(),
    })
}

/// The header and aux fields (each database's SELECTDB and RESIZEDB come before its keys).
fn head(snap: &Snapshot<'_>, opts: WriteOptions) -> Vec<u8> {
    let mut buf = format!("REDIS{:04}", super::VERSION).into_bytes();
    let mut aux = |k: &str, v: &str| {
        buf.push(op::AUX);
        put_str(&mut buf, k.as_bytes());
        put_str(&mut buf, v.as_bytes());
    };
    aux("redis-ver", "7.0.15");
    aux("redis-bits", "64");
    aux("ctime", &(snap.at() / 1000).to_string());
    aux("used-mem", "0");
    aux("aof-base", if opts.aof_base { "1" } else { "0" });
    buf
}

fn put_key(buf: &mut Vec<u8>, key: &[u8], value: &Value, expires_at: u64) {
    if expires_at != 0 {
        buf.push(op::EXPIRETIME_MS);
        buf.extend_from_slice(&expires_at.to_le_bytes());
    }
    buf.push(type_of(value));
    put_str(buf, key);
    put_value(buf, value);
}

/// A writer that keeps the CRC64 of what went through it.
struct Crc<'w, W: Write> {
    out: &'w mut W,
    sum: u64,
    bytes: u64,
}

impl<W: Write> Crc<'_, W> {
    fn put(&mut self, data: &[u8]) -> io::Result<()> {
        self.sum = crc64::update(self.sum, data);
        self.bytes += data.len() as u64;
        self.out.write_all(data)
    }
}
