-- wsapi.filters.reload: reloads an app when one of its files changes (development use).
--
--   local reload = require "wsapi.filters.reload"
--   return reload("app.lua")                   -- an app file, relative to this file's folder
--   return reload("shop.main", { period = 1 }) -- or a module name, found through package.path
--
--   -- in a stack, as the app (the last entry):
--   return filters.stack { filters.logging, reload("app.lua") }
--
-- Unlike other filters it takes the app's name, not the app: a function cannot be loaded again.
-- The app is loaded on the first request. Before each request (at most every `period` seconds,
-- default 0.5) the files loaded while loading it (the app file and every file it pulled in with
-- require, dofile or loadfile) are checked; when one changed, the modules it required are
-- forgotten and it is loaded anew. A load that fails raises its error (a 500, with the message
-- under --debug) and is retried on the next request.
--
-- Each Lua state of the app reloads on its own. `apogee serve --reload` reloads whole apps
-- without this filter; use the filter where that option is not available (a WAR) or to reload
-- only the app inside a stack.
--
-- Env: unchanged. Response: the app's.

local type, error, pairs, tostring, require, loadfile = type, error, pairs, tostring, require, loadfile
local match, find = string.match, string.find

local files = require "wsapi.filters.files"
local logfile = require "wsapi.filters.logfile"

local M = {}

local function entry_point(result, modname)
  local candidates = { result, package.loaded[modname] }
  for i = 1, 2 do
    local c = candidates[i]
    if type(c) == "function" then return c end
    if type(c) == "table" and type(c.run) == "function" then return c.run end
  end
  if type(_G.run) == "function" then return _G.run end
  return nil
end

local function load_app(target)
  if find(target, "%.lua$") or find(target, "%.ws$") or find(target, "/", 1, true) then
    local chunk, err = loadfile(target)
    if not chunk then error("reload: cannot load " .. target .. ": " .. tostring(err), 0) end
    local modname = match(target, "([^/]+)%.[^./]+$") or target
    package.loaded[modname] = true
    local result = chunk(modname)
    if result then package.loaded[modname] = result end
    local app = entry_point(result, modname)
    if not app then
      error("reload: " .. target .. " is not a WSAPI application: it must return a function or a table with a "
        .. "'run' function", 0)
    end
    return app
  end
  package.loaded[target] = nil
  return require("wsapi.filters").app_function(require(target), "reload: module '" .. target .. "'")
end

local function new(target, options)
  options = options or {}
  if type(target) ~= "string" then
    error("reload: give the app's file or module name (got " .. type(target) .. "); a loaded app cannot be reloaded", 3)
  end
  local period = (options.period or 0.5) * 1000000
  local app, watched, modules
  local last_check = nil

  local function changed()
    if not watched then return true end
    for path, mtime in pairs(watched) do
      if files.mtime(path) ~= mtime then return true end
    end
    return false
  end

  local function reload()
    if modules then
      for name in pairs(modules) do package.loaded[name] = nil end
    end
    local before_files = files.loaded()
    local before_modules = {}
    for name in pairs(package.loaded) do before_modules[name] = true end
    app = nil
    local ok, result = pcall(load_app, target)
    modules = {}
    for name in pairs(package.loaded) do
      if not before_modules[name] then modules[name] = true end
    end
    if not ok then
      watched = nil -- retried on the next request
      error(result, 0)
    end
    -- the app's files: those this load read for the first time, and those it read last time
    -- (required again now, so already known to the state)
    local now_files = files.loaded()
    local previous = watched or {}
    watched = {}
    for path, mtime in pairs(now_files) do
      if before_files[path] == nil or previous[path] ~= nil or before_files[path] ~= mtime then watched[path] = mtime end
    end
    app = result
  end

  return function(env)
    local now = logfile.clock()
    if app == nil or last_check == nil or now - last_check >= period then
      last_check = now
      if app == nil or changed() then reload() end
    end
    return app(env)
  end
end

setmetatable(M, { __call = function(_, target, options) return new(target, options) end })

return M
