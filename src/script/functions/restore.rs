//! Libraries from their code, as FUNCTION RESTORE and loading a snapshot need them, and
//! FUNCTION RESTORE's policies with Redis 7.0's checks and texts (`libraryJoin`).

use super::{Libraries, Library};
use crate::shared::Shared;
use crate::sync::Arc;

/// How restored libraries meet the loaded ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Added; a library name already loaded fails the whole restore.
    Append,
    /// Added, replacing loaded libraries of the same names.
    Replace,
    /// The loaded libraries are dropped first.
    Flush,
}

/// A library built from `code` (its `#!lua name=..` header, then its code run once on this
/// thread to learn its functions). The error is the reply text FUNCTION LOAD would give;
/// code past the script size limit is refused, however it arrives.
pub(crate) fn library(shared: &Shared, code: &[u8]) -> Result<Library, String> {
    let scripts = crate::script::state(shared).ok_or("ERR scripting is not available")?;
    if code.len() > scripts.max_source_size {
        return Err(format!(
            "ERR Library is too large: {} bytes, over the script size limit of {} bytes",
            code.len(),
            scripts.max_source_size
        ));
    }
    let (engine, name) = super::parse_header(code)?;
    if !engine.eq_ignore_ascii_case("lua") {
        return Err(format!("ERR Engine '{engine}' not found"));
    }
    super::commands::build(scripts, name, code)
}

/// Each loaded library's code, by library name (FUNCTION DUMP, snapshots).
pub(crate) fn codes(shared: &Shared) -> Vec<Arc<Library>> {
    crate::script::state(shared).map_or_else(Vec::new, |s| s.functions.all())
}

/// Adds a library read from a snapshot (`replace` for a load over a store that may hold
/// it already).
pub(crate) fn add(shared: &Shared, lib: Library, replace: bool) -> Result<(), String> {
    let scripts = crate::script::state(shared).ok_or("ERR scripting is not available")?;
    scripts.functions.add(lib, replace)
}

/// FUNCTION RESTORE of the libraries `codes`: all of them, or none (each is checked as
/// FUNCTION LOAD checks it, then against the loaded ones as `policy` says).
pub(crate) fn restore(shared: &Shared, codes: &[Vec<u8>], policy: Policy) -> Result<(), String> {
    let scripts = crate::script::state(shared).ok_or("ERR scripting is not available")?;
    let incoming = Libraries::default();
    for code in codes {
        incoming.add(library(shared, code)?, false)?;
    }
    scripts.functions.join(&incoming, policy)
}

impl Libraries {
    /// Joins `incoming` (whose names and functions are already unique among themselves)
    /// into these libraries, under one write lock: Redis's checks in its order, nothing
    /// changed when one fails.
    fn join(&self, incoming: &Libraries, policy: Policy) -> Result<(), String> {
        let incoming = std::mem::take(&mut *incoming.inner.write());
        let mut inner = self.inner.write();
        if policy == Policy::Flush {
            *inner = incoming;
            return Ok(());
        }
        for name in incoming.libraries.keys() {
            if inner.libraries.contains_key(name) && policy == Policy::Append {
                return Err(format!(
                    "ERR Library {} already exists",
                    String::from_utf8_lossy(name)
                ));
            }
        }
        // With REPLACE, a function may move from a replaced library to its new version;
        // a function of any other loaded library is a collision.
        for function in incoming.owners.keys() {
            if let Some(owner) = inner.owners.get(function)
                && !incoming.libraries.contains_key(&owner.name)
            {
                return Err(format!(
                    "ERR Function {} already exists",
                    String::from_utf8_lossy(function)
                ));
            }
        }
        for (name, lib) in incoming.libraries {
            if let Some(old) = inner.libraries.remove(&name) {
                super::remove_functions(&mut inner, &old);
            }
            for f in &lib.functions {
                inner.owners.insert(f.name.clone(), lib.clone());
            }
            inner.libraries.insert(name, lib);
        }
        Ok(())
    }
}
