-- board_helper: loads the Orbit Board app (orbit-sample/app) for specs, with a scratch data
-- folder, and drives its full filter stack the way a browser would: cookies kept between
-- requests, forms posted url-encoded or as multipart/form-data, the CSRF token read from pages.
--
-- Where the app is: $ORBIT_SAMPLE_APP (OrbitLuaSpecTest sets it; the specs run from a copy of
-- src/test/lua), else three folders up from the spec's folder (./apogee test-lua on the sources).
-- The database is SQLite in the scratch folder, unless $BOARD_TEST_DATABASE names a PostgreSQL
-- database (BoardPostgresTest runs the same specs on a throwaway server).

local lfs = require "lfs"

local M = {}

local function is_dir(path)
  return lfs.attributes(path, "mode") == "directory"
end

function M.app_dir()
  local dir = os.getenv("ORBIT_SAMPLE_APP")
  if dir and dir ~= "" then return dir end
  dir = lfs.currentdir() .. "/../../../app"
  if is_dir(dir) then return dir end
  error("board_helper: cannot find orbit-sample/app; set ORBIT_SAMPLE_APP to its folder")
end

--- A new empty folder under the system's temporary folder (an absolute path).
function M.scratch_dir()
  local base = os.getenv("TMPDIR")
  if not base or base == "" then base = "/tmp" end
  local name = base:gsub("/+$", "") .. "/board-spec-" .. require("wsapi.filters.crypto").random_token(9)
  assert(lfs.mkdir(name))
  return name
end

--- Deletes a folder and everything in it.
function M.remove_tree(path)
  if not is_dir(path) then
    os.remove(path)
    return
  end
  for entry in lfs.dir(path) do
    if entry ~= "." and entry ~= ".." then M.remove_tree(path .. "/" .. entry) end
  end
  lfs.rmdir(path)
end

--- Loads board.lua with `settings` as its environment (BOARD_DATA, ...). Returns the WSAPI app.
-- Passwords are hashed with few PBKDF2 iterations, so the specs stay fast.
function M.load_app(settings)
  local app_dir = M.app_dir()
  local database = os.getenv("BOARD_TEST_DATABASE")
  if database and database ~= "" then settings.BOARD_DATABASE = database end
  package.path = app_dir .. "/?.lua;" .. package.path
  local config = require "board.config"
  config.getenv = function(name) return settings[name] end
  config.reset()
  require("board.accounts").ITERATIONS = 1000
  return dofile(app_dir .. "/board.lua")
end

-- Browser -----------------------------------------------------------------------------------

local Browser = {}
Browser.__index = Browser

--- A browser for `app`, which is mounted at script_name ("" for the root).
function M.browser(app, script_name)
  return setmetatable({ app = app, script_name = script_name or "", jar = {} }, Browser)
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if k:lower() == name:lower() then return v end
  end
end
M.header = header

-- keeps the cookies of Set-Cookie lines; an expired one is removed
function Browser:remember(headers)
  local lines = header(headers, "Set-Cookie")
  if lines == nil then return end
  if type(lines) ~= "table" then lines = { lines } end
  for _, line in ipairs(lines) do
    local name, value = line:match("^%s*([^=;%s]+)=([^;]*)")
    if name then
      local lower = line:lower()
      if value == "" or lower:find("max%-age=0") or lower:find("expires=[^;]*1970") then
        self.jar[name] = nil
      else
        self.jar[name] = value
      end
    end
  end
end

function Browser:cookie_header()
  local parts = {}
  for k, v in pairs(self.jar) do parts[#parts + 1] = k .. "=" .. v end
  table.sort(parts)
  return table.concat(parts, "; ")
end

--- Sends a request through the app. opts: body, content_type, headers (env keys).
-- Returns a response { status = number, headers, body, errors (env.error lines) }.
function Browser:request(method, path, opts)
  opts = opts or {}
  local query = ""
  local p, q = path:match("^([^?]*)%?(.*)$")
  if p then path, query = p, q end
  local body = opts.body or ""
  local pos = 1
  local errors = {}
  local env = {
    REQUEST_METHOD = method, SCRIPT_NAME = self.script_name, PATH_INFO = path, QUERY_STRING = query,
    SERVER_NAME = "localhost", SERVER_PORT = "80", SERVER_PROTOCOL = "HTTP/1.1",
    REMOTE_ADDR = "127.0.0.1", REMOTE_PORT = "50000", HTTP_HOST = "localhost",
    CONTENT_TYPE = opts.content_type or "", CONTENT_LENGTH = opts.body and tostring(#body) or "",
    HTTP_COOKIE = self:cookie_header(),
    input = { read = function(_, n)
      if pos > #body then return nil end
      n = n or #body
      local s = body:sub(pos, pos + n - 1)
      pos = pos + #s
      return s
    end },
    error = { write = function(_, ...)
      for _, s in ipairs({ ... }) do errors[#errors + 1] = tostring(s) end
    end },
  }
  for k, v in pairs(opts.headers or {}) do env[k] = v end
  setmetatable(env, { __index = function() return "" end })

  local status, headers, iter = self.app(env)
  local out = {}
  for chunk in iter do out[#out + 1] = chunk end
  self:remember(headers)
  return {
    status = tonumber(tostring(status):match("^%d+")),
    headers = headers,
    body = table.concat(out),
    errors = table.concat(errors),
  }
end

function Browser:get(path, opts)
  return self:request("GET", path, opts)
end

local function url_encode(s)
  return (tostring(s):gsub("[^A-Za-z0-9_.~-]", function(c) return string.format("%%%02X", c:byte()) end))
end

--- Posts a url-encoded form. `fields` is a list of { name, value } pairs (in order).
function Browser:post_form(path, fields, opts)
  local parts = {}
  for _, f in ipairs(fields) do parts[#parts + 1] = url_encode(f[1]) .. "=" .. url_encode(f[2]) end
  opts = opts or {}
  opts.body = table.concat(parts, "&")
  opts.content_type = "application/x-www-form-urlencoded"
  return self:request("POST", path, opts)
end

--- A multipart/form-data body: `fields` is a list of { name, value } pairs, or
-- { name, data, filename = ..., type = ... } for a file. Returns the body and its content type.
function M.multipart(fields)
  local boundary = "----board-spec-" .. tostring(math.random(1, 2^30))
  local out = {}
  for _, f in ipairs(fields) do
    out[#out + 1] = "--" .. boundary .. "\r\n"
    if f.filename then
      out[#out + 1] = 'Content-Disposition: form-data; name="' .. f[1] .. '"; filename="' .. f.filename .. '"\r\n'
      out[#out + 1] = "Content-Type: " .. (f.type or "application/octet-stream") .. "\r\n\r\n"
    else
      out[#out + 1] = 'Content-Disposition: form-data; name="' .. f[1] .. '"\r\n\r\n'
    end
    out[#out + 1] = f[2] .. "\r\n"
  end
  out[#out + 1] = "--" .. boundary .. "--\r\n"
  return table.concat(out), "multipart/form-data; boundary=" .. boundary
end

function Browser:post_multipart(path, fields, opts)
  opts = opts or {}
  opts.body, opts.content_type = M.multipart(fields)
  return self:request("POST", path, opts)
end

--- The CSRF token of the form on the page at `path` (nil when the page has none).
function Browser:token(path)
  local page = self:get(path or "/")
  return page.body:match('name="csrf_token" value="([^"]*)"')
end

--- The session id in the cookie (to see it change at login).
function Browser:session_id()
  local v = self.jar.apogee_session
  return v and v:match("^([^.]*)")
end

return M
