-- orbit.routes: Sinatra-style route patterns for Orbit's dispatchers, without lpeg.
--
--   local R = require "orbit.routes"
--   app:dispatch_get(show, R'/hello/:name')      -- show(web, params): params.name
--   R'/download/*.*'  -- splats: params.splat = { "path/to/file", "ext" }
--   R'/hey/?:name?'   -- an optional "/" and an optional parameter
--   R'/:file.:ext'    -- parameters end at "/" (and at "." when a "." follows them)
--
-- route:match(path) returns the params table (values url-decoded) or nil; route:build(params)
-- makes a path (parts url-encoded) and raises when a required parameter is missing. A trailing
-- "/" in the path is optional.

local util = require "wsapi.util"

local type, setmetatable, error, tostring = type, setmetatable, error, tostring
local sub, find, byte, gsub, format = string.sub, string.find, string.byte, string.gsub, string.format

local _M = {}
local route = {}
route.__index = route

-- Tokens: { lit = "c", opt = bool } | { param = "name", opt = bool } | { splat = true }
local function parse(pattern)
  local tokens, i, n = {}, 1, #pattern
  while i <= n do
    local c = sub(pattern, i, i)
    if c == ":" then
      local s, e, name = find(pattern, "^([%w_]+)", i + 1)
      if not s then error("bad route pattern " .. pattern .. ": ':' without a name", 3) end
      local t = { param = name }
      i = e + 1
      if sub(pattern, i, i) == "?" then
        t.opt = true
        i = i + 1
      end
      tokens[#tokens + 1] = t
    elseif c == "*" then
      tokens[#tokens + 1] = { splat = true }
      i = i + 1
    else
      local t = { lit = c }
      i = i + 1
      if sub(pattern, i, i) == "?" then
        t.opt = true
        i = i + 1
      end
      tokens[#tokens + 1] = t
    end
  end
  return tokens
end

-- Does the token after k start with a literal "."?
local function dot_follows(tokens, k)
  local nt = tokens[k + 1]
  return nt and nt.lit == "."
end

-- Backtracking match of tokens[k..] against path from position pos; fills params.
local function match_from(tokens, k, path, pos, params, splats)
  local t = tokens[k]
  local n = #path
  if not t then
    return pos == n + 1 or (pos == n and sub(path, n, n) == "/")
  end
  if t.lit then
    if sub(path, pos, pos) == t.lit and match_from(tokens, k + 1, path, pos + 1, params, splats) then
      return true
    end
    return t.opt and match_from(tokens, k + 1, path, pos, params, splats) or false
  elseif t.param then
    local stop = dot_follows(tokens, k) and "^[^/%.]+" or "^[^/]+"
    local s, e = find(path, stop, pos)
    if s then
      -- longest first, then shorter, so a later literal can still match
      for last = e, s, -1 do
        params[t.param] = util.url_decode(sub(path, s, last))
        if match_from(tokens, k + 1, path, last + 1, params, splats) then return true end
      end
      params[t.param] = nil
    end
    return t.opt and match_from(tokens, k + 1, path, pos, params, splats) or false
  else
    -- a splat takes as little as it can (possibly nothing), so "/*/foo/*" splits at the first "/foo/"
    for last = pos - 1, n do
      splats[#splats + 1] = util.url_decode(sub(path, pos, last))
      if match_from(tokens, k + 1, path, last + 1, params, splats) then return true end
      splats[#splats] = nil
    end
    return false
  end
end

function route:match(path)
  if type(path) ~= "string" then return nil end
  local params, splats = {}, {}
  if not match_from(self.tokens, 1, path, 1, params, splats) then return nil end
  if #splats > 0 then params.splat = splats end
  return params
end

-- Path parts keep the characters a path segment allows as they are; a space becomes "+".
local function encode_part(s)
  s = gsub(tostring(s), "[^%w%-%._~@:!%$&'%(%)%*,;= ]", function(c) return format("%%%02X", byte(c)) end)
  return (gsub(s, " ", "+"))
end

function route:build(params)
  if type(params) ~= "table" then params = {} end
  local out, splat = {}, 0
  local tokens = self.tokens
  for k, t in ipairs(tokens) do
    if t.lit then
      local nt = tokens[k + 1]
      -- an optional literal goes out only before an optional parameter that is present
      if not t.opt or (nt and nt.param and params[nt.param] ~= nil) then out[#out + 1] = t.lit end
    elseif t.param then
      local v = params[t.param]
      if v == nil then
        if not t.opt then error("route " .. self.pattern .. " needs parameter '" .. t.param .. "'", 2) end
      else
        out[#out + 1] = encode_part(v)
      end
    else
      splat = splat + 1
      local v = params.splat and params.splat[splat]
      if v == nil then error("route " .. self.pattern .. " needs splat " .. splat, 2) end
      out[#out + 1] = (gsub(tostring(v), "[^/]+", encode_part))
    end
  end
  local path = table.concat(out)
  if path == "" and sub(self.pattern, 1, 1) == "/" then path = "/" end
  return path
end

function route:__tostring()
  return "route " .. self.pattern
end

function _M.R(pattern)
  return setmetatable({ pattern = pattern, tokens = parse(pattern) }, route)
end

setmetatable(_M, { __call = function(_, pattern) return _M.R(pattern) end })

-- Lua 5.1 code reads orbit.routes.R after require "orbit.routes"
local orbit = package.loaded.orbit or rawget(_G, "orbit")
if type(orbit) ~= "table" then
  orbit = {}
  rawset(_G, "orbit", orbit)
end
orbit.routes = _M

return _M
