-- wsapi: the table WSAPI code shares. Its app_path is the folder of the app being served
-- (Apogee sets it before the app file runs; Orbit reads it in orbit.new).
--
-- It is also the global `wsapi`, as with WSAPI 1.6 and its module() calls, so code written as
--   require "wsapi.request"
--   local req = wsapi.request.new(env)
-- works, and wsapi.common, wsapi.request, wsapi.response, wsapi.util and wsapi.mock are loaded
-- on first use through it (old launchers call wsapi.common.* without requiring it).

local rawget, rawset, require, setmetatable, getmetatable, type = rawget, rawset, require, setmetatable, getmetatable, type

-- An isolated state's bootstrap may have made the global first (wsapi = { app_path = ... }):
-- keep it, so wsapi.app_path and require("wsapi").app_path are one value.
local _M = rawget(_G, "wsapi")
if type(_M) ~= "table" then _M = {} end

_M._COPYRIGHT = "Copyright (C) 2007-2018 Kepler Project; Apogee's implementation"
_M._DESCRIPTION = "WSAPI - the Lua Web Server API"
_M._VERSION = "WSAPI 1.7"

local submodules = { common = true, request = true, response = true, util = true, mock = true, ringer = true }

if getmetatable(_M) == nil then
  setmetatable(_M, {
    __index = function(t, name)
      if submodules[name] then
        local m = require("wsapi." .. name)
        rawset(t, name, m)
        return m
      end
    end,
  })
end

rawset(_G, "wsapi", _M)
return _M
