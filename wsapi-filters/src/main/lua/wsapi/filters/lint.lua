-- wsapi.filters.lint: checks that the app and the server keep the WSAPI contract, and fails loudly
-- with a precise message when one of them does not (in the spirit of Rack::Lint and wsgiref.validate).
--
--   local lint = require "wsapi.filters.lint"
--   app = lint(app)                       -- anywhere in a stack, as often as you like
--   app = lint(app, { strict = true })    -- warnings are errors too (for tests)
--   app = lint(app, { warn = function(message) ... end })  -- where warnings go
--                                         -- (default: env.error:write)
--
-- What it checks, each rule written beside its check below (the "--##" lines; docs/filters.md
-- lists them all, and a test keeps that list and these lines the same):
--   the env going in: CGI variables present as strings, SCRIPT_NAME/PATH_INFO split, undefined
--     keys reading "", env.input and env.error usable;
--   env.input and env.error as the app uses them: read(n) arguments and results, write arguments;
--   the answer coming out: status form, headers (names, value types, no CR/LF/NUL, Content-Type,
--     Content-Length), the iterator (a function yielding strings, not called after it ended, as
--     many bytes as Content-Length promised, no body for 1xx/204/304).
-- A MUST broken raises an error "wsapi.lint: ..." (a 500 before the headers; logged after them);
-- a SHOULD broken is a warning.
--
-- Env: wraps input and error, sets nothing else. Response: the iterator is wrapped to check each
-- chunk as it passes; nothing is buffered.

local type, tostring, tonumber, error, pairs, ipairs, select, setmetatable, getmetatable, rawget =
  type, tostring, tonumber, error, pairs, ipairs, select, setmetatable, getmetatable, rawget
local format, find, match, sub, lower, byte = string.format, string.find, string.match, string.sub, string.lower, string.byte
local floor = math.floor

local M = {}

local function show(v)
  if type(v) == "string" then return format("%q", v) end
  return tostring(v) .. " (a " .. type(v) .. ")"
end

local function callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__call ~= nil
end

local TOKEN = "^[!#$%%&'*+%-.^_`|~%w]+$"

---------------------------------------------------------------------------------------------
-- The checker for one request

local Check = {}
Check.__index = Check

function Check:fail(message)
  error("wsapi.lint: " .. message, 0)
end

function Check:warn(message)
  if self.strict then self:fail(message) end
  local text = "wsapi.lint warning: " .. message
  if self.on_warning then
    self.on_warning(text)
  else
    local err = rawget(self.env, "error")
    if err and err.write then err:write(text .. "\n") end
  end
end

local CGI_STRINGS = {
  "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
  "SERVER_PROTOCOL",
}

function Check:env_in(env)
  --## The app is called with one argument, the env: a table.
  if type(env) ~= "table" then self:fail("the env must be a table, got " .. show(env)) end

  --## Every CGI variable reads as a string: REQUEST_METHOD, SCRIPT_NAME, PATH_INFO, QUERY_STRING,
  --## SERVER_NAME, SERVER_PORT and SERVER_PROTOCOL are always there.
  for _, key in ipairs(CGI_STRINGS) do
    local v = env[key]
    if type(v) == "number" then
      self:warn("env." .. key .. " is the number " .. tostring(v) .. "; connectors should give strings")
    elseif type(v) ~= "string" then
      self:fail("env." .. key .. " must be a string, got " .. show(v))
    end
  end

  --## An undefined variable reads "", never nil (library code does string.find(env.CONTENT_TYPE, ...)).
  local probe = env.WSAPI_LINT_UNDEFINED_VARIABLE
  if probe ~= "" then
    self:fail("an undefined env variable must read \"\", but env.WSAPI_LINT_UNDEFINED_VARIABLE is " .. show(probe)
      .. "; give the env a metatable whose __index returns \"\"")
  end

  --## REQUEST_METHOD is a non-empty method token, such as "GET".
  if not find(env.REQUEST_METHOD, TOKEN) then
    self:fail("env.REQUEST_METHOD must be a method token such as \"GET\", got " .. show(env.REQUEST_METHOD))
  end

  --## SCRIPT_NAME is the mount point: "" at the root, otherwise it starts with "/" and does not end with "/".
  local script_name = env.SCRIPT_NAME
  if script_name == "/" then
    self:fail("env.SCRIPT_NAME is \"/\"; at the root it must be \"\" (with PATH_INFO \"/\")")
  elseif script_name ~= "" and sub(script_name, 1, 1) ~= "/" then
    self:fail("env.SCRIPT_NAME must be \"\" or start with \"/\", got " .. show(script_name))
  elseif sub(script_name, -1) == "/" then
    self:fail("env.SCRIPT_NAME must not end with \"/\" (got " .. show(script_name) .. "); the slash belongs to PATH_INFO")
  end

  --## PATH_INFO is the rest of the path: it starts with "/", and is "/" when empty.
  local path_info = env.PATH_INFO
  if path_info == "" then
    self:fail("env.PATH_INFO is \"\"; an empty PATH_INFO must be \"/\"")
  elseif type(path_info) == "string" and sub(path_info, 1, 1) ~= "/" then
    self:fail("env.PATH_INFO must start with \"/\", got " .. show(path_info))
  end

  --## QUERY_STRING is the raw query, without the "?".
  if sub(env.QUERY_STRING, 1, 1) == "?" then
    self:fail("env.QUERY_STRING must not start with \"?\" (got " .. show(env.QUERY_STRING) .. ")")
  end

  --## SERVER_PORT is a port number, as a decimal string.
  if not match(tostring(env.SERVER_PORT), "^%d+$") then
    self:fail("env.SERVER_PORT must be a decimal port number, got " .. show(env.SERVER_PORT))
  end

  --## CONTENT_LENGTH is "" or a decimal string.
  local cl = env.CONTENT_LENGTH
  if type(cl) == "number" then
    self:warn("env.CONTENT_LENGTH is the number " .. tostring(cl) .. "; connectors should give strings")
  elseif type(cl) ~= "string" or not match(cl, "^%d*$") then
    self:fail("env.CONTENT_LENGTH must be \"\" or a decimal string, got " .. show(cl))
  end

  --## HTTP_* variables are strings (repeated headers joined with ", ", Cookie with "; ").
  for k, v in pairs(env) do
    if type(k) == "string" and sub(k, 1, 5) == "HTTP_" and type(v) ~= "string" then
      self:fail("env." .. k .. " must be a string, got " .. show(v))
    end
  end

  --## env.input has a read method; env.error has a write method.
  local input = env.input
  if type(input) ~= "table" and type(input) ~= "userdata" or not callable(input.read) then
    self:fail("env.input must be an object with a read method, got " .. show(input))
  end
  local err = env.error
  if type(err) ~= "table" and type(err) ~= "userdata" or not callable(err.write) then
    self:fail("env.error must be an object with a write method, got " .. show(err))
  end
end

---------------------------------------------------------------------------------------------
-- env.input and env.error, checked as the app uses them

function Check:input_wrapper(input)
  local check = self
  local ended = false
  local wrapper = {}
  wrapper.length = input.length
  function wrapper.read(self_, n, ...)
    --## input:read is called as a method: input:read(n), not input.read(n).
    if self_ ~= wrapper then check:fail("call env.input:read(n) with a colon; input.read(n) passes no input object") end
    --## read takes one argument: nil (CONTENT_LENGTH bytes), or a byte count.
    if select("#", ...) > 0 then check:warn("env.input:read takes one argument; the others are ignored") end
    if n ~= nil and type(n) ~= "number" then
      if n == "*a" or n == "a" then
        check:warn("env.input:read(\"*a\") is an Apogee extension; WSAPI connectors only take a byte count")
      else
        check:fail("env.input:read(n) takes a byte count or nothing, got " .. show(n))
      end
    elseif type(n) == "number" and (n < 0 or n ~= floor(n)) then
      check:fail("env.input:read(n) needs a whole number of bytes >= 0, got " .. tostring(n))
    end
    local chunk = input:read(n)
    --## read returns a string, or nil at the end of the body.
    if chunk ~= nil and type(chunk) ~= "string" then
      check:fail("env.input:read returned " .. show(chunk) .. "; it must return a string or nil")
    end
    --## read(n) returns at most n bytes, and exactly n unless the body ends first.
    if type(n) == "number" and type(chunk) == "string" and #chunk > n then
      check:fail("env.input:read(" .. n .. ") returned " .. #chunk .. " bytes")
    end
    --## After the end, read keeps returning nil.
    if ended and chunk ~= nil and chunk ~= "" then
      check:fail("env.input:read returned data after it had returned nil (the end of the body)")
    end
    if chunk == nil and type(n) == "number" and n > 0 then ended = true end
    return chunk
  end
  return wrapper
end

function Check:error_wrapper(err)
  local check = self
  local wrapper = {}
  function wrapper.write(self_, ...)
    --## error:write is called as a method, with strings (numbers are turned into strings).
    if self_ ~= wrapper then check:fail("call env.error:write(...) with a colon; error.write(...) passes no error object") end
    for i = 1, select("#", ...) do
      local v = select(i, ...)
      if type(v) == "number" then
        check:warn("env.error:write got the number " .. tostring(v) .. "; write strings")
      elseif type(v) ~= "string" then
        check:fail("env.error:write takes strings, got " .. show(v) .. " as argument " .. i)
      end
    end
    err:write(...)
    return wrapper
  end
  function wrapper.flush(self_)
    if err.flush then err:flush() end
    return wrapper
  end
  return wrapper
end

---------------------------------------------------------------------------------------------
-- The answer

local NO_BODY = { [204] = true, [304] = true }

function Check:status_of(status)
  --## The status is a number (200), a numeric string ("200") or a status line ("200 OK").
  if type(status) == "number" then
    if status ~= floor(status) or status < 100 or status > 999 then
      self:fail("the status must be a three-digit code, got " .. tostring(status))
    end
    return status
  end
  if type(status) == "string" then
    local code, rest = match(status, "^(%d%d%d)(.*)$")
    if code and (rest == "" or match(rest, "^ [^\r\n]*$")) then
      code = tonumber(code)
      if code < 100 then self:fail("the status must be at least 100, got " .. show(status)) end
      return code
    end
    self:fail("the status must look like 200, \"200\" or \"200 OK\", got " .. show(status))
  end
  self:fail("the status must be a number or a string, got " .. show(status))
end

function Check:header_value(name, v, where)
  if type(v) == "number" then return tostring(v) end
  if type(v) ~= "string" then
    self:fail("response header " .. show(name) .. where .. " must be a string or a number, got " .. show(v))
  end
  --## Header values must not contain CR, LF or NUL: one value must never make two header lines.
  local bad = find(v, "[\r\n%z]")
  if bad then
    local c = byte(v, bad)
    local what = c == 13 and "a CR (\\r)" or c == 10 and "an LF (\\n)" or "a NUL (\\0)"
    self:fail("response header " .. show(name) .. where .. " contains " .. what .. " at byte " .. bad
      .. ": " .. show(v) .. "; use an array for several lines of one header")
  end
  return v
end

function Check:headers_of(headers, code)
  --## The headers are a table (use {} for none).
  if type(headers) ~= "table" then
    self:fail("the headers must be a table (use {} for none), got " .. show(headers))
  end
  local seen = {}
  local content_type, content_length
  for name, v in pairs(headers) do
    --## Header names are strings made of token characters (no spaces, colons, CR or LF).
    if type(name) ~= "string" then
      self:fail("response header names must be strings, got " .. show(name)
        .. (type(name) == "number" and " (an array of headers? write { [\"Name\"] = value })" or ""))
    end
    if not find(name, TOKEN) then self:fail("invalid response header name " .. show(name)) end
    local lname = lower(name)
    --## A name appears once, whatever its case (use an array for several lines).
    if seen[lname] then
      self:warn("the response headers have both " .. show(seen[lname]) .. " and " .. show(name)
        .. "; the server keeps one of them")
    end
    seen[lname] = name
    --## "Status" is a CGI convention, not a header; return the status as the first value.
    if lname == "status" then self:fail("a \"Status\" header is not allowed; return the status as the first value") end
    --## Values are strings or numbers, or an array of them for a header sent on several lines.
    local values = v
    if type(v) == "table" then
      if #v == 0 then self:warn("response header " .. show(name) .. " is an empty array: no line will be sent") end
      for i, item in ipairs(v) do self:header_value(name, item, "[" .. i .. "]") end
    else
      values = { self:header_value(name, v, "") }
    end
    if lname == "content-type" then content_type = values[1] end
    if lname == "content-length" then
      if type(v) == "table" and #v > 1 then self:fail("Content-Length must have one value, got " .. #v) end
      --## Content-Length is a decimal number of bytes.
      content_length = tostring(values[1])
      if not match(content_length, "^%d+$") then
        self:fail("Content-Length must be a decimal number of bytes, got " .. show(values[1]))
      end
      content_length = tonumber(content_length)
    end
    --## The server frames the body: no Transfer-Encoding from the app.
    if lname == "transfer-encoding" then
      self:warn("the app set Transfer-Encoding; the server frames the body itself (chunked unless Content-Length is given)")
    end
  end
  --## There is a Content-Type, except for 1xx, 204 and 304 responses, which have no body.
  if code < 200 or NO_BODY[code] then
    if content_type then self:warn("a " .. code .. " response should have no Content-Type") end
  elseif not content_type then
    self:warn("the response has no Content-Type header")
  end
  return content_length
end

function Check:body_wrapper(iterator, code, content_length, method)
  --## The body is an iterator: a function called with no arguments until it returns nil.
  if not callable(iterator) then
    self:fail("the third value must be the body iterator, a function, got " .. show(iterator)
      .. "; for no body return function() return nil end")
  end
  local check = self
  local ended = false
  local sent = 0
  local no_body = code < 200 or NO_BODY[code]
  return function(...)
    --## The server calls the iterator with no arguments, and never again once it returned nil.
    if select("#", ...) > 0 then check:fail("the server called the body iterator with arguments") end
    if ended then check:fail("the server called the body iterator again after it returned nil") end
    local chunk = iterator()
    if chunk == nil or chunk == false then
      if chunk == false then check:warn("the body iterator returned false; end the body with nil") end
      ended = true
      --## The body has exactly as many bytes as Content-Length says (HEAD responses excepted).
      if content_length and sent ~= content_length and method ~= "HEAD" then
        check:fail("the body had " .. sent .. " bytes but Content-Length said " .. content_length)
      end
      return chunk
    end
    --## Each chunk is a string (numbers are sent as text, but give strings).
    if type(chunk) == "number" then
      check:warn("the body iterator returned the number " .. tostring(chunk) .. "; return strings")
      chunk = tostring(chunk)
    elseif type(chunk) ~= "string" then
      check:fail("the body iterator returned " .. show(chunk) .. "; chunks must be strings")
    end
    sent = sent + #chunk
    --## 1xx, 204 and 304 responses have no body.
    if no_body and #chunk > 0 then check:fail("a " .. code .. " response must have no body, but the iterator returned " .. #chunk .. " bytes") end
    if content_length and sent > content_length and method ~= "HEAD" then
      check:fail("the body has more bytes (" .. sent .. " so far) than Content-Length said (" .. content_length .. ")")
    end
    return chunk
  end
end

---------------------------------------------------------------------------------------------
-- The filter

local function new(app, options)
  options = options or {}
  app = require("wsapi.filters").app_function(app, "lint: the app")
  local strict, on_warning = options.strict, options.warn

  return function(env)
    local check = setmetatable({ env = env, strict = strict, on_warning = on_warning }, Check)
    check:env_in(env)
    env.input = check:input_wrapper(env.input)
    env.error = check:error_wrapper(env.error)
    --## The app answers with three values: status, headers, body iterator.
    local status, headers, iterator = app(env)
    local code = check:status_of(status)
    local content_length = check:headers_of(headers, code)
    return status, headers, check:body_wrapper(iterator, code, content_length, env.REQUEST_METHOD)
  end
end

setmetatable(M, { __call = function(_, app, options) return new(app, options) end })

return M
