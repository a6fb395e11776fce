-- Orbit Board: a small multi-user task board, and a tour of how an app is built on Apogee.
--
--   apogee serve --lapps app/lapps.json app/board.lua      (or: ./apogee serve orbit-sample)
--
-- This file is the entry point: it returns the WSAPI app, which is the Orbit application of
-- board/app.lua wrapped in filters (wsapi.filters). The first filter is the outermost: it sees
-- the request first and the response last.
--
-- Where the parts are:
--   board/config.lua    settings from the environment (BOARD_DATA, BOARD_DATABASE, ...)
--   board/db.lua        the connection, the schema and its migrations (SQLite or PostgreSQL)
--   board/accounts.lua  sign-up, passwords, log in and out
--   board/cards.lua     cards, attachments, and the events their changes write
--   board/app.lua       the routes and their handlers
--   views/*.html        the pages (orbit.template)
--   static/             CSS and the browser code of the live view (board.js)
--   live/               the LAppS WebSocket services of the live view (see lapps.json)

local filters = require "wsapi.filters"
local config = require("board.config").get()
local board = require "board.app"
local body_limit = require "board.body_limit"

-- Sessions stay in this process unless REDIS_URL says where several nodes can share them.
local store
if config.redis_url then
  store = filters.session.redis{ url = config.redis_url, prefix = "board:session:" }
else
  store = filters.session.memory{ name = "board" }
end

return filters.stack {
  -- one line per request: to stderr, or to the file BOARD_ACCESS_LOG names
  { filters.logging, file = config.access_log },
  { filters.session, secret = config.session_secret(), store = store },
  -- refuse oversized uploads before anything reads them; room is left for the other fields
  { body_limit, max = config.max_upload + 64 * 1024, refuse = board.too_large },
  -- POST forms must carry the session's token (each form has a hidden csrf_token field)
  filters.csrf,
  { filters.static, root = config.app_dir .. "/static", prefix = "/static" },
  board,
}
