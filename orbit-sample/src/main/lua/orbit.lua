-- Orbit, the MVC web framework of the Kepler project, for Apogee.
--
-- The public API of Orbit 2.2 (orbit.new, dispatch_*, htmlify, the web object, model, reparse)
-- written anew; see docs/orbit.md for what differs. Apps written for Orbit run unchanged:
--
--   local orbit = require "orbit"
--   module("hello", package.seeall, orbit.new)
--   function index(web) return "Hello!" end
--   hello:dispatch_get(index, "/", "/index")
--   return _M
--
-- Templates: web:page(name, env) and web:page_inline(src, env) use orbit.template.

local wsreq = require "wsapi.request"
local wsres = require "wsapi.response"
local wsutil = require "wsapi.util"

local type, pairs, ipairs, tostring, setmetatable, rawset = type, pairs, ipairs, tostring, setmetatable, rawset
local xpcall, error, select, require = xpcall, error, select, require
local unpack = table.unpack or unpack
local concat, insert = table.concat, table.insert
local lower, match, format = string.lower, string.match, string.format
local traceback = debug.traceback

local _M = {}

_M._NAME = "orbit"
_M._VERSION = "2.2.4"
_M._COPYRIGHT = "Copyright (C) 2007-2015 Kepler Project; Apogee version"
_M._DESCRIPTION = "MVC for WSAPI"

_M.mime_types = {
  ez = "application/andrew-inset", atom = "application/atom+xml", hqx = "application/mac-binhex40",
  cpt = "application/mac-compactpro", mathml = "application/mathml+xml", doc = "application/msword",
  bin = "application/octet-stream", dms = "application/octet-stream", lha = "application/octet-stream",
  lzh = "application/octet-stream", exe = "application/octet-stream", class = "application/octet-stream",
  so = "application/octet-stream", dll = "application/octet-stream", oda = "application/oda",
  ogg = "application/ogg", pdf = "application/pdf", ai = "application/postscript",
  eps = "application/postscript", ps = "application/postscript", rdf = "application/rdf+xml",
  rss = "application/rss+xml", smi = "application/smil", smil = "application/smil",
  gram = "application/srgs", grxml = "application/srgs+xml", mif = "application/vnd.mif",
  xls = "application/vnd.ms-excel", ppt = "application/vnd.ms-powerpoint", wbxml = "application/vnd.wap.wbxml",
  wmlc = "application/vnd.wap.wmlc", wmlsc = "application/vnd.wap.wmlscriptc", vxml = "application/voicexml+xml",
  js = "application/javascript", json = "application/json", wasm = "application/wasm",
  swf = "application/x-shockwave-flash", tar = "application/x-tar", gz = "application/gzip",
  zip = "application/zip", xhtml = "application/xhtml+xml", xht = "application/xhtml+xml",
  xslt = "application/xslt+xml", xml = "application/xml", xsl = "application/xml", dtd = "application/xml-dtd",
  au = "audio/basic", snd = "audio/basic", mid = "audio/midi", midi = "audio/midi", kar = "audio/midi",
  mpga = "audio/mpeg", mp2 = "audio/mpeg", mp3 = "audio/mpeg", wav = "audio/x-wav",
  bmp = "image/bmp", gif = "image/gif", ief = "image/ief", jpeg = "image/jpeg", jpg = "image/jpeg",
  jpe = "image/jpeg", png = "image/png", svg = "image/svg+xml", tiff = "image/tiff", tif = "image/tiff",
  ico = "image/x-icon", webp = "image/webp", avif = "image/avif",
  css = "text/css", html = "text/html", htm = "text/html", asc = "text/plain", txt = "text/plain",
  rtf = "text/rtf", sgml = "text/sgml", sgm = "text/sgml", tsv = "text/tab-separated-values",
  csv = "text/csv", md = "text/markdown",
  mpeg = "video/mpeg", mpg = "video/mpeg", mpe = "video/mpeg", mp4 = "video/mp4", webm = "video/webm",
  qt = "video/quicktime", mov = "video/quicktime", avi = "video/x-msvideo",
  woff = "font/woff", woff2 = "font/woff2", ttf = "font/ttf", otf = "font/otf",
}

local app_module_methods = {}
_M.app_module_methods = app_module_methods
local web_methods = {}
_M.web_methods = web_methods

-- A unique value: a handler returns it to let the next matching route try.
local REPARSE = setmetatable({}, { __tostring = function() return "orbit.reparse" end })
_M.REPARSE = REPARSE

-- HTML generation -------------------------------------------------------------------------

local function flatten(t, out)
  out = out or {}
  for _, item in ipairs(t) do
    if type(item) == "table" then flatten(item, out)
    elseif item ~= nil then out[#out + 1] = tostring(item) end
  end
  return out
end

local function make_tag(name, data, class)
  local cls = class and (' class="' .. class .. '"') or ""
  if data == nil then
    return "<" .. name .. cls .. "/>"
  elseif type(data) ~= "table" then
    return "<" .. name .. cls .. ">" .. tostring(data) .. "</" .. name .. ">"
  end
  local attrs = {}
  for k, v in pairs(data) do
    if type(k) == "string" then attrs[#attrs + 1] = " " .. k .. '="' .. tostring(v) .. '"' end
  end
  return "<" .. name .. cls .. concat(attrs) .. ">" .. concat(flatten(data)) .. "</" .. name .. ">"
end

-- tag(nil) -> <t/>, tag"s" -> <t>s</t>, tag{attr=v, ...} -> attributes around the flattened array
-- part, tag.cls{...} -> the same with class="cls".
local function newtag(name)
  return setmetatable({}, {
    __call = function(_, data) return make_tag(name, data) end,
    __index = function(_, class) return function(data) return make_tag(name, data, class) end end,
  })
end
_M.newtag = newtag

-- Gives func an environment of its own in which any global that is nil or false is an HTML tag
-- builder; H(name) forces one (for names that exist as globals, such as "table").
local function htmlify_func(func)
  local tags = {}
  local old_env = getfenv(func)
  local env = {
    H = function(name)
      local tag = tags[name]
      if not tag then
        tag = newtag(name)
        tags[name] = tag
      end
      return tag
    end,
  }
  setmetatable(env, { __index = function(e, name)
    local v = old_env[name]
    if v then return v end
    local tag = newtag(name)
    rawset(e, name, tag)
    return tag
  end })
  setfenv(func, env)
end

-- htmlify(func, ...) or htmlify(app, patterns-or-functions...): patterns match names of the app's
-- function fields, anchored ("render_.+").
function _M.htmlify(app_module, ...)
  if type(app_module) == "function" then
    htmlify_func(app_module)
    for _, func in ipairs({ ... }) do htmlify_func(func) end
    return
  end
  for _, patt in ipairs({ ... }) do
    if type(patt) == "function" then
      htmlify_func(patt)
    else
      for name, func in pairs(app_module) do
        if type(name) == "string" and type(func) == "function" and match(name, "^" .. patt .. "$") then
          htmlify_func(func)
        end
      end
    end
  end
end
app_module_methods.htmlify = _M.htmlify

-- Applications ----------------------------------------------------------------------------

local function app_path()
  local g = rawget(_G, "wsapi")
  if type(g) == "table" and g.app_path then return g.app_path end
  local ok, w = pcall(require, "wsapi")
  if ok and type(w) == "table" and w.app_path then return w.app_path end
  return "."
end

function _M.new(app_module)
  if type(app_module) == "string" then
    app_module = { _NAME = app_module }
  else
    app_module = app_module or {}
  end
  for k, v in pairs(app_module_methods) do app_module[k] = v end
  app_module.run = function(wsapi_env) return _M.run(app_module, wsapi_env) end
  app_module.real_path = app_path()
  app_module.mapper = { default = true }
  app_module.not_found = function(web)
    web.status = "404 Not Found"
    return [[<html>
      <head><title>Not Found</title></head>
      <body><p>Not found!</p></body></html>]]
  end
  app_module.server_error = function(web, msg)
    web.status = "500 Server Error"
    return [[<html>
      <head><title>Server Error</title></head>
      <body><pre>]] .. tostring(msg) .. [[</pre></body></html>]]
  end
  app_module.reparse = REPARSE
  app_module.dispatch_table = { get = {}, post = {}, put = {}, delete = {}, options = {} }
  return app_module
end

local function add_routes(app_module, method, handler, ...)
  local tab = app_module.dispatch_table[method]
  for i = 1, select("#", ...) do
    insert(tab, { pattern = (select(i, ...)), handler = handler })
  end
end

for _, method in ipairs({ "get", "post", "put", "delete", "options" }) do
  app_module_methods["dispatch_" .. method] = function(app_module, handler, ...)
    add_routes(app_module, method, handler, ...)
  end
end

-- h(env, captures...) must return a WSAPI triple; it answers every method.
function app_module_methods.dispatch_wsapi(app_module, handler, ...)
  for i = 1, select("#", ...) do
    for _, tab in pairs(app_module.dispatch_table) do
      insert(tab, { pattern = (select(i, ...)), handler = handler, wsapi = true })
    end
  end
end

function app_module_methods.serve_static(app_module, web, filename)
  local ext = match(filename, "%.([^%.\\/]+)$")
  local mime = _M.mime_types[ext and lower(ext)] or "application/octet-stream"
  if app_module.use_xsendfile then
    web.headers["Content-Type"] = mime
    web.headers["X-Sendfile"] = filename
    return "xsendfile"
  end
  local file = io.open(filename, "rb")
  if not file then return app_module.not_found(web) end
  web.headers["Content-Type"] = mime
  local contents = file:read("*a")
  file:close()
  return contents
end

-- Serves web.real_path .. web.path_info for paths matching the patterns. A path with a ".."
-- segment is answered with not_found (upstream Orbit serves it: a path traversal).
function app_module_methods.dispatch_static(app_module, ...)
  app_module:dispatch_get(function(web)
    local path = web.path_info
    if ("/" .. path .. "/"):find("/%.%./") or path:find("\\", 1, true) then return app_module.not_found(web) end
    return app_module:serve_static(web, web.real_path .. path)
  end, ...)
end

function app_module_methods.model(app_module, ...)
  if app_module.mapper.default then
    local model = require "orbit.model"
    local mapper = app_module.mapper
    local prefix = mapper.table_prefix or (app_module._NAME and app_module._NAME .. "_") or ""
    app_module.mapper = model.new(prefix, mapper.conn, mapper.driver, mapper.logging)
  end
  return app_module.mapper:new(...)
end

-- The web object --------------------------------------------------------------------------

function web_methods:redirect(url)
  self.status = "302 Found"
  self.headers["Location"] = url
  return "redirect"
end

function web_methods:link(url, params)
  local parts = {}
  for k, v in pairs(params or {}) do parts[#parts + 1] = k .. "=" .. wsutil.url_encode(v) end
  local link = (self.prefix or "") .. url .. (self.suffix or "")
  if #parts > 0 then return link .. "?" .. concat(parts, "&") end
  return link
end

function web_methods:static_link(url)
  local prefix = self.prefix or ""
  if not match(prefix, "%.%w+$") then return self:link(url) end
  return (match(prefix, "(.*)/") or "") .. url
end

function web_methods:empty(s)
  return not s or match(s, "^%s*$") ~= nil
end

function web_methods:empty_param(name)
  return self:empty(self.input[name])
end

function web_methods:content_type(t)
  self.headers["Content-Type"] = t
end

-- page(name, env): a template file; a leading "/" is relative to the document root, else to real_path.
function web_methods:page(name, env)
  local template = require "orbit.template"
  local filename
  if name:sub(1, 1) == "/" then
    filename = (self.doc_root or "") .. name
  else
    filename = self.real_path .. "/" .. name
  end
  local t = template.load(filename)
  if t then return template.fill(t, env or {}, self) end
end

function web_methods:page_inline(src, env)
  local template = require "orbit.template"
  return template.fill(template.compile(src, "=inline"), env or {}, self)
end

for name, func in pairs(wsutil) do
  if type(func) == "function" and web_methods[name] == nil then
    web_methods[name] = function(self, ...) return func(...) end
  end
end

local function blank_to_nil(v)
  if v == nil or v == "" then return nil end
  return v
end

local function make_web_object(app_module, env)
  local web = setmetatable({ status = "200 Ok" }, { __index = web_methods })
  local req = wsreq.new(env, { mk_app = app_module })
  local res = wsres.new(web.status, { ["Content-Type"] = "text/html" })
  web.response = res
  web.headers = res.headers
  web.vars = env
  web.prefix = app_module.prefix or env.SCRIPT_NAME
  web.suffix = app_module.suffix
  web.real_path = blank_to_nil(env.APP_PATH) or app_module.real_path or "."
  web.doc_root = env.DOCUMENT_ROOT
  web.path_info = req.path_info or env.PATH_INFO
  web.path_translated = blank_to_nil(env.PATH_TRANSLATED) or env.SCRIPT_FILENAME
  web.script_name = env.SCRIPT_NAME
  web.method = lower(req.method or env.REQUEST_METHOD or "get")
  web.input, web.cookies = req.params, req.cookies
  web.GET, web.POST = req.GET, req.POST
  web.set_cookie = function(_, name, value) res:set_cookie(name, value) end
  web.delete_cookie = function(_, name, path) res:delete_cookie(name, path) end
  return web, res
end

-- Finds the route after position `index` that matches path: handler, captures, is-wsapi, position.
local function dispatcher(app_module, method, path, index)
  local tab = app_module.dispatch_table[method]
  if tab == nil then
    error("Orbit cannot dispatch method " .. tostring(method):upper() .. " (no dispatch table)")
  end
  if #tab == 0 then return app_module["handle_" .. method], {} end
  for i = (index or 0) + 1, #tab do
    local item = tab[i]
    local captures
    if type(item.pattern) == "string" then
      captures = { match(path, "^" .. item.pattern .. "$") }
    else
      captures = { item.pattern:match(path) }
    end
    if #captures > 0 then
      for c = 1, #captures do
        if type(captures[c]) == "string" then captures[c] = wsutil.url_decode(captures[c]) end
      end
      return item.handler, captures, item.wsapi, i
    end
  end
end

local function with_traceback(msg)
  return traceback(msg, 2)
end

-- The WSAPI entry point of an app: app.run(env) calls this.
function _M.run(app_module, env)
  local method = lower(env.REQUEST_METHOD)
  local path = env.PATH_INFO
  if path == nil or path == "" then path = "/" end
  local handler, captures, is_wsapi, index = dispatcher(app_module, method, path)
  handler, captures = handler or app_module.not_found, captures or {}
  if is_wsapi then
    local ok, status, headers, body = xpcall(function() return handler(env, unpack(captures)) end, with_traceback)
    if ok then return status, headers, body end
    handler, captures = app_module.server_error, { status }
  end
  local web, res = make_web_object(app_module, env)
  while true do
    local ok, response = xpcall(function() return handler(web, unpack(captures)) end, with_traceback)
    if not ok then
      res.status = "500 Internal Server Error"
      res:write(app_module.server_error(web, response))
      break
    elseif response == REPARSE then
      handler, captures, is_wsapi, index = dispatcher(app_module, method, path, index)
      handler, captures = handler or app_module.not_found, captures or {}
      if is_wsapi then error("cannot reparse to a WSAPI handler") end
    else
      res.status = web.status
      res:write(response)
      break
    end
  end
  return res:finish()
end

-- Lua 5.1 code reads the module through the global "orbit" after require "orbit"; submodules
-- loaded before it (orbit.routes, orbit.model) left their tables in a global "orbit" already.
local earlier = rawget(_G, "orbit")
if type(earlier) == "table" and earlier ~= _M then
  for k, v in pairs(earlier) do
    if _M[k] == nil then _M[k] = v end
  end
end
rawset(_G, "orbit", _M)

return _M
