-- A WSAPI app module that ringer.lua runs inside a ring.
local M = {}

ring_requests = 0

function M.run(env)
  if env.QUERY_STRING == "fail" then error("failing inside the ring") end
  ring_requests = ring_requests + 1
  local body = env.input:read() or ""
  local text = table.concat({
    "PATH_INFO=" .. env.PATH_INFO,
    "SCRIPT_NAME=" .. env.SCRIPT_NAME,
    "QUERY_STRING=" .. env.QUERY_STRING,
    "BODY=" .. body,
    "UNDEFINED=[" .. env.NO_SUCH_VARIABLE .. "]",
    "MASTER_MARKER=" .. tostring(rawget(_G, "ringer_master_marker")),
    "REQUESTS=" .. ring_requests,
  }, "\n") .. "\n"
  return 200, { ["Content-Type"] = "text/plain", ["Set-Cookie"] = { "ring=1; Path=/", "other=2" } },
    coroutine.wrap(function()
      coroutine.yield(text)
      coroutine.yield("END\n")
    end)
end

return M
