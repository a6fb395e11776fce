-- live: the WebSocket end of the live view, at request target /live (LAppS protocol: CBOR
-- messages, see lapps.json).
--
-- A browser connects and sends the notification "subscribe" (with its channel, cid 7); the
-- service answers with the event { kind = "subscribed" } on that channel, and from then on the
-- browser receives every card event the live_poller service broadcasts. Nothing else is
-- accepted: the board is changed through its HTML forms, which carry the session and the CSRF
-- token.

-- The app's own modules (board.*) sit in the folder above this service's applications folder.
local app_dir = assert(os.getenv("LAPPS_APPS_DIR"), "LAPPS_APPS_DIR is not set"):gsub("/+$", ""):match("^(.*)/[^/]+$")
package.path = app_dir .. "/?.lua;" .. package.path

local shared = require "board.live"

live = {}

-- connections of this instance already subscribed (a second subscribe would deliver twice)
local subscribed = {}

function live.onStart()
  bcast:create(shared.CHANNEL)
end

function live.onShutdown()
end

function live.onDisconnect(handler)
  -- the server drops the closed connection's subscriptions itself
  subscribed[tostring(handler)] = nil
end

local function refuse(handler, code, text)
  local reply = nljson.decode('{"status": 0, "cid": 0, "error": {"code": 0, "message": ""}}')
  reply.error.code = code
  reply.error.message = text
  ws:send(handler, reply)
  ws:close(handler, 1003, text)
end

-- kind: 1 notification, 2 notification with params, 3 request, 4 request with params
function live.onMessage(handler, kind, message)
  if (kind == 1 or kind == 2) and message.method == "subscribe" then
    local key = tostring(handler)
    if not subscribed[key] then
      bcast:subscribe(shared.CHANNEL, handler)
      subscribed[key] = true
    end
    -- tells the browser it is now listening: what it sees from here on is complete
    local ack = nljson.decode('{"status": 1, "cid": 0, "message": [{"kind": "subscribed"}]}')
    ack.cid = shared.CID
    ws:send(handler, ack)
  else
    refuse(handler, -32601, "this service only accepts the notification 'subscribe'")
  end
  return true
end

return live
