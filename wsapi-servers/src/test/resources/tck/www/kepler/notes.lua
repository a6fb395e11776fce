-- A WSAPI 1.7-style application: a module table with run, returned by the file. A small notes
-- API that keeps nothing: GET lists the tags asked for (?tag=a&tag=b), POST creates a note from a
-- form, PUT takes a raw body, DELETE removes a note by number.

local request = require "wsapi.request"
local response = require "wsapi.response"

local M = {}

function M.run(env)
  local req = request.new(env)
  local res = response.new(200, { ["Content-Type"] = "text/plain" })
  local id = tonumber(req.path_info:match("^/(%d+)$"))
  if req.method == "GET" then
    local tags = req.GET.tag
    if type(tags) == "string" then tags = { tags } end
    res:write("tags=", tags and table.concat(tags, ",") or "-", " sort=", req.params.sort or "-", "\n")
  elseif req.method == "POST" then
    res.status = 201
    res.headers["Location"] = req:link("/42")
    res:write("created: ", req.POST.text or "", "\n")
  elseif req.method == "PUT" and id then
    res:write("replaced ", id, " with ", #req.POST.post_data, " bytes of ", req.env.CONTENT_TYPE, ": ", req.POST.post_data, "\n")
  elseif req.method == "DELETE" and id then
    res:write("deleted ", id, "\n")
  else
    res.status = 404
    res:write("no such note\n")
  end
  return res:finish()
end

return M
