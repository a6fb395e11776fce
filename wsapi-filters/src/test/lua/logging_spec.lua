-- wsapi.filters.logging: access lines in Common/Combined format, counted from the real iterator.

local logging = require "wsapi.filters.logging"
local fake = require "support.fake"
local request = require "wsapi.filters.test.request"

local n = 0
local function log_path()
  n = n + 1
  return "logs/access-" .. n .. ".log"
end

local function lines(path)
  local out = {}
  local f = io.open(path)
  if not f then return out end
  for line in f:lines() do out[#out + 1] = line end
  f:close()
  return out
end

local function chunks_app(env)
  return "201 Created", { ["Content-Type"] = "text/plain", ["X-Out"] = "yes" }, coroutine.wrap(function()
    coroutine.yield("hello ")
    coroutine.yield("world")
  end)
end

describe("wsapi.filters.logging", function()
  it("writes a Common Log Format line when the body ends, with the bytes the iterator gave", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0, format = "common" })
    local r = fake.request(app, "GET", "/hello?x=1", { headers = { ["User-Agent"] = "spec" } })
    assert.equals("hello world", r.body)
    local got = lines(path)
    assert.equals(1, #got)
    assert.matches('^127%.0%.0%.1 %- %- %[%d%d/%a%a%a/%d%d%d%d:%d%d:%d%d:%d%d [+-]%d%d%d%d%] "GET /hello%?x=1 HTTP/1%.1" 201 11$', got[1])
  end)

  it("writes Combined Log Format with the response time", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0 })
    fake.request(app, "POST", "/p", { headers = { ["User-Agent"] = 'say "hi"', Referer = "http://x/" } })
    local got = lines(path)[1]
    assert.matches('"POST /p HTTP/1%.1" 201 11 "http://x/" "say \\"hi\\"" %d+$', got)
  end)

  it("takes custom formats with request and response headers", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0, format = "%m %U%q %s %B %{X-Out}o %{Host}i %% %v:%p %H" })
    fake.request(app, "GET", "/a?b")
    assert.equals("GET /a?b 201 11 yes 127.0.0.1:8080 % 127.0.0.1:8080 HTTP/1.1", lines(path)[1])
    assert.error_matches(function() logging(chunks_app, { file = path, flush = 0, format = "%Z" }) end, "unknown directive '%%Z'")
  end)

  it("does not break streaming: chunks pass one by one", function()
    local path = log_path()
    local made = 0
    local app = logging(function()
      return 200, {}, coroutine.wrap(function()
        for i = 1, 3 do made = i coroutine.yield(("x"):rep(i)) end
      end)
    end, { file = path, flush = 0, format = "%b" })
    local _, _, body = app(fake.env("GET", "/"))
    assert.equals("x", body())
    assert.equals(1, made)
    assert.equals(0, #lines(path), "nothing logged before the end")
    body() body()
    assert.is_nil(body())
    assert.equals("6", lines(path)[1])
  end)

  it("logs at the end of the request when the body was not finished, and 500 when the app failed", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0, format = "%s %b" })
    local _, _, body = app(fake.env("GET", "/"))
    body()
    request.finish()
    assert.equals("201 6", lines(path)[1])
    local failing = logging(function() error("boom") end, { file = path, flush = 0, format = "%s %b" })
    assert.has_error(function() failing(fake.env("GET", "/")) end)
    request.finish()
    assert.equals("500 -", lines(path)[2])
  end)

  it("counts no body bytes for HEAD", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0, format = "%m %b" })
    fake.request(app, "HEAD", "/")
    assert.equals("HEAD -", lines(path)[1])
  end)

  it("sends env.error lines to the error log, tagged with the app's name", function()
    local path, errors = log_path(), log_path()
    local app = logging(function(env)
      env.error:write("first\nsecond\n")
      return 200, {}, nil
    end, { file = path, flush = 0, error_file = errors, name = "shop" })
    fake.request(app, "GET", "/")
    local got = lines(errors)
    assert.equals(2, #got)
    assert.matches("^%[.-%] %[shop%] first$", got[1])
    assert.matches("%[shop%] second$", got[2])
  end)

  it("writes lines within the flush delay, together", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, format = "%U", flush = 0.1 })
    fake.request(app, "GET", "/one")
    fake.request(app, "GET", "/two")
    assert.equals(0, #lines(path), "nothing written yet")
    local deadline = os.clock() + 5
    repeat until #lines(path) == 2 or os.clock() > deadline
    assert.same({ "/one", "/two" }, lines(path))
  end)

  it("can keep only the error log", function()
    local errors = log_path()
    local app = logging(function(env)
      env.error:write("only this\n")
      return 200, {}, nil
    end, { file = false, error_file = errors, name = "quiet" })
    fake.request(app, "GET", "/")
    assert.equals(1, #lines(errors))
  end)

  it("escapes quotes and control bytes", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0, format = "%{X-Evil}i" })
    fake.request(app, "GET", "/", { headers = { ["X-Evil"] = 'a"b\\c\1\255' } })
    assert.equals('a\\"b\\\\c\\x01\\xff', lines(path)[1])
  end)

  it("reopens its file when it was moved away (log rotation)", function()
    local path = log_path()
    local app = logging(chunks_app, { file = path, flush = 0, format = "%U" })
    fake.request(app, "GET", "/one")
    assert.truthy(os.rename(path, path .. ".1"))
    local deadline = os.clock() + 3
    repeat
      fake.request(app, "GET", "/two")
    until #lines(path) > 0 or os.clock() > deadline
    assert.equals("/one", lines(path .. ".1")[1])
    assert.equals("/two", lines(path)[1])
  end)
end)
