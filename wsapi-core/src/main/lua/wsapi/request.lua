-- wsapi.request: the request object of WSAPI 1.6/1.7.
--
--   local req = wsapi.request.new(env[, { delay_post = true, overwrite = true, mk_app = app }])
--   req.GET, req.POST, req.params (GET wins), req.cookies[name]
--   req.method, req.path_info, req.script_name, req.query_string, req.doc_root, req.app_path, req.env
--   req:parse_post(), req:qs_encode(t[, url]), req:link(url, t), req:static_link(url, t),
--   req:absolute_link(url, t), req:empty(s), req:empty_param(name), req:route_link(route, t, ...),
--   req:link_<route>(t, ...)
--
-- Query strings and form bodies are parsed in Java (apogee.urlcode); multipart bodies are streamed
-- by apogee.multipart: an uploaded file is a table { name, size, ["content-type"], <other part
-- headers>, contents, path, file } whose contents, path and file are made only when read.

local wsapi = require "wsapi"
local util = require "wsapi.util"
local urlcode = require "apogee.urlcode"

local type, tostring, tonumber, pairs, ipairs, setmetatable, rawset, pcall, error =
  type, tostring, tonumber, pairs, ipairs, setmetatable, rawset, pcall, error
local find, match, gsub, concat = string.find, string.match, string.gsub, table.concat
local parse_qs, url_decode, url_encode = urlcode.parse, urlcode.decode, urlcode.encode

local _M = {}

-- Repeated names are collected in lists made here (a file table is a value, never such a list).
local function insert_field(tab, name, value, overwrite, lists)
  local old = tab[name]
  if overwrite or not old then
    tab[name] = value
  elseif lists[old] then
    old[#old + 1] = value
  else
    local list = { old, value }
    lists[list] = true
    tab[name] = list
  end
end

-- Whether a request without CONTENT_LENGTH has a body that runs to the end of env.input. The
-- server's own input ends where the body does. Any other input (a filter's, in front of the
-- server's) is read to its end when the request says its body has no length: a transfer coding
-- (HTTP/1.1 chunked) or HTTP/2 and later, whose frames carry the body. Without either an HTTP/1
-- request has no body, and an input made up in Lua is not read (upstream reads 0 bytes).
local function body_to_end(env)
  if type(env.input) == "userdata" then return true end
  local coding = env.HTTP_TRANSFER_ENCODING
  if type(coding) == "string" and coding ~= "" then return true end
  local protocol = env.SERVER_PROTOCOL
  return type(protocol) == "string" and find(protocol, "^HTTP/[2-9]") ~= nil
end

-- The body as one string: CONTENT_LENGTH bytes, or, for a body of unknown length, all of it.
-- Other inputs are read with byte counts, the one form of read every WSAPI input takes.
local function read_body(env, length)
  local input = env.input
  if length ~= nil then return input:read(length) end
  if not body_to_end(env) then return input:read(0) end
  if type(input) == "userdata" then return input:read("*a") end
  local parts = {}
  while true do
    local piece = input:read(65536)
    if piece == nil or piece == "" then break end
    parts[#parts + 1] = piece
  end
  return concat(parts)
end

local function parse_multipart(env, content_type, tab, overwrite)
  local multipart = require "apogee.multipart"
  local lists = setmetatable({}, { __mode = "k" })
  for _, pair in ipairs(multipart.parse(env.input, content_type)) do
    insert_field(tab, pair[1], pair[2], overwrite, lists)
  end
end

local function parse_post_data(env, tab, overwrite)
  local content_type = env.CONTENT_TYPE or ""
  local length = tonumber(env.CONTENT_LENGTH)
  if find(content_type, "x-www-form-urlencoded", 1, true) then
    parse_qs(read_body(env, length) or "", tab, overwrite)
  elseif find(content_type, "multipart/form-data", 1, true) then
    if (length or 0) > 0 or (length == nil and body_to_end(env)) then
      parse_multipart(env, content_type, tab, overwrite)
    end
  else
    tab.post_data = read_body(env, length) or ""
  end
  return tab
end

local methods = {}
_M.methods = methods

-- Methods are looked up here; link_<route> becomes a call to route_link.
function methods.__index(req, name)
  local f = methods[name]
  if f == nil and type(name) == "string" then
    local route = match(name, "^link_([%w_]+)$")
    if route then
      f = function(self, query, ...) return self:route_link(route, query, ...) end
    end
  end
  if f ~= nil then rawset(req, name, f) end
  return f
end

-- "k=v&k2=v2" with the values url-encoded (keys as given, as upstream); a list value gives the key
-- once per element. With url: url .. "?" .. query (just url when there is nothing to encode).
function methods:qs_encode(query, url)
  local parts = {}
  for k, v in pairs(query or {}) do
    if type(v) == "table" then
      for _, item in ipairs(v) do parts[#parts + 1] = k .. "=" .. url_encode(tostring(item)) end
    else
      parts[#parts + 1] = k .. "=" .. url_encode(type(v) == "string" and v or tostring(v))
    end
  end
  if #parts > 0 then
    return (url and (url .. "?") or "") .. concat(parts, "&")
  end
  return url or ""
end
methods.qd_encode = methods.qs_encode -- the name WSAPI's manual uses

local function with_query(self, url, query)
  local qs = self:qs_encode(query)
  if qs ~= "" then return url .. "?" .. qs end
  return url
end

function methods:route_link(route, query, ...)
  local builder = self.mk_app and self.mk_app["link_" .. route]
  if not builder then error("there is no route named " .. tostring(route), 2) end
  return with_query(self, builder(self.mk_app, self.env, ...), query)
end

local function prefix(self)
  return (self.mk_app and self.mk_app.prefix) or self.script_name or ""
end

-- A link inside the app: its prefix (SCRIPT_NAME) .. url.
function methods:link(url, query)
  return with_query(self, prefix(self) .. url, query)
end

function methods:absolute_link(url, query)
  return with_query(self, url, query)
end

-- A link beside the app: when the app is a script (/dir/app.lua), relative to the script's folder.
function methods:static_link(url, query)
  local p = prefix(self)
  if not match(p, "%.%w+$") then return self:link(url, query) end
  return with_query(self, (match(p, "^(.*)/") or "") .. url, query)
end

-- Truthy when s is nil or only blanks.
function methods:empty(s)
  return not s or match(s, "^%s*$")
end

function methods:empty_param(name)
  return self:empty(self.params[name])
end

local function cookie_jar(env)
  local header = env.HTTP_COOKIE
  if type(header) ~= "string" then header = "" end
  local cookies = gsub(";" .. header .. ";", "%s*;%s*", ";")
  -- Looked up with a Lua pattern built from the name, as upstream: the first match wins.
  return setmetatable({}, {
    __index = function(jar, name)
      if type(name) ~= "string" then return nil end
      local ok, value = pcall(match, cookies, ";" .. name .. "=(.-);")
      value = ok and value and url_decode(value) or nil
      rawset(jar, name, value)
      return value
    end,
  })
end

function _M.new(env, options)
  options = options or {}
  local overwrite = options.overwrite
  local req = {
    GET = {},
    POST = {},
    method = env.REQUEST_METHOD,
    path_info = env.PATH_INFO,
    query_string = env.QUERY_STRING,
    script_name = env.SCRIPT_NAME,
    env = env,
    mk_app = options.mk_app,
    doc_root = env.DOCUMENT_ROOT,
    app_path = env.APP_PATH,
  }
  parse_qs(env.QUERY_STRING, req.GET, overwrite)
  if options.delay_post then
    req.parse_post = function(self)
      self.parse_post = function() return nil, "postdata already parsed" end
      parse_post_data(env, self.POST, overwrite)
      return self.POST
    end
  else
    parse_post_data(env, req.POST, overwrite)
    req.parse_post = function() return nil, "postdata already parsed" end
  end
  req.params = setmetatable({}, {
    __index = function(params, name)
      local v = req.GET[name]
      if v == nil then v = req.POST[name] end
      if v ~= nil then rawset(params, name, v) end
      return v
    end,
  })
  req.cookies = cookie_jar(env)
  return setmetatable(req, methods)
end

return _M
