-- An Orbit app written as Orbit's documentation writes them (samples/hello and samples/routes),
-- plus a model on SQLite: served unchanged by Apogee.
local orbit = require "orbit"
local R = require "orbit.routes"
require "luasql.sqlite3"

module("hello", package.seeall, orbit.new)

-- the database lives next to the app (the working directory), created on first start
mapper.conn = luasql.sqlite3():connect("hello.db")
mapper.driver = "sqlite3"
mapper.conn:execute([[create table if not exists hello_greeting
  (id integer primary key, name varchar(100), message text, created_at datetime)]])

local greetings = hello:model "greeting"

-- controllers

function index(web)
  return render_index()
end

function say(web, name)
  return render_say(web, name)
end

function hello_route(web, params)
  return render_message("route", "Hello, " .. params.name .. "!")
end

function hi(web, params)
  return render_message(nil, "splat: " .. params.splat[1])
end

function hey(web, params)
  return render_message(nil, "hey " .. (params.name or "stranger"))
end

function list_greetings(web)
  return render_greetings(web, greetings:find_all({ order = "id" }))
end

function add_greeting(web)
  if web:empty_param("name") then
    web.status = "400 Bad Request"
    return render_message("error", "name is required")
  end
  local g = greetings:new{ name = web.input.name, message = web.input.message }
  g:save()
  return web:redirect(web:link("/greetings/" .. g.id))
end

function show_greeting(web, id)
  local g = greetings:find(tonumber(id))
  if not g then return not_found(web) end
  return web:page_inline([[<h1>$g.name</h1><p><%= g.message %></p>]], { g = g })
end

hello:dispatch_get(index, "/", "/index")
hello:dispatch_get(say, "/say/(%a+)")
hello:dispatch_get(hello_route, R'/hello/:name')
hello:dispatch_get(hi, R'/hi/*')
hello:dispatch_get(hey, R'/hey/?:name?')
hello:dispatch_get(list_greetings, "/greetings")
hello:dispatch_post(add_greeting, "/greetings")
hello:dispatch_get(show_greeting, "/greetings/(%d+)")
hello:dispatch_static("/static/.+")

-- views

function render_layout(inner_html)
  return html{
    head{ title"Hello" },
    body{ inner_html }
  }
end

function render_message(class, text)
  return render_layout(class and p[class](text) or p(text))
end

function render_hello()
  return p.hello"Hello World!"
end

function render_index()
  return render_layout(render_hello())
end

function render_say(web, name)
  return render_layout(render_hello() ..
    p.hello((web.input.greeting or "Hello ") .. name .. "!"))
end

function render_greetings(web, list)
  local items = {}
  for _, g in ipairs(list) do
    items[#items + 1] = li{ a{ href = web:link("/greetings/" .. g.id), g.name } }
  end
  return render_layout(ul(items))
end

orbit.htmlify(hello, "render_.+")

return _M
