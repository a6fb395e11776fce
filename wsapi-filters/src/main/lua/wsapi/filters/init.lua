-- wsapi.filters: the built-in filters, each loaded on first use, and stack, which puts filters
-- around an app.
--
-- A filter is a function filter(app, options) -> app: it takes the next app and returns a new
-- app that does something before and after calling it. A stack is declared in an app file, which
-- returns the composed app, so it runs the same under every server adapter:
--
--   local filters = require "wsapi.filters"
--   local app = require "myapp"
--
--   return filters.stack {
--     filters.logging,                                     -- a filter with its defaults
--     { filters.session, secret = os.getenv "SECRET" },    -- a filter and its options
--     { "static", root = "public" },                       -- a built-in filter by name
--     app,                                                 -- the app, always last
--   }
--
-- The first entry is the outermost filter: it sees the request first and the response last.
-- Built in: session, csrf, logging, static, reload, lint, isolation (wsapi.filters.<name>).

local type, error, require, rawset, pairs, select = type, error, require, rawset, pairs, select
local getmetatable, setmetatable, tostring = getmetatable, setmetatable, tostring

local M = {}

local BUILT_IN = {
  session = true, csrf = true, logging = true, static = true, reload = true, lint = true, isolation = true,
}

setmetatable(M, {
  __index = function(t, name)
    if BUILT_IN[name] then
      local filter = require("wsapi.filters." .. name)
      rawset(t, name, filter)
      return filter
    end
  end,
})

local function callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__call ~= nil
end

--- The app as a function: apps may be functions or tables with a run function (as WSAPI allows).
function M.app_function(app, what)
  if type(app) == "function" then return app end
  if type(app) == "table" then
    if type(app.run) == "function" then return app.run end
    if callable(app) then return function(env) return app(env) end end
  end
  error((what or "the app") .. " is a " .. type(app) .. ", not a WSAPI app (a function, or a table with a run function)", 3)
end

local function resolve(filter, position)
  if type(filter) == "string" then
    if BUILT_IN[filter] then return M[filter] end
    if filter:find(".", 1, true) then return require(filter) end
    error("stack: entry " .. position .. " names an unknown filter '" .. filter .. "' (built in: session, csrf, "
      .. "logging, static, reload, lint, isolation; or give a module name such as 'myfilters.auth')", 4)
  end
  if callable(filter) then return filter end
  error("stack: entry " .. position .. " is a " .. type(filter) .. "; expected a filter function, a filter name, "
    .. "or a table { filter, option = value, ... }", 4)
end

local function entry(e, position)
  if type(e) == "table" and e[1] ~= nil and not callable(e) then
    local options = {}
    if type(e[2]) == "table" and e[3] == nil then
      for k, v in pairs(e[2]) do options[k] = v end
    elseif e[2] ~= nil then
      error("stack: entry " .. position .. " has a " .. type(e[2]) .. " at index 2; write options as "
        .. "{ filter, name = value } or { filter, { name = value } }", 3)
    end
    for k, v in pairs(e) do
      if k ~= 1 and k ~= 2 then options[k] = v end
    end
    return resolve(e[1], position), options
  end
  return resolve(e, position), {}
end

--- Composes list = { filter1, filter2, ..., app } into filter1(filter2(... app)).
-- Each entry but the last is a filter function (or callable), a built-in filter's name, or a table
-- { filter, option = value, ... } (also { filter, options }). The last is the app. Returns the
-- composed app, a function.
function M.stack(list)
  if type(list) ~= "table" then
    error("stack: expected a list { filter, ..., app } (got " .. type(list) .. ")", 2)
  end
  local n = #list
  if n == 0 then error("stack: the list is empty; its last entry must be the app", 2) end
  local app = M.app_function(list[n], "stack: the last entry (the app)")
  for i = n - 1, 1, -1 do
    local filter, options = entry(list[i], i)
    local wrapped = filter(app, options)
    if wrapped == nil then
      error("stack: the filter at entry " .. i .. " returned nothing; a filter must return the app it makes", 2)
    end
    app = M.app_function(wrapped, "stack: what the filter at entry " .. i .. " returned")
  end
  return app
end

return M
