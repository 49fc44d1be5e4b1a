//! The hot path of a Lua run on Lua's C API: `redis.call` / `redis.pcall` as plain C
//! functions, and the refill of `KEYS` / `ARGV`.
//!
//! Through mlua's safe API each `redis.call` cost ~4k instructions of wrapping (a protected
//! callback frame, arguments copied to a `MultiValue`, every string and table created
//! through the ref thread), more than the command it runs; the refill of `KEYS`/`ARGV`
//! cost ~1.9k. Here arguments are read in place from the Lua stack (borrowed, never
//! copied), the reply is pushed straight onto it, and the tables are filled by index.
//!
//! How this stays sound: see the rules in `capi`.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::{CStr, c_char, c_int};
use std::panic::{self, AssertUnwindSafe};

use mlua::ffi::{self, lua_State};
use mlua::{Lua, Table};
use smallvec::SmallVec;

use crate::reply::Reply;
use crate::script::host;
use crate::script::lua::cjson::format_g;

const NO_ARGS: &str = "ERR Please specify at least one argument for this redis lib call";
const BAD_ARG: &str = "ERR Lua redis lib command arguments must be strings or integers";
const STACK_LIMIT: &str = "ERR reached lua stack limit";
const NOT_RUNNING: &str = "ERR redis.call is only available while a script runs";
const PANICKED: &str = "ERR the command panicked";

/// The registry key of the function that raises an error reply as a script error (an
/// mlua function, so the error is the same `RaisedReply` the rest of the engine knows).
pub(crate) const RAISE: &CStr = c"redlite.raise";

/// Deepest reply nesting converted (command replies are a few levels deep).
const MAX_DEPTH: usize = 64;

thread_local! {
    /// This thread's Lua state, for lifting its memory limit while a command runs (a C
    /// function gets only the raw state).
    static LUA: RefCell<Option<Lua>> = const { RefCell::new(None) };
    /// The registry slots of the strings `"ok"` and `"err"` (see [`anchor_tags`]).
    static TAGS: Cell<[c_int; 2]> = const { Cell::new([ffi::LUA_REFNIL; 2]) };
    /// A panic caught in a command a script ran, resumed when the run is over.
    static PANIC: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
}

/// Resumes the panic of a command the run on this thread ran, if there was one.
pub(crate) fn resume_panic() {
    if let Some(payload) = PANIC.with(|p| p.borrow_mut().take()) {
        panic::resume_unwind(payload);
    }
}

/// Makes `lua` the state whose memory limit `redis.call` lifts on this thread.
pub(crate) fn adopt(lua: &Lua) {
    LUA.with(|l| *l.borrow_mut() = Some(lua.clone()));
}

/// `redis.call`: runs a command; an error reply becomes the script's error.
pub(crate) unsafe extern "C-unwind" fn call(state: *mut lua_State) -> c_int {
    // SAFETY: Lua calls this with a valid state; `bridge` returns owning nothing, so the
    // raise below crosses no Rust value that needs dropping.
    unsafe {
        match bridge(state, true) {
            Outcome::Pushed => 1,
            Outcome::Raise => raise_top(state),
        }
    }
}

/// `redis.pcall`: runs a command; an error reply comes back as `{err = ..}`.
pub(crate) unsafe extern "C-unwind" fn pcall(state: *mut lua_State) -> c_int {
    // SAFETY: as for `call`.
    unsafe {
        match bridge(state, false) {
            Outcome::Pushed => 1,
            Outcome::Raise => raise_top(state),
        }
    }
}

/// What `bridge` left on top of the Lua stack.
enum Outcome {
    /// The reply, converted.
    Pushed,
    /// An error text to raise.
    Raise,
}

/// Raises the string on top of the stack through [`RAISE`].
///
/// # Safety
/// `state` is valid, with a string on top; no Rust frame up to the enclosing Lua call owns
/// anything to drop.
unsafe fn raise_top(state: *mut lua_State) -> c_int {
    // SAFETY: per the contract; `lua_call` of the raiser does not return.
    unsafe {
        ffi::lua_getfield_(state, ffi::LUA_REGISTRYINDEX, RAISE.as_ptr());
        ffi::lua_insert(state, -2);
        ffi::lua_call(state, 1, 0);
    }
    0
}

/// Runs the command named by the Lua arguments and pushes its reply (or, to raise, an
/// error text). Everything it owns is dropped when it returns.
///
/// # Safety
/// `state` is the valid state of a C function call.
unsafe fn bridge(state: *mut lua_State, raise_error: bool) -> Outcome {
    let lifted = LUA.with(|l| l.borrow().as_ref().map(|lua| lua.set_memory_limit(0)));
    // SAFETY: the arguments stay on the stack (so their bytes stay put) until we return.
    let ran = panic::catch_unwind(AssertUnwindSafe(|| unsafe { run_command(state) }));
    // A panic must not unwind through Lua's C frames: it goes on once the run is over.
    let reply = ran.unwrap_or_else(|payload| {
        PANIC.with(|p| *p.borrow_mut() = Some(payload));
        Reply::error(PANICKED)
    });
    // SAFETY: a valid state; the memory limit is lifted, so pushing fails only if the
    // process runs out of memory.
    let outcome = unsafe {
        match reply {
            Reply::Error(text) if raise_error => {
                push_bytes(state, text.as_bytes());
                Outcome::Raise
            }
            reply => push_reply(state, reply, 0),
        }
    };
    if let Some(Ok(limit)) = lifted {
        LUA.with(|l| l.borrow().as_ref().map(|lua| lua.set_memory_limit(limit)));
    }
    outcome
}

/// One argument as found on the stack.
enum Piece {
    /// A Lua string's bytes (valid while it is on the stack).
    Str(*const u8, usize),
    /// The n-th formatted number.
    Num(usize),
}

/// Numbers are formatted here, as Redis writes them.
enum Num {
    Int([u8; 20], usize),
    Text(String),
}

/// Arguments up to this many, all strings or integers, are gathered in fixed arrays.
const INLINE: usize = 8;

/// Reads the arguments (strings borrowed, numbers formatted as Redis formats them) and
/// runs the command: in fixed arrays when there are few of them, all strings or integers
/// (nearly every call), else in [`run_any_command`].
///
/// # Safety
/// `state` is the valid state of a C function call.
unsafe fn run_command(state: *mut lua_State) -> Reply {
    // SAFETY: a valid state; indexes 1..=top exist.
    let top = unsafe { ffi::lua_gettop(state) };
    let n = usize::try_from(top).unwrap_or(0);
    if n == 0 || n > INLINE {
        // SAFETY: per the contract.
        return unsafe { run_any_command(state) };
    }
    let mut strs = [(std::ptr::null::<u8>(), 0usize); INLINE];
    let mut ints = [([0u8; 20], 0usize); INLINE];
    for (i, index) in (1..=top).enumerate() {
        // SAFETY: `index` is a valid index; `lua_tolstring` on a string neither allocates
        // nor raises, and the bytes live as long as the string stays on the stack.
        match unsafe { ffi::lua_type(state, index) } {
            ffi::LUA_TSTRING => {
                let mut len = 0;
                let ptr = unsafe { ffi::lua_tolstring(state, index, &raw mut len) };
                strs[i] = (ptr.cast::<u8>(), len);
            }
            ffi::LUA_TNUMBER => match number_arg(unsafe { ffi::lua_tonumber(state, index) }) {
                Num::Int(buf, len) => ints[i] = (buf, len),
                // SAFETY: per the contract.
                Num::Text(_) => return unsafe { run_any_command(state) },
            },
            _ => return Reply::error(BAD_ARG),
        }
    }
    let mut argv: [&[u8]; INLINE] = [&[]; INLINE];
    for (i, arg) in argv.iter_mut().enumerate().take(n) {
        *arg = match strs[i] {
            (ptr, _) if ptr.is_null() => &ints[i].0[..ints[i].1],
            // SAFETY: see above; the slice does not outlive this call.
            (ptr, len) => unsafe { std::slice::from_raw_parts(ptr, len) },
        };
    }
    host::call(&argv[..n]).unwrap_or_else(|| Reply::error(NOT_RUNNING))
}

/// [`run_command`] for any number and kind of arguments.
///
/// # Safety
/// `state` is the valid state of a C function call.
unsafe fn run_any_command(state: *mut lua_State) -> Reply {
    // SAFETY: a valid state; indexes 1..=top exist.
    let top = unsafe { ffi::lua_gettop(state) };
    let mut pieces: SmallVec<[Piece; 8]> = SmallVec::new();
    let mut nums: SmallVec<[Num; 4]> = SmallVec::new();
    for i in 1..=top {
        // SAFETY: `i` is a valid index; `lua_tolstring` on a string neither allocates nor
        // raises, and the bytes live as long as the string stays on the stack.
        match unsafe { ffi::lua_type(state, i) } {
            ffi::LUA_TSTRING => {
                let mut len = 0;
                let ptr = unsafe { ffi::lua_tolstring(state, i, &raw mut len) };
                pieces.push(Piece::Str(ptr.cast::<u8>(), len));
            }
            ffi::LUA_TNUMBER => {
                nums.push(number_arg(unsafe { ffi::lua_tonumber(state, i) }));
                pieces.push(Piece::Num(nums.len() - 1));
            }
            _ => return Reply::error(BAD_ARG),
        }
    }
    if pieces.is_empty() {
        return Reply::error(NO_ARGS);
    }
    let argv: SmallVec<[&[u8]; 8]> = pieces
        .iter()
        .map(|p| match *p {
            // SAFETY: see above; the slice does not outlive this call.
            Piece::Str(ptr, len) => unsafe { std::slice::from_raw_parts(ptr, len) },
            Piece::Num(n) => match &nums[n] {
                Num::Int(buf, len) => &buf[..*len],
                Num::Text(s) => s.as_bytes(),
            },
        })
        .collect();
    host::call(&argv).unwrap_or_else(|| Reply::error(NOT_RUNNING))
}

/// A number argument as Redis writes it (`%.17g`: `0.1` is `0.10000000000000001`, `-0.0`
/// is `-0`), integers below 1e17 (which `%.17g` writes in full) without going through
/// the float formatter.
#[allow(
    clippy::cast_possible_truncation,
    reason = "only integral values below 1e17 are cast"
)]
fn number_arg(n: f64) -> Num {
    if n.fract() == 0.0 && n.abs() < 1e17 && (n != 0.0 || n.is_sign_positive()) {
        let (buf, len) = crate::numbers::format_i64(n as i64);
        Num::Int(buf, len)
    } else {
        Num::Text(format_g(n, 17))
    }
}

/// Pushes `bytes` as a Lua string.
///
/// # Safety
/// `state` is valid with a free stack slot.
unsafe fn push_bytes(state: *mut lua_State, bytes: &[u8]) {
    // SAFETY: per the contract; Lua copies the bytes.
    unsafe { ffi::lua_pushlstring_(state, bytes.as_ptr().cast::<c_char>(), bytes.len()) };
}

/// Pushes `{tag = text}`, the key taken from its registry slot when there is one (no
/// hashing of a C string per reply).
///
/// # Safety
/// `state` is valid with three free stack slots.
unsafe fn push_tagged(state: *mut lua_State, tag: Tag, text: &[u8]) {
    let slot = TAGS.with(|t| t.get()[tag as usize]);
    // SAFETY: per the contract; the new table is at -3 (or -2) when the field is set.
    unsafe {
        ffi::lua_createtable(state, 0, 1);
        if slot == ffi::LUA_REFNIL {
            push_bytes(state, text);
            let name = match tag {
                Tag::Ok => c"ok",
                Tag::Err => c"err",
            };
            ffi::lua_setfield(state, -2, name.as_ptr());
        } else {
            ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, slot);
            push_bytes(state, text);
            ffi::lua_rawset(state, -3);
        }
    }
}

/// The two keys of tagged replies.
#[derive(Clone, Copy)]
pub(crate) enum Tag {
    Ok = 0,
    Err = 1,
}

/// Sets the registry slots holding the strings `"ok"` and `"err"` on this thread's state.
pub(crate) fn anchor_tags(ok: c_int, err: c_int) {
    TAGS.with(|t| t.set([ok, err]));
}

/// Pushes a reply as a Lua value by Redis's rules (nil → `false`, status → `{ok = ..}`,
/// error → `{err = ..}`, array → table), or an error text to raise when it nests too deep.
///
/// # Safety
/// `state` is valid with three free stack slots (a tagged reply uses them; a C function
/// starts with `LUA_MINSTACK`, 20).
unsafe fn push_reply(state: *mut lua_State, reply: Reply, depth: usize) -> Outcome {
    // SAFETY: per the contract; each table level checks for its own slot and the three of
    // an item.
    unsafe {
        match reply {
            #[allow(clippy::cast_precision_loss, reason = "Lua 5.1 numbers are doubles")]
            Reply::Integer(n) => ffi::lua_pushnumber(state, n as f64),
            Reply::Bulk(b) => push_bytes(state, &b),
            Reply::Status(s) => push_tagged(state, Tag::Ok, s.as_bytes()),
            Reply::Error(s) => push_tagged(state, Tag::Err, s.as_bytes()),
            Reply::Array(items) if depth < MAX_DEPTH && ffi::lua_checkstack(state, 4) != 0 => {
                let n = c_int::try_from(items.len()).unwrap_or(c_int::MAX);
                ffi::lua_createtable(state, n, 0);
                for (i, item) in (1..=c_int::MAX).zip(items) {
                    if let Outcome::Raise = push_reply(state, item, depth + 1) {
                        return Outcome::Raise;
                    }
                    ffi::lua_rawseti_(state, -2, i);
                }
            }
            Reply::Array(_) => {
                push_bytes(state, STACK_LIMIT.as_bytes());
                return Outcome::Raise;
            }
            _ => ffi::lua_pushboolean(state, 0),
        }
    }
    Outcome::Pushed
}

/// Puts `args` at 1..=n of the table at `index`, and nil at n+1..=`old_len`.
///
/// # Safety
/// `state` is valid with a free stack slot, no memory limit set (pushing a string
/// allocates: unprotected, that fails only when the process is out of memory); the table
/// at `index` has no metamethods in the way (raw sets).
pub(crate) unsafe fn refill(state: *mut lua_State, index: c_int, args: &[&[u8]], old_len: usize) {
    // SAFETY: per the contract.
    unsafe {
        for (i, arg) in (1..=c_int::MAX).zip(args) {
            push_bytes(state, arg);
            ffi::lua_rawseti_(state, index, i);
        }
        for i in args.len()..old_len {
            ffi::lua_pushnil(state);
            ffi::lua_rawseti_(state, index, c_int::try_from(i + 1).unwrap_or(c_int::MAX));
        }
    }
}

/// `tonumber` with a fast path for what scripts pass it most: one argument, a number or a
/// short decimal integer string (`tonumber(ARGV[1])`, `tonumber(redis.call('GET', k))`).
/// Lua's own parses every string twice with `strtod` (~1k instructions); anything but
/// those cases goes to it (upvalue 1), so results and error texts are Lua's.
unsafe extern "C-unwind" fn tonumber(state: *mut lua_State) -> c_int {
    // SAFETY: Lua calls this with a valid state; index 1 exists when top is 1. The
    // original runs on this same call frame (it reads its arguments and names itself in
    // errors from there, as if called directly); nothing here needs dropping.
    unsafe {
        if ffi::lua_gettop(state) == 1 {
            match ffi::lua_type(state, 1) {
                ffi::LUA_TNUMBER => return 1,
                ffi::LUA_TSTRING => {
                    let mut len = 0;
                    let ptr = ffi::lua_tolstring(state, 1, &raw mut len);
                    let text = std::slice::from_raw_parts(ptr.cast::<u8>(), len);
                    if let Some(n) = short_integer(text) {
                        ffi::lua_pushnumber(state, n);
                        return 1;
                    }
                }
                _ => {}
            }
        }
        match ffi::lua_tocfunction(state, ffi::lua_upvalueindex(1)) {
            Some(original) => original(state),
            None => 0,
        }
    }
}

/// `text` as a number when it is `-?[0-9]{1,15}` (exact in a double, and what `strtod`
/// gives for it, `-0` included).
#[allow(
    clippy::cast_precision_loss,
    reason = "15 digits are exact in a double"
)]
fn short_integer(text: &[u8]) -> Option<f64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    let n = n as f64;
    Some(if negative { -n } else { n })
}

/// Replaces the global `tonumber` by [`tonumber`], which keeps the original for what it
/// does not handle itself.
pub(crate) fn fast_tonumber(lua: &Lua) -> mlua::Result<()> {
    let globals = lua.globals();
    let original: mlua::Function = globals.raw_get("tonumber")?;
    // SAFETY: `exec_raw` runs this protected with the original at index 1; the closure
    // it leaves on top is what it returns.
    let fast: mlua::Function = unsafe {
        lua.exec_raw(original, |state| {
            ffi::lua_pushcclosure(state, tonumber, 1);
        })?
    };
    globals.raw_set("tonumber", fast)
}

/// The `redis.call` and `redis.pcall` functions, and the raiser they share.
pub(crate) fn functions(lua: &Lua, redis: &Table) -> mlua::Result<()> {
    adopt(lua);
    lua.set_named_registry_value(
        RAISE.to_str().unwrap_or_default(),
        lua.create_function(|_, text: mlua::String| {
            Err::<(), _>(crate::script::lua::bridge::raise(&text.to_string_lossy()))
        })?,
    )?;
    // SAFETY: both follow Lua's C function protocol (see `call` and `pcall`).
    let (call, pcall) = unsafe { (lua.create_c_function(call)?, lua.create_c_function(pcall)?) };
    redis.raw_set("call", call)?;
    redis.raw_set("pcall", pcall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::host::{self, Host};

    struct Buggy;

    impl Host for Buggy {
        fn call(&mut self, _: &[&[u8]]) -> Reply {
            panic!("a buggy command");
        }
    }

    #[test]
    fn a_command_that_panics_is_an_error_reply_to_the_script_and_panics_after_the_run() {
        let seen = crate::script::lua::state::with(|st| {
            let f = st
                .lua
                .load("local r = redis.pcall('GET', 'k') return r.err")
                .into_function()
                .expect("compiles");
            host::with_host(&mut Buggy, || f.call::<String>(()))
        });
        assert_eq!(seen.map(Result::ok), Some(Some(PANICKED.to_string())));
        let resumed = panic::catch_unwind(resume_panic).expect_err("the panic goes on");
        assert_eq!(resumed.downcast_ref::<&str>(), Some(&"a buggy command"));
        // Taken once: the next run starts clean.
        resume_panic();
    }

    #[test]
    fn short_integers_parse_as_strtod_would() {
        assert_eq!(short_integer(b"0"), Some(0.0));
        assert_eq!(short_integer(b"-0").map(f64::is_sign_negative), Some(true));
        assert_eq!(
            short_integer(b"999999999999999"),
            Some(999_999_999_999_999.0)
        );
        for other in [
            &b""[..],
            b"-",
            b"1234567890123456",
            b"+1",
            b" 1",
            b"1 ",
            b"0x1",
            b"1.0",
        ] {
            assert_eq!(short_integer(other), None, "{other:?}");
        }
    }
}
