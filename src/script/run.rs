//! One script run, whatever its language: the checks every `redis.call` passes, and the
//! dispatch to the engine that runs the script.

use std::cell::OnceCell;
use std::collections::HashSet;

use super::cache::{Body, Compiled};
use super::host::Host;
use super::watchdog::{self, RunState};
use crate::commands::{self, Ctx, Handler, Keys};
use crate::reply::Reply;

const UNKNOWN: &str = "ERR Unknown Redis command called from script";
const ARITY: &str = "ERR Wrong number of args calling Redis command from script";
const NOT_ALLOWED: &str = "ERR This Redis command is not allowed from script";
const READ_ONLY: &str = "ERR Write commands are not allowed from read-only scripts.";

/// Up to this many declared keys are searched in place; more get a hash set, so a call's
/// key check is O(its keys) however many keys the script declared.
const SCAN_KEYS: usize = 16;

/// The state `redis::call` sees while a script runs: the command context (holding the
/// script's locks, time frozen) and what the script declared.
pub(crate) struct Run<'r, 'a, 'l> {
    pub(crate) ctx: &'r mut Ctx<'a, 'l>,
    keys: &'r [&'r [u8]],
    /// `keys` as a set, built at the first key check of a run with many keys.
    declared: OnceCell<HashSet<&'r [u8], foldhash::fast::RandomState>>,
    read_only: bool,
    any_key: bool,
    /// Shared with SCRIPT KILL: a run is killable until its first write.
    state: &'r RunState,
    /// The shebang's engine name, for the error texts (`rhai`, `lua`).
    lang: &'static str,
}

impl Host for Run<'_, '_, '_> {
    fn call(&mut self, argv: &[&[u8]]) -> Reply {
        match self.check(argv) {
            Ok(run) => {
                self.ctx.remember(&[]);
                let reply = run(self.ctx, argv).unwrap_or_else(|e| e);
                // Each call replays on its own (Redis 7's effects replication); the script's
                // EVAL itself never does.
                self.ctx.end_command(argv);
                reply
            }
            Err(text) => Reply::error(text),
        }
    }
}

impl Run<'_, '_, '_> {
    /// Redis's order: unknown command, arity, not allowed in scripts, writes in read-only
    /// scripts; then ours: every key must be declared (the run holds only their shards).
    fn check(&self, argv: &[&[u8]]) -> Result<commands::DataFn, String> {
        let spec = self.ctx.shared.commands.lookup(argv[0]).ok_or(UNKNOWN)?;
        if !spec.arity_ok(argv.len()) {
            return Err(ARITY.into());
        }
        if let Handler::Conn(commands::ConnOp::Select) = spec.handler {
            // A script holds only its own database's locks: SELECT can keep it there.
            return Ok(commands::databases::select_in_script);
        }
        let Handler::Data(run) = spec.handler else {
            return Err(NOT_ALLOWED.into());
        };
        if spec.has(commands::flag::NOSCRIPT) {
            return Err(NOT_ALLOWED.into());
        }
        if self.read_only && spec.is_write() {
            return Err(READ_ONLY.into());
        }
        if !self.any_key {
            self.check_keys(spec, argv)?;
        }
        crate::commands::crossslot::script_call(self.ctx.shared, spec, argv)?;
        if spec.is_write() && !self.state.write() {
            // SCRIPT KILL won the race against this first write: nothing was written.
            return Err(watchdog::KILLED_TEXT.into());
        }
        Ok(run)
    }

    fn check_keys(&self, spec: &commands::Spec, argv: &[&[u8]]) -> Result<(), String> {
        if let Keys::All = spec.keys {
            return Err(format!(
                "ERR Script attempted to run '{}', which needs every key; add \
                 '#!{} flags=allow-undeclared-keys' as the script's first line",
                spec.name, self.lang
            ));
        }
        let mut undeclared = None;
        spec.for_each_key(argv, |key| {
            if undeclared.is_none() && !self.declares(key) {
                undeclared = Some(key);
            }
        });
        match undeclared {
            None => Ok(()),
            Some(key) => Err(format!(
                "ERR Script attempted to access key '{}' that is not in KEYS; declare it, or \
                 add '#!{} flags=allow-undeclared-keys' as the script's first line",
                String::from_utf8_lossy(key),
                self.lang
            )),
        }
    }

    fn declares(&self, key: &[u8]) -> bool {
        if self.keys.len() <= SCAN_KEYS {
            return self.keys.contains(&key);
        }
        let set = self
            .declared
            .get_or_init(|| self.keys.iter().copied().collect());
        set.contains(key)
    }
}

impl<'r, 'a, 'l> Run<'r, 'a, 'l> {
    pub(crate) fn new(
        ctx: &'r mut Ctx<'a, 'l>,
        keys: &'r [&'r [u8]],
        read_only: bool,
        any_key: bool,
        state: &'r RunState,
        lang: &'static str,
    ) -> Self {
        Run {
            ctx,
            keys,
            declared: OnceCell::new(),
            read_only,
            any_key,
            state,
            lang,
        }
    }
}

/// Runs `script` on `ctx` (which already holds the locks the script needs) and returns
/// its reply. Writes made before an error stay, as in Redis: there is no rollback.
pub(crate) fn execute(
    ctx: &mut Ctx<'_, '_>,
    script: &Compiled,
    keys: &[&[u8]],
    argv: &[&[u8]],
    read_only: bool,
) -> Reply {
    match &script.body {
        Body::Rhai(ast) => super::rhai::run::execute(ctx, script, ast, keys, argv, read_only),
        #[cfg(feature = "lua")]
        Body::Lua(chunk) => super::lua::run::execute(ctx, script, chunk, keys, argv, read_only),
    }
}
