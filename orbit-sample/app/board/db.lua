-- board.db: the database connection, the schema and its migrations, and a few helpers over
-- LuaSQL.
--
-- The same SQL runs on SQLite (the default: one file in the data folder) and on PostgreSQL
-- (several nodes sharing one database). Where the two differ - how an id column counts, what a
-- blob or a timestamp is called, how bytes are written - the difference sits in `dialects`
-- below, and nowhere else.
--
-- Every value goes to the database as a bound parameter ("?"); SQL text is only ever built from
-- this file's own constants.

local format, byte, char = string.format, string.byte, string.char
local concat = table.concat

local M = {}

M.dialects = {
  sqlite3 = {
    id = "integer primary key autoincrement",
    timestamp = "datetime",
    blob = "blob",
    -- bytes go in as hex text and are turned back into a blob by the database (see M.hex)
    unhex = "unhex(?)",
  },
  postgres = {
    id = "bigserial primary key",
    timestamp = "timestamp",
    blob = "bytea",
    unhex = "decode(?, 'hex')",
  },
}

--- Runs a statement; raises an error that names the SQL when the database refuses it.
-- Returns what conn:execute returns: a cursor for a query, else the number of rows changed.
function M.exec(conn, sql, ...)
  local res, err = conn:execute(sql, ...)
  if not res then error(tostring(err) .. "\nin: " .. sql, 2) end
  return res
end

--- The first row of a query as a table (column name -> value), or nil.
function M.first(conn, sql, ...)
  local cur = M.exec(conn, sql, ...)
  local row = cur:fetch({}, "a")
  cur:close()
  return row
end

--- Every row of a query, as a list of tables.
function M.all(conn, sql, ...)
  local cur = M.exec(conn, sql, ...)
  local rows = {}
  while true do
    local row = cur:fetch({}, "a")
    if not row then break end
    rows[#rows + 1] = row
  end
  cur:close()
  return rows
end

--- Runs fn(...) in a transaction: commits when it returns, rolls back (and raises the error
-- again) when it fails. The first statement inside should write: on SQLite a transaction that
-- only read first may find that another connection wrote meanwhile.
function M.transaction(conn, fn, ...)
  assert(conn:setautocommit(false))
  local results = table.pack(pcall(fn, ...))
  if results[1] then
    local ok, err = conn:commit()
    conn:setautocommit(true)
    if not ok then error("commit failed: " .. tostring(err), 2) end
    return table.unpack(results, 2, results.n)
  end
  conn:rollback()
  conn:setautocommit(true)
  error(results[2], 0)
end

local HEX = {}
for i = 0, 255 do HEX[char(i)] = format("%02x", i) end

--- Bytes as hex text. LuaSQL sends a string that is valid UTF-8 as text (and only other bytes as a
-- blob); PostgreSQL would read such text into a bytea column with its escape rules, mangling
-- backslashes and refusing NUL bytes. Hex text turned back by the dialect's `unhex` is exact on
-- both databases, for any bytes.
function M.hex(s)
  return (s:gsub(".", HEX))
end

--- Opens a connection for the settings of board.config.
function M.connect(config)
  -- each driver is loaded only when used: a node on SQLite needs no PostgreSQL driver jar
  if config.driver == "postgres" then
    local luasql = require "luasql.postgres"
    local conn, err = luasql.postgres():connect(config.database)
    if not conn then error("board: cannot connect to " .. config.database_shown .. ": " .. tostring(err), 0) end
    return conn
  end
  -- Each Lua state of the app and each LAppS service instance opens its own connection to the
  -- same file. WAL lets readers go on while one connection writes; the busy timeout (ms) makes
  -- a writer wait for another instead of failing at once.
  local luasql = require "luasql.sqlite3"
  local conn, err = luasql.sqlite3():connect(config.database, 10000)
  if not conn then error("board: cannot open " .. config.database_shown .. ": " .. tostring(err), 0) end
  M.exec(conn, "pragma journal_mode = wal"):close()
  return conn
end

-- Migrations ------------------------------------------------------------------------------
--
-- Each entry brings the schema from version i - 1 to version i. Add new ones at the end; never
-- change one that has shipped. board_schema records the versions applied.

local migrations = {
  -- 1: accounts, cards, their attachments, and the change events the live view reads
  function(conn, d)
    M.exec(conn, format([[create table board_user (
      id %s,
      username varchar(32) not null,
      password_hash varchar(64) not null,
      password_salt varchar(64) not null,
      password_iterations integer not null,
      created_at %s not null)]], d.id, d.timestamp))
    -- names are unique whatever their case: "Ann" cannot sign up when "ann" exists
    M.exec(conn, "create unique index board_user_username on board_user (lower(username))")

    M.exec(conn, format([[create table board_card (
      id %s,
      title varchar(200) not null,
      body text not null,
      user_id bigint not null references board_user (id),
      author varchar(32) not null,
      done boolean not null,
      file_name varchar(255),
      file_type varchar(100),
      file_size integer,
      created_at %s not null,
      updated_at %s not null)]], d.id, d.timestamp, d.timestamp))

    -- the bytes of an attachment, apart from the card so that listing cards never reads them
    M.exec(conn, format([[create table board_file (
      card_id bigint primary key references board_card (id) on delete cascade,
      data %s not null)]], d.blob))

    -- one row per change, read by the live_poller service (created_at: seconds since the epoch)
    M.exec(conn, format([[create table board_event (
      id %s,
      kind varchar(16) not null,
      card_id bigint not null,
      title varchar(200),
      author varchar(32),
      file_name varchar(255),
      done integer not null,
      created_at bigint not null)]], d.id))
  end,
}

M.SCHEMA_VERSION = #migrations

local function current_version(conn)
  local row = M.first(conn, "select max(version) as v from board_schema")
  return row and tonumber(row.v) or 0
end

local function apply(conn, d)
  local version = current_version(conn)
  for v = version + 1, #migrations do
    migrations[v](conn, d)
    M.exec(conn, "insert into board_schema (version, applied_at) values (?, ?)", v, os.time())
  end
  return version
end

--- Creates or upgrades the schema. Safe to call from every Lua state and every node at once:
-- the work is done under a lock, and whoever comes second finds it done.
function M.migrate(conn, driver)
  local d = M.dialects[driver] or error("board: unknown database driver " .. tostring(driver))
  M.exec(conn, "create table if not exists board_schema (version integer not null, applied_at bigint not null)")
  if current_version(conn) >= #migrations then return end
  if driver == "postgres" then
    -- DDL is transactional on PostgreSQL; an advisory lock held to the end of the transaction
    -- keeps two nodes from migrating at the same time
    M.transaction(conn, function()
      M.exec(conn, "select pg_advisory_xact_lock(7271964)"):close()
      apply(conn, d)
    end)
  else
    -- "begin immediate" takes SQLite's write lock at once; other connections wait (busy timeout)
    M.exec(conn, "begin immediate")
    local ok, err = pcall(apply, conn, d)
    if ok then
      M.exec(conn, "commit")
    else
      conn:execute("rollback")
      error(err, 0)
    end
  end
end

return M
