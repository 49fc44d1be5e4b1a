//! The script settings of [`Config`]: which engine runs a script without a shebang, the
//! flags such a script gets, and the Lua engine's memory limit.

use crate::config::Config;

/// The engine that runs a script whose first line is not a `#!lua` / `#!rhai` shebang.
///
/// # Examples
///
/// ```
/// use redlite::{Config, ScriptEngine, Store};
///
/// let store = Store::with_config(Config::default().default_script_engine(ScriptEngine::Rhai));
/// assert_eq!(store.execute(["EVAL", "40 + 2", "0"]).to_string(), "42");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptEngine {
    /// Rhai (always built in).
    Rhai,
    /// Lua 5.1, as in Redis (needs the `lua` feature; without it such scripts fail with an
    /// error reply).
    Lua,
}

/// A flag given to scripts without a shebang by [`Config::default_script_flags`].
///
/// # Examples
///
/// ```
/// use redlite::{Config, ScriptFlag};
///
/// let config = Config::default().default_script_flags([ScriptFlag::AllowUndeclaredKeys]);
/// # let _ = config;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptFlag {
    /// `no-writes`: write commands fail, and the keys are only read-locked.
    NoWrites,
    /// `allow-undeclared-keys`: the script may use any key; it then runs under every shard
    /// lock (Redis's global atomicity, for legacy scripts that do not declare their keys).
    AllowUndeclaredKeys,
}

/// What scripts without a shebang get, and the Lua memory bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Defaults {
    pub(crate) engine: ScriptEngine,
    pub(crate) no_writes: bool,
    pub(crate) allow_undeclared: bool,
    /// Most bytes the Lua state of one thread may grow by during one run.
    pub(crate) lua_max_memory: usize,
}

impl Defaults {
    /// Rhai, no flags.
    pub(crate) const fn rhai() -> Defaults {
        Defaults {
            engine: ScriptEngine::Rhai,
            no_writes: false,
            allow_undeclared: false,
            lua_max_memory: 64 << 20,
        }
    }
}

impl Default for Defaults {
    /// Lua when the `lua` feature is on (as in Redis), else Rhai; no flags; 64 MiB for Lua.
    fn default() -> Self {
        Defaults {
            engine: if cfg!(feature = "lua") {
                ScriptEngine::Lua
            } else {
                ScriptEngine::Rhai
            },
            ..Defaults::rhai()
        }
    }
}

impl Config {
    /// The engine for scripts without a `#!lua` / `#!rhai` first line: Lua by default when
    /// the `lua` feature is on (so Redis's scripts run unchanged), else Rhai.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, ScriptEngine, Store};
    ///
    /// let rhai = Store::with_config(Config::default().default_script_engine(ScriptEngine::Rhai));
    /// assert_eq!(rhai.execute(["EVAL", "[1, 2].len()", "0"]).to_string(), "2");
    /// // A shebang always wins.
    /// assert_eq!(rhai.execute(["EVAL", "#!rhai\n7", "0"]).to_string(), "7");
    /// ```
    #[must_use]
    pub fn default_script_engine(mut self, engine: ScriptEngine) -> Self {
        self.scripts.defaults.engine = engine;
        self
    }

    /// Flags for scripts without a shebang (which otherwise get none, as in Redis). With
    /// [`ScriptFlag::AllowUndeclaredKeys`], legacy scripts that touch keys they did not
    /// declare work, each run holding every shard lock (as Dragonfly's
    /// `default_lua_flags=allow-undeclared-keys`).
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, ScriptEngine, ScriptFlag, Store};
    ///
    /// let config = Config::default()
    ///     .default_script_engine(ScriptEngine::Rhai)
    ///     .default_script_flags([ScriptFlag::AllowUndeclaredKeys]);
    /// let store = Store::with_config(config);
    /// let reply = store.execute(["EVAL", r#"redis::call("SET", "undeclared", 1)"#, "0"]);
    /// assert_eq!(reply.to_string(), "OK");
    /// ```
    #[must_use]
    pub fn default_script_flags(mut self, flags: impl IntoIterator<Item = ScriptFlag>) -> Self {
        let defaults = &mut self.scripts.defaults;
        defaults.no_writes = false;
        defaults.allow_undeclared = false;
        for flag in flags {
            match flag {
                ScriptFlag::NoWrites => defaults.no_writes = true,
                ScriptFlag::AllowUndeclaredKeys => defaults.allow_undeclared = true,
            }
        }
        self
    }

    /// Most memory (bytes) one Lua script run may allocate beyond what the thread's Lua
    /// state held when it started; default 64 MiB. Past it, the allocation fails with Lua's
    /// `not enough memory` error. (Rhai scripts are bounded by the size limits instead.)
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().lua_max_memory(8 << 20);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn lua_max_memory(mut self, bytes: usize) -> Self {
        self.scripts.defaults.lua_max_memory = bytes.max(1 << 16);
        self
    }
}
