-- rpc: a coroutine-style handler on the LAppS protocol. ws:receive() gives the decoded
-- message and its kind; ws:send() takes a LAppS message.
return {
  protocols = {
    ["*"] = function(ws)
      while true do
        local message, kind = ws:receive()
        if message == nil then break end
        local reply = nljson.decode('{ "status": 1, "cid": 0, "result": [] }')
        reply.result = { message.method, kind }
        ws:send(reply)
      end
    end
  }
}
