-- Parses a file upload with wsapi.request and answers what it received.
local request = require "wsapi.request"

return function(env)
  local req = request.new(env)
  local lines = {}
  local file = req.POST.file
  if type(file) == "table" then
    lines[#lines + 1] = "name=" .. file.name
    lines[#lines + 1] = "size=" .. file.size
    lines[#lines + 1] = "type=" .. tostring(file["content-type"])
    lines[#lines + 1] = "contents=" .. file.contents
  else
    lines[#lines + 1] = "no file"
  end
  lines[#lines + 1] = "comment=" .. tostring(req.POST.comment)
  local text = table.concat(lines, "\n") .. "\n"
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
end
