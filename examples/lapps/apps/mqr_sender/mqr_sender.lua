-- mqr_sender: posts a message to the queue "testpipe" until the server stops, pausing
-- whenever the queue holds enough for the receivers.
mqr_sender = {}
mqr_sender.__index = mqr_sender

mqr_sender.queue = mqr.create("testpipe")

mqr_sender.init = function()
  mqr_sender.sleeper = nap:new()
end

mqr_sender.run = function()
  local message = nljson.decode('{ "message": [ "Hello World", "PAYLOAD" ] }')
  local sent = 0
  while not must_stop() do
    mqr_sender.queue:post(message)
    sent = sent + 1
    if sent % 1000 == 0 then mqr_sender.sleeper:usleep(1000) end
  end
end

return mqr_sender
