//! The Lua engine's hot path on Lua's C API (through `mlua::ffi`): the only unsafe code in
//! redlite, kept here. `call`: `redis.call`, `redis.pcall` and `tonumber` as C functions;
//! `run`: a script run as one `lua_pcall`, `KEYS`/`ARGV` filled by index, the result read
//! off the stack. BENCHMARKS.md has the measured win (23.1k → 13.4k instructions for the
//! guide's increment).
//!
//! The rules every function here keeps:
//! - Lua raises errors with `longjmp`, which must never cross a Rust frame that still owns
//!   something to drop. Every Lua call that can raise either runs inside a protected call
//!   (the run's `lua_pcall`, or mlua's `exec_raw`), or in a frame whose owned values are all
//!   gone: the work runs in ordinary Rust functions that return, leaving their result on the
//!   Lua stack, and only then does the C function raise.
//! - An allocation outside those, or while a Rust value is still owned, can only fail when
//!   the process runs out of memory (then Lua, with no protected call to return to, ends
//!   the process, as Rust does on an allocation failure): the memory limit is lifted while a
//!   command runs and outside runs, and scripts have no way to make a garbage-collection
//!   step run Lua code (`newproxy`, the only way to a `__gc` finalizer in Lua 5.1, is
//!   removed by the sandbox, as in Redis 7).
//! - Stack slots are checked (`lua_checkstack`) before anything is pushed beyond the
//!   `LUA_MINSTACK` a C function starts with; every function leaves the stack as it found it,
//!   apart from its documented result.
//! - A panic in a command a script runs is caught before it reaches Lua's C frames and
//!   resumed once the run is over.
#![allow(unsafe_code, reason = "Lua's C API; the rules are above")]

pub(crate) mod call;
pub(crate) mod run;
