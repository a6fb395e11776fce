-- wsapi.filters.logging: an access log line per request, and the app's env.error lines to a log.
--
--   local logging = require "wsapi.filters.logging"
--   app = logging(app, {
--     file = "logs/access.log",   -- relative to the app's folder; "stderr" (the default) or "stdout";
--                                 -- false: no access log (only error_file)
--     flush = 0.2,                -- seconds a line may wait to be written with others (0: at once)
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

local type, tostring, error = type, tostring, error
local gsub, concat = string.gsub, table.concat

local logfile = require "wsapi.filters.logfile"
local request_end = require "wsapi.filters.request_end"

local clock, time_local = logfile.clock, logfile.time_local

local M = {}

M.formats = {
  common = '%h %l %u %t "%r" %>s %b',
  combined = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
}
M.formats.common_time = M.formats.common .. " %D"
M.formats.combined_time = M.formats.combined .. " %D"

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
  local ok, format = pcall(logfile.format, M.formats[fmt] or fmt)
  if not ok then error("logging: " .. tostring(format), 3) end
  local flush = options.flush or 0.2
  if type(flush) ~= "number" or flush < 0 then
    error("logging: 'flush' must be a number of seconds >= 0 (got " .. tostring(options.flush) .. ")", 3)
  end
  local access
  if options.file ~= false then access = logfile.open(options.file or "stderr", flush) end
  local errors = options.error_file and logfile.open(options.error_file)
  local app_name = options.name

  return function(env)
    local started = clock()
    local status, headers, body
    local bytes = 0
    local logged = false
    local function log()
      if logged then return end
      logged = true
      if access then access:write(format:line(env, status or 500, bytes, clock() - started, headers)) end
    end
    request_end.at_end(log)
    if errors then
      local name = app_name or (env.SCRIPT_NAME ~= "" and env.SCRIPT_NAME) or "/"
      env.error = error_output(errors, name)
    end
    status, headers, body = app(env)
    if body == nil then
      log()
      return status, headers, body
    end
    local head = env.REQUEST_METHOD == "HEAD"
    return status, headers, function()
      local chunk = body()
      if chunk then
        if not head then bytes = bytes + #tostring(chunk) end
      else
        log()
      end
      return chunk
    end
  end
end

setmetatable(M, { __call = function(_, app, options) return new(app, options) end })

return M
