-- wsapi.ringer: runs a WSAPI application inside a ring (an isolated Lua state made by rings.new),
-- so that it has its own globals, package.loaded and module tables.
--
--   local ringer = require "wsapi.ringer"
--   local app, data = ringer.new(app_name, bootstrap, is_file)
--
-- app_name is a module name (loaded with require inside the ring) or, with is_file, a file name
-- (loaded with dofile); wsapi.common.normalize_app decides. bootstrap, if given, runs in the ring
-- first: a file when it ends in ".lua", else Lua source. The ring starts with this state's
-- package.path and working directory.
--
-- app(env) serves one request. Inside the ring the app sees an env whose values are copies of
-- env's strings, numbers and booleans; keys the app adds (STATUS...) are written back to env;
-- env.input:read and env.error:write are forwarded to the real ones. Status, headers and each body
-- chunk are copied out. data is the table the ring's remotedostring sees as its globals: while a
-- request is in flight data.status is set and another call raises "this state is already in use";
-- when the body is done the request fields are cleared, and a ring whose data.cleanup was set
-- meanwhile is closed.
--
-- Unlike WSAPI's ringer, which yields out of a coroutine in the ring for every input:read, reads
-- go straight to the server's input through remotedostring, so an application may also read the
-- body from inside coroutines of its own. The ring keeps its side in the global _WSAPI_RINGER.

local rings = require "rings"

local type, error, rawget, setmetatable, tostring, select = type, error, rawget, setmetatable, tostring, select
local os_time = os.time
local master_globals = _G

-- Runs inside the ring, once: loads the bootstrap, wsapi.common and the application.
local RING_CODE = [==[
-- wsapi.ringer, inside the ring
local app_name, bootstrap, is_file = ...

if bootstrap then
  local chunk, err
  if bootstrap:match("%w%.lua$") then
    chunk, err = loadfile(bootstrap)
  else
    chunk, err = load(bootstrap, "=bootstrap")
  end
  if not chunk then error("could not load " .. bootstrap .. ": " .. tostring(err), 0) end
  chunk()
end

local common = require "wsapi.common"
require "coxpcall"

local remotedostring = remotedostring
local type, error, select, rawget, rawset, setmetatable, tostring, pairs =
  type, error, select, rawget, rawset, setmetatable, tostring, pairs

local function checked(ok, ...)
  if not ok then error((...) or "error in the server's state", 0) end
  return ...
end

-- remotedostring that raises the master's error here
local function remote(code, ...)
  return checked(remotedostring(code, ...))
end

-- A table from key, value, key, value ... (pairs with a nil part are left out)
local function table_of(t, ...)
  for i = 1, select("#", ...), 2 do
    local k, v = select(i, ...)
    if k ~= nil and v ~= nil then rawset(t, k, v) end
  end
  return t
end

-- the string, number and boolean fields of table t in the master, as key, value, ...
local SCALARS_OF_T = [[
  local out, n = {}, 0
  if type(t) ~= "table" then return end
  for k, v in pairs(t) do
    local tk, tv = type(k), type(v)
    if (tk == "string" or tk == "number") and (tv == "string" or tv == "number" or tv == "boolean") then
      out[n + 1], out[n + 2], n = k, v, n + 2
    end
  end
  return table.unpack(out, 1, n)
]]
local ENV_SCALARS = "local t = env\n" .. SCALARS_OF_T
local HEADERS_SCALARS = "local t = env.headers\n" .. SCALARS_OF_T

local input = {}
function input:read(n)
  return remote("local n = ...; return env.input:read(n)", n)
end

local errors = {}
function errors:write(...)
  remote("local e = env.error; e:write(...)", ...)
  return self
end
function errors:flush()
  return self
end

local env_meta = {
  __index = function(env, k)
    local v
    if k == "headers" then
      -- FastCGI hosts give all their parameters as a table
      if remote("return type(env.headers) == 'table'") then
        v = table_of({}, remote(HEADERS_SCALARS))
      else
        v = remote("return env.headers")
      end
    else
      v = remote("return env[(...)]", k)
    end
    rawset(env, k, v)
    return v
  end,
  __newindex = function(env, k, v)
    rawset(env, k, v)
    remote("local k, v = ...; env[k] = v", k, v)
  end,
}

local app = common.normalize_app(app_name, is_file)
local body  -- the body iterator of the request in flight

local function next_chunk()
  local iter = body
  if not iter then return nil end
  body = nil
  local chunk = iter()
  if chunk == nil or chunk == false then return nil end
  local t = type(chunk)
  if t ~= "string" and t ~= "number" then
    error("the body iterator returned a " .. t .. " value; only strings can be sent", 0)
  end
  body = iter
  return chunk
end

local function start()
  body = nil
  local env = table_of({}, remote(ENV_SCALARS))
  env.input, env.error = input, errors
  setmetatable(env, env_meta)
  local ok, status, headers, iter = common.run_app(app, env)
  if not ok then
    local message = status
    local page
    local code = env.STATUS
    if code ~= nil and code ~= "" then
      status, page = code, message
    else
      status, page = 500, common.error_html(message)
    end
    headers = { ["Content-Type"] = "text/html" }
    iter = function()
      local p = page
      page = nil
      return p
    end
  end
  remote("status = ...", status)
  local flat, n = {}, 0
  for k, v in pairs(type(headers) == "table" and headers or {}) do
    if type(v) == "table" then
      local values = {}
      for i = 1, #v do values[i] = tostring(v[i]) end
      remote("local k = ...; headers[k] = { select(2, ...) }", k, (table.unpack or unpack)(values))
    else
      flat[n + 1], flat[n + 2], n = k, v, n + 2
    end
  end
  if n > 0 then
    remote("for i = 1, select('#', ...), 2 do local k, v = select(i, ...); headers[k] = v end",
      (table.unpack or unpack)(flat, 1, n))
  end
  body = iter
  return next_chunk()
end

_WSAPI_RINGER = { start = start, next = next_chunk }
]==]

local M = {
  _DESCRIPTION = "Runs a WSAPI application inside a ring",
}

function M.new(app_name, bootstrap, is_file)
  if type(app_name) ~= "string" then
    error("bad argument #1 to 'new' (the application's module or file name expected, got " .. type(app_name) .. ")", 2)
  end
  local data = setmetatable({ created_at = os_time() }, { __index = master_globals })
  local state = rings.new(data)
  local ok, err = state:dostring(RING_CODE, app_name, bootstrap, is_file and true or false)
  if not ok then
    state:close()
    error(err or "could not load " .. app_name .. " in a ring", 2)
  end

  local function finish()
    data.status, data.headers, data.env = nil, nil, nil
    if rawget(data, "cleanup") then state:close() end
  end

  local function app(wsapi_env)
    if rawget(data, "status") ~= nil then error("this state is already in use", 2) end
    data.status, data.headers, data.env = 500, {}, wsapi_env
    local ok, first = state:dostring("return _WSAPI_RINGER.start()")
    if not ok then
      finish()
      error(first or "error in the application's ring", 0)
    end
    local status, headers = data.status, data.headers
    if first == nil then
      finish()
      return status, headers, function() return nil end
    end
    local pending, done = first, false
    return status, headers, function()
      if done then return nil end
      if pending ~= nil then
        local chunk = pending
        pending = nil
        return chunk
      end
      local ok, chunk = state:dostring("return _WSAPI_RINGER.next()")
      if not ok then
        done = true
        finish()
        error(chunk or "error in the application's ring", 0)
      end
      if chunk == nil then
        done = true
        finish()
      end
      return chunk
    end
  end

  return app, data
end

return M
