-- The stack of stack.lua around an app that uses its session: /login stores a name, every other
-- request reads it back (one memory-store read per request, no write).
local filters = require "wsapi.filters"

local function hello(env)
  local s = env.session
  if env.PATH_INFO == "/login" then s:set("user", "World") end
  local text = "Hello " .. tostring(s:get("user")) .. "!"
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = tostring(#text) }, coroutine.wrap(function()
    coroutine.yield(text)
  end)
end

return filters.stack {
  { filters.logging, file = os.getenv("APOGEE_BENCH_LOG") or "stderr" },
  filters.session,
  hello,
}
