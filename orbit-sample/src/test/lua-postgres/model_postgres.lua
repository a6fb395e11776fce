-- orbit.model over luasql.postgres against a real server (PG* variables set by PostgresLuaSqlTest).
local orbit = require "orbit"
require "luasql.postgres"

local conn = assert(luasql.postgres():connect("postgres"))
assert(conn:execute("drop table if exists todo_item"))
assert(conn:execute([[create table todo_item (id serial primary key, title varchar(200) not null,
  done boolean not null default false, priority integer, created_at timestamp, updated_at timestamp)]]))

local todo = orbit.new("todo")
todo.mapper.conn = conn
todo.mapper.driver = "postgres"
local items = todo:model("item")
assert(items.table_name == "todo_item")
assert(items.meta.done.kind == "boolean" and items.meta.priority.kind == "number"
  and items.meta.created_at.kind == "datetime", "column kinds")

local evil = "x'); drop table todo_item; --"
for i, title in ipairs({ "write docs", "fix bug", evil }) do
  local it = items:new{ title = title, priority = i, done = (i == 2) }
  it:save()
  assert(it.id == i, "insert returns the serial id")
end

local first = items:find(1)
assert(first.title == "write docs" and first.done == false and first.priority == 1)
assert(type(first.created_at) == "number" and math.abs(first.created_at - os.time()) < 120, "created_at")

-- strings from forms bind to integer columns
assert(items:find("2").title == "fix bug")
assert(items:find_first("title = ?", { evil }).id == 3)
local open = items:find_all("done = ?", { false, order = "priority desc" })
assert(#open == 2 and open[1].id == 3, "#open " .. #open)
local page = items:find_all({ order = "id", count = 1, offset = 1 })
assert(#page == 1 and page[1].id == 2)
assert(#items:find_all("id = ?", { { 1, 3 } }) == 2)
assert(items:find_by_title_and_done{ "fix bug", true }.id == 2)

first.done = true
first:save()
assert(items:find(1).done == true)
assert(items:find(1):delete())
assert(items:find(1) == nil)
assert(#items:find_all() == 2)

assert(conn:execute("drop table todo_item"))
conn:close()
return "ok"
