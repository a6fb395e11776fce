-- Echoes the WSAPI env as KEY=value lines, then the request body.
local keys = {
  "REQUEST_METHOD", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH", "SCRIPT_NAME", "PATH_INFO",
  "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "GATEWAY_INTERFACE",
  "REMOTE_ADDR", "REMOTE_PORT", "REQUEST_URI", "DOCUMENT_ROOT", "SCRIPT_FILENAME", "APP_PATH",
  "HTTPS", "NO_SUCH_VARIABLE",
}

return function(env)
  local lines = {}
  for _, k in ipairs(keys) do lines[#lines + 1] = k .. "=" .. env[k] end
  local headers = {}
  for k, v in pairs(env) do
    if type(k) == "string" and k:match("^HTTP_") then headers[#headers + 1] = k .. "=" .. v end
  end
  table.sort(headers)
  for _, h in ipairs(headers) do lines[#lines + 1] = h end
  local body = env.input:read() or ""
  lines[#lines + 1] = "BODY=" .. body
  lines[#lines + 1] = "EOF=" .. tostring(env.input:read(10))
  local text = table.concat(lines, "\n") .. "\n"
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
