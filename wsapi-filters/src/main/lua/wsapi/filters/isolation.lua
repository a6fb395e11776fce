-- wsapi.filters.isolation: runs an app in a Lua state of its own (a Rings child state), so that its
-- globals, its loaded modules and its crashes stay there.
--
--   local isolation = require "wsapi.filters.isolation"
--   local shop = isolation("shop.lua")                 -- an app file, relative to this file's folder
--   local blog = isolation("blog.main", { renew_on_error = true })  -- or a module name
--
--   -- two apps that both set the global `config` served side by side from one app file:
--   return function(env)
--     if env.PATH_INFO:find("^/blog") then return blog(env) end
--     return shop(env)
--   end
--
-- Like reload, it takes the app's name, not the app: a function cannot move to another state.
-- Each Lua state of the enclosing app gets one child state per isolated app, made on the first
-- request (rings.new) and kept. The child loads the app with the enclosing state's package.path.
-- Per request the child sees an env whose variables are read from the real env when first used
-- (strings, numbers and booleans cross; writes stay in the child), whose input and error reach the
-- real env.input and env.error, and its answer comes back header by header and chunk by chunk,
-- so streaming is kept. An error in the app is raised with its message and traceback (a 500);
-- with renew_on_error the child is then closed and the next request gets a fresh one.
--
--   options: bootstrap (Lua code the child runs before loading the app), renew_on_error (false),
--   rings (the module to make child states with; default require "rings").
--
-- Env: read through; response: the child app's. Built on `rings` (rings.new, state:dostring,
-- remotedostring); see the Rings manual.

local type, tostring, error, require, format, pairs, setmetatable =
  type, tostring, error, require, string.format, pairs, setmetatable

local http = require "wsapi.filters.http"

local M = {}

-- Runs in the child state once: loads the app and defines the functions the parent calls.
-- ... = the app's name, whether it is a file, package.path, bootstrap code
local CHILD_INIT = [==[
local target, is_file, path, bootstrap = ...
package.path = path
if bootstrap and bootstrap ~= "" then
  local chunk, err = load(bootstrap, "=isolation bootstrap")
  if not chunk then error(err, 0) end
  chunk()
end
local app
if is_file then
  local chunk, err = loadfile(target)
  if not chunk then error(err, 0) end
  local modname = target:match("([^/]+)%.[^./]+$") or target
  package.loaded[modname] = true
  local result = chunk(modname)
  if result then package.loaded[modname] = result end
  app = result
  if type(app) ~= "function" and type(app) ~= "table" then app = package.loaded[modname] end
  if type(app) ~= "function" and type(app) ~= "table" then app = _G.run end
else
  app = require(target)
end
if type(app) == "table" then app = app.run end
if type(app) ~= "function" then
  error(target .. " is not a WSAPI application: it must return a function or a table with a 'run' function", 0)
end

local remote = remotedostring
local current

local function from_parent(ok, ...)
  if not ok then error(..., 0) end
  return ...
end

-- the parent's env.input: read(n), and its length (the declared one, as the server's input has)
local input = setmetatable({}, {
  __index = function(_, k)
    if k == "length" then return from_parent(remote("local n = env.input.length return type(n) == 'number' and n or nil")) end
  end,
})
function input.read(self, n)
  return from_parent(remote("return env.input:read(...)", n))
end
local err_out = {}
function err_out.write(self, ...)
  local parts = { ... }
  for i = 1, #parts do parts[i] = tostring(parts[i]) end
  from_parent(remote("env.error:write(...)", table.concat(parts)))
  return self
end
function err_out.flush(self) return self end

local env_meta = {
  __index = function(t, k)
    if k == "input" then return input end
    if k == "error" then return err_out end
    local v = from_parent(remote("local v = env[...] local t = type(v) if t == 'string' or t == 'number' or t == 'boolean' then return v end return nil", k))
    if v == nil then v = "" end
    rawset(t, k, v)
    return v
  end,
}

local function traceback(e)
  if type(e) ~= "string" then e = tostring(e) end
  return debug.traceback(e, 2)
end

function __isolation_start()
  current = nil
  local env = setmetatable({}, env_meta)
  local ok, status, headers, body = xpcall(function() return app(env) end, traceback)
  if not ok then error(status, 0) end
  local lines = {}
  if type(headers) == "table" then
    for name, value in pairs(headers) do
      if type(value) == "table" then
        for i = 1, #value do lines[#lines + 1] = { name, tostring(value[i]), true } end
      else
        lines[#lines + 1] = { name, value, false }
      end
    end
  end
  current = { body = body, lines = lines }
  if type(status) ~= "number" then status = tostring(status) end
  return status, #lines, body ~= nil
end

function __isolation_header(i)
  local line = current.lines[i]
  return line[1], line[2], line[3]
end

function __isolation_next()
  local ok, chunk = xpcall(current.body, traceback)
  if not ok then
    current = nil
    error(chunk, 0)
  end
  if chunk == nil or chunk == false then current = nil return nil end
  if type(chunk) ~= "string" and type(chunk) ~= "number" then
    error("the body iterator returned a " .. type(chunk) .. "; chunks must be strings", 0)
  end
  return chunk
end
]==]

local function new(target, options)
  options = options or {}
  if type(target) ~= "string" then
    error("isolation: give the app's file or module name (got " .. type(target) .. "); a loaded app cannot move to another state", 3)
  end
  local rings = options.rings
  if rings == nil then
    local ok, mod = pcall(require, "rings")
    if not ok then
      error("isolation: the rings module is not available (" .. tostring(mod) .. "); isolation runs apps in Rings states", 3)
    end
    rings = mod
  end
  local is_file = target:find("%.lua$") or target:find("%.ws$") or target:find("/", 1, true)
  if is_file then
    -- the child resolves names against its own working directory: give it the full path
    target = require("wsapi.filters.files").resolve(target)
  end
  local renew = options.renew_on_error == true
  local bootstrap = options.bootstrap or ""
  -- globals the child's remotedostring code sees: env is the request being served
  local shared = setmetatable({}, { __index = _G })
  local child

  local function close()
    if child then
      pcall(child.close, child)
      child = nil
    end
  end

  local function checked(ok, ...)
    if not ok then
      local message = ...
      if renew then close() end
      error("isolation: " .. target .. ": " .. tostring(message), 0)
    end
    return ...
  end

  local function call(code, ...)
    return checked(child:dostring(code, ...))
  end

  local function start()
    child = rings.new(shared)
    local ok, message = child:dostring(CHILD_INIT, target, is_file and true or false, package.path, bootstrap)
    if not ok then
      close()
      error("isolation: cannot load " .. target .. ": " .. tostring(message), 0)
    end
  end

  return function(env)
    if not child then start() end
    shared.env = env
    local status, count, has_body = call("return __isolation_start()")
    local headers = {}
    for i = 1, count do
      local name, value, repeated = call("return __isolation_header(...)", i)
      if repeated then http.add(headers, name, value) else headers[name] = value end
    end
    if not has_body then return status, headers, nil end
    local state = child
    return status, headers, function()
      if child ~= state then return nil end -- the child was renewed: this body is over
      shared.env = env
      return call("return __isolation_next()")
    end
  end
end

setmetatable(M, { __call = function(_, target, options) return new(target, options) end })

return M
