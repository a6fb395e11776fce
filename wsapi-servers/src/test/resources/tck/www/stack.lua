-- A filter stack declared in an app file: every server adapter serves it unchanged.
-- /count counts visits in the session, /form shows a form with its CSRF token and echoes posts,
-- /files/* are the files of static/, /stream sends a chunk, then waits for the request body,
-- /log?MARK returns the access log lines that contain MARK.

local filters = require "wsapi.filters"
local csrf = require "wsapi.filters.csrf"

local LOG = ".stack/access.log"

local function text(s)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(s) end)
end

local function app(env)
  local path = env.PATH_INFO
  if path == "/count" then
    local s = env.session
    local n = (s:get("n") or 0) + 1
    s:set("n", n)
    return text(tostring(n))
  elseif path == "/form" then
    if env.REQUEST_METHOD == "GET" then
      return 200, { ["Content-Type"] = "text/html" }, coroutine.wrap(function()
        coroutine.yield('<form method="post">' .. csrf.field(env) .. "</form>")
      end)
    end
    return text("posted:" .. (env.input:read() or ""))
  elseif path == "/stream" then
    return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
      coroutine.yield("first\n")
      local got = env.input:read(5)
      coroutine.yield("second:" .. tostring(got) .. "\n")
    end)
  elseif path == "/log" then
    local found = {}
    local f = io.open(LOG)
    if f then
      for line in f:lines() do
        if line:find(env.QUERY_STRING, 1, true) then found[#found + 1] = line end
      end
      f:close()
    end
    return text(table.concat(found, "\n"))
  end
  return 404, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("no such page") end)
end

return filters.stack {
  { filters.logging, file = LOG },
  { filters.lint, strict = true },       -- what the server gives and what the stack answers
  { filters.session, secret = "behaviour-suite-secret-0123456789abcdef" },
  { filters.csrf, skip = function(env) return env.PATH_INFO == "/stream" end },
  { filters.static, root = "static", prefix = "/files" },
  { filters.lint, strict = true },       -- what the app answers
  app,
}
