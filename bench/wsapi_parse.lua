-- Parsing benchmark cases: Apogee's wsapi.request (query strings and URL coding in Java,
-- multipart streamed by commons-fileupload) against the pure-Lua path of WSAPI 1.7 (gmatch/gsub
-- parsing, multipart cut out of the whole body with string.find), written out below.
--
-- bench/wsapi-parse.sh runs it through bench/WsapiParseBench.java, which times each case in
-- thread CPU time and hands multipart bodies to wsapi.request as the server does (a Java stream).
-- Run alone (./apogee lua bench/wsapi_parse.lua [seconds]) it times them with os.clock, which
-- in LuaJ is wall-clock time: only meaningful on an idle machine.

local request = require "wsapi.request"
local util = require "wsapi.util"

---------------------------------------------------------------------------------------------
-- The pure-Lua path: WSAPI 1.7's algorithms, written out here

local lua = {}

function lua.url_decode(str)
  str = string.gsub(str, "+", " ")
  str = string.gsub(str, "%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
  str = string.gsub(str, "\r\n", "\n")
  return str
end

function lua.url_encode(str)
  str = string.gsub(str, "\n", "\r\n")
  str = string.gsub(str, "([^%w ])", function(c) return string.format("%%%02X", string.byte(c)) end)
  str = string.gsub(str, " ", "+")
  return str
end

local function insert_field(tab, name, value)
  if not tab[name] then
    tab[name] = value
  elseif type(tab[name]) == "table" then
    table.insert(tab[name], value)
  else
    tab[name] = { tab[name], value }
  end
end

function lua.parse_qs(qs)
  local tab = {}
  for key, val in string.gmatch(qs, "([^&=]+)=([^&=]*)&?") do
    insert_field(tab, lua.url_decode(key), lua.url_decode(val))
  end
  return tab
end

local function break_headers(header_data)
  local headers = {}
  for name, val in string.gmatch(header_data, '([^%c%s:]+):%s+([^\n]+)') do
    headers[string.lower(name)] = val
  end
  return headers
end

function lua.parse_multipart(input, content_type)
  local tab = {}
  local boundary = "--" .. string.match(content_type, "boundary%=(.-)$")
  local _, pos = string.find(input, boundary, 1, true)
  pos = pos + 1
  while true do
    local s, e = string.find(input, "\r\n\r\n", pos, true)
    if not s then break end
    local headers = break_headers(string.sub(input, pos, s - 1))
    pos = e + 1
    local attrs = {}
    for attr, val in string.gmatch(headers["content-disposition"] or "", ';%s*([^%s=]+)="(.-)"') do attrs[attr] = val end
    local bs, be = string.find(input, "\r\n" .. boundary, pos, true)
    if not bs then break end
    local value = string.sub(input, pos, bs - 1)
    if attrs.filename then
      local file = { contents = value, name = string.match(attrs.filename, "[/\\]?([^/\\]+)$"), size = #value }
      for h, v in pairs(headers) do if h ~= "content-disposition" then file[h] = v end end
      value = file
    end
    insert_field(tab, attrs.name, value)
    pos = be + 1
  end
  return tab
end

local function parse_post_data(env, tab)
  local input_type = env.CONTENT_TYPE
  local length = tonumber(env.CONTENT_LENGTH) or 0
  if string.find(input_type, "x-www-form-urlencoded", 1, true) then
    for k, v in pairs(lua.parse_qs(env.input:read(length) or "")) do tab[k] = v end
  elseif string.find(input_type, "multipart/form-data", 1, true) then
    if length > 0 then
      for k, v in pairs(lua.parse_multipart(env.input:read(length) or "", input_type)) do tab[k] = v end
    end
  else
    tab.post_data = env.input:read(length) or ""
  end
  return tab
end

-- WSAPI 1.7's request.new: GET, POST, params and cookies, all in Lua.
function lua.request_new(env)
  local req = { GET = lua.parse_qs(env.QUERY_STRING), POST = {}, method = env.REQUEST_METHOD,
    path_info = env.PATH_INFO, query_string = env.QUERY_STRING, script_name = env.SCRIPT_NAME, env = env }
  parse_post_data(env, req.POST)
  req.params = setmetatable({}, { __index = function(tab, name)
    local var = req.GET[name] or req.POST[name]
    rawset(tab, name, var)
    return var
  end })
  local cookies = string.gsub(";" .. (env.HTTP_COOKIE or "") .. ";", "%s*;%s*", ";")
  req.cookies = setmetatable({}, { __index = function(tab, name)
    local cookie = lua.url_decode(string.match(cookies, ";" .. name .. "=(.-);") or "")
    rawset(tab, name, cookie)
    return cookie
  end })
  return req
end

---------------------------------------------------------------------------------------------
-- Inputs

-- 2 KiB query string: 64 pairs, some repeated names, + and %XX escapes
local pairs_ = {}
local i = 0
while true do
  i = i + 1
  local pair = string.format("field_%d=value+number+%d%%2C+caf%%C3%%A9+%%26+more", i % 48, i)
  if #table.concat(pairs_, "&") + #pair + 1 > 2048 then break end
  pairs_[#pairs_ + 1] = pair
end
local QS = table.concat(pairs_, "&")

-- 2 KiB of text with spaces, punctuation and non-ASCII bytes, for url_encode/url_decode
local TEXT = string.rep("Gr\195\188\195\159e aus K\195\182ln, 50% & more: a/b?c=d\n", 64):sub(1, 2048)
local ENCODED = lua.url_encode(TEXT)

local function multipart(boundary, parts)
  local out = {}
  for _, p in ipairs(parts) do
    out[#out + 1] = "--" .. boundary .. '\r\nContent-Disposition: form-data; name="' .. p[1] .. '"'
    if p[2] then out[#out + 1] = '; filename="' .. p[2] .. '"\r\nContent-Type: application/octet-stream' end
    out[#out + 1] = "\r\n\r\n" .. p[3] .. "\r\n"
  end
  out[#out + 1] = "--" .. boundary .. "--\r\n"
  return table.concat(out)
end

local BOUNDARY = "----apogee-bench-5f0c1a"
local CTYPE = "multipart/form-data; boundary=" .. BOUNDARY
local chunk = {}
for b = 0, 255 do chunk[#chunk + 1] = string.char((b * 7 + 13) % 256) end
chunk = table.concat(chunk)
-- 1 MiB: one file of 1 MiB minus the fields, and three fields
local ONE_FILE = multipart(BOUNDARY, {
  { "title", nil, "A title" }, { "tags", nil, "a,b,c" }, { "comment", nil, string.rep("words ", 100) },
  { "file", "big.bin", string.rep(chunk, 4096 - 4) },
})
-- 1 MiB in 200 parts of 5 KiB (fields and small files, all kept in memory)
local parts = {}
for n = 1, 200 do
  parts[#parts + 1] = { "part" .. (n % 50), (n % 2 == 0) and ("f" .. n .. ".txt") or nil, string.rep(chunk, 20) }
end
local MANY_PARTS = multipart(BOUNDARY, parts)
-- a typical form: 4 KiB, five fields and a small file
local FORM = multipart(BOUNDARY, {
  { "name", nil, "Ada Lovelace" }, { "email", nil, "ada@example.org" }, { "subject", nil, "Engines" },
  { "message", nil, string.rep("Some words of a message. ", 100) }, { "agree", nil, "on" },
  { "attachment", "notes.txt", string.rep("a line of notes\n", 80) },
})

---------------------------------------------------------------------------------------------
-- Cases

-- A POST env whose input is what the server gives apps when the driver offers one (bench_input:
-- a Java stream that apogee.multipart reads directly, and read(n) returning a fresh copy of the
-- bytes, as from a socket), else wsapi.util's Lua string input. Both paths get the same input.
local function post_env(body)
  local env = util.make_env_post(body, CTYPE)
  if bench_input then env.input = bench_input(body) end
  return env
end

-- Both paths must agree before they are timed.
assert(util.url_decode(ENCODED) == lua.url_decode(ENCODED))
local a, b = request.new(util.make_env_get(QS)).GET, lua.parse_qs(QS)
for k, v in pairs(b) do
  assert(type(v) == "table" and table.concat(v, "|") == table.concat(a[k], "|") or v == a[k], k)
end
assert(request.new(post_env(ONE_FILE)).POST.file.contents == lua.request_new(post_env(ONE_FILE)).POST.file.contents)
assert(#request.new(post_env(MANY_PARTS)).POST.part1 == #lua.request_new(post_env(MANY_PARTS)).POST.part1)
assert(request.new(post_env(FORM)).POST.message == lua.request_new(post_env(FORM)).POST.message)

local cases = {
  sizes = string.format("query string %d bytes, text %d bytes, multipart form %d bytes, one file %d bytes, 200 parts %d bytes",
    #QS, #TEXT, #FORM, #ONE_FILE, #MANY_PARTS),
  { "request.new, query string 2 KiB",
    function() return request.new(util.make_env_get(QS)) end,
    function() return lua.request_new(util.make_env_get(QS)) end },
  { "url_decode 2 KiB",
    function() return util.url_decode(ENCODED) end,
    function() return lua.url_decode(ENCODED) end },
  { "url_encode 2 KiB",
    function() return util.url_encode(TEXT) end,
    function() return lua.url_encode(TEXT) end },
  { "request.new, multipart 4 KiB form, 6 parts",
    function() return request.new(post_env(FORM)) end,
    function() return lua.request_new(post_env(FORM)) end },
  { "request.new, multipart 1 MiB, one file",
    function() return request.new(post_env(ONE_FILE)) end,
    function() return lua.request_new(post_env(ONE_FILE)) end },
  { "request.new, multipart 1 MiB, one file + contents",
    function() return request.new(post_env(ONE_FILE)).POST.file.contents end,
    function() return lua.request_new(post_env(ONE_FILE)).POST.file.contents end },
  { "request.new, multipart 1 MiB, 200 parts",
    function() return request.new(post_env(MANY_PARTS)) end,
    function() return lua.request_new(post_env(MANY_PARTS)) end },
}

if bench_input then return cases end

---------------------------------------------------------------------------------------------
-- Run alone: wall-clock timing

local SECONDS = tonumber(arg and arg[1]) or 1.5
local WARMUP = math.max(0.3, SECONDS / 3)

local function measure(fn)
  local deadline = os.clock() + WARMUP
  while os.clock() < deadline do fn() end
  local n, start = 0, os.clock()
  local now = start
  while now < start + SECONDS do
    fn()
    n = n + 1
    now = os.clock()
  end
  return (now - start) / n
end

print(cases.sizes)
for _, case in ipairs(cases) do
  local apogee, pure = measure(case[2]), measure(case[3])
  print(string.format("%-50s Apogee %10.1f us   pure Lua %10.1f us   x%.1f", case[1], apogee * 1e6, pure * 1e6, pure / apogee))
end
