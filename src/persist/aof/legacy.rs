//! Opening a data folder of Redis < 7: its log is one `appendonly.aof` beside `dump.rdb`.
//! As redis-server 7.0 does on start (`aofUpgradePrepare`), the file becomes the base of a
//! multi-part log: a manifest listing `appendonly.aof` as base 1 is written into
//! `appendonlydir/`, then the file is moved there. The manifest goes first, so a crash in
//! between leaves a folder this check finishes upgrading on the next open (Redis's third
//! case below).

use std::path::Path;

use super::manifest::{self, FileInfo, Kind, Manifest};
use crate::error::Error;
use crate::persist::files;

/// Upgrades `data_dir/appendonly.aof` into `log_dir` when Redis 7.0 would: the log folder
/// has no manifest, or an empty one, or one whose only entry is that file as base while
/// the file is not there yet.
pub(crate) fn upgrade_if_needed(data_dir: &Path, log_dir: &Path) -> Result<(), Error> {
    let old = data_dir.join(manifest::STEM);
    if !old.is_file() {
        return Ok(());
    }
    let manifest_path = log_dir.join(manifest::NAME);
    if manifest_path.exists() {
        let text = files::read(&manifest_path)?;
        let Ok(m) = Manifest::parse(&text) else {
            // A damaged manifest is loading's to report, with its offset.
            return Ok(());
        };
        if !half_upgraded(&m, log_dir) {
            return Ok(());
        }
    }
    let m = Manifest {
        base: Some(FileInfo {
            name: manifest::STEM.to_owned(),
            seq: 1,
            kind: Kind::Base,
        }),
        history: Vec::new(),
        incr: Vec::new(),
    };
    files::write_atomic(log_dir, manifest::NAME, m.format().as_bytes())?;
    let moved = log_dir.join(manifest::STEM);
    std::fs::rename(&old, &moved).map_err(|e| files::io_error(&old, &e))?;
    files::sync_dir(log_dir)?;
    files::sync_dir(data_dir)
}

/// An empty manifest, or one left by an upgrade that stopped before moving the file.
fn half_upgraded(m: &Manifest, log_dir: &Path) -> bool {
    let empty = m.base.is_none() && m.incr.is_empty();
    let only_old_base = m.incr.is_empty()
        && m.base
            .as_ref()
            .is_some_and(|b| b.name == manifest::STEM && !log_dir.join(&b.name).exists());
    empty || only_old_base
}
