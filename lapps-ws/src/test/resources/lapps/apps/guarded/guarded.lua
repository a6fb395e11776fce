-- guarded: echoes every message (a test service for limits and admission rules).
local guarded = {}
function guarded.onStart() end
function guarded.onShutdown() end
function guarded.onDisconnect(handler) end
function guarded.onMessage(handler, opcode, message) return ws:send(handler, opcode, message) end
return guarded
