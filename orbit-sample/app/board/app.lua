-- board.app: the Orbit application - routes and the handlers behind them.
--
--   GET  /                   the board: newest cards first; the new-card form when logged in
--   POST /cards              creates a card (multipart form: title, body, attachment)
--   GET  /cards/:id          a card
--   GET  /cards/:id/file     its attachment, as a download
--   POST /cards/:id/done     marks it done or not done again (done=1 / done=0); any logged-in user
--   POST /cards/:id/delete   deletes it (its author only)
--   GET  /signup, POST /signup, GET /login, POST /login, POST /logout
--
-- Every link and redirect is made with web:link, which puts the mount point (SCRIPT_NAME) in
-- front: the same code works at / (apogee serve), under a servlet context path (/board) and
-- behind nginx. Forms answer with 303 See Other, so reloading the next page does not post again.
--
-- The filters around this app (board.lua) have already done their part when a handler runs: the
-- session is in env.session, and an unsafe request (POST) carried a valid CSRF token.

local orbit = require "orbit"
local R = require "orbit.routes"
local config = require("board.config").get()
local db = require "board.db"
local accounts = require "board.accounts"
local cards = require "board.cards"
local views = require "board.views"

local board = orbit.new("board")  -- the name gives model tables their prefix: board_user, board_card
board.real_path = config.app_dir  -- views/ is found from here, whatever the working directory

-- One connection per Lua state: a state serves one request at a time.
board.mapper.conn = db.connect(config)
board.mapper.driver = config.driver
db.migrate(board.mapper.conn, config.driver)

local users = accounts.new(board:model "user")
local deck = cards.new(board:model "card", config.driver)

-- Helpers -----------------------------------------------------------------------------------

-- 303 See Other to a path of this app.
local function see_other(web, path)
  web.status = 303
  web.headers["Location"] = web:link(path)
  return ""
end

local function current_user(web)
  return accounts.current(web.vars)
end

local function not_found(web)
  return views.error(web, 404, "Not found", "There is nothing at this address. The card may have been deleted.")
end

board.not_found = not_found

-- After an error the connection may be broken (the database restarted, the network failed):
-- this state opens a new one, so that its next request starts afresh. (board:model replaced
-- board.mapper by the orbit.model mapper, whose conn every DAO uses.)
local function reconnect()
  local old = board.mapper.conn
  board.mapper.conn = db.connect(config)
  pcall(old.close, old)
end

-- A handler that raised: the details go to the error log, never to the browser (only in
-- development mode, apogee serve --debug, are they shown on the page too).
function board.server_error(web, message)
  web.vars.error:write("board: " .. tostring(message) .. "\n")
  local ok, err = pcall(reconnect)
  if not ok then web.vars.error:write("board: " .. tostring(err) .. "\n") end
  local shown = "Something went wrong on our side. Please try again."
  if require("apogee.config").debug then shown = shown .. "\n\n" .. tostring(message) end
  local ok, page = pcall(views.error, web, 500, "Server error", shown)
  web.status = 500
  if ok then return page end
  web.headers["Content-Type"] = "text/plain; charset=utf-8"
  return shown
end

-- Handlers ----------------------------------------------------------------------------------

-- the board; `form` and `problem` show a new-card form that was refused, with what was typed
local function render_home(web, form, problem)
  return views.render(web, "home", {
    title = "Board", cards = deck:recent(100), form = form or {}, problem = problem, max_upload = config.max_upload,
  })
end

local function home(web)
  return render_home(web)
end

local function create_card(web)
  local user = current_user(web)
  if not user then return see_other(web, "/login") end
  local fields, problem, status = cards.read_form(web.POST, config.max_upload)
  if problem then
    web.status = status
    return render_home(web, fields, problem)
  end
  deck:create(user, fields)
  return see_other(web, "/")
end

local function show_card(web, params)
  local card = deck:find(params.id)
  if not card then return not_found(web) end
  local user = current_user(web)
  return views.render(web, "card", {
    title = card.title, card = card, can_delete = user ~= nil and tonumber(user.id) == tonumber(card.user_id),
  })
end

local function download(web, params)
  local card = deck:find(params.id)
  local data = card and card.file_name and deck:file_data(card)
  if not data then return not_found(web) end
  -- Always a download, never shown in the browser: an uploaded .html or .svg must not run as a
  -- page of this site. nosniff stops browsers from guessing another type.
  web.headers["Content-Type"] = "application/octet-stream"
  web.headers["Content-Disposition"] = require("board.forms").content_disposition(card.file_name)
  web.headers["X-Content-Type-Options"] = "nosniff"
  web.headers["Cache-Control"] = "private, no-cache"
  return data
end

local function set_done(web, params)
  local user = current_user(web)
  if not user then return see_other(web, "/login") end
  local card = deck:find(params.id)
  if not card then return not_found(web) end
  deck:set_done(card, web.POST.done ~= "0")
  return see_other(web, "/cards/" .. card.id)
end

local function delete_card(web, params)
  local user = current_user(web)
  if not user then return see_other(web, "/login") end
  local card = deck:find(params.id)
  if not card then return not_found(web) end
  if tonumber(card.user_id) ~= tonumber(user.id) then
    return views.error(web, 403, "Not yours", "Only the author of a card can delete it.")
  end
  deck:delete(card)
  return see_other(web, "/")
end

local function signup_form(web)
  return views.render(web, "signup", { title = "Sign up" })
end

local function signup(web)
  local name = web.POST.username
  local user, problem = users:signup(name, web.POST.password)
  if not user then
    web.status = 400
    return views.render(web, "signup", {
      title = "Sign up", problem = problem, username = type(name) == "string" and name or nil,
    })
  end
  accounts.log_in(web.vars, user)
  return see_other(web, "/")
end

local function login_form(web)
  return views.render(web, "login", { title = "Log in" })
end

local function login(web)
  local name = web.POST.username
  local user = users:authenticate(name, web.POST.password)
  if not user then
    web.status = 401
    return views.render(web, "login", {
      title = "Log in", problem = "Wrong user name or password.", username = type(name) == "string" and name or nil,
    })
  end
  accounts.log_in(web.vars, user)
  return see_other(web, "/")
end

local function logout(web)
  accounts.log_out(web.vars)
  return see_other(web, "/")
end

-- Routes ------------------------------------------------------------------------------------
-- Strings are Lua patterns (anchored); R'...' are orbit.routes patterns whose :params arrive
-- in a table.

board:dispatch_get(home, "/")
board:dispatch_post(create_card, "/cards")
board:dispatch_get(show_card, R"/cards/:id")
board:dispatch_get(download, R"/cards/:id/file")
board:dispatch_post(set_done, R"/cards/:id/done")
board:dispatch_post(delete_card, R"/cards/:id/delete")
board:dispatch_get(signup_form, "/signup")
board:dispatch_post(signup, "/signup")
board:dispatch_get(login_form, "/login")
board:dispatch_post(login, "/login")
board:dispatch_post(logout, "/logout")

-- The WSAPI entry. Orbit dispatches GET and POST (and PUT, DELETE, OPTIONS) but raises on HEAD;
-- a HEAD is answered as a GET (the server sends no body), other methods get 405.
local orbit_run = board.run
function board.run(env)
  local method = env.REQUEST_METHOD
  if method == "HEAD" then
    env.REQUEST_METHOD = "GET"
  elseif method ~= "GET" and method ~= "POST" then
    local web = views.web_for(env, config.app_dir)
    web.headers["Allow"] = "GET, HEAD, POST"
    return views.respond(web, views.error(web, 405, "Method not allowed", "This address answers GET and POST only."))
  end
  return orbit_run(env)
end

--- Answers a request whose body is over the limit (used by board.lua's body_limit filter).
function board.too_large(env, max)
  local web = views.web_for(env, config.app_dir)
  return views.respond(web, views.error(web, 413, "Attachment too large",
    "That upload is larger than the board accepts: attachments may have up to "
      .. require("board.forms").human_size(config.max_upload) .. "."))
end

return board
