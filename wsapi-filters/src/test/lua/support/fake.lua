-- An in-process connector for filter specs: builds WSAPI envs as Apogee's core does (missing keys
-- read as "", input:read with the core's semantics, error:write collected) and runs an app to a
-- complete response, pulling the first chunk before looking at the headers as the core does.

local M = {}

-- `length`: the declared length (CONTENT_LENGTH; 0 when the body's length is unknown), which
-- read() reads, as the core's input does
local function input(body, length)
  local pos = 1
  local obj = { length = length, reads = 0 }
  function obj.read(self, n)
    assert(self == obj, "use input:read, not input.read")
    self.reads = self.reads + 1
    if n == nil then n = length end
    if n == "*a" or n == "a" then
      local rest = body:sub(pos)
      pos = #body + 1
      return rest
    end
    if type(n) ~= "number" then error("input:read: unsupported format '" .. tostring(n) .. "'") end
    if n <= 0 or pos > #body then return nil end
    local chunk = body:sub(pos, pos + n - 1)
    pos = pos + #chunk
    return chunk
  end
  return obj
end

--- An env for method and path ("/a/b?x=1"). opts: headers = { ["Cookie"] = "..." }, body, https,
-- script_name, remote_addr, protocol; chunked = true sends the body as a chunked request does:
-- Transfer-Encoding and no CONTENT_LENGTH.
function M.env(method, path, opts)
  opts = opts or {}
  local path_info, query = path:match("^([^?]*)%??(.*)$")
  local body = opts.body or ""
  local errors = {}
  local env = {
    REQUEST_METHOD = method,
    PATH_INFO = path_info ~= "" and path_info or "/",
    SCRIPT_NAME = opts.script_name or "",
    QUERY_STRING = query,
    SERVER_NAME = "127.0.0.1",
    SERVER_PORT = "8080",
    SERVER_PROTOCOL = opts.protocol or "HTTP/1.1",
    SERVER_SOFTWARE = "Apogee/0.1",
    GATEWAY_INTERFACE = "CGI/1.1",
    REMOTE_ADDR = opts.remote_addr or "127.0.0.1",
    REMOTE_HOST = opts.remote_addr or "127.0.0.1",
    REMOTE_PORT = "50000",
    REQUEST_URI = (opts.script_name or "") .. path,
    DOCUMENT_ROOT = "/srv",
    APP_PATH = "/srv",
    SCRIPT_FILENAME = "/srv/app.lua",
    PATH_TRANSLATED = "/srv" .. (path_info ~= "" and path_info or "/"),
    input = input(body, opts.chunked and 0 or #body),
    error = { lines = errors, write = function(self, ...) for _, s in ipairs({ ... }) do errors[#errors + 1] = s end end },
  }
  if opts.https then env.HTTPS = "on" end
  if opts.chunked then
    env.HTTP_TRANSFER_ENCODING = "chunked"
  elseif #body > 0 or method == "POST" or method == "PUT" then
    env.CONTENT_LENGTH = tostring(#body)
  end
  for name, value in pairs(opts.headers or {}) do
    local lname = name:lower()
    if lname == "content-type" then env.CONTENT_TYPE = value
    elseif lname == "content-length" then env.CONTENT_LENGTH = value
    else env["HTTP_" .. name:upper():gsub("-", "_")] = value end
  end
  env.HTTP_HOST = env.HTTP_HOST or "127.0.0.1:8080"
  return setmetatable(env, { __index = function() return "" end })
end

--- Runs app(env) to the end: { status = number, reason, headers = table, body = string, chunks = {...} }.
function M.call(app, env)
  local status, headers, iterator = app(env)
  local code, reason = status, nil
  if type(status) == "string" then
    code, reason = status:match("^(%d%d%d)%s*(.*)$")
    code = tonumber(code)
  end
  local chunks = {}
  if iterator then
    while true do
      local chunk = iterator()
      if not chunk then break end
      chunks[#chunks + 1] = tostring(chunk)
    end
  end
  return { status = code, reason = reason, headers = headers or {}, body = table.concat(chunks), chunks = chunks, env = env }
end

--- M.call(app, M.env(method, path, opts)).
function M.request(app, method, path, opts)
  return M.call(app, M.env(method, path, opts))
end

--- A response header's value, whatever the case of its name (string, or array for repeats).
function M.header(response, name)
  local wanted = name:lower()
  for k, v in pairs(response.headers) do
    if k:lower() == wanted then return v end
  end
  return nil
end

--- Every line of a header as a list.
function M.header_lines(response, name)
  local v = M.header(response, name)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { tostring(v) }
end

--- The "name=value" part of the Set-Cookie line for cookie `name`, or nil.
function M.set_cookie(response, name)
  for _, line in ipairs(M.header_lines(response, "Set-Cookie")) do
    local pair = line:match("^(" .. name:gsub("%p", "%%%0") .. "=[^;]*)")
    if pair then return pair, line end
  end
  return nil
end

--- A plain app: 200 text/plain with `text` (a string, or a function of env returning one).
function M.text_app(text)
  return function(env)
    local body = type(text) == "function" and text(env) or text
    return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(body) end)
  end
end

return M
