-- wsapi.response: the response object of WSAPI 1.6/1.7.
--
--   local res = wsapi.response.new([status[, headers]])   -- 200, Content-Type text/html
--   res:write(...)            strings, numbers, (nested) tables of them; nil and false skipped
--   res:content_type(t)
--   res:set_cookie(name, value | { value, expires, max_age, path, domain, secure, httponly, samesite })
--   res:delete_cookie(name[, path[, domain]])
--   return res:redirect(url)  302 with Location
--   return res:forward(url)   "MK_FORWARD" (for the mk framework)
--   return res:finish()       status, headers (with Content-Length), iterator

local wsapi = require "wsapi"
local util = require "wsapi.util"

local type, tostring, select, setmetatable = type, tostring, select, setmetatable
local date, format, floor = os.date, string.format, math.floor

local _M = {}

local methods = {}
methods.__index = methods
_M.methods = methods

local function append(self, v)
  local t = type(v)
  if t == "table" then
    for i = 1, #v do append(self, v[i]) end
  elseif v ~= nil and v ~= false then
    if t ~= "string" then v = tostring(v) end
    local body = self.body
    body[#body + 1] = v
    self.length = self.length + #v
  end
end

function methods:write(...)
  for i = 1, select("#", ...) do
    append(self, (select(i, ...)))
  end
end

function methods:forward(url)
  local env = self.env
  if env then env.PATH_INFO = url or env.PATH_INFO end
  return "MK_FORWARD"
end

-- status, headers (Content-Length set to the bytes written) and an iterator over the body.
function methods:finish()
  self.headers["Content-Length"] = self.length
  local body, i = self.body, 0
  return self.status, self.headers, function()
    i = i + 1
    return body[i]
  end
end

local function cookie_date(t)
  if type(t) == "number" then return date("!%A, %d-%b-%Y %H:%M:%S GMT", t) end
  return tostring(t)
end

local function make_cookie(name, value)
  local options = {}
  if type(value) == "table" then
    options = value
    value = value.value
  end
  local parts = { name .. "=" .. (util.url_encode(value == nil and "" or tostring(value))) }
  if options.expires then parts[#parts + 1] = "expires=" .. cookie_date(options.expires) end
  if options.max_age then
    local age = tonumber(options.max_age)
    if age then age = format("%d", floor(age)) else age = tostring(options.max_age) end
    parts[#parts + 1] = "Max-Age=" .. age
  end
  if options.path and options.path ~= "" then parts[#parts + 1] = "path=" .. options.path end
  if options.domain and options.domain ~= "" then parts[#parts + 1] = "domain=" .. options.domain end
  if options.secure then parts[#parts + 1] = "secure" end
  if options.httponly then parts[#parts + 1] = "HttpOnly" end
  if options.samesite and options.samesite ~= "" then
    local s = options.samesite
    if s == true then s = "Strict" end
    parts[#parts + 1] = "SameSite=" .. tostring(s)
  end
  return table.concat(parts, "; ")
end
_M.make_cookie = make_cookie

function methods:set_cookie(name, value)
  local cookie = make_cookie(name, value)
  local current = self.headers["Set-Cookie"]
  if type(current) == "table" then
    current[#current + 1] = cookie
  elseif type(current) == "string" then
    self.headers["Set-Cookie"] = { current, cookie }
  else
    self.headers["Set-Cookie"] = cookie
  end
end

function methods:delete_cookie(name, path, domain)
  self:set_cookie(name, { value = "xxx", expires = 1, path = path, domain = domain })
end

function methods:redirect(url)
  self.status = 302
  self.headers["Location"] = url
  self.body = {}
  self.length = 0
  return self:finish()
end

function methods:content_type(t)
  self.headers["Content-Type"] = t
end

function _M.new(status, headers)
  status = status or 200
  headers = headers or {}
  if not headers["Content-Type"] then headers["Content-Type"] = "text/html" end
  return setmetatable({ status = status, headers = headers, body = {}, length = 0 }, methods)
end

return _M
