-- wsapi.filters.logging: an access log line per request, and the app's env.error lines to a log.
--
--   local logging = require "wsapi.filters.logging"
--   app = logging(app, {
--     file = "logs/access.log",   -- relative to the app's folder; "stderr" (the default) or "stdout";
--                                 -- false: no access log (only error_file)
--     format = "combined_time",   -- "common", "combined", "common_time", "combined_time" or your own
--     error_file = "logs/error.log", -- where env.error:write goes (default: the server log)
--     name = "shop",              -- the app's name in error lines (default: SCRIPT_NAME, or "/")
--   })
--
-- Formats use Apache's directives: %h remote address, %l "-", %u REMOTE_USER, %t time,
-- %r request line, %s or %>s status, %b body bytes ("-" for none), %B body bytes, %D time taken
-- in microseconds, %T in seconds, %m method, %U path as requested, %q query ("?..." or ""), %H protocol,
-- %v server name, %p port, %{Name}i a request header, %{Name}o a response header, %% a "%".
-- "common" is '%h %l %u %t "%r" %>s %b'; "combined" adds ' "%{Referer}i" "%{User-Agent}i"';
-- the *_time formats add ' %D'.
--
-- Bytes and time are counted from the body iterator the app returned: the line is written when
-- the iterator ends, or, when the request ends otherwise (client gone, error), at the end of the
-- request with what was sent so far. An app that raised before returning is logged as 500.
--
-- Env: reads the request variables above; replaces env.error when error_file is given.
-- Response: unchanged (the iterator is wrapped to count, chunk by chunk, without buffering).

local type, tostring, tonumber, error, ipairs, pairs = type, tostring, tonumber, error, ipairs, pairs
local format, gsub, sub, byte, find, upper, lower, match = string.format, string.gsub, string.sub, string.byte, string.find, string.upper, string.lower, string.match
local concat = table.concat

local logfile = require "wsapi.filters.logfile"
local request_end = require "wsapi.filters.request_end"
local http = require "wsapi.filters.http"

local clock, time_local = logfile.clock, logfile.time_local

local M = {}

M.formats = {
  common = '%h %l %u %t "%r" %>s %b',
  combined = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
}
M.formats.common_time = M.formats.common .. " %D"
M.formats.combined_time = M.formats.combined .. " %D"

-- Apache escapes quotes, backslashes and control bytes in logged strings
local function escape(s)
  if find(s, '[%c"\\\128-\255]') == nil then return s end
  return (gsub(s, '[%c"\\\128-\255]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return format("\\x%02x", byte(c))
  end))
end

local function dash(s)
  if s == nil or s == "" then return "-" end
  return escape(tostring(s))
end

local function env_header(name)
  local key = "HTTP_" .. gsub(upper(name), "-", "_")
  local lname = lower(name)
  if lname == "content-type" then key = "CONTENT_TYPE" elseif lname == "content-length" then key = "CONTENT_LENGTH" end
  return function(r) return dash(r.env[key]) end
end

local function out_header(name)
  return function(r)
    local v = http.header(r.headers, name)
    if type(v) == "table" then v = concat(v, ", ") end
    return dash(v)
  end
end

local simple = {
  h = function(r) return dash(r.env.REMOTE_ADDR) end,
  a = function(r) return dash(r.env.REMOTE_ADDR) end,
  l = function() return "-" end,
  u = function(r) return dash(r.env.REMOTE_USER) end,
  t = function() return time_local() end,
  r = function(r)
    local env = r.env
    local uri = env.REQUEST_URI
    if uri == nil or uri == "" then
      uri = (env.SCRIPT_NAME or "") .. (env.PATH_INFO or "")
      if env.QUERY_STRING ~= nil and env.QUERY_STRING ~= "" then uri = uri .. "?" .. env.QUERY_STRING end
    end
    return escape(env.REQUEST_METHOD .. " " .. uri .. " " .. env.SERVER_PROTOCOL)
  end,
  s = function(r) return r.status end,
  b = function(r) if r.bytes == 0 then return "-" end return format("%d", r.bytes) end,
  B = function(r) return format("%d", r.bytes) end,
  D = function(r) return format("%d", r.elapsed) end,
  T = function(r) return format("%d", math.floor(r.elapsed / 1000000)) end,
  m = function(r) return escape(r.env.REQUEST_METHOD) end,
  U = function(r)
    local uri = r.env.REQUEST_URI
    if uri == nil or uri == "" then return escape((r.env.SCRIPT_NAME or "") .. (r.env.PATH_INFO or "")) end
    return escape((match(uri, "^[^?]*")))
  end,
  q = function(r) local q = r.env.QUERY_STRING if q == nil or q == "" then return "" end return "?" .. escape(q) end,
  H = function(r) return escape(r.env.SERVER_PROTOCOL) end,
  v = function(r) return dash(r.env.SERVER_NAME) end,
  p = function(r) return dash(r.env.SERVER_PORT) end,
}

--- Compiles a format into a function of the request record that returns the line.
function M.compile(fmt)
  local pieces = {}
  local pos, len = 1, #fmt
  local literal = {}
  local function flush()
    if #literal > 0 then
      local s = concat(literal)
      pieces[#pieces + 1] = function() return s end
      literal = {}
    end
  end
  while pos <= len do
    local c = sub(fmt, pos, pos)
    if c ~= "%" then
      literal[#literal + 1] = c
      pos = pos + 1
    else
      local rest = sub(fmt, pos + 1)
      local name, kind = match(rest, "^{([^}]+)}([io])")
      if name then
        flush()
        pieces[#pieces + 1] = kind == "i" and env_header(name) or out_header(name)
        pos = pos + 1 + #name + 3
      else
        local d = match(rest, "^>?(.)")
        if d == "%" then
          literal[#literal + 1] = "%"
        elseif d and simple[d] then
          flush()
          pieces[#pieces + 1] = simple[d]
        else
          error("logging: unknown directive '%" .. (d or "") .. "' in format '" .. fmt .. "'", 3)
        end
        pos = pos + 1 + (sub(rest, 1, 1) == ">" and 2 or 1)
      end
    end
  end
  flush()
  local n = #pieces
  return function(r)
    local parts = {}
    for i = 1, n do parts[i] = pieces[i](r) end
    return concat(parts)
  end
end

local function status_code(status)
  if type(status) == "number" then return format("%d", status) end
  if type(status) == "string" then return match(status, "^%s*(%d%d%d)") or "500" end
  return "500"
end

local function error_output(log, name)
  return {
    write = function(self, ...)
      local parts = { ... }
      for i = 1, #parts do parts[i] = tostring(parts[i]) end
      local text = gsub(concat(parts), "\n$", "")
      if text ~= "" then
        for line in (text .. "\n"):gmatch("(.-)\n") do
          log:write(time_local() .. " [" .. name .. "] " .. line)
        end
      end
      return self
    end,
    flush = function(self) return self end,
  }
end

local function new(app, options)
  options = options or {}
  app = require("wsapi.filters").app_function(app, "logging: the app")
  local fmt = options.format or "combined_time"
  local line = M.compile(M.formats[fmt] or fmt)
  local access
  if options.file ~= false then access = logfile.open(options.file or "stderr") end
  local errors = options.error_file and logfile.open(options.error_file)
  local app_name = options.name

  return function(env)
    local started = clock()
    local r = { env = env, status = "500", bytes = 0, elapsed = 0 }
    local logged = false
    local function log()
      if logged then return end
      logged = true
      r.elapsed = clock() - started
      if access then access:write(line(r)) end
    end
    request_end.at_end(log)
    if errors then
      local name = app_name or (env.SCRIPT_NAME ~= "" and env.SCRIPT_NAME) or "/"
      env.error = error_output(errors, name)
    end
    local status, headers, body = app(env)
    r.status = status_code(status)
    r.headers = headers
    if body == nil then
      log()
      return status, headers, body
    end
    local head = env.REQUEST_METHOD == "HEAD"
    return status, headers, function()
      local chunk = body()
      if chunk then
        if not head then r.bytes = r.bytes + #tostring(chunk) end
      else
        log()
      end
      return chunk
    end
  end
end

setmetatable(M, { __call = function(_, app, options) return new(app, options) end })

return M
