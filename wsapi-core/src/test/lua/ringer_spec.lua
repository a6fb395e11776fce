-- wsapi.ringer: a WSAPI application served from inside a ring.

local ringer = require "wsapi.ringer"

-- A request env as a server gives it: undefined keys read "", input and error objects.
local function make_env(t)
  local body, pos = t.body or "", 1
  local log = {}
  local env = {
    REQUEST_METHOD = t.method or "GET",
    PATH_INFO = t.path or "/",
    QUERY_STRING = t.query or "",
    CONTENT_LENGTH = tostring(#body),
    SCRIPT_NAME = "/app",
    input = {
      read = function(_, n)
        n = n or #body
        if n <= 0 or pos > #body then return nil end
        local s = body:sub(pos, pos + n - 1)
        pos = pos + #s
        return s
      end,
    },
    error = {
      write = function(_, ...)
        for i = 1, select("#", ...) do log[#log + 1] = tostring(select(i, ...)) end
      end,
    },
  }
  for k, v in pairs(t.extra or {}) do env[k] = v end
  return setmetatable(env, { __index = function() return "" end }), log
end

local function drain(iter)
  local out = {}
  for chunk in iter do out[#out + 1] = chunk end
  return table.concat(out)
end

describe("wsapi.ringer", function()
  it("serves a request from inside a ring", function()
    local app = ringer.new("fixtures.ringer.app")
    local env, log = make_env { path = "/hello", body = "abcdefgh" }
    local status, headers, iter = app(env)
    assert.equals(200, status)
    assert.equals("text/plain", headers["Content-Type"])
    assert.equals(1, headers["X-Requests"])
    assert.same({ "a=1", "b=2" }, headers["Set-Cookie"])
    assert.equals(table.concat {
      "path=/hello\n",
      "first=abcd\n",
      "rest=efgh\n",
      "missing=[]\n",
      "requests=1\n",
      "ring_global=nil\n",
    }, drain(iter))
    assert.equals("request 1\n", table.concat(log))
  end)

  it("keeps the application's globals in its ring, across requests", function()
    master_only = "master"
    finally(function() master_only = nil end)
    local app = ringer.new("fixtures.ringer.app")
    for i = 1, 3 do
      local status, headers, iter = app(make_env {})
      assert.equals(i, headers["X-Requests"])
      assert.matches("ring_global=nil", drain(iter))
    end
    assert.is_nil(rawget(_G, "requests"))
    assert.is_nil(package.loaded["fixtures.ringer.app"])
  end)

  it("gives each ringer a ring of its own", function()
    local one = ringer.new("fixtures.ringer.app")
    local two = ringer.new("fixtures.ringer.app")
    drain(select(3, one(make_env {})))
    drain(select(3, one(make_env {})))
    local _, headers, iter = two(make_env {})
    assert.equals(1, headers["X-Requests"])
    drain(iter)
  end)

  it("writes keys the application sets back to the server's env", function()
    local app = ringer.new("fixtures.ringer.app")
    local env = make_env {}
    drain(select(3, app(env)))
    assert.equals("yes", rawget(env, "SEEN_BY_APP"))
  end)

  it("is busy while a body is being sent", function()
    local app, data = ringer.new("fixtures.ringer.app")
    assert.is_number(data.created_at)
    local _, _, iter = app(make_env {})
    assert.is_not_nil(rawget(data, "status"))
    assert.error_matches(function() app(make_env {}) end, "this state is already in use")
    drain(iter)
    assert.is_nil(rawget(data, "status"))
    assert.is_nil(rawget(data, "env"))
    local _, headers, iter2 = app(make_env {})
    assert.equals(2, headers["X-Requests"])
    drain(iter2)
  end)

  it("answers 500 with the error page when the application fails before the headers", function()
    local app, data = ringer.new("fixtures.ringer.failing")
    local status, headers, iter = app(make_env { query = "before" })
    assert.equals(500, status)
    assert.equals("text/html", headers["Content-Type"])
    local page = drain(iter)
    assert.matches("WSAPI Error in Application", page, 1, true)
    assert.matches("broken before the headers", page, 1, true)
    assert.is_nil(rawget(data, "status"))
  end)

  it("answers the status of an error table such as {404, message}", function()
    local app = ringer.new("fixtures.ringer.failing")
    local env = make_env { query = "notfound" }
    local status, headers, iter = app(env)
    assert.equals(404, status)
    assert.equals("text/html", headers["Content-Type"])
    assert.matches("no such page", drain(iter), 1, true)
    assert.equals(404, rawget(env, "STATUS"))
  end)

  it("raises an error in the body in the caller, and is free again", function()
    local app, data = ringer.new("fixtures.ringer.failing")
    local status, _, iter = app(make_env { query = "after" })
    assert.equals(200, status)
    assert.equals("partial", iter())
    assert.error_matches(function() iter() end, "broken during the body")
    assert.is_nil(iter())
    assert.is_nil(rawget(data, "status"))
    assert.equals(204, (app(make_env { query = "empty" })))
  end)

  it("lets wsapi.request read a form sent with or without Content-Length", function()
    local app = ringer.new("fixtures.ringer.form_app")
    local form = { CONTENT_TYPE = "application/x-www-form-urlencoded" }
    local _, _, iter = app(make_env { method = "POST", body = "a=1&b=two", extra = form })
    assert.equals("a=1 b=two", drain(iter))
    local env = make_env { method = "POST", body = "a=1&b=two", extra = form }
    env.CONTENT_LENGTH = nil
    env.HTTP_TRANSFER_ENCODING = "chunked"
    _, _, iter = app(env)
    assert.equals("a=1 b=two", drain(iter))
  end)

  it("handles an empty body", function()
    local app, data = ringer.new("fixtures.ringer.failing")
    local status, headers, iter = app(make_env { query = "empty" })
    assert.equals(204, status)
    assert.same({}, headers)
    assert.is_nil(iter())
    assert.is_nil(rawget(data, "status"))
  end)

  it("loads an application by file name", function()
    local app = ringer.new("fixtures/ringer/file_app.lua", nil, true)
    local status, _, iter = app(make_env {})
    assert.equals(200, status)
    assert.equals("from a file; booted=nil", drain(iter))
  end)

  it("runs a bootstrap, as Lua source or as a file, before loading the application", function()
    local app = ringer.new("fixtures/ringer/file_app.lua", "booted = 'by source'", true)
    assert.equals("from a file; booted=by source", drain(select(3, app(make_env {}))))
    app = ringer.new("fixtures/ringer/file_app.lua", "fixtures/ringer/bootstrap.lua", true)
    assert.equals("from a file; booted=by file", drain(select(3, app(make_env {}))))
    assert.is_nil(rawget(_G, "booted"))
  end)

  it("fails to build when the application or the bootstrap cannot be loaded", function()
    assert.error_matches(function() ringer.new("fixtures.ringer.no_such_app") end, "no_such_app")
    assert.error_matches(function() ringer.new("fixtures.ringer.app", "this is not lua") end, "could not load")
    assert.error_matches(function() ringer.new(function() end) end, "module or file name")
  end)

  it("closes a ring flagged for cleanup once its body is done", function()
    local app, data = ringer.new("fixtures.ringer.app")
    local _, _, iter = app(make_env {})
    data.cleanup = true
    drain(iter)
    assert.error_matches(function() app(make_env {}) end, "closed state")
  end)

  it("copies a FastCGI-style env.headers table into the ring", function()
    local app = ringer.new("fixtures/ringer/headers_app.lua", nil, true)
    local env = make_env { extra = { headers = { HTTP_HOST = "example.org", SERVER_PORT = "8080" } } }
    assert.equals("example.org 8080", drain(select(3, app(env))))
  end)
end)
