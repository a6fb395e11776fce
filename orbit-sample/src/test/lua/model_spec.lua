-- orbit.model on SQLite, after Orbit's test/test_model.lua (books by author)
local orbit = require "orbit"
local model = require "orbit.model"
require "luasql.sqlite3"

local function setup_db()
  local conn = assert(luasql.sqlite3():connect(":memory:"))
  assert(conn:execute([[create table test_model_book (id integer primary key, title varchar(255),
    author varchar(255), year integer, price real, available boolean, name text,
    created_at datetime, updated_at datetime)]]))
  local books = {
    { "Ensaio sobre a Cegueira", "Jose Saramago", 1995 },
    { "O Evangelho segundo Jesus Cristo", "Jose Saramago", 1991 },
    { "Estorvo", "Chico Buarque", 1991 },
    { "Budapeste", "Chico Buarque", 2003 },
    { "Dom Casmurro", "Machado de Assis", 1899 },
  }
  for _, b in ipairs(books) do
    assert(conn:execute("insert into test_model_book (title, author, year, available) values (?, ?, ?, 't')", b[1], b[2], b[3]))
  end
  return conn
end

describe("orbit.model", function()
  local conn, books

  before_each(function()
    conn = setup_db()
    local app = orbit.new("test_model")
    app.mapper.conn = conn
    app.mapper.driver = "sqlite3"
    books = app:model("book")
  end)

  after_each(function() conn:close() end)

  it("reads the columns and their kinds", function()
    assert.equals("test_model_book", books.table_name)
    assert.equals("number", books.meta.year.kind)
    assert.equals("string", books.meta.title.kind)
    assert.equals("boolean", books.meta.available.kind)
    assert.equals("datetime", books.meta.created_at.kind)
  end)

  it("finds by id", function()
    local b = books:find(3)
    assert.equals("Estorvo", b.title)
    assert.equals(1991, b.year)
    assert.is_true(b.available)
    assert.is_nil(b.name)
    assert.is_nil(books:find(99))
  end)

  it("finds the first match with bound conditions and order", function()
    local b = books:find_first("author = ? and year > ?", { "Jose Saramago", 1990, order = "year asc" })
    assert.equals(1991, b.year)
    b = books:find_first("author = ?", { "Chico Buarque", order = "year desc" })
    assert.equals("Budapeste", b.title)
  end)

  it("finds all with count, offset, fields and order", function()
    local all = books:find_all({ order = "id" })
    assert.equals(5, #all)
    local some = books:find_all("year < ?", { 2000, order = "year asc, id asc", count = 2, offset = 1 })
    assert.equals(2, #some)
    assert.equals(1991, some[1].year)
    assert.equals("Estorvo", some[2].title)
    local titles = books:find_all("author = ?", { "Chico Buarque", fields = { "id", "title" }, order = "title" })
    assert.equals("Budapeste", titles[1].title)
    assert.is_nil(rawget(titles[1], "author"))
    assert.equals(3, #books:find_all("id > ?", { 2 }))
  end)

  it("has dynamic finders", function()
    local saramago = books:find_all_by_author_or_author{ "Jose Saramago", "Chico Buarque", order = "year asc" }
    assert.equals(4, #saramago)
    assert.equals(1991, saramago[1].year)
    local b = books:find_by_author_and_year{ "Chico Buarque", 2003 }
    assert.equals("Budapeste", b.title)
    assert.equals("Dom Casmurro", books:find_by_title("Dom Casmurro").title)
  end)

  it("turns a table value into an OR list or an IN list", function()
    assert.equals(3, #books:find_all("id = ?", { { 1, 2, 5 } }))
    assert.equals(2, #books:find_all("year in ?", { { 1899, 2003 } }))
    assert.equals(2, #books:find_all("id in ?", { { type = "query", "select id from test_model_book where year = 1991" } }))
  end)

  it("never puts values into the SQL text", function()
    local evil = "x' or '1'='1"
    assert.is_nil(books:find_first("title = ?", { evil }))
    assert.equals(0, #books:find_all_by_author{ evil })
    local b = books:new{ title = evil, author = "Robert'); drop table test_model_book; --" }
    b:save()
    assert.equals(evil, books:find(b.id).title)
    assert.equals(6, #books:find_all())
  end)

  it("inserts, updates and deletes rows, keeping created_at and updated_at", function()
    local before = os.time()
    local b = books:new{ title = "Memorial do Convento", author = "Jose Saramago", year = 1982, available = false }
    assert.is_nil(b.id)
    b:save()
    assert.equals(6, b.id)
    local again = books:find(6)
    assert.equals("Memorial do Convento", again.title)
    assert.is_false(again.available)
    assert.is_number(again.created_at)
    assert.truthy(again.created_at >= before - 1)
    again.year = 1983
    again.available = true
    again:save()
    local third = books:find(6)
    assert.equals(1983, third.year)
    assert.is_true(third.available)
    assert.equals(again.created_at, third.created_at)
    -- datetime columns compare with os.time() numbers
    assert.equals(6, books:find_first("created_at >= ?", { before - 1 }).id)
    assert.is_nil(books:find_first("test_model_book.created_at > ?", { os.time() + 3600 }))
    assert.is_true(third:delete())
    assert.is_nil(books:find(6))
  end)

  it("gives rows the DAO's own methods", function()
    function books:label() return self.title .. " (" .. self.year .. ")" end
    assert.equals("Estorvo (1991)", books:find(3):label())
  end)

  it("rewrites finder names into conditions", function()
    local sql, vals = model.condition_parser("author_and_year_or_id", { "a", 1, 2 })
    assert.equals("author = ? and year = ? or id = ?", sql)
    assert.same({ "a", 1, 2, n = 3 }, vals)
  end)

  it("uses the app name as the table prefix unless one is set", function()
    local app = orbit.new()
    app.mapper.conn = conn
    app.mapper.table_prefix = "test_model_"
    assert.equals("test_model_book", app:model("book").table_name)
  end)
end)
