-- board.config: the board's settings, read from the environment.
--
--   BOARD_DATA             folder for run-time data (default: "data" in the app's folder; a
--                          relative path is taken from the app's folder too); created on first
--                          start
--   BOARD_DATABASE         a SQLite file (default: <data>/board.db; a relative path is taken
--                          inside the data folder), or postgres://user:password@host:port/dbname
--   APOGEE_SESSION_SECRET  signs the session cookies (at least 32 characters); when unset, a
--                          random secret is made on first start and kept in <data>/session.secret
--   REDIS_URL              keep sessions in Redis (redis://host:port) so several nodes share them;
--                          unset: in this process's memory
--   BOARD_ACCESS_LOG       where the access log goes: "stderr" (default), "stdout", a file, or
--                          "off"
--
-- The app (board.lua) and the LAppS services (live/*) both read this module, so they agree on
-- where the data and the database are, whatever the working directory of the process.

local lfs = require "lfs"

local M = {}

-- Where settings come from. Tests replace it (before the app loads) to run against a scratch
-- folder without touching the process environment.
M.getenv = os.getenv

-- Largest attachment a card may carry, in bytes.
M.MAX_UPLOAD = 5 * 1024 * 1024

local function setting(name)
  local v = M.getenv(name)
  if v == nil or v:match("^%s*$") then return nil end
  return v
end

local function is_absolute(path)
  return path:sub(1, 1) == "/" or path:match("^[A-Za-z]:[/\\]") ~= nil
end

local function join(dir, path)
  if is_absolute(path) then return path end
  return (dir:gsub("/+$", "")) .. "/" .. path
end

-- The app's folder (the one that holds board.lua), as an absolute path: this file is
-- <app>/board/config.lua. require may have found it through a relative package.path entry
-- ("./?.lua"), so a relative name is taken from the state's working directory.
local function find_app_dir()
  local source = debug.getinfo(1, "S").source
  local file = source:match("^@(.*)$") or error("board.config: cannot tell where it was loaded from (" .. source .. ")")
  file = file:gsub("\\", "/")
  if not is_absolute(file) then file = join(lfs.currentdir(), file) end
  local dir = file:match("^(.*)/board/config%.lua$") or error("board.config: unexpected location " .. file)
  -- tidy "/x/./board" and "/x/." forms, which a "./?.lua" search leaves behind
  dir = dir:gsub("/%./", "/"):gsub("/%.$", "")
  return dir
end

-- mkdir -p
local function make_dirs(path)
  if lfs.attributes(path, "mode") == "directory" then return true end
  local parent = path:match("^(.*)/[^/]+$")
  if parent and parent ~= "" then make_dirs(parent) end
  local ok, err = lfs.mkdir(path)
  if not ok and lfs.attributes(path, "mode") ~= "directory" then
    error("board: cannot create the data folder " .. path .. ": " .. tostring(err), 0)
  end
  return true
end

-- Hides the password of a database URL for log lines.
local function masked(url)
  return (url:gsub("^([a-z]+://[^:/@]*):[^@]*@", "%1:***@"))
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- The secret from <data>/session.secret, made on first use. Several Lua states (and nodes that
-- share the data folder) may start at once, so the file is written under a private name and
-- then hard-linked into place: lfs.link fails when the file already exists, and the loser simply
-- reads the winner's secret. Everyone ends up with the same one.
local function stored_secret(data_dir)
  local path = data_dir .. "/session.secret"
  local secret = read_file(path)
  if secret and #secret >= 32 then return (secret:gsub("%s+$", "")) end
  local crypto = require "wsapi.filters.crypto"
  local tmp = path .. "." .. crypto.random_token(9) .. ".tmp"
  local f = assert(io.open(tmp, "wb"))
  f:write(crypto.random_token(32), "\n")
  f:close()
  lfs.link(tmp, path)
  os.remove(tmp)
  secret = read_file(path)
  if not secret or #secret < 32 then error("board: cannot make " .. path, 0) end
  return (secret:gsub("%s+$", ""))
end

--- Reads the settings. Creates the data folder; does not open the database.
function M.load()
  local c = {}
  c.app_dir = find_app_dir()
  c.data_dir = join(c.app_dir, setting("BOARD_DATA") or "data")
  if not is_absolute(c.data_dir) then c.data_dir = join(lfs.currentdir(), c.data_dir) end
  make_dirs(c.data_dir)

  local database = setting("BOARD_DATABASE")
  if database and (database:match("^postgres://") or database:match("^postgresql://")) then
    c.driver = "postgres"
    c.database = database
    c.database_shown = masked(database)
  else
    c.driver = "sqlite3"
    c.database = join(c.data_dir, database or "board.db")
    c.database_shown = c.database
  end

  c.redis_url = setting("REDIS_URL")
  c.access_log = setting("BOARD_ACCESS_LOG") or "stderr"
  if c.access_log == "off" then c.access_log = false end
  c.max_upload = M.MAX_UPLOAD

  -- read when the session filter is built (only the web app needs it, not the services)
  function c.session_secret()
    return setting("APOGEE_SESSION_SECRET") or stored_secret(c.data_dir)
  end
  return c
end

local current

--- The settings, read once per Lua state.
function M.get()
  if not current then current = M.load() end
  return current
end

--- Forgets the settings read so far (tests change M.getenv and read them again).
function M.reset()
  current = nil
end

return M
