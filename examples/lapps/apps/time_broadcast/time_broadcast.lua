-- time_broadcast: a standalone service that sends the server time to broadcast 1000
-- (channel 5 of its subscribers) every second until the server stops.
time_broadcast = {}
time_broadcast.__index = time_broadcast

time_broadcast.init = function()
  bcast:create(1000)
  time_broadcast.sleeper = nap:new()
end

time_broadcast.run = function()
  local oon = nljson.decode('{ "cid": 5, "message": [ "" ] }')
  while not must_stop() do
    time_broadcast.sleeper:usleep(1000000)
    oon.message[1] = "Server time: " .. os.date("%c", os.time())
    bcast:send(1000, oon)
  end
end

return time_broadcast
