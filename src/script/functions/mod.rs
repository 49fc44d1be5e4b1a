//! Redis 7 functions: libraries loaded by FUNCTION LOAD (`#!lua name=<lib>`), each
//! registering named functions with `redis.register_function`, called by FCALL /
//! `FCALL_RO`. This module keeps the store's libraries (shared by every thread); each
//! thread's Lua state runs a library's code once to get its functions (see
//! `lua::library`).

pub(crate) mod commands;
mod header;
pub(crate) mod restore;

use std::collections::{BTreeMap, HashMap};

use super::cache::Sha;
use crate::commands::{KeyHashes, Spec, plan_each_key};
use crate::keyspace::locks::Plan;
use crate::shared::Shared;
use crate::sync::{Arc, RwLock};

pub(crate) use header::parse_header;
#[cfg(feature = "lua")]
pub(crate) use header::{NAME_TEXT, valid_name};

/// Redis 7.0's function flags, in the order FUNCTION LIST shows them.
pub(crate) const FLAG_NAMES: [&str; 5] = [
    "no-writes",
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
];

/// `no-writes` as a bit of [`Function::flags`] (bit i is `FLAG_NAMES[i]`).
pub(crate) const NO_WRITES: u8 = 1;

/// One registered function, as FUNCTION LIST shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Function {
    pub(crate) name: Vec<u8>,
    pub(crate) flags: u8,
    pub(crate) description: Option<Vec<u8>>,
}

impl Function {
    pub(crate) fn no_writes(&self) -> bool {
        self.flags & NO_WRITES != 0
    }
}

/// A loaded library: its code (as given, for WITHCODE), the code the engine runs (header
/// line blanked) and its functions, sorted by name.
pub(crate) struct Library {
    pub(crate) name: Vec<u8>,
    pub(crate) code: Box<[u8]>,
    /// Identifies this code in each thread's Lua state.
    #[cfg_attr(
        not(feature = "lua"),
        allow(dead_code, reason = "only the Lua engine runs libraries")
    )]
    pub(crate) sha: Sha,
    pub(crate) functions: Vec<Function>,
}

impl Library {
    pub(crate) fn function(&self, name: &[u8]) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}

#[derive(Default)]
struct Inner {
    libraries: BTreeMap<Vec<u8>, Arc<Library>>,
    /// Function name → its library.
    owners: HashMap<Vec<u8>, Arc<Library>>,
}

/// The store's libraries. Loads and lookups take the lock only briefly; a library's code
/// runs (on FUNCTION LOAD) before the write lock is taken.
pub(crate) struct Libraries {
    inner: RwLock<Inner>,
}

// By hand: the loom lock of `crate::sync` has no `Default`.
impl Default for Libraries {
    fn default() -> Self {
        Libraries {
            inner: RwLock::new(Inner::default()),
        }
    }
}

impl Libraries {
    /// The library that registered `function`.
    pub(crate) fn find(&self, function: &[u8]) -> Option<Arc<Library>> {
        self.inner.read().owners.get(function).cloned()
    }

    /// Adds `lib` (replacing the library of that name when `replace`). Redis's checks, in
    /// its order: the name is free (unless replacing), no function name is taken by another
    /// library.
    pub(crate) fn add(&self, lib: Library, replace: bool) -> Result<(), String> {
        let mut inner = self.inner.write();
        let old = inner.libraries.get(&lib.name).cloned();
        if old.is_some() && !replace {
            return Err(format!(
                "ERR Library '{}' already exists",
                String::from_utf8_lossy(&lib.name)
            ));
        }
        for f in &lib.functions {
            if let Some(owner) = inner.owners.get(&f.name)
                && owner.name != lib.name
            {
                return Err(format!(
                    "ERR Function {} already exists",
                    String::from_utf8_lossy(&f.name)
                ));
            }
        }
        if let Some(old) = old {
            remove_functions(&mut inner, &old);
        }
        let lib = Arc::new(lib);
        for f in &lib.functions {
            inner.owners.insert(f.name.clone(), lib.clone());
        }
        inner.libraries.insert(lib.name.clone(), lib);
        Ok(())
    }

    /// Removes the library `name`; false if there is none.
    pub(crate) fn delete(&self, name: &[u8]) -> bool {
        let mut inner = self.inner.write();
        match inner.libraries.remove(name) {
            Some(lib) => {
                remove_functions(&mut inner, &lib);
                true
            }
            None => false,
        }
    }

    pub(crate) fn flush(&self) {
        *self.inner.write() = Inner::default();
    }

    /// Every library, by name.
    pub(crate) fn all(&self) -> Vec<Arc<Library>> {
        self.inner.read().libraries.values().cloned().collect()
    }

    /// Libraries and functions loaded.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let inner = self.inner.read();
        (inner.libraries.len(), inner.owners.len())
    }
}

fn remove_functions(inner: &mut Inner, lib: &Library) {
    for f in &lib.functions {
        inner.owners.remove(&f.name);
    }
}

/// Whether an FCALL / `FCALL_RO` writes: not for `FCALL_RO` or a `no-writes` function.
/// An unknown function plans for writes (the run answers "Function not found").
fn call_writes(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> bool {
    if spec.name.ends_with("_ro") {
        return false;
    }
    let found = args
        .get(1)
        .and_then(|name| super::state(shared)?.functions.find(name));
    let no_writes = found.is_some_and(|lib| {
        args.get(1)
            .and_then(|name| lib.function(name))
            .is_some_and(Function::no_writes)
    });
    !no_writes
}

/// Whether a FUNCTION or FCALL command may change the store.
pub(crate) fn writes(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> bool {
    if spec.name == "function" {
        let sub = args.get(1).copied().unwrap_or_default();
        return ["LOAD", "DELETE", "FLUSH", "RESTORE"]
            .iter()
            .any(|s| sub.eq_ignore_ascii_case(s.as_bytes()));
    }
    call_writes(shared, spec, args)
}

/// FCALL's locks: the declared keys' shards, read-locked for `FCALL_RO` and `no-writes`
/// functions (a function cannot use undeclared keys: Redis 7.0 has no such flag for them).
pub(crate) fn plan_keys(
    shared: &Shared,
    spec: &Spec,
    args: &[&[u8]],
    plan: &mut Plan,
    hashes: &mut KeyHashes,
) {
    if args.len() < 3 {
        return;
    }
    let write = call_writes(shared, spec, args);
    plan_each_key(shared, spec, args, write, plan, hashes);
}
