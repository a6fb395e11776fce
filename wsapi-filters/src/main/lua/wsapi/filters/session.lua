-- wsapi.filters.session: a session per browser, kept in a store, its id in a signed cookie.
--
--   local session = require "wsapi.filters.session"
--   app = session(app, {
--     secret = "at least 32 random characters",  -- or a list: the first signs, all verify
--                                                -- default: os.getenv "APOGEE_SESSION_SECRET"
--     store = session.memory(),                  -- or session.redis{ url = "redis://host:6379/0" }
--     cookie = "apogee_session", path = "/", domain = nil,
--     same_site = "Lax", http_only = true,
--     secure = nil,             -- nil: Secure when the request came over HTTPS; true/false to force
--     max_age = nil,            -- cookie lifetime in seconds; nil: until the browser closes
--     idle_timeout = 1800,      -- seconds a session may go unused
--     absolute_timeout = 86400, -- seconds a session may live at most
--   })
--
-- Env: reads HTTP_COOKIE and HTTPS; adds APOGEE_SESSION and session (the same session object).
-- Response: adds a Set-Cookie line when a session starts, changes id or ends (the headers table is
-- copied first, never changed in place).
--
-- The session object, for the app:
--   s:get(key)         a value, or nil
--   s:set(key, value)  stores a string, number, boolean or table of them (nil removes the key)
--   s:data()           the whole table; changes to it (nested ones too) are saved
--   s:regenerate()     a new id for the same data: call it when a user logs in (stops fixation)
--   s:destroy()        forgets the data and ends the session (log out)
--   s:id()             the id, or nil while there is no session
--   session.of(env_or_request) finds the session from an env or a wsapi.request object (req.env).
--
-- Nothing is read from the store until the app touches the session, and nothing is stored (no
-- cookie sent) for a session that stays empty. A cookie whose signature does not verify (forged,
-- tampered, signed with another secret) is ignored: the request simply has a new, empty session.
-- Changes are saved after the app returned its first chunk, and again when the body ends.

local type, tostring, setmetatable, error, next, ipairs, select = type, tostring, setmetatable, error, next, ipairs, select
local format, find, match = string.format, string.find, string.match

local http = require "wsapi.filters.http"
local stores = require "wsapi.filters.session_store"
local crypto = require "wsapi.filters.crypto"
local config = require "apogee.config"

local M = {}

--- A store in this process's memory, shared by the app's Lua states (the default).
-- options: name (stores with the same name are one store; default "default"), max_sessions (10000).
function M.memory(options)
  return stores.memory(options)
end

--- A store in Redis, shared by every node that uses the same Redis.
-- options: url ("redis://[user:password@]host[:port][/db]"), prefix ("apogee:session:"),
-- connect_timeout (0.5 s), timeout (1 s per command), pool (16 connections).
function M.redis(options)
  return stores.redis(options)
end

--- The session of an env, or of a wsapi.request object (through its env); nil without the filter.
function M.of(x)
  if type(x) ~= "table" then return nil end
  local env = x
  if type(x.env) == "table" then env = x.env end
  local s = env.APOGEE_SESSION
  if type(s) == "table" then return s end
  return nil
end

local ID_BYTES = 24
local ID_PATTERN = "^[%w_%-]+$"
local SAME_SITE = { Lax = "Lax", Strict = "Strict", None = "None", lax = "Lax", strict = "Strict", none = "None" }

---------------------------------------------------------------------------------------------
-- The session object

local Session = {}
local methods = {}
local STATE = {} -- private key: the session object's own fields live in s[STATE]
Session.__index = function(_, key)
  local m = methods[key]
  if m then return m end
  error("session: no method '" .. tostring(key) .. "'; read data with s:get(key), write with s:set(key, value)", 2)
end
Session.__newindex = function(_, key)
  error("session: cannot set '" .. tostring(key) .. "' on the session object; use s:set(key, value)", 2)
end

local function load(st)
  if st.loaded then return end
  st.loaded = true
  local o = st.o
  local id = o.signer:from_cookie(st.env.HTTP_COOKIE, o.cookie)
  if id and #id == o.id_length and find(id, ID_PATTERN) then
    local data, created, snapshot = o.store:load(id, o.idle, o.absolute)
    if data then
      st.id, st.data, st.created, st.snapshot = id, data, created, snapshot
      return
    end
  end
  st.data = {}
end

function methods.get(s, key)
  local st = s[STATE]
  load(st)
  return st.data[key]
end

function methods.set(s, key, value)
  local st = s[STATE]
  load(st)
  st.data[key] = value
end

function methods.data(s)
  local st = s[STATE]
  load(st)
  return st.data
end

function methods.id(s)
  local st = s[STATE]
  load(st)
  return st.id
end

function methods.regenerate(s)
  local st = s[STATE]
  load(st)
  local o = st.o
  if st.id then o.store:delete(st.id) end
  st.id = crypto.random_token(ID_BYTES)
  st.created = o.store:now()
  st.snapshot = nil
  st.send_cookie = true
end

function methods.destroy(s)
  local st = s[STATE]
  load(st)
  if st.id then st.o.store:delete(st.id) end
  st.id, st.snapshot, st.send_cookie = nil, nil, false
  st.data = {}
  st.destroyed = true
end

local function cookie_line(o, env, value, expire)
  local parts = { o.cookie .. "=" .. value, "Path=" .. o.path }
  if o.domain then parts[#parts + 1] = "Domain=" .. o.domain end
  if expire then
    parts[#parts + 1] = "Max-Age=0"
    parts[#parts + 1] = "Expires=Thu, 01 Jan 1970 00:00:00 GMT"
  elseif o.max_age then
    parts[#parts + 1] = "Max-Age=" .. o.max_age
  end
  local secure = o.secure
  if secure == nil then secure = env.HTTPS == "on" end
  if secure then parts[#parts + 1] = "Secure" end
  if o.http_only then parts[#parts + 1] = "HttpOnly" end
  if o.same_site then parts[#parts + 1] = "SameSite=" .. o.same_site end
  return table.concat(parts, "; ")
end

-- Saves what changed. Before the headers went out (late == false) it may start a session and
-- returns the headers with the cookie; afterwards it can only save sessions the browser knows.
local function commit(st, headers, late)
  local o = st.o
  local env = st.env
  if st.id == nil then
    if next(st.data) == nil then
      if st.destroyed and not late then
        st.destroyed = false
        if #http.cookies(env, o.cookie) > 0 then
          headers = http.add(http.copy(headers), "Set-Cookie", cookie_line(o, env, "", true))
        end
      end
      return headers
    end
    if late then
      env.error:write("session: data was stored in a new session after the headers were sent; the browser "
        .. "cannot get its cookie, so it is not kept (touch the session before returning the response)\n")
      return headers
    end
    st.id = crypto.random_token(ID_BYTES)
    st.created = o.store:now()
    st.send_cookie = true
  end
  local _, snapshot = o.store:save(st.id, st.data, st.created, o.idle, o.absolute, st.snapshot)
  st.snapshot = snapshot
  if st.send_cookie and not late then
    st.send_cookie = false
    st.destroyed = false
    headers = http.add(http.copy(headers), "Set-Cookie", cookie_line(o, env, o.signer:sign(st.id), false))
  end
  return headers
end

---------------------------------------------------------------------------------------------
-- The filter

local function positive(options, key, default)
  local v = options[key]
  if v == nil then return default end
  if type(v) ~= "number" or v <= 0 then
    error("session: option '" .. key .. "' must be a positive number of seconds (got " .. tostring(v) .. ")", 4)
  end
  return v
end

local function secrets(options)
  local secret = options.secret
  if secret == nil or secret == "" then
    secret = os.getenv("APOGEE_SESSION_SECRET")
    if secret == "" then secret = nil end
  end
  if secret == nil then
    if config.debug then return stores.dev_secret() end
    error("session: no secret: set the filter's 'secret' option or the APOGEE_SESSION_SECRET environment "
      .. "variable to at least 32 random characters (only development mode, --debug, may run without one)", 4)
  end
  local list = type(secret) == "table" and secret or { secret }
  if #list == 0 then error("session: 'secret' is an empty list", 4) end
  for i, s in ipairs(list) do
    if type(s) ~= "string" then
      error("session: secret #" .. i .. " is a " .. type(s) .. "; secrets are strings", 4)
    end
    if #s < 32 and not config.debug then
      error("session: secret #" .. i .. " has " .. #s .. " characters; use at least 32 random characters", 4)
    end
  end
  return list
end

local function new(app, options)
  options = options or {}
  app = require("wsapi.filters").app_function(app, "session: the app")
  local same_site = options.same_site
  if same_site == nil then same_site = "Lax" end
  if same_site ~= false then
    same_site = SAME_SITE[same_site]
    if not same_site then
      error("session: same_site must be \"Lax\", \"Strict\", \"None\" or false (got " .. tostring(options.same_site) .. ")", 3)
    end
  end
  if same_site == "None" and options.secure == false then
    error("session: same_site = \"None\" needs secure cookies (browsers refuse it otherwise)", 3)
  end
  local o = {
    store = options.store or stores.memory(),
    cookie = options.cookie or "apogee_session",
    path = options.path or "/",
    domain = options.domain,
    same_site = same_site,
    http_only = options.http_only ~= false,
    secure = options.secure,
    max_age = options.max_age and format("%d", positive(options, "max_age")),
    idle = positive(options, "idle_timeout", 1800),
    absolute = positive(options, "absolute_timeout", 86400),
    id_length = #crypto.random_token(ID_BYTES),
  }
  if same_site == "None" and o.secure == nil then o.secure = true end
  if not match(o.cookie, "^[%w!#$%%&'*+%-.^_`|~]+$") then
    error("session: invalid cookie name '" .. tostring(o.cookie) .. "'", 3)
  end
  o.signer = crypto.signer(secrets(options))

  return function(env)
    local st = { env = env, o = o }
    local s = setmetatable({ [STATE] = st }, Session)
    env.APOGEE_SESSION = s
    env.session = s
    local status, headers, body = app(env)
    local first
    if body ~= nil then first = body() end
    if st.loaded or st.destroyed then headers = commit(st, headers, false) end
    if body == nil then return status, headers, body end
    local done = not first
    local function iterator()
      if first then
        local chunk = first
        first = nil
        return chunk
      end
      if done then return nil end
      local chunk = body()
      if not chunk then
        done = true
        if st.loaded then commit(st, nil, true) end
      end
      return chunk
    end
    return status, headers, iterator
  end
end

setmetatable(M, { __call = function(_, app, options) return new(app, options) end })

return M
