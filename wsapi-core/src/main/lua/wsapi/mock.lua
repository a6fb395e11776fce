-- wsapi.mock: calls a WSAPI app in-process, without a server, for tests.
--
--   local mock = require "wsapi.mock"
--   local app = mock.make_handler(require("myapp").run)  -- or the module table, or a module name
--   local response, env = app:get("/path", { q = "x" }, { HTTP_COOKIE = "a=1" })
--   response.code, response.headers, response.body, response.wsapi_errors
--   local response = app:post("/form", { name = "value" })            -- form-encoded
--   local response = app:post("/api", '{"a":1}', { ["Content-Type"] = "application/json" })
--
-- headers are env entries copied as given (use CGI names such as HTTP_COOKIE); a "Content-Type"
-- or "Content-Length" entry also sets CONTENT_TYPE / CONTENT_LENGTH. The returned env reads
-- lowercase names as their uppercase ones (env.query_string).

local common = require "wsapi.common"
local request = require "wsapi.request"

local type, tostring, pairs, setmetatable, rawget, select = type, tostring, pairs, setmetatable, rawget, select
local upper, find, sub, concat = string.upper, string.find, string.sub, table.concat

local _M = {}

-- A request that looks like one from a browser.
local function build_request(method, path, headers)
  local env = {
    GATEWAY_INTERFACE = "CGI/1.1",
    HTTP_ACCEPT = "application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5",
    HTTP_ACCEPT_CHARSET = "ISO-8859-1,utf-8;q=0.7,*;q=0.3",
    HTTP_ACCEPT_ENCODING = "gzip,deflate,sdch",
    HTTP_ACCEPT_LANGUAGE = "en-US,en;q=0.8",
    HTTP_CACHE_CONTROL = "max-age=0",
    HTTP_CONNECTION = "keep-alive",
    HTTP_HOST = "127.0.0.1:80",
    HTTP_USER_AGENT = "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_6_4; en-US) AppleWebKit/534.3 "
      .. "(KHTML, like Gecko) Chrome/6.0.472.55",
    HTTP_VERSION = "HTTP/1.1",
    REMOTE_ADDR = "127.0.0.1",
    REMOTE_HOST = "localhost",
    SCRIPT_NAME = "wsapi_test",
    SERVER_NAME = "localhost",
    SERVER_PORT = "80",
    SERVER_PROTOCOL = "HTTP/1.1",
  }
  path = path or "/"
  local query
  local q = find(path, "?", 1, true)
  if q then
    path, query = sub(path, 1, q - 1), sub(path, q + 1)
  end
  env.PATH_INFO = path ~= "" and path or "/"
  env.REQUEST_METHOD = upper(method)
  env.METHOD = env.REQUEST_METHOD
  env.REQUEST_PATH = "/"
  for k, v in pairs(headers or {}) do env[k] = v end
  if env.CONTENT_TYPE == nil and env["Content-Type"] ~= nil then env.CONTENT_TYPE = env["Content-Type"] end
  -- lowercase names read as their uppercase ones
  setmetatable(env, { __index = function(t, k)
    if type(k) == "string" then return rawget(t, upper(k)) end
  end })
  return env, query
end

-- An input (read) and output (write) object over a string.
local function make_io_object(content)
  local io_object = { buffer = content or "", bytes_read = 0 }

  function io_object:write(...)
    for i = 1, select("#", ...) do
      local s = select(i, ...)
      if s then self.buffer = self.buffer .. tostring(s) end
    end
  end

  function io_object:read(n)
    local left = #self.buffer - self.bytes_read
    if left <= 0 then return nil end
    if n == nil or n == "*a" or n == "a" or n > left then n = left end
    if n <= 0 then return nil end
    local s = sub(self.buffer, self.bytes_read + 1, self.bytes_read + n)
    self.bytes_read = self.bytes_read + n
    return s
  end

  function io_object:clear()
    self.buffer = ""
    self.bytes_read = 0
  end

  function io_object:reset()
    self.bytes_read = 0
  end

  return io_object
end

local function join_query(a, b)
  if a and a ~= "" and b and b ~= "" then return a .. "&" .. b end
  if a and a ~= "" then return a end
  return b or ""
end

local function build_get(path, params, headers)
  local env, query = build_request("GET", path, headers)
  env.QUERY_STRING = join_query(query, request.methods.qs_encode(nil, params))
  env.REQUEST_URI = "http://" .. env.HTTP_HOST .. env.PATH_INFO
    .. (env.QUERY_STRING ~= "" and ("?" .. env.QUERY_STRING) or "")
  return { env = env, input = make_io_object(), output = make_io_object(), error = make_io_object() }
end

local function build_post(path, params, headers, method)
  headers = headers or {}
  local env, query = build_request(method or "POST", path, headers)
  env.QUERY_STRING = query or ""
  env.REQUEST_URI = "http://" .. env.HTTP_HOST .. env.PATH_INFO
    .. (env.QUERY_STRING ~= "" and ("?" .. env.QUERY_STRING) or "")
  local body
  if env.CONTENT_TYPE ~= nil then
    body = params or ""
    if type(body) == "table" then body = request.methods.qs_encode(nil, body) end
  else
    body = type(params) == "string" and params or request.methods.qs_encode(nil, params)
    env.CONTENT_TYPE = "application/x-www-form-urlencoded"
  end
  env.CONTENT_LENGTH = headers["Content-Length"] or headers.CONTENT_LENGTH or #body
  return { env = env, input = make_io_object(body), output = make_io_object(), error = make_io_object() }
end

local function nonempty(s)
  if s ~= "" then return s end
  return nil
end

-- Runs the app like a connector: the response table and the env the request was built from.
local function make_request(builder, app, path, params, headers, method)
  local t = builder(path, params, headers, method)
  local env = common.wsapi_env(t)
  local response = {}
  local ok, status, res_headers, iter = common.run_app(app, env)
  if ok then
    response.code, response.headers = status, res_headers or {}
    if iter then common.send_content(t.output, iter) end
  else
    local line, err_headers, page, is_error = common.failure_response(env, status)
    if is_error then t.error:write("WSAPI error in application: " .. tostring(status) .. "\n") end
    response.code, response.headers = line, err_headers
    t.output:write(page)
  end
  response.body = nonempty(t.output.buffer)
  response.wsapi_errors = nonempty(t.error.buffer)
  return response, t.env
end

local function get(self, path, params, headers)
  return make_request(build_get, self.app, path, params, headers)
end

local function post(self, path, params, headers)
  return make_request(build_post, self.app, path, params, headers)
end

-- Any method with a body, e.g. handler:request("PUT", "/items/1", '{"a":1}', { ["Content-Type"] = "application/json" })
local function any(self, method, path, params, headers)
  if upper(method) == "GET" then return get(self, path, params, headers) end
  return make_request(build_post, self.app, path, params, headers, method)
end

-- A handler for app (a function, a table with run, or a module name).
function _M.make_handler(app)
  return { app = app, get = get, post = post, request = any }
end

return _M
