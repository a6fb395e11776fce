-- wsapi.mock: testing apps without a server.

local mock = require "wsapi.mock"
local request = require "wsapi.request"
local response = require "wsapi.response"
local multipart = dofile("fixtures/multipart.lua")

-- WSAPI's own mock test app.
local function hello(wsapi_env)
  local headers = { ["Content-type"] = "text/html" }
  local function hello_text()
    coroutine.yield("hello world!")
  end
  return 200, headers, coroutine.wrap(hello_text)
end

-- Echoes what wsapi.request made of the request.
local function echo(env)
  local req = request.new(env)
  local res = response.new(200, { ["Content-Type"] = "text/plain" })
  local names = {}
  for k in pairs(req.POST) do names[#names + 1] = k end
  table.sort(names)
  res:write(req.method, " ", req.path_info, " ", req.query_string, " ", env.CONTENT_TYPE, "\n")
  for _, k in ipairs(names) do
    local v = req.POST[k]
    res:write(k, "=", type(v) == "table" and (v.name .. ":" .. v.contents) or v, "\n")
  end
  res:write("cookie=", tostring(req.cookies.c), "\n")
  return res:finish()
end

describe("wsapi.mock", function()
  it("runs a GET as WSAPI's own mock test does", function()
    local app = mock.make_handler(hello)
    local res, req = app:get("/", { hello = "world" })
    assert.equals(200, res.code)
    assert.equals("GET", req.request_method)
    assert.equals("hello=world", req.query_string)
    assert.equals("text/html", res.headers["Content-type"])
    assert.equals("hello world!", res.body)
    assert.is_nil(res.wsapi_errors)
  end)

  it("builds a browser-like env", function()
    local seen
    local app = mock.make_handler(function(env)
      seen = env
      return 200, {}, function() end
    end)
    local res, env = app:get("", nil, { HTTP_COOKIE = "c=1", HTTP_X_EXTRA = "yes" })
    assert.equals("/", seen.PATH_INFO)
    assert.equals("wsapi_test", seen.SCRIPT_NAME)
    assert.equals("80", seen.SERVER_PORT)
    assert.equals("GET", seen.REQUEST_METHOD)
    assert.equals("c=1", seen.HTTP_COOKIE)
    assert.equals("yes", seen.HTTP_X_EXTRA)
    assert.equals("", seen.NOT_SET, "undefined variables read as ''")
    assert.matches("Mozilla", seen.HTTP_USER_AGENT)
    assert.equals("http://127.0.0.1:80/", env.REQUEST_URI)
    assert.is_nil(res.body, "an empty body is nil")
  end)

  it("splits a query string off the path and adds the params to it", function()
    local res, env = mock.make_handler(echo):get("/items?sort=asc", { page = 2 })
    assert.equals("sort=asc&page=2", env.QUERY_STRING)
    assert.equals("/items", env.PATH_INFO)
    assert.equals("http://127.0.0.1:80/items?sort=asc&page=2", env.REQUEST_URI)
    assert.matches("^GET /items sort=asc&page=2", res.body)
  end)

  it("posts form-encoded params", function()
    local res, env = mock.make_handler(echo):post("/save?from=mock", { name = "Ada Lovelace" })
    assert.equals(200, res.code)
    assert.equals("application/x-www-form-urlencoded", env.CONTENT_TYPE)
    assert.equals(#"name=Ada+Lovelace", env.CONTENT_LENGTH)
    assert.equals("POST /save from=mock application/x-www-form-urlencoded\nname=Ada Lovelace\ncookie=nil\n", res.body)
    assert.equals(tostring(#res.body), tostring(res.headers["Content-Length"]))
  end)

  it("posts a raw body with its Content-Type", function()
    local res = mock.make_handler(echo):post("/api", '{"a":1}', { ["Content-Type"] = "application/json", HTTP_COOKIE = "c=42" })
    assert.equals('POST /api  application/json\npost_data={"a":1}\ncookie=42\n', res.body)
  end)

  it("posts a multipart upload", function()
    local body = multipart.body("b0undary", {
      { name = "title", value = "T" },
      { name = "doc", filename = "notes.txt", type = "text/plain", value = "file body" },
    })
    local res = mock.make_handler(echo):post("/upload", body, { ["Content-Type"] = "multipart/form-data; boundary=b0undary" })
    assert.equals("POST /upload  multipart/form-data; boundary=b0undary\ndoc=notes.txt:file body\ntitle=T\ncookie=nil\n", res.body)
  end)

  it("sends other methods with request", function()
    local res = mock.make_handler(echo):request("PUT", "/thing", "x=1")
    assert.matches("^PUT /thing ", res.body)
    assert.matches("\nx=1\n", res.body)
    res = mock.make_handler(echo):request("get", "/g", { a = 1 })
    assert.matches("^GET /g a=1 ", res.body)
  end)

  it("answers 500 with WSAPI's error page when the app fails", function()
    local res = mock.make_handler(function() error("kaboom") end):get("/")
    assert.equals("500 Internal Server Error", res.code)
    assert.equals("text/html", res.headers["Content-Type"])
    assert.matches("WSAPI Error in Application", res.body)
    assert.matches("kaboom", res.body)
    assert.matches("WSAPI error in application: .*kaboom", res.wsapi_errors)
  end)

  it("answers 404 for error{404, msg}", function()
    local res = mock.make_handler(function() error({ 404, "no page" }) end):get("/x")
    assert.equals("404 Not Found", res.code)
    assert.matches("<p>no page</p>", res.body)
    assert.is_nil(res.wsapi_errors)
  end)

  it("reports the status as the app returned it", function()
    local res = mock.make_handler(function() return "302 Found", { Location = "/x" }, function() end end):get("/")
    assert.equals("302 Found", res.code)
    assert.equals("/x", res.headers.Location)
  end)

  it("takes the app as a table with run or as a module name", function()
    package.loaded["mock_spec_app"] = { run = hello }
    assert.equals("hello world!", mock.make_handler("mock_spec_app"):get("/").body)
    assert.equals("hello world!", mock.make_handler({ run = hello }):get("/").body)
    package.loaded["mock_spec_app"] = nil
  end)

  it("leaves wsapi.common.send_output alone", function()
    local common = require "wsapi.common"
    local before = common.send_output
    mock.make_handler(hello):get("/")
    assert.equals(before, common.send_output)
  end)
end)
