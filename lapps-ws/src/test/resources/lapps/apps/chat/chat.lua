-- chat: a coroutine-style service. A connection that speaks the "chat" subprotocol
-- gets a welcome, then every line it sends goes to every chat member; "bye" ends it.
local members = 0

return {
  protocols = {
    chat = function(ws)
      members = members + 1
      ws:send("welcome " .. ws.id .. " (" .. ws.protocol .. ")")
      while true do
        local message, opcode = ws:receive()
        if message == nil then break end
        if message == "bye" then
          ws:close(1000, "bye")
        elseif message == "whereami" then
          local ip, port = ws:getpeername()
          ws:send(ip .. " " .. type(port))
        else
          ws:broadcast(message, opcode)
        end
      end
      members = members - 1
    end,
    ["*"] = function(ws)
      ws:send("ask for the chat subprotocol")
      ws:close(4000, "no subprotocol")
    end
  }
}
