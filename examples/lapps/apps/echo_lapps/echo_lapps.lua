-- echo_lapps: a LAppS-protocol service (CBOR over binary frames).
--   login(request)      {user, password} -> [{authkey}]
--   echo(request)       {authkey}, ... -> the params as they came
--   subscribe(notification, cid 5 or 6) {authkey}: server time (5) or blob (6) broadcasts
--   logout(notification) {authkey}: closes the connection
echo_lapps = {}
echo_lapps.__index = echo_lapps

local sessions = require("echo_lapps_sessions")
local methods = require("echo_lapps_methods")

echo_lapps.onStart = function()
  bcast:create(1000)
  bcast:create(2000)
  print("echo_lapps: started")
end

echo_lapps.onShutdown = function()
  print("echo_lapps: stopped")
end

echo_lapps.onDisconnect = function(handler)
  nljson.erase(sessions.keys, tostring(handler))
  bcast:unsubscribe(1000, handler)
  bcast:unsubscribe(2000, handler)
end

local function no_such_method(handler)
  methods.error_reply(handler, -32601, "No such method")
  ws:close(handler, 1003)
end

-- kind: 1 notification, 2 notification with params, 3 request, 4 request with params
echo_lapps.onMessage = function(handler, kind, message)
  if kind == 1 then
    methods.error_reply(handler, -32600, "Notifications need params")
    ws:close(handler, 1003)
  elseif kind == 2 then
    local method = methods.notifications[message.method]
    if method then method(handler, message.params, message.cid) else no_such_method(handler) end
  elseif kind == 3 then
    no_such_method(handler)
  else
    local method = methods.requests[message.method]
    if method then method(handler, message.params) else no_such_method(handler) end
  end
  return true
end

return echo_lapps
