-- Methods of echo_lapps. Requests answer on channel 0; errors go on channel 0 too.
local sessions = require("echo_lapps_sessions")

echo_lapps_methods = {}

local function error_reply(handler, code, text)
  local reply = nljson.decode('{ "status": 0, "cid": 0, "error": { "code": 0, "message": "" } }')
  reply.error.code = code
  reply.error.message = text
  return ws:send(handler, reply)
end
echo_lapps_methods.error_reply = error_reply

local function logged_in(handler, params)
  local key = nljson.find(params[1], "authkey")
  local expected = nljson.find(sessions.keys, handler) -- a number key is looked up as a string
  return key ~= nil and expected ~= nil and key == expected
end

-- requests (kind 4: with params)
echo_lapps_methods.requests = {
  login = function(handler, params)
    if nljson.typename(params[1]) ~= "object" then
      error_reply(handler, -32602, "login takes one object: { user, password }")
      ws:close(handler, 1003)
      return
    end
    local user = nljson.find(params[1], "user")
    local password = nljson.find(params[1], "password")
    if type(user) ~= "string" or type(password) ~= "string" or nljson.find(sessions.users, user) ~= password then
      error_reply(handler, 10, "Authentication error")
      ws:close(handler, 1000)
      return
    end
    local authkey = math.random(4294967296)
    sessions.keys[tostring(handler)] = authkey
    local reply = nljson.decode('{ "status": 1, "cid": 0, "result": [ { "authkey": 0 } ] }')
    reply.result[1].authkey = authkey
    ws:send(handler, reply)
  end,

  echo = function(handler, params)
    if not logged_in(handler, params) then
      error_reply(handler, -32000, "Not authenticated")
      ws:close(handler, 1000)
      return
    end
    local reply = nljson.decode('{ "status": 1, "cid": 0, "result": [] }')
    reply.result = params
    ws:send(handler, reply)
  end
}

-- client notifications (kind 2: with params); they get no response
echo_lapps_methods.notifications = {
  subscribe = function(handler, params, cid)
    if not logged_in(handler, params) then
      error_reply(handler, -32000, "Not authenticated")
      ws:close(handler, 1000)
      return
    end
    if cid == 6 then
      bcast:subscribe(2000, handler) -- the blob broadcast
    else
      bcast:subscribe(1000, handler) -- the server time
    end
  end,

  logout = function(handler, params)
    if logged_in(handler, params) then
      nljson.erase(sessions.keys, tostring(handler))
      ws:close(handler, 1000)
    end
  end
}

return echo_lapps_methods
