-- orbit.template through web:page and web:page_inline
local orbit = require "orbit"
local template = require "orbit.template"
local mock = require "helpers.mock"

describe("templates", function()
  it("substitutes $names, escapes <%= %> and runs <% %> code", function()
    local t = template.compile([[<h1>$title</h1><% for i, item in ipairs(items) do %><li><%= i %>: <%= item.name %></li><% end %>$$5 <%- raw %>]])
    local out = template.fill(t, { title = "List", items = { { name = "a<b" }, { name = "c" } }, raw = "<b>" })
    assert.equals("<h1>List</h1><li>1: a&lt;b</li><li>2: c</li>$5 <b>", out)
  end)

  it("reads dotted paths and leaves nil empty", function()
    local t = template.compile("$post.title by $post.author.name$missing.")
    assert.equals("T by Ann.", template.fill(t, { post = { title = "T", author = { name = "Ann" } } }))
  end)

  it("renders files with web:page and include", function()
    finally(function() os.remove("tpl_page.html"); os.remove("tpl_item.html") end)
    local f = assert(io.open("tpl_page.html", "w"))
    f:write([[<ul><% for _, i in ipairs(items) do %><%- include("tpl_item.html", { item = i }) %><% end %></ul><a href="<%= link("/x", { q = "1" }) %>">x</a>]])
    f:close()
    f = assert(io.open("tpl_item.html", "w"))
    f:write("<li>$item</li>")
    f:close()
    local app = orbit.new()
    app.real_path = "."
    app:dispatch_get(function(web) return web:page("tpl_page.html", { items = { "a", "b" } }) end, "/")
    app:dispatch_get(function(web) return web:page_inline("<p><%= web.path_info %> $who</p>", { who = "me" }) end, "/inline")
    local _, _, body = mock.request(app, "GET", "/", { script_name = "/s" })
    assert.equals('<ul><li>a</li><li>b</li></ul><a href="/s/x?q=1">x</a>', body)
    assert.equals("<p>/inline me</p>", select(3, mock.request(app, "GET", "/inline")))
  end)

  it("shows edits to a template file at once", function()
    finally(function() os.remove("tpl_edit.html") end)
    local function write(text)
      local f = assert(io.open("tpl_edit.html", "w"))
      f:write(text)
      f:close()
    end
    write("one $x")
    assert.equals("one 1", template.fill(template.load("tpl_edit.html"), { x = 1 }))
    local first = template.load("tpl_edit.html")
    assert.equals(first, template.load("tpl_edit.html"))
    write("two $x")
    assert.equals("two 2", template.fill(template.load("tpl_edit.html"), { x = 2 }))
    assert.is_nil(template.load("no_such_template.html"))
  end)
end)
