-- Test stand-in for wsapi.response (see TestLuaPath).
local util = require "wsapi.util"
local M = {}
local methods = {}
methods.__index = methods

function M.new(status, headers)
  headers = headers or {}
  if not headers["Content-Type"] then headers["Content-Type"] = "text/html" end
  return setmetatable({ status = status or 200, headers = headers, body = {}, length = 0 }, methods)
end

function methods:write(...)
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    if type(s) == "table" then self:write(unpack(s))
    elseif s then
      s = tostring(s)
      self.body[#self.body + 1] = s
      self.length = self.length + #s
    end
  end
end

function methods:finish()
  self.headers["Content-Length"] = self.length
  local body = self.body
  return self.status, self.headers, coroutine.wrap(function()
    for _, s in ipairs(body) do coroutine.yield(s) end
  end)
end

function methods:content_type(t)
  self.headers["Content-Type"] = t
end

local function add_header(h, name, value)
  local old = h[name]
  if old == nil then h[name] = value
  elseif type(old) == "table" then old[#old + 1] = value
  else h[name] = { old, value } end
end

function methods:set_cookie(name, value)
  if type(value) ~= "table" then value = { value = value } end
  local parts = { name .. "=" .. util.url_encode(value.value or "") }
  if value.expires then parts[#parts + 1] = "expires=" .. os.date("!%A, %d-%b-%Y %H:%M:%S GMT", value.expires) end
  if value.path then parts[#parts + 1] = "path=" .. value.path end
  if value.domain then parts[#parts + 1] = "domain=" .. value.domain end
  if value.secure then parts[#parts + 1] = "secure" end
  if value.httponly then parts[#parts + 1] = "HttpOnly" end
  add_header(self.headers, "Set-Cookie", table.concat(parts, "; "))
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

return M
