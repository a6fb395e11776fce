-- require of a C module that Apogee does not provide says so, after the usual search list.

local function require_error(name)
  local ok, err = pcall(require, name)
  assert.is_false(ok, name .. " should not load")
  package.loaded[name] = nil
  return err
end

describe("a missing native module", function()
  it("is named, with the places searched and the reason", function()
    local err = require_error("lpeg")
    assert.matches("module 'lpeg' not found", err, 1, true)
    assert.matches("no field package.preload['lpeg']", err, 1, true)
    assert.matches("./lpeg.lua", err, 1, true)
    assert.matches("'lpeg' is a native (C) module (LPeg) that Apogee does not provide", err, 1, true)
  end)

  it("covers the common C libraries and their submodules", function()
    for _, name in ipairs { "socket", "socket.core", "socket.http", "mime.core", "ssl", "luasql.postgres",
      "luasql.sqlite3", "luasql.mysql", "cjson", "cjson.safe", "posix", "lsqlite3", "lxp", "md5", "zlib",
      "iconv", "rex_pcre", "bit", "ffi", "lfcgi" } do
      local err = require_error(name)
      assert.matches("module '" .. name .. "' not found", err, 1, true)
      assert.matches("'" .. name .. "' is a native (C) module", err, 1, true)
    end
  end)

  it("names the library a submodule comes from", function()
    assert.matches("(LuaSocket)", require_error("socket.http"), 1, true)
    assert.matches("(LuaSQL)", require_error("luasql.postgres"), 1, true)
  end)

  it("is not claimed for modules that are simply missing", function()
    local err = require_error("my_own_missing_module")
    assert.matches("module 'my_own_missing_module' not found", err, 1, true)
    assert.not_matches("native", err)
    assert.not_matches("native", require_error("lpegish"))
  end)

  it("does not stop a Lua or preloaded version from loading", function()
    package.preload.cjson = function() return { encode = function() return "{}" end } end
    finally(function() package.preload.cjson = nil; package.loaded.cjson = nil end)
    assert.equals("{}", require("cjson").encode({}))
  end)

  it("is explained by the last of package.searchers", function()
    local last = package.searchers[#package.searchers]
    assert.is_function(last)
    assert.matches("native", last("lpeg"))
    assert.is_nil(last("anything_else"))
  end)

  it("leaves the modules Apogee provides in Java loadable", function()
    for _, name in ipairs { "lfs", "rings", "coxpcall" } do
      assert.truthy(require(name), name)
    end
  end)
end)
