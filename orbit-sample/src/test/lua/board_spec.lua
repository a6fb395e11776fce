-- The Orbit Board sample app (orbit-sample/app), through its whole filter stack (logging,
-- session, body limit, CSRF, static files, the Orbit app), mounted at /board as in a servlet
-- container, against a scratch data folder with its own SQLite database (or the PostgreSQL
-- database of BOARD_TEST_DATABASE: see board_helper.lua).

local helper = require "board_helper"

local data = helper.scratch_dir()
-- no access log: the specs check the board's answers, not the log filter
local app = helper.load_app({ BOARD_DATA = data, BOARD_ACCESS_LOG = "off" })
local config = require("board.config").get()
local db = require "board.db"
local events = require "board.events"

-- a connection of our own, to look at what the app wrote
local conn = db.connect(config)

local function count(sql, ...)
  local row = db.first(conn, sql, ...)
  return tonumber(row.n)
end

local unique = 0
local function new_name(base)
  unique = unique + 1
  return (base or "user") .. unique
end

-- A browser with a new account, logged in.
local function signed_up(name)
  local b = helper.browser(app, "/board")
  name = name or new_name()
  local token = assert(b:token("/signup"), "the sign-up page has a CSRF token")
  local r = b:post_form("/signup", { { "csrf_token", token }, { "username", name }, { "password", "correct horse" } })
  assert.equals(303, r.status, r.body)
  return b, name
end

-- Creates a card; returns the response.
local function create_card(b, fields)
  local list = { { "csrf_token", b:token("/") } }
  for _, f in ipairs(fields) do list[#list + 1] = f end
  return b:post_multipart("/cards", list)
end

local function newest_card_id()
  local row = db.first(conn, "select max(id) as n from board_card")
  return tonumber(row.n)
end

describe("Orbit Board", function()
  teardown(function()
    conn:close()
    helper.remove_tree(data)
  end)

  it("creates its data folder, database and session secret on first start", function()
    assert.equals(data, config.data_dir)
    if config.driver == "sqlite3" then assert.equals(data .. "/board.db", config.database) end
    local f = assert(io.open(data .. "/session.secret", "rb"))
    local secret = f:read("*a")
    f:close()
    assert.is_true(#secret >= 32)
    assert.equals(1, count("select count(*) as n from board_schema"))
    db.migrate(conn, config.driver)   -- a second start changes nothing
    assert.equals(1, count("select count(*) as n from board_schema"))
  end)

  it("reads its settings from the environment", function()
    local settings = require "board.config"
    local saved = settings.getenv
    settings.getenv = function(name)
      return ({
        BOARD_DATA = data, BOARD_DATABASE = "postgres://board:s3cret@db.internal:5432/board",
        REDIS_URL = "redis://cache:6379/0", APOGEE_SESSION_SECRET = string.rep("k", 40),
      })[name]
    end
    local ok, c = pcall(settings.load)
    local secret = ok and c.session_secret()
    settings.getenv = saved
    assert(ok, c)
    assert.equals("postgres", c.driver)
    assert.equals("postgres://board:s3cret@db.internal:5432/board", c.database)
    assert.is_nil(c.database_shown:find("s3cret", 1, true))
    assert.equals("redis://cache:6379/0", c.redis_url)
    assert.equals("stderr", c.access_log)
    assert.equals(string.rep("k", 40), secret)
    assert.equals(helper.app_dir():gsub("/+$", ""), c.app_dir)
    assert.equals(5 * 1024 * 1024, c.max_upload)
  end)

  it("shows the board to anonymous readers, with links built from the mount point", function()
    local b = helper.browser(app, "/board")
    local r = b:get("/")
    assert.equals(200, r.status)
    assert.matches("text/html", helper.header(r.headers, "Content-Type"))
    assert.matches('<a id="login%-link" href="/board/login">', r.body)
    assert.matches('<a id="signup%-link" href="/board/signup">', r.body)
    assert.matches('<link rel="stylesheet" href="/board/static/board.css">', r.body, 1, true)
    assert.matches('data%-prefix="/board"', r.body)
    assert.matches('<ul id="cards">', r.body)
    assert.is_nil(r.body:find('id="user"', 1, true))
    assert.is_nil(r.body:find('id="new-card"', 1, true))
    assert.is_nil(helper.header(r.headers, "Set-Cookie"), "no session for a reader")
  end)

  it("serves the static files", function()
    local b = helper.browser(app, "/board")
    local r = b:get("/static/board.js")
    assert.equals(200, r.status)
    assert.matches("javascript", helper.header(r.headers, "Content-Type"))
    assert.matches("LAppSClient", r.body)
  end)

  it("signs a user up, logs them in with a new session id and redirects home", function()
    local b = helper.browser(app, "/board")
    local token = b:token("/signup")
    local before = b:session_id()
    assert.not_nil(before)
    local r = b:post_form("/signup", { { "csrf_token", token }, { "username", "Ann" }, { "password", "correct horse" } })
    assert.equals(303, r.status, r.body)
    assert.equals("/board/", helper.header(r.headers, "Location"))
    assert.not_nil(b:session_id())
    assert.is_true(before ~= b:session_id(), "a new session id at login")
    local home = b:get("/")
    assert.matches('<span id="user">Ann</span>', home.body)
    assert.matches('<form id="logout%-form" method="post" action="/board/logout">', home.body)
    assert.matches('<form id="new%-card" method="post" action="/board/cards" enctype="multipart/form%-data">', home.body)
    -- the password is stored as a salted PBKDF2 hash
    local row = db.first(conn, "select * from board_user where username = ?", "Ann")
    assert.not_nil(row)
    assert.is_nil(row.password_hash:find("correct horse", 1, true))
    assert.is_true(#row.password_salt > 10)
  end)

  it("refuses a second account with the same name, whatever its case", function()
    local _, name = signed_up()
    local b = helper.browser(app, "/board")
    local r = b:post_form("/signup", { { "csrf_token", b:token("/signup") }, { "username", name:upper() }, { "password", "another one" } })
    assert.equals(400, r.status)
    assert.matches('class="error"[^>]*>That user name is taken', r.body)
    assert.equals(1, count("select count(*) as n from board_user where lower(username) = lower(?)", name))
  end)

  it("refuses bad sign-up input with a message", function()
    local b = helper.browser(app, "/board")
    local token = b:token("/signup")
    local r = b:post_form("/signup", { { "csrf_token", token }, { "username", "x y" }, { "password", "long enough" } })
    assert.equals(400, r.status)
    assert.matches('class="error"', r.body)
    r = b:post_form("/signup", { { "csrf_token", token }, { "username", new_name() }, { "password", "short" } })
    assert.equals(400, r.status)
    assert.matches("at least 8 characters", r.body)
    r = b:post_form("/signup", { { "csrf_token", token }, { "username", "ab\255cd" }, { "password", "long enough" } })
    assert.equals(400, r.status)
    assert.matches("not valid UTF%-8", r.body)
  end)

  it("refuses a wrong password and logs in with the right one", function()
    local _, name = signed_up()
    local b = helper.browser(app, "/board")
    local token = b:token("/login")
    local r = b:post_form("/login", { { "csrf_token", token }, { "username", name }, { "password", "wrong horse" } })
    assert.equals(401, r.status)
    assert.matches('<p class="error"[^>]*>Wrong user name or password.</p>', r.body)
    assert.is_nil(b:get("/").body:find('id="user"', 1, true))
    r = b:post_form("/login", { { "csrf_token", token }, { "username", "nobody-" .. name }, { "password", "correct horse" } })
    assert.equals(401, r.status)
    local before = b:session_id()
    r = b:post_form("/login", { { "csrf_token", token }, { "username", name }, { "password", "correct horse" } })
    assert.equals(303, r.status)
    assert.equals("/board/", helper.header(r.headers, "Location"))
    assert.is_true(before ~= b:session_id(), "a new session id at login")
    assert.matches('<span id="user">' .. name .. '</span>', b:get("/").body)
  end)

  it("refuses a form without the CSRF token, or with a wrong one", function()
    local b = helper.browser(app, "/board")
    b:token("/signup")   -- the session exists, with its token
    local name = new_name()
    local r = b:post_form("/signup", { { "username", name }, { "password", "correct horse" } })
    assert.equals(403, r.status)
    r = b:post_form("/signup", { { "csrf_token", "forged" }, { "username", name }, { "password", "correct horse" } })
    assert.equals(403, r.status)
    assert.equals(0, count("select count(*) as n from board_user where username = ?", name))

    local author = signed_up()
    local cards = count("select count(*) as n from board_card")
    r = author:post_multipart("/cards", { { "title", "no token" } })
    assert.equals(403, r.status)
    assert.equals(cards, count("select count(*) as n from board_card"))
  end)

  it("logs out with a POST", function()
    local b = signed_up()
    local r = b:post_form("/logout", { { "csrf_token", b:token("/") } })
    assert.equals(303, r.status)
    assert.is_nil(b:session_id())
    assert.is_nil(b:get("/").body:find('id="user"', 1, true))
    assert.equals(404, b:get("/logout").status)
  end)

  it("sends anonymous writers to the login page", function()
    local b = helper.browser(app, "/board")
    local token = b:token("/login")
    local r = b:post_multipart("/cards", { { "csrf_token", token }, { "title", "anonymous" } })
    assert.equals(303, r.status)
    assert.equals("/board/login", helper.header(r.headers, "Location"))
  end)

  -- bytes that are valid UTF-8 text with a backslash and a NUL, and bytes that are not text
  local file_bytes = "C:\\temp\\x \0 caf\195\169 \255\254\0\1 end\n"

  it("creates a card with an attachment and lists it newest first", function()
    local b, name = signed_up()
    local first = create_card(b, { { "title", "Older card" } })
    assert.equals(303, first.status, first.body)
    local r = create_card(b, {
      { "title", "  Ship the release  " }, { "body", "Line one\r\nLine two" },
      { "attachment", file_bytes, filename = "notes.bin", type = "application/x-notes" },
    })
    assert.equals(303, r.status, r.body)
    assert.equals("/board/", helper.header(r.headers, "Location"))
    local id = newest_card_id()
    local card = db.first(conn, "select * from board_card where id = ?", id)
    assert.equals("Ship the release", card.title)
    assert.equals("Line one\nLine two", card.body)
    assert.equals(name, card.author)
    assert.equals("notes.bin", card.file_name)
    assert.equals("application/x-notes", card.file_type)
    assert.equals(#file_bytes, tonumber(card.file_size))

    local home = helper.browser(app, "/board"):get("/")
    local item = home.body:match('<li class="card" data%-id="' .. id .. '">(.-)</li>')
    assert.not_nil(item, home.body)
    assert.matches('<a class="card%-title" href="/board/cards/' .. id .. '">Ship the release</a>', item)
    assert.matches('<span class="card%-author">' .. name .. '</span>', item)
    assert.matches('<a class="card%-file" href="/board/cards/' .. id .. '/file">notes.bin</a>', item)
    -- newest first
    assert.is_true(home.body:find('data-id="' .. id .. '"', 1, true) < home.body:find('data-id="' .. (id - 1) .. '"', 1, true))

    local page = helper.browser(app, "/board"):get("/cards/" .. id)
    assert.equals(200, page.status)
    assert.matches('<h1 class="card%-title">Ship the release</h1>', page.body)
    assert.matches('<div class="card%-body">Line one\nLine two</div>', page.body)
    assert.matches('<a class="card%-file" href="/board/cards/' .. id .. '/file">', page.body)
  end)

  it("downloads an attachment byte for byte, as an attachment with a safe name", function()
    local b = signed_up()
    local r = create_card(b, {
      { "title", "with a nasty file name" },
      { "attachment", file_bytes, filename = "evil name <x>;.html", type = "text/html" },
    })
    assert.equals(303, r.status, r.body)
    local id = newest_card_id()
    local dl = helper.browser(app, "/board"):get("/cards/" .. id .. "/file")
    assert.equals(200, dl.status)
    assert.equals(file_bytes, dl.body)
    assert.equals("application/octet-stream", helper.header(dl.headers, "Content-Type"))
    assert.equals("nosniff", helper.header(dl.headers, "X-Content-Type-Options"))
    local disposition = helper.header(dl.headers, "Content-Disposition")
    assert.matches('^attachment; filename="[A-Za-z0-9._ ()-]+"; filename%*=UTF%-8\'\'[A-Za-z0-9._~%%-]+$', disposition)
    assert.is_nil(disposition:find("<", 1, true))
    assert.equals(#file_bytes, tonumber(helper.header(dl.headers, "Content-Length")))
    -- a card without an attachment, or no card, has no download
    create_card(b, { { "title", "no file" } })
    assert.equals(404, b:get("/cards/" .. newest_card_id() .. "/file").status)
    assert.equals(404, b:get("/cards/999999/file").status)
  end)

  it("refuses an attachment over the limit, with a clear message", function()
    local b = signed_up()
    local cards = count("select count(*) as n from board_card")
    -- just over the limit: the app reads the upload and says how big it was
    local r = create_card(b, {
      { "title", "too big" }, { "attachment", string.rep("x", config.max_upload + 1), filename = "big.bin" },
    })
    assert.equals(413, r.status)
    assert.matches('<p class="error"[^>]*>The attachment is too large', r.body)
    assert.matches('value="too big"', r.body, 1, true)   -- the form keeps what was typed
    -- far over: refused from the Content-Length, before the body is read
    local token = b:token("/")
    local body, ctype = helper.multipart({
      { "csrf_token", token }, { "title", "far too big" },
      { "attachment", string.rep("y", config.max_upload + 200 * 1024), filename = "huge.bin" },
    })
    r = b:request("POST", "/cards", { body = body, content_type = ctype })
    assert.equals(413, r.status)
    assert.matches("attachments may have up to 5 MiB", r.body)
    assert.equals(cards, count("select count(*) as n from board_card"))
  end)

  it("escapes HTML in everything users write", function()
    local b = signed_up()
    local r = create_card(b, {
      { "title", '<script>alert("title")</script>' }, { "body", "<img src=x onerror=alert(1)> & more" },
      { "attachment", "x", filename = "<i>file<i>.txt" },
    })
    assert.equals(303, r.status, r.body)
    local id = newest_card_id()
    for _, path in ipairs({ "/", "/cards/" .. id }) do
      local page = helper.browser(app, "/board"):get(path).body
      assert.is_nil(page:find("<script>alert", 1, true), path)
      assert.is_nil(page:find("<img src=x", 1, true), path)
      assert.is_nil(page:find("<i>file", 1, true), path)
      assert.matches("&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;", page, 1, true)
      assert.matches("&lt;i&gt;file&lt;i&gt;.txt", page, 1, true)
    end
    local card = helper.browser(app, "/board"):get("/cards/" .. id).body
    assert.matches("&lt;img src=x onerror=alert(1)&gt; &amp; more", card, 1, true)
  end)

  it("refuses a card without a title, or with text that is not UTF-8", function()
    local b = signed_up()
    local r = create_card(b, { { "title", "   " } })
    assert.equals(400, r.status)
    assert.matches('class="error"[^>]*>A card needs a title', r.body)
    r = create_card(b, { { "title", "bad \192\128 bytes" } })
    assert.equals(400, r.status)
    assert.matches("not valid UTF%-8", r.body)
    r = create_card(b, { { "title", string.rep("x", 201) } })
    assert.equals(400, r.status)
    assert.matches("too long", r.body)
  end)

  it("lets only the author delete a card", function()
    local author = signed_up()
    create_card(author, { { "title", "mine" }, { "attachment", "data", filename = "a.txt" } })
    local id = newest_card_id()
    local other = signed_up()
    local page = other:get("/cards/" .. id).body
    assert.is_nil(page:find('class="delete-card"', 1, true))
    local r = other:post_form("/cards/" .. id .. "/delete", { { "csrf_token", other:token("/") } })
    assert.equals(403, r.status)
    assert.matches("Only the author", r.body)
    assert.equals(200, other:get("/cards/" .. id).status)

    assert.matches('<form class="delete%-card" method="post" action="/board/cards/' .. id .. '/delete">',
      author:get("/cards/" .. id).body)
    r = author:post_form("/cards/" .. id .. "/delete", { { "csrf_token", author:token("/") } })
    assert.equals(303, r.status)
    assert.equals(404, author:get("/cards/" .. id).status)
    assert.equals(404, author:get("/cards/" .. id .. "/file").status)
    assert.equals(0, count("select count(*) as n from board_file where card_id = ?", id))
  end)

  it("writes an event for every change, in order", function()
    local start = events.latest_id(conn)
    local b = signed_up()
    create_card(b, { { "title", "watched" }, { "attachment", "x", filename = "w.txt" } })
    local id = newest_card_id()
    local token = b:token("/")
    assert.equals(303, b:post_form("/cards/" .. id .. "/done", { { "csrf_token", token }, { "done", "1" } }).status)
    assert.equals(303, b:post_form("/cards/" .. id .. "/delete", { { "csrf_token", token } }).status)
    local list = events.since(conn, start)
    assert.equals(3, #list)
    assert.same({ "created", "updated", "deleted" }, { list[1].kind, list[2].kind, list[3].kind })
    for _, e in ipairs(list) do
      assert.equals(id, e.id)
      assert.equals("watched", e.title)
      assert.equals("w.txt", e.file)
    end
    assert.is_false(list[1].done)
    assert.is_true(list[2].done)
    assert.is_true(list[1].seq < list[2].seq and list[2].seq < list[3].seq)
  end)

  it("answers unknown pages and bad card ids with 404 pages", function()
    local b = helper.browser(app, "/board")
    for _, path in ipairs({ "/nowhere", "/cards/abc", "/cards/0", "/cards/99999999", "/cards/1e3", "/static/nothing.css" }) do
      local r = b:get(path)
      assert.equals(404, r.status, path)
      assert.matches("<h1>Not found</h1>", r.body, 1, true)
    end
  end)

  it("answers HEAD like GET and other methods with 405", function()
    local b = helper.browser(app, "/board")
    assert.equals(200, b:request("HEAD", "/").status)
    local token = b:token("/login")
    local r = b:request("PUT", "/", { headers = { HTTP_X_CSRF_TOKEN = token } })
    assert.equals(405, r.status)
    assert.equals("GET, HEAD, POST", helper.header(r.headers, "Allow"))
  end)

  it("leaves a malformed upload to the server, which answers 400", function()
    local b = signed_up()
    -- a multipart body whose Content-Type names no boundary cannot be parsed; wsapi.request
    -- raises this error, which Apogee's servers answer with 400 Bad Request
    local ok, err = pcall(b.request, b, "POST", "/cards", {
      body = "garbage", content_type = "multipart/form-data",
      headers = { HTTP_X_CSRF_TOKEN = b:token("/") },
    })
    assert.is_false(ok)
    assert.matches("malformed multipart/form%-data body", tostring(err))
  end)

  it("shows no error details to the browser in production mode", function()
    local board = require "board.app"
    local views = require "board.views"
    assert.is_false(require("apogee.config").debug)
    local web = views.web_for(setmetatable({ SCRIPT_NAME = "/board", error = { write = function() end } },
      { __index = function() return "" end }), config.app_dir)
    local page = board.server_error(web, "board.lua:12: secret failure\nstack traceback: ...")
    assert.equals(500, web.status)
    assert.matches("Something went wrong", page)
    assert.is_nil(page:find("secret failure", 1, true))
    assert.is_nil(page:find("traceback", 1, true))
  end)
end)
