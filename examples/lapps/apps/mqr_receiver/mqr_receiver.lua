-- mqr_receiver: takes messages from the queue "testpipe" and prints how many arrive per
-- second. Several instances compete for the messages.
mqr_receiver = {}
mqr_receiver.__index = mqr_receiver

mqr_receiver.queue = mqr.create("testpipe")
mqr_receiver.count = 0
mqr_receiver.since = time.now()

mqr_receiver.init = function()
end

mqr_receiver.run = function()
  while not must_stop() do
    local message = mqr_receiver.queue:recv()
    if message ~= nil then mqr_receiver.count = mqr_receiver.count + 1 end
    local elapsed = time.now() - mqr_receiver.since
    if elapsed >= 1000 then
      print("mqr_receiver " .. instance_id .. ": " .. mqr_receiver.count .. " messages in " .. elapsed .. " ms")
      mqr_receiver.count = 0
      mqr_receiver.since = time.now()
    end
  end
end

return mqr_receiver
