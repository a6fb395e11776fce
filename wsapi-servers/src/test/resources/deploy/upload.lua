#!/usr/bin/env apogee-cgi
-- Takes a multipart/form-data upload and answers the file's name, size and byte sum.
return function(env)
  local boundary = env.CONTENT_TYPE:match("boundary=([^;]+)")
  local body = env.input:read() or ""
  local text
  if not boundary then
    text = "no multipart body"
  else
    local name, part = body:match('filename="([^"]*)"()')
    local head_end = select(2, body:find("\r\n\r\n", part, true))
    local stop = body:find("\r\n--" .. boundary, head_end, true)
    local file = body:sub(head_end + 1, stop - 1)
    local sum = 0
    for i = 1, #file do sum = (sum + file:byte(i)) % 4294967296 end
    text = "filename=" .. tostring(name) .. " size=" .. #file .. " sum=" .. sum
  end
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = #text },
    coroutine.wrap(function() coroutine.yield(text) end)
end
