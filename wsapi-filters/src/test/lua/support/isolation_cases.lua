-- The isolation filter's cases, run once with a Rings stand-in and once with the real rings.

local isolation = require "wsapi.filters.isolation"
local fake = require "support.fake"

local M = {}

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- two apps that use the same global names for different things
local APP_A = [[
counter = (counter or 0) + 1
name = "A"
return function(env)
  counter = counter + 1
  return 200, { ["Content-Type"] = "text/plain", ["X-App"] = name }, coroutine.wrap(function()
    coroutine.yield(name .. ":" .. counter .. ":" .. env.PATH_INFO)
  end)
end
]]

local APP_B = [[
name = "B"
counter = "not a number"
string.shout = function(s) return s:upper() end
return function(env)
  local body = env.input:read(5)
  env.error:write("b was here\n")
  return "201 Created", { ["Content-Type"] = "text/plain", ["Set-Cookie"] = { "x=1", "y=2" } }, coroutine.wrap(function()
    coroutine.yield(name .. ":" .. counter .. ":")
    coroutine.yield(("body"):shout() .. "=" .. tostring(body))
  end)
end
]]

local APP_CRASH = [[
return function(env)
  if env.PATH_INFO == "/crash" then
    polluted = true
    error("crashed on purpose")
  end
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("polluted=" .. tostring(polluted))
  end)
end
]]

function M.define(rings)
  describe("wsapi.filters.isolation", function()
    setup(function()
      write("iso_a.lua", APP_A)
      write("iso_b.lua", APP_B)
      write("iso_crash.lua", APP_CRASH)
    end)

    it("serves two apps with conflicting globals side by side", function()
      local a = isolation("iso_a.lua", { rings = rings })
      local b = isolation("iso_b.lua", { rings = rings })
      local both = function(env)
        if env.PATH_INFO:find("^/b") then return b(env) end
        return a(env)
      end
      local r1 = fake.request(both, "GET", "/a")
      assert.equals("A:2:/a", r1.body)
      assert.equals("A", fake.header(r1, "X-App"))
      local r2 = fake.request(both, "POST", "/b", { body = "hello world" })
      assert.equals(201, r2.status)
      assert.equals("B:not a number:BODY=hello", r2.body)
      assert.same({ "x=1", "y=2" }, fake.header(r2, "Set-Cookie"))
      assert.equals("b was here\n", r2.env.error.lines[1])
      assert.equals("A:3:/a", fake.request(both, "GET", "/a").body)
      -- nothing leaked into this state
      assert.is_nil(rawget(_G, "counter"))
      assert.is_nil(rawget(_G, "name"))
      assert.is_nil(string.shout)
    end)

    it("streams the child's body chunk by chunk", function()
      local b = isolation("iso_b.lua", { rings = rings })
      local _, _, body = b(fake.env("POST", "/b", { body = "12345" }))
      assert.equals("B:not a number:", body())
      assert.equals("BODY=12345", body())
      assert.is_nil(body())
    end)

    it("raises the app's error, and with renew_on_error starts the next request afresh", function()
      local kept = isolation("iso_crash.lua", { rings = rings })
      assert.error_matches(function() fake.request(kept, "GET", "/crash") end, "crashed on purpose")
      assert.equals("polluted=true", fake.request(kept, "GET", "/").body)
      local renewed = isolation("iso_crash.lua", { rings = rings, renew_on_error = true })
      assert.error_matches(function() fake.request(renewed, "GET", "/crash") end, "crashed on purpose")
      assert.equals("polluted=nil", fake.request(renewed, "GET", "/").body)
    end)

    it("reports an app that does not load", function()
      write("iso_broken.lua", "return function(")
      assert.error_matches(function() fake.request(isolation("iso_broken.lua", { rings = rings }), "GET", "/") end, "cannot load .-iso_broken%.lua")
      write("iso_notapp.lua", "return 42")
      assert.error_matches(function() fake.request(isolation("iso_notapp.lua", { rings = rings }), "GET", "/") end, "not a WSAPI application")
      assert.error_matches(function() isolation(function() end, { rings = rings }) end, "give the app's file or module name")
    end)

    it("gives an app using wsapi.request a form sent with or without Content-Length", function()
      write("iso_form.lua", [[
local request = require "wsapi.request"
return function(env)
  local req = request.new(env)
  local text = "a=" .. tostring(req.POST.a) .. " b=" .. tostring(req.POST.b) .. " length=" .. tostring(env.input.length)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
]])
      local app = isolation("iso_form.lua", { rings = rings })
      local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
      assert.equals("a=1 b=two length=9", fake.request(app, "POST", "/", { body = "a=1&b=two", headers = form }).body)
      assert.equals("a=1 b=two length=0", fake.request(app, "POST", "/", { body = "a=1&b=two", headers = form, chunked = true }).body)
    end)

    it("runs a bootstrap first", function()
      write("iso_boot.lua", [[return function() return 200, {}, coroutine.wrap(function() coroutine.yield(GREETING) end) end]])
      local app = isolation("iso_boot.lua", { rings = rings, bootstrap = "GREETING = 'hi from bootstrap'" })
      assert.equals("hi from bootstrap", fake.request(app, "GET", "/").body)
    end)
  end)
end

return M
