-- examples/filters/request_id.lua: the user-written filter of docs/filters.md, under lint.
-- (The whole example stack, examples/filters/app.lua, is served over HTTP by FiltersHttpTest.)

local lint = require "wsapi.filters.lint"
local fake = require "support.fake"

package.path = "samples/filters/?.lua;" .. package.path
local request_id = require "request_id"

local function hello(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("id " .. env.REQUEST_ID)
    coroutine.yield("!")
  end)
end

describe("examples/filters/request_id.lua", function()
  it("gives each request an id, in the env and the response, and reports the bytes at the end", function()
    local app = lint(request_id(lint(hello)), { strict = true })
    local env = fake.env("GET", "/")
    local errors = env.error.lines
    local r = fake.call(app, env)
    local id = fake.header(r, "X-Request-Id")
    assert.matches("^[%w_%-]+$", id)
    assert.equals("id " .. id .. "!", r.body)
    assert.equals("request " .. id .. ": status 200, " .. #r.body .. " bytes\n", errors[1])
  end)

  it("keeps a sane id from the client and replaces others", function()
    local app = request_id(hello)
    assert.equals("abc-123", fake.header(fake.request(app, "GET", "/", { headers = { ["X-Request-Id"] = "abc-123" } }), "X-Request-Id"))
    assert.are_not.equal("<script>", fake.header(fake.request(app, "GET", "/", { headers = { ["X-Request-Id"] = "<script>" } }), "X-Request-Id"))
  end)

  it("does not change the app's headers table", function()
    local shared = { ["Content-Type"] = "text/plain" }
    local app = request_id(function() return 200, shared, function() return nil end end)
    fake.request(app, "GET", "/")
    assert.is_nil(shared["X-Request-Id"])
  end)
end)
