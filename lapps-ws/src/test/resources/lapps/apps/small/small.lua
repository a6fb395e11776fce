-- small: echoes every message (a test service for limits and admission rules).
local small = {}
function small.onStart() end
function small.onShutdown() end
function small.onDisconnect(handler) end
function small.onMessage(handler, opcode, message) return ws:send(handler, opcode, message) end
return small
