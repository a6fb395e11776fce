-- wsapi.util: helpers shared by WSAPI apps and libraries (WSAPI 1.6/1.7 API).
--
--   url_decode(s)            "+" -> space, %XX -> byte, then CRLF -> LF; nil gives nil
--   url_encode(s)            LF -> CRLF, every byte but letters, digits and space -> %XX, space -> "+"
--   sanitize(s)              "<" and ">" escaped (returns the string and a count, as upstream)
--   not_empty(s)             s, or nil when s is nil or ""
--   make_rewindable(env)     an env whose input can be read again after input:rewind()
--   getopt(args, valued)     command-line options: opts, positional
--   make_env_get(qs)         a mock GET env
--   make_env_post(pd, type, qs)  a mock POST env
--   loadfile(file, env)      loadfile with an environment
--
-- url_encode/url_decode run in Java (apogee.urlcode), on bytes.

local wsapi = require "wsapi"
local urlcode = require "apogee.urlcode"

local type, tostring, tonumber, setmetatable, select = type, tostring, tonumber, setmetatable, select
local sub, find, concat = string.sub, string.find, table.concat

local _M = {}

_M.url_decode = urlcode.decode
_M.url_encode = urlcode.encode

function _M.sanitize(text)
  return text:gsub(">", "&gt;"):gsub("<", "&lt;")
end

function _M.not_empty(s)
  if s and s ~= "" then return s else return nil end
end

-- A proxy env whose input keeps what it has read, so the body can be read again after
-- env.input:rewind(). Reads and writes of other keys go to the original env.
-- read(n) returns at most n bytes (nil at the end, and for n <= 0); read() reads up to
-- CONTENT_LENGTH bytes from where it is (like the host's input), read("*a") the rest.
function _M.make_rewindable(wsapi_env)
  local source = wsapi_env.input
  local input = { position = 1, contents = "", length = source and source.length }
  local drained = false

  -- reads from the source until `upto` bytes are buffered or the source ends
  local function fill(upto)
    local have = #input.contents
    if drained or have >= upto then return end
    local pieces = { input.contents }
    while have < upto do
      local want = upto - have
      if want > 65536 then want = 65536 end
      local piece = source:read(want)
      if piece == nil or piece == "" then
        drained = true
        break
      end
      pieces[#pieces + 1] = piece
      have = have + #piece
    end
    input.contents = concat(pieces)
  end

  function input:read(n)
    if n == nil then
      n = tonumber(wsapi_env.CONTENT_LENGTH)
      if n == nil then n = "*a" else n = n - (self.position - 1) end
    end
    if n == "*a" or n == "a" then
      fill(math.huge)
      n = #self.contents - self.position + 1
      if n <= 0 then return "" end
    end
    if type(n) ~= "number" then error("bad argument #1 to 'read' (number expected)", 2) end
    if n <= 0 then return nil end
    fill(self.position - 1 + n)
    local s = sub(self.contents, self.position, self.position + n - 1)
    self.position = self.position + #s
    if s == "" then return nil end
    return s
  end

  function input:rewind()
    self.position = 1
  end

  return setmetatable({ input = input }, { __index = wsapi_env, __newindex = wsapi_env })
end

-- POSIX-style options: -a one, -aone, -c, --c=one, --flag, -cda one; `valued` lists the letters
-- that take a value. Returns the options table and the positional arguments.
function _M.getopt(args, valued)
  valued = valued or ""
  local opts, positional = {}, {}
  local k = 1
  while k <= #args do
    local v = args[k]
    if sub(v, 1, 2) == "--" then
      local eq = find(v, "=", 1, true)
      if eq then
        opts[sub(v, 3, eq - 1)] = sub(v, eq + 1)
      else
        opts[sub(v, 3)] = true
      end
      k = k + 1
    elseif sub(v, 1, 1) == "-" then
      local step = 1
      local y, len = 2, #v
      while y <= len do
        local letter = sub(v, y, y)
        if find(valued, letter, 1, true) then
          if y < len then
            opts[letter] = sub(v, y + 1)
            y = len
          else
            opts[letter] = args[k + 1]
            step = 2
          end
        else
          opts[letter] = true
        end
        y = y + 1
      end
      k = k + step
    else
      positional[#positional + 1] = v
      k = k + 1
    end
  end
  return opts, positional
end

local function error_output()
  return {
    messages = {},
    write = function(self, ...)
      for i = 1, select("#", ...) do self.messages[#self.messages + 1] = (select(i, ...)) end
    end,
  }
end

local function string_input(data)
  return {
    post_data = data,
    current = 1,
    length = #data,
    read = function(self, n)
      if self.current > #self.post_data then return nil end
      if n == nil or n == "*a" or n == "a" then n = #self.post_data - self.current + 1 end
      if n <= 0 then return nil end
      local s = sub(self.post_data, self.current, self.current + n - 1)
      self.current = self.current + #s
      return s
    end,
  }
end

-- Undefined keys read "" in mock envs too, as in a real host.
local env_meta = { __index = function() return "" end }

function _M.make_env_get(qs)
  return setmetatable({
    REQUEST_METHOD = "GET",
    QUERY_STRING = qs or "",
    CONTENT_LENGTH = 0,
    PATH_INFO = "/",
    SCRIPT_NAME = "",
    CONTENT_TYPE = "x-www-form-urlencoded",
    input = string_input(""),
    error = error_output(),
  }, env_meta)
end

function _M.make_env_post(pd, content_type, qs)
  pd = pd or ""
  return setmetatable({
    REQUEST_METHOD = "POST",
    QUERY_STRING = qs or "",
    CONTENT_LENGTH = #pd,
    PATH_INFO = "/",
    CONTENT_TYPE = content_type or "x-www-form-urlencoded",
    SCRIPT_NAME = "",
    input = string_input(pd),
    error = error_output(),
  }, env_meta)
end

-- loadfile(file, env): the chunk with env as its globals (Lua 5.2's loadfile with an env).
function _M.loadfile(filename, env)
  if env == nil then return loadfile(filename) end
  return loadfile(filename, "bt", env)
end

return _M
