-- The Kepler-style test apps of the behaviour suite (src/test/resources/tck/www/kepler), run
-- unchanged under wsapi.mock instead of a server: the same answers as over HTTP.

package.path = "../resources/tck/www/kepler/?.lua;" .. package.path

local mock = require "wsapi.mock"
local multipart_body = function(boundary, parts)
  local out = {}
  for _, p in ipairs(parts) do
    out[#out + 1] = "--" .. boundary .. '\r\nContent-Disposition: form-data; name="' .. p[1] .. '"'
    if p[2] then out[#out + 1] = '; filename="' .. p[2] .. '"' end
    out[#out + 1] = "\r\n"
    if p[3] then out[#out + 1] = "Content-Type: " .. p[3] .. "\r\n" end
    out[#out + 1] = "\r\n" .. p[4] .. "\r\n"
  end
  out[#out + 1] = "--" .. boundary .. "--\r\n"
  return table.concat(out)
end

describe("the module(..., package.seeall) app (kepler/hello.lua)", function()
  local hello = require "hello"
  local app = mock.make_handler(hello)

  it("is a module with run", function()
    assert.equals(hello, package.loaded.hello)
    assert.is_function(hello.run)
  end)

  it("greets from the query string, escaped", function()
    local res = app:get("/", { name = "Ada L<x>" })
    assert.equals(200, res.code)
    assert.matches("<h1>Hello, Ada L&lt;x&gt;!</h1>", res.body, 1, true)
    assert.matches('action="wsapi_test/name"', res.body, 1, true)
    assert.equals(#res.body, res.headers["Content-Length"])
  end)

  it("greets from the cookie", function()
    local res = app:get("/", nil, { HTTP_COOKIE = "theme=dark; name=Bob+B%21" })
    assert.matches("<h1>Hello, Bob B!!</h1>", res.body, 1, true)
  end)

  it("answers 404 for other paths", function()
    local res = app:get("/nothing/here")
    assert.equals(404, res.code)
    assert.matches("No page at /nothing/here", res.body, 1, true)
  end)

  it("sets a cookie and redirects after a form post", function()
    local res = app:post("/name", { name = "Zo\195\171 Q" })
    assert.equals(302, res.code)
    assert.equals("wsapi_test/", res.headers.Location)
    assert.equals("name=Zo%C3%AB+Q; path=/; HttpOnly", res.headers["Set-Cookie"])
    assert.is_nil(res.body)
  end)

  it("reads uploads", function()
    local body = multipart_body("b-1", {
      { "title", nil, nil, "Two files" },
      { "doc", "C:\\Users\\me\\report.txt", "text/plain", "report contents" },
      { "doc", "photo.jpg", "image/jpeg", "\255\216\255\224JFIF\0" },
      { "tag", nil, nil, "a" },
      { "tag", nil, nil, "b" },
    })
    local res = app:post("/upload", body, { ["Content-Type"] = "multipart/form-data; boundary=b-1" })
    assert.equals(200, res.code)
    assert.equals("doc: file report.txt 15 bytes text/plain starting report c\n"
      .. "doc: file photo.jpg 9 bytes image/jpeg starting \255\216\255\224JFIF\n"
      .. "tag: a\ntag: b\ntitle: Two files\n", res.body)
  end)

  it("shows wsapi.app_path as a launcher set it", function()
    wsapi.app_path = "/srv/kepler"
    local res = app:get("/info")
    assert.matches("wsapi.app_path=/srv/kepler\n", res.body, 1, true)
    assert.matches("require.app_path=/srv/kepler\n", res.body, 1, true)
    assert.matches("script_name=wsapi_test\n", res.body, 1, true)
    assert.matches("link=wsapi_test/x?q=a+b\n", res.body, 1, true)
  end)
end)

describe("the returned-module-table app (kepler/notes.lua)", function()
  local app = mock.make_handler(require "notes")

  it("lists repeated query parameters", function()
    local res = app:get("/?sort=new", { tag = { "a", "b c" } })
    assert.equals("tags=a,b c sort=new\n", res.body)
  end)

  it("creates from a form post", function()
    local res = app:post("/", { text = "buy milk" })
    assert.equals(201, res.code)
    assert.equals("wsapi_test/42", res.headers.Location)
    assert.equals("created: buy milk\n", res.body)
  end)

  it("takes raw PUT bodies and DELETEs", function()
    local res = app:request("PUT", "/7", '{"text":"x"}', { ["Content-Type"] = "application/json" })
    assert.equals('replaced 7 with 12 bytes of application/json: {"text":"x"}\n', res.body)
    assert.equals("deleted 3\n", app:request("DELETE", "/3").body)
    assert.equals(404, app:request("DELETE", "/x").code)
  end)
end)
