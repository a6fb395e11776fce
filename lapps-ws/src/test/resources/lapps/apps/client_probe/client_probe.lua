-- client_probe: a standalone service that uses the cws client. It waits for a URL on the
-- mqr queue "cws-config", connects, sends two messages and posts what comes back (and the
-- close) to "cws-results".
client_probe = {}

local config = mqr.create("cws-config")
local results = mqr.create("cws-results")

local function report(event, data)
  local r = nljson.decode('{}')
  r.event = event
  if data ~= nil then r.data = data end
  results:post(r)
end

client_probe.init = function() end

client_probe.run = function()
  local target = config:recv()
  if target == nil then return end
  local socket, err = cws:new(target.url, {
    onopen = function(h)
      report("open")
      cws:send(h, "first", 1)
      cws:send(h, "second", 2)
    end,
    onmessage = function(h, data, opcode) report("message", data .. "/" .. opcode) end,
    onclose = function(h, payload) report("close", #payload) end,
    onerror = function(h, message) report("error", message) end
  })
  if socket == nil then report("failed", err) return end
  while not must_stop() do cws:eventLoop() end
end

return client_probe
