#!/usr/bin/env apogee-cgi
-- Echoes the WSAPI env as KEY=value lines, then the request body.
local keys = {
  "REQUEST_METHOD", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH", "SCRIPT_NAME", "PATH_INFO",
  "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "GATEWAY_INTERFACE", "REMOTE_ADDR", "REQUEST_URI",
  "DOCUMENT_ROOT", "SCRIPT_FILENAME", "APP_PATH", "HTTP_X_THING", "HTTP_HOST", "NO_SUCH_VARIABLE",
}

return function(env)
  local lines = {}
  for _, k in ipairs(keys) do lines[#lines + 1] = k .. "=" .. env[k] end
  lines[#lines + 1] = "BODY=" .. (env.input:read() or "")
  local text = table.concat(lines, "\n") .. "\n"
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
