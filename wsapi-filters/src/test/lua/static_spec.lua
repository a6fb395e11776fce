-- wsapi.filters.static: files with types, validators, 304, ranges; no traversal; the rest to the app.

local static = require "wsapi.filters.static"
local fake = require "support.fake"

local function fallback(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("app:" .. env.PATH_INFO) end)
end

local app = static(fallback, { root = "fixtures/public", max_age = 60 })

local function get(path, headers, method)
  return fake.request(app, method or "GET", path, { headers = headers })
end

describe("wsapi.filters.static", function()
  it("serves a file with type, length, validators and caching", function()
    local r = get("/hello.txt")
    assert.equals(200, r.status)
    assert.equals("hello static\n", r.body)
    assert.equals("text/plain; charset=utf-8", fake.header(r, "Content-Type"))
    assert.equals("13", fake.header(r, "Content-Length"))
    assert.equals("bytes", fake.header(r, "Accept-Ranges"))
    assert.equals("public, max-age=60", fake.header(r, "Cache-Control"))
    assert.matches('^"13%-%d+"$', fake.header(r, "ETag"))
    assert.matches("^%a%a%a, %d%d %a%a%a %d%d%d%d %d%d:%d%d:%d%d GMT$", fake.header(r, "Last-Modified"))
  end)

  it("answers HEAD with the headers only", function()
    local r = get("/hello.txt", nil, "HEAD")
    assert.equals(200, r.status)
    assert.equals("", r.body)
    assert.equals("13", fake.header(r, "Content-Length"))
  end)

  it("answers 304 to a matching If-None-Match or an If-Modified-Since not older than the file", function()
    local first = get("/hello.txt")
    local etag, modified = fake.header(first, "ETag"), fake.header(first, "Last-Modified")
    local r = get("/hello.txt", { ["If-None-Match"] = etag })
    assert.equals(304, r.status)
    assert.equals("", r.body)
    assert.equals(etag, fake.header(r, "ETag"))
    assert.equals(304, get("/hello.txt", { ["If-None-Match"] = '"other", W/' .. etag }).status)
    assert.equals(304, get("/hello.txt", { ["If-None-Match"] = "*" }).status)
    assert.equals(200, get("/hello.txt", { ["If-None-Match"] = '"other"' }).status)
    assert.equals(304, get("/hello.txt", { ["If-Modified-Since"] = modified }).status)
    assert.equals(200, get("/hello.txt", { ["If-Modified-Since"] = "Thu, 01 Jan 1970 00:00:00 GMT" }).status)
    -- If-None-Match wins over If-Modified-Since
    assert.equals(200, get("/hello.txt", { ["If-None-Match"] = '"other"', ["If-Modified-Since"] = modified }).status)
  end)

  it("serves byte ranges", function()
    local r = get("/hello.txt", { Range = "bytes=0-4" })
    assert.equals(206, r.status)
    assert.equals("hello", r.body)
    assert.equals("bytes 0-4/13", fake.header(r, "Content-Range"))
    assert.equals("5", fake.header(r, "Content-Length"))
    assert.equals("static\n", get("/hello.txt", { Range = "bytes=6-" }).body)
    assert.equals("ic\n", get("/hello.txt", { Range = "bytes=-3" }).body)
    assert.equals("hello static\n", get("/hello.txt", { Range = "bytes=0-100" }).body)
    local bad = get("/hello.txt", { Range = "bytes=50-60" })
    assert.equals(416, bad.status)
    assert.equals("bytes */13", fake.header(bad, "Content-Range"))
    -- several ranges, or nonsense: the whole file
    assert.equals(200, get("/hello.txt", { Range = "bytes=0-1,3-4" }).status)
    assert.equals(200, get("/hello.txt", { Range = "lines=1-2" }).status)
    -- If-Range with another validator: the whole file
    assert.equals(200, get("/hello.txt", { Range = "bytes=0-4", ["If-Range"] = '"old"' }).status)
    local etag = fake.header(get("/hello.txt"), "ETag")
    assert.equals(206, get("/hello.txt", { Range = "bytes=0-4", ["If-Range"] = etag }).status)
  end)

  it("answers a folder with its index, redirecting to the trailing slash", function()
    local r = get("/sub/")
    assert.equals(200, r.status)
    assert.equals("<h1>index</h1>\n", r.body)
    assert.equals("text/html; charset=utf-8", fake.header(r, "Content-Type"))
    local moved = get("/sub")
    assert.equals(301, moved.status)
    assert.equals("/sub/", fake.header(moved, "Location"))
  end)

  it("passes missing files, other methods, hidden files and folders without an index to the app", function()
    assert.equals("app:/missing.txt", get("/missing.txt").body)
    assert.equals("app:/hello.txt", fake.request(app, "POST", "/hello.txt").body)
    assert.equals("app:/.hidden", get("/.hidden").body)
    assert.equals("app:/", get("/").body)
  end)

  it("never leaves its folder", function()
    for _, path in ipairs({ "/../outside.txt", "/sub/../../outside.txt", "/./hello.txt", "/a\0b" }) do
      local r = get(path)
      assert.equals(404, r.status, path)
      assert.is_nil(r.body:find("TOP SECRET", 1, true), path)
    end
  end)

  it("serves under a prefix only", function()
    local prefixed = static(fallback, { root = "fixtures/public", prefix = "/assets" })
    assert.equals("hello static\n", fake.request(prefixed, "GET", "/assets/hello.txt").body)
    assert.equals("app:/hello.txt", fake.request(prefixed, "GET", "/hello.txt").body)
    assert.equals("app:/assetsx/hello.txt", fake.request(prefixed, "GET", "/assetsx/hello.txt").body)
  end)

  it("streams big files in pieces", function()
    local f = assert(io.open("fixtures/public/big.bin", "wb"))
    f:write(("0123456789abcdef"):rep(10000))
    f:close()
    local r = get("/big.bin")
    assert.equals(160000, #r.body)
    assert.truthy(#r.chunks > 1)
    assert.equals("application/octet-stream", fake.header(r, "Content-Type"))
    local range = get("/big.bin", { Range = "bytes=100000-100015" })
    assert.equals("0123456789abcdef", range.body)
    os.remove("fixtures/public/big.bin")
  end)
end)
