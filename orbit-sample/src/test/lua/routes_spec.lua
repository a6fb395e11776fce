-- orbit.routes, after Orbit's test/test_routes.lua
local R = require "orbit.routes"

describe("orbit.routes", function()
  it("matches plain paths", function()
    local r = R "/foo"
    assert.same({}, r:match("/foo"))
    assert.same({}, r:match("/foo/"))
    assert.is_nil(r:match("/bar"))
    assert.is_nil(r:match("/foo/bar"))
    assert.same({}, R("/"):match("/"))
  end)

  it("captures named parameters, url-decoded", function()
    assert.same({ name = "world" }, R("/hello/:name"):match("/hello/world"))
    assert.same({ name = "big world" }, R("/hello/:name"):match("/hello/big%20world"))
    assert.same({ msg = "hi", to = "bob" }, R("/say/:msg/to/:to"):match("/say/hi/to/bob"))
    assert.same({ foo = "user@example.com", bar = "name" }, R("/:foo/:bar"):match("/user@example.com/name"))
    assert.is_nil(R("/hello/:name"):match("/hello/"))
    assert.is_nil(R("/hello/:name"):match("/hello/a/b"))
  end)

  it("splits parameters at dots when a dot follows", function()
    assert.same({ file = "pony", ext = "jpg" }, R("/:file.:ext"):match("/pony.jpg"))
    assert.same({ year = "2024", slug = "news", format = "xml" },
      R("/:year/:slug.:format"):match("/2024/news.xml"))
  end)

  it("collects splats", function()
    assert.same({ splat = { "bar", "bling/baz/boom" } }, R("/*/foo/*"):match("/bar/foo/bling/baz/boom"))
    assert.same({ splat = { "path/to/file", "ext" } }, R("/download/*.*"):match("/download/path/to/file.ext"))
    assert.same({ foo = "foo", splat = { "bar/baz" } }, R("/:foo/*"):match("/foo/bar/baz"))
    assert.same({ splat = { "anything/here" } }, R("/hi/*"):match("/hi/anything/here"))
  end)

  it("has optional parameters", function()
    local r = R "/?:foo?/?:bar?"
    assert.same({ foo = "hello", bar = "world" }, r:match("/hello/world"))
    assert.same({ foo = "hello" }, r:match("/hello"))
    assert.same({}, r:match("/"))
    assert.same({ name = "ann" }, R("/hey/?:name?"):match("/hey/ann"))
    assert.same({}, R("/hey/?:name?"):match("/hey"))
  end)

  it("builds paths", function()
    assert.equals("/hello/big+world", R("/hello/:name"):build({ name = "big world" }))
    assert.equals("/download/a/b.txt", R("/download/*.*"):build({ splat = { "a/b", "txt" } }))
    assert.equals("/hey", R("/hey/?:name?"):build({}))
    assert.equals("/hey/ann", R("/hey/?:name?"):build({ name = "ann" }))
    assert.has_error(function() R("/hello/:name"):build({}) end)
    assert.equals("/", R("/?:foo?/?:bar?"):build())
    assert.equals("/foo", R("/foo"):build("ignored"))
    assert.equals("/user@example.com/n%2Fx", R("/:foo/:bar"):build({ foo = "user@example.com", bar = "n/x" }))
    assert.equals("/say/hi/to/5", R("/say/:msg/to/:to"):build({ msg = "hi", to = 5 }))
  end)

  it("is reachable as orbit.routes for Lua 5.1 code", function()
    assert.equals(R, orbit.routes)
    assert.equals(R, require("orbit").routes)
  end)

  it("is callable as R(pattern) and as the module", function()
    assert.same({ x = "1" }, R.R("/:x"):match("/1"))
    assert.equals("route /a/:b", tostring(R("/a/:b")))
  end)
end)
