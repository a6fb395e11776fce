-- A WSAPI env for driving apps in process, and a runner that collects the response.
local M = {}

function M.env(method, path, opts)
  opts = opts or {}
  local qs = ""
  local p, q = path:match("^([^?]*)%?(.*)$")
  if p then path, qs = p, q end
  local body = opts.body or ""
  local pos = 1
  local env = {
    REQUEST_METHOD = method, PATH_INFO = path, QUERY_STRING = qs, SCRIPT_NAME = opts.script_name or "/app",
    CONTENT_TYPE = opts.content_type or (opts.body and "application/x-www-form-urlencoded" or ""),
    CONTENT_LENGTH = tostring(#body), HTTP_COOKIE = opts.cookie or "", APP_PATH = opts.app_path or "",
    DOCUMENT_ROOT = opts.doc_root or ".", SERVER_NAME = "localhost", SERVER_PORT = "80",
    input = { read = function(_, n)
      if pos > #body then return nil end
      local s = body:sub(pos, pos + (n or #body) - 1)
      pos = pos + #s
      return s
    end },
  }
  return setmetatable(env, { __index = function() return "" end })
end

-- request(app, method, path, opts) -> status, headers, body string
function M.request(app, method, path, opts)
  local run = type(app) == "table" and app.run or app
  local status, headers, iter = run(M.env(method, path, opts))
  local out = {}
  for s in iter do out[#out + 1] = s end
  return status, headers, table.concat(out)
end

return M
