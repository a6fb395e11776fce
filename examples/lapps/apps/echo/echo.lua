-- echo: a RAW service. Every message goes back to its sender with the same opcode
-- (1 text, 2 binary). onMessage returns what ws:send returned: true, or false when the
-- connection is already gone (the server then closes it with 1011).
echo = {}
echo.__index = echo

echo.onStart = function()
  print("echo: started")
end

echo.onDisconnect = function(handler)
end

echo.onShutdown = function()
  print("echo: stopped")
end

echo.onMessage = function(handler, opcode, message)
  local ok, err = ws:send(handler, opcode, message)
  if not ok then
    print("echo: send failed: " .. tostring(err))
  end
  return ok
end

return echo
