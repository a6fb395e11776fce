-- wsapi.common: what connectors, launchers and frameworks call.

local common = require "wsapi.common"
local paths = require "apogee.paths"

local HERE = paths.currentdir()
local DOCROOT = HERE .. "/fixtures/docroot"

-- An output object that records what is written (and flushes).
local function recorder()
  return {
    parts = {}, flushes = 0,
    write = function(self, s) self.parts[#self.parts + 1] = s end,
    flush = function(self) self.flushes = self.flushes + 1 end,
    text = function(self) return table.concat(self.parts) end,
  }
end

local function iterate(list)
  local i = 0
  return function()
    i = i + 1
    return list[i]
  end
end

local function body_of(iter)
  local out = {}
  for chunk in iter do out[#out + 1] = chunk end
  return table.concat(out)
end

describe("wsapi.common", function()
  after_each(function() paths.chdir(HERE) end)

  it("is reachable as the global wsapi.common", function()
    assert.equals(common, wsapi.common)
  end)

  describe("status_codes", function()
    it("has WSAPI's reasons, and the codes it lacked", function()
      assert.equals("OK", common.status_codes[200])
      assert.equals("Not Found", common.status_codes[404])
      assert.equals("Internal Server Error", common.status_codes[500])
      assert.equals("Permanent Redirect", common.status_codes[308])
      assert.equals("Too Many Requests", common.status_codes[429])
    end)
  end)

  describe("sv_index", function()
    it("looks variables up once and reads undefined ones as ''", function()
      local calls = 0
      local env = setmetatable({}, { __index = common.sv_index(function(name)
        calls = calls + 1
        if name == "A" then return "1" end
      end) })
      assert.equals("1", env.A)
      assert.equals("", env.B)
      assert.equals("1", env.A)
      assert.equals(2, calls)
      assert.equals("1", rawget(env, "A"))
      local from_table = setmetatable({}, { __index = common.sv_index({ X = "x" }) })
      assert.equals("x", from_table.X)
      assert.equals("", from_table.Y)
    end)
  end)

  describe("input_maker", function()
    it("reads length bytes by default and nothing for n <= 0", function()
      local asked = {}
      local obj = { get = function(self, n) asked[#asked + 1] = n return ("x"):rep(n) end }
      local input = common.input_maker(obj, "get")
      input.length = 3
      assert.equals("xxx", input:read())
      assert.equals("xx", input:read(2))
      assert.is_nil(input:read(0))
      assert.same({ 3, 2 }, asked)
      assert.is_nil(common.input_maker(obj, "get"):read())
    end)
  end)

  describe("normalize_app", function()
    it("accepts a function, a table with run, a module name and a script", function()
      local f = function() end
      assert.equals(f, common.normalize_app(f))
      assert.equals(f, common.normalize_app({ run = f }))
      package.loaded["common_spec_app"] = { run = f }
      assert.equals(f, common.normalize_app("common_spec_app"))
      package.loaded["common_spec_app"] = nil
      assert.is_function(common.normalize_app(DOCROOT .. "/page.ws", true))
    end)

    it("refuses anything else", function()
      assert.error_matches(function() common.normalize_app(42) end, "not a valid WSAPI application")
    end)
  end)

  describe("send_content and send_output", function()
    it("writes and flushes each chunk", function()
      local out = recorder()
      common.send_content(out, iterate({ "a", "b", "c" }))
      assert.equals("abc", out:text())
      assert.equals(3, out.flushes)
    end)

    it("appends WSAPI's banner when the iterator fails", function()
      local out = recorder()
      local n = 0
      common.send_content(out, function()
        n = n + 1
        if n == 2 then error("iteration broke") end
        return "first"
      end)
      assert.matches("^first======== WSAPI ERROR DURING RESPONSE PROCESSING: \n<pre>.*iteration broke", out:text())
    end)

    it("writes a CGI response: Status line, headers (one line per list item), body", function()
      local out = recorder()
      common.send_output(out, 200, { ["Set-Cookie"] = { "a=1", "b=2" } }, iterate({ "body" }))
      assert.equals("Status: 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nbody", out:text())
    end)

    it("writes an HTTP status line with res_line, and accepts any status", function()
      local out = recorder()
      common.send_output(out, "404", {}, iterate({}), nil, true)
      assert.equals("HTTP/1.1 404 Not Found\r\n\r\n", out:text())
      out = recorder()
      common.send_output(out, 299, nil, iterate({}))
      assert.equals("Status: 299\r\n\r\n", out:text())
      out = recorder()
      common.send_output(out, "200 Ok", {}, iterate({}))
      assert.equals("Status: 200 Ok\r\n\r\n", out:text())
    end)
  end)

  describe("HTML pages", function()
    it("error_html and status_500_html show the message, escaped", function()
      local page = common.error_html("bad <thing> & more")
      assert.matches("WSAPI Error in Application", page)
      assert.matches("bad &lt;thing&gt; &amp; more", page, 1, true)
      assert.equals(page, common.status_500_html("bad <thing> & more"))
    end)

    it("status_404_html and status_200_html show the message", function()
      assert.matches("<p>gone</p>", common.status_404_html("gone"))
      assert.matches("Resource not found", common.status_404_html("gone"))
      assert.matches("<p>fine</p>", common.status_200_html("fine"))
    end)

    it("send_error and send_404 write complete responses", function()
      local out, err = recorder(), recorder()
      local status, headers = common.send_error(out, err, "it failed")
      assert.equals("500 Internal Server Error", status)
      assert.equals("text/html", headers["Content-Type"])
      assert.equals("WSAPI error in application: it failed\n", err:text())
      assert.matches("^Status: 500 Internal Server Error\r\n", out:text())
      assert.matches("it failed", out:text())
      out = recorder()
      status = common.send_404(out, "nothing here", nil, true)
      assert.equals("404 Not Found", status)
      assert.matches("^HTTP/1.1 404 Not Found\r\n", out:text())
      assert.matches("nothing here", out:text())
    end)
  end)

  describe("run_app", function()
    it("returns true and the app's answer", function()
      local ok, status, headers, iter = common.run_app(function(env)
        return 201, { X = env.V }, iterate({ "x" })
      end, { V = "v" })
      assert.is_true(ok)
      assert.equals(201, status)
      assert.equals("v", headers.X)
      assert.equals("x", body_of(iter))
    end)

    it("returns false and a traceback for an error", function()
      local ok, msg = common.run_app(function() error("exploded") end, {})
      assert.is_false(ok)
      assert.matches("exploded", msg)
      assert.matches("stack traceback", msg)
    end)

    it("handles error tables {404, msg}: env.STATUS and the 404 page", function()
      local env = {}
      local ok, page = common.run_app(function() error({ 404, "no such page" }) end, env)
      assert.is_false(ok)
      assert.equals(404, env.STATUS)
      assert.equals(common.status_404_html("no such page"), page)
    end)

    it("handles error tables with other codes", function()
      local env = {}
      local ok, msg = common.run_app(function() error({ 403, "forbidden" }) end, env)
      assert.is_false(ok)
      assert.equals(403, env.STATUS)
      assert.equals("forbidden", msg)
      env = {}
      ok, msg = common.run_app(function() error({ reason = "an object" }) end, env)
      assert.is_false(ok)
      assert.is_nil(env.STATUS)
      assert.is_string(msg)
    end)

    it("accepts the app as a module name", function()
      package.loaded["common_spec_app2"] = { run = function() return 200, {}, iterate({}) end }
      assert.is_true((common.run_app("common_spec_app2", {})))
      package.loaded["common_spec_app2"] = nil
    end)
  end)

  describe("wsapi_env and run", function()
    it("builds an env from a table or a lookup function", function()
      local env = common.wsapi_env({ env = { CONTENT_LENGTH = "4", PATH_INFO = "" }, input = { read = function(_, n) return ("b"):rep(n) end } })
      assert.equals("/", env.PATH_INFO)
      assert.equals("", env.UNKNOWN)
      assert.equals(4, env.input.length)
      assert.equals("bbbb", env.input:read())
      env = common.wsapi_env({ env = function(n) return n == "PATH_INFO" and "/x" or nil end, input = {} })
      assert.equals("/x", env.PATH_INFO)
      assert.equals(0, env.input.length)
    end)

    it("runs an app as a connector: CGI output and error log", function()
      local out, err = recorder(), recorder()
      local t = { env = { REQUEST_METHOD = "GET", PATH_INFO = "/p" }, input = {}, output = out, error = err }
      local status, headers = common.run(function(env)
        return 200, { ["Content-Length"] = 2 }, iterate({ env.PATH_INFO:sub(2), "!" })
      end, t)
      assert.equals(200, status)
      assert.equals(2, headers["Content-Length"])
      assert.equals("Status: 200 OK\r\nContent-Length: 2\r\n\r\np!", out:text())
      out = recorder()
      status = common.run(function() error("broken app") end, { env = {}, input = {}, output = out, error = err })
      assert.equals("500 Internal Server Error", status)
      assert.matches("broken app", err:text())
      assert.matches("WSAPI Error in Application", out:text())
      out = recorder()
      status = common.run(function() error({ 404, "missing thing" }) end, { env = {}, input = {}, output = out, error = err })
      assert.equals("404 Not Found", status)
      assert.matches("^Status: 404 Not Found\r\n", out:text())
      assert.matches("<p>missing thing</p>", out:text())
    end)

    it("chunks a body without Content-Length for http_response, ending it properly", function()
      local out = recorder()
      common.run(function() return 200, {}, iterate({ "abc", "", "de" }) end,
        { env = {}, input = {}, output = out, error = recorder(), http_response = true })
      assert.equals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", out:text())
    end)
  end)

  describe("paths", function()
    it("splitpath and splitext", function()
      assert.same({ "/a/b", "c.lua" }, { common.splitpath("/a/b/c.lua") })
      assert.same({ "C:\\a", "c.lua" }, { common.splitpath("C:\\a\\c.lua") })
      assert.is_nil(common.splitpath("c.lua"))
      assert.same({ "c", "lua" }, { common.splitext("c.lua") })
      assert.same({ "c.tar", "gz" }, { common.splitext("c.tar.gz") })
      assert.same({ "c", "" }, { common.splitext("c") })
    end)

    it("find_file describes a script, or a folder's script", function()
      local path, file, modname, ext, mtime = common.find_file(DOCROOT .. "/hello.lua")
      assert.same({ DOCROOT, "hello.lua", "hello", "lua" }, { path, file, modname, ext })
      assert.is_number(mtime)
      path, file, modname, ext = common.find_file(DOCROOT .. "/modstyle")
      assert.same({ DOCROOT .. "/modstyle", "modstyle.lua", "modstyle", "lua" }, { path, file, modname, ext })
      assert.has_error(function() common.find_file(DOCROOT .. "/missing.lua") end)
    end)

    it("adjust_iis_path cuts the PATH_INFO IIS appends", function()
      local env = { SCRIPT_NAME = "/app/hello.lua" }
      assert.equals("C:\\www\\hello.lua", common.adjust_iis_path(env, "C:\\www\\hello.lua\\extra\\path"))
      assert.equals("/www/hello.lua", common.adjust_iis_path(env, "/www/hello.lua"))
    end)

    it("normalize_paths finds the script in PATH_INFO for a generic launcher", function()
      local env = {
        SCRIPT_NAME = "/cgi-bin/wsapi.cgi", PATH_INFO = "/hello.lua/extra/path", DOCUMENT_ROOT = DOCROOT,
        SCRIPT_FILENAME = "/usr/lib/cgi-bin/wsapi.cgi", PATH_TRANSLATED = "",
      }
      common.normalize_paths(env, nil, "wsapi.cgi")
      assert.equals("/cgi-bin/wsapi.cgi/hello.lua", env.SCRIPT_NAME)
      assert.equals("/extra/path", env.PATH_INFO)
      assert.equals(DOCROOT .. "/hello.lua", env.PATH_TRANSLATED)
      assert.equals(DOCROOT .. "/hello.lua", env.SCRIPT_FILENAME)
    end)

    it("normalize_paths raises {404, ...} for a missing script", function()
      local env = { SCRIPT_NAME = "", PATH_INFO = "/nothere.lua/x", DOCUMENT_ROOT = DOCROOT, SCRIPT_FILENAME = "", PATH_TRANSLATED = "" }
      local ok, err = pcall(common.normalize_paths, env)
      assert.is_false(ok)
      assert.equals(404, err[1])
      assert.matches("nothere.lua not found", err[2])
    end)

    it("normalize_paths with a file name strips SCRIPT_NAME from PATH_INFO", function()
      local env = { SCRIPT_NAME = "/app", PATH_INFO = "/app/x" }
      common.normalize_paths(env, "/srv/app.lua")
      assert.equals("/srv/app.lua", env.PATH_TRANSLATED)
      assert.equals("/x", env.PATH_INFO)
      env = { SCRIPT_NAME = "/app", PATH_INFO = "/app" }
      common.normalize_paths(env, "/srv/app.lua")
      assert.equals("/", env.PATH_INFO)
    end)

    it("find_module = normalize_paths + find_file", function()
      local env = { SCRIPT_NAME = "", PATH_INFO = "/page.ws/y", DOCUMENT_ROOT = DOCROOT, SCRIPT_FILENAME = "", PATH_TRANSLATED = "" }
      local path, file, modname, ext = common.find_module(env)
      assert.same({ DOCROOT, "page.ws", "page", "ws" }, { path, file, modname, ext })
      assert.equals("/y", env.PATH_INFO)
    end)
  end)

  describe("loading scripts", function()
    it("require_file runs the file as a module, every time", function()
      loads_of_hello = nil
      local m = common.require_file(DOCROOT .. "/hello.lua", "hello_via_require_file")
      assert.is_function(m.run)
      assert.equals(m, package.loaded.hello_via_require_file)
      common.require_file(DOCROOT .. "/hello.lua", "hello_via_require_file")
      assert.equals(2, loads_of_hello)
      local mod = common.require_file(DOCROOT .. "/modstyle/modstyle.lua", "modstyle")
      assert.equals("modstyle", mod.loaded_as)
      assert.equals(mod, package.loaded.modstyle)
    end)

    it("require_file reports a syntax error", function()
      assert.error_matches(function() common.require_file(DOCROOT .. "/sub/broken.lua", "broken") end, "broken.lua")
    end)

    it("load_wsapi moves to the app's folder and returns its handler", function()
      local run = common.load_wsapi(DOCROOT, "hello.lua", "hello", "lua")
      assert.equals(DOCROOT, paths.currentdir())
      local _, _, iter = run({ SCRIPT_NAME = "/s", PATH_INFO = "/p", APP_PATH = "A" })
      assert.equals("hello /s /p A data next to hello.lua", body_of(iter))
      local ws = common.load_wsapi(DOCROOT, "page.ws", "page", "ws")
      local _, _, iter2 = ws({ PATH_INFO = "/q" })
      assert.equals("ws /q", body_of(iter2))
    end)

    it("setmode does nothing on the JVM", function()
      assert.has_no.errors(common.setmode)
    end)
  end)

  describe("persistent loader", function()
    local function env_for(path_info)
      return setmetatable({ SCRIPT_NAME = "/launcher", PATH_INFO = path_info, DOCUMENT_ROOT = DOCROOT,
        SCRIPT_FILENAME = "", PATH_TRANSLATED = "" }, { __index = function() return "" end })
    end

    it("serves scripts under DOCUMENT_ROOT, loading each once", function()
      loads_of_hello = 0
      local loader = common.make_persistent_loader({ launcher = "launcher" })
      local status, _, iter = loader(env_for("/hello.lua/one"))
      assert.equals(200, status)
      assert.equals("hello /launcher/hello.lua /one " .. DOCROOT .. " data next to hello.lua", body_of(iter))
      loader(env_for("/hello.lua/two"))
      assert.equals(1, loads_of_hello)
      assert.equals(DOCROOT, wsapi.app_path)
      -- a folder as the script means <folder>/<folder>.lua
      local folder = common.make_persistent_loader({ filename = DOCROOT .. "/modstyle" })
      local _, _, modstyle = folder(env_for("/x"))
      assert.equals("module modstyle /x", body_of(modstyle))
    end)

    it("loads the script on every request with reload", function()
      loads_of_hello = 0
      local loader = common.make_persistent_loader({ launcher = "launcher", reload = true })
      loader(env_for("/hello.lua/"))
      loader(env_for("/hello.lua/"))
      assert.equals(2, loads_of_hello)
    end)

    it("is what make_loader gives for a table without isolated", function()
      local loader = common.make_loader({ launcher = "launcher" })
      local status = loader(env_for("/page.ws"))
      assert.equals(200, status)
    end)
  end)

  describe("isolated loader", function()
    -- A stand-in for wsapi.ringer that records the states it makes.
    local made
    before_each(function()
      made = {}
      package.loaded["wsapi.ringer"] = {
        new = function(app_name, bootstrap, is_file)
          local data = { created_at = os.time() }
          local state = { name = app_name, bootstrap = bootstrap, is_file = is_file, data = data, closed = false }
          made[#made + 1] = state
          local app = function(env)
            if env == "close" then state.closed = true return end
            data.status = 200
            return 200, {}, iterate({ app_name .. " " .. env.APP_PATH })
          end
          return app, data
        end,
      }
    end)
    after_each(function() package.loaded["wsapi.ringer"] = nil end)

    local function env_for(path_info)
      return setmetatable({ SCRIPT_NAME = "", PATH_INFO = path_info, DOCUMENT_ROOT = DOCROOT,
        SCRIPT_FILENAME = "", PATH_TRANSLATED = "" }, { __index = function() return "" end })
    end

    it("runs each script in a state of its own, reusing idle ones and adding one when all are busy", function()
      local loader = common.make_loader()
      local _, _, iter = loader(env_for("/hello.lua/a"))
      assert.equals("hello " .. DOCROOT, body_of(iter))
      assert.equals(1, #made)
      assert.matches("wsapi.app_path = \"" .. DOCROOT:gsub("%p", "%%%0") .. "\"", made[1].bootstrap)
      loader(env_for("/hello.lua/b")) -- the first state is still busy (data.status set)
      assert.equals(2, #made)
      made[1].data.status = nil
      made[2].data.status = nil
      loader(env_for("/hello.lua/c"))
      assert.equals(2, #made, "an idle state is reused")
      loader(env_for("/page.ws"))
      assert.equals(3, #made)
      assert.equals("page.ws", made[3].name)
      assert.is_true(made[3].is_file)
    end)

    it("starts a fresh state on every request with reload", function()
      local loader = common.make_isolated_loader({ reload = true, filename = DOCROOT .. "/modstyle" })
      loader(env_for("/"))
      assert.equals("modstyle", made[1].name)
      made[1].data.status = nil
      loader(env_for("/"))
      assert.equals(2, #made)
    end)

    it("wsapi_loader_isolated answers 404 for a missing script", function()
      local ok, err = pcall(common.wsapi_loader_isolated, env_for("/missing.lua/x"))
      assert.is_false(ok)
      assert.equals(404, err[1])
    end)

    it("make_isolated_launcher renders a page file with a module in a state of its own", function()
      local launcher = common.make_isolated_launcher({ filename = DOCROOT .. "/data.txt", modname = "pages.module", bootstrap = "x = 1" })
      local env = env_for("/")
      local status = launcher(env)
      assert.equals(200, status)
      assert.equals("pages.module", made[1].name)
      assert.matches("x = 1$", made[1].bootstrap)
      assert.equals(DOCROOT .. "/data.txt", env.PATH_TRANSLATED)
    end)
  end)
end)
