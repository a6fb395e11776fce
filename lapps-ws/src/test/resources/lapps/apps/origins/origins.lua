-- origins: echoes every message (a test service for limits and admission rules).
local origins = {}
function origins.onStart() end
function origins.onShutdown() end
function origins.onDisconnect(handler) end
function origins.onMessage(handler, opcode, message) return ws:send(handler, opcode, message) end
return origins
