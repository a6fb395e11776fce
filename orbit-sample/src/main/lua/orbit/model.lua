-- orbit.model: Orbit's object-relational mapper over a LuaSQL connection, without lpeg.
--
--   local mapper = require("orbit.model").new("blog_", conn, "sqlite3")
--   local posts = mapper:new("post")                  -- table blog_post
--   posts:find(3)
--   posts:find_first("title = ?", { "Hello" })
--   posts:find_all("published = ? and id > ?", { true, 10, order = "id desc", count = 5, offset = 10 })
--   posts:find_all_by_author_or_editor{ "ann", "bob", order = "title" }
--   local p = posts:new{ title = "New" }; p:save(); p:delete()
--
-- Values in conditions are bound to the "?" placeholders as parameters (never written into the
-- SQL text). A table value turns "field = ?" into "(field = ? or field = ? ...)" and any other "?"
-- into "(?, ?, ...)"; a { type = "query", sql } value is inserted as a subquery (SQL the app wrote).

local type, pairs, ipairs, tostring, tonumber, setmetatable, error, select =
  type, pairs, ipairs, tostring, tonumber, setmetatable, error, select
local concat, insert = table.concat, table.insert
local lower, match, gsub, format = string.lower, string.match, string.gsub, string.format

local _M = {}

local model_methods = {}
_M.model_methods = model_methods
local dao_methods = {}
_M.dao_methods = dao_methods

-- Column kinds from declared types (SQLite's declarations, PostgreSQL's type names).
local kinds = {
  integer = "number", int = "number", int2 = "number", int4 = "number", int8 = "number",
  smallint = "number", bigint = "number", tinyint = "number", mediumint = "number",
  serial = "number", bigserial = "number", smallserial = "number",
  real = "number", float = "number", float4 = "number", float8 = "number", double = "number",
  number = "number", numeric = "number", decimal = "number",
  boolean = "boolean", bool = "boolean",
  datetime = "datetime", timestamp = "datetime", timestamptz = "datetime",
  binary = "binary", blob = "binary", bytea = "binary",
}

local function kind_of(decl)
  local t = lower(match(decl or "", "^%s*([%a_][%w_]*)") or "")
  return kinds[t] or "string", t
end
_M.kind_of = kind_of

local function log(mapper, sql, args)
  if mapper.logging then
    local shown = {}
    for i = 1, (args.n or #args) do shown[i] = tostring(args[i]) end
    io.stderr:write("[orbit.model] ", sql, #shown > 0 and ("  -- " .. concat(shown, ", ")) or "", "\n")
  end
end

-- A Lua value as it is stored in a column of the given kind.
local function to_db(kind, v)
  if v == nil then return nil end
  if kind == "boolean" or type(v) == "boolean" then
    if v == true or v == 1 or v == "t" or v == "true" then return "t" end
    return "f"
  elseif kind == "datetime" and type(v) == "number" then
    return os.date("%Y-%m-%d %H:%M:%S", v)
  end
  return v
end

local function parse_datetime(s)
  local y, m, d, hh, mm, ss = match(s, "^(%d+)-(%d+)-(%d+)[ T](%d+):(%d+):(%d+)")
  if not y then
    y, m, d = match(s, "^(%d+)-(%d+)-(%d+)$")
    hh, mm, ss = 0, 0, 0
  end
  if not y then return s end
  return os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d),
    hour = tonumber(hh), min = tonumber(mm), sec = tonumber(ss) })
end

-- A value read from the database as the app sees it.
local function from_db(kind, v)
  if v == nil then return nil end
  if kind == "boolean" then
    return v == true or v == 1 or v == "t" or v == "true" or v == "1"
  elseif kind == "number" then
    return tonumber(v) or v
  elseif kind == "datetime" and type(v) == "string" then
    return parse_datetime(v)
  end
  return v
end

-- Condition rewriting ----------------------------------------------------------------------

local function is_args(t)
  return type(t) == "table" and t.type ~= "query"
end

-- condition_parser(cond, values) -> sql, bound values. "author_and_year" (a finder name) becomes
-- "author = ? and year = ?".
function _M.condition_parser(condition, values, fields)
  values = values or {}
  if not condition:find("?", 1, true) and match(condition, "^[%w_]+$") then
    local words = gsub(gsub(condition, "_and_", " and "), "_or_", " or ")
    condition = gsub(words, "([%w_]+)", function(w)
      if w == "and" or w == "or" then return w end
      return w .. " = ?"
    end)
  end
  local bound, i = {}, 0
  local function bind(v)
    bound.n = (bound.n or 0) + 1
    bound[bound.n] = v
  end
  -- the kind of a column named before a "?" ("created_at", "p.created_at", "\"created_at\"")
  local function kind_for(field)
    if not fields or field == "" then return nil end
    local name = match(field, "([%w_]+)\"?$")
    local m = name and fields[name]
    return m and m.kind
  end
  local sql = gsub(condition, "([%w_%.\"]*)(%s*)([<>=!]*)(%s*)%?", function(field, s1, op, s2)
    i = i + 1
    local v = values[i]
    local kind = kind_for(field)
    if type(v) == "table" and v.type == "query" then
      return field .. s1 .. op .. s2 .. "(" .. v[1] .. ")"
    elseif type(v) == "table" then
      local n = v.n or #v
      if op == "=" and field ~= "" then
        local ors = {}
        for j = 1, n do
          ors[j] = field .. " = ?"
          bind(to_db(kind, v[j]))
        end
        return "(" .. (n > 0 and concat(ors, " or ") or "1 = 0") .. ")"
      end
      local qs = {}
      for j = 1, n do
        qs[j] = "?"
        bind(to_db(kind, v[j]))
      end
      return field .. s1 .. op .. s2 .. "(" .. concat(qs, ", ") .. ")"
    end
    bind(to_db(kind, v))
    return field .. s1 .. op .. s2 .. "?"
  end)
  bound.n = bound.n or 0
  return sql, bound
end

-- Mappers ---------------------------------------------------------------------------------

-- new(table_prefix, conn, driver = "sqlite3", logging)
function _M.new(table_prefix, conn, driver, logging)
  return setmetatable({ table_prefix = table_prefix or "", conn = conn, driver = driver or "sqlite3",
    logging = logging, models = {} }, { __index = model_methods })
end

local function execute(mapper, sql, args)
  log(mapper, sql, args)
  local conn = mapper.conn
  if mapper.recycle_factory and os.time() - (mapper.recycled_at or 0) >= mapper.recycle_timeout then
    if conn then pcall(conn.close, conn) end
    conn = mapper.recycle_factory()
    mapper.conn = conn
    mapper.recycled_at = os.time()
  end
  if not conn then error("orbit.model: the mapper has no connection (set app.mapper.conn)", 3) end
  local res, err
  if args and args.n and args.n > 0 then
    res, err = conn:execute(sql, args)
  else
    res, err = conn:execute(sql)
  end
  if not res then error(err .. "\nin: " .. sql, 3) end
  return res
end
_M.execute = execute

-- Reopens the connection with factory() once timeout seconds (default 20000) have passed.
function model_methods:recycle(factory, timeout)
  self.recycle_factory = factory
  self.recycle_timeout = timeout or 20000
  self.recycled_at = os.time()
  if not self.conn then self.conn = factory() end
end

-- mapper:new(name[, dao]): a DAO for table <prefix><name>, its columns read from the database.
function model_methods:new(name, dao)
  dao = dao or {}
  dao.model = self
  dao.name = name
  dao.table_name = self.table_prefix .. name
  dao.driver = self.driver
  local cur = execute(self, "select * from " .. dao.table_name .. " limit 0", { n = 0 })
  local names, types = cur:getcolnames(), cur:getcoltypes()
  cur:close()
  local meta = {}
  for i, col in ipairs(names) do
    local kind, typename = kind_of(types[i])
    meta[col] = { name = col, type = typename, kind = kind }
  end
  dao.meta = meta
  dao.columns = names
  setmetatable(dao, { __index = function(d, key)
    local m = dao_methods[key]
    if m then return m end
    if type(key) ~= "string" then return nil end
    local fields = match(key, "^find_by_(.+)$")
    if fields then
      return function(self, args, more) return dao_methods.find_by(self, fields, args, more) end
    end
    fields = match(key, "^find_all_by_(.+)$")
    if fields then
      return function(self, args, more) return dao_methods.find_all_by(self, fields, args, more) end
    end
  end })
  self.models[name] = dao
  return dao
end

-- DAOs ------------------------------------------------------------------------------------

-- Rows see the DAO's functions (its own methods, then save, delete, finders), not its data fields,
-- so a NULL column named "name" reads nil rather than the DAO's name.
local function row_meta(dao)
  local mt = rawget(dao, "_row_meta")
  if not mt then
    mt = { dao = dao, __index = function(_, key)
      local v = rawget(dao, key)
      if type(v) == "function" then return v end
      if v == nil then
        v = dao[key]
        if type(v) == "function" then return v end
      end
      return nil
    end }
    rawset(dao, "_row_meta", mt)
  end
  return mt
end

local function to_row(dao, raw)
  local row = {}
  for col, v in pairs(raw) do
    local m = dao.meta[col]
    row[col] = from_db(m and m.kind or "string", v)
  end
  return setmetatable(row, row_meta(dao))
end

-- select with args: order, count, offset, distinct, fields, from
local function build_query(dao, condition, args)
  args = args or {}
  local fields = args.fields and concat(args.fields, ", ") or "*"
  local sql = { "select ", args.distinct and "distinct " or "", fields, " from ", args.from or dao.table_name }
  local bound = { n = 0 }
  if condition and condition ~= "" then
    local where
    where, bound = _M.condition_parser(condition, args, dao.meta)
    sql[#sql + 1] = " where " .. where
  end
  if args.order then sql[#sql + 1] = " order by " .. args.order end
  if args.count then sql[#sql + 1] = " limit " .. math.floor(tonumber(args.count)) end
  if args.offset then
    if not args.count then sql[#sql + 1] = dao.driver == "postgres" and " limit all" or " limit -1" end
    sql[#sql + 1] = " offset " .. math.floor(tonumber(args.offset))
  end
  return concat(sql), bound
end

-- (condition, args) or (args) alone; condition may be nil
local function normalize(condition, args)
  if type(condition) == "table" then return nil, condition end
  return condition, args or {}
end

function dao_methods.find_all(dao, condition, args)
  condition, args = normalize(condition, args)
  local sql, bound = build_query(dao, condition, args)
  local cur = execute(dao.model, sql, bound)
  local rows = {}
  while true do
    local raw = cur:fetch({}, "a")
    if not raw then break end
    rows[#rows + 1] = to_row(dao, raw)
  end
  cur:close()
  return rows
end

function dao_methods.find_first(dao, condition, args)
  condition, args = normalize(condition, args)
  local a = {}
  for k, v in pairs(args) do a[k] = v end
  a.count = 1
  return dao_methods.find_all(dao, condition, a)[1]
end

function dao_methods.find(dao, id)
  return dao_methods.find_first(dao, "id = ?", { id })
end

-- find_by_<f>[_and_|_or_<g>]{ values..., order = ... } or find_by_<f>(value)
local function finder_args(args, more)
  if type(args) ~= "table" then
    local a = { args }
    for k, v in pairs(more or {}) do a[k] = v end
    return a
  end
  return args
end

function dao_methods.find_by(dao, fields, args, more)
  return dao_methods.find_first(dao, fields, finder_args(args, more))
end

function dao_methods.find_all_by(dao, fields, args, more)
  return dao_methods.find_all(dao, fields, finder_args(args, more))
end

-- dao:new(row) makes a row object (not saved yet)
function dao_methods.new(dao, row)
  return setmetatable(row or {}, row_meta(dao))
end

-- row:save(force_insert): an update when the row has an id (and force_insert is not set), else an
-- insert that fills row.id. created_at and updated_at are kept when the table has them.
function dao_methods.save(row, force_insert)
  local dao = getmetatable(row).dao
  local meta, model = dao.meta, dao.model
  local now = os.time()
  if meta.updated_at then row.updated_at = now end
  if row.id == nil or force_insert then
    if meta.created_at and row.created_at == nil then row.created_at = now end
    local cols, qs, vals = {}, {}, { n = 0 }
    for _, col in ipairs(dao.columns) do
      local v = rawget(row, col)
      if v ~= nil then
        cols[#cols + 1] = col
        qs[#qs + 1] = "?"
        vals.n = vals.n + 1
        vals[vals.n] = to_db(meta[col].kind, v)
      end
    end
    local sql
    if #cols == 0 then
      sql = "insert into " .. dao.table_name .. " default values"
    else
      sql = "insert into " .. dao.table_name .. " (" .. concat(cols, ", ") .. ") values (" .. concat(qs, ", ") .. ")"
    end
    if dao.driver == "postgres" and meta.id and row.id == nil then
      local cur = execute(model, sql .. " returning id", vals)
      row.id = cur:fetch()
      cur:close()
    else
      execute(model, sql, vals)
      if row.id == nil then row.id = model.conn:getlastautoid() end
    end
  else
    local sets, vals = {}, { n = 0 }
    for _, col in ipairs(dao.columns) do
      if col ~= "id" then
        sets[#sets + 1] = col .. " = ?"
        vals.n = vals.n + 1
        vals[vals.n] = to_db(meta[col].kind, rawget(row, col))
      end
    end
    vals.n = vals.n + 1
    vals[vals.n] = row.id
    execute(model, "update " .. dao.table_name .. " set " .. concat(sets, ", ") .. " where id = ?", vals)
  end
  return row
end

function dao_methods.delete(row)
  local dao = getmetatable(row).dao
  if row.id == nil then error("orbit.model: cannot delete a row that was never saved", 2) end
  execute(dao.model, "delete from " .. dao.table_name .. " where id = ?", { row.id, n = 1 })
  row.id = nil
  return true
end

-- Lua 5.1 code reaches the mapper as orbit.model once it is loaded.
local orbit = package.loaded.orbit or rawget(_G, "orbit")
if type(orbit) ~= "table" then
  orbit = {}
  rawset(_G, "orbit", orbit)
end
orbit.model = _M

return _M
