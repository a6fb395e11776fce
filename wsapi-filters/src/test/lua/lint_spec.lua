-- wsapi.filters.lint: every rule fails with a precise message; well-behaved apps pass untouched.

local lint = require "wsapi.filters.lint"
local fake = require "support.fake"

local function ok_app(env)
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = "2" }, coroutine.wrap(function() coroutine.yield("ok") end)
end

local function answering(status, headers, iterator)
  return function() return status, headers, iterator end
end

local function once(s)
  local done = false
  return function() if done then return nil end done = true return s end
end

-- runs app under strict lint; returns the error message or nil
local function lint_error(app, env)
  local ok, err = pcall(fake.call, lint(app, { strict = true }), env or fake.env("GET", "/"))
  if ok then return nil end
  return tostring(err)
end

local function fails(pattern, app, env)
  local err = lint_error(app, env)
  assert.truthy(err, "expected lint to fail with " .. pattern)
  assert.matches("wsapi%.lint: ", err)
  assert.matches(pattern, err)
end

describe("wsapi.filters.lint", function()
  it("lets a correct app and env through unchanged", function()
    local r = fake.call(lint(ok_app, { strict = true }), fake.env("GET", "/x?y=1"))
    assert.equals(200, r.status)
    assert.equals("ok", r.body)
    assert.is_nil(lint_error(ok_app))
  end)

  it("lets wsapi.request read a form sent with or without Content-Length through its input", function()
    local request = require "wsapi.request"
    local seen
    local app = lint(function(env)
      seen = request.new(env).POST
      return ok_app(env)
    end, { strict = true })
    for _, chunked in ipairs({ false, true }) do
      seen = nil
      local r = fake.call(app, fake.env("POST", "/", { body = "a=1&b=2", chunked = chunked,
        headers = { ["Content-Type"] = "application/x-www-form-urlencoded" } }))
      assert.equals(200, r.status)
      assert.same({ a = "1", b = "2" }, seen, chunked and "chunked" or "with Content-Length")
    end
  end)

  describe("the env", function()
    local function env_with(changes)
      local env = fake.env("GET", "/")
      for k, v in pairs(changes) do rawset(env, k, v) end
      return env
    end

    it("needs CGI variables as strings", function()
      fails("env%.SERVER_NAME must be a string, got true", ok_app, env_with { SERVER_NAME = true })
      fails("env%.SERVER_PORT is the number 80; connectors should give strings", ok_app, env_with { SERVER_PORT = 80 })
    end)

    it("needs undefined variables to read \"\"", function()
      local env = env_with {}
      setmetatable(env, nil)
      fails('an undefined env variable must read "", but env%.WSAPI_LINT_UNDEFINED_VARIABLE is nil', ok_app, env)
    end)

    it("checks the SCRIPT_NAME / PATH_INFO split", function()
      fails('SCRIPT_NAME is "/"; at the root it must be "" %(with PATH_INFO "/"%)', ok_app, env_with { SCRIPT_NAME = "/" })
      fails('SCRIPT_NAME must not end with "/"', ok_app, env_with { SCRIPT_NAME = "/app/" })
      fails('SCRIPT_NAME must be "" or start with "/"', ok_app, env_with { SCRIPT_NAME = "app" })
      fails('PATH_INFO is ""; an empty PATH_INFO must be "/"', ok_app, env_with { PATH_INFO = "" })
      fails('PATH_INFO must start with "/"', ok_app, env_with { PATH_INFO = "x" })
    end)

    it("checks method, query, port and length", function()
      fails("REQUEST_METHOD must be a method token", ok_app, env_with { REQUEST_METHOD = "GE T" })
      fails('QUERY_STRING must not start with "%?"', ok_app, env_with { QUERY_STRING = "?a=1" })
      fails("SERVER_PORT must be a decimal port number", ok_app, env_with { SERVER_PORT = "http" })
      fails('CONTENT_LENGTH must be "" or a decimal string', ok_app, env_with { CONTENT_LENGTH = "-1" })
      fails("env%.HTTP_X must be a string, got 5", ok_app, env_with { HTTP_X = 5 })
    end)

    it("needs input and error objects", function()
      fails("env%.input must be an object with a read method", ok_app, env_with { input = "body" })
      fails("env%.error must be an object with a write method", ok_app, env_with { error = {} })
    end)
  end)

  describe("input and error as the app uses them", function()
    it("checks read's calling convention and arguments", function()
      fails("call env%.input:read%(n%) with a colon", function(env) env.input.read(5) return ok_app(env) end)
      fails("takes a byte count or nothing, got \"%*l\"", function(env) env.input:read("*l") return ok_app(env) end)
      fails("whole number of bytes >= 0, got %-1", function(env) env.input:read(-1) return ok_app(env) end)
      fails('read%("%*a"%) is an Apogee extension', function(env) env.input:read("*a") return ok_app(env) end)
      assert.is_nil(lint_error(function(env)
        assert.equals("abc", env.input:read(3))
        assert.equals("de", env.input:read(5))
        assert.is_nil(env.input:read(5))
        return ok_app(env)
      end, fake.env("POST", "/", { body = "abcde" })))
    end)

    it("checks what the server's input returns", function()
      local env = fake.env("POST", "/", { body = "abc" })
      rawset(env, "input", { read = function(self, n) return "too many bytes" end })
      fails("env%.input:read%(2%) returned 14 bytes", function(e) e.input:read(2) return ok_app(e) end, env)
    end)

    it("checks error:write", function()
      fails("call env%.error:write%(%.%.%.%) with a colon", function(env) env.error.write("x") return ok_app(env) end)
      fails("env%.error:write takes strings, got", function(env) env.error:write({}) return ok_app(env) end)
      local env = fake.env("GET", "/")
      local lines = env.error.lines
      assert.is_nil(lint_error(function(e) e.error:write("fine\n") return ok_app(e) end, env))
      assert.equals("fine\n", lines[1])
    end)
  end)

  describe("the answer", function()
    it("checks the status", function()
      fails("the status must be a three%-digit code, got 99", answering(99, {}, once("")))
      fails('the status must look like 200, "200" or "200 OK", got "OK"', answering("OK", {}, once("")))
      fails("the status must be a number or a string, got nil", answering(nil, {}, once("")))
      assert.is_nil(lint_error(answering("404 Not Found", { ["Content-Type"] = "text/plain" }, once("x"))))
      assert.is_nil(lint_error(answering("200", { ["Content-Type"] = "text/plain" }, once("x"))))
    end)

    it("checks header names and values", function()
      fails("the headers must be a table %(use {} for none%), got nil", answering(200, nil, once("")))
      fails('invalid response header name "Bad Name"', answering(200, { ["Bad Name"] = "x" }, once("")))
      fails("response header names must be strings, got .- %(an array of headers%?", answering(200, { "Content-Type: x" }, once("")))
      fails('response header "X%-A" contains an LF %(\\n%) at byte 2', answering(200, { ["X-A"] = "a\nSet-Cookie: evil" }, once("")))
      fails('response header "X%-A"%[2%] contains a CR', answering(200, { ["X-A"] = { "ok", "b\r" } }, once("")))
      fails('response header "X%-A" contains a NUL', answering(200, { ["X-A"] = "a\0" }, once("")))
      fails('response header "X%-A" must be a string or a number, got true', answering(200, { ["X-A"] = true }, once("")))
      fails('a "Status" header is not allowed', answering(200, { Status = "200" }, once("")))
      fails("Content%-Length must be a decimal number of bytes", answering(200, { ["Content-Length"] = "ten" }, once("")))
      fails("the response has no Content%-Type header", answering(200, {}, once("x")))
      fails("have both", answering(200, { ["Content-Type"] = "a/b", ["content-type"] = "a/b" }, once("x")))
      fails("a 304 response should have no Content%-Type", answering(304, { ["Content-Type"] = "a/b" }, once(nil)))
    end)

    it("checks the iterator and the body", function()
      local ct = { ["Content-Type"] = "text/plain" }
      fails("the third value must be the body iterator, a function, got nil", answering(200, ct, nil))
      fails('the body iterator returned .- chunks must be strings', answering(200, ct, once({})))
      fails("the body iterator returned the number 5", answering(200, ct, once(5)))
      fails("the body had 2 bytes but Content%-Length said 3",
        answering(200, { ["Content-Type"] = "a/b", ["Content-Length"] = 3 }, once("ab")))
      fails("more bytes %(4 so far%) than Content%-Length said %(3%)",
        answering(200, { ["Content-Type"] = "a/b", ["Content-Length"] = 3 }, once("abcd")))
      fails("a 204 response must have no body", answering(204, {}, once("x")))
    end)

    it("catches a server that calls the iterator after its end", function()
      local _, _, body = lint(ok_app)(fake.env("GET", "/"))
      assert.equals("ok", body())
      assert.is_nil(body())
      assert.error_matches(function() body() end, "called the body iterator again after it returned nil")
    end)

    it("sends warnings to env.error unless strict, or to a function of yours", function()
      local env = fake.env("GET", "/")
      local lines = env.error.lines
      fake.call(lint(answering(200, {}, once("x"))), env)
      assert.matches("^wsapi%.lint warning: the response has no Content%-Type header", lines[1])
      local seen = {}
      fake.call(lint(answering(200, {}, once("x")), { warn = function(m) seen[#seen + 1] = m end }), fake.env("GET", "/"))
      assert.equals(1, #seen)
    end)
  end)
end)

-- The project's sample apps, each run under strict lint with a few requests.
describe("the sample apps under lint", function()
  local function load_app(path)
    local chunk = assert(loadfile(path))
    local modname = path:match("([^/]+)%.lua$")
    local saved_run = _G.run
    _G.run = nil
    local result = chunk(modname)
    local app = result
    if type(app) == "table" then app = app.run end
    if type(app) ~= "function" then app = _G.run end
    _G.run = saved_run
    assert.is_function(app, path)
    return app
  end

  for _, name in ipairs({ "hello.lua", "hello-war/index.lua", "hello-war/env.lua", "hello-war/headers.lua", "hello-war/stream.lua" }) do
    it(name .. " keeps the contract", function()
      local app = lint(load_app("samples/" .. name), { strict = true })
      local get = fake.request(app, "GET", "/some/path?a=1", { headers = { ["X-Thing"] = "v" } })
      assert.truthy(get.status >= 200, name)
      fake.request(app, "POST", "/form", { body = "hello", headers = { ["Content-Type"] = "text/plain" } })
      fake.request(app, "HEAD", "/")
    end)
  end

  it("hello-war/raise.lua fails as it means to, and lint lets its error through", function()
    local app = lint(load_app("samples/hello-war/raise.lua"), { strict = true })
    assert.error_matches(function() fake.request(app, "GET", "/") end, "boom before the headers")
  end)
end)
