-- wsapi.filters.http: the helpers filters share.

local http = require "wsapi.filters.http"
local fake = require "support.fake"

describe("wsapi.filters.http", function()
  it("finds headers whatever the case of their names", function()
    local h = { ["content-type"] = "text/plain", ["X-A"] = { "1", "2" } }
    assert.equals("content-type", http.header_key(h, "Content-Type"))
    assert.equals("text/plain", http.header(h, "CONTENT-TYPE"))
    assert.same({ "1", "2" }, http.header(h, "x-a"))
    assert.is_nil(http.header(h, "Missing"))
    assert.is_nil(http.header(nil, "X"))
  end)

  it("adds a line to a header that may repeat, turning a string into an array", function()
    local h = { ["set-cookie"] = "a=1" }
    http.add(h, "Set-Cookie", "b=2")
    assert.same({ "a=1", "b=2" }, h["set-cookie"])
    http.add(h, "Set-Cookie", "c=3")
    assert.same({ "a=1", "b=2", "c=3" }, h["set-cookie"])
    local fresh = http.add({}, "Set-Cookie", "x=1")
    assert.equals("x=1", fresh["Set-Cookie"])
    local numeric = http.add({ ["X-N"] = 5 }, "X-N", "6")
    assert.same({ "5", "6" }, numeric["X-N"])
  end)

  it("copies headers without sharing the arrays' owner table", function()
    local h = { A = "1" }
    local c = http.copy(h)
    c.B = "2"
    assert.is_nil(h.B)
    assert.same({}, http.copy(nil))
  end)

  it("reads every value of a cookie from HTTP_COOKIE", function()
    local env = fake.env("GET", "/", { headers = { Cookie = 'a=1; b="two words"; a=3;c=4 ; ab=5' } })
    assert.same({ "1", "3" }, http.cookies(env, "a"))
    assert.same({ "two words" }, http.cookies(env, "b"))
    assert.same({ "4" }, http.cookies(env, "c"))
    assert.same({}, http.cookies(env, "z"))
    assert.same({}, http.cookies(fake.env("GET", "/"), "a"))
  end)

  it("makes small pages and one-chunk bodies", function()
    local status, headers, body = http.page(403, "Forbidden", "no <b>way</b>")
    assert.equals(403, status)
    local text = body()
    assert.matches("no &lt;b&gt;way&lt;/b&gt;", text)
    assert.equals(tostring(#text), headers["Content-Length"])
    assert.is_nil(body())
    local once = http.once("x")
    assert.equals("x", once())
    assert.is_nil(once())
  end)
end)
