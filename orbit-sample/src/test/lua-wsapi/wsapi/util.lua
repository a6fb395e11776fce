-- Test stand-in for wsapi.util (see TestLuaPath): only what Orbit uses.
local M = {}

function M.url_decode(s)
  if not s then return nil end
  s = s:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
  return (s:gsub("\r\n", "\n"))
end

function M.url_encode(s)
  s = tostring(s):gsub("\n", "\r\n")
  s = s:gsub("([^%w ])", function(c) return string.format("%%%02X", c:byte()) end)
  return (s:gsub(" ", "+"))
end

function M.sanitize(t)
  return (t:gsub(">", "&gt;"):gsub("<", "&lt;"))
end

function M.not_empty(s)
  if s and s ~= "" then return s end
end

return M
