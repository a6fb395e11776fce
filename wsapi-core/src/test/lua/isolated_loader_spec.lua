-- wsapi.common's isolated loader over the real wsapi.ringer and rings.
local common = require "wsapi.common"
local mock = require "wsapi.mock"
local lfs = require "lfs"

describe("make_isolated_loader", function()
  it("runs the app in a ring that keeps its globals across requests, apart from the caller", function()
    local file = lfs.currentdir() .. "/fixtures/isolated_app.lua"
    local h = mock.make_handler(common.make_isolated_loader{ filename = file, launcher = "spec" })
    local first = h:get("/a")
    local second = h:get("/b")
    assert.equals(200, first.code)
    assert.equals("count=2 path=/a", first.body)
    assert.equals("count=3 path=/b", second.body)
    assert.is_nil(rawget(_G, "counter"))
  end)
end)
