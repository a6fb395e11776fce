-- board.forms: reading and checking what browsers send.
--
-- Form values are whatever the client chose to send: a field may be missing, repeated (then
-- wsapi.request gives a list), not valid UTF-8, or full of control characters. These helpers
-- turn a field into clean text or say what is wrong with it, in words a user can act on.

local byte, gsub, sub, format = string.byte, string.gsub, string.sub, string.format

-- Character classes are spelled out (A-Za-z0-9) rather than written %w or %a: they say exactly
-- which bytes pass, whatever locale a C Lua would run in.

local M = {}

--- True when s is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
function M.valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = byte(s, i)
    local need, lo, hi = 0, 0x80, 0xBF
    if c < 0x80 then need = 0
    elseif c >= 0xC2 and c <= 0xDF then need = 1
    elseif c >= 0xE0 and c <= 0xEF then
      need = 2
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      need = 3
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else
      return false
    end
    for k = 1, need do
      local d = byte(s, i + k)
      if not d then return false end
      if k == 1 then
        if d < lo or d > hi then return false end
      elseif d < 0x80 or d > 0xBF then
        return false
      end
    end
    i = i + need + 1
  end
  return true
end

--- The number of characters (code points) of a UTF-8 string.
function M.length(s)
  local _, n = gsub(s, "[^\128-\191]", "")
  return n
end

--- The first `max` characters of a UTF-8 string.
function M.truncate(s, max)
  if M.length(s) <= max then return s end
  local count, i = 0, 1
  while i <= #s do
    local c = byte(s, i)
    if c < 0x80 or c >= 0xC0 then
      count = count + 1
      if count > max then return sub(s, 1, i - 1) end
    end
    i = i + 1
  end
  return s
end

--- A text field: trimmed, control characters dropped (line breaks kept when multiline), at most
-- `max` characters. Returns the text (nil when missing or blank), or nil and a message.
-- `label` names the field in messages ("The title").
function M.text(value, label, max, multiline)
  if value == nil then return nil end
  if type(value) == "table" and value[1] == nil then return nil, label .. " must be text, not a file." end
  if type(value) ~= "string" then return nil, label .. " was sent more than once." end
  if not M.valid_utf8(value) then return nil, label .. " is not valid UTF-8 text." end
  if multiline then
    value = gsub(gsub(value, "\r\n?", "\n"), "[%z\1-\8\11-\31\127]", "")
  else
    value = gsub(value, "[%z\1-\31\127]", " ")
  end
  value = gsub(gsub(value, "^%s+", ""), "%s+$", "")
  if value == "" then return nil end
  if M.length(value) > max then
    return nil, format("%s is too long (at most %d characters).", label, max)
  end
  return value
end

--- A file name safe to store and show: no folders, no control characters, at most 255 bytes.
function M.file_name(name)
  name = type(name) == "string" and name or ""
  if not M.valid_utf8(name) then name = gsub(name, "[\128-\255]", "_") end
  name = gsub(name, "[%z\1-\31\127/\\]", "_")
  name = gsub(gsub(name, "^[%s%.]+", ""), "%s+$", "")
  if name == "" then name = "attachment" end
  while #name > 255 do name = M.truncate(name, M.length(name) - 1) end
  return name
end

--- The value of a Content-Disposition header that makes browsers save the file as `name`:
-- an ASCII approximation in filename="..." for old clients, the exact name in filename*.
function M.content_disposition(name)
  local ascii = gsub(gsub(name, "[\192-\255][\128-\191]*", "_"), "[^A-Za-z0-9._%- ()]", "_")
  local exact = gsub(name, "[^A-Za-z0-9._%-~]", function(c) return format("%%%02X", byte(c)) end)
  return format('attachment; filename="%s"; filename*=UTF-8\'\'%s', ascii, exact)
end

--- A MIME type as a client declared it, if it looks like one; else application/octet-stream.
function M.content_type(value)
  if type(value) == "string" then
    local t = value:match("^%s*([A-Za-z0-9.+%-]+/[A-Za-z0-9.+%-]+)")
    if t and #t <= 100 then return t:lower() end
  end
  return "application/octet-stream"
end

--- "4.2 MiB", "512 bytes": a size for people.
function M.human_size(n)
  n = tonumber(n) or 0
  if n < 1024 then return format("%d bytes", n) end
  if n < 1024 * 1024 then return format("%.1f KiB", n / 1024) end
  if n % (1024 * 1024) == 0 then return format("%d MiB", n / (1024 * 1024)) end
  return format("%.1f MiB", n / (1024 * 1024))
end

return M
