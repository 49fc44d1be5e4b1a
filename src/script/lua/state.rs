//! One thread's Lua state: the sandboxed globals, the compiled functions, and the `KEYS` /
//! `ARGV` tables refilled by each run.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use std::ffi::c_int;

use mlua::{Function, Lua, RegistryKey, Table};

pub(crate) use super::capi::run::Pending;
use super::capi::run::{Direct, Fill};
use super::library::{self, Loaded};
use super::sandbox;
use crate::commands::budget::Meter;
use crate::reply::Reply;
use crate::script::cache::Sha;

/// Compiled functions kept per thread; past this, the thread's cache starts over (the
/// store's cache bounds what is loaded; this bounds what one thread compiled over time).
const MAX_FUNCTIONS: usize = 4096;

/// `KEYS` or `ARGV` longer than this are not kept between runs.
const KEEP_ARGS: usize = 64;

pub(crate) struct State {
    pub(crate) lua: Lua,
    /// What scripts see as their globals (a read-only view of the real ones).
    env: Table,
    /// `xpcall(f, handler)`: runs a script function, turning an error into its text.
    pub(crate) runner: Function,
    keys: Args,
    argv: Args,
    /// Script runs on Lua's C API.
    direct: Direct,
    /// The run whose `KEYS`/`ARGV` were filled while its command planned its locks.
    planned: Option<Planned>,
    /// Collector steps taken before a run's locks (see `collect`).
    collect: super::collect::Ahead,
    /// Compiled scripts, each kept in a registry slot (what a direct run calls).
    functions: HashMap<Sha, RegistryKey, foldhash::fast::RandomState>,
    /// FUNCTION libraries this thread ran, by the SHA1 of their code.
    libraries: HashMap<Sha, Loaded, foldhash::fast::RandomState>,
}

/// `KEYS` or `ARGV`: the table (also in a registry slot), and how many entries the last
/// run put in it.
struct Args {
    table: Table,
    slot: RegistryKey,
    len: usize,
}

/// A script run prepared ahead of its locks: the script and the very argument slices the
/// tables were filled from (a later run with other arguments fills them again).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Planned {
    sha: Sha,
    f: c_int,
    keys: (usize, usize),
    argv: (usize, usize),
}

impl Planned {
    fn of(sha: &Sha, f: c_int, keys: &[&[u8]], argv: &[&[u8]]) -> Planned {
        Planned {
            sha: *sha,
            f,
            keys: (keys.as_ptr() as usize, keys.len()),
            argv: (argv.as_ptr() as usize, argv.len()),
        }
    }
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
    /// Set when a script wrote a key into `KEYS`/`ARGV` that a refill would not overwrite.
    static DIRTY: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread's `KEYS`/`ARGV` tables for rebuilding before the next run.
pub(crate) fn mark_dirty() {
    DIRTY.with(|d| d.set(true));
}

/// Runs `f` on this thread's state, building it first if needed; `None` if the state is
/// already in use on this thread, or cannot be built. Whatever `f` does may change
/// `KEYS`/`ARGV`, so a run prepared before is forgotten.
pub(crate) fn with<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    with_planned(|st| {
        st.planned = None;
        f(st)
    })
}

/// Forgets a prepared run, if this thread has a state (and it is not in use: a running
/// script has taken its preparation already).
pub(crate) fn forget_planned() {
    let _ = STATE.try_with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut()
            && let Some(st) = slot.as_mut()
        {
            st.planned = None;
        }
    });
}

/// The same, keeping a prepared run (for the script run it was prepared for).
pub(crate) fn with_planned<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            if slot.is_none() {
                *slot = Some(State::new().ok()?);
            }
            slot.as_mut().map(f)
        })
        .ok()
        .flatten()
}

impl State {
    fn new() -> mlua::Result<State> {
        let (lua, env, runner) = sandbox::build()?;
        let keys = Args::new(&lua, &env, "KEYS")?;
        let argv = Args::new(&lua, &env, "ARGV")?;
        let direct = Direct::new(&lua, &lua.create_function(super::run::handler)?)?;
        Ok(State {
            lua,
            env,
            runner,
            keys,
            argv,
            direct,
            planned: None,
            collect: super::collect::Ahead::default(),
            functions: HashMap::default(),
            libraries: HashMap::default(),
        })
    }

    /// The function compiled from `source` (whose SHA1 is `sha`), compiling it if this
    /// thread has not yet. The error is the reply text.
    pub(crate) fn function(&mut self, sha: &Sha, source: &[u8]) -> Result<c_int, String> {
        if let Some(f) = self.functions.get(sha) {
            return Ok(f.id());
        }
        let f = self
            .lua
            .load(source)
            .set_name("@user_script")
            .set_environment(self.env.clone())
            .into_function()
            .map_err(|e| compile_error(&e))?;
        if self.functions.len() >= MAX_FUNCTIONS {
            self.functions = HashMap::default();
        }
        let slot = self
            .lua
            .create_registry_value(f)
            .map_err(|e| format!("ERR {e}"))?;
        let id = slot.id();
        self.functions.insert(*sha, slot);
        Ok(id)
    }

    /// The library with this code (whose SHA1 is `sha`), running its code on this thread
    /// first if it has not yet. The error is the reply text.
    pub(crate) fn library(
        &mut self,
        code: &[u8],
        sha: &Sha,
        limits: &crate::config::ScriptLimits,
    ) -> Result<&Loaded, String> {
        if !self.libraries.contains_key(sha) {
            let loaded = library::load(self, code, limits)?;
            if self.libraries.len() >= MAX_FUNCTIONS {
                self.libraries = HashMap::default();
            }
            self.libraries.insert(*sha, loaded);
        }
        self.libraries
            .get(sha)
            .ok_or_else(|| "ERR Function not found".into())
    }

    /// Fills `KEYS`/`ARGV` for the run of the script `sha` (compiled from `source`) with
    /// these arguments, ahead of the locks its command takes: the run then only calls it.
    /// A collector step that is nearly due is taken here too.
    pub(crate) fn prepare(
        &mut self,
        sha: &Sha,
        source: &[u8],
        keys: &[&[u8]],
        argv: &[&[u8]],
    ) -> Result<(), String> {
        let f = self.function(sha, source)?;
        let fills = self.fills(keys, argv).map_err(|e| format!("ERR {e}"))?;
        // The refill runs unprotected: with a limit left set (a run that panicked before
        // lifting it), a string that does not fit would end the process.
        let _ = self.lua.set_memory_limit(0);
        // No lock is held yet: the collector's step is cheapest here.
        self.collect.step(&self.lua);
        if self.direct.refill(fills) {
            self.planned = Some(Planned::of(sha, f, keys, argv));
        }
        Ok(())
    }

    /// The script's slot if its run with these very arguments was prepared (the tables
    /// hold them); forgets the preparation either way.
    pub(crate) fn take_planned(
        &mut self,
        sha: &Sha,
        keys: &[&[u8]],
        argv: &[&[u8]],
    ) -> Option<c_int> {
        let planned = self.planned.take()?;
        (planned == Planned::of(sha, planned.f, keys, argv)).then_some(planned.f)
    }

    /// Forgets a prepared run (a function's run may change `KEYS`/`ARGV`).
    pub(crate) fn forget_planned(&mut self) {
        self.planned = None;
    }

    /// Runs the script function in registry slot `f` with `KEYS` and `ARGV` set to
    /// `keys` and `argv` (already, when `filled`), then with `max_memory` more bytes than
    /// the state holds allowed (what is in `KEYS`/`ARGV` does not count against it); its
    /// result is on the stack until [`State::take`].
    pub(crate) fn call_script(
        &mut self,
        f: c_int,
        keys: &[&[u8]],
        argv: &[&[u8]],
        filled: bool,
        max_memory: usize,
    ) -> mlua::Result<Pending> {
        if !filled {
            let fills = self.fills(keys, argv)?;
            let _ = self.lua.set_memory_limit(0);
            if !self.direct.refill(fills) {
                return Err(mlua::Error::StackError);
            }
        }
        let room = self.lua.used_memory().saturating_add(max_memory);
        Ok(self.direct.call(&self.lua, f, room))
    }

    /// The refills that put `keys` and `argv` in `KEYS` and `ARGV`.
    fn fills<'a>(
        &mut self,
        keys: &'a [&'a [u8]],
        argv: &'a [&'a [u8]],
    ) -> mlua::Result<[Fill<'a>; 2]> {
        if DIRTY.with(Cell::take) {
            self.keys = Args::new(&self.lua, &self.env, "KEYS")?;
            self.argv = Args::new(&self.lua, &self.env, "ARGV")?;
        }
        Ok([
            self.keys.fill(&self.lua, &self.env, "KEYS", keys)?,
            self.argv.fill(&self.lua, &self.env, "ARGV", argv)?,
        ])
    }

    /// The reply of a finished [`State::call_script`], or the failure text to locate.
    pub(crate) fn take(&self, run: Pending, meter: &mut Meter) -> Result<Reply, String> {
        self.direct.take(&self.lua, run, meter)
    }
}

impl Args {
    fn new(lua: &Lua, env: &Table, name: &str) -> mlua::Result<Args> {
        let table = sandbox::args_table(lua)?;
        sandbox::set_global(lua, env, name, &table)?;
        let slot = lua.create_registry_value(&table)?;
        Ok(Args {
            table,
            slot,
            len: 0,
        })
    }

    /// The refill of this table with `args`, replacing it first when the script grew or
    /// shrank it (`table.insert`, `table.remove`) or it grew long.
    fn fill<'a>(
        &mut self,
        lua: &Lua,
        env: &Table,
        name: &str,
        args: &'a [&'a [u8]],
    ) -> mlua::Result<Fill<'a>> {
        if self.len > KEEP_ARGS || self.table.raw_len() != self.len {
            *self = Args::new(lua, env, name)?;
        }
        let old_len = std::mem::replace(&mut self.len, args.len());
        Ok(Fill {
            table: self.slot.id(),
            args,
            old_len,
        })
    }
}

/// Redis's compile error: `ERR Error compiling script (new function): user_script:1: ...`.
fn compile_error(e: &mlua::Error) -> String {
    format!(
        "ERR Error compiling script (new function): {}",
        syntax_text(e)
    )
}

/// The text of a compile error, as Lua words it (`user_script:1: ...`).
pub(crate) fn syntax_text(e: &mlua::Error) -> String {
    let text = match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => other.to_string(),
    };
    text.strip_prefix("syntax error: ")
        .unwrap_or(&text)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refill_lifts_a_memory_limit_left_set() {
        let done = super::with(|st| {
            let _ = st.lua.set_memory_limit(st.lua.used_memory() + 4096);
            let big = vec![b'x'; 1 << 20];
            let argv: [&[u8]; 1] = [&big];
            // Unprotected: without the lift, Lua would end the process here.
            st.prepare(&[b'0'; 40], b"return 1", &[], &argv).is_ok()
        });
        assert_eq!(done, Some(true));
    }
}
