-- Lua 5.1 compatibility for code written before Lua 5.2 (WSAPI 1.x, Orbit, Cosmo).
-- Run once in every state Apogee creates, before any application code.

local debug, type, error, rawget, rawset, select, pairs = debug, type, error, rawget, rawset, select, pairs
local getmetatable, setmetatable = getmetatable, setmetatable
local _G = _G

unpack = unpack or table.unpack
loadstring = loadstring or load
math.mod = math.mod or math.fmod
math.log10 = math.log10 or function(x) return math.log(x, 10) end
string.gfind = string.gfind or string.gmatch
package.loaders = package.loaders or package.searchers

function table.getn(t) return #t end
function table.setn() error("'setn' is obsolete", 2) end
function table.maxn(t)
  local n = 0
  for k in pairs(t) do
    if type(k) == "number" and k > n then n = k end
  end
  return n
end

-- The upvalue slot that holds a function's _ENV, or nil if it uses no globals.
local function env_slot(f)
  local i = 1
  while true do
    local name = debug.getupvalue(f, i)
    if name == "_ENV" then return i end
    if name == nil then return nil end
    i = i + 1
  end
end

-- A level (1 = the caller of getfenv/setfenv) or a function, as 5.1 accepts.
local function target(f, name)
  if f == nil then f = 1 end
  if type(f) == "number" then
    if f < 0 then error("bad argument #1 to '" .. name .. "' (level must be non-negative)", 3) end
    if f == 0 then return nil end
    local info = debug.getinfo(f + 2, "f")
    if not info then error("bad argument #1 to '" .. name .. "' (invalid level)", 3) end
    return info.func
  end
  if type(f) ~= "function" then
    error("bad argument #1 to '" .. name .. "' (number expected, got " .. type(f) .. ")", 3)
  end
  return f
end

function getfenv(f)
  local fn = target(f, "getfenv")
  if fn == nil then return _G end
  local slot = env_slot(fn)
  if not slot then return _G end
  local _, env = debug.getupvalue(fn, slot)
  return env
end

-- Gives the function an _ENV of its own before retargeting it, so sibling functions that
-- shared the old _ENV keep their environment (as each 5.1 function had its own).
function setfenv(f, t)
  if type(t) ~= "table" then
    error("bad argument #2 to 'setfenv' (table expected, got " .. type(t) .. ")", 2)
  end
  local fn = target(f, "setfenv")
  if fn == nil then
    error("'setfenv' cannot change the global environment of a thread", 2)
  end
  local slot = env_slot(fn)
  if slot then
    local env = t
    debug.upvaluejoin(fn, slot, function() return env end, 1)
  end
  return fn
end

local function find_table(root, name)
  local t = root
  for part in name:gmatch("[^%.]+") do
    local v = rawget(t, part)
    if v == nil then
      v = {}
      rawset(t, part, v)
    elseif type(v) ~= "table" then
      return nil
    end
    t = v
  end
  return t
end

-- module(name, ...) as in 5.1: the calling chunk's environment becomes the module table.
-- The chunk's _ENV is shared with the functions it defines, so they all see the module.
function module(name, ...)
  if type(name) ~= "string" then
    error("bad argument #1 to 'module' (string expected, got " .. type(name) .. ")", 2)
  end
  local loaded = package.loaded
  local ns = loaded[name]
  if type(ns) ~= "table" then
    ns = find_table(_G, name)
    if not ns then error("name conflict for module '" .. name .. "'", 2) end
    loaded[name] = ns
  end
  if ns._NAME == nil then
    ns._M = ns
    ns._NAME = name
    ns._PACKAGE = name:match("^(.*%.)[^%.]*$") or ""
  end
  local caller = debug.getinfo(2, "f").func
  local slot = caller and env_slot(caller)
  if slot then debug.setupvalue(caller, slot, ns) end
  for i = 1, select("#", ...) do
    local option = select(i, ...)
    option(ns)
  end
end

function package.seeall(m)
  local mt = getmetatable(m)
  if not mt then
    mt = {}
    setmetatable(m, mt)
  end
  mt.__index = _G
end
