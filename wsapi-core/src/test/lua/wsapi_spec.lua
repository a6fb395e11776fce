-- The shared wsapi table, and apogee.paths (the file calls of wsapi.common's loaders).

describe("require 'wsapi'", function()
  it("is the global wsapi table, with WSAPI's version fields", function()
    local w = require "wsapi"
    assert.equals(w, wsapi)
    assert.equals("WSAPI 1.7", w._VERSION)
    assert.is_string(w._DESCRIPTION)
  end)

  it("loads the libraries on first use, for code that calls wsapi.common.* without requiring it", function()
    local w = require "wsapi"
    assert.equals(require "wsapi.util", w.util)
    assert.is_function(w.common.run_app)
    assert.is_function(w.request.new)
    assert.is_function(w.response.new)
    assert.is_function(w.mock.make_handler)
    assert.is_nil(w.no_such_library)
  end)

  it("keeps a wsapi global made before it, so wsapi.app_path and require('wsapi').app_path agree", function()
    local saved_loaded, saved_global = package.loaded.wsapi, rawget(_G, "wsapi")
    package.loaded.wsapi = nil
    rawset(_G, "wsapi", { app_path = "/srv/app" })
    local w = require "wsapi"
    assert.equals(rawget(_G, "wsapi"), w)
    assert.equals("/srv/app", w.app_path)
    w.app_path = "/elsewhere"
    assert.equals("/elsewhere", wsapi.app_path)
    package.loaded.wsapi = saved_loaded
    rawset(_G, "wsapi", saved_global)
  end)
end)

describe("apogee.paths", function()
  local paths = require "apogee.paths"

  it("answers attributes as LuaFileSystem does", function()
    local here = paths.currentdir()
    assert.equals("directory", paths.attributes(here, "mode"))
    assert.equals("file", paths.attributes("fixtures/docroot/hello.lua", "mode"))
    local all = paths.attributes("fixtures/docroot/data.txt")
    assert.equals("file", all.mode)
    assert.equals(22, all.size)
    assert.is_number(all.modification)
    assert.truthy(all.modification > 1000000000)
    local none, err = paths.attributes("no/such/file")
    assert.is_nil(none)
    assert.matches("no/such/file", err)
  end)

  it("changes the state's working directory", function()
    local here = paths.currentdir()
    assert.is_true(paths.chdir("fixtures/docroot"))
    assert.equals(here .. "/fixtures/docroot", paths.currentdir())
    local f = assert(io.open("data.txt"))
    assert.equals("data next to hello.lua", f:read("*a"))
    f:close()
    local ok, err = paths.chdir("missing-folder")
    assert.is_nil(ok)
    assert.matches("missing%-folder", err)
    assert.is_true(paths.chdir(here))
    assert.equals(here, paths.currentdir())
  end)
end)
