//! Atomic scripts: EVAL, EVALSHA, `EVAL_RO`, `EVALSHA_RO`, SCRIPT, and [`Script`], in Rhai
//! (`rhai/`) or, with the `lua` feature, Lua (`lua/`). What both share lives here: the
//! cache, the shebang and its flags, the lock plan, the checks of `redis.call`, the limits
//! and the watchdog.
//!
//! A script locks the shards of its declared `KEYS` (all shards with
//! `flags=allow-undeclared-keys`) for its whole run, through the same lock plan as
//! every other command, so it is atomic against every other command, transaction and
//! script; scripts on keys of different shards run in parallel. Its `redis::call`s run the
//! ordinary command handlers on the run's own command context (same locks, frozen time).

mod api;
mod cache;
mod commands;
pub(crate) mod config;
pub(crate) mod functions;
mod host;
#[cfg(feature = "lua")]
mod lua;
mod rhai;
mod run;
mod shebang;
mod stack;
mod watchdog;

pub use api::{Script, ScriptInvocation, ScriptTarget};
pub(crate) use commands::COMMANDS;
pub use config::{ScriptEngine, ScriptFlag};
pub(crate) use functions::commands::COMMANDS as FUNCTION_COMMANDS;

use std::cell::RefCell;
use std::sync::OnceLock;

use ::rhai::Engine;

use self::cache::{Body, Cache, Compiled};
use self::shebang::Flags;
use crate::commands::{KeyHashes, Spec, plan_each_key};
use crate::config::ScriptLimits;
use crate::keyspace::locks::Plan;
use crate::shared::Shared;
use crate::sync::Arc;

/// The store's script state: `Shared` keeps it opaque (it sits below this layer). Always
/// present in a store built by `Store::with_config`.
pub(crate) fn state(shared: &Shared) -> Option<&Scripts> {
    shared.script_state.downcast_ref::<Scripts>()
}

/// The same, as a command's error when missing (never, in a store built normally).
pub(crate) fn state_or_error(shared: &Shared) -> Result<&Scripts, crate::reply::Reply> {
    state(shared).ok_or_else(|| crate::reply::Reply::error("ERR scripting is not available"))
}

/// A store's script machinery: one engine, one cache, the runs in progress.
pub(crate) struct Scripts {
    /// Built on first use: a store that never runs a script does not pay for Rhai's
    /// engine (most of `Store::new`'s time and memory before).
    engine: OnceLock<Engine>,
    limits: ScriptLimits,
    /// Unique among the stores of this process.
    id: u64,
    cache: Cache,
    /// FUNCTION LOAD's libraries.
    functions: functions::Libraries,
    running: watchdog::Registry,
    max_source_size: usize,
    /// The stack a run needs to hold the deepest value the limits allow (see `stack`).
    #[cfg_attr(
        loom,
        allow(dead_code, reason = "the loom models run scripts in place")
    )]
    stack_size: usize,
}

impl Scripts {
    pub(crate) fn new(limits: &ScriptLimits) -> Scripts {
        Scripts {
            engine: OnceLock::new(),
            limits: limits.clone(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            cache: Cache::new(limits.cache_size),
            functions: functions::Libraries::default(),
            running: watchdog::Registry::new(),
            max_source_size: limits.max_source_size,
            stack_size: stack::size_for(limits),
        }
    }

    /// Scripts cached, libraries and functions loaded: INFO memory's counts.
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let (libraries, functions) = self.functions.counts();
        (self.cache.len(), libraries, functions)
    }

    /// The engine, built now if this is the store's first script.
    fn engine(&self) -> &Engine {
        self.engine
            .get_or_init(|| rhai::engine::build(&self.limits))
    }

    /// The cached script for `src`, compiling and caching it first if needed (EVAL, and
    /// SCRIPT LOAD with `pin`). The error is the reply text.
    fn load(&self, src: &[u8], pin: bool) -> Result<Arc<Compiled>, String> {
        let sha = cache::sha1_hex(src);
        let cached = if pin {
            self.cache.pin(&sha)
        } else {
            self.cache.get(&sha)
        };
        if let Some(script) = cached {
            return Ok(script);
        }
        let compiled = self.compile(src, sha)?;
        Ok(self.cache.insert(compiled, pin))
    }

    fn compile(&self, src: &[u8], sha: cache::Sha) -> Result<Compiled, String> {
        if src.len() > self.max_source_size {
            return Err(format!(
                "ERR Script is too large: {} bytes, over the script size limit of {} bytes",
                src.len(),
                self.max_source_size
            ));
        }
        // Lua source is bytes; only Rhai needs UTF-8.
        let flags = shebang::flags_of(src, &self.limits.defaults)?;
        if flags.lua {
            return Self::compile_lua(src, sha, flags);
        }
        let Ok(text) = std::str::from_utf8(src) else {
            return Err(compile_error("script is not valid UTF-8", None));
        };
        let (flags, body) = shebang::parse(text, &self.limits.defaults)?;
        rhai::engine::start_compile();
        let ast = self
            .engine()
            .compile(&*body)
            .map_err(|e| compile_error(&e.0.to_string(), e.1.line()))?;
        if let Some(at) = rhai::engine::capturing_closure(&ast) {
            return Err(compile_error(rhai::engine::CAPTURE_TEXT, at.line()));
        }
        Ok(Compiled::new(sha, Body::Rhai(ast), flags))
    }

    #[cfg(feature = "lua")]
    fn compile_lua(src: &[u8], sha: cache::Sha, flags: Flags) -> Result<Compiled, String> {
        let chunk = lua::compile(src, &sha)?;
        Ok(Compiled::new(sha, Body::Lua(chunk), flags))
    }

    #[cfg(not(feature = "lua"))]
    fn compile_lua(_: &[u8], _: cache::Sha, _: Flags) -> Result<Compiled, String> {
        Err(LUA_MISSING.into())
    }

    /// The flags the lock plan needs, when they can be known before running; `None` for an
    /// EVALSHA whose script is not cached (yet: an earlier command of the same EXEC may
    /// load it).
    fn flags_for(&self, by_sha: bool, script: &[u8]) -> Option<Flags> {
        if by_sha {
            self.plan_sha(script)
        } else {
            Some(shebang::flags_of(script, &self.limits.defaults).unwrap_or_default())
        }
    }
}

thread_local! {
    /// The script this thread's last EVALSHA planned or ran, so that one EVALSHA looks
    /// its script up once (while planning locks; the handler takes it from here) and a
    /// script run over and over takes no cache lock at all.
    static HOT: RefCell<Option<Hot>> = const { RefCell::new(None) };
}

struct Hot {
    /// Which store's cache it came from ([`Scripts::id`]).
    store: u64,
    /// The cache's generation when it was found: it is still cached while that stands.
    generation: u64,
    script: Arc<Compiled>,
}

/// Tells stores apart in [`HOT`] (addresses can be reused once a store is dropped).
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Scripts {
    fn is_hot(&self, hot: &Hot, sha: &cache::Sha, generation: u64) -> bool {
        hot.store == self.id && hot.generation == generation && hot.script.sha == *sha
    }

    /// The flags of the cached script with this SHA1, for the lock plan; the script is
    /// kept for the handler ([`Scripts::take_planned`]).
    fn plan_sha(&self, sha: &[u8]) -> Option<Flags> {
        let sha = cache::normalize(sha)?;
        let generation = self.cache.generation();
        let hot = HOT
            .try_with(|h| {
                let h = h.try_borrow().ok()?;
                let hot = h.as_ref().filter(|h| self.is_hot(h, &sha, generation))?;
                self.cache.touch(&hot.script);
                Some(hot.script.flags)
            })
            .ok()
            .flatten();
        if hot.is_some() {
            return hot;
        }
        let script = self.cache.get(&sha)?;
        let flags = script.flags;
        let hot = Hot {
            store: self.id,
            generation,
            script,
        };
        let _ = HOT.try_with(|h| h.try_borrow_mut().map(|mut h| *h = Some(hot)));
        Some(flags)
    }

    /// Prepares the Lua run of the script this thread's EVALSHA `args` just planned: its
    /// `KEYS`/`ARGV` are filled now, before the command takes its locks.
    /// Any other EVAL-family plan forgets what an earlier one prepared, so a run only ever
    /// finds its own command's preparation (or none).
    #[cfg(feature = "lua")]
    fn prepare_planned(&self, spec: &Spec, args: &[&[u8]]) {
        let sha = args.get(1).and_then(|sha| cache::normalize(sha));
        let generation = self.cache.generation();
        let prepared = spec.name.starts_with("evalsha")
            && HOT
                .try_with(|h| {
                    let h = h.try_borrow().ok()?;
                    let hot = h
                        .as_ref()
                        .filter(|h| sha.is_some_and(|sha| self.is_hot(h, &sha, generation)))?;
                    let Body::Lua(chunk) = &hot.script.body else {
                        return None;
                    };
                    lua::run::plan(&hot.script, chunk, args);
                    Some(())
                })
                .ok()
                .flatten()
                .is_some();
        if !prepared {
            lua::run::forget_planned();
        }
    }

    /// The script an EVALSHA runs: the one its lock plan found, else (when that was not
    /// kept) a cache lookup. Give it back with [`Scripts::give_back`] after the run.
    fn take_planned(&self, sha: &[u8]) -> Option<(Arc<Compiled>, u64)> {
        let sha = cache::normalize(sha)?;
        let generation = self.cache.generation();
        let taken = HOT
            .try_with(|h| {
                let mut h = h.try_borrow_mut().ok()?;
                if h.as_ref().is_some_and(|h| self.is_hot(h, &sha, generation)) {
                    h.take().map(|h| h.script)
                } else {
                    None
                }
            })
            .ok()
            .flatten();
        match taken {
            Some(script) => Some((script, generation)),
            None => self.cache.get(&sha).map(|s| (s, generation)),
        }
    }

    /// Keeps `script` (found at `generation`) for this thread's next EVALSHA.
    fn give_back(&self, script: Arc<Compiled>, generation: u64) {
        let hot = Hot {
            store: self.id,
            generation,
            script,
        };
        let _ = HOT.try_with(|h| h.try_borrow_mut().map(|mut h| *h = Some(hot)));
    }
}

/// A Lua script (no shebang, with Lua as the default engine) on a build without Lua.
#[cfg(not(feature = "lua"))]
const LUA_MISSING: &str = "ERR Lua scripts need redlite's `lua` feature; start the script \
                           with '#!rhai' or choose Rhai with Config::default_script_engine";

fn compile_error(msg: &str, line: Option<usize>) -> String {
    let line = line.map_or(String::new(), |l| format!("user_script:{l}: "));
    format!("ERR Error compiling script (new function): {line}{msg}")
}

/// What the lock plan of an EVAL-family command needs: write locks, and every shard.
struct Needs {
    write: bool,
    all_shards: bool,
}

fn needs(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> Needs {
    let Some(&script) = args.get(1) else {
        return Needs {
            write: false,
            all_shards: false,
        };
    };
    let ro = spec.name.ends_with("_ro");
    let by_sha = spec.name.starts_with("evalsha");
    if by_sha && cache::normalize(script).is_none() {
        // Not a SHA1: it can never be found, the run only answers NOSCRIPT.
        return Needs {
            write: false,
            all_shards: false,
        };
    }
    match state(shared).and_then(|s| s.flags_for(by_sha, script)) {
        Some(flags) => Needs {
            write: !(ro || flags.no_writes),
            all_shards: flags.allow_undeclared,
        },
        // Unknown SHA: plan for whatever it may turn out to be (Redis runs a script that
        // an earlier SCRIPT LOAD of the same EXEC loaded). Outside EXEC the run answers
        // NOSCRIPT; the cost is one all-shard lock per cache miss.
        None => Needs {
            write: !ro,
            all_shards: true,
        },
    }
}

/// Whether a SCRIPT or EVAL-family command may change the store: EVAL/EVALSHA of a
/// script that is not `no-writes` (or not cached), SCRIPT LOAD/FLUSH/KILL.
pub(crate) fn writes(shared: &Shared, spec: &Spec, args: &[&[u8]]) -> bool {
    if spec.name == "script" {
        let sub = args.get(1).copied().unwrap_or_default();
        return !(sub.eq_ignore_ascii_case(b"EXISTS") || sub.eq_ignore_ascii_case(b"HELP"));
    }
    needs(shared, spec, args).write
}

/// Lock planning for the EVAL family: the shards of the declared keys (read-locked for
/// `no-writes` scripts and the `*_RO` commands), or every shard for a script flagged
/// `allow-undeclared-keys` or not cached. Malformed arguments plan no keys; the handler
/// reports them.
pub(crate) fn plan_keys(
    shared: &Shared,
    spec: &Spec,
    args: &[&[u8]],
    plan: &mut Plan,
    hashes: &mut KeyHashes,
) {
    if args.len() < 2 {
        return;
    }
    if spec.name.starts_with("eval") && !spec.name.starts_with("evalsha") {
        // Compile (or find) the script now, before any lock: the handler then finds it in
        // the cache. One that does not compile locks nothing; the handler reports it.
        if state(shared).is_none_or(|s| s.load(args[1], false).is_err()) {
            return;
        }
    }
    let needs = needs(shared, spec, args);
    if needs.all_shards {
        plan.add_all(shared.keyspace.shard_count(), needs.write);
    }
    plan_each_key(shared, spec, args, needs.write, plan, hashes);
    #[cfg(feature = "lua")]
    if let Some(scripts) = state(shared) {
        scripts.prepare_planned(spec, args);
    }
}
