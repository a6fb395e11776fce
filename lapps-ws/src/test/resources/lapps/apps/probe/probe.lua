-- probe: a LAppS service for the tests. It records what happens in the mqr queue
-- "probe-events" so the tests can see onDisconnect calls and client notifications.
probe = {}

local events = mqr.create("probe-events")

local function record(event, handler, params)
  local e = nljson.decode('{}')
  e.event = event
  e.handler = handler
  if params ~= nil then e.params = params end
  events:post(e)
end

local function reply(handler, result)
  local r = nljson.decode('{ "status": 1, "cid": 0, "result": [] }')
  r.result = result
  return ws:send(handler, r)
end

probe.onStart = function() bcast:create(3000) end
probe.onShutdown = function() record("shutdown", 0) end
probe.onDisconnect = function(handler) record("disconnect", handler) end

probe.onMessage = function(handler, kind, message)
  local method = message.method
  if method == "raise" then error("raised on purpose") end
  if method == "refuse" then return false end
  if method == "note" then record("note", handler, message.params) return true end
  if method == "whoami" then reply(handler, { handler, kind }) return true end
  if method == "flood" then -- params: count, size; records how many sends were refused
    local chunk = string.rep("x", message.params[2])
    local refused = 0
    for i = 1, message.params[1] do
      if not ws:send(handler, 2, chunk) then refused = refused + 1 end
    end
    record("flooded", handler, { refused })
    return true
  end
  if method == "close" then -- params: code, reason
    reply(handler, { ws:close(handler, message.params[1], message.params[2]) })
    return true
  end
  if method == "sleep" then nap:new():usleep(message.params[1] * 1000) reply(handler, { true }) return true end
  if method == "size" then reply(handler, { #message.params[1] }) return true end
  if method == "add" then reply(handler, { message.params[1] + message.params[2] }) return true end
  if method == "subscribe" then reply(handler, { bcast:subscribe(message.params and message.params[1] or 3000, handler) }) return true end
  if method == "fanout" then
    local oon = nljson.decode('{ "cid": 7, "message": [] }')
    oon.message = message.params
    reply(handler, { bcast:send(3000, oon) })
    return true
  end
  local err = nljson.decode('{ "status": 0, "cid": 0, "error": { "code": -32601, "message": "No such method" } }')
  err.error.message = "No such method: " .. tostring(method)
  ws:send(handler, err)
  return true
end

return probe
