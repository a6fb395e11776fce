-- wsapi.filters.csrf: tokens in the session, checked on unsafe methods, body given back to the app.

local filters = require "wsapi.filters"
local csrf = require "wsapi.filters.csrf"
local fake = require "support.fake"

local SECRET = ("c"):rep(40)

local function form_app(env)
  if env.REQUEST_METHOD == "GET" then
    local page = '<form method="post">' .. csrf.field(env) .. "</form>"
    return 200, { ["Content-Type"] = "text/html" }, coroutine.wrap(function() coroutine.yield(page) end)
  end
  local body = env.input:read() or ""
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("posted:" .. body) end)
end

local function new_app(options)
  return filters.stack {
    { filters.session, secret = SECRET, store = filters.session.memory { name = "csrf-" .. tostring({}) } },
    { filters.csrf, options or {} },
    form_app,
  }
end

-- GET the form: the cookie and the token
local function get_form(app)
  local r = fake.request(app, "GET", "/")
  local cookie = fake.set_cookie(r, "apogee_session")
  local token = r.body:match('name="csrf_token" value="([^"]+)"')
  assert.truthy(cookie)
  assert.truthy(token)
  return cookie, token
end

local function post(app, cookie, body, headers)
  headers = headers or {}
  headers.Cookie = cookie
  headers["Content-Type"] = headers["Content-Type"] or "application/x-www-form-urlencoded"
  return fake.request(app, "POST", "/", { body = body, headers = headers })
end

describe("wsapi.filters.csrf", function()
  it("accepts a form post carrying the token, and the app still reads the whole body", function()
    local app = new_app()
    local cookie, token = get_form(app)
    local body = "a=1&csrf_token=" .. token .. "&b=two"
    local r = post(app, cookie, body)
    assert.equals(200, r.status)
    assert.equals("posted:" .. body, r.body)
  end)

  it("accepts the token in the X-CSRF-Token header", function()
    local app = new_app()
    local cookie, token = get_form(app)
    local r = post(app, cookie, '{"json":true}', { ["Content-Type"] = "application/json", ["X-CSRF-Token"] = token })
    assert.equals(200, r.status)
    assert.equals('posted:{"json":true}', r.body)
  end)

  it("refuses posts without the token, with a wrong one, or without a session, with a 403 page", function()
    local app = new_app()
    local cookie, token = get_form(app)
    for _, case in ipairs({
      { cookie, "a=1" },
      { cookie, "csrf_token=" .. token:sub(2) .. "x" },
      { "", "csrf_token=" .. token },
    }) do
      local r = post(app, case[1], case[2])
      assert.equals(403, r.status, case[2])
      assert.matches("CSRF token", r.body)
    end
    local r = fake.request(app, "DELETE", "/", { headers = { Cookie = cookie } })
    assert.equals(403, r.status)
  end)

  it("lets safe methods through", function()
    local app = new_app()
    assert.equals(200, fake.request(app, "GET", "/").status)
    assert.equals(200, fake.request(app, "HEAD", "/").status)
    assert.equals(200, fake.request(app, "OPTIONS", "/").status)
  end)

  it("finds the field in a multipart form and gives the body back", function()
    local app = new_app()
    local cookie, token = get_form(app)
    local b = "XyZ"
    local body = "--" .. b .. '\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' .. token .. "\r\n--" .. b
      .. '\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
      .. ("data"):rep(10000) .. "\r\n--" .. b .. "--\r\n"
    local r = post(app, cookie, body, { ["Content-Type"] = "multipart/form-data; boundary=" .. b })
    assert.equals(200, r.status)
    assert.equals("posted:" .. body, r.body)
  end)

  it("refuses a form too large to search, pointing to the header", function()
    local app = new_app { max_body = 100 }
    local cookie, token = get_form(app)
    local r = post(app, cookie, ("x"):rep(200) .. "&csrf_token=" .. token)
    assert.equals(403, r.status)
    assert.matches("X%-CSRF%-Token header", r.body)
  end)

  it("can let chosen requests through", function()
    local app = new_app { skip = function(env) return env.PATH_INFO == "/api" end }
    assert.equals(200, fake.request(app, "POST", "/api", { body = "x" }).status)
  end)

  it("exposes the token on the env and needs the session filter", function()
    local seen
    local app = new_app()
    local probe = filters.stack {
      { filters.session, secret = SECRET },
      filters.csrf,
      function(env)
        seen = env.APOGEE_CSRF.token()
        assert.equals(seen, csrf.token(env))
        assert.matches('value="' .. seen:gsub("%p", "%%%0") .. '"', env.APOGEE_CSRF.field())
        return 200, {}, nil
      end,
    }
    fake.request(probe, "GET", "/")
    assert.truthy(seen)
    local bare = filters.csrf(form_app)
    assert.error_matches(function() fake.request(bare, "POST", "/", { body = "x" }) end, "put the session filter around this one")
  end)
end)
