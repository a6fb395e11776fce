-- request_id: a filter written by an app, the way the built-in ones are.
-- Gives every request an id (the client's X-Request-Id when it sends a sane one), shows it to the
-- app as env.REQUEST_ID, returns it in the X-Request-Id response header, and when the body is
-- over writes one line to env.error with the id, the status and the bytes sent.
--
--   local request_id = require "request_id"
--   app = request_id(app, { header = "X-Request-Id" })
--
-- Env: reads HTTP_X_REQUEST_ID, adds REQUEST_ID. Response: adds X-Request-Id (a copy of the
-- app's headers, which may be shared); the body passes through chunk by chunk.

local format, gsub, upper = string.format, string.gsub, string.upper
local random_token = require("wsapi.filters.crypto").random_token

local function new_id()
  return random_token(12)
end

return function(app, options)
  options = options or {}
  local header = options.header or "X-Request-Id"
  local env_key = "HTTP_" .. gsub(upper(header), "-", "_")

  return function(env)
    -- before: look at the request, change the env
    local id = env[env_key]
    if not id:match("^[%w%-_.]+$") or #id > 64 then id = new_id() end
    env.REQUEST_ID = id

    local status, headers, body = app(env)

    -- after: never change the app's headers table in place; copy it
    local out = {}
    for k, v in pairs(headers or {}) do out[k] = v end
    out[header] = id

    -- the body: wrap the iterator, pass each chunk on as it comes, act at the end
    local sent = 0
    return status, out, function()
      local chunk = body()
      if chunk then
        sent = sent + #chunk
      else
        env.error:write(format("request %s: status %s, %d bytes\n", id, tostring(status), sent))
      end
      return chunk
    end
  end
end
