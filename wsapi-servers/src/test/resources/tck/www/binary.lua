-- Answers every byte value 0..255, then the raw query string and the body, untouched.
return function(env)
  local bytes = {}
  for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
  local body = env.input:read() or ""
  return 200, { ["Content-Type"] = "application/octet-stream" }, coroutine.wrap(function()
    coroutine.yield(table.concat(bytes))
    coroutine.yield(env.QUERY_STRING .. "|" .. env.PATH_INFO .. "|" .. body)
  end)
end
