-- wsapi.filters.stack: composes filters around an app, outermost first.

local filters = require "wsapi.filters"
local fake = require "support.fake"

-- a filter that records its name on the way in and out
local function tracer(app, options)
  return function(env)
    env.trace = (rawget(env, "trace") or "") .. ">" .. options.name
    local status, headers, body = app(env)
    headers = headers or {}
    headers["X-Trace"] = (headers["X-Trace"] or "") .. "<" .. options.name
    return status, headers, body
  end
end

local function app(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(env.trace) end)
end

describe("wsapi.filters.stack", function()
  it("puts the first entry outermost", function()
    local stacked = filters.stack { { tracer, name = "a" }, { tracer, name = "b" }, app }
    local r = fake.request(stacked, "GET", "/")
    assert.equals(">a>b", r.body)
    assert.equals("<b<a", fake.header(r, "X-Trace"))
  end)

  it("takes options as a second table too", function()
    local stacked = filters.stack { { tracer, { name = "x" } }, app }
    assert.equals(">x", fake.request(stacked, "GET", "/").body)
  end)

  it("accepts a filter without options, and apps given as tables with run", function()
    local seen
    local function plain(next_app, options)
      seen = options
      return next_app
    end
    local stacked = filters.stack { plain, { run = app } }
    assert.same({}, seen)
    assert.equals(200, fake.request(stacked, "GET", "/").status)
  end)

  it("finds built-in filters by name and on the module table", function()
    assert.equals(require "wsapi.filters.session", filters.session)
    local stacked = filters.stack { { "session", secret = ("s"):rep(32) }, app }
    assert.equals(200, fake.request(stacked, "GET", "/").status)
    assert.error_matches(function() filters.stack { "wsapi.filters.nosuch", app } end, "not found")
  end)

  it("explains a bad entry", function()
    assert.error_matches(function() filters.stack {} end, "the list is empty")
    assert.error_matches(function() filters.stack { 42, app } end, "entry 1 is a number")
    assert.error_matches(function() filters.stack { "nosuch", app } end, "unknown filter 'nosuch'")
    assert.error_matches(function() filters.stack { tracer, "not an app" } end, "not a WSAPI app")
    assert.error_matches(function() filters.stack { function() end, app } end, "returned nothing")
    assert.error_matches(function() filters.stack { { tracer, 5 }, app } end, "has a number at index 2")
  end)

  it("lets a filter wrap input, env and the iterator without breaking streaming", function()
    -- counts the bytes the app reads and the bytes it yields, chunk by chunk
    local counts = {}
    local function counting(next_app)
      return function(env)
        local input = env.input
        env.input = { read = function(_, n)
          local s = input:read(n)
          counts.read = (counts.read or 0) + (s and #s or 0)
          return s
        end }
        env.COUNTED = "yes"
        local status, headers, body = next_app(env)
        return status, headers, function()
          local chunk = body()
          if chunk then counts.chunks = (counts.chunks or 0) + 1 end
          return chunk
        end
      end
    end
    local produced = 0
    local function streaming(env)
      local got = env.input:read(3)
      return 200, {}, coroutine.wrap(function()
        for i = 1, 3 do
          produced = i
          coroutine.yield(env.COUNTED .. got .. i)
        end
      end)
    end
    local _, _, body = filters.stack { counting, streaming }(fake.env("POST", "/", { body = "abcdef" }))
    assert.equals("yesabc1", body())
    assert.equals(1, produced, "the second chunk is made only when asked for")
    assert.equals("yesabc2", body())
    assert.equals("yesabc3", body())
    assert.is_nil(body())
    assert.equals(3, counts.read)
    assert.equals(3, counts.chunks)
  end)
end)
