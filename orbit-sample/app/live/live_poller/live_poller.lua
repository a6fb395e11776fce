-- live_poller: a standalone LAppS service (no socket) that watches the board_event table and
-- broadcasts each new event to the browsers subscribed to /live (the live service).
--
-- Why poll the database? The page that changed a card may have been served by this process, by
-- a WAR in a servlet container, by a FastCGI node behind nginx or by another node: every one of
-- them writes the event to the shared database, and every node that serves /live runs one
-- poller, which sends what it reads to its own subscribers. So do not relay broadcasts through
-- Redis ("redis" in lapps.json) for this service: each node already hears every event.

local app_dir = assert(os.getenv("LAPPS_APPS_DIR"), "LAPPS_APPS_DIR is not set"):gsub("/+$", ""):match("^(.*)/[^/]+$")
package.path = app_dir .. "/?.lua;" .. package.path

local config = require "board.config"
local db = require "board.db"
local events = require "board.events"
local shared = require "board.live"

-- On PostgreSQL ids are handed out when rows are inserted but become visible when their
-- transactions commit, which may be in another order: event 41 can appear after event 42 was
-- read. So each poll looks back over the last WINDOW ids and skips those already sent.
local WINDOW = 100
-- events are deleted after this many seconds (only pollers that are catching up need them)
local KEEP_SECONDS = 600

-- Events from before this service started are history, not news. Taken when the module loads,
-- not at the first poll, which may come later (the database may be slow to answer, or locked
-- by a migration): a change made in between is still sent.
local STARTED = os.time()

live_poller = {}

function live_poller.init()
  bcast:create(shared.CHANNEL)
  live_poller.sleeper = nap:new()
end

local function log(...)
  io.stderr:write("live_poller: ", table.concat({ ... }), "\n")
end

function live_poller.run()
  local settings = config.get()
  local sleeper = live_poller.sleeper
  local conn            -- opened (again) when needed
  local start, last     -- events up to `start` are from before the service started: not sent
  local sent = {}       -- ids sent that are still inside the window
  local pruned_at = 0
  local retry = 1       -- seconds to wait after a database error; doubles up to 30

  local oon = nljson.decode('{"cid": 0, "message": []}')
  oon.cid = shared.CID

  local function poll()
    if not conn then
      conn = db.connect(settings)
      db.migrate(conn, settings.driver)
      if not start then
        start = events.latest_id(conn, STARTED)
        last = start
      end
    end
    local floor = math.max(start, last - WINDOW)
    for _, e in ipairs(events.since(conn, floor, 200)) do
      if not sent[e.seq] then
        sent[e.seq] = true
        if e.seq > last then last = e.seq end
        oon.message[1] = { kind = e.kind, id = e.id, title = e.title, author = e.author, file = e.file, done = e.done }
        bcast:send(shared.CHANNEL, oon)
      end
    end
    for seq in pairs(sent) do
      if seq <= last - WINDOW then sent[seq] = nil end
    end
    if os.time() - pruned_at >= 60 then
      events.prune(conn, KEEP_SECONDS)
      pruned_at = os.time()
    end
  end

  log("watching ", settings.database_shown)
  while not must_stop() do
    local ok, err = pcall(poll)
    if ok then
      retry = 1
      sleeper:usleep(shared.POLL_US)
    else
      log(tostring(err), " (retrying in ", retry, " s)")
      if conn then pcall(conn.close, conn) end
      conn = nil
      sleeper:sleep(retry)
      retry = math.min(retry * 2, 30)
    end
  end
  if conn then conn:close() end
end

return live_poller
