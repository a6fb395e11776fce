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

describe("wsapi.filters.csrf with a body sent without Content-Length", function()
  local request = require "wsapi.request"

  -- what an app that uses wsapi.request sees: its POST fields (files as name:size:contents) and
  -- CONTENT_LENGTH
  local function fields_app(env)
    local req = request.new(env)
    local lines = {}
    for k, v in pairs(req.POST) do
      if type(v) == "table" then v = v.name .. ":" .. v.size .. ":" .. v.contents end
      lines[#lines + 1] = k .. "=" .. v
    end
    table.sort(lines)
    lines[#lines + 1] = "CONTENT_LENGTH=" .. tostring(env.CONTENT_LENGTH)
    local text = table.concat(lines, "\n")
    return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
  end

  -- GET: form_app's page with the token; other methods: inner. One session store for all, so a
  -- cookie from one of these apps is good for the others.
  local store = filters.session.memory { name = "csrf-unknown-length" }
  local function app_of(inner)
    return filters.stack {
      { filters.session, secret = SECRET, store = store },
      filters.csrf,
      function(env)
        if env.REQUEST_METHOD == "GET" then return form_app(env) end
        return inner(env)
      end,
    }
  end

  local function post_to(app, cookie, body, content_type, chunked)
    return fake.request(app, "POST", "/", { body = body, chunked = chunked,
      headers = { Cookie = cookie, ["Content-Type"] = content_type } })
  end

  local B = "XyZ"
  local MULTIPART = "multipart/form-data; boundary=" .. B
  local function multipart(parts)
    local out = {}
    for _, p in ipairs(parts) do
      out[#out + 1] = "--" .. B .. '\r\nContent-Disposition: form-data; name="' .. p[1] .. '"'
        .. (p[3] and ('; filename="' .. p[3] .. '"\r\nContent-Type: text/plain') or "") .. "\r\n\r\n" .. p[2] .. "\r\n"
    end
    return table.concat(out) .. "--" .. B .. "--\r\n"
  end

  it("gives an app using wsapi.request the same urlencoded fields", function()
    local app = app_of(fields_app)
    local cookie, token = get_form(app)
    local body = "a=1&csrf_token=" .. token .. "&b=" .. ("x"):rep(3000)
    local expected = "a=1\nb=" .. ("x"):rep(3000) .. "\ncsrf_token=" .. token .. "\nCONTENT_LENGTH=" .. #body
    for _, chunked in ipairs({ false, true }) do
      local r = post_to(app, cookie, body, "application/x-www-form-urlencoded", chunked)
      assert.equals(200, r.status)
      assert.equals(expected, r.body, chunked and "chunked" or "with Content-Length")
    end
  end)

  it("gives an app using wsapi.request the same multipart fields, token last (all bytes read)", function()
    local app = app_of(fields_app)
    local cookie, token = get_form(app)
    local data = ("data"):rep(10000)
    local body = multipart { { "title", "Hi" }, { "file", data, "a.txt" }, { "csrf_token", token } }
    local fields = "csrf_token=" .. token .. "\nfile=a.txt:40000:" .. data .. "\ntitle=Hi\n"
    local r = post_to(app, cookie, body, MULTIPART, false)
    assert.equals(fields .. "CONTENT_LENGTH=" .. #body, r.body)
    -- the filter stops at the token, before it has seen the end of the body
    r = post_to(app, cookie, body, MULTIPART, true)
    assert.equals(200, r.status)
    assert.equals(fields .. "CONTENT_LENGTH=", r.body)
  end)

  it("gives an app using wsapi.request the same multipart fields, token first (the body read in part)", function()
    local app = app_of(fields_app)
    local cookie, token = get_form(app)
    local data = ("data"):rep(100000)
    local body = multipart { { "csrf_token", token }, { "file", data, "a.txt" }, { "title", "Hi" } }
    local fields = "csrf_token=" .. token .. "\nfile=a.txt:400000:" .. data .. "\ntitle=Hi\n"
    local r = post_to(app, cookie, body, MULTIPART, false)
    assert.equals(fields .. "CONTENT_LENGTH=" .. #body, r.body)
    -- the filter stopped reading at the token: the length is still unknown
    r = post_to(app, cookie, body, MULTIPART, true)
    assert.equals(200, r.status)
    assert.equals(fields .. "CONTENT_LENGTH=", r.body)
  end)

  it("sets CONTENT_LENGTH once it has read the whole body, so read() gives all of it", function()
    local app = app_of(form_app)
    local cookie, token = get_form(app)
    local body = "a=1&csrf_token=" .. token
    local r = post_to(app, cookie, body, "application/x-www-form-urlencoded", true)
    assert.equals("posted:" .. body, r.body)
    r = post_to(app, cookie, "", "application/x-www-form-urlencoded", true)
    assert.equals(403, r.status)
  end)

  -- a series of reads, each result as "nil" or its length and first and last bytes
  local function reads_app(script)
    return function(env)
      local out = { "length=" .. tostring(env.input.length) }
      for _, n in ipairs(script) do
        local s = env.input:read(n)
        out[#out + 1] = tostring(n) .. ":" .. (s == nil and "nil" or (#s .. ":" .. s:sub(1, 1) .. s:sub(-1)))
      end
      return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(table.concat(out, " ")) end)
    end
  end

  it("gives back an input that reads as the server's does", function()
    -- the body as numbered bytes, so each piece shows where it came from
    local token_app = app_of(reads_app {})
    local cookie, token = get_form(token_app)
    local data = {}
    for i = 1, 4000 do data[i] = ("%05d|"):format(i) end
    data = table.concat(data)
    local bodies = {
      { "application/x-www-form-urlencoded", "csrf_token=" .. token .. "&d=" .. data },
      { MULTIPART, multipart { { "csrf_token", token }, { "d", data } } },
    }
    for _, chunked in ipairs({ false, true }) do
      for _, b in ipairs(bodies) do
        local script = { 0, -1, 10, 20000, "*a", 1, "*a" }
        local plain = fake.request(reads_app(script), "POST", "/", { body = b[2], chunked = chunked,
          headers = { ["Content-Type"] = b[1] } })
        local filtered = post_to(app_of(reads_app(script)), cookie, b[2], b[1], chunked)
        local label = b[1] .. (chunked and ", chunked" or "")
        assert.equals(200, filtered.status, label)
        local expected = plain.body
        if chunked and b[1] ~= MULTIPART then
          -- read in full by the filter: the length is known now
          expected = expected:gsub("^length=0", "length=" .. #b[2])
        end
        assert.equals(expected, filtered.body, label)
      end
    end
    -- read() reads CONTENT_LENGTH bytes, or nothing when the length is unknown
    local body = multipart { { "csrf_token", token }, { "d", data } }
    local r = post_to(app_of(reads_app { "*a" }), cookie, body, MULTIPART, true)
    assert.equals("length=0 *a:" .. #body .. ":-\n", r.body)
    r = post_to(app_of(function(env)
      local first = env.input:read()
      return 200, {}, coroutine.wrap(function() coroutine.yield(tostring(first)) end)
    end), cookie, body, MULTIPART, true)
    assert.equals("nil", r.body)
  end)
end)
