-- board.body_limit: a filter that refuses request bodies larger than the board ever needs, before
-- anything reads them (wsapi.request would otherwise stream the whole upload to a temporary file
-- first).
--
--   { body_limit, max = 5 * 1024 * 1024 + 65536, refuse = function(env, max) ... end }
--
-- Only the declared Content-Length is checked; a chunked body has none, and the app checks the
-- size of each upload anyway. `refuse(env, max)` answers instead of the app (a 413 page).
--
-- Env: reads CONTENT_LENGTH. Response: unchanged, or refuse's.

return function(app, options)
  app = require("wsapi.filters").app_function(app, "body_limit: the app")
  local max = assert(tonumber(options.max), "body_limit: 'max' (bytes) is required")
  local refuse = options.refuse or function()
    return require("wsapi.filters.http").page(413, "Payload Too Large", "The request is too large.")
  end
  return function(env)
    local length = tonumber(env.CONTENT_LENGTH)
    if length and length > max then return refuse(env, max) end
    return app(env)
  end
end
