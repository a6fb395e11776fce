-- The same app behind logging (an access-log file) and session (the in-memory store).
-- The bench sets APOGEE_BENCH_LOG (where the access log goes) and APOGEE_SESSION_SECRET.
local filters = require "wsapi.filters"

local function hello(env)
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = "12" }, coroutine.wrap(function()
    coroutine.yield("Hello World!")
  end)
end

return filters.stack {
  { filters.logging, file = os.getenv("APOGEE_BENCH_LOG") or "stderr" },
  filters.session,
  hello,
}
