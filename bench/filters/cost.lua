-- The apps FilterCost.java measures: the hello app bare and behind filters, each called with a
-- prepared env and its body drained, in process (no HTTP). Returns { name = app }, the order, and
-- a function that runs an app n times.
local filters = require "wsapi.filters"

local function hello(env)
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = "12" }, coroutine.wrap(function()
    coroutine.yield("Hello World!")
  end)
end

local function hello_user(env)
  local user = env.session:get("user")
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = "12" }, coroutine.wrap(function()
    coroutine.yield("Hello " .. user .. "!")
  end)
end

local log = os.getenv("APOGEE_BENCH_LOG") or os.tmpname()
local secret = ("bench-secret-"):rep(4)
local store = filters.session.memory { name = "bench" }
local meta = { __index = function() return "" end }
local cookie = ""
local function env()
  return setmetatable({
    REQUEST_METHOD = "GET", SCRIPT_NAME = "", PATH_INFO = "/", QUERY_STRING = "", SERVER_NAME = "127.0.0.1",
    SERVER_PORT = "8080", SERVER_PROTOCOL = "HTTP/1.1", REMOTE_ADDR = "127.0.0.1", REMOTE_PORT = "50000",
    REQUEST_URI = "/", HTTP_HOST = "127.0.0.1:8080", HTTP_USER_AGENT = "wrk", HTTP_COOKIE = cookie,
    input = { read = function() return nil end }, error = { write = function() end },
  }, meta)
end

local _, headers = filters.session(function(e)
  e.session:set("user", "World")
  return 200, {}, nil
end, { secret = secret, store = store })(env())
cookie = headers["Set-Cookie"]:match("^([^;]+)")

local apps = {
  bare = hello,
  logging = filters.logging(hello, { file = log }),
  session = filters.session(hello, { secret = secret, store = store }),
  stack = filters.stack { { filters.logging, file = log }, { filters.session, secret = secret, store = store }, hello },
  stack_session_read = filters.stack { { filters.logging, file = log }, { filters.session, secret = secret, store = store }, hello_user },
}
local order = { "bare", "logging", "session", "stack", "stack_session_read" }

return apps, order, function(app, n)
  for _ = 1, n do
    local _, _, body = app(env())
    while body() do end
  end
end
