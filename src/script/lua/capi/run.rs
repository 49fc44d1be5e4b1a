//! A script run on Lua's C API: `KEYS`/`ARGV` refilled by index, the script called with one
//! `lua_pcall` (the message handler as its error function, as `xpcall` does), its result
//! read off the stack into a reply.
//!
//! Through mlua, a run took two protected calls (mlua's own, which allocates two C closures
//! per call, and the runner's `xpcall`) plus converting the result through mlua's values:
//! ~2k instructions and garbage for the collector, per run. Here no function is created
//! and nothing is allocated but what the script itself allocates.
//!
//! What runs unprotected (the refill, reading the result) can only raise on an allocation
//! failure with no memory limit set, that is when the process itself runs out of memory
//! (see the `capi` module docs). Everything the script runs is inside the `lua_pcall`.

use std::ffi::c_int;

use mlua::ffi::{self, lua_State};
use mlua::{Function, Lua, RegistryKey, Value};

use super::call;
use crate::commands::budget::Meter;
use crate::reply::Reply;

/// Where a result the raw reader cannot convert (an mlua error value) is put for mlua.
const RESULT: &str = "redlite.result";

/// The main state's stack, and the registry slots a run reads.
pub(crate) struct Direct {
    state: *mut lua_State,
    handler: RegistryKey,
    ok: RegistryKey,
    err: RegistryKey,
}

/// A run's `KEYS` or `ARGV`: its table's registry slot, the new contents, and how many
/// entries the table holds now.
pub(crate) struct Fill<'a> {
    pub(crate) table: c_int,
    pub(crate) args: &'a [&'a [u8]],
    pub(crate) old_len: usize,
}

/// A run whose result (or failure message) is on top of the stack.
#[must_use = "the result stays on the stack until taken"]
#[derive(Clone, Copy)]
pub(crate) struct Pending {
    top: c_int,
    status: c_int,
}

/// The status of a run that found no room on the stack to start.
const NO_ROOM: c_int = -1;

impl Direct {
    /// Finds the main state of `lua`; `handler` is the run's message handler.
    pub(crate) fn new(lua: &Lua, handler: &Function) -> mlua::Result<Direct> {
        let mut state: *mut lua_State = std::ptr::null_mut();
        // SAFETY: the closure only records the state it runs on, which for a call from
        // outside any Lua code is the main state (it lives as long as `lua`).
        unsafe {
            lua.exec_raw::<()>((), |s| state = s)?;
        }
        let direct = Direct {
            state,
            handler: lua.create_registry_value(handler)?,
            ok: lua.create_registry_value(lua.create_string("ok")?)?,
            err: lua.create_registry_value(lua.create_string("err")?)?,
        };
        call::anchor_tags(direct.ok.id(), direct.err.id());
        Ok(direct)
    }

    /// Refills the tables; false (and the tables marked for rebuilding) if the stack has
    /// no room.
    ///
    /// Called from outside any Lua code on this state (never from an mlua callback).
    pub(crate) fn refill(&self, fills: [Fill<'_>; 2]) -> bool {
        let s = self.state;
        // SAFETY: `s` is the main state, idle (no Lua code runs on it now), with its stack
        // as mlua leaves it between calls, and its top restored after each table.
        unsafe {
            if ffi::lua_checkstack(s, 2) == 0 {
                crate::script::lua::state::mark_dirty();
                return false;
            }
            let top = ffi::lua_gettop(s);
            for fill in fills {
                ffi::lua_rawgeti_(s, ffi::LUA_REGISTRYINDEX, fill.table);
                call::refill(s, top + 1, fill.args, fill.old_len);
                ffi::lua_settop(s, top);
            }
        }
        true
    }

    /// Sets the memory limit to `room` and calls the function in registry slot `f` with
    /// no arguments (its globals are `KEYS`/`ARGV`).
    ///
    /// Called from outside any Lua code on this state (never from an mlua callback).
    pub(crate) fn call(&self, lua: &Lua, f: c_int, room: usize) -> Pending {
        let s = self.state;
        // SAFETY: as for `refill`; everything pushed here is popped by `take`.
        unsafe {
            let top = ffi::lua_gettop(s);
            if ffi::lua_checkstack(s, 4) == 0 {
                return Pending {
                    top,
                    status: NO_ROOM,
                };
            }
            let _ = lua.set_memory_limit(room);
            ffi::lua_rawgeti_(s, ffi::LUA_REGISTRYINDEX, self.handler.id());
            ffi::lua_rawgeti_(s, ffi::LUA_REGISTRYINDEX, f);
            let status = ffi::lua_pcall(s, 0, 1, top + 1);
            Pending { top, status }
        }
    }

    /// The reply of a run that returned, or the failure text of one that raised (to be
    /// located). Pops what the run left.
    pub(crate) fn take(&self, lua: &Lua, run: Pending, meter: &mut Meter) -> Result<Reply, String> {
        let s = self.state;
        let out = if run.status == 0 {
            // SAFETY: the result is at the top of the idle main stack.
            match unsafe { self.convert(s, ffi::lua_gettop(s), meter, 0) } {
                Ok(reply) | Err(Stop::Reply(reply)) => Ok(reply),
                Err(Stop::Userdata) => Ok(self.through_mlua(lua, meter)),
            }
        } else if run.status == NO_ROOM {
            // SAFETY: `call` pushed nothing.
            Err(STACK_LIMIT.into())
        } else {
            // SAFETY: the message is at the top of the idle main stack.
            Err(match unsafe { string_at(s, -1) } {
                Some(b"not enough memory") => crate::script::lua::run::OUT_OF_MEMORY.into(),
                Some(text) => String::from_utf8_lossy(text).into_owned(),
                None => "ERR unknown error".into(),
            })
        };
        // SAFETY: back to the stack `call` found.
        unsafe { ffi::lua_settop(s, run.top) };
        out
    }

    /// Converts the result at the top through mlua (values only mlua knows, such as the
    /// error a caught `redis.call` raised).
    fn through_mlua(&self, lua: &Lua, meter: &mut Meter) -> Reply {
        // SAFETY: the result is at the top of the idle main stack; the registry's field is
        // set raw (no metamethods).
        unsafe {
            ffi::lua_pushvalue(self.state, -1);
            ffi::lua_setfield(
                self.state,
                ffi::LUA_REGISTRYINDEX,
                c"redlite.result".as_ptr(),
            );
        }
        let value = lua
            .named_registry_value::<Value>(RESULT)
            .unwrap_or(Value::Nil);
        let _ = lua.set_named_registry_value(RESULT, Value::Nil);
        crate::script::lua::run::to_reply(value, meter, 0).unwrap_or_else(|e| e)
    }

    /// The value at `idx` as a reply, by the rules of `run::to_reply`.
    ///
    /// # Safety
    /// `s` is the idle main state and `idx` an absolute index of it.
    unsafe fn convert(
        &self,
        s: *mut lua_State,
        idx: c_int,
        meter: &mut Meter,
        depth: usize,
    ) -> Result<Reply, Stop> {
        // SAFETY: per the contract; raw gets allocate nothing and raise nothing, and each
        // table level checks for the one slot it uses.
        unsafe {
            Ok(match ffi::lua_type(s, idx) {
                ffi::LUA_TBOOLEAN if ffi::lua_toboolean(s, idx) != 0 => Reply::Integer(1),
                ffi::LUA_TNUMBER => Reply::Integer(crate::script::lua::args::to_integer(
                    ffi::lua_tonumber(s, idx),
                )),
                ffi::LUA_TSTRING => meter.bulk(string_at(s, idx).unwrap_or_default())?,
                ffi::LUA_TTABLE => return self.table(s, idx, meter, depth),
                ffi::LUA_TUSERDATA => return Err(Stop::Userdata),
                _ => Reply::Nil,
            })
        }
    }

    /// A table: `{err = ..}`, `{ok = ..}`, or an array up to its first nil.
    ///
    /// # Safety
    /// As for `convert`, with a table at `idx`.
    unsafe fn table(
        &self,
        s: *mut lua_State,
        idx: c_int,
        meter: &mut Meter,
        depth: usize,
    ) -> Result<Reply, Stop> {
        // SAFETY: per the contract; every value pushed is popped before returning.
        unsafe {
            if ffi::lua_checkstack(s, 2) == 0 {
                return Err(Stop::Reply(Reply::error(STACK_LIMIT)));
            }
            if let Some(text) = Self::field(s, idx, self.err.id()) {
                return Ok(Reply::error(crate::script::lua::bridge::err_text(&text)));
            }
            if let Some(text) = Self::field(s, idx, self.ok.id()) {
                return Ok(Reply::status(text));
            }
            if depth >= crate::script::lua::run::MAX_NESTING {
                return Err(Stop::Reply(Reply::error(STACK_LIMIT)));
            }
            let mut out = Vec::new();
            for i in 1..=c_int::MAX {
                ffi::lua_rawgeti_(s, idx, i);
                let item = ffi::lua_gettop(s);
                if ffi::lua_type(s, item) == ffi::LUA_TNIL {
                    ffi::lua_settop(s, item - 1);
                    break;
                }
                let converted = match meter.reserve(1) {
                    Ok(()) => self.convert(s, item, meter, depth + 1),
                    Err(reply) => Err(Stop::Reply(reply)),
                };
                ffi::lua_settop(s, item - 1);
                out.push(converted?);
            }
            Ok(Reply::Array(out))
        }
    }

    /// The string field (key in registry slot `key`) of the table at `idx`, as text.
    ///
    /// # Safety
    /// As for `convert`, with a table at `idx` and a free stack slot.
    unsafe fn field(s: *mut lua_State, idx: c_int, key: c_int) -> Option<String> {
        // SAFETY: per the contract; the key and then the value replace each other on top.
        unsafe {
            ffi::lua_rawgeti_(s, ffi::LUA_REGISTRYINDEX, key);
            ffi::lua_rawget(s, idx);
            let text = string_at(s, -1).map(|b| String::from_utf8_lossy(b).into_owned());
            ffi::lua_settop(s, -2);
            text
        }
    }
}

const STACK_LIMIT: &str = "ERR reached lua stack limit";

/// Why a conversion stopped.
enum Stop {
    /// With this reply (a limit passed).
    Reply(Reply),
    /// At a value only mlua can convert.
    Userdata,
}

impl From<Reply> for Stop {
    fn from(reply: Reply) -> Stop {
        Stop::Reply(reply)
    }
}

/// The bytes of the string at `idx`, if it is a string (never converting a number).
///
/// # Safety
/// `s` is valid and `idx` a valid index; the bytes live while the string is on the stack.
unsafe fn string_at<'a>(s: *mut lua_State, idx: c_int) -> Option<&'a [u8]> {
    // SAFETY: per the contract; `lua_tolstring` of a string neither allocates nor raises.
    unsafe {
        if ffi::lua_type(s, idx) != ffi::LUA_TSTRING {
            return None;
        }
        let mut len = 0;
        let ptr = ffi::lua_tolstring(s, idx, &raw mut len);
        Some(std::slice::from_raw_parts(ptr.cast::<u8>(), len))
    }
}
