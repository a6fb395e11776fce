-- Reads the body in 64 KiB pieces, never holding it whole; answers the byte count and a checksum.
return function(env)
  local total, sum = 0, 0
  while true do
    local piece = env.input:read(65536)
    if not piece then break end
    for i = 1, #piece, 4096 do sum = (sum + piece:byte(i)) % 4294967296 end
    total = total + #piece
  end
  local text = total .. " " .. sum
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = tostring(#text) },
    coroutine.wrap(function() coroutine.yield(text) end)
end
