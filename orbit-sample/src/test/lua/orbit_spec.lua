-- orbit: app creation, dispatch, the web object, htmlify
local orbit = require "orbit"
local mock = require "helpers.mock"
local R = require "orbit.routes"

describe("orbit.new", function()
  it("makes an app from a name or a table", function()
    local app = orbit.new("myapp")
    assert.equals("myapp", app._NAME)
    assert.is_function(app.dispatch_get)
    assert.is_function(app.run)
    assert.is_true(app.mapper.default)
    local t = {}
    assert.equals(t, orbit.new(t))
    assert.equals(orbit.reparse, nil)
    assert.equals(orbit.REPARSE, t.reparse)
  end)

  it("works as a module() option", function()
    local f = assert(load([[
      local orbit = require "orbit"
      module("orbit_spec_mod", package.seeall, orbit.new)
      function index(web) return "index of " .. _NAME end
      orbit_spec_mod:dispatch_get(index, "/")
      return _M
    ]]))
    local app = f()
    local status, _, body = mock.request(app, "GET", "/")
    assert.equals("200 Ok", status)
    assert.equals("index of orbit_spec_mod", body)
  end)
end)

describe("dispatch", function()
  local app
  before_each(function()
    app = orbit.new()
    app:dispatch_get(function(web) return "home" end, "/", "/index")
    app:dispatch_get(function(web, name) return "hello " .. name end, "/say/(%a+)")
    app:dispatch_get(function(web, a, b) return a .. "|" .. b end, "/two/(%w+)/(.-)")
    app:dispatch_get(function(web, params) return "route " .. params.name end, R "/hello/:name")
    app:dispatch_post(function(web) return "posted " .. web.input.x .. " " .. web.POST.x end, "/form")
    app:dispatch_put(function(web, id) web.status = 201; return "put " .. id end, "/items/(%d+)")
    app:dispatch_delete(function(web, id) return "deleted " .. id end, "/items/(%d+)")
    app:dispatch_options(function(web) web.headers["Allow"] = "GET"; return "" end, "/items")
    app:dispatch_get(function() return 42 end, "/number")
    app:dispatch_get(function() return { "a", { "b", "c" } } end, "/nested")
    app:dispatch_get(function() return nil end, "/nothing")
    app:dispatch_get(function() error("boom") end, "/fail")
    app:dispatch_get(function() return app.reparse end, "/re(.*)")
    app:dispatch_get(function() return "after reparse" end, "/re.*")
  end)

  it("matches anchored Lua patterns in registration order", function()
    local status, headers, body = mock.request(app, "GET", "/")
    assert.equals("200 Ok", status)
    assert.equals("home", body)
    assert.equals("text/html", headers["Content-Type"])
    assert.equals(4, tonumber(headers["Content-Length"]))
    assert.equals("home", select(3, mock.request(app, "GET", "/index")))
    assert.equals("hello world", select(3, mock.request(app, "GET", "/say/world")))
  end)

  it("passes url-decoded captures", function()
    assert.equals("x|a b/c", select(3, mock.request(app, "GET", "/two/x/a+b%2Fc")))
  end)

  it("passes route params", function()
    assert.equals("route ann", select(3, mock.request(app, "GET", "/hello/ann")))
  end)

  it("answers 404 from not_found", function()
    local status, _, body = mock.request(app, "GET", "/say/123")
    assert.equals("404 Not Found", status)
    assert.matches("Not found!", body)
  end)

  it("dispatches POST, PUT, DELETE and OPTIONS", function()
    assert.equals("posted 1 1", select(3, mock.request(app, "POST", "/form", { body = "x=1" })))
    local status, _, body = mock.request(app, "PUT", "/items/7")
    assert.equals(201, status)
    assert.equals("put 7", body)
    assert.equals("deleted 7", select(3, mock.request(app, "DELETE", "/items/7")))
    local _, headers = mock.request(app, "OPTIONS", "/items")
    assert.equals("GET", headers.Allow)
  end)

  it("writes numbers, nested tables and nil", function()
    assert.equals("42", select(3, mock.request(app, "GET", "/number")))
    assert.equals("abc", select(3, mock.request(app, "GET", "/nested")))
    local status, headers, body = mock.request(app, "GET", "/nothing")
    assert.equals("", body)
    assert.equals(0, tonumber(headers["Content-Length"]))
  end)

  it("answers 500 with server_error and a traceback when a handler raises", function()
    local status, _, body = mock.request(app, "GET", "/fail")
    assert.equals("500 Internal Server Error", status)
    assert.matches("boom", body)
    assert.matches("stack traceback", body)
  end)

  it("resumes matching after a handler returns reparse", function()
    assert.equals("after reparse", select(3, mock.request(app, "GET", "/retry")))
  end)

  it("raises for methods without a dispatch table (HEAD)", function()
    assert.has_error(function() mock.request(app, "HEAD", "/") end)
  end)

  it("calls handle_<method> when the method has no routes", function()
    local pages = orbit.new()
    pages.handle_get = function(web) return "handled " .. web.path_info end
    assert.equals("handled /x", select(3, mock.request(pages, "GET", "/x")))
  end)

  it("runs WSAPI handlers with the env and captures", function()
    local w = orbit.new()
    w:dispatch_wsapi(function(env, id)
      return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("raw " .. id .. " " .. env.REQUEST_METHOD) end)
    end, "/raw/(%d+)")
    assert.equals("raw 5 GET", select(3, mock.request(w, "GET", "/raw/5")))
    assert.equals("raw 6 POST", select(3, mock.request(w, "POST", "/raw/6")))
  end)
end)

describe("the web object", function()
  local function web_of(method, path, opts, app)
    app = app or orbit.new()
    local seen
    app:dispatch_get(function(web) seen = web; return "ok" end, ".*")
    app:dispatch_post(function(web) seen = web; return "ok" end, ".*")
    local status, headers, body = mock.request(app, method, path, opts)
    return seen, status, headers, body
  end

  it("has the request fields", function()
    local web = web_of("GET", "/p/q?a=1&b=x+y", { cookie = "sid=abc; theme=dark", script_name = "/blog" })
    assert.equals("get", web.method)
    assert.equals("/p/q", web.path_info)
    assert.equals("/blog", web.script_name)
    assert.equals("/blog", web.prefix)
    assert.equals("1", web.input.a)
    assert.equals("x y", web.GET.b)
    assert.equals("abc", web.cookies.sid)
    assert.equals("dark", web.cookies.theme)
    assert.equals("200 Ok", web.status)
    assert.equals("GET", web.vars.REQUEST_METHOD)
    assert.equals(".", web.real_path)
  end)

  it("takes real_path from APP_PATH", function()
    assert.equals("/srv/app", web_of("GET", "/", { app_path = "/srv/app" }).real_path)
  end)

  it("links with the prefix, suffix and encoded parameters", function()
    local app = orbit.new()
    app.suffix = ".html"
    local web = web_of("GET", "/", { script_name = "/blog" }, app)
    assert.equals("/blog/post/1.html", web:link("/post/1"))
    assert.equals("/blog/search.html?q=a+b%26c", web:link("/search", { q = "a b&c" }))
    assert.equals("/blog/css/site.css.html", web:static_link("/css/site.css"))
    local cgi = web_of("GET", "/", { script_name = "/cgi-bin/blog.lua" })
    assert.equals("/cgi-bin/css/site.css", cgi:static_link("/css/site.css"))
  end)

  it("redirects", function()
    local app = orbit.new()
    app:dispatch_get(function(web) return web:redirect("/elsewhere") end, "/")
    local status, headers, body = mock.request(app, "GET", "/")
    assert.equals("302 Found", status)
    assert.equals("/elsewhere", headers.Location)
    assert.equals("redirect", body)
  end)

  it("sets and deletes cookies and the content type", function()
    local app = orbit.new()
    app:dispatch_get(function(web)
      web:set_cookie("a", "1")
      web:set_cookie("b", { value = "2", path = "/" })
      web:delete_cookie("c", "/")
      web:content_type("text/plain")
      return "x"
    end, "/")
    local _, headers = mock.request(app, "GET", "/")
    assert.equals("text/plain", headers["Content-Type"])
    local cookies = headers["Set-Cookie"]
    assert.equals("a=1", cookies[1])
    assert.equals("b=2; path=/", cookies[2])
    assert.matches("^c=xxx; expires=Thursday, 01%-Jan%-1970", cookies[3])
  end)

  it("has empty, empty_param and the wsapi.util functions", function()
    local web = web_of("GET", "/?blank=++&full=x")
    assert.truthy(web:empty(nil))
    assert.truthy(web:empty("  "))
    assert.falsy(web:empty("a"))
    assert.truthy(web:empty_param("blank"))
    assert.truthy(web:empty_param("missing"))
    assert.falsy(web:empty_param("full"))
    assert.equals("a+b", web:url_encode("a b"))
    assert.equals("a b", web:url_decode("a+b"))
  end)
end)

describe("htmlify", function()
  it("turns missing globals into tag builders", function()
    local f = function() return html{ head{ title "T" }, body{ p.intro "hi", br(), a{ href = "/x", "link" } } } end
    orbit.htmlify(f)
    assert.equals('<html><head><title>T</title></head><body><p class="intro">hi</p><br/><a href="/x">link</a></body></html>', f())
  end)

  it("keeps real globals and H forces a tag", function()
    local f = function() return H "table" { tr{ td(tostring(1)) } } end
    orbit.htmlify(f)
    assert.equals("<table><tr><td>1</td></tr></table>", f())
  end)

  it("changes only the matching functions of an app", function()
    local chunk = assert(load([[
      local orbit = require "orbit"
      module("htmlify_spec_app", package.seeall, orbit.new)
      function render_page() return div "x" end
      function helper() return div end
      orbit.htmlify(htmlify_spec_app, "render_.+")
      return _M
    ]]))
    local app = chunk()
    assert.equals("<div>x</div>", app.render_page())
    assert.is_nil(app.helper())
  end)
end)

describe("dispatch_static", function()
  it("serves files under real_path with their MIME type and refuses ..", function()
    finally(function() os.remove("static_spec.css") end)
    local f = assert(io.open("static_spec.css", "w"))
    f:write("body{}")
    f:close()
    local app = orbit.new()
    app.real_path = "."
    app:dispatch_static("/.+%.css", "/.+%.txt")
    local status, headers, body = mock.request(app, "GET", "/static_spec.css")
    assert.equals("200 Ok", status)
    assert.equals("text/css", headers["Content-Type"])
    assert.equals("body{}", body)
    assert.equals("404 Not Found", (mock.request(app, "GET", "/missing.css")))
    assert.equals("404 Not Found", (mock.request(app, "GET", "/../etc/passwd.txt")))
  end)
end)
