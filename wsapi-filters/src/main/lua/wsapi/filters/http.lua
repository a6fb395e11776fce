-- wsapi.filters.http: small helpers the built-in filters share, for headers, cookies and pages.
-- Response headers are a table of name -> string, number, or array of strings (one line each),
-- with names in whatever case the app chose; these helpers find names case-insensitively.

local type, pairs, tostring, lower, find, sub, gsub = type, pairs, tostring, string.lower, string.find, string.sub, string.gsub
local concat = table.concat

local M = {}

--- The key under which headers holds `name` (in the app's spelling), or nil.
function M.header_key(headers, name)
  if headers == nil then return nil end
  if headers[name] ~= nil then return name end
  local wanted = lower(name)
  for k in pairs(headers) do
    if type(k) == "string" and lower(k) == wanted then return k end
  end
  return nil
end

--- The value of a response header (string, number or array), or nil.
function M.header(headers, name)
  local k = M.header_key(headers, name)
  return k and headers[k]
end

--- A shallow copy of headers (apps may return the same table for every response).
function M.copy(headers)
  local out = {}
  if headers then
    for k, v in pairs(headers) do out[k] = v end
  end
  return out
end

--- Adds one line of a header that may repeat (Set-Cookie), keeping those already there.
-- Changes and returns `headers`; pass a copy when the table may be shared.
function M.add(headers, name, value)
  local k = M.header_key(headers, name)
  if k == nil then
    headers[name] = value
  else
    local old = headers[k]
    if type(old) == "table" then
      local lines = {}
      for i = 1, #old do lines[i] = old[i] end
      lines[#lines + 1] = value
      headers[k] = lines
    else
      headers[k] = { tostring(old), value }
    end
  end
  return headers
end

--- Every value of the cookie `name` in the request's Cookie header (HTTP_COOKIE), in order.
function M.cookies(env, name)
  local header = env.HTTP_COOKIE
  local found = {}
  if header == nil or header == "" then return found end
  local prefix = name .. "="
  local plen = #prefix
  local pos = 1
  local len = #header
  while pos <= len do
    local stop = find(header, ";", pos, true) or (len + 1)
    local s = pos
    while sub(header, s, s) == " " do s = s + 1 end
    if sub(header, s, s + plen - 1) == prefix then
      local value = sub(header, s + plen, stop - 1)
      value = gsub(value, "%s+$", "")
      if sub(value, 1, 1) == '"' and sub(value, -1) == '"' and #value >= 2 then value = sub(value, 2, -2) end
      found[#found + 1] = value
    end
    pos = stop + 1
  end
  return found
end

local function escape_html(s)
  return (gsub(s, "[<>&\"]", { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;", ['"'] = "&quot;" }))
end
M.escape_html = escape_html

--- A small HTML page as a complete response: status, headers, iterator.
function M.page(status, title, message, extra_headers)
  local body = "<!DOCTYPE html>\n<html><head><title>" .. escape_html(title) .. "</title></head><body><h1>"
    .. escape_html(title) .. "</h1><p>" .. escape_html(message) .. "</p></body></html>\n"
  local headers = { ["Content-Type"] = "text/html; charset=utf-8", ["Content-Length"] = tostring(#body) }
  if extra_headers then
    for k, v in pairs(extra_headers) do headers[k] = v end
  end
  local sent = false
  return status, headers, function()
    if sent then return nil end
    sent = true
    return body
  end
end

--- A body iterator over one string.
function M.once(s)
  local sent = false
  return function()
    if sent then return nil end
    sent = true
    return s
  end
end

return M
