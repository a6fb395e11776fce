-- board.cards: the cards on the board, their attachments, and the events their changes write.
--
-- A card row (board_card) is read and written through orbit.model; the bytes of an attachment
-- are in board_file, written with plain LuaSQL because they go in through the dialect's `unhex`
-- (see board.db). A change and its event are written in one transaction: either both are there
-- or neither is.

local db = require "board.db"
local events = require "board.events"
local forms = require "board.forms"

local M = {}

M.MAX_TITLE = 200
M.MAX_BODY = 10000

local Cards = {}
Cards.__index = Cards

--- Cards over the orbit.model DAO of board_card.
function M.new(dao, driver)
  return setmetatable({ dao = dao, dialect = db.dialects[driver] }, Cards)
end

-- The connection the DAO uses (the app may replace it after an error).
function Cards:conn()
  return self.dao.model.conn
end

--- Reads the new-card form (a wsapi.request POST table). Returns the fields
-- { title, body, upload = { name, type, size, data } or nil }, then, when something is wrong, a
-- message and the HTTP status to answer with (400, or 413 for an attachment that is too large).
function M.read_form(post, max_upload)
  -- what the user typed, to show again in the form when something is wrong
  local function echo(v) return type(v) == "string" and forms.valid_utf8(v) and v or nil end
  local fields = { title = echo(post.title), body = echo(post.body) }

  local title, problem = forms.text(post.title, "The title", M.MAX_TITLE)
  if problem then return fields, problem, 400 end
  if not title then return fields, "A card needs a title.", 400 end
  local body
  body, problem = forms.text(post.body, "The text", M.MAX_BODY, true)
  if problem then return fields, problem, 400 end
  fields.title, fields.body = title, body

  -- An upload is a table (wsapi.request); a file input left empty arrives as an empty string.
  local file = post.attachment
  if type(file) == "table" and file[1] ~= nil then return fields, "Attach one file per card.", 400 end
  if type(file) == "table" then
    if file.size > max_upload then
      return fields, string.format("The attachment is too large (%d bytes); attachments may have up to %s.",
        file.size, forms.human_size(max_upload)), 413
    end
    fields.upload = {
      name = forms.file_name(file.name),
      type = forms.content_type(file["content-type"]),
      size = file.size,
      data = file.contents,
    }
  elseif file ~= nil and file ~= "" then
    return fields, "The attachment must be sent as a file (multipart/form-data).", 400
  end
  return fields
end

--- The newest cards first.
function Cards:recent(count)
  return self.dao:find_all({ order = "id desc", count = count or 100 })
end

--- A card by id (a number or a string of digits, as in /cards/42), or nil.
function Cards:find(id)
  if type(id) == "string" and not id:match("^%d+$") then return nil end
  id = tonumber(id)
  if not id or id < 1 or id ~= math.floor(id) or id > 2^53 then return nil end
  return self.dao:find(id)
end

--- Creates a card for `user` ({ id, name }) from read_form's fields; returns it.
function Cards:create(user, fields)
  local conn, upload = self:conn(), fields.upload
  return db.transaction(conn, function()
    local card = self.dao:new{
      title = fields.title,
      body = fields.body or "",
      user_id = user.id,
      author = user.name,
      done = false,
      file_name = upload and upload.name,
      file_type = upload and upload.type,
      file_size = upload and upload.size,
    }
    card:save()
    if upload then
      db.exec(conn, "insert into board_file (card_id, data) values (?, " .. self.dialect.unhex .. ")",
        card.id, db.hex(upload.data))
    end
    events.record(conn, "created", card)
    return card
  end)
end

--- Marks a card done (or not done).
function Cards:set_done(card, done)
  local conn = self:conn()
  return db.transaction(conn, function()
    card.done = done and true or false
    card:save()
    events.record(conn, "updated", card)
    return card
  end)
end

--- Deletes a card and its attachment.
function Cards:delete(card)
  local conn = self:conn()
  return db.transaction(conn, function()
    events.record(conn, "deleted", card)
    db.exec(conn, "delete from board_file where card_id = ?", card.id)
    card:delete()
  end)
end

--- The bytes of a card's attachment, or nil.
function Cards:file_data(card)
  local row = db.first(self:conn(), "select data from board_file where card_id = ?", card.id)
  return row and row.data
end

return M
