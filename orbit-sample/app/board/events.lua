-- board.events: the change log behind the live view.
--
-- Every change to a card also writes a row to board_event, in the same transaction as the
-- change. The live_poller LAppS service reads the rows that are new and broadcasts them to the
-- browsers. Going through the database rather than calling the WebSocket side directly is what
-- makes the live view work in every deployment: the page that made the change may have been
-- served by a WAR, by a FastCGI node behind nginx or by another node altogether; they all share
-- the database, and each node's poller sees every change.
--
-- An event, as the poller sends it: { kind = "created" | "updated" | "deleted", id = card id,
-- title, author, file (the attachment's name, or nil), done (true/false) }.

local db = require "board.db"

local M = {}

--- Records a change of `card` (a row of board_card). Call it inside the transaction that makes
-- the change, with the same connection.
function M.record(conn, kind, card)
  db.exec(conn, [[insert into board_event (kind, card_id, title, author, file_name, done, created_at)
    values (?, ?, ?, ?, ?, ?, ?)]],
    kind, card.id, card.title, card.author, card.file_name, card.done and 1 or 0, os.time())
end

--- The id of the newest event (0 when there is none); with `before` (os.time()), of the newest
-- event written before that second.
function M.latest_id(conn, before)
  local row
  if before then
    row = db.first(conn, "select max(id) as id from board_event where created_at < ?", before)
  else
    row = db.first(conn, "select max(id) as id from board_event")
  end
  return row and tonumber(row.id) or 0
end

--- Events with an id above `after`, oldest first, at most `limit` of them.
function M.since(conn, after, limit)
  local rows = db.all(conn, [[select id, kind, card_id, title, author, file_name, done
    from board_event where id > ? order by id limit ?]], after, limit or 100)
  local out = {}
  for i, r in ipairs(rows) do
    out[i] = {
      seq = tonumber(r.id), kind = r.kind, id = tonumber(r.card_id), title = r.title,
      author = r.author, file = r.file_name, done = tonumber(r.done) == 1,
    }
  end
  return out
end

--- Deletes events older than `seconds` (they are only needed while pollers catch up).
function M.prune(conn, seconds)
  return db.exec(conn, "delete from board_event where created_at < ?", os.time() - seconds)
end

return M
