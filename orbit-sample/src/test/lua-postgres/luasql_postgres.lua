-- luasql.postgres against a real server (PG_PORT, PGUSER etc. set by PostgresLuaSqlTest).
local luasql = require "luasql.postgres"
local env = assert(luasql.postgres())

-- LuaSQL's argument order: dbname, user, password, host, port
local conn = assert(env:connect("postgres", "apogee", nil, "127.0.0.1", PG_PORT))
assert(conn:execute("drop table if exists people") == 0)
assert(conn:execute([[create table people (id serial primary key, name varchar(40) not null,
  age integer, height real, score numeric(10,2), active boolean, born timestamp, photo bytea)]]) == 0)

-- bound parameters: values never become SQL text
local evil = "o'brien'); drop table people; --"
assert(conn:execute("insert into people (name, age, height, score, active, born) values (?, ?, ?, ?, ?, ?)",
  evil, 42, 1.75, "12.50", true, "2020-01-02 03:04:05") == 1)
assert(conn:getlastautoid() == 1, "lastval")
assert(conn:execute("insert into people (name, age, active) values (?, ?, ?)", "bob", nil, false) == 1)
assert(conn:getlastautoid() == 2)

-- strings bind to whatever type the query needs ("id = ?" with a string from a form)
local cur = assert(conn:execute("select id, name, age, height, score, active, born from people where id = ?", "1"))
local names = cur:getcolnames()
assert(table.concat(names, ",") == "id,name,age,height,score,active,born", table.concat(names, ","))
local types = cur:getcoltypes()
assert(types[2] == "varchar" and types[6] == "bool", table.concat(types, ","))
local row = cur:fetch({}, "a")
assert(row.id == 1 and row.name == evil and row.age == 42, "row values")
assert(math.abs(row.height - 1.75) < 1e-6 and row.score == 12.5 and row.active == true, "numbers and booleans")
assert(row.born == "2020-01-02 03:04:05", tostring(row.born))
assert(cur:fetch() == nil)

cur = assert(conn:execute("select name, age, active from people where id = 2"))
local name, age, active = cur:fetch()
assert(name == "bob" and age == nil and active == false)
cur:close()

-- errors: nil and a message; a failed statement does not break autocommit use
local r, err = conn:execute("select * from no_such_table")
assert(r == nil and err:match("^LuaSQL: error executing query%. PostgreSQL: .*no_such_table"), err)

-- escape for the rare quoted literal
cur = conn:execute("select '" .. conn:escape("it's") .. "'")
assert(cur:fetch() == "it's")
cur:close()

-- transactions
assert(conn:setautocommit(false))
assert(conn:execute("insert into people (name) values ('temp')") == 1)
assert(conn:rollback())
assert(conn:execute("update people set age = 43 where id = ?", 1) == 1)
assert(conn:commit())
assert(conn:setautocommit(true))
cur = conn:execute("select count(*), max(age) from people")
local count, maxage = cur:fetch()
assert(count == 2 and maxage == 43, tostring(count) .. " " .. tostring(maxage))
cur:close()

-- prepared statements and bytes
local bytes = "\0\1\255 caf\195\169"
local stmt = assert(conn:prepare("update people set photo = ? where id = ?"))
-- not valid UTF-8, so it goes in as bytes
assert(stmt:execute(bytes, 2) == 1)
stmt:close()
cur = conn:execute("select photo from people where id = 2")
assert(cur:fetch() == bytes)
cur:close()

-- connection strings: conninfo and URL forms, defaults from PG* variables
local c2 = assert(env:connect("dbname=postgres host=127.0.0.1 port=" .. PG_PORT .. " user=apogee"))
c2:close()
local c3 = assert(env:connect("postgresql://apogee@127.0.0.1:" .. PG_PORT .. "/postgres"))
c3:close()
local c4 = assert(env:connect("postgres"))
c4:close()
local bad, msg = env:connect("no_such_db")
assert(bad == nil and msg:match("^LuaSQL: error connecting"), msg)

assert(conn:execute("drop table people") == 0)
assert(conn:close())
assert(env:close())
return "ok"
