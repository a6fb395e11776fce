-- wsapi.common: what WSAPI connectors, launchers and frameworks share (WSAPI 1.6/1.7 API).
--
-- Apogee is itself the connector, so apps rarely need this module; frameworks and launcher-style
-- apps do: normalize_app, run_app, send_output/send_content, the HTML error bodies, wsapi_env/run
-- (a connector in one call, used by wsapi.mock), the path helpers and the loaders, which serve a
-- folder of WSAPI scripts from inside one app.
--
-- File-system calls use LuaFileSystem when it is there, else Apogee's apogee.paths (the same
-- names), both on the state's virtual working directory.

local wsapi = require "wsapi"

local tostring, tonumber, pairs, ipairs, error, type, pcall, xpcall, setmetatable, dofile, rawget, rawset, assert, loadfile, require, select =
  tostring, tonumber, pairs, ipairs, error, type, pcall, xpcall, setmetatable, dofile, rawget, rawset, assert, loadfile, require, select
local format, match, find, gsub, sub, lower = string.format, string.match, string.find, string.gsub, string.sub, string.lower
local insert = table.insert
local traceback = debug.traceback
local time = os.time
local package = package

local _M = {}

local fs_module
local function fs()
  if not fs_module then
    local ok, lfs = pcall(require, "lfs")
    fs_module = (ok and type(lfs) == "table" and lfs.attributes and lfs.chdir) and lfs or require "apogee.paths"
  end
  return fs_module
end

-- HTTP status codes: WSAPI's table, plus the codes it lacked that apps answer today.
_M.status_codes = {
  [100] = "Continue",
  [101] = "Switching Protocols",
  [200] = "OK",
  [201] = "Created",
  [202] = "Accepted",
  [203] = "Non-Authoritative Information",
  [204] = "No Content",
  [205] = "Reset Content",
  [206] = "Partial Content",
  [300] = "Multiple Choices",
  [301] = "Moved Permanently",
  [302] = "Found",
  [303] = "See Other",
  [304] = "Not Modified",
  [305] = "Use Proxy",
  [307] = "Temporary Redirect",
  [308] = "Permanent Redirect",
  [400] = "Bad Request",
  [401] = "Unauthorized",
  [402] = "Payment Required",
  [403] = "Forbidden",
  [404] = "Not Found",
  [405] = "Method Not Allowed",
  [406] = "Not Acceptable",
  [407] = "Proxy Authentication Required",
  [408] = "Request Time-out",
  [409] = "Conflict",
  [410] = "Gone",
  [411] = "Length Required",
  [412] = "Precondition Failed",
  [413] = "Request Entity Too Large",
  [414] = "Request-URI Too Large",
  [415] = "Unsupported Media Type",
  [416] = "Requested range not satisfiable",
  [417] = "Expectation Failed",
  [418] = "I'm a teapot",
  [422] = "Unprocessable Entity",
  [429] = "Too Many Requests",
  [500] = "Internal Server Error",
  [501] = "Not Implemented",
  [502] = "Bad Gateway",
  [503] = "Service Unavailable",
  [504] = "Gateway Time-out",
  [505] = "HTTP Version not supported",
}

-- The __index of an env: looks a variable up (a function or a table) once and stores the
-- answer, or "", in the env.
function _M.sv_index(func)
  if type(func) == "table" then
    return function(env, n)
      local v = func[n]
      if v == nil then v = "" end
      env[n] = v
      return v
    end
  end
  return function(env, n)
    local v = func(n)
    if v == nil then v = "" end
    env[n] = v
    return v
  end
end

-- env.input from a low-level object: read(n) with n defaulting to self.length (CONTENT_LENGTH);
-- n <= 0 gives nil without touching the object.
function _M.input_maker(obj, read_method)
  local input = {}
  local read = obj[read_method or "read"]
  function input:read(n)
    n = n or self.length or 0
    if n > 0 then return read(obj, n) end
  end
  return input
end

-- Binary mode for stdin/stdout on Windows; nothing to do on the JVM.
function _M.setmode() end

-- The handler of an app given as a function, a table with run, a module name, or (is_file) a script.
function _M.normalize_app(app_run, is_file)
  local t = type(app_run)
  if t == "function" then
    return app_run
  elseif t == "table" then
    return app_run.run
  elseif t == "string" then
    if is_file then
      return _M.normalize_app(dofile(app_run))
    else
      return _M.normalize_app(require(app_run))
    end
  else
    error("not a valid WSAPI application")
  end
end

-- Writes each chunk of the body and flushes after it; an error while iterating appends WSAPI's
-- banner with the traceback and stops.
function _M.send_content(out, res_iter, write_method)
  local write = out[write_method or "write"]
  local flush = out.flush
  local ok, res = xpcall(res_iter, traceback)
  while ok and res do
    write(out, res)
    if flush then flush(out) end
    ok, res = xpcall(res_iter, traceback)
  end
  if not ok then
    write(out, "======== WSAPI ERROR DURING RESPONSE PROCESSING: \n<pre>" .. tostring(res) .. "\n</pre>")
  end
end

-- "200" or 200 -> "200 OK"; a code without a known reason stays bare; a full line passes through.
local function status_line(status)
  if type(status) == "number" or (type(status) == "string" and match(status, "^%d+$")) then
    local reason = _M.status_codes[tonumber(status)]
    return reason and (status .. " " .. reason) or tostring(status)
  end
  return status and tostring(status) or "500 Internal Server Error"
end
_M.status_line = status_line

-- Writes a whole response: "Status: ..." (CGI) or, with res_line, "HTTP/1.1 ..."; the headers
-- (an array value gives one line per element); a blank line; the body.
function _M.send_output(out, status, headers, res_iter, write_method, res_line)
  local write = out[write_method or "write"]
  status = status_line(status)
  if res_line then
    write(out, "HTTP/1.1 " .. status .. "\r\n")
  else
    write(out, "Status: " .. status .. "\r\n")
  end
  for h, v in pairs(headers or {}) do
    if type(v) ~= "table" then
      write(out, h .. ": " .. tostring(v) .. "\r\n")
    else
      for _, item in ipairs(v) do
        write(out, h .. ": " .. tostring(item) .. "\r\n")
      end
    end
  end
  write(out, "\r\n")
  _M.send_content(out, res_iter, write_method)
end

local function html_escape(s)
  return (gsub(tostring(s), "[<>&]", { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;" }))
end

-- The page of a 500: WSAPI's text, with the message (a traceback) HTML-escaped.
function _M.error_html(msg)
  return format([[
        <html>
        <head><title>WSAPI Error in Application</title></head>
        <body>
        <p>There was an error in the specified application.
        The full error message follows:</p>
<pre>
%s
</pre>
        </body>
        </html>
      ]], html_escape(msg))
end

function _M.status_500_html(msg)
  return _M.error_html(msg)
end

function _M.status_404_html(msg)
  return format([[
        <html>
        <head><title>Resource not found</title></head>
        <body>
        <p>%s</p>
        </body>
        </html>
      ]], tostring(msg))
end

function _M.status_200_html(msg)
  return format([[
        <html>
        <head><title>Resource not found</title></head>
        <body>
        <p>%s</p>
        </body>
        </html>
      ]], tostring(msg))
end

local function make_iterator(msg)
  local sent = false
  return function()
    if sent then return nil end
    sent = true
    return msg
  end
end

-- A complete 500 response to out, the message also to err; returns status, headers.
function _M.send_error(out, err, msg, out_method, err_method, http_response)
  local write_err = err[err_method or "write"]
  write_err(err, "WSAPI error in application: " .. tostring(msg) .. "\n")
  local body = _M.error_html(msg)
  local status, headers = "500 Internal Server Error", {
    ["Content-Type"] = "text/html",
    ["Content-Length"] = #body,
  }
  _M.send_output(out, status, headers, make_iterator(body), out_method, http_response)
  return status, headers
end

-- A complete 404 response to out; returns status, headers.
function _M.send_404(out, msg, out_method, http_response)
  local body = _M.status_404_html(msg)
  local status, headers = "404 Not Found", {
    ["Content-Type"] = "text/html",
    ["Content-Length"] = #body,
  }
  _M.send_output(out, status, headers, make_iterator(body), out_method, http_response)
  return status, headers
end

-- Runs the app: true, status, headers, iterator; or false and an error text. An error table
-- {code, message} (e.g. error{404, "no such page"}) sets env.STATUS and gives the page of that
-- code when there is a status_<code>_html (404, 500), else the message.
function _M.run_app(app, env)
  return xpcall(function() return (_M.normalize_app(app))(env) end, function(msg)
    if type(msg) == "table" and tonumber(msg[1]) then
      local code = tonumber(msg[1])
      env.STATUS = code
      local page = _M["status_" .. code .. "_html"]
      if page then return page(msg[2]) end
      return tostring(msg[2])
    end
    if type(msg) ~= "string" then msg = tostring(msg) end
    return traceback(msg, 2)
  end)
end

-- The answer to a failed run_app: status line, headers, body, and whether the failure is an
-- error to log (a 500) rather than a 404.
function _M.failure_response(env, err)
  local code = tonumber(env.STATUS)
  local page = err
  if not (code and _M["status_" .. code .. "_html"]) then page = _M.error_html(err) end
  local headers = { ["Content-Type"] = "text/html", ["Content-Length"] = #page }
  if code == 404 then return "404 Not Found", headers, page, false end
  return "500 Internal Server Error", headers, page, true
end

-- An env from t.env (a lookup function or a table), t.input (+ t.read_method) and t.error.
function _M.wsapi_env(t)
  local env = setmetatable({}, { __index = _M.sv_index(t.env) })
  env.input = _M.input_maker(t.input, t.read_method)
  env.error = t.error
  env.input.length = tonumber(env.CONTENT_LENGTH) or 0
  if env.PATH_INFO == "" then env.PATH_INFO = "/" end
  return env
end

-- A whole connector in one call: t = { env, input, output, error, read_method, write_method,
-- err_method, http_response }. Returns status, headers.
function _M.run(app, t)
  local env = _M.wsapi_env(t)
  local ok, status, headers, res_iter = _M.run_app(app, env)
  if ok then
    headers = headers or {}
    if not headers["Content-Length"] and t.http_response then
      headers["Transfer-Encoding"] = "chunked"
      local unchunked, done = res_iter, false
      res_iter = function()
        while not done do
          local chunk = unchunked()
          if not chunk then
            done = true
            return "0\r\n\r\n"
          end
          chunk = tostring(chunk)
          if chunk ~= "" then return format("%x\r\n%s\r\n", #chunk, chunk) end
        end
      end
    end
    _M.send_output(t.output, status, headers, res_iter, t.write_method, t.http_response)
  else
    local line, err_headers, page, is_error = _M.failure_response(env, status)
    if is_error then
      t.error[t.err_method or "write"](t.error, "WSAPI error in application: " .. tostring(status) .. "\n")
    end
    _M.send_output(t.output, line, err_headers, make_iterator(page), t.write_method, t.http_response)
    return line, err_headers
  end
  return status, headers
end

-- "/a/b/c.lua" -> "/a/b", "c.lua" (nil without a separator)
function _M.splitpath(filename)
  return match(filename, "^(.*)[/\\]([^/\\]*)$")
end

-- "c.lua" -> "c", "lua"; "c" -> "c", ""
function _M.splitext(filename)
  local modname, ext = match(filename, "^(.+)%.([^%.]+)$")
  if not modname then modname, ext = filename, "" end
  return modname, ext
end

-- path, file, module name, extension and modification time of a script; a folder means
-- <folder>/<name>.lua. A path that does not exist raises an error.
function _M.find_file(filename)
  local lfs = fs()
  local mode = assert(lfs.attributes(filename, "mode"))
  local path, file, modname, ext
  if mode == "directory" then
    path, modname = _M.splitpath(filename)
    path = path .. "/" .. modname
    file = modname .. ".lua"
    ext = "lua"
  elseif mode == "file" then
    path, file = _M.splitpath(filename)
    modname, ext = _M.splitext(file)
  else
    return nil
  end
  local mtime = assert(lfs.attributes(path .. "/" .. file, "modification"))
  return path, file, modname, ext, mtime
end

-- IIS appends PATH_INFO to PATH_TRANSLATED: cut it off again.
function _M.adjust_iis_path(wsapi_env, filename)
  local script_name, ext = match(wsapi_env.SCRIPT_NAME, "([^/%.]+)%.([^%.]+)$")
  if script_name then
    local path = match(filename, "^(.+)" .. script_name .. "%." .. ext .. "[/\\]")
    if path then return path .. script_name .. "." .. ext end
  end
  return filename
end

local function not_compatible(wsapi_env, filename)
  local script_name = wsapi_env.SCRIPT_NAME
  if not find((gsub(filename, "\\", "/")), script_name, 1, true) then
    local path_info = gsub(wsapi_env.PATH_INFO, "/", "\\")
    wsapi_env.DOCUMENT_ROOT = sub(filename, 1, #filename - #path_info)
    return true
  end
end

-- For generic launchers (/cgi-bin/wsapi.cgi/dir/app.lua/rest): walks PATH_INFO for the first
-- name.ext segment that is a file under DOCUMENT_ROOT and moves that prefix to SCRIPT_NAME.
function _M.adjust_non_wrapped(wsapi_env, filename, launcher)
  if filename == "" or not_compatible(wsapi_env, filename)
      or (launcher and match(filename, (gsub(launcher, "%.", "%%.")) .. "$")) then
    local lfs = fs()
    local path_info = wsapi_env.PATH_INFO
    local docroot = wsapi_env.DOCUMENT_ROOT
    local last = sub(docroot, #docroot)
    if last ~= "/" and last ~= "\\" then docroot = docroot .. "/" end
    local s, e = find(path_info, "[^/%.]+%.[^/%.]+", 1)
    while s do
      local filepath = sub(path_info, 2, e)
      local candidate
      if find(docroot, "\\", 1, true) then
        candidate = docroot .. gsub(filepath, "/", "\\")
      else
        candidate = docroot .. filepath
      end
      local mode = lfs.attributes(candidate, "mode")
      if not mode then
        error({ 404, "Resource " .. wsapi_env.SCRIPT_NAME .. "/" .. filepath .. " not found!" }, 0)
      elseif mode == "file" then
        wsapi_env.PATH_INFO = sub(path_info, e + 1)
        if wsapi_env.PATH_INFO == "" then wsapi_env.PATH_INFO = "/" end
        wsapi_env.SCRIPT_NAME = wsapi_env.SCRIPT_NAME .. "/" .. filepath
        return candidate
      end
      s, e = find(path_info, "[^/%.]+%.[^/%.]+", e + 1)
    end
    error("could not find a filename to load, check your configuration or URL")
  end
  return filename
end

-- Works out the script of the request (filename, or the first non-empty of vars) and fixes
-- PATH_TRANSLATED, SCRIPT_FILENAME, SCRIPT_NAME and PATH_INFO accordingly.
function _M.normalize_paths(wsapi_env, filename, launcher, vars)
  vars = vars or { "SCRIPT_FILENAME", "PATH_TRANSLATED" }
  if not filename or filename == "" then
    for _, var in ipairs(vars) do
      filename = wsapi_env[var]
      if filename ~= "" then break end
    end
    filename = _M.adjust_non_wrapped(wsapi_env, filename, launcher)
    filename = _M.adjust_iis_path(wsapi_env, filename)
  end
  wsapi_env.PATH_TRANSLATED = filename
  wsapi_env.SCRIPT_FILENAME = filename
  local s, e = find(wsapi_env.PATH_INFO, wsapi_env.SCRIPT_NAME, 1, true)
  if s == 1 then
    wsapi_env.PATH_INFO = sub(wsapi_env.PATH_INFO, e + 1)
    if wsapi_env.PATH_INFO == "" then wsapi_env.PATH_INFO = "/" end
  end
end

function _M.find_module(wsapi_env, filename, launcher, vars)
  _M.normalize_paths(wsapi_env, filename or "", launcher, vars)
  return _M.find_file(wsapi_env.PATH_TRANSLATED)
end

-- Runs a script as module modname (its ... is the name), without searching package.path; a
-- module(...)-style script is found in package.loaded. Always runs the file again.
function _M.require_file(filename, modname)
  package.loaded[modname] = true
  local res = assert(loadfile(filename))(modname)
  if res then package.loaded[modname] = res end
  return package.loaded[modname]
end

-- Loads an app script from its folder (which becomes the working directory): .lua files as
-- modules, other extensions (.ws) with dofile. Returns the handler.
function _M.load_wsapi(path, file, modname, ext)
  fs().chdir(path)
  local app
  if ext == "lua" then
    app = _M.require_file(file, modname)
  else
    app = dofile(file)
  end
  return _M.normalize_app(app)
end

-- A pool of ring states per script (or page) for the isolated loaders and launchers: an idle state is
-- closed, a busy one is flagged and closed when its response ends; every `period` seconds states older
-- than `ttl` go that way.
local function close_or_flag(state)
  if not rawget(state.data, "status") then
    state.app("close")
  else
    rawset(state.data, "cleanup", true)
  end
end

local function new_ring_pool()
  local app_states = setmetatable({}, { __index = function(tab, app)
    tab[app] = { states = {} }
    return tab[app]
  end })
  local last_collection = time()
  local function collect_states(period, ttl)
    if period and (last_collection + period < time()) then
      for _, app_state in pairs(app_states) do
        local kept = {}
        for _, state in ipairs(app_state.states) do
          if ttl and (rawget(state.data, "created_at") + ttl > time()) then
            insert(kept, state)
          else
            close_or_flag(state)
          end
        end
        app_state.states = kept
      end
      last_collection = time()
    end
  end
  return app_states, collect_states
end

-- Isolated loaders: each script runs in states of its own (wsapi.ringer), pooled.
do
  local app_states, collect_states = new_ring_pool()

  local function ringer()
    return require "wsapi.ringer"
  end

  local function bootstrap_app(path, file, modname, ext)
    local bootstrap = format([=[
      _, package.path = remotedostring("return package.path")
      _, package.cpath = remotedostring("return package.cpath")
      wsapi = {}
      wsapi.app_path = %q
    ]=], path)
    if ext == "lua" then
      return ringer().new(modname, bootstrap)
    else
      return ringer().new(file, bootstrap, true)
    end
  end

  local function helper(wsapi_env, params)
    local path, file, modname, ext, mtime = _M.find_module(wsapi_env, params.filename, params.launcher, params.vars)
    if params.reload then mtime = nil end
    if not path then
      error({ 404, "Resource " .. wsapi_env.SCRIPT_NAME .. " not found" })
    end
    local app = _M.load_wsapi_isolated(path, file, modname, ext, mtime)
    wsapi_env.APP_PATH = path
    return app(wsapi_env)
  end

  -- The handler of a script in an isolated state: an idle one of its pool, else a new one; a
  -- changed mtime (or none: reload) starts the pool afresh.
  function _M.load_wsapi_isolated(path, file, modname, ext, mtime)
    local filename = path .. "/" .. file
    fs().chdir(path)
    local app_state = app_states[filename]
    if mtime and app_state.mtime == mtime then
      for _, state in ipairs(app_state.states) do
        if not rawget(state.data, "status") then return state.app end
      end
      local app, data = bootstrap_app(path, file, modname, ext)
      insert(app_state.states, { app = app, data = data })
      return app
    end
    for _, state in ipairs(app_state.states) do close_or_flag(state) end
    local app, data = bootstrap_app(path, file, modname, ext)
    if mtime then
      app_states[filename] = { states = { { app = app, data = data } }, mtime = mtime }
    else
      app_states[filename] = nil
    end
    return app
  end

  function _M.make_isolated_loader(params)
    params = params or {}
    return function(wsapi_env)
      collect_states(params.period, params.ttl)
      return helper(wsapi_env, params)
    end
  end

  function _M.wsapi_loader_isolated(wsapi_env)
    return helper(wsapi_env, {})
  end

  function _M.wsapi_loader_isolated_reload(wsapi_env)
    return helper(wsapi_env, { reload = true })
  end
end

-- Isolated launchers: a module (e.g. orbit.pages) rendering a page file in a state of its own.
do
  local app_states, collect_states = new_ring_pool()

  local function bootstrap_app(path, app_modname, extra)
    local bootstrap = format([=[
      _, package.path = remotedostring("return package.path")
      _, package.cpath = remotedostring("return package.cpath")
      wsapi = {}
      wsapi.app_path = %q
    ]=], path) .. (extra or "")
    return require("wsapi.ringer").new(app_modname, bootstrap)
  end

  function _M.load_isolated_launcher(filename, app_modname, bootstrap, reload)
    local app_state = app_states[filename]
    local path = _M.splitpath(filename)
    local mtime = fs().attributes(filename, "modification")
    if not reload and app_state.mtime == mtime then
      for _, state in ipairs(app_state.states) do
        if not rawget(state.data, "status") then return state.app end
      end
      local app, data = bootstrap_app(path, app_modname, bootstrap)
      insert(app_state.states, { app = app, data = data })
      return app
    end
    for _, state in ipairs(app_state.states) do close_or_flag(state) end
    local app, data = bootstrap_app(path, app_modname, bootstrap)
    app_states[filename] = { states = { { app = app, data = data } }, mtime = mtime }
    return app
  end

  function _M.make_isolated_launcher(params)
    params = params or {}
    return function(wsapi_env)
      collect_states(params.period, params.ttl)
      _M.normalize_paths(wsapi_env, params.filename, params.launcher, params.vars)
      local app = _M.load_isolated_launcher(wsapi_env.PATH_TRANSLATED, params.modname, params.bootstrap, params.reload)
      return app(wsapi_env)
    end
  end
end

-- Persistent loader: every script in this state, cached by path and mtime (reload: loaded on every
-- request); every `period` seconds, apps older than `ttl` are dropped.
do
  local apps = setmetatable({}, { __index = function(tab, app)
    tab[app] = { created_at = time() }
    return tab[app]
  end })
  local last_collection = time()

  local function collect_states(period, ttl)
    if period and (last_collection + period < time()) then
      for name, data in pairs(apps) do
        local fresh = { created_at = time() }
        if ttl and data.created_at + ttl > time() then
          fresh.app, fresh.mtime = data.app, data.mtime
        end
        apps[name] = fresh
      end
      last_collection = time()
    end
  end

  local function load_persistent(path, file, modname, ext, mtime)
    local filename = path .. "/" .. file
    fs().chdir(path)
    local data = apps[filename]
    if mtime and data.mtime == mtime then return data.app end
    wsapi.app_path = path
    local app = _M.load_wsapi(path, file, modname, ext)
    if mtime then
      data.app = app
      data.mtime = mtime
    end
    return app
  end

  local function helper(wsapi_env, params)
    local path, file, modname, ext, mtime = _M.find_module(wsapi_env, params.filename, params.launcher, params.vars)
    if params.reload then mtime = nil end
    if not path then
      error({ 404, "Resource " .. wsapi_env.SCRIPT_NAME .. " not found" })
    end
    local app = load_persistent(path, file, modname, ext, mtime)
    wsapi_env.APP_PATH = path
    return app(wsapi_env)
  end

  function _M.make_persistent_loader(params)
    params = params or {}
    return function(wsapi_env)
      collect_states(params.period, params.ttl)
      return helper(wsapi_env, params)
    end
  end
end

-- isolated (wsapi.ringer) unless params is given without isolated = true, as upstream.
function _M.make_loader(params)
  params = params or { isolated = true }
  if params.isolated then
    return _M.make_isolated_loader(params)
  end
  return _M.make_persistent_loader(params)
end

return _M
