//! Building a thread's Lua state as Redis 7 sandboxes it: the base, `string`, `table` and
//! `math` libraries plus `redis`, `cjson`, `bit`, `cmsgpack`, `struct`; no `os`, `io`,
//! `debug`, `loadfile`, `dofile`, `require`; every global and library read-only (Redis's
//! texts), so nothing a script does survives its run.
//!
//! Redis makes tables read-only inside its patched Lua VM. Stock Lua 5.1 cannot, so scripts
//! see read-only views: empty tables whose metatable reads through to the real table and
//! refuses writes. The few functions that write tables raw (`rawset`, `table.insert`,
//! `table.remove`, `table.sort`) refuse views, and `setfenv`/`getfenv` (which would reach
//! the real globals) are removed. `loadstring` compiles into the same read-only view.

use mlua::{Function, HookTriggers, Lua, LuaOptions, StdLib, Table, Value, VmState};

use super::{bit, bridge, cjson, cmsgpack, run, state, structlib};

/// The instruction hook runs every this many Lua VM instructions (the operation limit and
/// the watchdog's checks count in these steps).
pub(crate) const HOOK_EVERY: u32 = 1000;

const SANDBOX: &str = r#"
local helpers = ...
local G = _G
local error, tostring, type, rawset, setmetatable, getmetatable, setfenv, loadstring, pcall,
      xpcall = error, tostring, type, rawset, setmetatable, getmetatable, setfenv, loadstring,
      pcall, xpcall
local check, dirty, handler, caught, raised =
  helpers.check, helpers.dirty, helpers.handler, helpers.caught, helpers.raised
local READONLY = "Attempt to modify a readonly table"

local protected = setmetatable({}, { __mode = "k" })
local function deny() error(READONLY, 2) end
local function view(t)
  local v = setmetatable({}, { __index = t, __newindex = deny, __metatable = false })
  protected[v] = true
  return v
end

local args = setmetatable({}, { __mode = "k" })
local args_mt = { __newindex = function(t, k, v) dirty(); rawset(t, k, v) end, __metatable = false }
local function new_args()
  local t = setmetatable({}, args_mt)
  args[t] = true
  return t
end

G.loadfile, G.dofile, G.load, G.getfenv, G.setfenv, G.module, G.require, G.gcinfo =
  nil, nil, nil, nil, nil, nil, nil, nil
G.print = function() end

local env = setmetatable({}, { __index = G, __newindex = deny, __metatable = false })
protected[env] = true
protected[G] = true

G.rawset = function(t, k, v)
  if protected[t] then error(READONLY, 2) end
  if args[t] then dirty() end
  return rawset(t, k, v)
end
G.loadstring = function(s, name)
  local f, e = loadstring(s, name)
  if f then setfenv(f, env) end
  return f, e
end
G.pcall = function(...) return check(caught(pcall(...))) end
G.xpcall = function(f, h)
  return check(xpcall(f, function(e) return h(raised(e)) end))
end

local tbl = {}
for k, v in pairs(table) do tbl[k] = v end
for _, name in ipairs({ "insert", "remove", "sort" }) do
  local f = table[name]
  tbl[name] = function(t, ...)
    if protected[t] then error(READONLY, 2) end
    return f(t, ...)
  end
end
G.table = tbl
getmetatable("").__metatable = false

for _, name in ipairs({ "string", "table", "math", "coroutine", "redis", "cjson", "bit", "cmsgpack", "struct" }) do
  if G[name] then G[name] = view(G[name]) end
end
G._G = env
setmetatable(G, {
  __index = function(_, k)
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end,
  __newindex = deny,
  __metatable = false,
})

local function runner(f, ...)
  if select('#', ...) == 0 then return xpcall(f, handler) end
  local keys, argv = ...
  return xpcall(function() return f(keys, argv) end, handler)
end
-- What a library's code sees while FUNCTION LOAD runs it: the script globals, with
-- `redis.register_function` added.
local function load_env(register)
  local r = setmetatable({ register_function = register },
    { __index = G.redis, __newindex = deny, __metatable = false })
  protected[r] = true
  local e = setmetatable({ redis = r }, { __index = env, __newindex = deny, __metatable = false })
  protected[e] = true
  return e
end
return env, runner, new_args, load_env
"#;

/// A new sandboxed state: the state, the globals scripts see, and the runner.
pub(crate) fn build() -> mlua::Result<(Lua, Table, Function)> {
    let lua = Lua::new_with(
        StdLib::TABLE | StdLib::STRING | StdLib::MATH,
        LuaOptions::new(),
    )?;
    let g = lua.globals();
    g.raw_set("redis", bridge::redis_table(&lua)?)?;
    g.raw_set("cjson", cjson::table(&lua)?)?;
    g.raw_set("bit", bit::table(&lua)?)?;
    g.raw_set("cmsgpack", cmsgpack::table(&lua)?)?;
    g.raw_set("struct", structlib::table(&lua)?)?;
    let helpers = lua.create_table()?;
    helpers.raw_set("check", lua.create_function(run::check_stopped)?)?;
    helpers.raw_set(
        "dirty",
        lua.create_function(|_, ()| {
            state::mark_dirty();
            Ok(())
        })?,
    )?;
    helpers.raw_set("handler", lua.create_function(run::handler)?)?;
    helpers.raw_set("caught", lua.create_function(super::pcall::caught)?)?;
    helpers.raw_set("raised", lua.create_function(super::pcall::raised)?)?;
    let (env, runner, new_args, load_env): (Table, Function, Function, Function) =
        lua.load(SANDBOX).set_name("=sandbox").call(helpers)?;
    lua.set_named_registry_value(NEW_ARGS, new_args)?;
    let register = lua.create_function(super::library::register_function)?;
    let load_env: Table = load_env.call(register)?;
    lua.set_named_registry_value(LOAD_ENV, load_env)?;
    lua.set_hook(
        HookTriggers::new().every_nth_instruction(HOOK_EVERY),
        |_, _| run::on_hook().map(|()| VmState::Continue),
    );
    Ok((lua, env, runner))
}

const NEW_ARGS: &str = "redlite.new_args";
const LOAD_ENV: &str = "redlite.load_env";

/// The globals a library's code runs with (see `library`).
pub(crate) fn load_env(lua: &Lua) -> mlua::Result<Table> {
    lua.named_registry_value(LOAD_ENV)
}

/// A new table for `KEYS` or `ARGV` (it marks the state dirty when a script adds to it).
pub(crate) fn args_table(lua: &Lua) -> mlua::Result<Table> {
    let new_args: Function = lua.named_registry_value(NEW_ARGS)?;
    new_args.call(())
}

/// Sets a real global (what scripts read through their read-only view).
pub(crate) fn set_global(lua: &Lua, _env: &Table, name: &str, value: &Table) -> mlua::Result<()> {
    lua.globals().raw_set(name, Value::Table(value.clone()))
}
