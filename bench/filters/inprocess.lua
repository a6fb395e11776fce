-- In-process cost of the filters, without HTTP: calls the bare app and the logging + session
-- stack with prepared envs, draining each body, and prints microseconds per request.
-- Run: APOGEE_SESSION_SECRET=... ./apogee lua bench/filters/inprocess.lua [ITERATIONS] [LOGFILE]
local n = tonumber(arg[1]) or 200000
local logfile = arg[2] or os.tmpname()
local clock = require("wsapi.filters.logfile").clock

local filters = require "wsapi.filters"
local function hello(env)
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = "12" }, coroutine.wrap(function()
    coroutine.yield("Hello World!")
  end)
end
local function user(env)
  local text = "Hello " .. tostring(env.session:get("user")) .. "!"
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
local secret = os.getenv("APOGEE_SESSION_SECRET") or ("x"):rep(40)
local stack = filters.stack { { filters.logging, file = logfile }, { filters.session, secret = secret }, hello }
local session = filters.stack { { filters.logging, file = logfile }, { filters.session, secret = secret }, user }
local meta = { __index = function() return "" end }
local function env(cookie)
  return setmetatable({
    REQUEST_METHOD = "GET", SCRIPT_NAME = "", PATH_INFO = "/", QUERY_STRING = "", SERVER_NAME = "127.0.0.1",
    SERVER_PORT = "8080", SERVER_PROTOCOL = "HTTP/1.1", REMOTE_ADDR = "127.0.0.1", REQUEST_URI = "/",
    HTTP_HOST = "127.0.0.1:8080", HTTP_USER_AGENT = "bench", HTTP_COOKIE = cookie,
    error = { write = function() end },
  }, meta)
end

-- a session to read from
local _, headers = filters.stack { { filters.session, secret = secret }, function(e)
  e.session:set("user", "World")
  return 200, {}, nil
end }(env(nil))
local cookie = headers["Set-Cookie"]:match("^([^;]+)")

local function run(app, cookie_value)
  local t0 = clock()
  for _ = 1, n do
    local _, _, body = app(env(cookie_value))
    while body() do end
  end
  return (clock() - t0) / n
end
local bare, with_stack, with_session = {}, {}, {}
for round = 1, 3 do
  bare[round] = run(hello)
  with_stack[round] = run(stack)
  with_session[round] = run(session, cookie)
end
table.sort(bare) table.sort(with_stack) table.sort(with_session)
print(string.format("median of 3 rounds of %d requests: bare %.2f µs, logging+session %.2f µs (+%.2f), "
  .. "using the session %.2f µs (+%.2f)", n, bare[2], with_stack[2], with_stack[2] - bare[2], with_session[2], with_session[2] - bare[2]))
os.remove(logfile)
