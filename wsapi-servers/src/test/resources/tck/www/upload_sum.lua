-- Receives one uploaded file with wsapi.request and reads it back through its file handle in
-- 64 KiB pieces (never whole); answers the file name, byte count, a checksum and the temporary path.
local request = require "wsapi.request"

return function(env)
  local req = request.new(env)
  local upload = req.POST.file
  local f = upload.file
  local total, sum = 0, 0
  while true do
    local piece = f:read(65536)
    if not piece then break end
    for i = 1, #piece, 4096 do sum = (sum + piece:byte(i)) % 4294967296 end
    total = total + #piece
  end
  f:close()
  local text = upload.name .. " " .. upload.size .. " " .. total .. " " .. sum .. " " .. tostring(req.POST.note) .. " " .. upload.path
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
