-- wsapi.filters.csrf: refuses form posts that did not come from the site's own pages.
--
--   local csrf = require "wsapi.filters.csrf"
--   app = filters.stack { { filters.session, secret = ... }, filters.csrf, app }  -- inside session
--
--   -- in a page: a hidden field with the token (escaped, ready for HTML)
--   '<form method="post">' .. csrf.field(env) .. ...
--   -- for scripts: send csrf.token(env) in the X-CSRF-Token header
--
-- A random token is kept in the session (key "_csrf_token"). Requests with an unsafe method (not
-- GET, HEAD, OPTIONS or TRACE) must carry it, in the X-CSRF-Token header or the form field
-- "csrf_token" (application/x-www-form-urlencoded or multipart/form-data body), or they get a
-- 403 page and the app is not called. The body read to find the field is given back to the app:
-- env.input reads it again from the start, as the server's input does. A body sent without
-- Content-Length (chunked) that was read to its end gets CONTENT_LENGTH set to its size, so the
-- app sees the same request as with the header; a multipart body whose field came before its end
-- keeps an unknown length (wsapi.request reads it to its end).
--
--   options: field ("csrf_token"), header ("X-CSRF-Token"), max_body (bytes read to find the
--   field: 1 MiB; put the field first in multipart forms, or use the header for larger uploads),
--   skip = function(env) return true end for requests to let through (an API with its own auth).
--
-- Env: reads REQUEST_METHOD, CONTENT_TYPE, CONTENT_LENGTH, the header, env.input; adds APOGEE_CSRF
-- (an object with token() and field()); may replace env.input and set CONTENT_LENGTH. Needs
-- env.APOGEE_SESSION (the session filter).

local type, tostring, tonumber, error, setmetatable = type, tostring, tonumber, error, setmetatable
local find, sub, match, gsub, upper, char, lower = string.find, string.sub, string.match, string.gsub, string.upper, string.char, string.lower
local concat, min, huge = table.concat, math.min, math.huge

local crypto = require "wsapi.filters.crypto"
local session = require "wsapi.filters.session"
local http = require "wsapi.filters.http"

local M = {}

local KEY = "_csrf_token"
local SAFE = { GET = true, HEAD = true, OPTIONS = true, TRACE = true }

local function session_of(env)
  local s = session.of(env)
  if not s then
    error("csrf: no session; put the session filter around this one: stack { session, csrf, app }", 3)
  end
  return s
end

--- The session's token (made on first use). Takes an env or a wsapi.request object.
function M.token(x)
  local env = type(x) == "table" and type(x.env) == "table" and x.env or x
  local s = session_of(env)
  local token = s:get(KEY)
  if type(token) ~= "string" then
    token = crypto.random_token(32)
    s:set(KEY, token)
  end
  return token
end

--- A hidden form field with the token: '<input type="hidden" name="csrf_token" value="...">'.
function M.field(x, name)
  return '<input type="hidden" name="' .. http.escape_html(name or "csrf_token") .. '" value="'
    .. http.escape_html(M.token(x)) .. '">'
end

local function url_decode(s)
  s = gsub(s, "%+", " ")
  return (gsub(s, "%%(%x%x)", function(h) return char(tonumber(h, 16)) end))
end

-- env.input again: the bytes already read, then the rest of the body, with the server's input's
-- contract: read(n) gives n bytes unless the body ends first, and nil at the end (n <= 0: nil);
-- read() reads `length` bytes (CONTENT_LENGTH, 0 when unknown); read("*a") the rest. The rest is
-- read from `input` with byte counts only, the form every WSAPI input takes.
local function replay(prefix, input, length)
  local pos, ended = 1, false
  local obj = { length = length }
  function obj.read(self, n)
    if n == nil then n = length end
    local all = n == "*a" or n == "a"
    if all then n = huge end
    if type(n) ~= "number" then error("input:read: unsupported format '" .. tostring(n) .. "' (use a byte count or \"*a\")", 2) end
    if n <= 0 then return nil end
    local parts, got = {}, 0
    if pos <= #prefix then
      local take = min(n, #prefix - pos + 1)
      parts[1] = sub(prefix, pos, pos + take - 1)
      pos = pos + take
      got = take
    end
    while got < n and not ended do
      local piece = input:read(all and 65536 or n - got)
      if piece == nil or piece == "" then
        ended = true
      else
        parts[#parts + 1] = piece
        got = got + #piece
      end
    end
    if got == 0 then return all and "" or nil end
    return concat(parts)
  end
  return obj
end

local function form_field(body, name)
  for pair in (body .. "&"):gmatch("([^&]*)&") do
    local k, v = match(pair, "^([^=]*)=(.*)$")
    if k and url_decode(k) == name then return url_decode(v) end
  end
  return nil
end

-- the value of the part named `name`, once its end is in `buffer`
local function multipart_field(buffer, name)
  local at = find(buffer, 'name="' .. name .. '"', 1, true)
  if not at then return nil end
  local start = find(buffer, "\r\n\r\n", at, true)
  if not start then return nil end
  local stop = find(buffer, "\r\n--", start + 4, true)
  if not stop then return nil end
  return sub(buffer, start + 4, stop - 1)
end

-- reads as much of the body as needed to find the field; returns the value (or nil), the bytes
-- read, a problem ("too large") or nil, and whether the body was read to its end
local function find_in_body(env, o)
  local ctype = lower(env.CONTENT_TYPE or "")
  local multipart = find(ctype, "multipart/form-data", 1, true)
  local form = find(ctype, "application/x-www-form-urlencoded", 1, true)
  if not multipart and not form then return nil, "" end
  local length = tonumber(env.CONTENT_LENGTH)
  if form and length and length > o.max_body then return nil, "", "too large" end
  local parts, size = {}, 0
  while size <= o.max_body do
    local chunk = env.input:read(min(16384, o.max_body + 1 - size))
    if chunk == nil or chunk == "" then
      local buffer = concat(parts)
      if form then return form_field(buffer, o.field), buffer, nil, true end
      return nil, buffer, nil, true
    end
    parts[#parts + 1] = chunk
    size = size + #chunk
    if multipart then
      local buffer = concat(parts)
      parts = { buffer }
      local value = multipart_field(buffer, o.field)
      if value then return value, buffer end
    end
  end
  return nil, concat(parts), "too large"
end

local function refuse(why)
  return http.page(403, "Forbidden", "This request was refused: " .. why
    .. ". Reload the page that sent it and try again.")
end

local function new(app, options)
  options = options or {}
  app = require("wsapi.filters").app_function(app, "csrf: the app")
  local header = options.header or "X-CSRF-Token"
  local o = {
    field = options.field or "csrf_token",
    header_key = "HTTP_" .. gsub(upper(header), "-", "_"),
    max_body = options.max_body or 1024 * 1024,
    skip = options.skip,
  }
  return function(env)
    env.APOGEE_CSRF = {
      token = function() return M.token(env) end,
      field = function() return M.field(env, o.field) end,
    }
    if SAFE[env.REQUEST_METHOD] or (o.skip and o.skip(env)) then return app(env) end
    local expected = session_of(env):get(KEY)
    local given = env[o.header_key]
    if given == nil or given == "" then
      local value, read, problem, ended = find_in_body(env, o)
      local length = tonumber(env.CONTENT_LENGTH)
      if ended and not length then
        -- a body sent without Content-Length (chunked), read to its end: the app sees it as if
        -- it had come with the header
        length = #read
        env.CONTENT_LENGTH = tostring(length)
      end
      if #read > 0 then env.input = replay(read, env.input, length or 0) end
      if problem == "too large" then
        return refuse("the form is too large to look for its CSRF token; send the token in the " .. header .. " header")
      end
      given = value
    end
    if type(expected) ~= "string" then return refuse("the session has no CSRF token (it expired, or the form is not from this site)") end
    if not given or given == "" then return refuse("the CSRF token is missing") end
    if not crypto.equals(given, expected) then return refuse("the CSRF token does not match") end
    return app(env)
  end
end

setmetatable(M, { __call = function(_, app, options) return new(app, options) end })

return M
