-- wsapi.filters.session: signed cookie, lazy store access, regenerate, destroy, expiry, tampering.

local session = require "wsapi.filters.session"
local stores = require "wsapi.filters.session_store"
local fake = require "support.fake"

local SECRET = "0123456789abcdef0123456789abcdef-spec"
local counter = 0

-- each test gets its own memory store
local function new_store()
  counter = counter + 1
  return session.memory { name = "spec-" .. counter .. "-" .. tostring({}) }
end

-- counts the visits of this browser; /login regenerates, /logout destroys
local function visits(env)
  local s = env.session
  if env.PATH_INFO == "/login" then
    s:set("user", "ann")
    s:regenerate()
  elseif env.PATH_INFO == "/logout" then
    s:destroy()
  elseif env.PATH_INFO == "/peek" then
    return 200, {}, coroutine.wrap(function() coroutine.yield("peek") end)
  elseif env.PATH_INFO == "/late" then
    return 200, {}, coroutine.wrap(function()
      coroutine.yield("a")
      s:set("late", true)
      coroutine.yield("b")
    end)
  else
    s:set("n", (s:get("n") or 0) + 1)
  end
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield(tostring(s:get("n")) .. " " .. tostring(s:get("user")))
  end)
end

local function with_cookie(cookie, opts)
  opts = opts or {}
  opts.headers = opts.headers or {}
  opts.headers.Cookie = cookie
  return opts
end

describe("wsapi.filters.session", function()
  local store, app

  before_each(function()
    store = new_store()
    app = session(visits, { secret = SECRET, store = store })
  end)

  it("starts a session when the app stores something, with a signed HttpOnly SameSite=Lax cookie", function()
    local r = fake.request(app, "GET", "/")
    assert.equals("1 nil", r.body)
    local pair, line = fake.set_cookie(r, "apogee_session")
    assert.truthy(pair, "a Set-Cookie line")
    assert.matches("^apogee_session=[%w_%-]+%.[%w_%-]+$", pair)
    assert.matches("; Path=/", line)
    assert.matches("; HttpOnly", line)
    assert.matches("; SameSite=Lax", line)
    assert.is_nil(line:find("Secure", 1, true), "not Secure over plain HTTP")
    local r2 = fake.request(app, "GET", "/", with_cookie(pair))
    assert.equals("2 nil", r2.body)
    assert.is_nil(fake.set_cookie(r2, "apogee_session"), "no new cookie for a known session")
    assert.equals("3 nil", fake.request(app, "GET", "/", with_cookie("other=1; " .. pair .. "; x=y")).body)
  end)

  it("marks the cookie Secure over HTTPS", function()
    local _, line = fake.set_cookie(fake.request(app, "GET", "/", { https = true }), "apogee_session")
    assert.matches("; Secure", line)
  end)

  it("makes the session reachable from env.APOGEE_SESSION, env.session and request objects", function()
    local seen
    local probe = session(function(env)
      seen = { env.APOGEE_SESSION, env.session, session.of(env), session.of({ env = env }) }
      return 200, {}, nil
    end, { secret = SECRET, store = store })
    fake.request(probe, "GET", "/")
    assert.truthy(seen[1])
    assert.equals(seen[1], seen[2])
    assert.equals(seen[1], seen[3])
    assert.equals(seen[1], seen[4])
    assert.is_nil(session.of(fake.env("GET", "/")), "nil without the filter")
  end)

  it("touches neither store nor cookie while the app leaves the session alone", function()
    local r = fake.request(app, "GET", "/peek")
    assert.is_nil(fake.set_cookie(r, "apogee_session"))
    -- an empty session is not stored either
    local empty = session(function(env)
      assert.is_nil(env.session:get("x"))
      return 200, {}, nil
    end, { secret = SECRET, store = store })
    assert.is_nil(fake.set_cookie(fake.request(empty, "GET", "/"), "apogee_session"))
  end)

  it("ignores a tampered or forged cookie: a new session, no error", function()
    local pair = fake.set_cookie(fake.request(app, "GET", "/"), "apogee_session")
    local id, sig = pair:match("=(.-)%.(.*)$")
    local tampered = {
      "apogee_session=" .. id .. "x." .. sig,
      "apogee_session=" .. id .. "." .. sig:sub(1, -2) .. (sig:sub(-1) == "A" and "B" or "A"),
      "apogee_session=" .. id,
      "apogee_session=" .. id .. ".",
      "apogee_session=.",
      "apogee_session=" .. ("A"):rep(32) .. "." .. sig,
      "apogee_session=%00%ff..",
    }
    -- the same signature bytes spelled differently: base64's last character carries unused bits
    local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    local last = alphabet:find(sig:sub(-1), 1, true) - 1
    for other = last - last % 4, last - last % 4 + 3 do
      if other ~= last then
        tampered[#tampered + 1] = "apogee_session=" .. id .. "." .. sig:sub(1, -2) .. alphabet:sub(other + 1, other + 1)
      end
    end
    for _, cookie in ipairs(tampered) do
      local r = fake.request(app, "GET", "/", with_cookie(cookie))
      assert.equals(200, r.status, cookie)
      assert.equals("1 nil", r.body, cookie)
      local fresh = fake.set_cookie(r, "apogee_session")
      assert.truthy(fresh, cookie)
      assert.are_not.equal(pair, fresh)
    end
  end)

  it("does not accept a cookie signed with another secret", function()
    local other = session(visits, { secret = ("z"):rep(40), store = store })
    local pair = fake.set_cookie(fake.request(other, "GET", "/"), "apogee_session")
    assert.equals("2 nil", fake.request(other, "GET", "/", with_cookie(pair)).body)
    assert.equals("1 nil", fake.request(app, "GET", "/", with_cookie(pair)).body)
  end)

  it("verifies with every secret of a list and signs with the first (rotation)", function()
    local old = session(visits, { secret = SECRET, store = store })
    local pair = fake.set_cookie(fake.request(old, "GET", "/"), "apogee_session")
    local rotated = session(visits, { secret = { ("n"):rep(40), SECRET }, store = store })
    assert.equals("2 nil", fake.request(rotated, "GET", "/", with_cookie(pair)).body)
    local new_pair = fake.set_cookie(fake.request(rotated, "GET", "/login", with_cookie(pair)), "apogee_session")
    assert.equals("1 nil", fake.request(old, "GET", "/", with_cookie(new_pair)).body, "the old secret alone does not verify it")
  end)

  it("regenerates the id, keeping the data and forgetting the old id", function()
    local pair = fake.set_cookie(fake.request(app, "GET", "/"), "apogee_session")
    local r = fake.request(app, "GET", "/login", with_cookie(pair))
    assert.equals("1 ann", r.body)
    local new_pair = fake.set_cookie(r, "apogee_session")
    assert.truthy(new_pair)
    assert.are_not.equal(pair, new_pair)
    assert.equals("2 ann", fake.request(app, "GET", "/", with_cookie(new_pair)).body)
    assert.equals("1 nil", fake.request(app, "GET", "/", with_cookie(pair)).body, "the old id is gone")
  end)

  it("destroys the session and expires its cookie", function()
    local pair = fake.set_cookie(fake.request(app, "GET", "/"), "apogee_session")
    local r = fake.request(app, "GET", "/logout", with_cookie(pair))
    local expired, line = fake.set_cookie(r, "apogee_session")
    assert.equals("apogee_session=", expired)
    assert.matches("Max%-Age=0", line)
    assert.equals("1 nil", fake.request(app, "GET", "/", with_cookie(pair)).body)
  end)

  it("keeps nested changes made through s:data()", function()
    local cart = session(function(env)
      local data = env.session:data()
      data.cart = data.cart or {}
      data.cart[#data.cart + 1] = env.QUERY_STRING
      return 200, {}, coroutine.wrap(function() coroutine.yield(table.concat(data.cart, ",")) end)
    end, { secret = SECRET, store = store })
    local pair = fake.set_cookie(fake.request(cart, "GET", "/?a"), "apogee_session")
    fake.request(cart, "GET", "/?b", with_cookie(pair))
    assert.equals("a,b,c", fake.request(cart, "GET", "/?c", with_cookie(pair)).body)
  end)

  it("saves changes made while the body streams, for a session the browser already has", function()
    local pair = fake.set_cookie(fake.request(app, "GET", "/"), "apogee_session")
    fake.request(app, "GET", "/late", with_cookie(pair))
    local check = session(function(env)
      return 200, {}, coroutine.wrap(function() coroutine.yield(tostring(env.session:get("late"))) end)
    end, { secret = SECRET, store = store })
    assert.equals("true", fake.request(check, "GET", "/", with_cookie(pair)).body)
    -- without a cookie the late data cannot be kept, and the app is told why
    local r = fake.request(app, "GET", "/late")
    assert.matches("after the headers were sent", table.concat(r.env.error.lines))
  end)

  it("sets a session touched before the first chunk (coroutine bodies) with the headers", function()
    local lazy = session(function(env)
      return 200, {}, coroutine.wrap(function()
        env.session:set("made", "in the body")
        coroutine.yield("ok")
      end)
    end, { secret = SECRET, store = store })
    assert.truthy(fake.set_cookie(fake.request(lazy, "GET", "/"), "apogee_session"))
  end)

  it("does not change a headers table the app shares between responses", function()
    local shared = { ["Content-Type"] = "text/plain", ["set-cookie"] = "theme=dark" }
    local sharing = session(function(env)
      env.session:set("x", 1)
      return 200, shared, nil
    end, { secret = SECRET, store = store })
    local r = fake.request(sharing, "GET", "/")
    assert.equals("theme=dark", shared["set-cookie"])
    local lines = fake.header_lines(r, "Set-Cookie")
    assert.equals(2, #lines)
    assert.equals("theme=dark", lines[1])
  end)

  it("expires sessions after the idle timeout", function()
    local short = session(visits, { secret = SECRET, store = store, idle_timeout = 0.05 })
    local pair = fake.set_cookie(fake.request(short, "GET", "/"), "apogee_session")
    assert.equals("2 nil", fake.request(short, "GET", "/", with_cookie(pair)).body)
    local t = os.clock()
    local deadline = os.time() + 2
    while os.time() < deadline and os.clock() - t < 0.2 do end
    assert.equals("1 nil", fake.request(short, "GET", "/", with_cookie(pair)).body)
  end)

  it("expires sessions after the absolute timeout even when used", function()
    local short = session(visits, { secret = SECRET, store = store, absolute_timeout = 0.1 })
    local pair = fake.set_cookie(fake.request(short, "GET", "/"), "apogee_session")
    assert.equals("2 nil", fake.request(short, "GET", "/", with_cookie(pair)).body)
    local t = os.clock()
    while os.clock() - t < 0.25 do end
    assert.equals("1 nil", fake.request(short, "GET", "/", with_cookie(pair)).body)
  end)

  it("refuses values that cannot be stored, naming the key", function()
    local bad = session(function(env)
      env.session:set("f", print)
      return 200, {}, nil
    end, { secret = SECRET, store = store })
    assert.error_matches(function() fake.request(bad, "GET", "/") end, 'session%["f"%] is a function')
  end)

  it("checks its options", function()
    assert.error_matches(function() session(visits, { secret = "short", store = store }) end, "at least 32 random characters")
    assert.error_matches(function() session(visits, { secret = SECRET, same_site = "Sometimes" }) end, "same_site must be")
    assert.error_matches(function() session(visits, { secret = SECRET, idle_timeout = -1 }) end, "positive number of seconds")
    assert.error_matches(function() session(visits, { secret = SECRET, cookie = "a b" }) end, "invalid cookie name")
  end)

  it("needs a secret in production mode", function()
    -- specs run in production mode (no --debug) and without APOGEE_SESSION_SECRET
    assert.error_matches(function() session(visits, {}) end, "no secret: set the filter's 'secret' option or the APOGEE_SESSION_SECRET")
  end)

  it("explains misuse of the session object", function()
    local misuse = session(function(env)
      local _ = env.session.user
      return 200, {}, nil
    end, { secret = SECRET, store = store })
    assert.error_matches(function() fake.request(misuse, "GET", "/") end, "no method 'user'")
  end)
end)

describe("wsapi.filters.session_store", function()
  it("round-trips data through its encoding", function()
    local data = { a = "x\0y", n = 42, f = 1.5, neg = -7, t = true, no = false, list = { 1, 2, { deep = "yes" } }, [3] = "three" }
    assert.same(data, stores.decode(stores.encode(data)))
    assert.is_nil(stores.decode("not an encoding"))
    assert.is_nil(stores.decode(""))
  end)

  it("refuses cycles", function()
    local t = {}
    t.self = t
    assert.error_matches(function() stores.encode(t) end, "cycle")
  end)

  it("bounds the memory store, dropping the least recently used", function()
    local store = session.memory { name = "bounded-" .. tostring({}), max_sessions = 2 }
    local now = store:now()
    store:save("a", { v = 1 }, now, 100, 100)
    store:save("b", { v = 2 }, now, 100, 100)
    assert.truthy(store:load("a", 100, 100))
    store:save("c", { v = 3 }, now, 100, 100)
    assert.is_nil(store:load("b", 100, 100), "b was the least recently used")
    assert.truthy(store:load("a", 100, 100))
    assert.truthy(store:load("c", 100, 100))
  end)

  it("writes only when the data changed", function()
    local store = new_store()
    local now = store:now()
    local written, snap = store:save("s", { v = 1 }, now, 100, 100)
    assert.is_true(written)
    written = store:save("s", { v = 1 }, now, 100, 100, snap)
    assert.is_false(written)
    assert.is_true((store:save("s", { v = 2 }, now, 100, 100, snap)))
  end)
end)
