-- wsapi.filters.reload: loads the app on first use and again when one of its files changed.

local reload = require "wsapi.filters.reload"
local fake = require "support.fake"

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- modification times have a resolution of a second or finer; wait until a new write shows
local function touch_later(path, text)
  local before = require("wsapi.filters.files").mtime(path)
  local deadline = os.clock() + 3
  repeat
    write(path, text)
  until require("wsapi.filters.files").mtime(path) ~= before or os.clock() > deadline
end

describe("wsapi.filters.reload", function()
  it("reloads the app file and the modules it required when one changes", function()
    write("reload_helper.lua", 'return { word = "one" }')
    write("reload_app.lua", [[
      local helper = require "reload_helper"
      return function(env)
        return 200, {}, coroutine.wrap(function() coroutine.yield(helper.word .. " " .. VERSION) end)
      end
    ]])
    VERSION = "v1"
    local app = reload("reload_app.lua", { period = 0 })
    assert.equals("one v1", fake.request(app, "GET", "/").body)
    touch_later("reload_helper.lua", 'return { word = "two" }')
    assert.equals("two v1", fake.request(app, "GET", "/").body)
    touch_later("reload_app.lua", [[
      local helper = require "reload_helper"
      return function(env)
        return 200, {}, coroutine.wrap(function() coroutine.yield("new " .. helper.word) end)
      end
    ]])
    assert.equals("new two", fake.request(app, "GET", "/").body)
    -- still watching the helper after a reload
    touch_later("reload_helper.lua", 'return { word = "three" }')
    assert.equals("new three", fake.request(app, "GET", "/").body)
  end)

  it("raises a load error and tries again on the next request", function()
    write("reload_broken.lua", "return function(env) return 200, {}, nil end")
    local app = reload("reload_broken.lua", { period = 0 })
    assert.equals(200, fake.request(app, "GET", "/").status)
    touch_later("reload_broken.lua", "return function(env")
    assert.error_matches(function() fake.request(app, "GET", "/") end, "reload_broken.lua")
    assert.error_matches(function() fake.request(app, "GET", "/") end, "reload_broken.lua")
    touch_later("reload_broken.lua", "return function(env) return 204, {}, nil end")
    assert.equals(204, fake.request(app, "GET", "/").status)
  end)

  it("loads modules by name and explains misuse", function()
    write("reload_mod.lua", "return { run = function(env) return 202, {}, nil end }")
    assert.equals(202, fake.request(reload("reload_mod", { period = 0 }), "GET", "/").status)
    assert.error_matches(function() reload(function() end) end, "give the app's file or module name")
    write("reload_notapp.lua", "return 42")
    assert.error_matches(function() fake.request(reload("reload_notapp.lua"), "GET", "/") end, "not a WSAPI application")
  end)

  it("checks the files at most every period", function()
    write("reload_period.lua", 'return function() return 200, {}, coroutine.wrap(function() coroutine.yield("a") end) end')
    local app = reload("reload_period.lua", { period = 3600 })
    assert.equals("a", fake.request(app, "GET", "/").body)
    touch_later("reload_period.lua", 'return function() return 200, {}, coroutine.wrap(function() coroutine.yield("b") end) end')
    assert.equals("a", fake.request(app, "GET", "/").body)
  end)
end)
